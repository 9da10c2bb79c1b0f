package blink

import (
	"context"
	"errors"
	"time"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scalar"
)

// InvoiceStatus is the payment state of a lightning invoice.
type InvoiceStatus string

// Invoice states.
const (
	// InvoicePending: the invoice can still be paid.
	InvoicePending InvoiceStatus = "PENDING"
	// InvoicePaid: the invoice was paid; the money is in the wallet.
	InvoicePaid InvoiceStatus = "PAID"
	// InvoiceExpired: the invoice expired or was cancelled unpaid.
	InvoiceExpired InvoiceStatus = "EXPIRED"
)

// Invoice is a lightning invoice of one of the account's wallets.
type Invoice struct {
	// PaymentRequest is the BOLT11 string to hand to the payer.
	PaymentRequest string
	// PaymentHash identifies the payment (64 hex digits).
	PaymentHash string
	// PaymentSecret is the invoice's payment secret (64 hex digits).
	PaymentSecret string
	// Amount is what the invoice asks, in sats; 0 for a no-amount invoice.
	// An invoice created in cents asks the sats that the cents were worth
	// at creation.
	Amount Sats
	// ExternalID is the caller's id for the invoice; the payment hash when
	// none was given.
	ExternalID string
	// Status is InvoicePending, InvoicePaid or InvoiceExpired.
	Status InvoiceStatus
	// CreatedAt is when the invoice was created.
	CreatedAt time.Time
}

// Invoice expiry limits of the API (the Minutes scalar of expiresIn).
const (
	// MinInvoiceExpiry is the shortest expiry of any invoice.
	MinInvoiceExpiry = time.Minute
	// MaxBTCInvoiceExpiry is the longest expiry of an invoice to a BTC wallet.
	MaxBTCInvoiceExpiry = 24 * time.Hour
	// MaxUSDInvoiceExpiry is the longest expiry of an invoice to a USD
	// wallet (its price is only held that long).
	MaxUSDInvoiceExpiry = 5 * time.Minute
)

// InvoiceOptions are the optional settings of an invoice. A nil
// *InvoiceOptions means none.
//
// ExternalID makes creation safe to retry. The client retries invoice
// creation by itself on network failures and HTTP 5xx answers, without an
// idempotency key; when a first attempt was executed but its answer was
// lost, the retry fails with INVALID_INPUT "External id for invoice or
// transaction already exists". When a call with an ExternalID meets that
// error, the SDK looks the invoice up (it walks the wallet's invoices,
// newest first, at most 1,000 of them, with the Invoices query, which
// needs scope READ) and:
//   - if an invoice of the same wallet carries the ExternalID and matches the
//     request (kind, amount in sats where the request was in sats, memo as
//     the invoice's description, and the expiry when one was asked), it
//     returns that invoice as success, whatever its Status now is; so
//     calling again with the same ExternalID and the same arguments returns
//     the same invoice;
//   - if the invoice differs, or none of the wallet's invoices carries the
//     ExternalID (it was used by another wallet of the account or by a
//     transaction), it returns an *Error matching ErrExternalIDExists and
//     ErrInvalidInput: the ExternalID was reused for something else;
//   - if the client cannot look (no key, a key without READ, or the look-up
//     failed), it returns an *Error matching ErrExternalIDExists and
//     ErrInvalidInput whose message says that the invoice may exist,
//     created by an earlier attempt of this call.
//
// For invoices on behalf of a recipient the look-up works only when the
// client's key is the recipient's own key with READ.
type InvoiceOptions struct {
	// Memo is the invoice's description, at most MaxMemoBytes bytes of
	// UTF-8. It is public: it is written into the payment request.
	Memo string
	// ExpiresIn is how long the invoice can be paid; 0 means the server's
	// default (4 hours for BTC invoices, 2 hours for BTC no-amount ones,
	// 5 minutes for USD wallets). It must be a whole number of minutes
	// within 1 minute and 24 hours for a BTC wallet, 1 and 5 minutes for a
	// USD wallet. The server silently uses its default for a value out of
	// range; the SDK refuses it instead, before sending, with ErrInvalidInput.
	ExpiresIn time.Duration
	// ExternalID is the caller's id for the invoice, unique in the account:
	// 1 to 100 of a-z, 0-9, _ and -. It makes creation safe to retry (see
	// InvoiceOptions). Empty means none (the server then uses the payment
	// hash). InvoiceByExternalID finds the invoice by it later.
	ExternalID string
}

