package app_test

// Late payments: an invoice paid (accepted before its expiry, e.g. a held
// HTLC) after the order expired and the shop was told order.expired. The
// order moves once, expired → paid_late, with one order.paid_late at the
// shop, whichever path sees it; a paid order never becomes paid_late.

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
	"github.com/stretchr/testify/require"
)

func lateKey(id string) string { return "order.paid_late " + id }

// lateRig is a rig whose fake runs on a clock the test moves.
type lateRig struct {
	*rig
	offset *atomic.Int64
}

func newLateRig(t *testing.T, dbURL string) *lateRig {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	return &lateRig{rig: newRig(t, dbURL, blinktest.WithClock(clock)), offset: &offset}
}

// expireWithHeldPayment creates an order whose payment is accepted before
// its expiry but settles only after it, and lets Blink expire it: the shop
// has received order.expired, and the payment is still to settle (Tick).
func (r *lateRig) expireWithHeldPayment(f *tenantFixture, id string) orderJSON {
	r.t.Helper()
	var o orderJSON
	require.Equal(r.t, 201, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": id, "amount_sats": 100, "expires_in": 60}, &o))
	r.fake.SettleInvoiceAfter(o.PaymentHash, 30*time.Second)
	r.offset.Store(int64(2 * time.Minute))
	r.app.Detector.ReconcileTenant(context.Background(), f.id) // Blink says EXPIRED
	r.shop.waitFor([]string{"order.expired " + id}, 20*time.Second)
	var got orderJSON
	require.Equal(r.t, 200, r.do("GET", "/v1/orders/"+id, f.token, nil, &got))
	require.Equal(r.t, "expired", got.Status)
	return o
}

// requirePaidLateOnce checks the order's final state after a few more
// passes of every path: paid_late by via, one order.paid_late, no
// order.paid, counted and logged at error level. others are replicas
// on the same database: whichever moved the order counted it.
func (r *lateRig) requirePaidLateOnce(f *tenantFixture, id, via string, others ...*app.App) {
	r.t.Helper()
	ctx := context.Background()
	r.shop.waitFor([]string{lateKey(id)}, 20*time.Second)
	for range 2 {
		r.app.Detector.ReconcileTenant(ctx, f.id)
		r.app.Detector.ReconcileDue(ctx)
		_, err := r.app.Orders.MarkPaidByHash(ctx, f.id, r.hashOf(f, id), "stream")
		require.NoError(r.t, err)
	}
	reviewMoneyDrain(r.rig)
	var got struct {
		orderJSON
		PaidAt    time.Time `json:"paid_at"`
		SettledAt time.Time `json:"settled_at"`
	}
	require.Equal(r.t, 200, r.do("GET", "/v1/orders/"+id, f.token, nil, &got))
	require.Equal(r.t, "paid_late", got.Status)
	require.Equal(r.t, via, got.DetectedBy)
	require.False(r.t, got.PaidAt.IsZero(), "paid_at shown")
	require.False(r.t, got.PaidAt.Before(got.SettledAt), "paid after it expired")
	require.Equal(r.t, 1, r.shop.count(lateKey(id)), "exactly one order.paid_late")
	require.Equal(r.t, 1, r.shop.count("order.expired "+id))
	require.Zero(r.t, r.shop.count(paidKey(id)), "never order.paid after order.expired")
	var late, paid int64
	for _, a := range append([]*app.App{r.app}, others...) {
		late, paid = late+a.Stats.OrdersPaidLate.Load(), paid+a.Stats.OrdersPaid.Load()
	}
	require.Equal(r.t, int64(1), late, "counted once, by the replica that moved it")
	require.Zero(r.t, paid)
	var line string
	for _, l := range strings.Split(r.logs.String(), "\n") {
		if strings.Contains(l, "order paid after it expired") && strings.Contains(l, `"order":"`+id+`"`) {
			line = l
		}
	}
	require.NotEmpty(r.t, line, "the late payment is logged")
	require.Contains(r.t, line, `"level":"ERROR"`)
	require.Contains(r.t, line, `"tenant":"`+f.id+`"`)
	require.Contains(r.t, line, `"payment_hash":"`+r.hashOf(f, id)+`"`)
	if f.key != "" {
		require.NotContains(r.t, r.logs.String(), f.key, "no key in the log")
	}
}

func (r *lateRig) hashOf(f *tenantFixture, id string) string {
	r.t.Helper()
	var o orderJSON
	require.Equal(r.t, 200, r.do("GET", "/v1/orders/"+id, f.token, nil, &o))
	return o.PaymentHash
}

// The realtime stream (or a Blink webhook) reports the late settlement:
// the order becomes paid_late at once, without a reconciler pass.
func TestLatePay_StreamOrWebhookSeesSettlementAfterExpiry_PaidLateOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		for _, via := range []string{"stream", "webhook"} {
			t.Run(via, func(t *testing.T) {
				r := newLateRig(t, dbURL)
				r.start(app.Config{NoStreams: via == "webhook"})
				f := r.connect(receiveScopes, false, 0)
				if via == "webhook" {
					r.enableBlinkWebhooks(f)
				} else {
					r.waitStreamLive(f)
				}
				id := "held-" + via
				r.expireWithHeldPayment(f, id)
				// The checkout page, open on the expired order, keeps
				// listening (the invoice expired minutes ago) and turns
				// paid_late live.
				link := r.http.URL + "/checkout/" + r.app.Checkout.Sessions.SignUntil(f.id, id, time.Now().Add(time.Minute))
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, "GET", link+"/events", nil)
				resp, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer resp.Body.Close()
				sc := bufio.NewScanner(resp.Body)
				next := func() string {
					for sc.Scan() {
						if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
							return d
						}
					}
					t.Fatalf("stream ended: %v", sc.Err())
					return ""
				}
				first := next()
				require.Contains(t, first, `"status":"expired"`)
				require.Contains(t, first, `"final":false`)

				r.fake.Tick() // the held payment settles
				r.shop.waitFor([]string{lateKey(id)}, 20*time.Second)
				last := next()
				require.Contains(t, last, `"status":"paid_late"`)
				require.Contains(t, last, `"final":true`)
				r.requirePaidLateOnce(f, id, via)
				code, _, page := get(t, link)
				require.Equal(t, 200, code)
				require.Contains(t, page, `data-status="paid_late"`)
				require.Contains(t, page, "Paid (after the invoice expired)")
				body := r.metrics()
				require.Equal(t, 1.0, metric(t, body, `merchant_orders_settled_total{status="paid_late"}`))
				require.Equal(t, 1.0, metric(t, body, `merchant_payments_detected_total{path="`+via+`"}`))
			})
		}
	})
}

