package testserver_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

const mOnChainSend = `mutation OnChainPaymentSend($input: OnChainPaymentSendInput!) { onChainPaymentSend(input: $input) {
  status errors { code message } transaction { id status settlementAmount settlementFee
    settlementVia { __typename ... on SettlementViaOnChain { transactionHash } } } } }`

func TestOnChainAddressesBelongToTheNetwork(t *testing.T) {
	for network, prefix := range map[string]string{"regtest": "bcrt1q", "mainnet": "bc1q", "signet": "tb1q", "testnet": "tb1q"} {
		t.Run(network, func(t *testing.T) {
			srv := blinktest.New(t, blinktest.WithNetwork(network))
			a := srv.CreateAccount(blinktest.AccountOptions{})
			key := srv.CreateAPIKey(a.ID, blinktest.KeyOptions{})
			m := `mutation($input: OnChainAddressCreateInput!) { onChainAddressCreate(input: $input) { address errors { message } } }`
			r := call(t, srv, key, m, map[string]any{"input": map[string]any{"walletId": a.BTCWalletID}})
			addr := r.str("data", "onChainAddressCreate", "address")
			assert.True(t, strings.HasPrefix(addr, prefix), r.Raw)
			cur := call(t, srv, key, `mutation($input: OnChainAddressCurrentInput!) { onChainAddressCurrent(input: $input) { address } }`,
				map[string]any{"input": map[string]any{"walletId": a.BTCWalletID}})
			assert.Equal(t, addr, cur.str("data", "onChainAddressCurrent", "address"))
			g := call(t, srv, "", qGlobals, nil)
			assert.Equal(t, network, g.str("data", "globals", "network"))
			pr, _ := createInvoice(t, srv, key, a.BTCWalletID, 1)
			assert.Equal(t, network, string(decodeInvoice(t, pr).Network))
		})
	}
}

func TestOnChainSendStaysPendingUntilConfirmed(t *testing.T) {
	f := newFixture(t)
	addr := f.srv.ExternalAddress()
	fee := call(t, f.srv, f.aliceK, `query OnChainTxFee($walletId: WalletId!, $address: OnChainAddress!, $amount: SatAmount!, $speed: PayoutSpeed!) {
  onChainTxFee(walletId: $walletId, address: $address, amount: $amount, speed: $speed) { amount } }`,
		map[string]any{"walletId": f.alice.BTCWalletID, "address": addr, "amount": 50_000, "speed": "FAST"})
	require.Equal(t, blinktest.OnChainFeeSats("FAST"), fee.num("data", "onChainTxFee", "amount"), fee.Raw)

	r := call(t, f.srv, f.aliceK, mOnChainSend, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "address": addr, "amount": 50_000, "speed": "FAST"}})
	require.Equal(t, "SUCCESS", r.str("data", "onChainPaymentSend", "status"), r.Raw)
	assert.Equal(t, "PENDING", r.str("data", "onChainPaymentSend", "transaction", "status"))
	assert.Equal(t, int64(-(50_000 + blinktest.OnChainFeeSats("FAST"))), r.num("data", "onChainPaymentSend", "transaction", "settlementAmount"))
	assert.Equal(t, int64(1_000_000-50_000-blinktest.OnChainFeeSats("FAST")), f.srv.Balance(f.alice.BTCWalletID))
	txHash := r.str("data", "onChainPaymentSend", "transaction", "settlementVia", "transactionHash")
	require.Len(t, txHash, 64)

	l := f.srv.Ledger(f.alice.BTCWalletID)
	require.Len(t, l, 1)
	assert.Equal(t, "PENDING", l[0].Status)
	assert.Equal(t, "onchain", l[0].Via)
	assert.Equal(t, addr, l[0].Address)
	require.NoError(t, f.srv.ConfirmOnChain(txHash))
	assert.Equal(t, "SUCCESS", f.srv.Ledger(f.alice.BTCWalletID)[0].Status)
	assert.Error(t, f.srv.ConfirmOnChain(txHash))
}

func TestOnChainSendToABlinkAddressSettlesAtOnce(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.bobKey, `mutation($input: OnChainAddressCreateInput!) { onChainAddressCreate(input: $input) { address } }`,
		map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID}})
	addr := r.str("data", "onChainAddressCreate", "address")
	r = call(t, f.srv, f.aliceK, mOnChainSend, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "address": addr, "amount": 1000, "speed": "FAST"}})
	require.Equal(t, "SUCCESS", r.str("data", "onChainPaymentSend", "transaction", "status"), r.Raw)
	assert.Equal(t, int64(500_000+1000), f.srv.Balance(f.bob.BTCWalletID))
}

func TestOnChainValidationAndBalance(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.aliceK, mOnChainSend, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "amount": 1000, "speed": "FAST"}})
	assert.Equal(t, "Invalid value for OnChainAddress", r.str("data", "onChainPaymentSend", "errors", 0, "message"), "a mainnet address on regtest")
	r = call(t, f.srv, f.aliceK, mOnChainSend, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "address": f.srv.ExternalAddress(), "amount": 999_000, "speed": "FAST"}})
	assert.Equal(t, "INSUFFICIENT_BALANCE", r.str("data", "onChainPaymentSend", "errors", 0, "code"))
	assert.Equal(t, "Payment amount '1001000' sats exceeds balance '1000000'", r.str("data", "onChainPaymentSend", "errors", 0, "message"))
}

