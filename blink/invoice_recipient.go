package blink

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scalar"
)

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

func recipientOptsOrZero(o *RecipientInvoiceOptions) RecipientInvoiceOptions {
	if o == nil {
		return RecipientInvoiceOptions{}
	}
	return *o
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
		return createdInvoice(s.op, payloadError(c, s.op, p.Errors), p.Invoice)
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
		return createdInvoice(s.op, payloadError(c, s.op, p.Errors), p.Invoice)
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
		return createdInvoice(s.op, payloadError(c, s.op, p.Errors), p.Invoice)
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
		return createdInvoice(s.op, payloadError(c, s.op, p.Errors), p.Invoice)
	})
}
