package blink

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/gen"
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
// when none of them carries it. It lists the account's invoices filtered by
// wallet (query Invoices), so that a wallet of another account (a
// recipient's) is an empty list rather than an error.
func (c *Client) findByExternalID(ctx context.Context, walletID, externalID string) (*Invoice, error) {
	return scanForExternalID(externalID, func(after string) (*InvoicePage, error) {
		return c.InvoicesPage(ctx, &InvoiceListOptions{WalletIDs: []string{walletID}, PageSize: MaxInvoicePageSize, After: after})
	})
}

// scanForExternalID fetches pages of invoices, newest first, at most
// maxExternalIDPages of them, until one carries externalID; nil when none
// does.
func scanForExternalID(externalID string, fetch func(after string) (*InvoicePage, error)) (*Invoice, error) {
	after := ""
	for range maxExternalIDPages {
		page, err := fetch(after)
		if err != nil {
			return nil, err
		}
		for i := range page.Invoices {
			if page.Invoices[i].ExternalID == externalID {
				return &page.Invoices[i], nil
			}
		}
		if !page.HasNextPage || page.EndCursor == "" || page.EndCursor == after {
			return nil, nil
		}
		after = page.EndCursor
	}
	return nil, nil
}

// InvoiceByExternalID returns the invoice of the caller's wallet that
// carries externalID (the InvoiceOptions.ExternalID it was created with,
// or its payment hash when it was created without one). The API has no
// look-up by external id: the call walks the wallet's invoices, newest
// first, 100 a request (query
// me.defaultAccount.walletById.invoices, operation InvoiceByExternalID;
// scope READ), and stops at the first that carries it. It looks at the
// wallet's 1,000 newest invoices at most (10 requests): when none of them
// carries externalID, it returns an *Error matching ErrNotFound, also when
// an older invoice does. To find an invoice by payment hash, Invoice needs
// one request.
//
// A wallet id that is not a UUID, or an external id that is not 1 to 100
// of a-z, 0-9, _ and -, is refused before any request with an error
// matching ErrInvalidInput. A wallet that is not the account's is also an
// *Error matching ErrNotFound, from the server (its Path ends in
// walletById).
func (c *Client) InvoiceByExternalID(ctx context.Context, walletID, externalID string) (*Invoice, error) {
	const op = "InvoiceByExternalID"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	if !validExternalID(externalID) {
		// Not echoed: a malformed id may be anything, a key included.
		return nil, invalidInput(op, "the external id (%d bytes) is not 1 to 100 of a-z, 0-9, _ and -", len(externalID))
	}
	found, err := scanForExternalID(externalID, func(after string) (*InvoicePage, error) {
		return c.walletInvoicesPage(ctx, op, walletID, after)
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, &Error{Operation: op, Code: "NOT_FOUND", HTTPStatus: 200,
			Message: fmt.Sprintf("none of the %d newest invoices of wallet %s carries this external id", maxExternalIDPages*MaxInvoicePageSize, walletID)}
	}
	return found, nil
}

// walletInvoicesPage fetches one page of a wallet's invoices, newest
// first, 100 after the cursor after (query InvoiceByExternalID).
func (c *Client) walletInvoicesPage(ctx context.Context, op, walletID, after string) (*InvoicePage, error) {
	first := MaxInvoicePageSize
	var afterArg *string
	if after != "" {
		afterArg = &after
	}
	resp, err := gen.InvoiceByExternalID(ctx, c.gql, walletID, &first, afterArg)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	page := &InvoicePage{}
	conn := resp.Me.DefaultAccount.WalletById.Invoices
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
