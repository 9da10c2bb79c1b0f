package blink

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
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

// ErrExternalIDExists reports an invoice creation whose ExternalID is
// already used by another invoice or transaction of the account, and that
// the SDK could not show to be the same request (see InvoiceOptions). The
// error is an *Error that also matches ErrInvalidInput.
var ErrExternalIDExists = errors.New("blink: external id already used")

// MaxInvoicePageSize is the largest page of invoices the API serves, and
// the size of a page when none is asked.
const MaxInvoicePageSize = 100

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
	// hash).
	ExternalID string
}

// RecipientInvoiceOptions are the optional settings of an invoice created
// on behalf of a recipient.
type RecipientInvoiceOptions struct {
	InvoiceOptions
	// WebhookURL, when set, is an absolute http or https URL to which the
	// server posts one message when the invoice is paid (invoice.paid) or
	// expires (invoice.expired).
	WebhookURL string
	// DescriptionHash, when set, is the SHA-256 of a description (64 hex
	// digits) to commit to instead of a memo, as LNURL-pay requires. Not
	// available for no-amount invoices.
	DescriptionHash string
}

// Recipient names the receiver of an invoice created on their behalf:
// exactly one of WalletID and Username is set. Use RecipientWallet or
// RecipientUser to build one.
type Recipient struct {
	// WalletID is the receiving wallet's id.
	WalletID string
	// Username is the receiver's Blink username; the invoice goes to their
	// wallet of the invoice's currency (their default wallet for a no-amount
	// invoice), found with AccountDefaultWallet.
	Username string
}

// RecipientWallet names a recipient by wallet id.
func RecipientWallet(walletID string) Recipient { return Recipient{WalletID: walletID} }

// RecipientUser names a recipient by Blink username.
func RecipientUser(username string) Recipient { return Recipient{Username: username} }

// InvoicePaymentStatus is the payment state of an invoice as anyone can
// see it, knowing its payment hash or payment request.
type InvoicePaymentStatus struct {
	// Status is InvoicePending, InvoicePaid or InvoiceExpired.
	Status InvoiceStatus
	// PaymentHash identifies the payment.
	PaymentHash string
	// PaymentRequest is the invoice's BOLT11 string.
	PaymentRequest string
	// Preimage proves the payment (64 hex digits); set once Status is
	// InvoicePaid.
	Preimage string
}

// InvoiceListOptions selects the invoices to list. The zero value (or a nil
// pointer) lists the invoices of every wallet of the account, 100 a page,
// from the newest.
type InvoiceListOptions struct {
	// WalletIDs limits the list to these wallets of the account; empty
	// means every wallet.
	WalletIDs []string
	// PageSize is the number of invoices a request fetches: 0 means
	// MaxInvoicePageSize (100); less than 0 or more than 100 is refused
	// before sending.
	PageSize int
	// After is a cursor (InvoicePage.EndCursor): the list starts with the
	// invoice just older than it. Empty means from the newest.
	After string
}

// InvoicePage is one page of invoices, newest first.
type InvoicePage struct {
	// Invoices are the page's invoices, newest first.
	Invoices []Invoice
	// EndCursor is the cursor of the page's last (oldest) invoice: pass it
	// as InvoiceListOptions.After for the next page. Empty for an empty page.
	EndCursor string
	// HasNextPage reports whether older invoices follow.
	HasNextPage bool
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

func recipientOptsOrZero(o *RecipientInvoiceOptions) RecipientInvoiceOptions {
	if o == nil {
		return RecipientInvoiceOptions{}
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
		return createdInvoice(s.op, c.scrub(payloadError(s.op, p.Errors)), p.Invoice)
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
		return createdInvoice(s.op, c.scrub(payloadError(s.op, p.Errors)), p.Invoice)
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
		return createdInvoice(s.op, c.scrub(payloadError(s.op, p.Errors)), p.Invoice)
	})
}

