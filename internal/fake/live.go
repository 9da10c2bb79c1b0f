package fake

import (
	"time"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

// live is the server's state as the live GraphQL objects (User,
// ConsumerAccount, BTCWallet, UsdWallet) read it: every method takes s.mu
// and reads the state of the moment, as the field resolvers it replaces
// did.
type live struct{ s *Server }

var _ model.State = live{}

func (l live) account(id string) *account { return l.s.accounts[id] }

func (l live) UserID(accountID string) string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.account(accountID).userID
}

func (l live) Username(accountID string) *string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return strPtr(l.account(accountID).username)
}

func (l live) UserCreatedAt(accountID string) *time.Time {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	t := l.account(accountID).createdAt
	return &t
}

func (l live) AccountLevel(accountID string) model.AccountLevel {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return model.AccountLevel(l.account(accountID).level)
}

func (l live) AccountDisplayCurrency(accountID string) string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.account(accountID).displayCurrency
}

func (l live) AccountDefaultWalletID(accountID string) string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.account(accountID).defaultWallet
}

func (l live) AccountDefaultWallet(accountID string) *model.PublicWallet {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.s.publicWallet(l.s.wallets[l.account(accountID).defaultWallet])
}

func (l live) AccountWallets(accountID string) []model.Wallet {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	a := l.account(accountID)
	return []model.Wallet{l.s.modelWallet(l.s.wallets[a.btcWallet]), l.s.modelWallet(l.s.wallets[a.usdWallet])}
}

func (l live) AccountCallbackEndpoints(accountID string) []*model.CallbackEndpoint {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	out := []*model.CallbackEndpoint{}
	for _, e := range l.account(accountID).endpoints {
		out = append(out, &model.CallbackEndpoint{ID: e.id, URL: e.url})
	}
	return out
}

func (l live) WalletAccountID(walletID string) string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.s.wallets[walletID].accountID
}

func (l live) WalletBalance(walletID string) scalars.SignedAmount {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return scalars.SignedAmount(l.s.wallets[walletID].balance)
}

func (l live) WalletCurrency(walletID string) model.WalletCurrency {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return model.WalletCurrency(l.s.wallets[walletID].currency)
}

func (l live) WalletPendingIncomingBalance(walletID string) scalars.SignedAmount {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	var sum int64
	for _, t := range l.s.pendingIncoming([]string{walletID}) {
		sum += t.Amount
	}
	return scalars.SignedAmount(sum)
}
