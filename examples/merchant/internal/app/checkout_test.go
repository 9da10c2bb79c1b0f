package app_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/stretchr/testify/require"
)

type checkoutLink struct {
	URL       string `json:"url"`
	Path      string `json:"path"`
	ExpiresAt string `json:"expires_at"`
}

func (r *rig) checkoutLink(f *tenantFixture, orderID string) string {
	r.t.Helper()
	var l checkoutLink
	require.Equal(r.t, 201, r.do("POST", "/v1/orders/"+orderID+"/checkout", f.token, nil, &l))
	require.True(r.t, strings.HasPrefix(l.Path, "/checkout/"))
	exp, err := time.Parse(time.RFC3339, l.ExpiresAt)
	require.NoError(r.t, err)
	require.WithinDuration(r.t, time.Now().Add(15*time.Minute), exp, 5*time.Second, "links live minutes")
	return r.http.URL + l.Path
}

func get(t *testing.T, url string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestCheckout_SignedLinkShowsQRAmountAndFiat_BadLinksGetTheErrorPage(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{CheckoutOrigins: []string{"https://shop.example"}})
	f := r.connect(receiveScopes, false, 0)
	o := r.order(f, "co-1", 1000)
	link := r.checkoutLink(f, "co-1")

	code, h, body := get(t, link)
	require.Equal(t, 200, code)
	require.Contains(t, h.Get("Content-Type"), "text/html")
	require.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
	require.Contains(t, body, `src="data:image/png;base64,`)
	require.Contains(t, body, "1,000 sats")
	require.Contains(t, body, `id="fiat"`)
	require.Contains(t, body, o.PaymentRequest)
	require.Contains(t, body, "Waiting for payment")
	require.NotContains(t, body, f.key, "the page never sees a key")
	require.NotContains(t, body, f.token)

	// Tampered, expired, another tenant's order, a disconnected tenant.
	tampered := link[:len(link)-3] + "abc"
	code, _, body = get(t, tampered)
	require.Equal(t, 403, code)
	require.Contains(t, body, "not valid")
	expired := r.http.URL + "/checkout/" + r.app.Checkout.Sessions.SignUntil(f.id, "co-1", time.Now().Add(-time.Second))
	code, _, body = get(t, expired)
	require.Equal(t, 410, code)
	require.Contains(t, body, "expired")
	g := r.connect(receiveScopes, false, 0)
	r.order(g, "co-g", 10)
	cross := r.http.URL + "/checkout/" + r.app.Checkout.Sessions.SignUntil(f.id, "co-g", time.Now().Add(time.Minute))
	code, _, _ = get(t, cross)
	require.Equal(t, 404, code, "a link of tenant A never reaches tenant B's order")
	var e apiError
	require.Equal(t, 404, r.do("POST", "/v1/orders/co-g/checkout", f.token, nil, &e))
	gl := r.checkoutLink(g, "co-g")
	require.Equal(t, 204, r.do("DELETE", "/v1/tenant", g.token, nil, nil))
	code, _, _ = get(t, gl)
	require.Equal(t, 403, code, "the tenant must be active")

	// CORS: the checkout API only, configured origins only, never "*" nor credentials.
	code, h, body = get(t, link+"/status", "Origin", "https://shop.example")
	require.Equal(t, 200, code)
	require.Contains(t, body, `"status":"created"`)
	require.Equal(t, "https://shop.example", h.Get("Access-Control-Allow-Origin"))
	require.Empty(t, h.Get("Access-Control-Allow-Credentials"))
	_, h, _ = get(t, link+"/status", "Origin", "https://evil.example")
	require.Empty(t, h.Get("Access-Control-Allow-Origin"))
	_, h, _ = get(t, link, "Origin", "https://shop.example")
	require.Empty(t, h.Get("Access-Control-Allow-Origin"), "not on the page itself")
	_, h, _ = get(t, r.http.URL+"/v1/tenant", "Origin", "https://shop.example")
	require.Empty(t, h.Get("Access-Control-Allow-Origin"), "not on the tenant API")
}

func TestCheckout_EventsTurnPaidLive(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	o := r.order(f, "sse-1", 500)
	link := r.checkoutLink(f, "sse-1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", link+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
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
	require.Contains(t, next(), `"status":"created"`)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	require.Contains(t, next(), `"status":"paid"`)
}
