package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeStart struct {
	URL        string        `json:"url"`
	ControlURL string        `json:"controlUrl"`
	Network    string        `json:"network"`
	Accounts   []fakeAccount `json:"accounts"`
}

// startFake runs `blink fake --json` on a free loopback port and returns
// what it printed.
func startFake(t *testing.T, args ...string) fakeStart {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s := start(t, "stdout", append([]string{"fake", "--addr", "127.0.0.1:0", "--json"}, args...)...)
	var fs fakeStart
	require.NoError(t, json.Unmarshal([]byte(s.lineWith(t, `"controlUrl"`)), &fs))
	return fs
}

// controlPOST drives the control API over HTTP, as a test in another
// language would.
func controlPOST(t *testing.T, fs fakeStart, path string, body any) (int, map[string]any) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	resp, err := http.Post(fs.ControlURL+"/"+path, "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	raw, _ := io.ReadAll(resp.Body)
	require.NoError(t, json.Unmarshal(raw, &out), "body %s", raw)
	return resp.StatusCode, out
}

func account(t *testing.T, fs fakeStart, name string) fakeAccount {
	for _, a := range fs.Accounts {
		if a.Username == name {
			return a
		}
	}
	t.Fatalf("no account %s", name)
	return fakeAccount{}
}

func TestFake_ControlAPIPaysAnInvoiceMadeThroughTheSDK(t *testing.T) {
	fs := startFake(t, "--accounts", "alice:100000,bob:0")
	assert.Equal(t, "regtest", fs.Network)
	bob := account(t, fs, "bob")
	bc, cs, err := blink.NewFromConnectionString(bob.ConnectionString)
	require.NoError(t, err)
	defer bc.Close()
	assert.Equal(t, bob.BTCWalletID, cs.WalletID)
	ctx := context.Background()

	inv, err := bc.CreateInvoice(ctx, bob.BTCWalletID, 4_200, nil)
	require.NoError(t, err)
	waited := make(chan error, 1)
	go func() { // over the proxied websocket (and HTTP)
		st, err := bc.WaitForInvoice(ctx, inv.PaymentRequest, nil)
		if err == nil && st.Status != blink.InvoicePaid {
			err = errors.New(string(st.Status))
		}
		waited <- err
	}()
	code, out := controlPOST(t, fs, "pay", map[string]string{"paymentRequest": inv.PaymentRequest})
	require.Equal(t, http.StatusOK, code, out)
	select {
	case err := <-waited:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("WaitForInvoice did not return")
	}
	w, err := bc.Wallet(ctx, bob.BTCWalletID)
	require.NoError(t, err)
	assert.Equal(t, int64(4_200), w.Balance.Value)

	// Paying it again is refused with the fake's message, as JSON.
	code, out = controlPOST(t, fs, "pay", map[string]string{"paymentRequest": inv.PaymentRequest})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.NotEmpty(t, out["error"])
	code, _ = controlPOST(t, fs, "nonsense", map[string]string{})
	assert.Equal(t, http.StatusNotFound, code)
}

