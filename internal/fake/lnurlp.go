package fake

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The LNURL-pay server as Blink runs it (NOTES.md, "Receiving without a
// key"): the lightning address domain serves /.well-known/lnurlp/{user};
// the invoice callback and LUD-21 verify live on a separate host.

// LNURLCallbackHost is the host of the fake's invoice callback and verify
// URLs, as lnurl.blink.sv is Blink's.
const LNURLCallbackHost = "lnurl." + LightningAddressDomain

// ReceiveDisabledMessage is the message of RECEIVE_DISABLED, the answer
// to every receive of a wound-down account.
const ReceiveDisabledMessage = "This account can no longer receive payments. If this is your account, please update the Blink app to migrate your funds."

// The LNURL-pay limits of Blink's server.
const (
	LNURLMinSendableMsat   = 1_000
	LNURLMaxSendableMsat   = 4_000_000_000
	LNURLCommentAllowed    = 255
	lnurlMaxBTCExpirySecs  = 86_400
	lnurlMaxUSDExpirySecs  = 300
	lnurlDefaultBTCExpiry  = time.Hour
	lnurlDefaultUSDExpiry  = 5 * time.Minute
	lnurlPathWellKnown     = "/.well-known/lnurlp/{user}"
	lnurlPathCallback      = "/lnurlp/{domain}/{user}/invoice"
	lnurlPathVerify        = "/verify/{hash}"
	lnurlReasonNotFound    = "Not found"
	lnurlReasonInternal    = "Internal server error"
	lnurlReasonUnknownUser = "Couldn't find user '%s'."
)

// AccountKind is how an account holds its funds, which decides what the
// public GraphQL API says about its username.
type AccountKind int

const (
	// AccountCustodial is a Blink custodial account (the default):
	// accountDefaultWallet answers with its wallet.
	AccountCustodial AccountKind = iota
	// AccountMigrated moved to a self-custodial wallet:
	// accountDefaultWallet answers "Account is inactive.", and the
	// lightning address still works through LNURL-pay.
	AccountMigrated
	// AccountSelfCustodial was never custodial: accountDefaultWallet
	// answers "Account does not exist for username X", and the lightning
	// address works through LNURL-pay.
	AccountSelfCustodial
)

type lnState struct {
	kinds       map[string]AccountKind // by account id; absent = custodial
	noReceive   map[string]bool        // by account id: wound down, RECEIVE_DISABLED
	invoices    map[string]*lnInvoice  // by payment hash: the invoices the callback minted
	failVerify  map[string]int         // by payment hash ("" = any): ERROR answers to give
	settleAt    map[string]time.Time   // by payment hash: settle once the clock passes
	requests    map[string]int         // by path pattern and by exact path
	inFlight    map[string]int         // verify requests being answered, by hash
	maxInFlight int
}

type lnInvoice struct {
	inv          *invoice
	metadata     string
	gone         bool // ExpireInvoice: the LNURL server forgot it
	hidePreimage bool // settled:true without the preimage
}

func (l *lnState) init() {
	if l.kinds == nil {
		l.kinds = map[string]AccountKind{}
		l.noReceive = map[string]bool{}
		l.invoices = map[string]*lnInvoice{}
		l.failVerify = map[string]int{}
		l.settleAt = map[string]time.Time{}
		l.requests = map[string]int{}
		l.inFlight = map[string]int{}
	}
}

// SetAccountKind makes the account custodial, migrated or self-custodial
// from the start. It panics if the account does not exist.
func (s *Server) SetAccountKind(accountID string, k AccountKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[accountID]; !ok {
		panic("blinktest: no account " + strconv.Quote(accountID))
	}
	s.ln.init()
	s.ln.kinds[accountID] = k
}

// SetReceiveDisabled winds the account down (or back up): every receive
// (the invoice mutations and the LNURL-pay callback) is refused with
// RECEIVE_DISABLED and ReceiveDisabledMessage.
func (s *Server) SetReceiveDisabled(accountID string, disabled bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[accountID]; !ok {
		panic("blinktest: no account " + strconv.Quote(accountID))
	}
	s.ln.init()
	s.ln.noReceive[accountID] = disabled
}

// receiveRefused is RECEIVE_DISABLED for a wound-down account: one set
// so with SetReceiveDisabled, or a custodial account in a wind-down phase
// that refuses receipts (its LNURL-pay invoices are minted by the core
// API, which checks the wind-down as for any invoice; see receiveBlocked).
// Callers hold s.mu.
func (s *Server) receiveRefused(accountID string) *AppError {
	if s.ln.noReceive[accountID] {
		return &AppError{Code: "RECEIVE_DISABLED", Message: ReceiveDisabledMessage}
	}
	if s.ln.kinds[accountID] == AccountCustodial {
		return s.receiveBlocked(accountID)
	}
	return nil
}

// custodialOnly is the answer of accountDefaultWallet for an account
// that is not custodial. Callers hold s.mu.
func (s *Server) custodialOnly(a *account) *AppError {
	switch s.ln.kinds[a.id] {
	case AccountMigrated:
		return &AppError{Code: "NOT_AUTHORIZED", Message: "Account is inactive."}
	case AccountSelfCustodial:
		return &AppError{Code: "NOT_FOUND", Message: "Account does not exist for username " + a.username}
	}
	return nil
}

// SettleInvoiceAfter pays the invoice (as PayInvoice does) once d has
// passed on the server's clock: the first verify request or Tick at or
// after that time settles it.
func (s *Server) SettleInvoiceAfter(paymentHash string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln.init()
	s.ln.settleAt[strings.ToLower(paymentHash)] = s.now().Add(d)
}

// settleDue pays the invoices whose SettleInvoiceAfter time has come.
// Callers hold s.mu.
func (s *Server) settleDue() {
	now := s.now()
	for h, at := range s.ln.settleAt {
		if now.Before(at) {
			continue
		}
		delete(s.ln.settleAt, h)
		// Settled at its time, even if nobody looked until after expiry.
		if inv := s.invoices[h]; inv != nil && inv.status(at) == statusPending {
			_ = s.payInvoiceLocked(inv.request, 0, at)
			s.changed()
		}
	}
}

// ExpireInvoice ends a pending invoice unpaid: the GraphQL status says
// EXPIRED, and the LNURL server forgets it (verify answers "Not found").
func (s *Server) ExpireInvoice(paymentHash string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln.init()
	h := strings.ToLower(paymentHash)
	if inv := s.invoices[h]; inv != nil && !inv.paid {
		inv.cancelled = true
	}
	if li := s.ln.invoices[h]; li != nil {
		li.gone = true
	}
	delete(s.ln.settleAt, h)
	s.changed()
}

// WithholdPreimage makes verify answer settled:true without the preimage
// for a paid invoice, as a self-custodial settlement can for a while.
func (s *Server) WithholdPreimage(paymentHash string, withhold bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln.init()
	if li := s.ln.invoices[strings.ToLower(paymentHash)]; li != nil {
		li.hidePreimage = withhold
	}
}

// FailVerify makes the next n verify requests for the invoice (for any
// invoice when paymentHash is "") answer HTTP 200 {"status":"ERROR",
// "reason":"Internal server error"}.
func (s *Server) FailVerify(paymentHash string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln.init()
	s.ln.failVerify[strings.ToLower(paymentHash)] = n
}

// LNURLRequests returns how many requests reached the LNURL-pay server
// at path: an exact path ("/verify/<hash>") or a pattern
// ("/.well-known/lnurlp/{user}", "/lnurlp/{domain}/{user}/invoice",
// "/verify/{hash}").
func (s *Server) LNURLRequests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ln.requests[path]
}

