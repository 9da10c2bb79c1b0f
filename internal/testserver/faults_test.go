package testserver_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestEdgeStatusFaultsWithAndWithoutRetryAfter(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault("Me", blinktest.Fault{Status: 503}, 1)
	f.srv.InjectFault("Me", blinktest.Fault{Status: 429, RetryAfter: "2"}, 1)
	f.srv.InjectFault("me", blinktest.Fault{Status: 502}, 1)

	r := call(t, f.srv, f.aliceK, qMe, nil)
	assert.Equal(t, 503, r.Status)
	assert.Empty(t, r.Header.Get("Retry-After"))
	r = call(t, f.srv, f.aliceK, qMe, nil)
	assert.Equal(t, 429, r.Status)
	assert.Equal(t, "2", r.Header.Get("Retry-After"))
	r = call(t, f.srv, f.aliceK, qMe, nil)
	assert.Equal(t, 502, r.Status, "root field names match too")
	r = call(t, f.srv, f.aliceK, qMe, nil)
	assert.Equal(t, 200, r.Status, "faults are used up")
	assert.Equal(t, 4, f.srv.Requests("Me"))
	assert.Equal(t, 4, f.srv.Requests("me"))
}

func TestFaultsOnlyHitTheirOperation(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{Status: 503}, 5)
	assert.Equal(t, 200, call(t, f.srv, f.aliceK, qMe, nil).Status)
}

func TestDropBeforeExecuteClosesTheConnectionAndExecutesNothing(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropBeforeExecute: true}, 1)
	_, err := try(f.srv, f.aliceK, mPay, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}})
	require.Error(t, err)
	assert.Equal(t, 0, f.srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
}

func TestDropAfterExecuteWithoutIdempotencyKeyStillPaid(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	vars := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}}
	_, err := try(f.srv, f.aliceK, mPay, vars)
	require.Error(t, err)
	assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, "ALREADY_PAID", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)), "a blind lightning retry cannot pay twice")
}

func TestLatencyFaultDelaysTheAnswer(t *testing.T) {
	f := newFixture(t)
	f.srv.InjectFault("Globals", blinktest.Fault{Latency: 50 * time.Millisecond}, 1)
	start := time.Now()
	r := call(t, f.srv, "", qGlobals, nil)
	assert.Equal(t, 200, r.Status)
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
}

// payVars is the input to pay pr from alice's BTC wallet.
func payVars(f fixture, pr string) map[string]any {
	return map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}}
}

func TestStatusAfterExecuteFaultExecutesThenAnswersTheEdgeStatus(t *testing.T) {
	f := newFixture(t)
	balance := int64(1_000_000)
	for i, status := range []int{500, 502, 503, 504} {
		key := fmt.Sprintf("7c9e6679-7425-40de-944b-e07fc1f90a%02d", i)
		pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
		f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{StatusAfterExecute: status, RetryAfter: "1"}, 1)
		r := call(t, f.srv, f.aliceK, mPay, payVars(f, pr), "X-Idempotency-Key", key)
		assert.Equal(t, status, r.Status)
		assert.Equal(t, "text/html", r.Header.Get("Content-Type"))
		assert.Contains(t, r.Raw, "<html>")
		assert.Equal(t, "1", r.Header.Get("Retry-After"))
		assert.False(t, json.Valid([]byte(r.Raw)))

		balance -= 100
		assert.Equal(t, i+1, f.srv.Executions("LnInvoicePaymentSend"), "the mutation ran")
		assert.Equal(t, balance, f.srv.Balance(f.alice.BTCWalletID))
		assert.Equal(t, hash, f.srv.Ledger(f.alice.BTCWalletID)[0].PaymentHash)

		retry := call(t, f.srv, f.aliceK, mPay, payVars(f, pr), "X-Idempotency-Key", key)
		assert.True(t, isRouterConflict(retry), "the key was locked: %s", retry.Raw)
	}
	assert.Equal(t, 8, f.srv.Requests("LnInvoicePaymentSend"))
	assert.Equal(t, 4, f.srv.Executions("LnInvoicePaymentSend"))
}

func TestTruncateAfterExecuteFaultExecutesThenCutsTheBody(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{TruncateAfterExecute: true}, 1)
	r := call(t, f.srv, f.aliceK, mPay, payVars(f, pr))
	assert.Equal(t, 200, r.Status)
	assert.NotEmpty(t, r.Raw)
	assert.False(t, json.Valid([]byte(r.Raw)), r.Raw)
	assert.True(t, strings.HasPrefix(r.Raw, `{"data":{"lnInvoicePaymentSend":`), r.Raw)
	assert.Equal(t, 1, f.srv.Requests("LnInvoicePaymentSend"))
	assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, int64(1_000_000-100), f.srv.Balance(f.alice.BTCWalletID))
	assert.Equal(t, "ALREADY_PAID", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)))
}

func TestLatencyAfterExecuteFaultExecutesThenDelaysTheAnswer(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{LatencyAfterExecute: 80 * time.Millisecond}, 1)
	start := time.Now()
	r := call(t, f.srv, f.aliceK, mPay, payVars(f, pr))
	assert.GreaterOrEqual(t, time.Since(start), 80*time.Millisecond)
	assert.Equal(t, "SUCCESS", payStatus(r), r.Raw)
	assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"))
}

func TestLatencyAfterExecuteFaultPaysEvenWhenTheClientGivesUp(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{LatencyAfterExecute: time.Second}, 1)
	_, err := tryTimeout(100*time.Millisecond, f.srv, f.aliceK, mPay, payVars(f, pr))
	require.Error(t, err)
	assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"), "it ran before the wait")
	assert.Equal(t, int64(1_000_000-100), f.srv.Balance(f.alice.BTCWalletID))
	assert.Equal(t, "SEND", f.srv.Ledger(f.alice.BTCWalletID)[0].Direction)
}

func TestExecuteDespiteCancelLandsTheExecutionAfterTheClientGaveUp(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{Latency: 300 * time.Millisecond, ExecuteDespiteCancel: true}, 1)
	start := time.Now()
	_, err := tryTimeout(50*time.Millisecond, f.srv, f.aliceK, mPay, payVars(f, pr), "X-Idempotency-Key", idemKey)
	require.Error(t, err)
	assert.Equal(t, 0, f.srv.Executions("LnInvoicePaymentSend"), "not yet: the request is still on its way")
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))

	require.Eventually(t, func() bool { return f.srv.Executions("LnInvoicePaymentSend") == 1 }, 3*time.Second, 5*time.Millisecond)
	assert.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)
	assert.Equal(t, int64(1_000_000-100), f.srv.Balance(f.alice.BTCWalletID))
	l := f.srv.Ledger(f.alice.BTCWalletID)
	require.Len(t, l, 1)
	assert.Equal(t, "SUCCESS", l[0].Status)
	assert.Equal(t, 1, f.srv.Requests("LnInvoicePaymentSend"))
	r := call(t, f.srv, f.aliceK, mPay, payVars(f, pr), "X-Idempotency-Key", idemKey)
	assert.True(t, isRouterConflict(r), "the late execution took the lock: %s", r.Raw)
}

func TestLatencyExecutesNothingWhenTheClientGivesUp(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{Latency: 150 * time.Millisecond}, 1)
	_, err := tryTimeout(30*time.Millisecond, f.srv, f.aliceK, mPay, payVars(f, pr), "X-Idempotency-Key", idemKey)
	require.Error(t, err)
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, 0, f.srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
	r := call(t, f.srv, f.aliceK, mPay, payVars(f, pr), "X-Idempotency-Key", idemKey)
	assert.Equal(t, "SUCCESS", payStatus(r), "no lock was taken: %s", r.Raw)
}

func TestConflictFaultAnswersAsAReusedKeyWithoutExecuting(t *testing.T) {
	for name, opts := range map[string][]blinktest.Option{"router": nil, "raw": {blinktest.WithRawAPIErrors()}} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, opts...)
			pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
			f.srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{Conflict: true}, 2)
			r := call(t, f.srv, f.aliceK, mPay, payVars(f, pr), "X-Idempotency-Key", idemKey)
			if name == "raw" {
				assert.Equal(t, 409, r.Status)
				assert.JSONEq(t, `{"error":"the idempotency key already exist"}`, r.Raw)
			} else {
				assert.JSONEq(t, routerConflict, r.Raw)
			}
			assert.Equal(t, 401, call(t, f.srv, "galoy_dev_nope", mPay, payVars(f, pr)).Status, "the key check comes first")
			assert.Equal(t, 0, f.srv.Executions("LnInvoicePaymentSend"))
			assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))

			r = call(t, f.srv, f.aliceK, mPay, payVars(f, pr), "X-Idempotency-Key", idemKey)
			assert.Equal(t, "SUCCESS", payStatus(r), "the fault took no lock: %s", r.Raw)
			assert.Equal(t, 3, f.srv.Requests("LnInvoicePaymentSend"))
			assert.Equal(t, 1, f.srv.Executions("LnInvoicePaymentSend"))
		})
	}
}
