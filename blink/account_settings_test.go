package blink

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestAccountSettings_ReadsWhatTheSettersChanged(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 1_000, 100, nil)
	s, err := u.Client.AccountSettings(bg())
	require.NoError(t, err)
	assert.Equal(t, "alice", s.Username)
	assert.Equal(t, "", s.Language)
	assert.Equal(t, "USD", s.DisplayCurrency)
	assert.Equal(t, PublicWallet{ID: u.BTCWalletID, Currency: BTC}, s.DefaultWallet)
	assert.Equal(t, NotificationSettings{Push: NotificationChannelSettings{Enabled: true, DisabledCategories: []NotificationCategory{}}}, s.Notifications)

	cur, err := u.Client.SetDisplayCurrency(bg(), "eur")
	require.NoError(t, err)
	assert.Equal(t, "EUR", cur)
	w, err := u.Client.SetDefaultWallet(bg(), u.USDWalletID)
	require.NoError(t, err)
	assert.Equal(t, &PublicWallet{ID: u.USDWalletID, Currency: USD}, w)
	lang, err := u.Client.SetLanguage(bg(), "de-CH")
	require.NoError(t, err)
	assert.Equal(t, "de-CH", lang)
	ns, err := u.Client.DisableNotificationCategory(bg(), NotificationMarketing, nil)
	require.NoError(t, err)
	assert.Equal(t, []NotificationCategory{NotificationMarketing}, ns.Push.DisabledCategories)
	ns, err = u.Client.DisableNotificationChannel(bg(), NotificationChannelPush)
	require.NoError(t, err)
	assert.False(t, ns.Push.Enabled)

	s, err = u.Client.AccountSettings(bg())
	require.NoError(t, err)
	assert.Equal(t, "EUR", s.DisplayCurrency)
	assert.Equal(t, "de-CH", s.Language)
	assert.Equal(t, u.USDWalletID, s.DefaultWallet.ID)
	assert.False(t, s.Notifications.Push.Enabled)

	// The new default wallet is what payers by username reach.
	pw, err := u.Client.AccountDefaultWallet(bg(), "alice", "")
	require.NoError(t, err)
	assert.Equal(t, u.USDWalletID, pw.ID)
	id, err := u.Client.UserDefaultWalletID(bg(), "alice")
	require.NoError(t, err)
	assert.Equal(t, u.USDWalletID, id)

	ns, err = u.Client.EnableNotificationChannel(bg(), NotificationChannelPush)
	require.NoError(t, err)
	assert.True(t, ns.Push.Enabled)
	ns, err = u.Client.EnableNotificationCategory(bg(), NotificationMarketing, &NotificationOptions{Channel: NotificationChannelPush})
	require.NoError(t, err)
	assert.Empty(t, ns.Push.DisabledCategories)
}

func TestSetDisplayCurrency_ChangesRealtimePriceCurrencyOfTheAccount(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := u.Client.SetDisplayCurrency(bg(), "JPY")
	require.NoError(t, err)
	p, err := u.Client.RealtimePrice(bg(), "JPY")
	require.NoError(t, err)
	assert.Equal(t, 0, p.FractionDigits)
	assert.Equal(t, "JPY", p.Currency)
	// 1 US cent is 1.5 yen in the fake.
	assert.Equal(t, DisplayAmount{Minor: 150, Currency: "JPY"}, p.CentsToDisplay(100))
}

func TestSettings_ServerRefusalsAreTypedErrors(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)

	_, err := u.Client.SetDisplayCurrency(bg(), "XYZ")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "INVALID_INPUT", e.Code)
	assert.Equal(t, "Invalid currency.", e.Message)
	assert.ErrorIs(t, err, ErrInvalidInput)

	_, err = u.Client.SetDefaultWallet(bg(), bob.BTCWalletID)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorContains(t, err, "Invalid walletId for account.")

	_, err = u.Client.SetUsername(bg(), "carol")
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "USERNAME_ERROR", e.Code)
	assert.Equal(t, "username is immutable", e.Message)

	_, err = u.Client.SetLanguage(bg(), "xx-YYY")
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = u.Client.DisableNotificationCategory(bg(), "Spam", nil)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "Invalid notification category: Spam", e.Message)
}

func TestSetUsername_OnceAndUnique(t *testing.T) {
	srv := newFake(t)
	newFakeUser(t, srv, "alice", 0, 0, nil)
	acct := srv.CreateAccount(blinktest.AccountOptions{NoUsername: true})
	c, err := New(srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}), WithEndpoint(srv.URL()))
	require.NoError(t, err)

	free, err := c.UsernameAvailable(bg(), "Alice")
	require.NoError(t, err)
	assert.False(t, free)
	_, err = c.SetUsername(bg(), "alice")
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "username not available", e.Message)

	free, err = c.UsernameAvailable(bg(), "carol")
	require.NoError(t, err)
	assert.True(t, free)
	name, err := c.SetUsername(bg(), "Carol")
	require.NoError(t, err)
	assert.Equal(t, "carol", name)
	s, err := c.AccountSettings(bg())
	require.NoError(t, err)
	assert.Equal(t, "carol", s.Username)
}

func TestSettings_BadInputRefusedBeforeSending(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, nil)
	sent := func() (n int) {
		for _, op := range []string{"AccountUpdateDisplayCurrency", "AccountUpdateDefaultWalletId", "UserUpdateUsername", "UsernameAvailable",
			"UserUpdateLanguage", "AccountEnableNotificationChannel", "AccountDisableNotificationCategory", "AccountEnableNotificationCategory", "UserDefaultWalletId"} {
			n += srv.Requests(op)
		}
		return n
	}
	for name, call := range map[string]func() error{
		"currency too long": func() error { _, err := u.Client.SetDisplayCurrency(bg(), "EUROS"); return err },
		"currency symbol":   func() error { _, err := u.Client.SetDisplayCurrency(bg(), "€€€"); return err },
		"wallet not uuid":   func() error { _, err := u.Client.SetDefaultWallet(bg(), "nope"); return err },
		"username rule":     func() error { _, err := u.Client.SetUsername(bg(), "1abc"); return err },
		"available rule":    func() error { _, err := u.Client.UsernameAvailable(bg(), "ab"); return err },
		"language chars":    func() error { _, err := u.Client.SetLanguage(bg(), "en US"); return err },
		"channel":           func() error { _, err := u.Client.EnableNotificationChannel(bg(), "SMS"); return err },
		"category empty":    func() error { _, err := u.Client.DisableNotificationCategory(bg(), "", nil); return err },
		"category channel": func() error {
			_, err := u.Client.EnableNotificationCategory(bg(), NotificationPrice, &NotificationOptions{Channel: "SMS"})
			return err
		},
		"user default wallet": func() error { _, err := u.Client.UserDefaultWalletID(bg(), "_x"); return err },
	} {
		err := call()
		assert.True(t, errors.Is(err, ErrInvalidInput), "%s: %v", name, err)
	}
	assert.Zero(t, sent(), "nothing was sent")
}

func TestSettings_WriteScopeCheckedBeforeSending(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, []string{"READ"})
	_, err := u.Client.SetDisplayCurrency(bg(), "EUR")
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ScopeWrite, se.Needed)
	assert.Equal(t, 0, srv.Requests("AccountUpdateDisplayCurrency"))
}
