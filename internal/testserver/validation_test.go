package testserver_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// createErr returns lnInvoiceCreate's first payload error.
func createErr(t *testing.T, f fixture, input map[string]any) (code any, msg string) {
	t.Helper()
	r := call(t, f.srv, f.aliceK, mInvoiceCreate, map[string]any{"input": input})
	require.Equal(t, 200, r.Status, r.Raw)
	assert.Nil(t, r.get("data", "lnInvoiceCreate", "invoice"), r.Raw)
	return r.get("data", "lnInvoiceCreate", "errors", 0, "code"), r.str("data", "lnInvoiceCreate", "errors", 0, "message")
}

func TestInvoiceCreateValidationMessages(t *testing.T) {
	f := newFixture(t)
	w := f.alice.BTCWalletID
	cases := []struct {
		name  string
		input map[string]any
		code  any
		msg   string
	}{
		{"malformed wallet id", map[string]any{"walletId": "nope", "amount": 1}, nil, "Invalid value for WalletId"},
		{"wallet of another account", map[string]any{"walletId": f.bob.BTCWalletID, "amount": 1}, nil,
			"Unexpected error occurred, please try again or contact support if it persists (code: InvalidWalletForAccountError)"},
		{"memo too long", map[string]any{"walletId": w, "amount": 1, "memo": strings.Repeat("é", 320)}, nil, "Memo is too long"},
		{"negative amount", map[string]any{"walletId": w, "amount": -1}, nil, "Invalid value for SatAmount"},
		{"amount too big", map[string]any{"walletId": w, "amount": 10_000_000_000_001}, nil, "Value too big for SatAmount"},
		{"zero amount", map[string]any{"walletId": w, "amount": 0}, "INVALID_INPUT", "A valid satoshi amount is required"},
		{"usd wallet", map[string]any{"walletId": f.alice.USDWalletID, "amount": 1}, "INVALID_INPUT", "Unsupported operation for wallet's currency."},
		{"bad external id", map[string]any{"walletId": w, "amount": 1, "externalId": "UPPER"}, nil,
			"Invalid external id string passed. ID should be either alphanumeric or contain the characters '_' or '-'. It should not be more than 100 characters long as well."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, msg := createErr(t, f, c.input)
			assert.Equal(t, c.code, code)
			assert.Equal(t, c.msg, msg)
		})
	}
}

func TestMemoOf639BytesIsAccepted(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.aliceK, mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 1, "memo": strings.Repeat("a", 639)}})
	assert.Empty(t, r.get("data", "lnInvoiceCreate", "errors"), r.Raw)
}

func TestExternalIDIsUniquePerAccountAndDefaultsToThePaymentHash(t *testing.T) {
	f := newFixture(t)
	in := map[string]any{"walletId": f.alice.BTCWalletID, "amount": 1, "externalId": "order-1"}
	r := call(t, f.srv, f.aliceK, mInvoiceCreate, map[string]any{"input": in})
	require.Equal(t, "order-1", r.str("data", "lnInvoiceCreate", "invoice", "externalId"), r.Raw)
	code, msg := createErr(t, f, in)
	assert.Equal(t, "INVALID_INPUT", code)
	assert.Equal(t, "External id for invoice or transaction already exists", msg)

	// Another account may use the same external id.
	r = call(t, f.srv, f.bobKey, mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID, "amount": 1, "externalId": "order-1"}})
	assert.Empty(t, r.get("data", "lnInvoiceCreate", "errors"), r.Raw)

	r = call(t, f.srv, f.aliceK, mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 1}})
	assert.Equal(t, r.str("data", "lnInvoiceCreate", "invoice", "paymentHash"), r.str("data", "lnInvoiceCreate", "invoice", "externalId"))
}

