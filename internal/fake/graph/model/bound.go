package model

import (
	"time"

	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

// State is the fake server's current state as the live objects read it.
// Every method reads the state at the time it is called (under the
// server's lock), so a field reflects the ledger when it is resolved.
//
// The plain fields of the live objects are methods of the objects that
// take no context and return no error: gqlgen binds a schema field to such
// a method and resolves it inline, where a field resolver would cost a
// goroutine per field. Fields with arguments, or that the fake does not
// simulate, stay resolvers.
type State interface {
	UserID(accountID string) string
	Username(accountID string) *string
	UserCreatedAt(accountID string) *time.Time
	AccountLevel(accountID string) AccountLevel
	AccountDisplayCurrency(accountID string) string
	AccountDefaultWalletID(accountID string) string
	AccountDefaultWallet(accountID string) *PublicWallet
	AccountWallets(accountID string) []Wallet
	AccountCallbackEndpoints(accountID string) []*CallbackEndpoint
	WalletAccountID(walletID string) string
	WalletBalance(walletID string) scalars.SignedAmount
	WalletCurrency(walletID string) WalletCurrency
	WalletPendingIncomingBalance(walletID string) scalars.SignedAmount
	UserLanguage(accountID string) string
	UserContacts(accountID string) []*UserContact
}

// User is the GraphQL User object of the fake: it carries the account id;
// every field is read from the server's current state.
type User struct {
	// AccountID is the fake account the user owns.
	AccountID string
	st        State
}

// NewUser returns the User of an account, reading st.
func NewUser(st State, accountID string) *User { return &User{AccountID: accountID, st: st} }

// ID is User.id.
func (u *User) ID() string { return u.st.UserID(u.AccountID) }

// Username is User.username.
func (u *User) Username() *string { return u.st.Username(u.AccountID) }

// CreatedAt is User.createdAt.
func (u *User) CreatedAt() *time.Time { return u.st.UserCreatedAt(u.AccountID) }

// DefaultAccount is User.defaultAccount.
func (u *User) DefaultAccount() Account { return NewConsumerAccount(u.st, u.AccountID) }

// Language is User.language; "" for the default.
func (u *User) Language() string { return u.st.UserLanguage(u.AccountID) }

// TotpEnabled is User.totpEnabled: never.
func (u *User) TotpEnabled() bool { return false }

// Email is User.email: none.
func (u *User) Email() *Email { return nil }

// Phone is User.phone: none.
func (u *User) Phone() *string { return nil }

// Contacts is User.contacts.
func (u *User) Contacts() []*UserContact { return u.st.UserContacts(u.AccountID) }

// ConsumerAccount is the GraphQL ConsumerAccount object of the fake.
type ConsumerAccount struct {
	// AccountID identifies the fake account.
	AccountID string
	st        State
}

// NewConsumerAccount returns the ConsumerAccount of an account, reading st.
func NewConsumerAccount(st State, accountID string) *ConsumerAccount {
	return &ConsumerAccount{AccountID: accountID, st: st}
}

// IsAccount marks ConsumerAccount as an Account.
func (ConsumerAccount) IsAccount() {}

// ID is ConsumerAccount.id.
func (a *ConsumerAccount) ID() string { return a.AccountID }

// Level is ConsumerAccount.level.
func (a *ConsumerAccount) Level() AccountLevel { return a.st.AccountLevel(a.AccountID) }

// DisplayCurrency is ConsumerAccount.displayCurrency.
func (a *ConsumerAccount) DisplayCurrency() string { return a.st.AccountDisplayCurrency(a.AccountID) }

// DefaultWalletID is ConsumerAccount.defaultWalletId.
func (a *ConsumerAccount) DefaultWalletID() string { return a.st.AccountDefaultWalletID(a.AccountID) }

// DefaultWallet is ConsumerAccount.defaultWallet.
func (a *ConsumerAccount) DefaultWallet() *PublicWallet {
	return a.st.AccountDefaultWallet(a.AccountID)
}

// Wallets is ConsumerAccount.wallets.
func (a *ConsumerAccount) Wallets() []Wallet { return a.st.AccountWallets(a.AccountID) }

// CallbackEndpoints is ConsumerAccount.callbackEndpoints.
func (a *ConsumerAccount) CallbackEndpoints() []*CallbackEndpoint {
	return a.st.AccountCallbackEndpoints(a.AccountID)
}

// BTCWallet is the GraphQL BTCWallet object of the fake.
type BTCWallet struct {
	// WalletID identifies the fake wallet.
	WalletID string
	st       State
}

// NewBTCWallet returns the BTCWallet object of a wallet, reading st.
func NewBTCWallet(st State, walletID string) *BTCWallet {
	return &BTCWallet{WalletID: walletID, st: st}
}

// IsWallet marks BTCWallet as a Wallet.
func (BTCWallet) IsWallet() {}

// ID is BTCWallet.id.
func (w *BTCWallet) ID() string { return w.WalletID }

// AccountID is BTCWallet.accountId.
func (w *BTCWallet) AccountID() string { return w.st.WalletAccountID(w.WalletID) }

// Balance is BTCWallet.balance.
func (w *BTCWallet) Balance() scalars.SignedAmount { return w.st.WalletBalance(w.WalletID) }

// WalletCurrency is BTCWallet.walletCurrency.
func (w *BTCWallet) WalletCurrency() WalletCurrency { return w.st.WalletCurrency(w.WalletID) }

// PendingIncomingBalance is BTCWallet.pendingIncomingBalance.
func (w *BTCWallet) PendingIncomingBalance() scalars.SignedAmount {
	return w.st.WalletPendingIncomingBalance(w.WalletID)
}

// UsdWallet is the GraphQL UsdWallet object of the fake.
type UsdWallet struct {
	// WalletID identifies the fake wallet.
	WalletID string
	st       State
}

// NewUsdWallet returns the UsdWallet object of a wallet, reading st.
func NewUsdWallet(st State, walletID string) *UsdWallet {
	return &UsdWallet{WalletID: walletID, st: st}
}

// IsWallet marks UsdWallet as a Wallet.
func (UsdWallet) IsWallet() {}

// ID is UsdWallet.id.
func (w *UsdWallet) ID() string { return w.WalletID }

// AccountID is UsdWallet.accountId.
func (w *UsdWallet) AccountID() string { return w.st.WalletAccountID(w.WalletID) }

// Balance is UsdWallet.balance.
func (w *UsdWallet) Balance() scalars.SignedAmount { return w.st.WalletBalance(w.WalletID) }

// WalletCurrency is UsdWallet.walletCurrency.
func (w *UsdWallet) WalletCurrency() WalletCurrency { return w.st.WalletCurrency(w.WalletID) }

// PendingIncomingBalance is UsdWallet.pendingIncomingBalance.
func (w *UsdWallet) PendingIncomingBalance() scalars.SignedAmount {
	return w.st.WalletPendingIncomingBalance(w.WalletID)
}