func TestFake_PendingSettleFailAndFaults(t *testing.T) {
	fs := startFake(t)
	alice := account(t, fs, "alice")
	ac, _, err := blink.NewFromConnectionString(alice.ConnectionString)
	require.NoError(t, err)
	defer ac.Close()
	ctx := context.Background()

	// An outside invoice that stays pending until the control API settles it.
	_, out := controlPOST(t, fs, "external-invoice", map[string]any{"amount": 1_000, "outcome": "pending"})
	pr := out["paymentRequest"].(string)
	res, err := ac.PayInvoice(ctx, alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	require.Equal(t, blink.PaymentPending, res.Status)
	code, out := controlPOST(t, fs, "settle", map[string]string{"paymentHash": res.PaymentHash})
	require.Equal(t, http.StatusOK, code, out)
	r, err := ac.WaitForPayment(ctx, alice.BTCWalletID, res.PaymentHash, &blink.WaitOptions{Interval: 10 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, blink.ResolvedSucceeded, r.Outcome)

	// The same through the subcommand: fail refunds.
	_, out = controlPOST(t, fs, "external-invoice", map[string]any{"amount": 500, "outcome": "pending"})
	res, err = ac.PayInvoice(ctx, alice.BTCWalletID, out["paymentRequest"].(string), nil)
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(ctx, []string{"fake", "fail", res.PaymentHash, "--control-url", fs.ControlURL}, nil, &stdout, &stderr), stderr.String())
	assert.Equal(t, "ok\n", stdout.String())
	r, err = ac.WaitForPayment(ctx, alice.BTCWalletID, res.PaymentHash, &blink.WaitOptions{Interval: 10 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, blink.ResolvedFailed, r.Outcome)

	// A fault from the subcommand: the answer of the next send is lost.
	require.Equal(t, exitOK, run(ctx, []string{"fake", "fault", "lnInvoicePaymentSend", "drop-after", "--control-url", fs.URL}, nil, io.Discard, &stderr), stderr.String())
	_, out = controlPOST(t, fs, "external-invoice", map[string]any{"amount": 700})
	_, err = ac.PayInvoice(ctx, alice.BTCWalletID, out["paymentRequest"].(string), nil)
	assert.ErrorIs(t, err, blink.ErrOutcomeUnknown)

	// Advancing the clock moves the server's time.
	code, out = controlPOST(t, fs, "advance", map[string]any{"seconds": 3600})
	require.Equal(t, http.StatusOK, code, out)
	now, err := time.Parse(time.RFC3339Nano, out["now"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(time.Hour), now, time.Minute)
}

func TestFake_OnChainDepositAndConfirm(t *testing.T) {
	fs := startFake(t, "--accounts", "bob:0")
	bob := account(t, fs, "bob")
	bc, _, err := blink.NewFromConnectionString(bob.ConnectionString)
	require.NoError(t, err)
	defer bc.Close()
	ctx := context.Background()
	addr, err := bc.CreateOnChainAddress(ctx, bob.BTCWalletID)
	require.NoError(t, err)

	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run(ctx, []string{"fake", "receive-onchain", addr, "25000", "--json", "--control-url", fs.ControlURL}, nil, &stdout, &stderr), stderr.String())
	var out map[string]string
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out))
	pending, err := bc.PendingIncomingTransactions(ctx, bob.BTCWalletID)
	require.NoError(t, err)
	assert.Len(t, pending, 1)

	code, body := controlPOST(t, fs, "confirm", map[string]string{"txHash": out["txHash"]})
	require.Equal(t, http.StatusOK, code, body)
	w, err := bc.Wallet(ctx, bob.BTCWalletID)
	require.NoError(t, err)
	assert.Equal(t, int64(25_000), w.Balance.Value)
}

func TestFake_SeedFileAndNewAccounts(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	require.NoError(t, os.WriteFile(seed, []byte(`{"accounts": [{"username": "shop", "btcBalance": 10, "scopes": ["READ", "RECEIVE"]}]}`), 0o600))
	fs := startFake(t, "--seed", seed)
	require.Len(t, fs.Accounts, 1)
	assert.Equal(t, []string{"READ", "RECEIVE"}, fs.Accounts[0].Scopes)

	code, out := controlPOST(t, fs, "accounts", map[string]any{"username": "late", "btcBalance": 5})
	require.Equal(t, http.StatusOK, code, out)
	c, err := blink.New(out["apiKey"].(string), blink.WithEndpoint(fs.URL))
	require.NoError(t, err)
	defer c.Close()
	w, err := c.DefaultWallet(context.Background(), blink.BTC)
	require.NoError(t, err)
	assert.Equal(t, int64(5), w.Balance.Value)

	// The CLI itself works against it, --env local style keys and all.
	var stdout, stderr bytes.Buffer
	t.Setenv("BLINK_API_KEY", out["apiKey"].(string))
	require.Equal(t, exitOK, run(context.Background(), []string{"--endpoint", fs.URL, "balance"}, nil, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "5 sats")
	assert.True(t, strings.HasPrefix(out["apiKey"].(string), blink.Local.KeyPrefix()))
}
