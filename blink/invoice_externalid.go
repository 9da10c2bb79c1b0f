package blink

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/bolt11"
)

// ErrExternalIDExists reports an invoice creation whose ExternalID is
// already used by another invoice or transaction of the account, and that
// the SDK could not show to be the same request (see InvoiceOptions). The
// error is an *Error that also matches ErrInvalidInput.
var ErrExternalIDExists = errors.New("blink: external id already used")

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
