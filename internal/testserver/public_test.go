package testserver_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestGlobalsReportNetworkDomainAndNode(t *testing.T) {
	f := newFixture(t, blinktest.WithNetwork("signet"))
	r := call(t, f.srv, "", qGlobals, nil)
	assert.Equal(t, "signet", r.str("data", "globals", "network"))
	assert.Equal(t, "blinktest.invalid", r.str("data", "globals", "lightningAddressDomain"))
	assert.Equal(t, []any{f.srv.NodeID()}, r.get("data", "globals", "nodesIds"))
}

func TestRealtimePriceFollowsSetPrice(t *testing.T) {
	f := newFixture(t)
	q := `query RealtimePrice($currency: DisplayCurrency) { realtimePrice(currency: $currency) { id timestamp
  denominatorCurrencyDetails { id symbol fractionDigits } btcSatPrice { base offset } usdCentPrice { base offset } } }`
	r := call(t, f.srv, "", q, map[string]any{"currency": "USD"})
	// $100,000/BTC is 0.1 cent a sat.
	assert.Equal(t, int64(100_000_000_000), r.num("data", "realtimePrice", "btcSatPrice", "base"), r.Raw)
	assert.Equal(t, int64(12), r.num("data", "realtimePrice", "btcSatPrice", "offset"))
	assert.Equal(t, int64(1_000_000), r.num("data", "realtimePrice", "usdCentPrice", "base"))
	assert.Equal(t, int64(6), r.num("data", "realtimePrice", "usdCentPrice", "offset"))
	assert.Equal(t, "USD", r.str("data", "realtimePrice", "denominatorCurrencyDetails", "id"))
	f.srv.SetPrice(5_000_000)
	r = call(t, f.srv, "", q, nil)
	assert.Equal(t, int64(50_000_000_000), r.num("data", "realtimePrice", "btcSatPrice", "base"))
}

func TestCurrencyList(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, "", `query CurrencyList { currencyList { id name symbol flag fractionDigits } }`, nil)
	assert.Equal(t, "USD", r.str("data", "currencyList", 0, "id"), r.Raw)
}

func TestAccountDefaultWalletByUsernameNeedsNoKey(t *testing.T) {
	f := newFixture(t)
	q := `query AccountDefaultWallet($username: Username!, $walletCurrency: WalletCurrency) { accountDefaultWallet(username: $username, walletCurrency: $walletCurrency) { id currency } }`
	r := call(t, f.srv, "", q, map[string]any{"username": "bob"})
	assert.Equal(t, f.bob.BTCWalletID, r.str("data", "accountDefaultWallet", "id"), r.Raw)
	r = call(t, f.srv, "", q, map[string]any{"username": "bob", "walletCurrency": "USD"})
	assert.Equal(t, f.bob.USDWalletID, r.str("data", "accountDefaultWallet", "id"))
	assert.Equal(t, "USD", r.str("data", "accountDefaultWallet", "currency"))
	r = call(t, f.srv, "", q, map[string]any{"username": "nobody"})
	assert.Equal(t, "Account does not exist for username nobody", r.str("errors", 0, "message"))
	assert.Nil(t, r.get("errors", 0, "extensions"), "no code through the router")
}

func TestWalletsAndWalletByID(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.aliceK, `query Wallets { me { defaultAccount { wallets { id walletCurrency balance pendingIncomingBalance } } } }`, nil)
	ws := r.get("data", "me", "defaultAccount", "wallets")
	assert.Equal(t, f.alice.BTCWalletID, get(ws, 0, "id"), r.Raw)
	assert.Equal(t, float64(1_000_000), get(ws, 0, "balance"))
	assert.Equal(t, "USD", get(ws, 1, "walletCurrency"))
	assert.Equal(t, float64(10_000), get(ws, 1, "balance"))

	q := `query WalletByID($walletId: WalletId!) { me { defaultAccount { walletById(walletId: $walletId) { id walletCurrency balance } } } }`
	r = call(t, f.srv, f.aliceK, q, map[string]any{"walletId": f.alice.USDWalletID})
	assert.Equal(t, float64(10_000), r.get("data", "me", "defaultAccount", "walletById", "balance"))
	r = call(t, f.srv, f.aliceK, q, map[string]any{"walletId": f.bob.USDWalletID})
	assert.NotEmpty(t, r.str("errors", 0, "message"), "another account's wallet")
}

func TestInvoiceLookups(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	q := `query InvoiceByPaymentHash($walletId: WalletId!, $paymentHash: PaymentHash!) { me { defaultAccount { walletById(walletId: $walletId) {
  invoiceByPaymentHash(paymentHash: $paymentHash) { __typename paymentRequest paymentStatus ... on LnInvoice { satoshis } } } } } }`
	r := call(t, f.srv, f.bobKey, q, map[string]any{"walletId": f.bob.BTCWalletID, "paymentHash": hash})
	inv := r.get("data", "me", "defaultAccount", "walletById", "invoiceByPaymentHash")
	assert.Equal(t, "LnInvoice", get(inv, "__typename"), r.Raw)
	assert.Equal(t, pr, get(inv, "paymentRequest"))
	assert.Equal(t, "PENDING", get(inv, "paymentStatus"))

	createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 20)
	r = call(t, f.srv, f.bobKey, `query Invoices($first: Int) { me { defaultAccount { invoices(first: $first) { edges { cursor node { paymentHash } } pageInfo { hasNextPage } } } } }`,
		map[string]any{"first": 1})
	require.Len(t, r.get("data", "me", "defaultAccount", "invoices", "edges"), 1, r.Raw)
	assert.Equal(t, true, r.get("data", "me", "defaultAccount", "invoices", "pageInfo", "hasNextPage"))
}

func TestCallbackEndpointsAddListDelete(t *testing.T) {
	f := newFixture(t)
	add := `mutation CallbackEndpointAdd($input: CallbackEndpointAddInput!) { callbackEndpointAdd(input: $input) { id errors { code message } } }`
	r := call(t, f.srv, f.aliceK, add, map[string]any{"input": map[string]any{"url": "https://example.invalid/hook"}})
	id := r.str("data", "callbackEndpointAdd", "id")
	assert.Regexp(t, `^ep_[A-Za-z0-9]+$`, id, r.Raw)
	list := `query CallbackEndpoints { me { defaultAccount { callbackEndpoints { id url } } } }`
	r = call(t, f.srv, f.aliceK, list, nil)
	assert.Equal(t, "https://example.invalid/hook", r.str("data", "me", "defaultAccount", "callbackEndpoints", 0, "url"))
	r = call(t, f.srv, f.aliceK, `mutation($input: CallbackEndpointDeleteInput!) { callbackEndpointDelete(input: $input) { success } }`, map[string]any{"input": map[string]any{"id": id}})
	assert.Equal(t, true, r.get("data", "callbackEndpointDelete", "success"))
	r = call(t, f.srv, f.aliceK, list, nil)
	assert.Empty(t, r.get("data", "me", "defaultAccount", "callbackEndpoints"))

	readOnly := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"READ", "RECEIVE"}})
	r = call(t, f.srv, readOnly, add, map[string]any{"input": map[string]any{"url": "https://example.invalid/hook"}})
	assert.Contains(t, r.str("errors", 0, "message"), "not authorized to execute mutations")
}
