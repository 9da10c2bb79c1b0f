package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/stretchr/testify/require"
)

var receiveScopes = []blink.Scope{blink.ScopeRead, blink.ScopeReceive}

// enableBlinkWebhooks registers the server's webhook endpoint for the
// tenant's account with Blink (as the shop does in the dashboard) and gives
// the server the endpoint's secret.
func (r *rig) enableBlinkWebhooks(f *tenantFixture) {
	r.t.Helper()
	admin := r.fake.CreateAPIKey(f.acct.ID, blinktestAllScopes())
	c, err := blink.New(admin, blink.WithEndpoint(r.fake.URL()))
	require.NoError(r.t, err)
	defer c.Close()
	_, err = c.AddCallbackEndpoint(context.Background(), r.http.URL+"/v1/blink/webhooks/"+f.id)
	require.NoError(r.t, err)
	require.Equal(r.t, 204, r.do("PUT", "/v1/tenant/blink-webhook-secret", f.token, map[string]string{"secret": r.fake.WebhookSecret(f.acct.ID)}, nil))
}

func paidKey(id string) string { return "order.paid " + id }

// endToEnd connects a tenant with streams and webhooks on, creates n
// orders, pays them from outside, and checks that the shop saw order.paid
// exactly once for each.
func endToEnd(t *testing.T, r *rig, n int) {
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	var keys []string
	var orders []orderJSON
	for i := range n {
		o := r.order(f, fmt.Sprintf("e2e-%d", i), int64(1000+i))
		require.Equal(t, "created", o.Status)
		require.NotEmpty(t, o.PaymentRequest)
		orders = append(orders, o)
		keys = append(keys, paidKey(o.OrderID))
	}
	// The same order again is the same invoice.
	again := r.order(f, "e2e-0", 1000)
	require.Equal(t, orders[0].PaymentHash, again.PaymentHash)

	for _, o := range orders {
		require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	}
	ctx := context.Background()
	r.app.Detector.ReconcileTenant(ctx, f.id) // the third path, racing the other two
	r.shop.waitFor(keys, 30*time.Second)
	require.NoError(t, r.fake.WaitWebhooksIdle(ctx))
	r.app.Detector.ReconcileTenant(ctx, f.id)
	for r.app.Outbox.RunOnce(ctx) > 0 {
	}

	via := map[string]int{}
	for _, o := range orders {
		require.Equal(t, 1, r.shop.count(paidKey(o.OrderID)), "order.paid deliveries of %s", o.OrderID)
		var got orderJSON
		require.Equal(t, 200, r.do("GET", "/v1/orders/"+o.OrderID, f.token, nil, &got))
		require.Equal(t, "paid", got.Status)
		via[got.DetectedBy]++
	}
	r.stop() // waits for deliveries in flight to be recorded
	st, err := openStore(r)
	require.NoError(t, err)
	defer st.Close()
	evs, err := st.Events(ctx, f.id)
	require.NoError(t, err)
	require.Len(t, evs, n)
	for _, e := range evs {
		require.Equal(t, store.EventDelivered, e.Status)
	}
	t.Logf("%d orders paid, detected by %v; outbox %d events, all delivered once", n, via, len(evs))
}

func TestEndToEnd_SQLite_EveryOrderPaidFromOutsideReachesTheShopOnce(t *testing.T) {
	endToEnd(t, newRig(t, ""), 20)
}

func TestCrash_RestartBetweenInvoiceAndPayment_ReconcilerFindsIt(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.start(app.Config{})
		f := r.connect(receiveScopes, false, 0)
		o := r.order(f, "crash-1", 2100)
		r.stop() // the process dies with the order open
		require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
		r.start(app.Config{NoStreams: true}) // only the start-up reconcile can see it
		r.shop.waitFor([]string{paidKey("crash-1")}, 20*time.Second)
		var got orderJSON
		r.do("GET", "/v1/orders/crash-1", f.token, nil, &got)
		require.Equal(t, "paid", got.Status)
		require.Equal(t, "reconciler", got.DetectedBy)
		require.Equal(t, 1, r.shop.count(paidKey("crash-1")))
	})
}

