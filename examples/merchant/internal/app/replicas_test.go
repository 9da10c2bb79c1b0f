package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/stretchr/testify/require"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func post(t testing.TB, base, path, token string, body any, out any) int {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// TestReplicas_Postgres_NoDoublePayoutNoDoubleOrderPaid runs two servers on
// one PostgreSQL database, both with every worker on: payouts and orders
// are created through both, payments land from outside, and every row is
// worked by whichever replica claims it first: 500 payouts and 1,000 orders
// (100 and 200 with -short; MERCHANT_REPLICA_PAYOUTS and
// MERCHANT_REPLICA_ORDERS set other figures).
func TestReplicas_Postgres_NoDoublePayoutNoDoubleOrderPaid(t *testing.T) {
	dbURL := pgDatabase(t)
	defP, defO := 500, 1000 // the figures
	if testing.Short() {
		defP, defO = 100, 200
	}
	nPayouts, nOrders := envInt("MERCHANT_REPLICA_PAYOUTS", defP), envInt("MERCHANT_REPLICA_ORDERS", defO)
	r := newRig(t, dbURL, blinktest.WithInvoiceRateLimit(1_000_000))
	cfg := app.Config{ReconcileInterval: 100 * time.Millisecond, PayoutInterval: 50 * time.Millisecond, OutboxInterval: 50 * time.Millisecond}
	r.start(cfg)
	f := r.connect(writeScopes, true, 10_000_000)
	r.enableBlinkWebhooks(f)
	b := r.replica(cfg)
	b.app.Detector.Watch(f.id) // both replicas stream the tenant
	bases := []string{r.http.URL, b.http.URL}
	payee := r.fake.CreateAccount(blinktest.AccountOptions{Username: "replicapayee"})

	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var payoutIDs []string
	var orders []orderJSON
	sem := make(chan struct{}, 16)
	for i := range nPayouts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			var p payoutJSON
			code := post(t, bases[i%2], "/v1/payouts", f.token, map[string]any{"destination": "replicapayee", "amount_sats": 1}, &p)
			if code != 202 {
				t.Errorf("payout %d: HTTP %d", i, code)
				return
			}
			mu.Lock()
			payoutIDs = append(payoutIDs, p.ID)
			mu.Unlock()
		}()
	}
	for i := range nOrders {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			var o orderJSON
			code := post(t, bases[i%2], "/v1/orders", f.token, map[string]any{"order_id": fmt.Sprintf("rep-%d", i), "amount_sats": 100}, &o)
			if code != 201 {
				t.Errorf("order %d: HTTP %d", i, code)
				return
			}
			if err := r.fake.PayInvoice(o.PaymentRequest); err != nil {
				t.Error(err)
			}
			mu.Lock()
			orders = append(orders, o)
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.False(t, t.Failed())
	var keys []string
	for _, o := range orders {
		keys = append(keys, paidKey(o.OrderID))
	}
	r.shop.waitFor(keys, 3*time.Minute)
	ordersDone := time.Since(start)

	// Every payout final: the replicas' workers run; this drives them too.
	ctx := context.Background()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var open int
		require.NoError(t, r.st.DB().QueryRow(`SELECT COUNT(*) FROM payouts WHERE status NOT IN ('succeeded', 'failed')`).Scan(&open))
		if open == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "%d payouts not final", open)
		var w sync.WaitGroup
		for _, a := range []*app.App{r.app, b.app} {
			w.Add(1)
			go func() { defer w.Done(); a.Payouts.RunOnce(ctx) }()
		}
		w.Wait()
	}
	var failed int
	r.st.DB().QueryRow(`SELECT COUNT(*) FROM payouts WHERE status = 'failed'`).Scan(&failed)
	require.Zero(t, failed)
	require.NoError(t, r.fake.WaitWebhooksIdle(ctx))
	for _, a := range []*app.App{r.app, b.app} {
		for a.Outbox.RunOnce(ctx) > 0 {
		}
	}

	require.Equal(t, nPayouts, r.fake.Executions("IntraLedgerPaymentSend"), "each payout sent once")
	require.Equal(t, int64(nPayouts), r.fake.Balance(payee.BTCWalletID).Value)
	doubles := 0
	for _, k := range keys {
		if r.shop.count(k) != 1 {
			doubles++
		}
	}
	require.Zero(t, doubles, "orders whose order.paid reached the shop other than once")
	var paid int
	r.st.DB().QueryRow(`SELECT COUNT(*) FROM orders WHERE status = 'paid'`).Scan(&paid)
	require.Equal(t, nOrders, paid)
	sa, sb := r.app.Stats, b.app.Stats
	t.Logf("%d orders paid and delivered in %v (%.0f/s); payouts %d final; replica A moved %d orders (stream %d, webhook %d, reconciler %d), B %d (stream %d, webhook %d, reconciler %d); payouts final A %d, B %d",
		nOrders, ordersDone.Round(time.Millisecond), float64(nOrders)/ordersDone.Seconds(), nPayouts,
		sa.OrdersPaid.Load(), sa.PaidByStream.Load(), sa.PaidByWebhook.Load(), sa.PaidReconciler.Load(),
		sb.OrdersPaid.Load(), sb.PaidByStream.Load(), sb.PaidByWebhook.Load(), sb.PaidReconciler.Load(),
		sa.PayoutsSucceeded.Load(), sb.PayoutsSucceeded.Load())
}
