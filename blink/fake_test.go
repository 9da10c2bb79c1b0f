package blink

import (
	"testing"

	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// fakeUser is an account on a blinktest server with a client for one of
// its keys.
type fakeUser struct {
	blinktest.Account
	Key    string
	Client *Client
}

// newFake starts a blinktest server for the test.
func newFake(t testing.TB, opts ...blinktest.Option) *blinktest.Server {
	t.Helper()
	return blinktest.New(t, opts...)
}

// newFakeUser creates an account with the given balances and a key with
// the given scopes (all three when none are given), and a client for it.
// Extra options go to blink.New.
func newFakeUser(t testing.TB, srv *blinktest.Server, username string, btcSats, usdCents int64, scopes []string, opts ...Option) *fakeUser {
	t.Helper()
	if len(scopes) == 0 {
		scopes = []string{"READ", "RECEIVE", "WRITE"}
	}
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: username, BTCBalance: btcSats, USDBalance: usdCents})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: scopes})
	c, err := New(key, append([]Option{WithEndpoint(srv.URL())}, opts...)...)
	require.NoError(t, err)
	return &fakeUser{Account: acct, Key: key, Client: c}
}
