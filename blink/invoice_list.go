package blink

import (
	"context"
	"iter"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// MaxInvoicePageSize is the largest page of invoices the API serves, and
// the size of a page when none is asked.
const MaxInvoicePageSize = 100

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
