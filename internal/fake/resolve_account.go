package fake

import (
	"context"
	"sort"
	"strings"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
)

// User and ConsumerAccount: the plain fields are methods of the model
// types that read the state through live (live.go); these are the others.

// modelWallet is the live GraphQL object of a wallet.
func (s *Server) modelWallet(w *wallet) model.Wallet {
	if w.currency == "USD" {
		return model.NewUsdWallet(live{s}, w.id)
	}
	return model.NewBTCWallet(live{s}, w.id)
}

func (r *accountResolver) WalletByID(_ context.Context, a *model.ConsumerAccount, walletID string) (model.Wallet, error) {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	if !uuidRe.MatchString(walletID) {
		return nil, inputError("Invalid value for WalletId")
	}
	w, ok := r.s.walletOf(a.AccountID, walletID)
	if !ok {
		return nil, unexpected("CouldNotFindWalletFromIdError")
	}
	return r.s.modelWallet(w), nil
}

// accountWallets resolves a walletIds argument: nil or empty = every
// wallet of the account; wallets of other accounts are ignored.
// Callers hold s.mu.
func (s *Server) accountWallets(accountID string, walletIDs []*string) []string {
	a := s.accounts[accountID]
	if len(walletIDs) == 0 {
		return []string{a.btcWallet, a.usdWallet}
	}
	var out []string
	for _, id := range walletIDs {
		if id != nil {
			if _, ok := s.walletOf(accountID, *id); ok {
				out = append(out, *id)
			}
		}
	}
	return out
}

func txID(t *Transaction) string { return t.ID }

func (r *accountResolver) Transactions(_ context.Context, a *model.ConsumerAccount, after, before *string, first, last *int, walletIds []*string) (*model.TransactionConnection, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := paginate(s.walletTxs(s.accountWallets(a.AccountID, walletIds)), txID, first, last, after, before)
	if err != nil {
		return nil, err
	}
	return toTxConnection(p), nil
}

func (r *accountResolver) PendingIncomingTransactions(_ context.Context, a *model.ConsumerAccount, walletIds []*string) ([]*model.Transaction, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return toModelTxs(s.pendingIncoming(s.accountWallets(a.AccountID, walletIds))), nil
}

func (r *accountResolver) Invoices(_ context.Context, a *model.ConsumerAccount, after, before *string, first, last *int, walletIds []*string) (*model.InvoiceConnection, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.invoiceConnection(s.accountWallets(a.AccountID, walletIds), after, before, first, last)
}

// invoiceConnection pages the invoices of wallets, newest first, with the
// payment hash as cursor. Callers hold s.mu.
func (s *Server) invoiceConnection(walletIDs []string, after, before *string, first, last *int) (*model.InvoiceConnection, error) {
	in := map[string]bool{}
	for _, id := range walletIDs {
		in[id] = true
	}
	var invs []*invoice
	for _, inv := range s.invoices {
		if !inv.external && in[inv.walletID] {
			invs = append(invs, inv)
		}
	}
	sort.Slice(invs, func(i, j int) bool {
		if !invs[i].createdAt.Equal(invs[j].createdAt) {
			return invs[i].createdAt.After(invs[j].createdAt)
		}
		return invs[i].hash > invs[j].hash
	})
	p, err := paginate(invs, func(i *invoice) string { return i.hash }, first, last, after, before)
	if err != nil {
		return nil, err
	}
	c := &model.InvoiceConnection{PageInfo: &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrevious}}
	for _, inv := range p.Items {
		c.Edges = append(c.Edges, &model.InvoiceEdge{Cursor: inv.hash, Node: s.toModelInvoice(inv)})
	}
	if n := len(p.Items); n > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &p.Items[0].hash, &p.Items[n-1].hash
	}
	return c, nil
}

// CallbackPortalURL links to the fake's stand-in for Svix's app portal,
// which shows the account's endpoints and secret (webhooks.go).
func (r *accountResolver) CallbackPortalURL(_ context.Context, a *model.ConsumerAccount) (string, error) {
	return r.s.portalURL(a.AccountID), nil
}

func (r *accountResolver) RealtimePrice(_ context.Context, a *model.ConsumerAccount) (*model.RealtimePrice, error) {
	return r.s.realtimePrice(nil)
}

// Wallets (BTCWallet and UsdWallet share these).

type walletFields struct{ s *Server }

func walletIDOf(obj any) string {
	switch w := obj.(type) {
	case *model.BTCWallet:
		return w.WalletID
	case *model.UsdWallet:
		return w.WalletID
	}
	return ""
}

func (f walletFields) transactions(obj any, after, before *string, first, last *int) (*model.TransactionConnection, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	p, err := paginate(f.s.walletTxs([]string{walletIDOf(obj)}), txID, first, last, after, before)
	if err != nil {
		return nil, err
	}
	return toTxConnection(p), nil
}

func (f walletFields) byHash(obj any, hash string) ([]*model.Transaction, error) {
	if !hashRe.MatchString(hash) {
		return nil, inputError("Invalid value for PaymentHash")
	}
	hash = strings.ToLower(hash)
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return toModelTxs(f.s.hashTxs(walletIDOf(obj), hash, nil)), nil
}

// byRequest finds the transactions through the payment hash index: every
// ledger entry with a payment request is for one of the fake's invoices
// and has its request and hash.
func (f walletFields) byRequest(obj any, pr string) ([]*model.Transaction, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	var out []*Transaction
	if inv := f.s.byRequest[pr]; inv != nil {
		out = f.s.hashTxs(walletIDOf(obj), inv.hash, func(t *Transaction) bool { return t.PaymentRequest == pr })
	}
	return toModelTxs(out), nil
}

func (f walletFields) byAddress(obj any, address string, after, before *string, first, last *int) (*model.TransactionConnection, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	var ts []*Transaction
	for _, t := range f.s.walletTxs([]string{walletIDOf(obj)}) {
		if t.Address == address {
			ts = append(ts, t)
		}
	}
	p, err := paginate(ts, txID, first, last, after, before)
	if err != nil {
		return nil, err
	}
	return toTxConnection(p), nil
}

func (f walletFields) byID(obj any, id string) (*model.Transaction, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	t, ok := f.s.txs[id]
	if !ok || t.WalletID != walletIDOf(obj) {
		return nil, &AppError{Code: "NOT_FOUND", Message: "Transaction not found for id " + id}
	}
	return toModelTx(t), nil
}

func (f walletFields) invoiceByHash(obj any, hash string) (model.Invoice, error) {
	if !hashRe.MatchString(hash) {
		return nil, inputError("Invalid value for PaymentHash")
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	inv := f.s.invoices[strings.ToLower(hash)]
	if inv == nil || inv.walletID != walletIDOf(obj) {
		return nil, &AppError{Code: "NOT_FOUND", Message: "Unexpected error occurred, please try again or contact support if it persists (code: CouldNotFindWalletInvoiceError)"}
	}
	return f.s.toModelInvoice(inv), nil
}

func (f walletFields) invoices(obj any, after, before *string, first, last *int) (*model.InvoiceConnection, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.s.invoiceConnection([]string{walletIDOf(obj)}, after, before, first, last)
}

func (f walletFields) pendingTxs(obj any, address *string) ([]*model.Transaction, error) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	var out []*Transaction
	for _, t := range f.s.pendingIncoming([]string{walletIDOf(obj)}) {
		if address == nil || t.Address == *address {
			out = append(out, t)
		}
	}
	return toModelTxs(out), nil
}
