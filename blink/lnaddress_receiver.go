package blink

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/redact"
)

// ReceivePath is how an AddressReceiver makes invoices for its address.
type ReceivePath string

const (
	// ReceiveCustodial: the address is a custodial Blink account; invoices
	// are created on its behalf through the public GraphQL API
	// (lnInvoiceCreateOnBehalfOfRecipient) and waited for with
	// WaitForInvoice.
	ReceiveCustodial ReceivePath = "custodial"
	// ReceiveLNURL: invoices come from the address's LNURL-pay server
	// (LUD-06, LUD-16) and are checked with LUD-21 verify. It works for
	// every account, custodial, migrated or self-custodial.
	ReceiveLNURL ReceivePath = "lnurl"
)

// AddressReceiverOptions tunes an AddressReceiver. The zero value is ready
// to use.
type AddressReceiverOptions struct {
	// HTTPClient sends the LNURL-pay requests; default a client of the
	// receiver's own with timeouts. It is never the Client's: no API key
	// travels to an LNURL host. Redirects are never followed.
	HTTPClient *http.Client
	// AllowLoopbackHTTP accepts callback and verify URLs on a loopback
	// host (127.0.0.1, ::1, localhost) over plain http, for tests. By
	// default they must be https on the address's domain or a subdomain.
	AllowLoopbackHTTP bool
	// Timeout bounds each LNURL-pay request; default 10s.
	Timeout time.Duration
	// Path forces a path instead of resolving: ReceiveLNURL never asks
	// GraphQL; ReceiveCustodial fails where the account is not custodial.
	Path ReceivePath
	// NotFoundConfirmations is how many "Not found" answers in a row make
	// an invoice not found; default 3. Fewer are transient.
	NotFoundConfirmations int
	// ExpiryGrace is how long after an invoice's expiry Wait keeps
	// checking for a late settlement; default 2 minutes.
	ExpiryGrace time.Duration
	// PollFloor is the interval of the first 3 minutes of an invoice's
	// life; default DefaultPollFloor (3s). Then 10s, and 30s after 15
	// minutes, each with jitter (MaxPollInterval caps them).
	PollFloor time.Duration
	// MaxPollInterval caps the interval stepped by age; default 30s.
	MaxPollInterval time.Duration
	// MaxBackoff caps the backoff after transient answers; default 2
	// minutes. A Retry-After (up to an hour) is honoured above it.
	MaxBackoff time.Duration
}

// AddressReceiver receives to one lightning address without an API key.
// Create one with Client.AddressReceiver; it is safe for concurrent use.
type AddressReceiver struct {
	c     *Client
	addr  LightningAddress // Domain "" until a bare username's is known
	opts  AddressReceiverOptions
	hc    *http.Client
	clock rxClock

	mu       sync.Mutex
	resolved *AddressResolution // a decision that holds (Final)
	domain   string             // the server's lightning address domain, once known
}

// AddressResolution says how an AddressReceiver receives.
type AddressResolution struct {
	// Path is ReceiveCustodial or ReceiveLNURL.
	Path ReceivePath
	// WalletID is the receiving wallet, on the custodial path.
	WalletID string
	// Reason says why, in a few words (the GraphQL answer, for LNURL).
	Reason string
	// Final is true when the decision is kept for later calls: a
	// non-empty wallet id of the currency asked for, exactly "Account is
	// inactive." (migrated), a message starting "Account does not exist
	// for username" (never custodial), or an address outside Blink. Any
	// other answer or failure of the look-up (a transport error, a 5xx,
	// another message, a near miss of those) uses LNURL-pay for this call
	// only and is asked again next time.
	Final bool
}