// VerifyMaxInFlight returns the most verify requests for one invoice
// that the server was ever answering at the same time.
func (s *Server) VerifyMaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ln.maxInFlight
}

func (s *Server) countLNURL(pattern, path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln.init()
	s.ln.requests[pattern]++
	s.ln.requests[path]++
}

// lnurlMetadata is the metadata string of a user's payRequest.
func lnurlMetadata(user string) string {
	b, _ := json.Marshal([][2]string{{"text/plain", "Payment to " + user}, {"text/identifier", user + "@" + LightningAddressDomain}})
	return string(b)
}

func writeLNURL(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func lnurlError(w http.ResponseWriter, reason string) {
	writeLNURL(w, map[string]string{"status": "ERROR", "reason": reason})
}

// lnurlUser finds the account of a local part ("alice" or "alice+usd")
// and says whether it names the USD wallet. Callers hold s.mu.
func (s *Server) lnurlUser(user string) (*account, bool) {
	base, mod, hasMod := strings.Cut(strings.ToLower(user), "+")
	if hasMod && mod != "usd" {
		return nil, false
	}
	a := s.byUsername[base]
	return a, hasMod
}

// WellKnownHandler serves the lightning address domain:
// GET /.well-known/lnurlp/{user} (and {user}+usd) with the payRequest,
// an unknown user as HTTP 200 ERROR.
func (s *Server) WellKnownHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+lnurlPathWellKnown, func(w http.ResponseWriter, r *http.Request) {
		s.countLNURL(lnurlPathWellKnown, r.URL.Path)
		user := strings.ToLower(r.PathValue("user"))
		s.mu.Lock()
		a, _ := s.lnurlUser(user)
		s.mu.Unlock()
		if a == nil {
			lnurlError(w, strings.Replace(lnurlReasonUnknownUser, "%s", user, 1))
			return
		}
		writeLNURL(w, map[string]any{
			"callback":       "https://" + LNURLCallbackHost + "/lnurlp/" + LightningAddressDomain + "/" + user + "/invoice",
			"minSendable":    LNURLMinSendableMsat,
			"maxSendable":    LNURLMaxSendableMsat,
			"tag":            "payRequest",
			"metadata":       lnurlMetadata(user),
			"commentAllowed": LNURLCommentAllowed,
		})
	})
	return &datedHandler{s: s, h: mux}
}

