package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// TestQuickstartWithoutKeyPaysBobFromAliceOnTheFake runs the quickstart as a
// newcomer would, with no BLINK_API_KEY, and checks that it reports both
// balances moving by the invoice's 21,000 sats.
func TestQuickstartWithoutKeyPaysBobFromAliceOnTheFake(t *testing.T) {
	t.Setenv("BLINK_API_KEY", "")
	var out bytes.Buffer

	require.NoError(t, run(context.Background(), &out))

	got := out.String()
	assert.Regexp(t, regexp.MustCompile(`balances before:\n  alice: 100000 sats\n  bob:   0 sats\n`), got)
	assert.Contains(t, got, "bob created an invoice for 21000 sats: lnbcrt")
	assert.Contains(t, got, "alice paid it: SUCCEEDED, fee 0 sats")
	assert.Contains(t, got, "alice's transaction: SEND -21000 sats SUCCESS via lightning")
	assert.Contains(t, got, "bob's wait ended: invoice PAID, with its preimage: true")
	assert.Regexp(t, regexp.MustCompile(`balances after:\n  alice: 79000 sats\n  bob:   21000 sats\n`), got)
}

// TestQuickstartWithKeyOnlyReadsTheAccount runs the quickstart with a key
// from the environment (pointed at a fake, so the test stays offline) and
// checks that it prints the account and that no money moved.
func TestQuickstartWithKeyOnlyReadsTheAccount(t *testing.T) {
	srv := blinktest.New(t)
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "carol", BTCBalance: 5_000})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{})
	t.Setenv("BLINK_API_KEY", key)
	t.Setenv("BLINK_ENV", "local")
	t.Setenv("BLINK_API_URL", srv.URL())
	var out bytes.Buffer

	require.NoError(t, run(context.Background(), &out))

	got := out.String()
	assert.Contains(t, got, "network: regtest")
	assert.Contains(t, got, "key scopes: [READ RECEIVE WRITE]")
	assert.Contains(t, got, "user carol")
	assert.Contains(t, got, "BTC wallet "+acct.BTCWalletID+" (default): 5000 sats")
	assert.NotContains(t, got, key, "the API key must be printed redacted")
	assert.Equal(t, blink.Amount{Value: 5_000, Currency: blink.BTC}, srv.Balance(acct.BTCWalletID))
	assert.Empty(t, srv.Ledger(acct.BTCWalletID), "read-only mode must not move money")
}

// TestQuickstartWithKeyWithoutReadSaysSo checks the hint a key without READ
// gets instead of a failure.
func TestQuickstartWithKeyWithoutReadSaysSo(t *testing.T) {
	srv := blinktest.New(t)
	acct := srv.CreateAccount(blinktest.AccountOptions{})
	t.Setenv("BLINK_API_KEY", srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeReceive}}))
	t.Setenv("BLINK_ENV", "local")
	t.Setenv("BLINK_API_URL", srv.URL())
	var out bytes.Buffer

	require.NoError(t, run(context.Background(), &out))

	assert.Contains(t, out.String(), "this key has no READ scope")
}