// recipientSpec checks a recipient and options before anything is sent,
// then resolves a username to its wallet of currency want ("" = the default
// wallet) with AccountDefaultWallet (no key needed).
func (c *Client) recipientSpec(ctx context.Context, s *invoiceSpec, r Recipient, o *RecipientInvoiceOptions, want WalletCurrency) error {
	ro := recipientOptsOrZero(o)
	s.opts, s.webhook, s.descHash, s.recipient = ro.InvoiceOptions, ro.WebhookURL, ro.DescriptionHash, true
	var username string
	switch {
	case r.WalletID != "" && r.Username != "":
		return invalidInput(s.op, "recipient has both a wallet id and a username: give one")
	case r.WalletID != "":
		if err := checkWalletID(s.op, "recipient wallet id", r.WalletID); err != nil {
			return err
		}
		s.walletID = r.WalletID
	case r.Username != "":
		u, err := normalizeUsername(s.op, r.Username)
		if err != nil {
			return err
		}
		username = u
	default:
		return invalidInput(s.op, "recipient has neither a wallet id nor a username")
	}
	if err := s.check(); err != nil {
		return err
	}
	if username == "" {
		return nil
	}
	w, err := c.AccountDefaultWallet(ctx, username, want)
	if err != nil {
		return err
	}
	s.walletID, s.currency = w.ID, w.Currency
	if s.kind == invNoAmount {
		return checkExpiry(s.op, s.opts.ExpiresIn, s.currency)
	}
	return nil
}

// CreateInvoiceForRecipient creates a lightning invoice for amount sats
// that pays into the recipient's BTC wallet (mutation
// lnInvoiceCreateOnBehalfOfRecipient; no key needed). A recipient given by
// username is resolved first with AccountDefaultWallet. Arguments are
// checked before anything is sent (ErrInvalidInput), as for CreateInvoice,
// and also the webhook URL and description hash. The server limits
// invoices per recipient (TOO_MANY_REQUEST). See InvoiceOptions for
// ExternalID; its look-up needs the recipient's key.
func (c *Client) CreateInvoiceForRecipient(ctx context.Context, recipient Recipient, amount Sats, opts *RecipientInvoiceOptions) (*Invoice, error) {
	s := &invoiceSpec{op: "LnInvoiceCreateOnBehalfOfRecipient", currency: BTC, kind: invSats, amount: int64(amount)}
	if err := c.recipientSpec(ctx, s, recipient, opts, BTC); err != nil {
		return nil, err
	}
	return c.createInvoice(ctx, s, func(ctx context.Context) (*Invoice, error) {
		exp, ext, memo, hook, dh := s.wire()
		resp, err := gen.LnInvoiceCreateOnBehalfOfRecipient(ctx, c.gql, gen.LnInvoiceCreateOnBehalfOfRecipientInput{
			RecipientWalletId: s.walletID, Amount: scalar.SatAmount(amount), ExpiresIn: exp, ExternalId: ext, Memo: memo,
			WebhookUrl: hook, DescriptionHash: dh,
		})
		if err != nil {
			return nil, err
		}
		p := resp.LnInvoiceCreateOnBehalfOfRecipient
		return createdInvoice(s.op, c.scrub(payloadError(s.op, p.Errors)), p.Invoice)
	})
}

// CreateUSDInvoiceForRecipient creates a lightning invoice for amount US
// cents that pays into the recipient's USD wallet (mutation
// lnUsdInvoiceCreateOnBehalfOfRecipient; no key needed). It behaves as
// CreateInvoiceForRecipient; ExpiresIn must be within 1 and 5 minutes.
func (c *Client) CreateUSDInvoiceForRecipient(ctx context.Context, recipient Recipient, amount Cents, opts *RecipientInvoiceOptions) (*Invoice, error) {
	s := &invoiceSpec{op: "LnUsdInvoiceCreateOnBehalfOfRecipient", currency: USD, kind: invCents, amount: int64(amount)}
	if err := c.recipientSpec(ctx, s, recipient, opts, USD); err != nil {
		return nil, err
	}
	return c.createInvoice(ctx, s, func(ctx context.Context) (*Invoice, error) {
		exp, ext, memo, hook, dh := s.wire()
		resp, err := gen.LnUsdInvoiceCreateOnBehalfOfRecipient(ctx, c.gql, gen.LnUsdInvoiceCreateOnBehalfOfRecipientInput{
			RecipientWalletId: s.walletID, Amount: scalar.CentAmount(amount), ExpiresIn: exp, ExternalId: ext, Memo: memo,
			WebhookUrl: hook, DescriptionHash: dh,
		})
		if err != nil {
			return nil, err
		}
		p := resp.LnUsdInvoiceCreateOnBehalfOfRecipient
		return createdInvoice(s.op, c.scrub(payloadError(s.op, p.Errors)), p.Invoice)
	})
}