// LNURLCallbackHandler serves the callback host: the invoice callback
// GET /lnurlp/{domain}/{user}/invoice?amount=<msat>[&comment=][&expiry=]
// and LUD-21 GET /verify/{hash}.
func (s *Server) LNURLCallbackHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+lnurlPathCallback, s.serveLNURLInvoice)
	mux.HandleFunc("GET "+lnurlPathVerify, s.serveLNURLVerify)
	return &datedHandler{s: s, h: mux}
}

type datedHandler struct {
	s *Server
	h http.Handler
}

func (d *datedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.h.ServeHTTP(&datedWriter{ResponseWriter: w, now: d.s.now}, r)
}

func (s *Server) serveLNURLInvoice(w http.ResponseWriter, r *http.Request) {
	s.countLNURL(lnurlPathCallback, r.URL.Path)
	user := strings.ToLower(r.PathValue("user"))
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	a, usd := s.lnurlUser(user)
	if a == nil || !strings.EqualFold(r.PathValue("domain"), LightningAddressDomain) {
		w.WriteHeader(http.StatusNotFound) // empty body, as Blink's server
		return
	}
	msat, err := strconv.ParseInt(q.Get("amount"), 10, 64)
	switch {
	case err != nil:
		lnurlError(w, "Invalid amount")
		return
	case msat%1000 != 0:
		lnurlError(w, "Amount must be a whole number of sats")
		return
	case msat < LNURLMinSendableMsat || msat > LNURLMaxSendableMsat:
		lnurlError(w, "Amount out of range")
		return
	}
	if c := q.Get("comment"); len([]rune(c)) > LNURLCommentAllowed {
		lnurlError(w, "Comment is too long")
		return
	}
	expiry, maxExpiry := lnurlDefaultBTCExpiry, lnurlMaxBTCExpirySecs
	if usd {
		expiry, maxExpiry = lnurlDefaultUSDExpiry, lnurlMaxUSDExpirySecs
	}
	if e := q.Get("expiry"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 1 || n > maxExpiry {
			lnurlError(w, "Invalid expiry")
			return
		}
		expiry = time.Duration(n) * time.Second
	}
	if e := s.receiveRefused(a.id); e != nil {
		lnurlError(w, e.Message)
		return
	}
	walletID := a.btcWallet
	if usd {
		walletID = a.usdWallet
	}
	now := s.now()
	if e := s.takeInvoiceRate(a, true, now); e != nil {
		lnurlError(w, e.Message)
		return
	}
	meta := lnurlMetadata(user)
	h := sha256.Sum256([]byte(meta))
	inv := &invoice{walletID: walletID, sats: msat / 1000, createdAt: now, expiresAt: now.Add(expiry), descHash: &h}
	if err := s.mint(inv); err != nil {
		lnurlError(w, lnurlReasonInternal)
		return
	}
	inv.externalID = inv.hash
	s.addInvoice(inv)
	s.ln.invoices[inv.hash] = &lnInvoice{inv: inv, metadata: meta}
	writeLNURL(w, map[string]any{
		"pr":     inv.request,
		"routes": []any{},
		"verify": "https://" + LNURLCallbackHost + "/verify/" + inv.hash,
	})
}

func (s *Server) serveLNURLVerify(w http.ResponseWriter, r *http.Request) {
	s.countLNURL(lnurlPathVerify, r.URL.Path)
	hash := strings.ToLower(r.PathValue("hash"))
	s.mu.Lock()
	s.ln.inFlight[hash]++
	s.ln.maxInFlight = max(s.ln.maxInFlight, s.ln.inFlight[hash])
	defer func() {
		s.mu.Lock()
		s.ln.inFlight[hash]--
		if s.ln.inFlight[hash] == 0 {
			delete(s.ln.inFlight, hash)
		}
		s.mu.Unlock()
	}()
	s.settleDue()
	if n := s.ln.failVerify[hash]; n > 0 {
		s.ln.failVerify[hash] = n - 1
		s.mu.Unlock()
		lnurlError(w, lnurlReasonInternal)
		return
	}
	if n := s.ln.failVerify[""]; n > 0 {
		s.ln.failVerify[""] = n - 1
		s.mu.Unlock()
		lnurlError(w, lnurlReasonInternal)
		return
	}
	li := s.ln.invoices[hash]
	if li == nil || li.gone {
		s.mu.Unlock()
		lnurlError(w, lnurlReasonNotFound)
		return
	}
	body := map[string]any{"status": "OK", "settled": li.inv.paid, "preimage": nil, "pr": li.inv.request}
	if li.inv.paid && !li.hidePreimage {
		body["preimage"] = li.inv.preimageHex()
	}
	s.mu.Unlock()
	writeLNURL(w, body)
}