// With no stream and no webhook, the reconciler's periodic pass finds the
// late payment of an expired order (claimed as open orders are, with a
// longer lease), and concurrent passes (and a replica on PostgreSQL) move
// it once.
func TestLatePay_ReconcilerAloneFindsSettlementAfterExpiry_PaidLateOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newLateRig(t, dbURL)
		r.start(app.Config{NoStreams: true})
		f := r.connect(receiveScopes, false, 0)
		r.expireWithHeldPayment(f, "held-rec")
		ctx := context.Background()
		// A claim made before it expired (the start-up pass) ends, as time
		// would; then a pass claims it with the late lease, ten times the
		// open orders' (Interval is an hour in the rig).
		_, err := r.st.DB().Exec(`UPDATE orders SET check_after = 0`)
		require.NoError(t, err)
		r.app.Detector.ReconcileDue(ctx)
		var after int64
		require.NoError(t, r.st.DB().QueryRow(`SELECT check_after FROM orders WHERE order_id = `+placeholder(r.rig), "held-rec").Scan(&after))
		require.Greater(t, after, time.Now().Add(9*time.Hour).UnixMilli(), "claimed for a late check with the longer lease")
		require.Zero(t, r.app.Detector.ReconcileDue(ctx), "and then left alone for its lease")
		r.fake.Tick()
		require.Zero(t, r.shop.count(lateKey("held-rec")))
		_, err = r.st.DB().Exec(`UPDATE orders SET check_after = 0`) // the lease ends, as time would
		require.NoError(t, err)
		passes := []func(){func() { r.app.Detector.ReconcileDue(ctx) }, func() { r.app.Detector.ReconcileDue(ctx) },
			func() { r.app.Detector.ReconcileTenant(ctx, f.id) }}
		var others []*app.App
		if dbURL != "" {
			rp := r.replica(app.Config{NoStreams: true})
			others = append(others, rp.app)
			passes = append(passes, func() { rp.app.Detector.ReconcileDue(ctx) }, func() { rp.app.Detector.ReconcileTenant(ctx, f.id) })
		}
		var wg sync.WaitGroup
		for _, p := range passes {
			wg.Add(1)
			go func() { defer wg.Done(); p() }()
		}
		wg.Wait()
		r.requirePaidLateOnce(f, "held-rec", "reconciler", others...)
	})
}

