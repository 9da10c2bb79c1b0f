package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// TestShopWithoutKeyRefusesToStart pins that the program never falls back
// to a fake or a keyless client: with neither BLINK_CONNECTION_STRING nor
// BLINK_API_KEY it stops before listening, saying what to set.
func TestShopWithoutKeyRefusesToStart(t *testing.T) {
	clearEnv(t)
	var out bytes.Buffer

	err := run(context.Background(), &out)

	require.ErrorIs(t, err, errNoKey)
	assert.Contains(t, err.Error(), "BLINK_CONNECTION_STRING")
	assert.Contains(t, err.Error(), "BLINK_API_KEY")
	assert.Empty(t, out.String(), "nothing may listen without a key")
}

// TestShopWithConnectionStringWithoutKeyRefusesToStart: a connection string
// without api-key cannot run a shop, and the error names the variable.
func TestShopWithConnectionStringWithoutKeyRefusesToStart(t *testing.T) {
	clearEnv(t)
	t.Setenv("BLINK_CONNECTION_STRING", "type=blink;server=https://api.blink.sv/graphql")
	var out bytes.Buffer

	err := run(context.Background(), &out)

	require.ErrorIs(t, err, blink.ErrInvalidInput)
	assert.Contains(t, err.Error(), "BLINK_CONNECTION_STRING")
	assert.Contains(t, err.Error(), "api-key")
	assert.Empty(t, out.String(), "nothing may listen without a key")
}

// TestShopWithAPIKeyWalksAnOrderToPaid is the self-check the example used
// to run in main: the program, configured by BLINK_API_KEY as a user would
// (pointed at a fake here, so the test stays offline), serves the shop; an
// order gets an invoice, asking again returns the same one, a customer
// outside Blink pays it and the status endpoint reports it PAID.
func TestShopWithAPIKeyWalksAnOrderToPaid(t *testing.T) {
	srv := blinktest.New(t)
	merchant := srv.CreateAccount(blinktest.AccountOptions{Username: "merchant"})
	clearEnv(t)
	key := srv.CreateAPIKey(merchant.ID, readReceive())
	t.Setenv("BLINK_API_KEY", key)
	t.Setenv("BLINK_ENV", "local")
	t.Setenv("BLINK_API_URL", srv.URL())
	base, banner := startShop(t)
	assert.Contains(t, banner, "receiving into BTC wallet "+merchant.BTCWalletID)
	assert.NotContains(t, banner, key, "the key is printed redacted")

	const order, amount = "order-42", 5_000
	var inv invoiceJSON
	postJSON(t, base+"/orders/"+order+"/invoice?amount=5000", &inv)
	assert.Equal(t, invoiceJSON{OrderID: order, PaymentRequest: inv.PaymentRequest, PaymentHash: inv.PaymentHash,
		AmountSats: amount, Status: string(blink.InvoicePending)}, inv)
	var again invoiceJSON
	postJSON(t, base+"/orders/"+order+"/invoice?amount=5000", &again)
	assert.Equal(t, inv.PaymentHash, again.PaymentHash, "a second POST for the order returns its invoice")
	assert.Equal(t, string(blink.InvoicePending), orderStatus(t, base, order))

	require.NoError(t, srv.PayInvoice(inv.PaymentRequest)) // a customer's wallet outside Blink

	assert.Equal(t, string(blink.InvoicePaid), orderStatus(t, base, order))
	if got := srv.Balance(merchant.BTCWalletID); got != (blink.Amount{Value: amount, Currency: blink.BTC}) {
		t.Errorf("merchant balance %s, want %d sats", got, amount)
	}
}

// TestShopWithConnectionStringReceivesIntoItsWallet configures the program
// with a BTCPay-style connection string: the shop receives into the wallet
// it names.
func TestShopWithConnectionStringReceivesIntoItsWallet(t *testing.T) {
	srv := blinktest.New(t)
	merchant := srv.CreateAccount(blinktest.AccountOptions{Username: "merchant"})
	clearEnv(t)
	t.Setenv("BLINK_CONNECTION_STRING", "type=blink;server="+srv.URL()+";api-key="+
		srv.CreateAPIKey(merchant.ID, readReceive())+";wallet-id="+merchant.BTCWalletID)
	base, _ := startShop(t)

	var inv invoiceJSON
	postJSON(t, base+"/orders/order-1/invoice?amount=1000", &inv)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))

	assert.Equal(t, string(blink.InvoicePaid), orderStatus(t, base, "order-1"))
	if got := srv.Balance(merchant.BTCWalletID); got != (blink.Amount{Value: 1000, Currency: blink.BTC}) {
		t.Errorf("merchant balance %s, want 1000 sats", got)
	}
}

