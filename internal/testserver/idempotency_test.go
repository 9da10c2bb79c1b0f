package testserver_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

const idemKey = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

// routerConflict is what a production client gets for a reused key.
const routerConflict = `{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 409: Conflict","path":[],
  "extensions":{"code":"SUBREQUEST_HTTP_ERROR","service":"public","reason":"409: Conflict","http":{"status":409}}}]}`

// routerBadRequest is what a production client gets for a malformed key.
const routerBadRequest = `{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 400: Bad Request","path":[],
  "extensions":{"code":"SUBREQUEST_HTTP_ERROR","service":"public","reason":"400: Bad Request","http":{"status":400}}}]}`

// isRouterConflict reports whether r is the router's answer to a reused key.
func isRouterConflict(r response) bool {
	return r.Status == 200 && r.get("data") == nil &&
		r.str("errors", 0, "extensions", "code") == "SUBREQUEST_HTTP_ERROR" &&
		r.str("errors", 0, "message") == "HTTP fetch failed from 'public': 409: Conflict"
}

func TestReusedIdempotencyKeyAnswersAsTheRouterDoes(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	vars := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}}
	first := call(t, f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey)
	require.Equal(t, "SUCCESS", first.str("data", "lnInvoicePaymentSend", "status"), first.Raw)

	second := call(t, f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey)
	assert.Equal(t, 200, second.Status)
	assert.JSONEq(t, routerConflict, second.Raw)
	_, hasData := second.Body["data"]
	assert.True(t, hasData, "data is there, and null")
	assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"), "nothing executes")
	assert.Equal(t, 2, f.srv.Requests("LnInvoicePaymentSend"))
	assert.Equal(t, int64(1_000_000-100), f.srv.Balance(f.alice.BTCWalletID))
}

func TestReusedIdempotencyKeyWithRawAPIErrorsIs409AndTheFirstResponseIsNotReplayed(t *testing.T) {
	f := newFixture(t, blinktest.WithRawAPIErrors())
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	vars := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}}
	first := call(t, f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey)
	require.Equal(t, "SUCCESS", first.str("data", "lnInvoicePaymentSend", "status"), first.Raw)

	second := call(t, f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey)
	assert.Equal(t, 409, second.Status)
	assert.JSONEq(t, `{"error":"the idempotency key already exist"}`, second.Raw)
	assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, 2, f.srv.Requests("LnInvoicePaymentSend"))
}

func TestIdempotencyKeyLockAppliesEvenWhenTheMutationFailed(t *testing.T) {
	f := newFixture(t)
	vars := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 0}}
	r := call(t, f.srv, f.aliceK, mInvoiceCreate, vars, "X-Idempotency-Key", idemKey)
	require.Equal(t, 200, r.Status)
	require.NotEmpty(t, r.get("data", "lnInvoiceCreate", "errors"), r.Raw)
	r = call(t, f.srv, f.aliceK, mInvoiceCreate, vars, "X-Idempotency-Key", idemKey)
	assert.True(t, isRouterConflict(r), r.Raw)
	assert.Equal(t, 1, f.srv.Executions("LnInvoiceCreate"))
}

func TestMalformedIdempotencyKeyAnswersAsTheRouterDoes(t *testing.T) {
	f := newFixture(t)
	for _, key := range []string{"not-a-uuid", "7c9e6679-7425-60de-944b-e07fc1f90ae7", "7c9e6679742540de944be07fc1f90ae7"} {
		r := call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", key)
		assert.Equal(t, 200, r.Status, key)
		assert.JSONEq(t, routerBadRequest, r.Raw, key)
	}
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	r := call(t, f.srv, f.aliceK, mPay, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}},
		"X-Idempotency-Key", "not-a-uuid")
	assert.JSONEq(t, routerBadRequest, r.Raw)
	assert.Equal(t, 0, f.srv.Executions("LnInvoicePaymentSend"), "nothing executes")
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
}

