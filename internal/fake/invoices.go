package fake

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/bolt11/sign"
)

// Outcome is how paying an ExternalInvoice from a Blink wallet ends.
type Outcome int

const (
	// OutcomeSuccess settles the payment at once.
	OutcomeSuccess Outcome = iota
	// OutcomeRouteFailure fails it with ROUTE_FINDING_ERROR; nothing is
	// debited.
	OutcomeRouteFailure
	// OutcomePending leaves it PENDING until SettlePending or FailPending.
	OutcomePending
)

// Invoice statuses as the API reports them.
const (
	statusPending = "PENDING"
	statusPaid    = "PAID"
	statusExpired = "EXPIRED"
)

type invoice struct {
	hash, request string
	preimage      [32]byte
	secret        [32]byte
	walletID      string // "" for an external invoice
	sats          int64  // 0 = no amount
	msat          int64  // the BOLT11 amount when not sats*1000 (ExternalInvoiceMsat)
	cents         int64  // > 0 for invoices denominated in cents
	memo          string
	descHash      *[32]byte // the h field instead of d (descriptionHash)
	externalID    string
	webhookURL    string
	whSecret      string // signs the webhookUrl delivery (webhooks.go)
	webhookSent   bool
	createdAt     time.Time
	expiresAt     time.Time
	paid          bool
	cancelled     bool

	// Outside invoices (ExternalInvoice) only.
	external bool
	outcome  Outcome
	// inFlight is set while a payment to an external invoice is pending;
	// payer is the paying wallet.
	inFlight bool
	payer    string
}

func (inv *invoice) status(now time.Time) string {
	switch {
	case inv.paid:
		return statusPaid
	case inv.cancelled || !now.Before(inv.expiresAt):
		return statusExpired
	}
	return statusPending
}

func (inv *invoice) preimageHex() string { return hexString(inv.preimage[:]) }
func (inv *invoice) secretHex() string   { return hexString(inv.secret[:]) }

// Invoice expiry rules of the real server (invoice-expiration.ts).
const (
	btcMinExpiry          = time.Minute
	btcMaxExpiry          = 24 * time.Hour
	btcDefaultExpiry      = 4 * time.Hour
	btcDefaultNoAmountExp = 2 * time.Hour
	usdMinExpiry          = time.Minute
	usdMaxExpiry          = 5 * time.Minute
	usdDefaultExpiry      = 5 * time.Minute
)

// MaxAmount is the largest SatAmount or CentAmount the API accepts.
const MaxAmount = 10_000_000_000_000

// MaxMemoBytes is the longest memo, in bytes of UTF-8.
const MaxMemoBytes = 639

// The scalar checks of the hot paths, hand-written: the regexps they
// match exactly (see TestMatchersAgreeWithRegexps) cost microseconds a
// call on a payment request.
var (
	// uuidRe is `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`.
	uuidRe = matcher(isUUID)
	// externalIDRe is `^[a-z0-9_-]{1,100}$`.
	externalIDRe = matcher(func(s string) bool {
		return len(s) >= 1 && len(s) <= 100 && allBytes(s, func(c byte) bool {
			return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-'
		})
	})
	// hashRe is `^[0-9a-fA-F]{64}$`.
	hashRe = matcher(func(s string) bool { return len(s) == 64 && allBytes(s, isHexDigit) })
	// lnRequestRe is `(?i)^ln[a-z0-9]+$`; (?i) also folds the Kelvin
	// sign and the long s into k and s, so text that is not ASCII goes to
	// the regexp.
	lnRequestRe = matcher(func(s string) bool {
		if !allBytes(s, func(c byte) bool { return c < utf8.RuneSelf }) {
			return lnRequestRegexp.MatchString(s)
		}
		return len(s) > 2 && (s[0] == 'l' || s[0] == 'L') && (s[1] == 'n' || s[1] == 'N') && allBytes(s[2:], func(c byte) bool {
			return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		})
	})
	lnRequestRegexp = regexp.MustCompile(`(?i)^ln[a-z0-9]+$`)
)

// matcher is a hand-written regexp.
type matcher func(string) bool

func (m matcher) MatchString(s string) bool { return m(s) }

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !isHexDigit(s[i]) {
				return false
			}
		}
	}
	return true
}

// invoiceKind says how an invoice is denominated.
type invoiceKind int

const (
	kindSats invoiceKind = iota
	kindCents
	kindNoAmount
)

type invoiceRequest struct {
	walletID     string
	callerID     string // the key's account; "" for on-behalf-of-recipient
	forRecipient bool
	kind         invoiceKind
	usdWallet    bool // the mutation is for a USD wallet (lnUsdInvoice*)
	amount       int64
	expiresIn    *int64
	externalID   *string
	memo         *string
	descHash     *string // Hex32Bytes, on-behalf-of-recipient only
	webhookURL   *string
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// checkWalletID validates the WalletId scalar.
func checkWalletID(id string) *AppError {
	if !uuidRe.MatchString(id) {
		return validationError("Invalid value for WalletId")
	}
	return nil
}

// checkMemo validates the Memo scalar.
func checkMemo(m *string) *AppError {
	if m != nil && len(*m) > MaxMemoBytes {
		return validationError("Memo is too long")
	}
	return nil
}

// checkHex32 validates the Hex32Bytes scalar: lower-case hex of 32 bytes
// (core/api/src/graphql/public/types/scalar/hex32bytes.ts: a value that
// does not survive a hex round trip, upper case included, is not hex).
func checkHex32(h *string) (*[32]byte, *AppError) {
	if h == nil {
		return nil, nil
	}
	b, err := hex.DecodeString(*h)
	if err != nil || hex.EncodeToString(b) != *h {
		return nil, validationError("Hex32Bytes is not valid hex")
	}
	if len(b) != 32 {
		return nil, validationError("Hex32Bytes is not 32 bytes")
	}
	var out [32]byte
	copy(out[:], b)
	return &out, nil
}

// checkAmountScalar validates a SatAmount or CentAmount scalar.
func checkAmountScalar(n int64, scalar string) *AppError {
	if n < 0 {
		return validationError("Invalid value for " + scalar)
	}
	if n > MaxAmount {
		return validationError("Value too big for " + scalar)
	}
	return nil
}

// createInvoice creates an invoice with the real server's validation order.
func (s *Server) createInvoice(r invoiceRequest) (*invoice, *AppError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := checkWalletID(r.walletID); e != nil {
		return nil, e
	}
	if r.kind != kindNoAmount {
		scalar := "SatAmount"
		if r.kind == kindCents {
			scalar = "CentAmount"
		}
		if e := checkAmountScalar(r.amount, scalar); e != nil {
			return nil, e
		}
	}
	if e := checkMemo(r.memo); e != nil {
		return nil, e
	}
	descHash, e := checkHex32(r.descHash)
	if e != nil {
		return nil, e
	}
	if r.externalID != nil && !externalIDRe.MatchString(*r.externalID) {
		return nil, validationError(errInvalidExternalID.Message)
	}
	var w *wallet
	if r.forRecipient {
		w = s.wallets[r.walletID]
		if w == nil {
			return nil, unexpected("CouldNotFindWalletFromIdError")
		}
	} else {
		var ok bool
		if w, ok = s.walletOf(r.callerID, r.walletID); !ok {
			return nil, errInvalidWalletForAccount
		}
	}
	if e := s.receiveRefused(w.accountID); e != nil {
		return nil, e
	}
	now := s.now()
	var expiry time.Duration
	isUSD := w.currency == "USD"
	if r.expiresIn != nil && *r.expiresIn < 0 {
		return nil, unexpected(fmt.Sprintf("InvalidMinutesError: Invalid value for minutes: %d", *r.expiresIn))
	}
	switch {
	case r.expiresIn != nil && *r.expiresIn > 0:
		expiry = time.Duration(*r.expiresIn) * time.Minute
	case r.kind == kindNoAmount && isUSD:
		expiry = usdDefaultExpiry
	case r.kind == kindNoAmount:
		expiry = btcDefaultNoAmountExp
	case r.usdWallet:
		expiry = usdDefaultExpiry
	default:
		expiry = btcDefaultExpiry
	}
	if r.kind != kindNoAmount {
		if r.usdWallet != isUSD {
			return nil, errMismatchedCurrency
		}
		if r.amount == 0 {
			if r.kind == kindCents {
				return nil, errInvalidCents
			}
			return nil, errInvalidSats
		}
	}
	if e := s.receiveBlocked(w.accountID); e != nil { // resolve_settings.go
		return nil, e
	}
	if e := s.takeInvoiceRate(s.accounts[w.accountID], r.forRecipient, now); e != nil {
		return nil, e
	}
	if isUSD {
		if expiry < usdMinExpiry || expiry > usdMaxExpiry {
			expiry = usdDefaultExpiry
		}
	} else if expiry < btcMinExpiry || expiry > btcMaxExpiry {
		expiry = btcDefaultExpiry
	}

	inv := &invoice{walletID: w.id, createdAt: now, expiresAt: now.Add(expiry)}
	switch r.kind {
	case kindSats:
		inv.sats = r.amount
	case kindCents:
		inv.cents = r.amount
		inv.sats = s.satsForCents(r.amount)
	}
	if r.memo != nil {
		inv.memo = *r.memo
	}
	inv.descHash = descHash
	if r.webhookURL != nil && *r.webhookURL != "" {
		// Blink registers the URL as the endpoint of the invoice's own Svix
		// application (core/api/src/app/wallets/add-invoice-for-wallet.ts:384-393):
		// Svix's URL rules apply, and a refusal fails the creation.
		if e := s.checkCallbackURL(*r.webhookURL); e != nil {
			return nil, e
		}
		inv.webhookURL = *r.webhookURL
		inv.whSecret = newWebhookSecret()
	}
	if err := s.mint(inv); err != nil {
		return nil, &AppError{Code: "UNKNOWN_CLIENT_ERROR", Message: err.Error()}
	}
	inv.externalID = inv.hash
	if r.externalID != nil {
		inv.externalID = *r.externalID
	}
	if s.externalIDTaken(w.accountID, inv.externalID) {
		return nil, errDuplicateExternalID
	}
	s.addInvoice(inv)
	if inv.webhookURL != "" {
		s.wh.pendingInv = append(s.wh.pendingInv, inv)
		s.startScheduler()
	}
	return inv, nil
}

// extIDKey identifies an external id in an account.
type extIDKey struct{ accountID, externalID string }

// addInvoice stores a new invoice and indexes it by payment hash, payment
// request and, for an invoice of a Blink wallet, its account's external
// id. Callers hold s.mu.
func (s *Server) addInvoice(inv *invoice) {
	s.invoices[inv.hash] = inv
	s.byRequest[inv.request] = inv
	if !inv.external {
		s.externalIDs[extIDKey{s.wallets[inv.walletID].accountID, inv.externalID}] = struct{}{}
	}
}

// externalIDTaken reports whether an invoice of the account already uses
// the external id (its own or, by default, its payment hash): as on the
// real server, an external id is unique per account. The ledger needs no
// separate check: in the fake, the only transactions with an external id
// are the RECEIVE entries of the account's invoices, which carry the
// invoice's. Callers hold s.mu.
func (s *Server) externalIDTaken(accountID, id string) bool {
	_, ok := s.externalIDs[extIDKey{accountID, id}]
	return ok
}

// takeInvoiceRate applies the invoice creation rate limit: InvoiceRateLimit
// a minute, then blocked five minutes. Callers hold s.mu.
func (s *Server) takeInvoiceRate(a *account, forRecipient bool, now time.Time) *AppError {
	rl := &a.selfRate
	if forRecipient {
		rl = &a.recipientRate
	}
	if !rl.take(now, time.Minute, s.cfg.InvoiceRateLimit, 5*time.Minute) {
		return errTooManyInvoices
	}
	return nil
}

// mint fills in the preimage, hash, secret and BOLT11 string of inv,
// signed by the fake's node or, for an external invoice, the outside node. Callers hold s.mu.
func (s *Server) mint(inv *invoice) error {
	copy(inv.preimage[:], randomBytes(32))
	copy(inv.secret[:], randomBytes(32))
	hash := sha256.Sum256(inv.preimage[:])
	inv.hash = hexString(hash[:])
	signer := s.nodeKey
	if inv.external {
		signer = s.externalKey
	}
	msat := inv.msat
	if msat == 0 {
		msat = inv.sats * 1000
	}
	pr, err := sign.Encode(sign.Params{
		Network:         s.bolt11Network(),
		AmountMsat:      msat,
		PaymentHash:     hash,
		PaymentSecret:   inv.secret,
		Description:     inv.memo,
		DescriptionHash: inv.descHash,
		Expiry:          inv.expiresAt.Sub(inv.createdAt).Truncate(time.Second),
		Timestamp:       inv.createdAt,
	}, signer)
	if err != nil {
		return err
	}
	inv.request = pr
	return nil
}

// ExternalInvoice returns a BOLT11 invoice of a node outside Blink for
// amountSats (0 = no amount); paying it from a Blink wallet ends per outcome.
func (s *Server) ExternalInvoice(amountSats int64, outcome Outcome) string {
	return s.ExternalInvoiceMsat(amountSats*1000, outcome)
}

// ExternalInvoiceMsat is ExternalInvoice for an amount in millisatoshis,
// which need not be a whole number of sats (0 = no amount). Blink pays such
// an invoice as its amount rounded up to whole sats.
func (s *Server) ExternalInvoiceMsat(amountMsat int64, outcome Outcome) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	inv := &invoice{
		sats: (amountMsat + 999) / 1000, msat: amountMsat,
		createdAt: now, expiresAt: now.Add(time.Hour), external: true, outcome: outcome,
	}
	if err := s.mint(inv); err != nil {
		panic("blinktest: " + err.Error())
	}
	s.addInvoice(inv)
	return inv.request
}

// lookupRequest decodes a payment request and finds the invoice it is for.
// An invoice the fake does not know (a valid BOLT11 of someone else) is
// reported with a nil invoice and a nil error. Callers hold s.mu.
func (s *Server) lookupRequest(pr string) (*bolt11.Invoice, *invoice, *AppError) {
	dec, err := bolt11.Decode(pr)
	if err != nil {
		switch {
		case errors.Is(err, bolt11.ErrChecksum):
			return nil, nil, &AppError{Code: "INVOICE_DECODE_ERROR", Message: "Invoice has an invalid checksum, please check again"}
		default:
			return nil, nil, errInvoiceDecode
		}
	}
	return dec, s.invoices[dec.PaymentHash], nil
}

// PayInvoice pays one of the fake's invoices from outside Blink, as a remote
// lightning node would. A no-amount invoice needs PayInvoiceAmount.
func (s *Server) PayInvoice(paymentRequest string) error {
	return s.PayInvoiceAmount(paymentRequest, 0)
}

// PayInvoiceAmount pays one of the fake's invoices from outside Blink;
// amountSats is used only for a no-amount invoice, where it is required.
func (s *Server) PayInvoiceAmount(paymentRequest string, amountSats int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.payInvoiceLocked(paymentRequest, amountSats, s.now())
}

// payInvoiceLocked is PayInvoiceAmount for callers that hold s.mu, for a
// payment that arrived at the time at (s.now() but for a settlement due
// earlier, lnurlp.go).
func (s *Server) payInvoiceLocked(paymentRequest string, amountSats int64, at time.Time) error {
	paymentRequest = strings.TrimPrefix(strings.TrimPrefix(paymentRequest, "lightning:"), "LIGHTNING:")
	_, inv, e := s.lookupRequest(paymentRequest)
	if e != nil {
		return e
	}
	if inv == nil || inv.external {
		return errors.New("blinktest: not an invoice of a Blink wallet")
	}
	switch inv.status(at) {
	case statusPaid:
		return errors.New("blinktest: invoice already paid")
	case statusExpired:
		return errors.New("blinktest: invoice expired or cancelled")
	}
	sats := inv.sats
	if sats == 0 {
		if amountSats <= 0 {
			return errors.New("blinktest: a no-amount invoice needs an amount")
		}
		sats = amountSats
	}
	w := s.wallets[inv.walletID]
	credit := sats
	if w.currency == "USD" {
		credit = inv.cents
		if credit == 0 {
			credit = s.centsReceived(sats)
		}
	}
	inv.paid = true
	w.balance += credit
	s.record(&Transaction{
		WalletID: w.id, Direction: "RECEIVE", Status: "SUCCESS", Amount: credit,
		Via: "lightning", SettledVia: "lightning", PaymentHash: inv.hash, PaymentRequest: inv.request,
		Preimage: inv.preimageHex(), Memo: inv.memo, ExternalID: inv.externalID,
	})
	s.invoiceWebhook(inv)
	return nil
}

// cancelInvoice cancels a pending invoice of the caller's wallet.
func (s *Server) cancelInvoice(callerID, walletID, hash string) *AppError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := checkWalletID(walletID); e != nil {
		return e
	}
	if !hashRe.MatchString(hash) {
		return validationError("Invalid value for PaymentHash")
	}
	if _, ok := s.walletOf(callerID, walletID); !ok {
		return errInvalidWalletForAccount
	}
	hash = strings.ToLower(hash)
	inv := s.invoices[hash]
	if inv == nil || inv.walletID != walletID {
		return &AppError{Code: "LIGHTNING_PAYMENT_ERROR", Message: "User tried to pay invoice with hash " + hash + ", but it does not exist"}
	}
	if inv.status(s.now()) != statusPending {
		return inputError("The invoice has already been processed")
	}
	inv.cancelled = true
	s.changed()
	return nil
}