// A paid order is never paid_late: not by a repeated receipt, not by a
// reconciler pass, not by a direct SettleLate; and an open order cannot
// skip to paid_late either.
func TestLatePay_NeverFromPaidOrCreated(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newLateRig(t, dbURL)
		r.start(app.Config{})
		f := r.connect(receiveScopes, false, 0)
		ctx := context.Background()
		paid := r.order(f, "on-time", 100)
		require.NoError(t, r.fake.PayInvoice(paid.PaymentRequest))
		r.shop.waitFor([]string{paidKey("on-time")}, 20*time.Second)
		var open orderJSON
		require.Equal(t, 201, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "still-open", "amount_sats": 100, "expires_in": 60}, &open))
		// Before the clock moves (after it, any reconciler pass, such as
		// the one after a stream's resubscribe, may expire still-open).
		for _, id := range []string{"on-time", "still-open"} {
			o, err := r.st.Order(ctx, f.id, id)
			require.NoError(t, err)
			o.Status = store.OrderExpired // a stale read cannot make it late
			moved, err := r.app.Orders.SettleLate(ctx, o, "reconciler")
			require.NoError(t, err)
			require.False(t, moved, id)
		}
		r.offset.Store(int64(2 * time.Minute)) // past both expiries
		_, err := r.app.Orders.MarkPaidByHash(ctx, f.id, paid.PaymentHash, "stream")
		require.NoError(t, err)
		r.app.Detector.ReconcileTenant(ctx, f.id)
		r.app.Detector.ReconcileDue(ctx)
		reviewMoneyDrain(r.rig)
		var got orderJSON
		require.Equal(t, 200, r.do("GET", "/v1/orders/on-time", f.token, nil, &got))
		require.Equal(t, "paid", got.Status)
		require.Equal(t, 1, r.shop.count(paidKey("on-time")))
		require.Zero(t, r.shop.count(lateKey("on-time")))
		require.Equal(t, 200, r.do("GET", "/v1/orders/still-open", f.token, nil, &got))
		require.Equal(t, "expired", got.Status, "expired by Blink's word, not paid_late")
		require.Zero(t, r.shop.count(lateKey("still-open")))
		require.Error(t, r.fake.PayInvoice(open.PaymentRequest), "an expired invoice cannot be paid")
		require.Zero(t, r.app.Stats.OrdersPaidLate.Load())
	})
}