func TestCrash_RestartBeforeTheInvoiceIsStored_SameInvoiceOnRetry(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.start(app.Config{})
		f := r.connect(receiveScopes, false, 0)
		// The invoice was created in Blink (ExternalID = the order id) but the
		// process died before storing it: the order row has no invoice.
		o := r.order(f, "lost-answer", 3000)
		_, err := r.st.Order(context.Background(), f.id, "lost-answer")
		require.NoError(t, err)
		r.stop()
		st, err := openStore(r)
		require.NoError(t, err)
		_, err = st.DB().Exec(`UPDATE orders SET payment_request = '', payment_hash = '' WHERE order_id = 'lost-answer'`)
		require.NoError(t, err)
		st.Close()
		r.start(app.Config{})
		again := r.order(f, "lost-answer", 3000)
		require.Equal(t, o.PaymentHash, again.PaymentHash, "a retry after the crash found the first invoice, made no second")
	})
}

func TestReconcilerAlone_WebsocketAndWebhooksDown_DetectsEveryPayment(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.fake.RefuseWebSockets(0) // until AcceptWebSockets: no stream
		r.start(app.Config{ReconcileInterval: 50 * time.Millisecond})
		f := r.connect(receiveScopes, false, 0) // and no Blink webhooks configured
		var keys []string
		for i := range 5 {
			o := r.order(f, fmt.Sprintf("alone-%d", i), 500)
			require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
			keys = append(keys, paidKey(o.OrderID))
		}
		r.shop.waitFor(keys, 20*time.Second)
		for i := range 5 {
			var got orderJSON
			r.do("GET", fmt.Sprintf("/v1/orders/alone-%d", i), f.token, nil, &got)
			require.Equal(t, "reconciler", got.DetectedBy)
		}
		require.Zero(t, r.fake.WebSockets())
	})
}

func TestWebhooksAlone_DetectPayments(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{NoStreams: true})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	o := r.order(f, "hooked", 700)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	r.shop.waitFor([]string{paidKey("hooked")}, 20*time.Second)
	var got orderJSON
	r.do("GET", "/v1/orders/hooked", f.token, nil, &got)
	require.Equal(t, "webhook", got.DetectedBy)
}

func TestOutbox_ShopDownAcrossARestart_DeliveredOnceWhenBack(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.start(app.Config{})
		f := r.connect(receiveScopes, false, 0)
		r.shop.setFailing(true)
		o := r.order(f, "retry-me", 900)
		require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
		ctx := context.Background()
		// Wait until the order is paid and its first delivery has failed.
		for {
			evs, err := r.st.Events(ctx, f.id)
			require.NoError(t, err)
			if len(evs) == 1 && evs[0].Attempts >= 1 && evs[0].LastError != "" {
				break
			}
			r.app.Detector.ReconcileTenant(ctx, f.id)
			r.app.Outbox.RunOnce(ctx)
		}
		r.stop()
		r.shop.setFailing(false)
		r.start(app.Config{})
		// The retry is due after the backoff; move it to now as time passing would.
		_, err := r.st.DB().Exec(`UPDATE outbox SET next_attempt_at = 0`)
		require.NoError(t, err)
		r.app.Outbox.Kick()
		r.shop.waitFor([]string{paidKey("retry-me")}, 20*time.Second)
		for r.app.Outbox.RunOnce(ctx) > 0 {
		}
		require.Equal(t, 1, r.shop.count(paidKey("retry-me")))
	})
}

func TestStream_NoWebhooks_DetectsEveryPayment_IncludingOneLandingWhileSubscribing(t *testing.T) {
	r := newRig(t, "")
	// No Blink webhooks and no periodic reconcile (interval 1h): the stream
	// and the checks around its subscription must see every payment, also
	// one landing while the subscription is being made.
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 5_000)
	var keys []string
	for i := range 5 {
		o := r.order(f, fmt.Sprintf("streamed-%d", i), 400)
		require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
		keys = append(keys, paidKey(o.OrderID))
	}
	r.shop.waitFor(keys, 20*time.Second)
	for i := range 5 {
		var got orderJSON
		r.do("GET", fmt.Sprintf("/v1/orders/streamed-%d", i), f.token, nil, &got)
		require.Contains(t, []string{"stream", "reconciler"}, got.DetectedBy)
	}
}