func TestMalformedIdempotencyKeyWithRawAPIErrorsIs400(t *testing.T) {
	f := newFixture(t, blinktest.WithRawAPIErrors())
	for _, key := range []string{"not-a-uuid", "7c9e6679-7425-60de-944b-e07fc1f90ae7", "7c9e6679742540de944be07fc1f90ae7"} {
		r := call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", key)
		assert.Equal(t, 400, r.Status, key)
		assert.JSONEq(t, `{"error":"X-Idempotency-Key header must be a UUID-v4"}`, r.Raw, key)
	}
}

func TestTwoIdempotencyKeyHeadersAnswerAsTheRouterDoes(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", idemKey, "X-Idempotency-Key", idemKey)
	assert.Equal(t, 200, r.Status)
	assert.JSONEq(t, routerBadRequest, r.Raw)
}

func TestTwoIdempotencyKeyHeadersWithRawAPIErrorsAre400(t *testing.T) {
	f := newFixture(t, blinktest.WithRawAPIErrors())
	r := call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", idemKey, "X-Idempotency-Key", idemKey)
	assert.Equal(t, 400, r.Status)
	assert.JSONEq(t, `{"error":"X-Idempotency-Key header must be a single string"}`, r.Raw)
}

func TestIdempotencyLockExpiresAfterAnHour(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithClock(clk.Now))
	r := call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", idemKey)
	require.Equal(t, "regtest", r.str("data", "globals", "network"), r.Raw)
	clk.Advance(59 * 60e9)
	r = call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", idemKey)
	assert.True(t, isRouterConflict(r), r.Raw)
	clk.Advance(61e9)
	r = call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", idemKey)
	assert.Equal(t, "regtest", r.str("data", "globals", "network"), r.Raw)
}

func TestDropAfterExecutePaysOnceAndTheRetryWithTheSameKeyIsAConflict(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	vars := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}}
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)

	_, err := try(f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey)
	require.Error(t, err, "the connection is closed without an answer")
	assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, int64(1_000_000-100), f.srv.Balance(f.alice.BTCWalletID))

	retry := call(t, f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey)
	assert.True(t, isRouterConflict(retry), retry.Raw)
	assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"))

	// The truth is in the ledger.
	r := call(t, f.srv, f.aliceK, qTxsByHash, map[string]any{"walletId": f.alice.BTCWalletID, "paymentHash": hash})
	assert.Equal(t, "SEND", r.str("data", "me", "defaultAccount", "walletById", "transactionsByPaymentHash", 0, "direction"))
	assert.Equal(t, "SUCCESS", r.str("data", "me", "defaultAccount", "walletById", "transactionsByPaymentHash", 0, "status"))
}

func TestEdgeErrorsTakeNoIdempotencyLock(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	vars := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}}
	f.srv.InjectFault("lnInvoicePaymentSend", blinktest.Fault{Status: 502}, 1)
	f.srv.InjectFault("lnInvoicePaymentSend", blinktest.Fault{DropBeforeExecute: true}, 1)

	assert.Equal(t, 502, call(t, f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey).Status)
	_, err := try(f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey)
	require.Error(t, err)
	assert.Equal(t, 0, f.srv.Executions("lnInvoicePaymentSend"))

	r := call(t, f.srv, f.aliceK, mPay, vars, "X-Idempotency-Key", idemKey)
	assert.Equal(t, "SUCCESS", r.str("data", "lnInvoicePaymentSend", "status"), r.Raw)
	assert.Equal(t, 1, f.srv.Executions("lnInvoicePaymentSend"))
	assert.Equal(t, 3, f.srv.Requests("lnInvoicePaymentSend"))
}

func TestUnknownKeyIs401BeforeTheIdempotencyLock(t *testing.T) {
	f := newFixture(t)
	assert.Equal(t, 401, call(t, f.srv, "galoy_dev_nope", qGlobals, nil, "X-Idempotency-Key", idemKey).Status)
	r := call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", idemKey)
	assert.Equal(t, "regtest", r.str("data", "globals", "network"), r.Raw)
}
