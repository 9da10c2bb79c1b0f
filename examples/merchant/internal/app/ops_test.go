package app_test

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/stretchr/testify/require"
)

func metric(t *testing.T, body, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
	require.NotNil(t, m, "metric %s in:\n%s", name, body)
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}

func TestOps_HealthReadyAndMetrics(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{MetricsToken: "metrics-secret"})
	code, _, body := get(t, r.http.URL+"/health")
	require.Equal(t, 200, code, body)
	code, _, _ = get(t, r.http.URL+"/ready")
	require.Equal(t, 200, code)

	f := r.connect(receiveScopes, false, 0)
	o := r.order(f, "m-1", 100)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	r.shop.waitFor([]string{paidKey("m-1")}, 20*time.Second)

	code, _, _ = get(t, r.http.URL+"/metrics")
	require.Equal(t, http.StatusUnauthorized, code, "metrics want the token")
	code, _, body = get(t, r.http.URL+"/metrics", "Authorization", "Bearer metrics-secret")
	require.Equal(t, 200, code)
	require.Equal(t, 1.0, metric(t, body, "merchant_orders_created_total"))
	require.Equal(t, 1.0, metric(t, body, `merchant_orders_settled_total{status="paid"}`))
	detected := 0.0
	for _, p := range []string{"stream", "webhook", "reconciler", "watcher"} {
		detected += metric(t, body, `merchant_payments_detected_total{path="`+p+`"}`)
	}
	require.Equal(t, 1.0, detected)
	require.Equal(t, 0.0, metric(t, body, `merchant_payouts_total{outcome="succeeded"}`))
	// The delivery is counted once the shop's answer is read, just after the shop saw it.
	require.Eventually(t, func() bool {
		_, _, body := get(t, r.http.URL+"/metrics", "Authorization", "Bearer metrics-secret")
		return metric(t, body, `merchant_webhook_deliveries_total{outcome="ok"}`) >= 1
	}, 10*time.Second, 10*time.Millisecond)
	require.NotContains(t, body, f.key)

	// The database gone: not ready (liveness still fine).
	r.st.Close()
	code, _, _ = get(t, r.http.URL+"/ready")
	require.Equal(t, http.StatusServiceUnavailable, code)
	code, _, _ = get(t, r.http.URL+"/health")
	require.Equal(t, 200, code)
}