// invKind says how an invoice to create is denominated.
type invKind uint8

const (
	invSats     invKind = iota // an amount in sats
	invCents                   // an amount in cents
	invNoAmount                // no amount
)

// invoiceSpec is one invoice creation, as checked before sending and as
// compared with an existing invoice after a duplicate ExternalID.
type invoiceSpec struct {
	op        string
	walletID  string
	currency  WalletCurrency // the receiving wallet's; "" when not known
	kind      invKind
	amount    int64
	opts      InvoiceOptions
	webhook   string
	descHash  string
	recipient bool
	start     time.Time // when the call began, set by check
}

// check refuses, before sending, what the server would refuse or silently
// change.
func (s *invoiceSpec) check() error {
	s.start = time.Now()
	if s.kind != invNoAmount {
		if err := checkAmount(s.op, s.amount); err != nil {
			return err
		}
	}
	if err := checkMemo(s.op, s.opts.Memo); err != nil {
		return err
	}
	if err := checkExpiry(s.op, s.opts.ExpiresIn, s.currency); err != nil {
		return err
	}
	if s.opts.ExternalID != "" && !validExternalID(s.opts.ExternalID) {
		return invalidInput(s.op, "external id %q must be 1 to 100 of a-z, 0-9, _ and -", truncate(s.opts.ExternalID, 110))
	}
	if s.webhook != "" {
		if err := checkHTTPURL(s.op, "webhook URL", s.webhook); err != nil {
			return err
		}
	}
	if s.descHash != "" {
		if s.kind == invNoAmount {
			return invalidInput(s.op, "a no-amount invoice cannot commit to a description hash")
		}
		if !isHex64(s.descHash) {
			return invalidInput(s.op, "description hash %q is not 64 hex digits", truncate(s.descHash, 70))
		}
	}
	return nil
}

// checkExpiry refuses an expiry the server would replace by its default:
// not whole minutes, or outside the range of the wallet's currency. For a
// wallet whose currency is not known, the BTC range applies here and the
// created invoice is checked afterwards (checkCreatedExpiry).
func checkExpiry(op string, d time.Duration, cur WalletCurrency) error {
	if d == 0 {
		return nil
	}
	if d < 0 || d%time.Minute != 0 {
		return invalidInput(op, "ExpiresIn %v is not a whole number of minutes", d)
	}
	maxD, what := MaxBTCInvoiceExpiry, "a BTC wallet"
	if cur == USD {
		maxD, what = MaxUSDInvoiceExpiry, "a USD wallet"
	}
	if d < MinInvoiceExpiry || d > maxD {
		return invalidInput(op, "ExpiresIn %v is outside %v to %v, the range for invoices to %s (the server would silently use its default)", d, MinInvoiceExpiry, maxD, what)
	}
	return nil
}

