package blink

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// Me describes the user an API key belongs to and its default account.
type Me struct {
	// UserID is the user's id.
	UserID string
	// Username is the user's Blink username; empty when none is set.
	Username string
	// AccountID is the id of the user's default account.
	AccountID string
	// DefaultWalletID is the wallet that receives when no wallet is named.
	DefaultWalletID string
	// DefaultWalletCurrency is the default wallet's currency.
	DefaultWalletCurrency WalletCurrency
	// DisplayCurrency is the fiat currency the account displays, such as "USD".
	DisplayCurrency string
	// Level is the account's verification level: "ZERO", "ONE", "TWO" or "THREE".
	Level string
}

// Wallet is one wallet of the account with its balances.
type Wallet struct {
	// ID is the wallet id, a UUID.
	ID string
	// Currency is BTC (balances in sats) or USD (balances in cents).
	Currency WalletCurrency
	// Balance is the settled balance.
	Balance Amount
	// PendingIncoming is incoming on-chain money not yet confirmed.
	PendingIncoming Amount
}

// Me returns the caller's user and default account (query me; scope READ).
func (c *Client) Me(ctx context.Context) (*Me, error) {
	resp, err := gen.Me(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	u := resp.Me
	if u == nil {
		return nil, &Error{Operation: "Me", Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	m := &Me{UserID: u.Id}
	if u.Username != nil {
		m.Username = *u.Username
	}
	a := &u.DefaultAccount
	m.AccountID = a.Id
	m.Level = string(a.Level)
	m.DisplayCurrency = a.DisplayCurrency
	m.DefaultWalletID = a.DefaultWallet.Id
	m.DefaultWalletCurrency = WalletCurrency(a.DefaultWallet.Currency)
	return m, nil
}

// walletFields is what the generated wallet types have in common.
type walletFields interface {
	GetId() string
	GetWalletCurrency() gen.WalletCurrency
	GetBalance() scalarSigned
	GetPendingIncomingBalance() scalarSigned
}

func toWallet(w walletFields) Wallet {
	cur := WalletCurrency(w.GetWalletCurrency())
	return Wallet{
		ID:              w.GetId(),
		Currency:        cur,
		Balance:         Amount{Value: int64(w.GetBalance()), Currency: cur},
		PendingIncoming: Amount{Value: int64(w.GetPendingIncomingBalance()), Currency: cur},
	}
}

// Wallets returns every wallet of the caller's account with its balances
// (query me.defaultAccount.wallets; scope READ).
func (c *Client) Wallets(ctx context.Context) ([]Wallet, error) {
	resp, err := gen.Wallets(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: "Wallets", Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	ws := resp.Me.DefaultAccount.Wallets
	out := make([]Wallet, 0, len(ws))
	for i := range ws {
		out = append(out, toWallet(&ws[i]))
	}
	return out, nil
}

// Wallet returns one wallet of the caller's account by id (query
// me.defaultAccount.walletById; scope READ). An id that is not a UUID is
// refused before sending.
func (c *Client) Wallet(ctx context.Context, walletID string) (*Wallet, error) {
	if err := checkWalletID("WalletByID", "walletID", walletID); err != nil {
		return nil, err
	}
	resp, err := gen.WalletByID(ctx, c.gql, walletID)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: "WalletByID", Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	w := toWallet(&resp.Me.DefaultAccount.WalletById)
	return &w, nil
}

// DefaultWallet returns the caller's wallet in the given currency (BTC or
// USD), with its balances (query me.defaultAccount.wallets; scope READ). It
// returns an error matching ErrNotFound when the account has no such wallet.
func (c *Client) DefaultWallet(ctx context.Context, currency WalletCurrency) (*Wallet, error) {
	if err := checkCurrency("Wallets", currency); err != nil {
		return nil, err
	}
	ws, err := c.Wallets(ctx)
	if err != nil {
		return nil, err
	}
	for i := range ws {
		if ws[i].Currency == currency {
			return &ws[i], nil
		}
	}
	return nil, &Error{Operation: "Wallets", Code: "NOT_FOUND", Message: "the account has no " + string(currency) + " wallet"}
}