// CreateUSDInvoiceForRecipientInSats creates a lightning invoice for amount
// sats that pays into the recipient's USD wallet, which is credited the
// cents the sats are worth when paid (mutation
// lnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient; no key needed). It
// behaves as CreateInvoiceForRecipient; ExpiresIn must be within 1 and 5
// minutes.
func (c *Client) CreateUSDInvoiceForRecipientInSats(ctx context.Context, recipient Recipient, amount Sats, opts *RecipientInvoiceOptions) (*Invoice, error) {
	s := &invoiceSpec{op: "LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient", currency: USD, kind: invSats, amount: int64(amount)}
	if err := c.recipientSpec(ctx, s, recipient, opts, USD); err != nil {
		return nil, err
	}
	return c.createInvoice(ctx, s, func(ctx context.Context) (*Invoice, error) {
		exp, ext, memo, hook, dh := s.wire()
		resp, err := gen.LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient(ctx, c.gql, gen.LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipientInput{
			RecipientWalletId: s.walletID, Amount: scalar.SatAmount(amount), ExpiresIn: exp, ExternalId: ext, Memo: memo,
			WebhookUrl: hook, DescriptionHash: dh,
		})
		if err != nil {
			return nil, err
		}
		p := resp.LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient
		return createdInvoice(s.op, c.scrub(payloadError(s.op, p.Errors)), p.Invoice)
	})
}