// A keyless tenant: a settlement within the SDK's ExpiryGrace is a plain
// payment (the order is not expired before the grace ends); one after the
// grace, once the order expired, is paid_late.
func TestLatePay_Keyless_WithinExpiryGracePaidAfterItPaidLate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		grace time.Duration
		want  string
	}{{"within-grace", 0, "paid"}, {"after-grace", time.Millisecond, "paid_late"}} {
		t.Run(tc.name, func(t *testing.T) {
			r := newLateRig(t, "")
			cfg := app.Config{KeylessOptions: tenants.KeylessOptions{PollFloor: 50 * time.Millisecond, ExpiryGrace: tc.grace}}
			r.start(cfg)
			f, acct := r.connectKeyless("late" + strings.ReplaceAll(tc.name, "-", ""))
			// The fake's clock runs 58 s behind: the invoice it makes (for
			// 60 s) expires by the server's clock in about 2 s, and stays
			// payable at the fake for almost a minute of its own time.
			r.offset.Store(int64(-58 * time.Second))
			var o struct {
				orderJSON
				ExpiresAt time.Time `json:"expires_at"`
			}
			require.Equal(t, 201, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "kl-late", "amount_sats": 100, "expires_in": 60}, &o))
			ctx := context.Background()
			status := func() string {
				var got orderJSON
				require.Equal(t, 200, r.do("GET", "/v1/orders/kl-late", f.token, nil, &got))
				return got.Status
			}
			if tc.want == "paid_late" {
				// Past the (tiny) grace, the reconciler expires it.
				require.Eventually(t, func() bool { r.app.Detector.ReconcileTenant(ctx, f.id); return status() == "expired" }, 20*time.Second, 50*time.Millisecond)
				r.shop.waitFor([]string{"order.expired kl-late"}, 20*time.Second)
			} else {
				// Past its expiry by the server's clock, within the grace:
				// the reconciler leaves it open.
				require.Eventually(t, func() bool { return time.Now().After(o.ExpiresAt) }, 20*time.Second, 50*time.Millisecond)
				r.app.Detector.ReconcileTenant(ctx, f.id)
				require.Equal(t, "created", status(), "not expired within the SDK's ExpiryGrace")
			}
			r.fake.SettleInvoiceAfter(o.PaymentHash, time.Second) // accepted before its expiry at the fake
			r.offset.Store(0)                                     // settles at the next look
			require.Eventually(t, func() bool {
				r.app.Detector.ReconcileTenant(ctx, f.id)
				reviewMoneyDrain(r.rig)
				return r.shop.count(paidKey("kl-late"))+r.shop.count(lateKey("kl-late")) > 0
			}, 20*time.Second, 50*time.Millisecond)
			require.Equal(t, int64(100), r.fake.Balance(acct.BTCWalletID).Value)
			var got orderJSON
			require.Equal(t, 200, r.do("GET", "/v1/orders/kl-late", f.token, nil, &got))
			require.Equal(t, tc.want, got.Status)
			if tc.want == "paid" {
				require.Equal(t, 1, r.shop.count(paidKey("kl-late")))
				require.Zero(t, r.shop.count("order.expired kl-late"), "not expired within the grace")
			} else {
				r.requirePaidLateOnce(f, "kl-late", got.DetectedBy)
				require.Contains(t, []string{"watcher", "reconciler"}, got.DetectedBy)
			}
		})
	}
}

// waitStreamLive pays warm-up orders until one is seen by the tenant's
// stream: its subscription is then live (a payment before that is seen
// by the reconciler's check right after the subscribe instead).
func (r *rig) waitStreamLive(f *tenantFixture) {
	r.t.Helper()
	i := 0
	require.Eventually(r.t, func() bool {
		i++
		id := "warm-up-" + strconv.Itoa(i)
		o := r.order(f, id, 10)
		require.NoError(r.t, r.fake.PayInvoice(o.PaymentRequest))
		r.shop.waitFor([]string{paidKey(id)}, 20*time.Second)
		var got orderJSON
		require.Equal(r.t, 200, r.do("GET", "/v1/orders/"+id, f.token, nil, &got))
		return got.DetectedBy == "stream"
	}, 20*time.Second, 10*time.Millisecond, "the stream never saw a payment")
	r.app.Stats.OrdersPaid.Store(0)
	r.app.Stats.PaidByStream.Store(0)
	r.app.Stats.PaidReconciler.Store(0)
}

// metrics reads the server's /metrics.
func (r *rig) metrics() string {
	r.t.Helper()
	code, _, body := get(r.t.(*testing.T), r.http.URL+"/metrics")
	require.Equal(r.t, 200, code)
	return body
}