// AddressReceiver returns a receiver for a lightning address
// ("shop@blink.sv", "shop+usd@blink.sv", or a bare username on the
// server's domain). It sends nothing; the client needs no key, and its key,
// if any, is only ever sent to the GraphQL endpoint. A malformed address
// is refused with ErrInvalidInput.
func (c *Client) AddressReceiver(address string, opts *AddressReceiverOptions) (*AddressReceiver, error) {
	var o AddressReceiverOptions
	if opts != nil {
		o = *opts
	}
	switch o.Path {
	case "", ReceiveCustodial, ReceiveLNURL:
	default:
		return nil, invalidInput("AddressReceiver", "unknown receive path %q", truncate(string(o.Path), 20))
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.NotFoundConfirmations <= 0 {
		o.NotFoundConfirmations = 3
	}
	if o.ExpiryGrace <= 0 {
		o.ExpiryGrace = 2 * time.Minute
	}
	if o.PollFloor <= 0 {
		o.PollFloor = DefaultPollFloor
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = 30 * time.Second
	}
	o.MaxPollInterval = max(o.MaxPollInterval, o.PollFloor)
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Minute
	}
	var a LightningAddress
	var err error
	if strings.Contains(address, "@") {
		a, err = ParseLightningAddress(address)
	} else {
		a, err = parseLightningAddress(address, "domain.invalid")
		a.Domain = ""
	}
	if err != nil {
		return nil, err
	}
	r := &AddressReceiver{c: c, addr: a, opts: o, clock: realClock{}}
	if o.HTTPClient != nil {
		hc := *o.HTTPClient // a copy: the caller's is left as it is
		r.hc = &hc
	} else {
		r.hc = lnurlHTTPClient()
	}
	r.hc.CheckRedirect = noRedirect
	return r, nil
}

// Address returns the receiver's address (its domain is empty until the
// first call for a bare username).
func (r *AddressReceiver) Address() LightningAddress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addr
}

func (r *AddressReceiver) now() time.Time { return r.clock.Now() }

// serverDomain returns the server's lightning address domain, asked once.
func (r *AddressReceiver) serverDomain(ctx context.Context) (string, error) {
	r.mu.Lock()
	d := r.domain
	r.mu.Unlock()
	if d != "" {
		return d, nil
	}
	d, err := r.c.addressDomain(ctx)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	r.domain = d
	if r.addr.Domain == "" {
		r.addr.Domain = d
	}
	r.mu.Unlock()
	return d, nil
}

// address returns the address with its domain known.
func (r *AddressReceiver) address(ctx context.Context) (LightningAddress, error) {
	r.mu.Lock()
	a := r.addr
	r.mu.Unlock()
	if a.Domain != "" {
		return a, nil
	}
	if _, err := r.serverDomain(ctx); err != nil {
		return LightningAddress{}, err
	}
	return r.Address(), nil
}

// Resolve decides how the address receives, without a key: a Blink
// address asks accountDefaultWallet(username) (a wallet id: custodial;
// "Account is inactive." or "does not exist": LNURL-pay); an address on
// another domain is LNURL-pay at once. Final decisions are kept; any
// other failure of the look-up gives LNURL-pay for this call only.
// With Path set it decides nothing and sends nothing for ReceiveLNURL;
// ReceiveCustodial returns an error matching ErrNotFound when the
// account is not custodial.
func (r *AddressReceiver) Resolve(ctx context.Context) (*AddressResolution, error) {
	res, err := r.resolve(ctx)
	if err != nil {
		return nil, err
	}
	if r.opts.Path == ReceiveCustodial && res.Path != ReceiveCustodial {
		return nil, &Error{Operation: "AddressReceiver.Resolve", Message: "the address is not a custodial Blink account: " + res.Reason, sentinel: ErrNotFound}
	}
	cp := *res
	return &cp, nil
}