func TestOnChainSendAllEmptiesTheWallet(t *testing.T) {
	f := newFixture(t)
	m := `mutation($input: OnChainPaymentSendAllInput!) { onChainPaymentSendAll(input: $input) { status errors { code message } transaction { settlementAmount settlementFee } } }`
	in := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "address": f.srv.ExternalAddress(), "speed": "SLOW"}}
	r := call(t, f.srv, f.aliceK, m, in)
	require.Equal(t, "SUCCESS", r.str("data", "onChainPaymentSendAll", "status"), r.Raw)
	assert.Equal(t, int64(-1_000_000), r.num("data", "onChainPaymentSendAll", "transaction", "settlementAmount"))
	assert.Equal(t, blinktest.OnChainFeeSats("SLOW"), r.num("data", "onChainPaymentSendAll", "transaction", "settlementFee"))
	assert.Equal(t, int64(0), f.srv.Balance(f.alice.BTCWalletID))
	r = call(t, f.srv, f.aliceK, m, in)
	assert.Equal(t, "No balance left to send.", r.str("data", "onChainPaymentSendAll", "errors", 0, "message"))
}

func TestOnChainUsdSends(t *testing.T) {
	f := newFixture(t)
	m := `mutation($input: OnChainUsdPaymentSendInput!) { onChainUsdPaymentSend(input: $input) { status errors { message } transaction { settlementAmount settlementFee } } }`
	r := call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.USDWalletID, "address": f.srv.ExternalAddress(), "amount": 1000, "speed": "FAST"}})
	require.Equal(t, "SUCCESS", r.str("data", "onChainUsdPaymentSend", "status"), r.Raw)
	// The 2000-sat fee is $2.00 at $100,000/BTC.
	assert.Equal(t, int64(200), r.num("data", "onChainUsdPaymentSend", "transaction", "settlementFee"))
	assert.Equal(t, int64(10_000-1200), f.srv.Balance(f.alice.USDWalletID))

	m = `mutation($input: OnChainUsdPaymentSendAsBtcDenominatedInput!) { onChainUsdPaymentSendAsBtcDenominated(input: $input) { status errors { message } } }`
	r = call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.USDWalletID, "address": f.srv.ExternalAddress(), "amount": 10_000, "speed": "FAST"}})
	require.Equal(t, "SUCCESS", r.str("data", "onChainUsdPaymentSendAsBtcDenominated", "status"), r.Raw)
	assert.Equal(t, int64(10_000-1200-1000-200), f.srv.Balance(f.alice.USDWalletID))
}

func TestOnChainAddressCreationIsLimitedTo20AnHour(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithClock(clk.Now))
	m := `mutation($input: OnChainAddressCreateInput!) { onChainAddressCreate(input: $input) { address errors { code message } } }`
	in := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID}}
	for range 20 {
		r := call(t, f.srv, f.aliceK, m, in)
		require.NotEmpty(t, r.str("data", "onChainAddressCreate", "address"), r.Raw)
	}
	r := call(t, f.srv, f.aliceK, m, in)
	assert.Equal(t, "TOO_MANY_REQUEST", r.str("data", "onChainAddressCreate", "errors", 0, "code"))
	assert.Equal(t, "Too many onchain addresses creation, please wait for a while and try again.", r.str("data", "onChainAddressCreate", "errors", 0, "message"))
	clk.Advance(4*60*60e9 + 1e9)
	r = call(t, f.srv, f.aliceK, m, in)
	assert.NotEmpty(t, r.str("data", "onChainAddressCreate", "address"), r.Raw)
}

func TestIncomingOnChainIsPendingIncomingUntilConfirmedThenGetsANewID(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.aliceK, `mutation($input: OnChainAddressCreateInput!) { onChainAddressCreate(input: $input) { address } }`,
		map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID}})
	addr := r.str("data", "onChainAddressCreate", "address")
	txHash, err := f.srv.ReceiveOnChain(addr, 25_000)
	require.NoError(t, err)

	q := `query($walletIds: [WalletId]) { me { defaultAccount {
  pendingIncomingTransactions(walletIds: $walletIds) { id status settlementAmount }
  transactions(walletIds: $walletIds) { edges { node { id status } } }
  wallets { id pendingIncomingBalance balance } } } }`
	r = call(t, f.srv, f.aliceK, q, map[string]any{"walletIds": []string{f.alice.BTCWalletID}})
	pending := r.get("data", "me", "defaultAccount", "pendingIncomingTransactions").([]any)
	require.Len(t, pending, 1, r.Raw)
	assert.Equal(t, "PENDING", get(pending, 0, "status"))
	assert.Equal(t, float64(25_000), get(pending, 0, "settlementAmount"))
	assert.Empty(t, r.get("data", "me", "defaultAccount", "transactions", "edges"))
	assert.Equal(t, float64(25_000), r.get("data", "me", "defaultAccount", "wallets", 0, "pendingIncomingBalance"))
	assert.Equal(t, float64(1_000_000), r.get("data", "me", "defaultAccount", "wallets", 0, "balance"))

	require.NoError(t, f.srv.ConfirmOnChain(txHash))
	r = call(t, f.srv, f.aliceK, q, map[string]any{"walletIds": []string{f.alice.BTCWalletID}})
	assert.Empty(t, r.get("data", "me", "defaultAccount", "pendingIncomingTransactions"))
	assert.Equal(t, "SUCCESS", r.str("data", "me", "defaultAccount", "transactions", "edges", 0, "node", "status"))
	assert.NotEqual(t, get(pending, 0, "id"), r.get("data", "me", "defaultAccount", "transactions", "edges", 0, "node", "id"))
	assert.Equal(t, int64(1_025_000), f.srv.Balance(f.alice.BTCWalletID))
}