// TestShopWithUSDWalletRefusesToStart: the shop invoices in sats, so a
// connection string naming the USD wallet, by currency or by id, stops it
// at start.
func TestShopWithUSDWalletRefusesToStart(t *testing.T) {
	srv := blinktest.New(t)
	merchant := srv.CreateAccount(blinktest.AccountOptions{})
	key := srv.CreateAPIKey(merchant.ID, readReceive())
	for name, cs := range map[string]string{
		"currency":  "type=blink;server=" + srv.URL() + ";api-key=" + key + ";wallet-id=" + merchant.USDWalletID + ";currency=USD",
		"wallet id": "type=blink;server=" + srv.URL() + ";api-key=" + key + ";wallet-id=" + merchant.USDWalletID,
	} {
		t.Run(name, func(t *testing.T) {
			clearEnv(t)
			t.Setenv("BLINK_CONNECTION_STRING", cs)
			var out bytes.Buffer

			err := run(context.Background(), &out)

			require.Error(t, err)
			assert.Contains(t, err.Error(), "BTC wallet")
			assert.NotContains(t, err.Error(), key)
			assert.Empty(t, out.String())
		})
	}
}

// TestOrderInvoiceForAnotherAmountIsConflictAndBadOrderIDIsBadRequest pins
// the shop's refusals: the ExternalID already names the order's first
// invoice, and an order id that is not a valid external id never reaches
// Blink.
func TestOrderInvoiceForAnotherAmountIsConflictAndBadOrderIDIsBadRequest(t *testing.T) {
	srv := blinktest.New(t)
	merchant := srv.CreateAccount(blinktest.AccountOptions{})
	c, err := blink.New(srv.CreateAPIKey(merchant.ID, readReceive()), blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	s, err := newShop(context.Background(), c, "")
	require.NoError(t, err)
	ts := httptest.NewServer(s.routes())
	defer ts.Close()
	post := func(path string) int {
		res, err := http.Post(ts.URL+path, "", nil)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}

	assert.Equal(t, http.StatusOK, post("/orders/order-7/invoice?amount=1000"))
	assert.Equal(t, http.StatusConflict, post("/orders/order-7/invoice?amount=2000"))
	assert.Equal(t, http.StatusBadRequest, post("/orders/Order-UPPER/invoice?amount=1000"))
	assert.Equal(t, http.StatusBadRequest, post("/orders/order-8/invoice?amount=0"))
	res, err := http.Get(ts.URL + "/orders/order-9/status")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

// TestBinaryDoesNotLinkTheFake pins that the fake Blink server stays in
// this example's test: the program a user copies and builds must not
// contain blinktest, the fake behind it, or gqlgen, which only the fake
// uses.
func TestBinaryDoesNotLinkTheFake(t *testing.T) {
	goCmd, err := exec.LookPath("go") // go test puts its own GOROOT/bin first in PATH
	require.NoError(t, err, "the go command is needed to list the example's dependencies")
	cmd := exec.Command(goCmd, "list", "-deps", "github.com/blink-sdk/blink-go/examples/btcpay")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr

	out, err := cmd.Output()

	require.NoError(t, err, "go list: %s", stderr.String())
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/blink-sdk/blink-go/blink", "the listing must be of the example")
	for _, dep := range deps {
		for _, banned := range []string{
			"github.com/blink-sdk/blink-go/blink/blinktest",
			"github.com/blink-sdk/blink-go/internal/fake",
			"github.com/99designs/gqlgen",
		} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("the btcpay binary links %s", dep)
			}
		}
	}
}

// readReceive is a key with the scopes the shop needs, READ and RECEIVE:
// it never sends.
func readReceive() blinktest.KeyOptions {
	var o blinktest.KeyOptions
	o.Scopes = append(o.Scopes, blink.ScopeRead, blink.ScopeReceive)
	return o
}

// clearEnv unsets, for the test, every variable the program reads.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range []string{"BLINK_CONNECTION_STRING", "BLINK_API_KEY", "BLINK_ENV", "BLINK_API_URL", "BLINK_WS_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("BTCPAY_ADDR", "127.0.0.1:0")
}

var servingRe = regexp.MustCompile(`^shop serving on (http://\S+),`)

// startShop runs the program as `go run` does, with the environment the
// test set, and returns the shop's base URL and the line it printed once
// listening. The shop stops, and run must return nil, when the test ends.
func startShop(t *testing.T) (base, banner string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, pw)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done, "the shop must shut down cleanly")
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("the shop did not start: %v", <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // anything run writes later
	m := servingRe.FindStringSubmatch(line)
	require.NotNil(t, m, "first line %q", line)
	return m[1], line
}

// postJSON posts to the shop and decodes its 200 answer into out.
func postJSON(t *testing.T, url string, out any) {
	t.Helper()
	res, err := http.Post(url, "", nil)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "POST %s: %s", url, body)
	require.NoError(t, json.Unmarshal(body, out))
}

// orderStatus asks the shop for an order's status.
func orderStatus(t *testing.T, base, order string) string {
	t.Helper()
	res, err := http.Get(base + "/orders/" + order + "/status")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	var st statusJSON
	require.NoError(t, json.NewDecoder(res.Body).Decode(&st))
	assert.Equal(t, order, st.OrderID)
	return st.Status
}
