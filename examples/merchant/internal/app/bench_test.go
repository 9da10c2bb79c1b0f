package app_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
)

// TestFigures_EndToEnd measures, on SQLite and PostgreSQL, orders created
// and detected paid per second end to end (create over the API, pay from
// outside, order.paid at the shop) and the latency from the fake settling
// an invoice to the shop's delivery. It runs with MERCHANT_FIGURES=N orders
// (skipped otherwise: it is a measurement, not a check).
func TestFigures_EndToEnd(t *testing.T) {
	n := envInt("MERCHANT_FIGURES", 0)
	if n == 0 {
		t.Skip("set MERCHANT_FIGURES=<orders> to measure")
	}
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL, blinktest.WithInvoiceRateLimit(1_000_000))
		r.start(app.Config{})
		f := r.connect(receiveScopes, false, 1000)
		r.enableBlinkWebhooks(f)
		paidAt := make([]time.Time, n)
		keys := make([]string, n)
		start := time.Now()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for i := range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				var o orderJSON
				if code := post(t, r.http.URL, "/v1/orders", f.token, map[string]any{"order_id": fmt.Sprint("fig-", i), "amount_sats": 100}, &o); code != 201 {
					t.Errorf("HTTP %d", code)
					return
				}
				paidAt[i] = time.Now()
				if err := r.fake.PayInvoice(o.PaymentRequest); err != nil {
					t.Error(err)
				}
				keys[i] = paidKey(o.OrderID)
			}()
		}
		wg.Wait()
		r.shop.waitFor(keys, 5*time.Minute)
		took := time.Since(start)
		var lat []time.Duration
		r.shop.mu.Lock()
		for i, k := range keys {
			lat = append(lat, r.shop.at[k].Sub(paidAt[i]))
		}
		r.shop.mu.Unlock()
		// Split: settle → the order moved (detection) and moved → delivered (outbox).
		var detect, deliver []time.Duration
		s := r.app.Stats
		r.stop() // deliveries in flight are recorded
		st, err := openStore(r)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		evs, _ := st.Events(context.Background(), f.id)
		byOrder := map[string]int{}
		for i := range n {
			byOrder[fmt.Sprint("fig-", i)] = i
		}
		for _, e := range evs {
			i := byOrder[e.OrderID]
			detect = append(detect, e.CreatedAt.Sub(paidAt[i]))
			deliver = append(deliver, e.DeliveredAt.Sub(e.CreatedAt))
		}
		t.Logf("%d orders created, paid and delivered in %v: %.0f orders/s; settle→order.paid at the shop p50 %v, p99 %v (detection p50 %v p99 %v; outbox p50 %v p99 %v); detected by stream %d, webhook %d, reconciler %d",
			n, took.Round(time.Millisecond), float64(n)/took.Seconds(), pct(lat, 0.5), pct(lat, 0.99),
			pct(detect, 0.5), pct(detect, 0.99), pct(deliver, 0.5), pct(deliver, 0.99),
			s.PaidByStream.Load(), s.PaidByWebhook.Load(), s.PaidReconciler.Load())
	})
}

func pct(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	return d[int(q*float64(len(d)-1))].Round(100 * time.Microsecond)
}

// BenchmarkEndToEnd: each op is one order created over the API, paid from
// outside at the fake, detected (stream, webhooks and reconciler merged)
// and delivered as order.paid to the shop; 8 at a time. It reports
// orders/s and the latency from the fake settling an invoice to the shop
// receiving order.paid (settle_to_paid_p50_ms, _p99_ms).
//
//	go test ./examples/merchant/internal/app -run '^$' -bench EndToEnd -benchtime 500x
func BenchmarkEndToEnd(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			dbURL := ""
			if db == "postgres" {
				dbURL = pgDatabase(b)
			}
			r := newRig(b, dbURL, blinktest.WithInvoiceRateLimit(1_000_000))
			r.start(app.Config{})
			f := r.connect(receiveScopes, false, 1000)
			r.enableBlinkWebhooks(f)
			paidAt := make([]time.Time, b.N)
			keys := make([]string, b.N)
			sem := make(chan struct{}, 8)
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer func() { <-sem; wg.Done() }()
					var o orderJSON
					if code := post(b, r.http.URL, "/v1/orders", f.token, map[string]any{"order_id": fmt.Sprint("bench-", i), "amount_sats": 100}, &o); code != 201 {
						b.Errorf("HTTP %d", code)
						return
					}
					paidAt[i] = time.Now()
					if err := r.fake.PayInvoice(o.PaymentRequest); err != nil {
						b.Error(err)
					}
					keys[i] = paidKey(o.OrderID)
				}()
			}
			wg.Wait()
			r.shop.waitFor(keys, 5*time.Minute)
			took := time.Since(start)
			b.StopTimer()
			var lat []time.Duration
			r.shop.mu.Lock()
			for i, k := range keys {
				lat = append(lat, r.shop.at[k].Sub(paidAt[i]))
			}
			r.shop.mu.Unlock()
			b.ReportMetric(float64(b.N)/took.Seconds(), "orders/s")
			b.ReportMetric(float64(pct(lat, 0.5).Microseconds())/1000, "settle_to_paid_p50_ms")
			b.ReportMetric(float64(pct(lat, 0.99).Microseconds())/1000, "settle_to_paid_p99_ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
