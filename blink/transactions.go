package blink

import (
	"context"
	"iter"
	"strings"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// MaxTransactionPageSize is the largest page of transactions the API serves, and the
// size of a page when none is asked.
const MaxTransactionPageSize = 100

// TransactionListOptions selects the transactions to list. The zero value
// (or a nil pointer) lists every wallet of the account, 100 a page, from
// the newest.
type TransactionListOptions struct {
	// WalletIDs limits the list to these wallets of the account; empty
	// means every wallet. Wallets of other accounts are ignored by the
	// server.
	WalletIDs []string
	// PageSize is the number of transactions a request fetches: 0 means
	// MaxTransactionPageSize (100); more than 100 or less than 0 is refused before
	// sending.
	PageSize int
	// After is a cursor (TransactionPage.EndCursor, or a transaction id):
	// the list starts with the transaction just older than it. Empty means
	// from the newest. To walk towards newer entries instead, use
	// TransactionsSince, which refuses After.
	After string
}

// TransactionPage is one page of a wallet's ledger: newest first from
// TransactionsPage, oldest first from TransactionsSincePage.
type TransactionPage struct {
	// Transactions are the page's entries, in the order of the walk:
	// newest first from TransactionsPage, oldest first from
	// TransactionsSincePage.
	Transactions []Transaction
	// EndCursor is the cursor of the page's last entry in that order: the
	// oldest from TransactionsPage (pass it as TransactionListOptions.After
	// for the next page), the newest from TransactionsSincePage (pass it as
	// since for the next page). Empty for an empty page.
	EndCursor string
	// HasNextPage reports whether more entries follow in the walk's
	// direction: older ones from TransactionsPage, newer ones from
	// TransactionsSincePage.
	HasNextPage bool
}

// listArgs checks the options for operation op and returns the wire
// arguments: the wallet ids and the page size.
func (o *TransactionListOptions) listArgs(op string) (walletIDs []*string, first int, err error) {
	if o == nil {
		return nil, MaxTransactionPageSize, nil
	}
	switch {
	case o.PageSize < 0:
		return nil, 0, invalidInput(op, "page size %d is negative; use 0 for the default of %d", o.PageSize, MaxTransactionPageSize)
	case o.PageSize > MaxTransactionPageSize:
		return nil, 0, invalidInput(op, "page size %d is above the maximum of %d", o.PageSize, MaxTransactionPageSize)
	case o.PageSize == 0:
		first = MaxTransactionPageSize
	default:
		first = o.PageSize
	}
	walletIDs, err = walletIDArgs(op, o.WalletIDs)
	return walletIDs, first, err
}

// walletIDArgs checks wallet ids and converts them to the generated
// [WalletId] argument; nil when there are none (every wallet).
func walletIDArgs(op string, ids []string) ([]*string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]*string, len(ids))
	for i := range ids {
		if err := checkWalletID(op, "wallet id", ids[i]); err != nil {
			return nil, err
		}
		id := ids[i]
		out[i] = &id
	}
	return out, nil
}

// TransactionsPage returns one page of the account's transactions, newest
// first (query me.defaultAccount.transactions; scope READ). opts may be nil.
// Malformed wallet ids and a page size outside 0..100 are refused before
// sending with an error matching ErrInvalidInput. Walk further pages by
// passing EndCursor as opts.After while HasNextPage is true, or use
// Transactions, which does it for you.
func (c *Client) TransactionsPage(ctx context.Context, opts *TransactionListOptions) (*TransactionPage, error) {
	walletIDs, first, err := opts.listArgs("Transactions")
	if err != nil {
		return nil, err
	}
	var after *string
	if opts != nil && opts.After != "" {
		a := opts.After
		after = &a
	}
	resp, err := gen.Transactions(ctx, c.gql, walletIDs, &first, after)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: "Transactions", Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	page := &TransactionPage{}
	conn := resp.Me.DefaultAccount.Transactions
	if conn == nil {
		return page, nil
	}
	page.Transactions = make([]Transaction, 0, len(conn.Edges))
	for i := range conn.Edges {
		page.Transactions = append(page.Transactions, toTransaction(&conn.Edges[i].Node.TransactionFields))
	}
	page.HasNextPage = conn.PageInfo.HasNextPage
	page.EndCursor = deref(conn.PageInfo.EndCursor)
	if page.EndCursor == "" && len(conn.Edges) > 0 {
		page.EndCursor = conn.Edges[len(conn.Edges)-1].Cursor
	}
	return page, nil
}