// CreateNoAmountInvoiceForRecipient creates a lightning invoice without an
// amount that pays into the recipient's wallet: the given wallet, or the
// default wallet of a recipient given by username (mutation
// lnNoAmountInvoiceCreateOnBehalfOfRecipient; no key needed). It behaves as
// CreateInvoiceForRecipient, without DescriptionHash (refused). For a
// recipient given by username, ExpiresIn is checked against the range of
// the resolved wallet's currency before sending. For one given by wallet
// id, it is checked as in CreateNoAmountInvoice, except that an invoice the
// server gave its USD default expiry cannot be cancelled without the
// recipient's key: the call returns the error and that invoice, handed to
// nobody, expires unpaid.
func (c *Client) CreateNoAmountInvoiceForRecipient(ctx context.Context, recipient Recipient, opts *RecipientInvoiceOptions) (*Invoice, error) {
	s := &invoiceSpec{op: "LnNoAmountInvoiceCreateOnBehalfOfRecipient", kind: invNoAmount}
	if err := c.recipientSpec(ctx, s, recipient, opts, ""); err != nil {
		return nil, err
	}
	return c.createInvoice(ctx, s, func(ctx context.Context) (*Invoice, error) {
		exp, ext, memo, hook, _ := s.wire()
		resp, err := gen.LnNoAmountInvoiceCreateOnBehalfOfRecipient(ctx, c.gql, gen.LnNoAmountInvoiceCreateOnBehalfOfRecipientInput{
			RecipientWalletId: s.walletID, ExpiresIn: exp, ExternalId: ext, Memo: memo, WebhookUrl: hook,
		})
		if err != nil {
			return nil, err
		}
		p := resp.LnNoAmountInvoiceCreateOnBehalfOfRecipient
		return createdInvoice(s.op, c.scrub(payloadError(s.op, p.Errors)), p.Invoice)
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

// isExternalIDTaken reports the server's refusal of a duplicate external id.
func isExternalIDTaken(err error) bool {
	var e *Error
	return errors.As(err, &e) && strings.Contains(e.Message, msgExternalIDExists)
}

// maxExternalIDPages bounds the look-up of a duplicate external id: the
// invoice of a lost answer is among the newest.
const maxExternalIDPages = 10

// recoverExternalID decides what a duplicate external id means, as
// documented on InvoiceOptions.
func (c *Client) recoverExternalID(ctx context.Context, s *invoiceSpec, dup error) (*Invoice, error) {
	if !c.HasKey() {
		return nil, externalIDError(s, dup, "an earlier attempt of this call may have created the invoice, but this client has no API key to look it up with (the recipient's key with READ can)", nil)
	}
	found, err := c.findByExternalID(ctx, s.walletID, s.opts.ExternalID)
	if err != nil {
		var se *ScopeError
		if errors.As(err, &se) {
			return nil, externalIDError(s, dup, "an earlier attempt of this call may have created the invoice, but looking it up needs an API key with READ", nil)
		}
		return nil, externalIDError(s, dup, "an earlier attempt of this call may have created the invoice, but looking it up failed", err)
	}
	if found == nil {
		if s.recipient {
			return nil, externalIDError(s, dup, fmt.Sprintf("an earlier attempt of this call may have created the invoice, but it is not among the newest invoices of wallet %s this key can list (the recipient's key with READ can look it up)", s.walletID), nil)
		}
		return nil, externalIDError(s, dup, fmt.Sprintf("no invoice among the newest of wallet %s carries it: it is used by another wallet of the account, a transaction or an older invoice", s.walletID), nil)
	}
	var centsAsSats Sats // the cents asked, in sats at the current price
	if s.kind == invCents {
		price, err := c.RealtimePrice(ctx, "USD")
		if err != nil {
			return nil, c.scrub(externalIDError(s, dup, "invoice "+found.PaymentHash+" carries it, but its amount cannot be compared without the current price", err))
		}
		centsAsSats = price.CentsToSats(Cents(s.amount))
	}
	if why := s.differs(found, centsAsSats); why != "" {
		return nil, c.scrub(externalIDError(s, dup, "invoice "+found.PaymentHash+" carries it but "+why+": the external id was used for another invoice", nil))
	}
	c.log.DebugContext(ctx, "blink: duplicate external id is the same invoice; returning it", "operation", s.op, "paymentHash", c.redact(found.PaymentHash))
	return found, nil
}

// externalIDError builds the error for a duplicate external id that is not
// (or cannot be shown to be) the same request.
func externalIDError(s *invoiceSpec, dup error, why string, cause error) error {
	e := &Error{Operation: s.op, Code: "INVALID_INPUT", HTTPStatus: 200, sentinel: ErrExternalIDExists, cause: cause}
	var d *Error
	if errors.As(dup, &d) {
		e.Path = d.Path
	}
	e.Message = fmt.Sprintf("%s (external id %q): %s", msgExternalIDExists, s.opts.ExternalID, why)
	return e
}

// findByExternalID walks a wallet's newest invoices for an external id; nil
// when none of them carries it.
func (c *Client) findByExternalID(ctx context.Context, walletID, externalID string) (*Invoice, error) {
	opts := &InvoiceListOptions{WalletIDs: []string{walletID}, PageSize: MaxInvoicePageSize}
	for range maxExternalIDPages {
		page, err := c.InvoicesPage(ctx, opts)
		if err != nil {
			return nil, err
		}
		for i := range page.Invoices {
			if page.Invoices[i].ExternalID == externalID {
				return &page.Invoices[i], nil
			}
		}
		if !page.HasNextPage || page.EndCursor == "" || page.EndCursor == opts.After {
			return nil, nil
		}
		opts.After = page.EndCursor
	}
	return nil, nil
}

// differs says how an existing invoice differs from the request, or ""
// when it matches as far as the invoice shows: kind, amount in sats,
// memo (the description) and an asked expiry.
func (s *invoiceSpec) differs(inv *Invoice, centsAsSats Sats) string {
	switch s.kind {
	case invNoAmount:
		if inv.Amount != 0 {
			return "it has an amount (" + inv.Amount.String() + ")"
		}
	case invSats:
		if inv.Amount != Sats(s.amount) {
			return "it asks " + inv.Amount.String() + ", not " + Sats(s.amount).String()
		}
	case invCents:
		// The invoice shows sats at the price of its creation, not cents.
		// Only an invoice created during this call (by an attempt whose
		// answer was lost; a minute allows for clock skew) whose sats match
		// the cents asked is taken as the same request.
		if inv.Amount == 0 {
			return "it has no amount"
		}
		if inv.CreatedAt.Before(s.start.Add(-time.Minute)) {
			return "it was created before this call"
		}
		// Within 2% of the cents asked at today's price: the price moves
		// little within one call, while a different order's amount would
		// not match.
		if d := int64(inv.Amount - centsAsSats); centsAsSats <= 0 || d*50 > int64(centsAsSats) || -d*50 > int64(centsAsSats) {
			return "it asks " + inv.Amount.String() + ", not about " + centsAsSats.String() + " (" + Cents(s.amount).String() + " at the current price)"
		}
	}
	dec, err := bolt11.Decode(inv.PaymentRequest)
	if err != nil {
		return "its payment request cannot be decoded"
	}
	if s.descHash == "" && dec.Description != s.opts.Memo {
		return "its memo differs"
	}
	if s.opts.ExpiresIn != 0 && dec.Expiry != s.opts.ExpiresIn {
		return fmt.Sprintf("it expires after %v, not %v", dec.Expiry, s.opts.ExpiresIn)
	}
	return ""
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
	if err := c.scrub(payloadError(op, p.Errors)); err != nil {
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

// InvoiceStatus returns the payment status of any Blink invoice by its
// payment hash (query lnInvoicePaymentStatusByHash; no key needed), with
// the preimage once paid. A hash that is not 64 hex digits is refused
// before sending; an unknown hash is an *Error from the server.
func (c *Client) InvoiceStatus(ctx context.Context, paymentHash string) (*InvoicePaymentStatus, error) {
	const op = "LnInvoicePaymentStatusByHash"
	hash, err := checkPaymentHash(op, paymentHash)
	if err != nil {
		return nil, err
	}
	resp, err := gen.LnInvoicePaymentStatusByHash(ctx, c.gql, gen.LnInvoicePaymentStatusByHashInput{PaymentHash: hash})
	if err != nil {
		return nil, err
	}
	r := resp.LnInvoicePaymentStatusByHash
	return toPaymentStatus(op, r.Status, r.PaymentHash, r.PaymentRequest, r.PaymentPreimage)
}

// InvoiceStatusByPaymentRequest returns the payment status of any Blink
// invoice by its BOLT11 payment request, a "lightning:" prefix removed
// (query lnInvoicePaymentStatusByPaymentRequest; no key needed). An empty
// request is refused before sending; one the server cannot decode or does
// not know is an *Error from the server.
func (c *Client) InvoiceStatusByPaymentRequest(ctx context.Context, paymentRequest string) (*InvoicePaymentStatus, error) {
	const op = "LnInvoicePaymentStatusByPaymentRequest"
	pr := stripLightningPrefix(paymentRequest)
	if pr == "" {
		return nil, invalidInput(op, "the payment request is empty")
	}
	resp, err := gen.LnInvoicePaymentStatusByPaymentRequest(ctx, c.gql, gen.LnInvoicePaymentStatusByPaymentRequestInput{PaymentRequest: pr})
	if err != nil {
		return nil, err
	}
	r := resp.LnInvoicePaymentStatusByPaymentRequest
	return toPaymentStatus(op, r.Status, r.PaymentHash, r.PaymentRequest, r.PaymentPreimage)
}

// toPaymentStatus maps the two status queries' answer.
func toPaymentStatus(op string, st *gen.InvoicePaymentStatus, hash, pr, preimage *string) (*InvoicePaymentStatus, error) {
	if st == nil {
		return nil, &Error{Operation: op, Message: "the server returned no status", HTTPStatus: 200, sentinel: ErrServer}
	}
	return &InvoicePaymentStatus{Status: InvoiceStatus(*st), PaymentHash: deref(hash), PaymentRequest: deref(pr), Preimage: deref(preimage)}, nil
}

// Invoice returns an invoice of the caller's wallet by payment hash (query
// me.defaultAccount.walletById.invoiceByPaymentHash; scope READ). A wallet
// id that is not a UUID or a hash that is not 64 hex digits is refused
// before sending; an invoice the wallet does not have is an *Error
// matching ErrNotFound.
func (c *Client) Invoice(ctx context.Context, walletID, paymentHash string) (*Invoice, error) {
	const op = "InvoiceByPaymentHash"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	hash, err := checkPaymentHash(op, paymentHash)
	if err != nil {
		return nil, err
	}
	resp, err := gen.InvoiceByPaymentHash(ctx, c.gql, walletID, hash)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	g := resp.Me.DefaultAccount.WalletById.InvoiceByPaymentHash
	if g == nil {
		return nil, &Error{Operation: op, Code: "NOT_FOUND", Message: "the wallet has no invoice with this payment hash", HTTPStatus: 200}
	}
	inv := toInvoice(g)
	return &inv, nil
}

// listArgs checks the options and returns the wire arguments.
func (o *InvoiceListOptions) listArgs() (walletIDs []*string, first int, after *string, err error) {
	const op = "Invoices"
	if o == nil {
		return nil, MaxInvoicePageSize, nil, nil
	}
	switch {
	case o.PageSize < 0:
		return nil, 0, nil, invalidInput(op, "page size %d is negative; use 0 for the default of %d", o.PageSize, MaxInvoicePageSize)
	case o.PageSize > MaxInvoicePageSize:
		return nil, 0, nil, invalidInput(op, "page size %d is above the maximum of %d", o.PageSize, MaxInvoicePageSize)
	case o.PageSize == 0:
		first = MaxInvoicePageSize
	default:
		first = o.PageSize
	}
	for _, id := range o.WalletIDs {
		if err := checkWalletID(op, "wallet id", id); err != nil {
			return nil, 0, nil, err
		}
		walletIDs = append(walletIDs, &id)
	}
	if o.After != "" {
		a := o.After
		after = &a
	}
	return walletIDs, first, after, nil
}

// InvoicesPage returns one page of the account's invoices, newest first
// (query me.defaultAccount.invoices; scope READ). Pass the page's EndCursor
// as opts.After for the next one. Invalid wallet ids and page sizes are
// refused before sending.
func (c *Client) InvoicesPage(ctx context.Context, opts *InvoiceListOptions) (*InvoicePage, error) {
	const op = "Invoices"
	ids, first, after, err := opts.listArgs()
	if err != nil {
		return nil, err
	}
	resp, err := gen.Invoices(ctx, c.gql, ids, &first, after)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	conn := resp.Me.DefaultAccount.Invoices
	page := &InvoicePage{}
	if conn == nil {
		return page, nil
	}
	page.Invoices = make([]Invoice, 0, len(conn.Edges))
	for _, e := range conn.Edges {
		if e.Node == nil {
			continue
		}
		page.Invoices = append(page.Invoices, toInvoice(e.Node))
	}
	page.HasNextPage = conn.PageInfo.HasNextPage
	page.EndCursor = deref(conn.PageInfo.EndCursor)
	if page.EndCursor == "" && len(conn.Edges) > 0 {
		page.EndCursor = conn.Edges[len(conn.Edges)-1].Cursor
	}
	return page, nil
}

// Invoices iterates over the account's invoices, newest first, fetching
// page after page with InvoicesPage (query me.defaultAccount.invoices;
// scope READ) until the last one; opts.After, when set, is where it starts.
// Each page is fetched only when the loop reaches it, so breaking out of
// the loop stops fetching. The first error is yielded (with a zero
// Invoice) and ends the iteration.
func (c *Client) Invoices(ctx context.Context, opts *InvoiceListOptions) iter.Seq2[Invoice, error] {
	var o InvoiceListOptions
	if opts != nil {
		o = *opts
		o.WalletIDs = append([]string(nil), opts.WalletIDs...)
	}
	return walkPages("Invoices", o.After, func(after string) ([]Invoice, string, bool, error) {
		p := o
		p.After = after
		page, err := c.InvoicesPage(ctx, &p)
		if err != nil {
			return nil, "", false, err
		}
		return page.Invoices, page.EndCursor, page.HasNextPage, nil
	})
}
