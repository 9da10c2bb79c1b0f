package model

// User is the GraphQL User object of the fake: it only carries the account
// id; every field is resolved from the server's current state.
type User struct {
	// AccountID is the fake account the user owns.
	AccountID string
}

// ConsumerAccount is the GraphQL ConsumerAccount object of the fake.
type ConsumerAccount struct {
	// AccountID identifies the fake account.
	AccountID string
}

// IsAccount marks ConsumerAccount as an Account.
func (ConsumerAccount) IsAccount() {}

// BTCWallet is the GraphQL BTCWallet object of the fake.
type BTCWallet struct {
	// WalletID identifies the fake wallet.
	WalletID string
}

// IsWallet marks BTCWallet as a Wallet.
func (BTCWallet) IsWallet() {}

// UsdWallet is the GraphQL UsdWallet object of the fake.
type UsdWallet struct {
	// WalletID identifies the fake wallet.
	WalletID string
}

// IsWallet marks UsdWallet as a Wallet.
func (UsdWallet) IsWallet() {}
