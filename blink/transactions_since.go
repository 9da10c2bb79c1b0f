package blink

import (
	"context"
	"iter"
	"slices"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// TransactionsSincePage returns one page of the account's transactions
// newer than since, oldest first (query me.defaultAccount.transactions
// with last and before; scope READ): the opts.PageSize entries (100 when
// 0) that come just after since. since is a cursor: the ID of a
// transaction, or the EndCursor of a page this method returned; empty
// means from the oldest entry of the ledger.
//
// The page's EndCursor is its newest entry: pass it as since for the next
// page while HasNextPage is true. An empty page (nothing newer than since)
// has an empty EndCursor: keep the cursor you had. opts may be nil;
// opts.After must be empty (it walks the other way). Malformed wallet ids,
// a page size outside 0..100 and a set After are refused before sending
// with an error matching ErrInvalidInput. See TransactionsSince for what
// an incremental sync must also watch.
func (c *Client) TransactionsSincePage(ctx context.Context, since string, opts *TransactionListOptions) (*TransactionPage, error) {
	const op = "TransactionsSince"
	walletIDs, last, err := opts.listArgs(op)
	if err != nil {
		return nil, err
	}
	if opts != nil && opts.After != "" {
		return nil, invalidInput(op, "TransactionListOptions.After walks towards older entries and since towards newer ones: leave After empty (use TransactionsPage to walk older entries)")
	}
	var before *string
	if since != "" {
		before = &since
	}
	resp, err := gen.TransactionsSince(ctx, c.gql, walletIDs, &last, before)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	page := &TransactionPage{}
	conn := resp.Me.DefaultAccount.Transactions
	if conn == nil {
		return page, nil
	}
	// The connection lists the page newest first, as every page of the
	// ledger; the walk goes the other way.
	page.Transactions = make([]Transaction, 0, len(conn.Edges))
	for i := range conn.Edges {
		page.Transactions = append(page.Transactions, toTransaction(&conn.Edges[i].Node.TransactionFields))
	}
	slices.Reverse(page.Transactions)
	page.HasNextPage = conn.PageInfo.HasPreviousPage
	page.EndCursor = deref(conn.PageInfo.StartCursor)
	if page.EndCursor == "" && len(conn.Edges) > 0 {
		page.EndCursor = conn.Edges[0].Cursor
	}
	return page, nil
}

// TransactionsSince returns an iterator over the account's transactions
// newer than since, oldest first, up to the newest (TransactionsSincePage,
// one request a page of opts.PageSize; scope READ): what happened since
// the last transaction seen. since is that transaction's ID; empty walks
// the whole ledger from its oldest entry. opts may be nil; it is copied
// when TransactionsSince is called, and each range over the iterator
// starts again from since. A page is fetched only when the loop has
// consumed the previous one, so breaking out of the loop stops the
// requests; on a failure the iterator yields the error (with a zero
// Transaction) and stops. Arguments are checked as by
// TransactionsSincePage.
//
// A reconciler handles each transaction, stores its ID, and passes the
// last ID stored as since the next time: the walk resumes just after it,
// after a crash too. What the walk does not show:
//   - changes to entries already listed: a PENDING send settles or fails
//     later with the same ID (look it up again with Transaction until its
//     Status is final); the refund of a failed send is a new RECEIVE entry,
//     which the walk lists;
//   - incoming on-chain transactions not yet confirmed
//     (PendingIncomingTransactions): once confirmed, they are new entries;
//   - an entry created just before the last one seen but written to the
//     ledger after it was read: the ledger orders entries by an id given
//     when an entry is created, not when it is written. To catch those,
//     start again from an entry seen a little earlier (for example the
//     newest one at least a minute older than the last) and skip the IDs
//     already handled.
func (c *Client) TransactionsSince(ctx context.Context, since string, opts *TransactionListOptions) iter.Seq2[Transaction, error] {
	var o TransactionListOptions
	if opts != nil {
		o = *opts
		o.WalletIDs = append([]string(nil), opts.WalletIDs...)
	}
	return walkPages("TransactionsSince", since, func(cursor string) ([]Transaction, string, bool, error) {
		page, err := c.TransactionsSincePage(ctx, cursor, &o)
		if err != nil {
			return nil, "", false, err
		}
		return page.Transactions, page.EndCursor, page.HasNextPage, nil
	})
}