func validExternalID(id string) bool {
	if len(id) < 1 || len(id) > 100 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// wire returns the optional inputs in their wire form.
func (s *invoiceSpec) wire() (expiresIn *int64, externalID, memo, webhook, descHash *string) {
	if s.opts.ExpiresIn > 0 {
		m := int64(s.opts.ExpiresIn / time.Minute)
		expiresIn = &m
	}
	str := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	return expiresIn, str(s.opts.ExternalID), str(s.opts.Memo), str(s.webhook), str(s.descHash)
}

// genInvoice is what every generated invoice type has.
type genInvoice interface {
	GetCreatedAt() scalar.Timestamp
	GetExternalId() string
	GetPaymentHash() string
	GetPaymentRequest() string
	GetPaymentSecret() string
	GetPaymentStatus() gen.InvoicePaymentStatus
}

// toInvoice maps a generated invoice; it is the one place where invoices
// are mapped.
func toInvoice(g genInvoice) Invoice {
	inv := Invoice{
		PaymentRequest: g.GetPaymentRequest(),
		PaymentHash:    g.GetPaymentHash(),
		PaymentSecret:  g.GetPaymentSecret(),
		ExternalID:     g.GetExternalId(),
		Status:         InvoiceStatus(g.GetPaymentStatus()),
		CreatedAt:      g.GetCreatedAt().Time(),
	}
	if a, ok := g.(interface{ GetSatoshis() scalar.SatAmount }); ok {
		inv.Amount = Sats(a.GetSatoshis())
	}
	return inv
}

// createdInvoice maps a creation payload: its errors, else its invoice.
func createdInvoice[I any, PI interface {
	*I
	genInvoice
}](op string, perr error, inv PI) (*Invoice, error) {
	if perr != nil {
		return nil, perr
	}
	if inv == nil {
		return nil, &Error{Operation: op, Message: "the server returned neither an invoice nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	out := toInvoice(inv)
	return &out, nil
}

func optsOrZero(o *InvoiceOptions) InvoiceOptions {
	if o == nil {
		return InvoiceOptions{}
	}
	return *o
}

// CreateInvoice creates a lightning invoice for amount sats into a BTC
// wallet of the caller's account (mutation lnInvoiceCreate; scope RECEIVE).
// It returns the invoice, PENDING until paid. A wallet id that is not a
// UUID, an amount not above 0 or above MaxAmount, or an invalid memo,
// expiry or external id is refused before sending with ErrInvalidInput.
// The server's refusals are *Error values: INVALID_INPUT for a wallet of
// another currency or account, TOO_MANY_REQUEST (ErrTooManyRequests,
// transient) past the rate limit of 60 invoices a minute. See
// InvoiceOptions for how an ExternalID makes the call safe to retry.
func (c *Client) CreateInvoice(ctx context.Context, walletID string, amount Sats, opts *InvoiceOptions) (*Invoice, error) {
	s := &invoiceSpec{op: "LnInvoiceCreate", walletID: walletID, currency: BTC, kind: invSats, amount: int64(amount), opts: optsOrZero(opts)}
	if err := checkWalletID(s.op, "walletID", walletID); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return c.createInvoice(ctx, s, func(ctx context.Context) (*Invoice, error) {
		exp, ext, memo, _, _ := s.wire()
		resp, err := gen.LnInvoiceCreate(ctx, c.gql, gen.LnInvoiceCreateInput{
			WalletId: walletID, Amount: scalar.SatAmount(amount), ExpiresIn: exp, ExternalId: ext, Memo: memo,
		})
		if err != nil {
			return nil, err
		}
		p := resp.LnInvoiceCreate
		return createdInvoice(s.op, payloadError(c, s.op, p.Errors), p.Invoice)
	})
}

// CreateUSDInvoice creates a lightning invoice for amount US cents into a
// USD wallet of the caller's account (mutation lnUsdInvoiceCreate; scope
// RECEIVE). The invoice asks the sats the cents are worth now and can be
// paid for at most 5 minutes. Checks, errors and ExternalID handling are
// those of CreateInvoice; ExpiresIn must be within 1 and 5 minutes.
func (c *Client) CreateUSDInvoice(ctx context.Context, walletID string, amount Cents, opts *InvoiceOptions) (*Invoice, error) {
	s := &invoiceSpec{op: "LnUsdInvoiceCreate", walletID: walletID, currency: USD, kind: invCents, amount: int64(amount), opts: optsOrZero(opts)}
	if err := checkWalletID(s.op, "walletID", walletID); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return c.createInvoice(ctx, s, func(ctx context.Context) (*Invoice, error) {
		exp, ext, memo, _, _ := s.wire()
		resp, err := gen.LnUsdInvoiceCreate(ctx, c.gql, gen.LnUsdInvoiceCreateInput{
			WalletId: walletID, Amount: scalar.CentAmount(amount), ExpiresIn: exp, ExternalId: ext, Memo: memo,
		})
		if err != nil {
			return nil, err
		}
		p := resp.LnUsdInvoiceCreate
		return createdInvoice(s.op, payloadError(c, s.op, p.Errors), p.Invoice)
	})
}

// CreateNoAmountInvoice creates a lightning invoice without an amount (the
// payer chooses it) into a wallet of the caller's account, BTC or USD
// (mutation lnNoAmountInvoiceCreate; scope RECEIVE). Checks, errors and
// ExternalID handling are those of CreateInvoice. As the wallet's currency
// is not known before sending, ExpiresIn is checked against the BTC range;
// if the wallet turns out to be a USD wallet and the server replaced an
// ExpiresIn above 5 minutes by its default, the SDK cancels the invoice and
// returns an error matching ErrInvalidInput.
func (c *Client) CreateNoAmountInvoice(ctx context.Context, walletID string, opts *InvoiceOptions) (*Invoice, error) {
	s := &invoiceSpec{op: "LnNoAmountInvoiceCreate", walletID: walletID, kind: invNoAmount, opts: optsOrZero(opts)}
	if err := checkWalletID(s.op, "walletID", walletID); err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return c.createInvoice(ctx, s, func(ctx context.Context) (*Invoice, error) {
		exp, ext, memo, _, _ := s.wire()
		resp, err := gen.LnNoAmountInvoiceCreate(ctx, c.gql, gen.LnNoAmountInvoiceCreateInput{
			WalletId: walletID, ExpiresIn: exp, ExternalId: ext, Memo: memo,
		})
		if err != nil {
			return nil, err
		}
		p := resp.LnNoAmountInvoiceCreate
		return createdInvoice(s.op, payloadError(c, s.op, p.Errors), p.Invoice)
	})
}

// createInvoice sends a checked creation and handles its two after-effects:
// a duplicate ExternalID (recoverExternalID) and an expiry the server
// replaced (checkCreatedExpiry).
func (c *Client) createInvoice(ctx context.Context, s *invoiceSpec, send func(context.Context) (*Invoice, error)) (*Invoice, error) {
	inv, err := send(ctx)
	if err != nil {
		if s.opts.ExternalID != "" && isExternalIDTaken(err) {
			return c.recoverExternalID(ctx, s, err)
		}
		return nil, err
	}
	if err := c.checkCreatedExpiry(ctx, s, inv); err != nil {
		return nil, err
	}
	return inv, nil
}

// checkCreatedExpiry catches the one case the checks before sending cannot:
// a no-amount invoice to a wallet of unknown currency, with an ExpiresIn
// above the USD maximum, that the server gave its USD default because the
// wallet is a USD wallet. The invoice is cancelled when it is the caller's.
func (c *Client) checkCreatedExpiry(ctx context.Context, s *invoiceSpec, inv *Invoice) error {
	if s.currency != "" || s.opts.ExpiresIn <= MaxUSDInvoiceExpiry {
		return nil
	}
	dec, err := bolt11.Decode(inv.PaymentRequest)
	if err != nil || dec.Expiry == s.opts.ExpiresIn {
		return nil
	}
	what := "it expires on its own"
	if !s.recipient {
		if cerr := c.CancelInvoice(ctx, s.walletID, inv.PaymentHash); cerr == nil {
			what = "it was cancelled"
		} else {
			what = "cancelling it failed (" + cerr.Error() + ")"
		}
	}
	if s.opts.ExternalID != "" {
		what += "; its external id " + s.opts.ExternalID + " stays used"
	}
	return invalidInput(s.op, "wallet %s is a USD wallet, whose invoices expire within %v to %v: the server replaced ExpiresIn %v by its default %v, so the invoice is refused and %s",
		s.walletID, MinInvoiceExpiry, MaxUSDInvoiceExpiry, s.opts.ExpiresIn, dec.Expiry, what)
}

// CancelInvoice cancels a pending invoice of the caller's wallet, which
// then reports InvoiceExpired (mutation lnInvoiceCancel; scope RECEIVE). It
// returns nil on success, and also when the invoice already reports
// expired (a retry whose first attempt cancelled it, or an invoice past its
// expiry). A wallet id that is not a UUID or a hash that is
// not 64 hex digits is refused before sending; the server refuses an
// invoice that does not exist (LIGHTNING_PAYMENT_ERROR) or is no longer
// pending (INVALID_INPUT), as an *Error.
func (c *Client) CancelInvoice(ctx context.Context, walletID, paymentHash string) error {
	const op = "LnInvoiceCancel"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return err
	}
	hash, err := checkPaymentHash(op, paymentHash)
	if err != nil {
		return err
	}
	resp, err := gen.LnInvoiceCancel(ctx, c.gql, gen.LnInvoiceCancelInput{WalletId: walletID, PaymentHash: hash})
	if err != nil {
		return err
	}
	p := resp.LnInvoiceCancel
	if err := payloadError(c, op, p.Errors); err != nil {
		// A retry after a lost answer finds the invoice already cancelled:
		// a cancelled invoice reports EXPIRED, which is what was asked.
		var e *Error
		if errors.As(err, &e) && e.Code == "INVALID_INPUT" {
			if st, serr := c.InvoiceStatus(ctx, hash); serr == nil && st.Status == InvoiceExpired {
				return nil
			}
		}
		return err
	}
	if p.Success == nil || !*p.Success {
		return &Error{Operation: op, Message: "the server reported no success and no error", HTTPStatus: 200, sentinel: ErrServer}
	}
	return nil
}