func (r *AddressReceiver) resolve(ctx context.Context) (*AddressResolution, error) {
	a, err := r.address(ctx)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.resolved != nil {
		res := r.resolved
		r.mu.Unlock()
		return res, nil
	}
	r.mu.Unlock()
	keep := func(res *AddressResolution) (*AddressResolution, error) {
		if res.Final {
			r.mu.Lock()
			r.resolved = res
			r.mu.Unlock()
		}
		return res, nil
	}
	if r.opts.Path == ReceiveLNURL {
		return keep(&AddressResolution{Path: ReceiveLNURL, Reason: "LNURL-pay chosen by the options", Final: true})
	}
	d, err := r.serverDomain(ctx)
	if err != nil {
		return &AddressResolution{Path: ReceiveLNURL, Reason: "the server's address domain is unknown (" + errText(err) + ")"}, nil
	}
	if a.Domain != d {
		return keep(&AddressResolution{Path: ReceiveLNURL, Reason: "not an address on " + d, Final: true})
	}
	cur := BTC
	if a.USD() {
		cur = USD
	}
	w, err := r.c.AccountDefaultWallet(ctx, a.Username(), cur)
	switch {
	case err == nil && w.ID != "" && w.Currency == cur:
		return keep(&AddressResolution{Path: ReceiveCustodial, WalletID: w.ID, Reason: "custodial account", Final: true})
	case err == nil:
		// Not the wallet asked for: decide nothing for good.
		return &AddressResolution{Path: ReceiveLNURL, Reason: "accountDefaultWallet answered a " + truncateUTF8(string(w.Currency), 10) + " wallet, not " + string(cur)}, nil
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	msg := errText(err)
	var e *Error
	switch {
	case errors.As(err, &e) && isFinalAccountAnswer(e):
		return keep(&AddressResolution{Path: ReceiveLNURL, Reason: truncateUTF8(e.Message, 120), Final: true})
	case errors.As(err, &e) && e.HTTPStatus == 0 && errors.Is(err, ErrInvalidInput):
		// A local part Blink usernames cannot have (a dot, a hyphen).
		return keep(&AddressResolution{Path: ReceiveLNURL, Reason: "not a Blink username", Final: true})
	}
	return &AddressResolution{Path: ReceiveLNURL, Reason: "accountDefaultWallet failed: " + truncateUTF8(msg, 120)}, nil
}

// isFinalAccountAnswer reports whether an error of accountDefaultWallet
// is one of the answers that say for good the account receives only by
// LNURL-pay: "Account does not exist for username X" (never custodial)
// or exactly "Account is inactive." (migrated). Anything else, a near
// miss included, may be a glitch or a schema change and is not kept.
func isFinalAccountAnswer(e *Error) bool {
	if e.HTTPStatus != http.StatusOK && e.HTTPStatus != 0 {
		return false
	}
	if len(e.Path) > 0 && e.Path[0] != "accountDefaultWallet" {
		return false
	}
	return strings.HasPrefix(e.Message, "Account does not exist for username") || e.Message == "Account is inactive."
}

// isLNURLStatus reports whether an LNURL answer's status is want ("OK",
// "ERROR"), ignoring case and surrounding white space.
func isLNURLStatus(status, want string) bool {
	return strings.EqualFold(strings.TrimSpace(status), want)
}

func errText(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// AddressInvoiceOptions are the optional settings of an invoice made by an
// AddressReceiver.
type AddressInvoiceOptions struct {
	// Comment is the payer-visible note: the LNURL-pay comment (at most
	// the server's commentAllowed, 255 on Blink), or the memo on the
	// custodial path.
	Comment string
	// Expiry is how long the invoice can be paid; 0 is the server's
	// default. LNURL-pay takes whole seconds (Blink: up to 24 hours for
	// BTC, 5 minutes for USD); the custodial path rounds up to minutes.
	Expiry time.Duration
}

// AddressInvoice is an invoice made by an AddressReceiver, checked.
type AddressInvoice struct {
	// PaymentRequest is the BOLT11 invoice to show the payer. Show it,
	// not the LNURL: a Blink app pays an LNURL of a Blink user inside
	// Blink, bypassing the invoice.
	PaymentRequest string
	// PaymentHash identifies the payment; every check keys on it.
	PaymentHash string
	// Amount is what the invoice asks.
	Amount Sats
	// Path says how it was made.
	Path ReceivePath
	// Address is the receiving lightning address.
	Address string
	// VerifyURL is the LUD-21 verify URL, on the LNURL path.
	VerifyURL string
	// WalletID is the receiving wallet, on the custodial path.
	WalletID string
	// CreatedAt and ExpiresAt come from the invoice itself.
	CreatedAt, ExpiresAt time.Time

	notFound atomic.Int32 // "Not found" answers in a row
}

// CreateInvoice makes an invoice of amount sats to the address, by the
// resolved path: on behalf of the custodial account (mutation
// lnInvoiceCreateOnBehalfOfRecipient, or the USD wallet's for "+usd"), or
// from its LNURL-pay server (GET the well-known URL, then the callback).
//
// Nothing the servers return is trusted: the invoice must ask exactly the
// amount (ErrAmountMismatch), be for the server's network
// (ErrWrongNetwork), commit to the metadata (ErrDescriptionHashMismatch),
// have a verify URL named after its payment hash (ErrVerifyURLMismatch),
// and the callback and verify URLs must be https inside the address's
// domain (ErrUntrustedURL). An unknown address is ErrAddressNotFound, a
// wound-down account ErrReceiveDisabled with the server's message, any
// other refusal ErrLNURLServer.
func (r *AddressReceiver) CreateInvoice(ctx context.Context, amount Sats, opts *AddressInvoiceOptions) (*AddressInvoice, error) {
	const op = "AddressReceiver.CreateInvoice"
	var o AddressInvoiceOptions
	if opts != nil {
		o = *opts
	}
	if amount <= 0 {
		return nil, invalidInput(op, "the amount must be at least 1 sat")
	}
	if o.Expiry < 0 {
		return nil, invalidInput(op, "the expiry must not be negative")
	}
	res, err := r.Resolve(ctx)
	if err != nil {
		return nil, err
	}
	if res.Path == ReceiveCustodial {
		return r.createCustodial(ctx, op, res, amount, o)
	}
	return r.createLNURL(ctx, op, amount, o)
}

func (r *AddressReceiver) createCustodial(ctx context.Context, op string, res *AddressResolution, amount Sats, o AddressInvoiceOptions) (*AddressInvoice, error) {
	a := r.Address()
	ro := &RecipientInvoiceOptions{InvoiceOptions: InvoiceOptions{Memo: o.Comment}}
	if o.Expiry > 0 {
		ro.ExpiresIn = (o.Expiry + time.Minute - 1).Truncate(time.Minute)
	}
	var inv *Invoice
	var err error
	if a.USD() {
		inv, err = r.c.CreateUSDInvoiceForRecipientInSats(ctx, RecipientWallet(res.WalletID), amount, ro)
	} else {
		inv, err = r.c.CreateInvoiceForRecipient(ctx, RecipientWallet(res.WalletID), amount, ro)
	}
	if err != nil {
		return nil, err
	}
	dec, err := bolt11.Decode(stripLightningPrefix(inv.PaymentRequest))
	if err != nil {
		return nil, &Error{Operation: op, Message: "the server's invoice does not decode", sentinel: ErrServer, cause: err}
	}
	if !dec.HasAmount || dec.AmountMsat != int64(amount)*1000 {
		return nil, &Error{Operation: op, Message: "the invoice asks " + strconv.FormatInt(dec.AmountMsat, 10) + " msat, not the " + strconv.FormatInt(int64(amount)*1000, 10) + " requested", sentinel: ErrAmountMismatch}
	}
	want, err := r.c.Network(ctx)
	if err != nil {
		return nil, err
	}
	if string(dec.Network) != want {
		return nil, &Error{Operation: op, Message: "the invoice is for " + string(dec.Network) + ", the server serves " + want, sentinel: ErrWrongNetwork}
	}
	return &AddressInvoice{
		PaymentRequest: inv.PaymentRequest, PaymentHash: dec.PaymentHash, Amount: amount,
		Path: ReceiveCustodial, Address: a.String(), WalletID: res.WalletID,
		CreatedAt: dec.Timestamp, ExpiresAt: dec.ExpiresAt(),
	}, nil
}

func (r *AddressReceiver) createLNURL(ctx context.Context, op string, amount Sats, o AddressInvoiceOptions) (*AddressInvoice, error) {
	a := r.Address()
	pay, err := r.lnurlGet(ctx, op, a.WellKnownURL())
	if err != nil {
		return nil, err
	}
	if isLNURLStatus(pay.Status, "ERROR") {
		return nil, lnurlRefusal(op, pay)
	}
	if pay.Tag != "payRequest" || pay.Metadata == "" || pay.Callback == "" {
		return nil, &Error{Operation: op, Message: "the address's answer is not an LNURL-pay request", sentinel: ErrLNURLServer}
	}
	cb, err := r.trustedURL(op, "callback", pay.Callback)
	if err != nil {
		return nil, err
	}
	msat := int64(amount) * 1000
	if msat < pay.MinSendable || msat > pay.MaxSendable {
		return nil, invalidInput(op, "%d sats is outside what the address accepts (%d to %d msat)", amount, pay.MinSendable, pay.MaxSendable)
	}
	if n := len([]rune(o.Comment)); n > pay.CommentAllowed {
		return nil, invalidInput(op, "the comment is %d characters; the address accepts %d", n, pay.CommentAllowed)
	}
	if o.Expiry%time.Second != 0 {
		return nil, invalidInput(op, "the expiry must be a whole number of seconds")
	}
	q := cb.Query()
	q.Set("amount", strconv.FormatInt(msat, 10))
	if o.Comment != "" {
		q.Set("comment", o.Comment)
	}
	if o.Expiry > 0 {
		q.Set("expiry", strconv.FormatInt(int64(o.Expiry/time.Second), 10))
	}
	cb.RawQuery = q.Encode()
	ans, err := r.lnurlGet(ctx, op, cb.String())
	if err != nil {
		return nil, err
	}
	if isLNURLStatus(ans.Status, "ERROR") {
		return nil, lnurlRefusal(op, ans)
	}
	dec, vu, err := r.checkLNURLInvoice(ctx, op, ans, pay.Metadata, msat, o.Expiry)
	if err != nil {
		return nil, err
	}
	return &AddressInvoice{
		PaymentRequest: stripLightningPrefix(ans.PR), PaymentHash: dec.PaymentHash, Amount: amount,
		Path: ReceiveLNURL, Address: a.String(), VerifyURL: vu.String(),
		CreatedAt: dec.Timestamp, ExpiresAt: dec.ExpiresAt(),
	}, nil
}

// ReceiveState is what one check learnt about an invoice.
type ReceiveState int

const (
	// ReceivePending: not paid yet, not expired.
	ReceivePending ReceiveState = iota
	// ReceivePaid: paid, proven by a preimage whose sha256 is the
	// payment hash.
	ReceivePaid
	// ReceiveSettledWithoutPreimage: the server says settled but gave no
	// preimage (or one that proves nothing): not paid yet; check again.
	ReceiveSettledWithoutPreimage
	// ReceiveExpired: unpaid past its expiry.
	ReceiveExpired
	// ReceiveNotFound: the server said it does not know the invoice
	// NotFoundConfirmations times in a row.
	ReceiveNotFound
	// ReceiveTransient: the check failed (any other ERROR reason, a
	// single "Not found", 5xx, 429, a timeout): nothing is known; Err
	// says why.
	ReceiveTransient
)

var receiveStateNames = [...]string{"pending", "paid", "settled without preimage", "expired", "not found", "transient"}

// String names the state.
func (s ReceiveState) String() string {
	if s >= 0 && int(s) < len(receiveStateNames) {
		return receiveStateNames[s]
	}
	return "ReceiveState(" + strconv.Itoa(int(s)) + ")"
}

// ReceiveStatus is the answer of one check.
type ReceiveStatus struct {
	// State is what the check learnt.
	State ReceiveState
	// Preimage proves the payment (64 hex digits), when State is
	// ReceivePaid.
	Preimage string
	// Reason is the server's words for a transient or unproven answer.
	Reason string
	// RetryAfter is the server's Retry-After, on a transient answer.
	RetryAfter time.Duration
	// Err is the failure behind a transient or unproven answer.
	Err error
}

// Check asks once whether the invoice is paid: GET its verify URL
// (LUD-21) on the LNURL path, the query lnInvoicePaymentStatusByPaymentRequest
// on the custodial path. Every answer of the server is a ReceiveStatus;
// the error is only for a nil invoice or ctx ending. Paid needs the
// preimage: sha256(preimage) must equal the payment hash.
//
// A verify answer means something only with status "OK" (case and
// surrounding white space ignored): then settled and preimage decide
// pending, paid or settled without preimage. "ERROR" is the server's
// refusal ("Not found" counted towards ReceiveNotFound). Any other
// answer (another status, {}, null, a proxy's {"error":...}) is
// ReceiveTransient, backing off like a 5xx. The one exception: an answer
// with no status at all, settled, with a preimage that proves the
// payment, is paid: the preimage is the proof, the status only a label.
func (r *AddressReceiver) Check(ctx context.Context, inv *AddressInvoice) (ReceiveStatus, error) {
	const op = "AddressReceiver.Check"
	if inv == nil || !isHex64(inv.PaymentHash) {
		return ReceiveStatus{}, invalidInput(op, "no invoice, or one without a payment hash")
	}
	if inv.Path == ReceiveCustodial {
		return r.checkCustodial(ctx, op, inv)
	}
	if inv.VerifyURL == "" {
		return ReceiveStatus{}, invalidInput(op, "the invoice has no verify URL")
	}
	a, err := r.lnurlGet(ctx, op, inv.VerifyURL)
	if err != nil {
		if ctx.Err() != nil {
			return ReceiveStatus{}, ctx.Err()
		}
		st := ReceiveStatus{State: ReceiveTransient, Reason: errText(err), Err: err}
		var e *Error
		if errors.As(err, &e) {
			st.RetryAfter = time.Duration(e.RetryAfter) * time.Second
		}
		return st, nil
	}
	switch {
	case isLNURLStatus(a.Status, "ERROR"):
		return r.notFoundOr(inv, strings.TrimSpace(a.Reason) == "Not found", lnurlRefusal(op, a)), nil
	case isLNURLStatus(a.Status, "OK"),
		a.Status == "" && a.Settled && a.Preimage != nil && preimageProves(*a.Preimage, inv.PaymentHash):
		inv.notFound.Store(0)
		return r.settled(op, inv, a.Settled, a.Preimage), nil
	}
	// Not an LUD-21 answer (a proxy's {"error":...}, {}, null, another
	// status): nothing is known, and the "Not found" count is left as is.
	err = &Error{Operation: op, Message: "the verify answer's status is not OK: " + redact.Quote(truncateUTF8(a.Status, 20), 20), HTTPStatus: http.StatusOK, sentinel: ErrLNURLServer}
	return ReceiveStatus{State: ReceiveTransient, Reason: errText(err), Err: err}, nil
}

// notFoundOr counts a "Not found": ReceiveNotFound once confirmed, else
// (or for another failure) transient; past expiry, expired.
func (r *AddressReceiver) notFoundOr(inv *AddressInvoice, notFound bool, err error) ReceiveStatus {
	st := ReceiveStatus{State: ReceiveTransient, Reason: errText(err), Err: err}
	if !notFound {
		inv.notFound.Store(0)
		return st
	}
	if !r.now().Before(inv.ExpiresAt) {
		return ReceiveStatus{State: ReceiveExpired, Reason: st.Reason}
	}
	if n := inv.notFound.Add(1); int(n) >= r.opts.NotFoundConfirmations {
		st.State = ReceiveNotFound
	} else {
		st.Reason += " (" + strconv.Itoa(int(n)) + " of " + strconv.Itoa(r.opts.NotFoundConfirmations) + " to confirm)"
	}
	return st
}

func (r *AddressReceiver) settled(op string, inv *AddressInvoice, settled bool, preimage *string) ReceiveStatus {
	switch {
	case settled && preimage != nil && preimageProves(*preimage, inv.PaymentHash):
		return ReceiveStatus{State: ReceivePaid, Preimage: strings.ToLower(*preimage)}
	case settled && (preimage == nil || *preimage == ""):
		return ReceiveStatus{State: ReceiveSettledWithoutPreimage, Reason: "settled without a preimage"}
	case settled:
		return ReceiveStatus{State: ReceiveSettledWithoutPreimage, Reason: "settled with a preimage that does not prove it",
			Err: &Error{Operation: op, Message: "the server's preimage does not hash to the payment hash", sentinel: ErrPreimageMismatch}}
	case !r.now().Before(inv.ExpiresAt):
		return ReceiveStatus{State: ReceiveExpired}
	}
	return ReceiveStatus{State: ReceivePending}
}

func (r *AddressReceiver) checkCustodial(ctx context.Context, op string, inv *AddressInvoice) (ReceiveStatus, error) {
	st, err := r.c.InvoiceStatusByPaymentRequest(ctx, inv.PaymentRequest)
	if err != nil {
		if ctx.Err() != nil {
			return ReceiveStatus{}, ctx.Err()
		}
		s := r.notFoundOr(inv, errors.Is(err, ErrNotFound), err)
		var e *Error
		if errors.As(err, &e) {
			s.RetryAfter = time.Duration(e.RetryAfter) * time.Second
		}
		return s, nil
	}
	inv.notFound.Store(0)
	switch st.Status {
	case InvoicePaid:
		p := st.Preimage
		return r.settled(op, inv, true, &p), nil
	case InvoiceExpired:
		return ReceiveStatus{State: ReceiveExpired}, nil
	}
	return r.settled(op, inv, false, nil), nil
}

// Wait waits until the invoice is paid (the status, with the preimage),
// expires (an *Error matching ErrInvoiceExpired, once ExpiryGrace has
// passed without a late settlement), is not found (ErrInvoiceNotFound),
// or ctx ends. Past the grace a transient answer does not end the wait:
// only a definite one does (or a day of failures, ErrServer).
//
// On the custodial path it is WaitForInvoice (the status subscription
// first, polling when the websocket is down). On the LNURL path it polls
// the verify URL, one request at a time: every 3s for the invoice's
// first 3 minutes, then 10s, then 30s after 15 minutes, with jitter;
// after a transient answer it backs off (doubling up to MaxBackoff, a
// Retry-After honoured) and never drops the invoice. An unpaid invoice
// watched for an hour costs about 220 requests. For many invoices use
// an InvoiceWatcher.
func (r *AddressReceiver) Wait(ctx context.Context, inv *AddressInvoice) (*ReceiveStatus, error) {
	if inv != nil && inv.Path == ReceiveCustodial {
		st, err := r.c.WaitForInvoice(ctx, inv.PaymentRequest, nil)
		if err != nil {
			return nil, err
		}
		if !preimageProves(st.Preimage, inv.PaymentHash) {
			return nil, &Error{Operation: "AddressReceiver.Wait", Message: "the server says paid with a preimage that does not hash to the payment hash", sentinel: ErrPreimageMismatch}
		}
		return &ReceiveStatus{State: ReceivePaid, Preimage: strings.ToLower(st.Preimage)}, nil
	}
	var p pollPlan
	for {
		st, err := r.Check(ctx, inv)
		if err != nil {
			return nil, err
		}
		if done, err := r.final(inv, st); done {
			if err != nil {
				return nil, err
			}
			return &st, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-r.clock.After(p.next(r, inv, st)):
		}
	}
}

// final says whether a check ends the wait for an invoice, and how.
func (r *AddressReceiver) final(inv *AddressInvoice, st ReceiveStatus) (bool, error) {
	const op = "AddressReceiver.Wait"
	switch st.State {
	case ReceivePaid:
		return true, nil
	case ReceiveNotFound:
		return true, &Error{Operation: op, Message: "the server does not know the invoice (" + truncateUTF8(st.Reason, 80) + ")", sentinel: ErrInvoiceNotFound, cause: st.Err}
	}
	end := inv.ExpiresAt.Add(r.opts.ExpiryGrace)
	if r.now().Before(end) {
		return false, nil
	}
	if st.State == ReceiveTransient {
		// Past the grace, only a definite answer ends the wait: a glitch
		// must not turn a paid invoice into an expired one.
		if r.now().Before(end.Add(maxUnknownAfterExpiry)) {
			return false, nil
		}
		return true, &Error{Operation: op, Message: "the invoice's status could not be learnt after its expiry", sentinel: ErrServer, cause: st.Err}
	}
	if st.State == ReceiveSettledWithoutPreimage {
		return true, &Error{Operation: op, Message: "the server says settled but never proved it with a preimage", sentinel: ErrPreimageMismatch}
	}
	return true, &Error{Operation: op, Message: "the invoice expired unpaid", sentinel: ErrInvoiceExpired}
}

// maxUnknownAfterExpiry is how long after the grace Wait keeps asking
// about an invoice whose checks only fail.
const maxUnknownAfterExpiry = 24 * time.Hour

// pollPlan spaces the checks of one invoice.
type pollPlan struct{ failures int }

// next is the wait before the next check, after the check that gave st:
// stepped by the invoice's age with jitter; after a transient answer,
// backoff doubling from PollFloor up to MaxBackoff, or the Retry-After
// if longer; never past the end of the grace period (one last check
// then).
func (p *pollPlan) next(r *AddressReceiver, inv *AddressInvoice, st ReceiveStatus) time.Duration {
	o := r.opts
	now := r.now()
	d := pollInterval(max(now.Sub(inv.CreatedAt), 0), o.PollFloor, o.MaxPollInterval)
	if st.State == ReceiveTransient {
		p.failures++
		b := o.PollFloor
		for i := 1; i < p.failures && b < o.MaxBackoff; i++ {
			b *= 2
		}
		d = max(d, jitterUp(min(b, o.MaxBackoff)))
		d = max(d, min(st.RetryAfter, time.Hour))
	} else {
		p.failures = 0
	}
	if end := inv.ExpiresAt.Add(o.ExpiryGrace); now.Before(end) && now.Add(d).After(end) {
		d = end.Sub(now)
	}
	return max(d, time.Millisecond)
}

// rxClock is the time of receivers and watchers (a virtual one in tests).
type rxClock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }
