package blinktest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink/blinktest"
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
