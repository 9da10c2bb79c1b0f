package blinktest_test

import (
	"context"
	"fmt"
	"log"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// The server speaks the SDK's types: scopes, sats and cents, levels,
// currencies, payout speeds.
func TestServer_SpeaksTheSDKsTypes(t *testing.T) {
	srv := blinktest.New(t, blinktest.WithPrice(5_000_000))
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "shop", Level: blinktest.LevelTwo,
		BTCBalance: 21_000, USDBalance: 1_234, DefaultCurrency: blink.USD})
	assert.Equal(t, blink.Amount{Value: 21_000, Currency: blink.BTC}, srv.Balance(acct.BTCWalletID))
	assert.Equal(t, blink.Amount{Value: 1_234, Currency: blink.USD}, srv.Balance(acct.USDWalletID))
	assert.Equal(t, acct.USDWalletID, acct.DefaultWalletID)
	assert.Equal(t, blink.Cents(5_000_000), srv.Price())

	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeReceive}, DailyLimit: 1_000})
	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	scopes, err := c.Scopes(context.Background())
	require.NoError(t, err)
	assert.ElementsMatch(t, []blink.Scope{blink.ScopeRead, blink.ScopeReceive}, scopes)
	me, err := c.Me(context.Background())
	require.NoError(t, err)
	assert.Equal(t, string(blinktest.LevelTwo), me.Level)

	inv, err := c.CreateInvoice(context.Background(), acct.BTCWalletID, 500, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	sats, ok := srv.Balance(acct.BTCWalletID).Sats()
	assert.True(t, ok)
	assert.Equal(t, blink.Sats(21_500), sats)
	assert.Equal(t, blink.Sats(blinktest.OnChainFee(blink.Fast)), blinktest.OnChainFee(""))
}

// Start a fake server, create an account and a key, and receive a payment.
func ExampleNew() {
	srv := blinktest.NewServer() // in a test: blinktest.New(t), closed when the test ends
	defer srv.Close()
	shop := srv.CreateAccount(blinktest.AccountOptions{Username: "shop"})
	key := srv.CreateAPIKey(shop.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeReceive}})
	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	inv, err := c.CreateInvoice(context.Background(), shop.BTCWalletID, 5_000, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.PayInvoice(inv.PaymentRequest); err != nil { // a payer outside Blink
		log.Fatal(err)
	}
	fmt.Println(srv.Balance(shop.BTCWalletID))
	// Output: 5000 sats
}
