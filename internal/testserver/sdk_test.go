package testserver_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
)

// The SDK's own generated documents against the fake: a smoke test that the
// two agree on the schema. The SDK's behaviour is tested in package blink.
func TestSDKReadsMeWalletsAndGlobalsFromTheFake(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, err := blink.New(f.aliceK, blink.WithEndpoint(f.srv.URL()))
	require.NoError(t, err)

	me, err := c.Me(ctx)
	require.NoError(t, err)
	assert.Equal(t, f.alice.UserID, me.UserID)
	assert.Equal(t, "alice", me.Username)
	assert.Equal(t, f.alice.ID, me.AccountID)
	assert.Equal(t, f.alice.BTCWalletID, me.DefaultWalletID)

	ws, err := c.Wallets(ctx)
	require.NoError(t, err)
	require.Len(t, ws, 2)
	assert.Equal(t, f.alice.BTCWalletID, ws[0].ID)

	g, err := c.Globals(ctx)
	require.NoError(t, err)
	assert.Equal(t, "regtest", g.Network)
	assert.Equal(t, "blinktest.invalid", g.LightningAddressDomain)
}
