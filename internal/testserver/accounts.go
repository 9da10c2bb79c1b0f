package testserver

import (
	"time"

	"github.com/blink-sdk/blink-go/internal/fake"
)

// AccountOptions describes an account to create. Zero fields take their
// defaults.
type AccountOptions struct {
	// Username is the account's username (3 to 50 of [0-9a-z_]); "" = a
	// generated one.
	Username string
	// Level is "ONE" by default; "ZERO", "TWO" or "THREE".
	Level string
	// DisplayCurrency is "USD" by default.
	DisplayCurrency string
	// BTCBalance is the BTC wallet's opening balance in sats.
	BTCBalance int64
	// USDBalance is the USD wallet's opening balance in cents.
	USDBalance int64
	// DefaultCurrency picks the default wallet: "BTC" (default) or "USD".
	DefaultCurrency string
	// NoUsername creates the account without a username, which
	// userUpdateUsername can then set once; Username must be "".
	NoUsername bool
}

// Account identifies a created account and its wallets.
type Account struct {
	ID              string
	UserID          string
	Username        string
	BTCWalletID     string
	USDWalletID     string
	DefaultWalletID string
}

// KeyOptions describes an API key.
type KeyOptions struct {
	// Scopes are "READ", "RECEIVE" and "WRITE"; empty means all three.
	Scopes []string
	// DailyLimitSats limits what the key may send in a rolling 24 hours;
	// 0 = no limit. Exceeding a limit fails the send with FAILURE and
	// TRANSACTION_RESTRICTED.
	DailyLimitSats int64
	// WeeklyLimitSats limits a rolling 7 days; 0 = none.
	WeeklyLimitSats int64
	// MonthlyLimitSats limits a rolling 30 days; 0 = none.
	MonthlyLimitSats int64
	// AnnualLimitSats limits a rolling 365 days; 0 = none.
	AnnualLimitSats int64
	// Name is the key's name in me.apiKeys; "" = "blinktest".
	Name string
	// ExpiresAt is when the key stops authenticating, by the server's
	// clock (WithClock); zero = never. From then on it gets HTTP 401, as
	// an expired key does upstream.
	ExpiresAt time.Time
}

// CreateAccount creates an account with a BTC and a USD wallet. It panics
// on an invalid or taken username.
func (s *Server) CreateAccount(o AccountOptions) Account {
	a := s.fake.CreateAccount(fake.AccountOptions(o))
	return Account(a)
}

// CreateAPIKey creates an API key for the account and returns it: the
// prefix ("galoy_dev_" by default) and 64 letters and digits. It panics if
// the account does not exist or a scope is unknown.
func (s *Server) CreateAPIKey(accountID string, o KeyOptions) string {
	return s.fake.CreateAPIKey(accountID, fake.KeyOptions{
		Scopes:         append([]string(nil), o.Scopes...),
		DailyLimitSats: o.DailyLimitSats, WeeklyLimitSats: o.WeeklyLimitSats,
		MonthlyLimitSats: o.MonthlyLimitSats, AnnualLimitSats: o.AnnualLimitSats,
		Name: o.Name, ExpiresAt: o.ExpiresAt,
	})
}

// RevokeAPIKey revokes an API key, as apiKeyRevoke does: every later
// request with it gets HTTP 401. It panics if the key does not exist.
func (s *Server) RevokeAPIKey(key string) { s.fake.RevokeAPIKey(key) }

// Balance returns a wallet's balance: sats for a BTC wallet, cents for a
// USD wallet. It panics if the wallet does not exist.
func (s *Server) Balance(walletID string) int64 { return s.fake.Balance(walletID) }
