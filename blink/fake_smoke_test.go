package blink

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFake_MeWalletsAndScopes(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 50_000, 1_000, nil)
	me, err := alice.Client.Me(bg())
	require.NoError(t, err)
	assert.Equal(t, "alice", me.Username)
	ws, err := alice.Client.Wallets(bg())
	require.NoError(t, err)
	require.Len(t, ws, 2)
	btc, err := alice.Client.DefaultWallet(bg(), BTC)
	require.NoError(t, err)
	assert.Equal(t, Amount{Value: 50_000, Currency: BTC}, btc.Balance)
	usd, err := alice.Client.Wallet(bg(), alice.USDWalletID)
	require.NoError(t, err)
	assert.Equal(t, Cents(1_000), Cents(usd.Balance.Value))
	s, err := alice.Client.Scopes(bg())
	require.NoError(t, err)
	assert.ElementsMatch(t, []Scope{ScopeRead, ScopeReceive, ScopeWrite}, s)
	g, err := alice.Client.Globals(bg())
	require.NoError(t, err)
	assert.Equal(t, srv.Network(), g.Network)
	pw, err := alice.Client.AccountDefaultWallet(bg(), "alice", USD)
	require.NoError(t, err)
	assert.Equal(t, alice.USDWalletID, pw.ID)
	p, err := alice.Client.RealtimePrice(bg(), "")
	require.NoError(t, err)
	assert.Equal(t, "USD", p.Currency)
	assert.Positive(t, p.SatPrice.Base)
}

func TestFake_ScopeRefusedLocallyAndByServer(t *testing.T) {
	srv := newFake(t)
	recv := newFakeUser(t, srv, "bob", 0, 0, []string{"RECEIVE"})
	_, err := recv.Client.Me(bg())
	require.ErrorIs(t, err, ErrInsufficientScope)
	assert.Equal(t, 1, srv.Requests("Authorization"), "the key cannot read its scopes")
	assert.Equal(t, 0, srv.Requests("Me"), "Me was refused before sending")

	// A client told the wrong scopes is corrected by the server's answer.
	c, err := New(recv.Key, WithEndpoint(srv.URL()), WithScopes(ScopeRead))
	require.NoError(t, err)
	_, err = c.Me(bg())
	require.ErrorIs(t, err, ErrInsufficientScope)
	assert.Equal(t, 1, srv.Requests("Me"))
}

func TestFake_BadKeyIsInvalidAPIKey(t *testing.T) {
	srv := newFake(t)
	c, err := New("galoy_dev_"+"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", WithEndpoint(srv.URL()), WithScopes(ScopeRead))
	require.NoError(t, err)
	_, err = c.Me(bg())
	require.ErrorIs(t, err, ErrInvalidAPIKey)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.HTTPStatus)
	assert.Equal(t, "Access credentials are invalid", e.Message)
}