// Transactions returns an iterator over the account's transactions, newest
// first, across every page (query me.defaultAccount.transactions, one
// request a page of opts.PageSize; scope READ). opts may be nil; it is
// copied when Transactions is called, and each range over the iterator
// starts again from opts.After.
//
// A page is fetched only when the loop has consumed the previous one, so
// breaking out of the loop stops the requests. On a failure the iterator
// yields the error (with a zero Transaction) and stops:
//
//	for tx, err := range c.Transactions(ctx, nil) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(tx.ID, tx.Amount)
//	}
func (c *Client) Transactions(ctx context.Context, opts *TransactionListOptions) iter.Seq2[Transaction, error] {
	var o TransactionListOptions
	if opts != nil {
		o = *opts
		o.WalletIDs = append([]string(nil), opts.WalletIDs...)
	}
	return walkPages("Transactions", o.After, func(after string) ([]Transaction, string, bool, error) {
		p := o
		p.After = after
		page, err := c.TransactionsPage(ctx, &p)
		if err != nil {
			return nil, "", false, err
		}
		return page.Transactions, page.EndCursor, page.HasNextPage, nil
	})
}

// TransactionsByPaymentHash returns a wallet's transactions for a lightning
// payment hash (query me.defaultAccount.walletById.transactionsByPaymentHash;
// scope READ): the SEND of a payment made from the wallet, the RECEIVE of an
// invoice paid into it, and, for a failed pending payment, the RECEIVE that
// refunds it. It returns an empty slice when the wallet has none. A wallet
// id that is not a UUID or a hash that is not 64 hex digits is refused
// before sending.
func (c *Client) TransactionsByPaymentHash(ctx context.Context, walletID, paymentHash string) ([]Transaction, error) {
	const op = "TransactionsByPaymentHash"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	hash, err := checkPaymentHash(op, paymentHash)
	if err != nil {
		return nil, err
	}
	resp, err := gen.TransactionsByPaymentHash(ctx, c.gql, walletID, hash)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	ts := resp.Me.DefaultAccount.WalletById.TransactionsByPaymentHash
	out := make([]Transaction, 0, len(ts))
	for i := range ts {
		out = append(out, toTransaction(&ts[i].TransactionFields))
	}
	return out, nil
}

// Transaction returns one transaction of a wallet by its id (query
// me.defaultAccount.walletById.transactionById; scope READ). It returns an
// error matching ErrNotFound when the wallet has no transaction with that
// id. A wallet id that is not a UUID or an empty transaction id is refused
// before sending.
func (c *Client) Transaction(ctx context.Context, walletID, transactionID string) (*Transaction, error) {
	const op = "TransactionByID"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(transactionID) == "" {
		return nil, invalidInput(op, "transaction id is empty")
	}
	resp, err := gen.TransactionByID(ctx, c.gql, walletID, transactionID)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	tx := toTransaction(&resp.Me.DefaultAccount.WalletById.TransactionById.TransactionFields)
	return &tx, nil
}

// PendingIncomingTransactions returns the incoming on-chain transactions
// not yet confirmed, of the given wallets or of every wallet of the
// account when none is given (query
// me.defaultAccount.pendingIncomingTransactions; scope READ). They are not
// part of Transactions; once confirmed they appear there under a new id.
// A wallet id that is not a UUID is refused before sending.
func (c *Client) PendingIncomingTransactions(ctx context.Context, walletIDs ...string) ([]Transaction, error) {
	const op = "PendingIncomingTransactions"
	ids, err := walletIDArgs(op, walletIDs)
	if err != nil {
		return nil, err
	}
	resp, err := gen.PendingIncomingTransactions(ctx, c.gql, ids)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	ts := resp.Me.DefaultAccount.PendingIncomingTransactions
	out := make([]Transaction, 0, len(ts))
	for i := range ts {
		out = append(out, toTransaction(&ts[i].TransactionFields))
	}
	return out, nil
}
