package fake

// The BTCWallet and UsdWallet resolvers forward to walletFields.

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
)

func (r *btcWalletResolver) PendingIncomingTransactions(_ context.Context, w *model.BTCWallet) ([]*model.Transaction, error) {
	return r.pendingTxs(w, nil)
}

func (r *btcWalletResolver) PendingIncomingTransactionsByAddress(_ context.Context, w *model.BTCWallet, address string) ([]*model.Transaction, error) {
	return r.pendingTxs(w, &address)
}

func (r *btcWalletResolver) Transactions(_ context.Context, w *model.BTCWallet, after, before *string, first, last *int) (*model.TransactionConnection, error) {
	return r.transactions(w, after, before, first, last)
}

func (r *btcWalletResolver) TransactionsByAddress(_ context.Context, w *model.BTCWallet, address string, after, before *string, first, last *int) (*model.TransactionConnection, error) {
	return r.byAddress(w, address, after, before, first, last)
}

func (r *btcWalletResolver) TransactionByID(_ context.Context, w *model.BTCWallet, id string) (*model.Transaction, error) {
	return r.byID(w, id)
}

func (r *btcWalletResolver) TransactionsByPaymentHash(_ context.Context, w *model.BTCWallet, hash string) ([]*model.Transaction, error) {
	return r.byHash(w, hash)
}

func (r *btcWalletResolver) TransactionsByPaymentRequest(_ context.Context, w *model.BTCWallet, pr string) ([]*model.Transaction, error) {
	return r.byRequest(w, pr)
}

func (r *btcWalletResolver) InvoiceByPaymentHash(_ context.Context, w *model.BTCWallet, hash string) (model.Invoice, error) {
	return r.invoiceByHash(w, hash)
}

func (r *btcWalletResolver) Invoices(_ context.Context, w *model.BTCWallet, after, before *string, first, last *int) (*model.InvoiceConnection, error) {
	return r.invoices(w, after, before, first, last)
}

func (r *usdWalletResolver) PendingIncomingTransactions(_ context.Context, w *model.UsdWallet) ([]*model.Transaction, error) {
	return r.pendingTxs(w, nil)
}

func (r *usdWalletResolver) PendingIncomingTransactionsByAddress(_ context.Context, w *model.UsdWallet, address string) ([]*model.Transaction, error) {
	return r.pendingTxs(w, &address)
}

func (r *usdWalletResolver) Transactions(_ context.Context, w *model.UsdWallet, after, before *string, first, last *int) (*model.TransactionConnection, error) {
	return r.transactions(w, after, before, first, last)
}

func (r *usdWalletResolver) TransactionsByAddress(_ context.Context, w *model.UsdWallet, address string, after, before *string, first, last *int) (*model.TransactionConnection, error) {
	return r.byAddress(w, address, after, before, first, last)
}

func (r *usdWalletResolver) TransactionByID(_ context.Context, w *model.UsdWallet, id string) (*model.Transaction, error) {
	return r.byID(w, id)
}

func (r *usdWalletResolver) TransactionsByPaymentHash(_ context.Context, w *model.UsdWallet, hash string) ([]*model.Transaction, error) {
	return r.byHash(w, hash)
}

func (r *usdWalletResolver) TransactionsByPaymentRequest(_ context.Context, w *model.UsdWallet, pr string) ([]*model.Transaction, error) {
	return r.byRequest(w, pr)
}

func (r *usdWalletResolver) InvoiceByPaymentHash(_ context.Context, w *model.UsdWallet, hash string) (model.Invoice, error) {
	return r.invoiceByHash(w, hash)
}

func (r *usdWalletResolver) Invoices(_ context.Context, w *model.UsdWallet, after, before *string, first, last *int) (*model.InvoiceConnection, error) {
	return r.invoices(w, after, before, first, last)
}
