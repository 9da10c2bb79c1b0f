package app_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
)

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
