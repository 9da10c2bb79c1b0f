package app_test

import (
	"context"
	"database/sql"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/stretchr/testify/require"
)

func TestExpiry_UnpaidOrderExpiresOnceWhenBlinkSaysSo(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	r := newRig(t, "", blinktest.WithClock(clock))
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	var o orderJSON
	require.Equal(t, 201, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "late", "amount_sats": 100, "expires_in": 60}, &o))
	ctx := context.Background()
	r.app.Detector.ReconcileTenant(ctx, f.id)
	var got orderJSON
	r.do("GET", "/v1/orders/late", f.token, nil, &got)
	require.Equal(t, "created", got.Status, "not expired before Blink says so")
	offset.Store(int64(2 * time.Minute))
	r.fake.Tick()
	r.app.Detector.ReconcileTenant(ctx, f.id)
	r.app.Detector.ReconcileTenant(ctx, f.id)
	r.shop.waitFor([]string{"order.expired late"}, 20*time.Second)
	r.do("GET", "/v1/orders/late", f.token, nil, &got)
	require.Equal(t, "expired", got.Status)
	require.Error(t, r.fake.PayInvoice(o.PaymentRequest), "Blink refuses to pay an expired invoice")
	r.app.Detector.ReconcileTenant(ctx, f.id)
	for r.app.Outbox.RunOnce(ctx) > 0 {
	}
	require.Equal(t, 1, r.shop.count("order.expired late"))
	require.Zero(t, r.shop.count(paidKey("late")))
}

func TestDisconnect_WipesCiphertextsAndLocksTheTokenOut(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	require.Equal(t, 204, r.do("DELETE", "/v1/tenant", f.token, nil, nil))
	var conn, bw, sw sql.NullString
	var status string
	require.NoError(t, r.st.DB().QueryRow(`SELECT status, conn_ct, blink_whsec_ct, shop_whsec_ct FROM tenants WHERE id = ?`, f.id).Scan(&status, &conn, &bw, &sw))
	require.Equal(t, "disabled", status)
	require.False(t, conn.Valid || bw.Valid || sw.Valid, "every ciphertext wiped")
	var e apiError
	require.Equal(t, 403, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "x", "amount_sats": 1}, &e))
	require.Equal(t, "tenant_disabled", e.Error.Code)
	require.Equal(t, 404, r.do("POST", "/v1/blink/webhooks/"+f.id, "", []byte(`{}`), &e))
}

func TestShopWebhook_RegisteredOverTheAPI_SecretShownOnce(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	var e apiError
	require.Equal(t, 400, r.do("PUT", "/v1/tenant/webhook", f.token, map[string]string{"url": "http://shop.example/hook"}, &e))
	require.Equal(t, "invalid_webhook_url", e.Error.Code, "plain http only for loopback, and only when allowed")
	var got struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	require.Equal(t, 200, r.do("PUT", "/v1/tenant/webhook", f.token, map[string]string{"url": r.shop.srv.URL + "/v2"}, &got))
	require.Regexp(t, `^whsec_`, got.Secret)
	r.shop.setSecret(f.id, got.Secret) // the old secret no longer signs
	o := r.order(f, "new-hook", 100)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	r.shop.waitFor([]string{paidKey("new-hook")}, 20*time.Second)
	var tj map[string]any
	r.do("GET", "/v1/tenant", f.token, nil, &tj)
	require.Equal(t, r.shop.srv.URL+"/v2", tj["shop_webhook_url"])
	require.NotContains(t, tj, "secret")
}

func TestRateLimit_PerTenant_429WithCode(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{RatePerSecond: 0.001, RateBurst: 3})
	a := r.connect(receiveScopes, false, 0)
	b := r.connect(receiveScopes, false, 0)
	for range 3 {
		require.Equal(t, 200, r.do("GET", "/v1/tenant", a.token, nil, nil))
	}
	var e apiError
	require.Equal(t, 429, r.do("GET", "/v1/tenant", a.token, nil, &e))
	require.Equal(t, "rate_limited", e.Error.Code)
	require.Equal(t, 200, r.do("GET", "/v1/tenant", b.token, nil, nil), "another tenant is not limited by A")
}
