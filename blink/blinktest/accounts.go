package blinktest

import (
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/internal/testserver"
)

// Level is an account's verification level.
type Level string

// The account levels; LevelOne is the default.
const (
	LevelZero  Level = "ZERO"
	LevelOne   Level = "ONE"
	LevelTwo   Level = "TWO"
	LevelThree Level = "THREE"
)

// AccountOptions describes an account to create. Zero fields take their
// defaults.
type AccountOptions struct {
	// Username is the account's username (3 to 50 of [0-9a-z_]); "" = a
	// generated one.
	Username string
	// Level is LevelOne by default.
	Level Level
	// DisplayCurrency is "USD" by default.
	DisplayCurrency string
	// BTCBalance is the BTC wallet's opening balance.
	BTCBalance blink.Sats
	// USDBalance is the USD wallet's opening balance.
	USDBalance blink.Cents
	// DefaultCurrency picks the default wallet: blink.BTC (default) or
	// blink.USD.
	DefaultCurrency blink.WalletCurrency
	// NoUsername creates the account without a username, which
	// Client.SetUsername can then set once; Username must be "".
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
	// Scopes are the key's scopes; empty means all three.
	Scopes []blink.Scope
	// DailyLimit limits what the key may send in a rolling 24 hours; 0 =
	// no limit. Exceeding a limit fails the send with FAILURE and
	// TRANSACTION_RESTRICTED.
	DailyLimit blink.Sats
	// WeeklyLimit limits a rolling 7 days; 0 = none.
	WeeklyLimit blink.Sats
	// MonthlyLimit limits a rolling 30 days; 0 = none.
	MonthlyLimit blink.Sats
	// AnnualLimit limits a rolling 365 days; 0 = none.
	AnnualLimit blink.Sats
	// Name is the key's name in Client.APIKeys; "" = "blinktest".
	Name string
	// ExpiresAt is when the key stops authenticating, by the server's
	// clock (WithClock); zero = never. From then on it gets HTTP 401, as
	// an expired key does on Blink.
	ExpiresAt time.Time
}

// CreateAccount creates an account with a BTC and a USD wallet. It panics
// on an invalid or taken username.
func (s *Server) CreateAccount(o AccountOptions) Account {
	a := s.ts.CreateAccount(testserver.AccountOptions{
		Username: o.Username, Level: string(o.Level), DisplayCurrency: o.DisplayCurrency,
		BTCBalance: int64(o.BTCBalance), USDBalance: int64(o.USDBalance), DefaultCurrency: string(o.DefaultCurrency),
		NoUsername: o.NoUsername,
	})
	s.mu.Lock()
	s.currency[a.BTCWalletID], s.currency[a.USDWalletID] = blink.BTC, blink.USD
	s.mu.Unlock()
	return Account(a)
}

// CreateAPIKey creates an API key for the account and returns it: the
// prefix ("galoy_dev_" by default) and 64 letters and digits. It panics if
// the account does not exist or a scope is unknown.
func (s *Server) CreateAPIKey(accountID string, o KeyOptions) string {
	scopes := make([]string, len(o.Scopes))
	for i, sc := range o.Scopes {
		scopes[i] = string(sc)
	}
	return s.ts.CreateAPIKey(accountID, testserver.KeyOptions{
		Scopes:         scopes,
		DailyLimitSats: int64(o.DailyLimit), WeeklyLimitSats: int64(o.WeeklyLimit),
		MonthlyLimitSats: int64(o.MonthlyLimit), AnnualLimitSats: int64(o.AnnualLimit),
		Name: o.Name, ExpiresAt: o.ExpiresAt,
	})
}

// RevokeAPIKey revokes an API key, as Client.RevokeAPIKey does: every
// later request with it gets HTTP 401 (ErrInvalidAPIKey). It panics if
// the key does not exist.
func (s *Server) RevokeAPIKey(key string) { s.ts.RevokeAPIKey(key) }

// Balance returns a wallet's balance, in sats for a BTC wallet and in
// cents for a USD wallet (Amount.Sats and Amount.Cents tell which). It
// panics if the wallet does not exist.
func (s *Server) Balance(walletID string) blink.Amount {
	v := s.ts.Balance(walletID)
	s.mu.Lock()
	cur := s.currency[walletID]
	s.mu.Unlock()
	return blink.Amount{Value: v, Currency: cur}
}