func TestPaymentValidationMessagesHaveNullCodeAndNullStatus(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	for name, c := range map[string]struct {
		input map[string]any
		msg   string
	}{
		"wallet id":       {map[string]any{"walletId": "x", "paymentRequest": pr}, "Invalid value for WalletId"},
		"payment request": {map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": "hello world"}, "Invalid value for LnPaymentRequest"},
		"memo":            {map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr, "memo": strings.Repeat("m", 640)}, "Memo is too long"},
		"foreign wallet":  {map[string]any{"walletId": f.bob.USDWalletID, "paymentRequest": pr}, "Unexpected error occurred, please try again or contact support if it persists (code: InvalidWalletForAccountError)"},
	} {
		t.Run(name, func(t *testing.T) {
			r := call(t, f.srv, f.aliceK, mPay, map[string]any{"input": c.input})
			assert.Nil(t, r.get("data", "lnInvoicePaymentSend", "status"), r.Raw)
			assert.Nil(t, r.get("data", "lnInvoicePaymentSend", "errors", 0, "code"))
			assert.Equal(t, c.msg, r.str("data", "lnInvoicePaymentSend", "errors", 0, "message"))
		})
	}
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
}

func TestUndecodableInvoiceIsInvoiceDecodeError(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	broken := pr[:len(pr)-1] + map[bool]string{true: "q", false: "p"}[pr[len(pr)-1] != 'q']
	r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, broken)
	assert.Equal(t, "FAILURE", payStatus(r))
	assert.Equal(t, "INVOICE_DECODE_ERROR", r.str("data", "lnInvoicePaymentSend", "errors", 0, "code"), r.Raw)
}

func TestInvoiceExpiryRules(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithClock(clk.Now))
	expiry := func(m string, input map[string]any, field string) int64 {
		t.Helper()
		r := call(t, f.srv, f.aliceK, m, map[string]any{"input": input})
		pr := r.str("data", field, "invoice", "paymentRequest")
		require.NotEmpty(t, pr, r.Raw)
		return int64(decodeInvoice(t, pr).Expiry.Minutes())
	}
	usd := `mutation($input: LnUsdInvoiceCreateInput!) { lnUsdInvoiceCreate(input: $input) { invoice { paymentRequest } errors { message } } }`
	noAmt := `mutation($input: LnNoAmountInvoiceCreateInput!) { lnNoAmountInvoiceCreate(input: $input) { invoice { paymentRequest } errors { message } } }`
	btc := map[string]any{"walletId": f.alice.BTCWalletID, "amount": 1}
	assert.Equal(t, int64(240), expiry(mInvoiceCreate, btc, "lnInvoiceCreate"), "BTC default 4 h")
	assert.Equal(t, int64(1), expiry(mInvoiceCreate, with(btc, "expiresIn", 1), "lnInvoiceCreate"))
	assert.Equal(t, int64(1440), expiry(mInvoiceCreate, with(btc, "expiresIn", 1440), "lnInvoiceCreate"))
	assert.Equal(t, int64(240), expiry(mInvoiceCreate, with(btc, "expiresIn", 1441), "lnInvoiceCreate"), "out of range falls back")
	u := map[string]any{"walletId": f.alice.USDWalletID, "amount": 1}
	assert.Equal(t, int64(5), expiry(usd, u, "lnUsdInvoiceCreate"), "USD default 5 min")
	assert.Equal(t, int64(2), expiry(usd, with(u, "expiresIn", 2), "lnUsdInvoiceCreate"))
	assert.Equal(t, int64(5), expiry(usd, with(u, "expiresIn", 60), "lnUsdInvoiceCreate"))
	assert.Equal(t, int64(120), expiry(noAmt, map[string]any{"walletId": f.alice.BTCWalletID}, "lnNoAmountInvoiceCreate"), "no-amount BTC default 2 h")

	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	clk.Advance(4*60*60e9 + 1e9)
	status := `query($input: LnInvoicePaymentStatusByHashInput!) { lnInvoicePaymentStatusByHash(input: $input) { status } }`
	r := call(t, f.srv, "", status, map[string]any{"input": map[string]any{"paymentHash": hash}})
	assert.Equal(t, "EXPIRED", r.str("data", "lnInvoicePaymentStatusByHash", "status"))
	p := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "FAILURE", payStatus(p), p.Raw)
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for kk, vv := range m {
		if kk != k {
			out[kk] = vv
		}
	}
	return out
}
