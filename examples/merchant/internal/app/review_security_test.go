package app_test

// An outside reviewer's security and hostile-input tests (TestReviewSec_*).
// Each asserts the behaviour the issue asks for, so a failing one names a bug.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
	"github.com/stretchr/testify/require"
)

// reviewSecTape records every response (status line, headers, body) the
// test saw, for the leak scan.
type reviewSecTape struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (tp *reviewSecTape) add(resp *http.Response, body []byte) {
	if tp == nil {
		return
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	fmt.Fprintf(&tp.b, "%s\n", resp.Status)
	resp.Header.Write(&tp.b)
	tp.b.Write(body)
	tp.b.WriteString("\n")
}

func (tp *reviewSecTape) String() string { tp.mu.Lock(); defer tp.mu.Unlock(); return tp.b.String() }

// reviewSecReq sends one request to base+path and returns the status,
// headers and body; hdr is key, value, key, value...
func reviewSecReq(t testing.TB, tp *reviewSecTape, method, url string, body any, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	tp.add(resp, raw)
	return resp.StatusCode, resp.Header, raw
}

func reviewSecCode(raw []byte) string {
	var e apiError
	json.Unmarshal(raw, &e)
	return e.Error.Code
}

func reviewSecRandKey(prefix string) string {
	return prefix + strings.Repeat("Z9", 32)
}

// reviewSecNeedles is each secret and the parts of it that must not show.
func reviewSecNeedles(in map[string]string) map[string]string {
	out := map[string]string{}
	for what, n := range in {
		if n == "" {
			continue
		}
		out[what] = n
		if s, ok := strings.CutPrefix(n, "whsec_"); ok {
			out[what+" (body)"] = s
		}
		if i := strings.LastIndex(n, "_"); i > 0 && len(n)-i > 40 && !strings.Contains(n, ";") {
			out[what+" (body)"] = n[i+1:]
		}
	}
	return out
}

func reviewSecNotIn(t *testing.T, hay string, needles map[string]string, where string) {
	t.Helper()
	for what, n := range needles {
		if strings.Contains(hay, n) {
			i := strings.Index(hay, n)
			lo, hi := max(0, i-200), min(len(hay), i+len(n)+50)
			t.Errorf("%s appears in %s: ...%s...", what, where, hay[lo:hi])
		}
	}
}

// TestReviewSec_NoSecretInLogsResponsesOrMetrics runs a key-holding
// tenant through its whole life, plus every refusal that carries its key,
// and searches the JSON log, every response (errors included) and
// /metrics for the key, token, secrets, master key, SESSION_SECRET and the
// checkout session.
func TestReviewSec_NoSecretInLogsResponsesOrMetrics(t *testing.T) {
	r := newRig(t, "")
	sessionSecret := "review-session-secret-" + strings.Repeat("s", 32)
	r.start(app.Config{SessionSecret: []byte(sessionSecret), MetricsToken: "review-metrics-token-xyz", CheckoutOrigins: []string{"https://shop.example"}})
	tp := &reviewSecTape{}
	base := r.http.URL

	acct := r.fake.CreateAccount(blinktest.AccountOptions{BTCBalance: 100_000})
	key := r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: writeScopes})
	revoked := r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: receiveScopes})
	r.fake.RevokeAPIKey(revoked)
	foreign := reviewSecRandKey("blink_")
	srv := r.fake.URL()
	w := acct.BTCWalletID
	// Refusals whose input holds the key in a wrong place: none may echo it.
	for _, cs := range []any{
		fmt.Sprintf("type=blink;server=%s;api-key=%swallet-id=%s", srv, key, w),  // missing separator
		fmt.Sprintf("type=blink;server=%s;api-key=%s wallet-id=%s", srv, key, w), // space for ;
		fmt.Sprintf("type=blink;server=%s;api-key=%s,wallet-id=%s", srv, key, w), // comma for ;
		fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s;currency=%s", srv, key, w, key),
		fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s;allowinsecure=%s", srv, key, w, key),
		fmt.Sprintf("type=blink;server=%s/%s;api-key=%s", srv, key, key), // server carries the key
		fmt.Sprintf("type=blink;server=%s?k=%s;api-key=%s", srv, key, key),
		fmt.Sprintf("type=blink;server=http://evil.example/graphql;api-key=%s;allowinsecure=true", key),
		fmt.Sprintf("type=blink;api-key=%s", key),                 // production: wrong server
		fmt.Sprintf("type=blink;server=%s;api-key=%sX", srv, key), // malformed key
		fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s;api-key=%s", srv, key, w, key),
		fmt.Sprintf("type=blink;server=%s;api-key=%s", srv, revoked),
		fmt.Sprintf("type=blink;server=%s;api-key=%s", srv, foreign),
		key,
		"api-key=" + key,
		[]string{key},
	} {
		code, _, raw := reviewSecReq(t, tp, "POST", base+"/v1/tenants", map[string]any{"name": "leak", "connection_string": cs})
		require.True(t, code >= 400 && code < 500, "connect refused with a 4xx, got %d %s", code, raw)
		require.NotEmpty(t, reviewSecCode(raw), "a machine-readable code: %s", raw)
	}
	require.Zero(t, r.countRows("tenants"))

	// The tenant itself (its connect answer holds the token and shop secret by design: not taped).
	f := &tenantFixture{acct: acct, key: key, connS: fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s", srv, key, w)}
	var c connected
	require.Equal(t, 201, r.do("POST", "/v1/tenants", "", map[string]any{"name": "Leaky", "connection_string": f.connS,
		"enable_payouts": true, "shop_webhook_url": r.shop.srv.URL + "/hook"}, &c))
	f.id, f.token, f.secret = c.Tenant.ID, c.APIToken, c.ShopWebhookSecret
	r.shop.setSecret(f.id, f.secret)
	r.enableBlinkWebhooks(f)
	whsec := r.fake.WebhookSecret(acct.ID)
	auth := []string{"Authorization", "Bearer " + f.token}

	// Bad secrets and tokens echoed back?
	code, _, raw := reviewSecReq(t, tp, "PUT", base+"/v1/tenant/blink-webhook-secret", map[string]any{"secret": "whsec_" + key}, auth...)
	require.Equal(t, 400, code, "%s", raw)
	code, _, _ = reviewSecReq(t, tp, "GET", base+"/v1/tenant", nil, "Authorization", "Bearer "+f.token+"x")
	require.Equal(t, 401, code)
	code, _, _ = reviewSecReq(t, tp, "GET", base+"/v1/tenant", nil, "Authorization", "Bearer "+key)
	require.Equal(t, 401, code)

	// Orders, a payment, a checkout session, its page, status and events.
	code, _, raw = reviewSecReq(t, tp, "POST", base+"/v1/orders", map[string]any{"order_id": "leak-1", "amount_sats": 777, "memo": "leak"}, auth...)
	require.Equal(t, 201, code, "%s", raw)
	var o orderJSON
	require.NoError(t, json.Unmarshal(raw, &o))
	var l checkoutLink
	require.Equal(t, 201, r.do("POST", "/v1/orders/leak-1/checkout", f.token, nil, &l)) // holds the session by design: not taped
	session := strings.TrimPrefix(l.Path, "/checkout/")
	code, _, _ = reviewSecReq(t, tp, "GET", base+l.Path, nil)
	require.Equal(t, 200, code)
	code, _, _ = reviewSecReq(t, tp, "GET", base+l.Path+"/status", nil, "Origin", "https://shop.example")
	require.Equal(t, 200, code)
	code, _, _ = reviewSecReq(t, tp, "GET", base+l.Path[:len(l.Path)-2]+"xx", nil)
	require.Equal(t, 403, code)
	// Forged webhooks for the tenant (signed with the key, the token, nothing).
	for _, sec := range []string{secrets.NewWebhookSecret(), "whsec_" + base64.StdEncoding.EncodeToString([]byte(key[:32]))} {
		h, err := webhook.Sign(sec, "msg_leak", time.Now(), []byte(`{"eventType":"receive.lightning"}`))
		require.NoError(t, err)
		hdr := []string{}
		for k := range h {
			hdr = append(hdr, k, h.Get(k))
		}
		code, _, _ = reviewSecReq(t, tp, "POST", base+"/v1/blink/webhooks/"+f.id, `{"eventType":"receive.lightning"}`, hdr...)
		require.Equal(t, 401, code)
	}
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	r.shop.waitFor([]string{paidKey("leak-1")}, 20*time.Second)
	code, _, _ = reviewSecReq(t, tp, "GET", base+l.Path+"/status", nil)
	require.Equal(t, 200, code)

	// A payout, the tenant, the outbox, the metrics.
	code, _, raw = reviewSecReq(t, tp, "POST", base+"/v1/payouts", map[string]any{"destination": "someone_x", "amount_sats": 3}, auth...)
	require.Equal(t, 202, code, "%s", raw)
	var p payoutJSON
	require.NoError(t, json.Unmarshal(raw, &p))
	r.waitPayoutFinal(f, p.ID)
	for _, path := range []string{"/v1/tenant", "/v1/events", "/v1/orders/leak-1", "/v1/payouts/" + p.ID} {
		code, _, _ = reviewSecReq(t, tp, "GET", base+path, nil, auth...)
		require.Equal(t, 200, code, path)
	}
	code, _, _ = reviewSecReq(t, tp, "GET", base+"/metrics", nil, "Authorization", "Bearer review-metrics-token-xyz")
	require.Equal(t, 200, code)
	code, _, _ = reviewSecReq(t, tp, "GET", base+"/metrics", nil, "Authorization", "Bearer "+f.token)
	require.Equal(t, 401, code)
	code, _, _ = reviewSecReq(t, tp, "DELETE", base+"/v1/tenant", nil, auth...)
	require.Equal(t, 204, code)
	code, _, _ = reviewSecReq(t, tp, "GET", base+l.Path, nil)
	require.Equal(t, 403, code)
	r.stop()

	needles := reviewSecNeedles(map[string]string{
		"API key": key, "revoked API key": revoked, "foreign API key": foreign, "API token": f.token,
		"shop webhook secret": f.secret, "Blink whsec": whsec, "master key": masterOf(t, r.keys),
		"SESSION_SECRET": sessionSecret, "metrics token": "review-metrics-token-xyz",
	})
	reviewSecNotIn(t, tp.String(), needles, "an HTTP response")
	needles["checkout session"] = session
	needles["checkout session signature"] = session[strings.Index(session, ".")+1:]
	logs := r.logs.String()
	require.Contains(t, logs, `"msg":"tenant connected"`, "control: the log is captured")
	reviewSecNotIn(t, logs, needles, "the server log")
}

// reviewSecCiphertexts returns every sealed value stored for the tenant.
func reviewSecCiphertexts(t *testing.T, st *store.SQL, tenantID string) map[string]string {
	t.Helper()
	var conn, bw, sw *string
	require.NoError(t, st.DB().QueryRow(`SELECT conn_ct, blink_whsec_ct, shop_whsec_ct FROM tenants WHERE id = ?`, tenantID).Scan(&conn, &bw, &sw))
	out := map[string]string{}
	for what, v := range map[string]*string{"sealed connection string": conn, "sealed Blink whsec": bw, "sealed shop secret": sw} {
		if v != nil && *v != "" {
			// A 40-character run of the base64 is enough to find it anywhere.
			out[what] = (*v)[len(*v)/2-20 : len(*v)/2+20]
		}
	}
	return out
}

func reviewSecScanSQLite(t *testing.T, r *rig, needles map[string]string) {
	t.Helper()
	files, _ := filepath.Glob(r.dbPath() + "*")
	require.NotEmpty(t, files)
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		for what, n := range needles {
			require.False(t, bytes.Contains(raw, []byte(n)), "%s is still in %s", what, filepath.Base(file))
		}
	}
}

// TestReviewSec_DisconnectLeavesNoCiphertextInTheSQLiteFiles: disconnect
// "wipes the ciphertext"; the sealed key must not survive in the database
// file or its WAL (where a later leak of the master key would open it).
func TestReviewSec_DisconnectLeavesNoCiphertextInTheSQLiteFiles(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	cts := reviewSecCiphertexts(t, r.st, f.id)
	require.Len(t, cts, 3)
	require.Equal(t, 204, r.do("DELETE", "/v1/tenant", f.token, nil, nil))
	require.Empty(t, reviewSecCiphertexts(t, r.st, f.id), "the row holds no ciphertext")
	r.stop()
	reviewSecScanSQLite(t, r, cts)
}

// TestReviewSec_RotateLeavesNoOldCiphertextInTheSQLiteFiles: a master key
// is rotated because it may have leaked; ciphertexts sealed under it must
// not stay readable in the file's free pages or the WAL.
func TestReviewSec_RotateLeavesNoOldCiphertextInTheSQLiteFiles(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	old := reviewSecCiphertexts(t, r.st, f.id)
	require.Len(t, old, 3)
	r.stop()
	ring, err := secrets.NewKeyring(secrets.NewMasterKey(), masterOf(t, r.keys))
	require.NoError(t, err)
	st, err := openStore(r)
	require.NoError(t, err)
	n, err := tenants.Rotate(context.Background(), st, ring)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.NotEqual(t, old, reviewSecCiphertexts(t, st, f.id))
	require.NoError(t, st.Close())
	reviewSecScanSQLite(t, r, old)
}

// reviewSecTransport records requests and never dials.
type reviewSecTransport struct{ n atomic.Int64 }

func (rt *reviewSecTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.n.Add(1)
	return nil, errors.New("review: no network")
}

// TestReviewSec_NoKeyOverPlainHTTPToANonLoopbackHost: the tenant's
// connection string must not be able to switch plain HTTP on
// (allowinsecure=true) for a non-loopback host, even one the server is
// configured with: the key would cross the network in clear. Refused
// before any request.
func TestReviewSec_NoKeyOverPlainHTTPToANonLoopbackHost(t *testing.T) {
	const upstream = "http://blink-upstream.example/graphql"
	rt := &reviewSecTransport{}
	st, err := store.Open(context.Background(), "", filepath.Join(t.TempDir(), "m.db"))
	require.NoError(t, err)
	keys, err := secrets.NewKeyring(secrets.NewMasterKey())
	require.NoError(t, err)
	a := app.New(app.Config{Store: st, Keys: keys, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), NoKeyless: true,
		Tenants: tenants.Config{Endpoint: upstream, KeyPrefix: "galoy_dev_",
			ClientOptions: []blink.Option{blink.WithHTTPClient(&http.Client{Transport: rt})}}})
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Wait(); st.Close() })
	key := reviewSecRandKey("galoy_dev_")
	for _, cs := range []string{
		"type=blink;server=" + upstream + ";api-key=" + key + ";allowinsecure=true",
		"type=blink;server=" + upstream + ";api-key=" + key,
		"type=blink;server=http://example.com/graphql;api-key=" + key + ";allowinsecure=true",
	} {
		code, _, raw := reviewSecReq(t, nil, "POST", srv.URL+"/v1/tenants", map[string]any{"name": "x", "connection_string": cs})
		require.Zero(t, rt.n.Load(), "%s: a request went out with the key over plain HTTP (answer %d %s)", cs, code, raw)
		require.True(t, code >= 400 && code < 500, "%s: refused with a 4xx, got %d %s", cs, code, raw)
		require.NotContains(t, string(raw), key)
	}
}

// TestReviewSec_TenantIsolation_AnotherTenantsIdsLookExactlyMissing: B's
// token on A's order, payout and checkout gets the very answer of an id
// that does not exist, and touches nothing of A.
func TestReviewSec_TenantIsolation_AnotherTenantsIdsLookExactlyMissing(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	a := r.connect(writeScopes, true, 10_000)
	b := r.connect(writeScopes, true, 10_000)
	r.order(a, "a-order", 100)
	var pa payoutJSON
	require.Equal(t, 202, r.do("POST", "/v1/payouts", a.token, map[string]any{"destination": "someone_x", "amount_sats": 1}, &pa))
	base := r.http.URL
	bauth := []string{"Authorization", "Bearer " + b.token}
	for _, pair := range [][2]string{
		{"GET", "/v1/orders/"}, {"POST", "/v1/orders/%s/checkout"}, {"GET", "/v1/payouts/"},
	} {
		id := "a-order"
		if strings.Contains(pair[1], "payouts") {
			id = pa.ID
		}
		path := func(id string) string {
			if strings.Contains(pair[1], "%s") {
				return fmt.Sprintf(pair[1], id)
			}
			return pair[1] + id
		}
		c1, h1, b1 := reviewSecReq(t, nil, pair[0], base+path(id), nil, bauth...)
		c2, h2, b2 := reviewSecReq(t, nil, pair[0], base+path(id+"-nope"), nil, bauth...)
		require.Equal(t, 404, c1, "%s %s: %s", pair[0], path(id), b1)
		require.Equal(t, c2, c1)
		require.Equal(t, string(b2), string(b1), "the same body as a missing id")
		h1.Del("Date")
		h2.Del("Date")
		require.Equal(t, h2, h1)
	}
	// B's paying to A's order id through its own order makes B's own.
	// B sets its webhook: A's stays.
	var before, after map[string]any
	r.do("GET", "/v1/tenant", a.token, nil, &before)
	require.Equal(t, 200, r.do("PUT", "/v1/tenant/webhook", b.token, map[string]any{"url": "https://b.example/hook"}, nil))
	r.do("GET", "/v1/tenant", a.token, nil, &after)
	require.Equal(t, before["shop_webhook_url"], after["shop_webhook_url"])
	// A tenant id in the path or a header does not reach another tenant.
	code, _, raw := reviewSecReq(t, nil, "GET", base+"/v1/tenant?tenant="+a.id, nil, append(bauth, "X-Tenant-ID", a.id)...)
	require.Equal(t, 200, code)
	require.Contains(t, string(raw), b.id)
	require.NotContains(t, string(raw), a.id)
}

// TestReviewSec_DisabledTenantCannotActAndItsLinksDie: after disconnect
// the token does nothing, checkout links and the Blink webhook receiver
// answer no, and nothing calls Blink for it.
func TestReviewSec_DisabledTenantCannotActAndItsLinksDie(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{NoStreams: true})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	o := r.order(f, "dis-1", 100)
	link := r.checkoutLink(f, "dis-1")
	require.Equal(t, 204, r.do("DELETE", "/v1/tenant", f.token, nil, nil))
	base := r.http.URL
	for _, rq := range []struct {
		m, p string
		body any
	}{
		{"GET", "/v1/tenant", nil}, {"DELETE", "/v1/tenant", nil},
		{"POST", "/v1/orders", map[string]any{"order_id": "dis-2", "amount_sats": 5}},
		{"GET", "/v1/orders/dis-1", nil}, {"POST", "/v1/orders/dis-1/checkout", nil},
		{"POST", "/v1/payouts", map[string]any{"destination": "someone_x", "amount_sats": 1}},
		{"PUT", "/v1/tenant/webhook", map[string]any{"url": "https://x.example/h"}},
		{"GET", "/v1/events", nil},
	} {
		code, _, raw := reviewSecReq(t, nil, rq.m, base+rq.p, rq.body, "Authorization", "Bearer "+f.token)
		require.Contains(t, []int{401, 403}, code, "%s %s: %s", rq.m, rq.p, raw)
		require.NotEmpty(t, reviewSecCode(raw))
	}
	for _, p := range []string{"", "/status", "/events"} {
		code, _, raw := reviewSecReq(t, nil, "GET", link+p, nil)
		require.Equal(t, 403, code, "link%s: %s", p, raw)
		require.NotContains(t, string(raw), o.PaymentRequest)
	}
	before := r.fake.Requests("InvoiceByPaymentHash")
	body := []byte(`{"eventType":"receive.lightning"}`)
	h, err := webhook.Sign(r.fake.WebhookSecret(f.acct.ID), "msg_dis", time.Now(), body)
	require.NoError(t, err)
	req, _ := http.NewRequest("POST", base+"/v1/blink/webhooks/"+f.id, bytes.NewReader(body))
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)
	require.Equal(t, before, r.fake.Requests("InvoiceByPaymentHash"))
	require.Equal(t, 1, r.countRows("orders"), "nothing stored")
}

// TestReviewSec_OpenCheckoutStreamEndsWhenTheTenantIsDisabled: a live
// event stream is a checkout session too; once the tenant is disconnected
// it must stop (new requests are refused; an open stream must not go on
// for the invoice's life).
func TestReviewSec_OpenCheckoutStreamEndsWhenTheTenantIsDisabled(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	r.app.Checkout.Poll = 20 * time.Millisecond
	f := r.connect(receiveScopes, false, 0)
	r.order(f, "sse-dis", 100)
	link := r.checkoutLink(f, "sse-dis")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", link+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "data: ") {
	}
	require.Contains(t, sc.Text(), `"created"`)
	require.Equal(t, 204, r.do("DELETE", "/v1/tenant", f.token, nil, nil))
	for sc.Scan() {
	}
	require.NoError(t, ctx.Err(), "the stream of a disconnected tenant stayed open (it ends only at the invoice's expiry + 1 min)")
}

// TestReviewSec_CheckoutSessionTampering: swapped order, swapped tenant,
// re-signed claims with the old signature, another secret, expired,
// oversized, truncated, empty parts: each refused, with its code, on the
// page, the status API and the events stream.
func TestReviewSec_CheckoutSessionTampering(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{SessionSecret: []byte(strings.Repeat("k", 32))})
	f := r.connect(receiveScopes, false, 0)
	g := r.connect(receiveScopes, false, 0)
	r.order(f, "t-1", 10)
	r.order(f, "t-2", 10)
	r.order(g, "t-1", 10)
	link := r.checkoutLink(f, "t-1")
	tok := link[strings.LastIndex(link, "/")+1:]
	p, sig, ok := strings.Cut(tok, ".")
	require.True(t, ok)
	claims, err := base64.RawURLEncoding.DecodeString(p)
	require.NoError(t, err)
	reenc := func(from, to string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(claims), from, to, 1))) + "." + sig
	}
	var exp struct {
		E int64 `json:"e"`
	}
	require.NoError(t, json.Unmarshal(claims, &exp))
	other := app.New(app.Config{Store: r.st, Keys: r.keys, Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), SessionSecret: []byte(strings.Repeat("j", 32))})
	cases := map[string]struct {
		tok  string
		code int
		ecod string
	}{
		"order swapped":        {reenc(`"o":"t-1"`, `"o":"t-2"`), 403, "session_invalid"},
		"tenant swapped":       {reenc(f.id, g.id), 403, "session_invalid"},
		"expiry extended":      {reenc(fmt.Sprint(exp.E), fmt.Sprint(exp.E+86400)), 403, "session_invalid"},
		"claims with spaces":   {base64.RawURLEncoding.EncodeToString(append([]byte(" "), claims...)) + "." + sig, 403, "session_invalid"},
		"std alphabet sig":     {p + "." + base64.StdEncoding.EncodeToString(mustRaw(t, sig)), 403, "session_invalid"},
		"another secret":       {strings.TrimPrefix(mustPath(other.Checkout.Link(f.id, "t-1")), "/checkout/"), 403, "session_invalid"},
		"expired":              {r.app.Checkout.Sessions.SignUntil(f.id, "t-1", time.Now().Add(-time.Second)), 410, "session_expired"},
		"no signature":         {p, 403, "session_invalid"},
		"empty signature":      {p + ".", 403, "session_invalid"},
		"signature only":       {"." + sig, 403, "session_invalid"},
		"truncated signature":  {p + "." + sig[:len(sig)-4], 403, "session_invalid"},
		"extended signature":   {tok + "AAAA", 403, "session_invalid"},
		"doubled":              {tok + "." + sig, 403, "session_invalid"},
		"oversized":            {p + strings.Repeat("A", 5000) + "." + sig, 403, "session_invalid"},
		"valid, unknown order": {r.app.Checkout.Sessions.SignUntil(f.id, "nope", time.Now().Add(time.Minute)), 404, "order_not_found"},
	}
	if padded := base64.URLEncoding.EncodeToString(claims); padded != p {
		cases["padded payload"] = struct {
			tok  string
			code int
			ecod string
		}{padded + "." + sig, 403, "session_invalid"}
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, body := reviewSecReq(t, nil, "GET", r.http.URL+"/checkout/"+url.PathEscape(tc.tok), nil)
			require.Equal(t, tc.code, code, "page")
			require.Contains(t, string(body), tc.ecod)
			require.NotContains(t, string(body), "lnbc")
			for _, sub := range []string{"/status", "/events"} {
				code, h, body := reviewSecReq(t, nil, "GET", r.http.URL+"/checkout/"+url.PathEscape(tc.tok)+sub, nil)
				require.Equal(t, tc.code, code, sub)
				require.Equal(t, tc.ecod, reviewSecCode(body), sub)
				require.NotEqual(t, "text/event-stream", h.Get("Content-Type"))
			}
		})
	}
	// The genuine one still works: the cases did not fail for another reason.
	code, _, _ := reviewSecReq(t, nil, "GET", link+"/status", nil)
	require.Equal(t, 200, code)
}

func mustRaw(t *testing.T, s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func mustPath(p string, _ time.Time) string { return p }

// TestReviewSec_CheckoutSessionSignatureIsCanonical: a session link has
// one spelling. Base64 without padding leaves spare low bits in the last
// character of the 32-byte MAC; a link with them flipped is another string
// that must not verify (a capability token should not be malleable: a
// revocation or replay list keyed by it would be bypassed).
func TestReviewSec_CheckoutSessionSignatureIsCanonical(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	r.order(f, "canon", 10)
	link := r.checkoutLink(f, "canon")
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := link[len(link)-1]
	i := strings.IndexByte(alphabet, last)
	variant := link[:len(link)-1] + string(alphabet[i^1]) // flips a spare bit: same MAC bytes
	require.Equal(t, mustRaw(t, link[strings.LastIndex(link, ".")+1:]), mustRaw(t, variant[strings.LastIndex(variant, ".")+1:]), "control: the variant decodes to the same MAC")
	code, _, _ := reviewSecReq(t, nil, "GET", variant+"/status", nil)
	require.Equal(t, 403, code, "a non-canonical spelling of the signature is accepted")
}

// TestReviewSec_CORS: the checkout API only, configured origins only,
// preflight answered, never "*" and never credentials.
func TestReviewSec_CORS(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{CheckoutOrigins: []string{"https://shop.example"}})
	f := r.connect(receiveScopes, false, 0)
	r.order(f, "cors", 10)
	link := r.checkoutLink(f, "cors")
	pre := func(url, origin string) (int, http.Header) {
		code, h, _ := reviewSecReq(t, nil, "OPTIONS", url, nil, "Origin", origin, "Access-Control-Request-Method", "GET")
		return code, h
	}
	code, h := pre(link+"/status", "https://shop.example")
	require.Less(t, code, 300)
	require.Equal(t, "https://shop.example", h.Get("Access-Control-Allow-Origin"))
	require.Contains(t, h.Get("Access-Control-Allow-Methods"), "GET")
	require.Empty(t, h.Get("Access-Control-Allow-Credentials"))
	for _, o := range []string{"https://evil.example", "null", "https://shop.example.evil.example", "http://shop.example", "https://SHOP.example", "*"} {
		_, h = pre(link+"/status", o)
		require.Empty(t, h.Get("Access-Control-Allow-Origin"), o)
		h = reviewSecStreamHeaders(t, link+"/events", "Origin", o)
		require.Empty(t, h.Get("Access-Control-Allow-Origin"), o)
	}
	for _, m := range []string{"OPTIONS", "GET", "POST"} {
		for _, p := range []string{"/v1/orders", "/v1/tenant", "/v1/tenants", "/metrics", "/health", strings.TrimPrefix(link, r.http.URL)} {
			_, h, _ := reviewSecReq(t, nil, m, r.http.URL+p, nil, "Origin", "https://shop.example", "Access-Control-Request-Method", "POST", "Authorization", "Bearer "+f.token)
			require.Empty(t, h.Get("Access-Control-Allow-Origin"), "%s %s", m, p)
			require.Empty(t, h.Get("Access-Control-Allow-Credentials"), "%s %s", m, p)
		}
	}
	_, h, _ = reviewSecReq(t, nil, "GET", link+"/status", nil, "Origin", "https://shop.example")
	require.Contains(t, h.Values("Vary"), "Origin")
	h = reviewSecStreamHeaders(t, link+"/events", "Origin", "https://shop.example")
	require.Equal(t, "https://shop.example", h.Get("Access-Control-Allow-Origin"))
	require.Empty(t, h.Get("Access-Control-Allow-Credentials"))
}

// reviewSecStreamHeaders opens an event stream, returns its headers and closes it.
func reviewSecStreamHeaders(t *testing.T, url string, hdr ...string) http.Header {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.Header
}

// TestReviewSec_DuplicateOrCaseFoldedJSONKeysRefused: {"amount_sats":1,
// "amount_sats":1000} and {"amount_sats":1,"AMOUNT_SATS":1000} are
// ambiguous (a proxy or the shop's own logs read the first, Go's decoder
// takes the last, case-insensitively): a payment API refuses them.
func TestReviewSec_DuplicateOrCaseFoldedJSONKeysRefused(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(writeScopes, true, 10_000)
	for name, body := range map[string]string{
		"duplicate key":      `{"order_id":"dup-1","amount_sats":1,"amount_sats":1000}`,
		"case-folded key":    `{"order_id":"dup-2","amount_sats":1,"AMOUNT_SATS":1000}`,
		"case-folded only":   `{"Order_ID":"dup-3","Amount_Sats":5}`,
		"duplicate order id": `{"order_id":"dup-4","order_id":"dup-5","amount_sats":5}`,
	} {
		t.Run(name, func(t *testing.T) {
			code, _, raw := reviewSecReq(t, nil, "POST", r.http.URL+"/v1/orders", body, "Authorization", "Bearer "+f.token)
			require.Equal(t, 400, code, "%s", raw)
			require.NotEmpty(t, reviewSecCode(raw))
		})
	}
	code, _, raw := reviewSecReq(t, nil, "POST", r.http.URL+"/v1/payouts", `{"destination":"someone_x","amount_sats":1,"amount_sats":5000}`, "Authorization", "Bearer "+f.token)
	require.Equal(t, 400, code, "payout with a duplicate amount: %s", raw)
	require.Zero(t, r.countRows("orders"))
	require.Zero(t, r.countRows("payouts"))
}

// TestReviewSec_ExpiresInOverflowRefused: expires_in is seconds and
// multiplied into a time.Duration; a huge value that wraps around to one
// hour must be refused as out of range, not accepted as one hour.
func TestReviewSec_ExpiresInOverflowRefused(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	// 3600 + 15·2^55: a whole number of minutes whose ·1e9 wraps to 3600e9 (mod 2^64).
	wraps := int64(3600 + 15*(1<<55))
	sec := time.Second
	require.Equal(t, time.Hour, time.Duration(wraps)*sec, "control: it wraps")
	before := r.fake.Requests("LnInvoiceCreate")
	code, _, raw := reviewSecReq(t, nil, "POST", r.http.URL+"/v1/orders", map[string]any{"order_id": "wrap", "amount_sats": 5, "expires_in": wraps}, "Authorization", "Bearer "+f.token)
	require.Equal(t, 400, code, "%s", raw)
	require.Equal(t, "invalid_expiry", reviewSecCode(raw))
	require.Zero(t, r.countRows("orders"))
	require.Equal(t, before, r.fake.Requests("LnInvoiceCreate"), "no invoice asked of Blink")
}

// TestReviewSec_BadOrderAndPayoutInputRefusedLocally: input the server can
// judge alone is refused with a code, stores nothing and never reaches Blink.
func TestReviewSec_BadOrderAndPayoutInputRefusedLocally(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(writeScopes, true, 10_000)
	ops := []string{"LnInvoiceCreate", "lnInvoiceCreate", "LnInvoicePaymentSend", "IntraLedgerPaymentSend", "LnAddressPaymentSend", "LnurlPaymentSend"}
	count := func() int {
		n := 0
		for _, op := range ops {
			n += r.fake.Requests(op)
		}
		return n
	}
	before := count()
	for name, tc := range map[string]struct {
		path string
		body any
		code string
	}{
		"sats above MaxAmount":   {"/v1/orders", map[string]any{"order_id": "big", "amount_sats": blink.MaxAmount + 1}, "invalid_amount"},
		"sats above 21M BTC":     {"/v1/orders", map[string]any{"order_id": "big2", "amount_sats": int64(21_000_000*100_000_000 + 1)}, "invalid_amount"},
		"sats as float":          {"/v1/orders", []byte(`{"order_id":"f","amount_sats":1.5}`), "invalid_json"},
		"sats as exponent":       {"/v1/orders", []byte(`{"order_id":"f","amount_sats":1e3}`), "invalid_json"},
		"sats beyond int64":      {"/v1/orders", []byte(`{"order_id":"f","amount_sats":99999999999999999999}`), "invalid_json"},
		"order id too long":      {"/v1/orders", map[string]any{"order_id": strings.Repeat("x", 201), "amount_sats": 5}, "invalid_order_id"},
		"negative expiry":        {"/v1/orders", map[string]any{"order_id": "e", "amount_sats": 5, "expires_in": -60}, "invalid_expiry"},
		"expiry 0 < x < 1 min":   {"/v1/orders", map[string]any{"order_id": "e", "amount_sats": 5, "expires_in": 0.5}, "invalid_json"},
		"body is an array":       {"/v1/orders", []byte(`[{"order_id":"a","amount_sats":5}]`), "invalid_json"},
		"body is null":           {"/v1/orders", []byte(`null`), "invalid_order_id"},
		"payout negative":        {"/v1/payouts", map[string]any{"destination": "someone_x", "amount_sats": -1}, "invalid_amount"},
		"payout zero":            {"/v1/payouts", map[string]any{"destination": "someone_x"}, "invalid_amount"},
		"payout huge":            {"/v1/payouts", map[string]any{"destination": "someone_x", "amount_sats": blink.MaxAmount + 1}, "invalid_amount"},
		"payout bad destination": {"/v1/payouts", map[string]any{"destination": "not a destination!", "amount_sats": 1}, "invalid_destination"},
		"payout bad invoice":     {"/v1/payouts", map[string]any{"destination": "lnbc1" + strings.Repeat("q", 60), "amount_sats": 1}, "invalid_destination"},
		"payout negative fee":    {"/v1/payouts", map[string]any{"destination": "someone_x", "amount_sats": 1, "max_fee_sats": -1}, "invalid_amount"},
		"payout unknown field":   {"/v1/payouts", map[string]any{"destination": "someone_x", "amount_sats": 1, "tenant_id": "tn_x"}, "unknown_field"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, raw := reviewSecReq(t, nil, "POST", r.http.URL+tc.path, tc.body, "Authorization", "Bearer "+f.token)
			require.True(t, code >= 400 && code < 500, "%d %s", code, raw)
			require.Equal(t, tc.code, reviewSecCode(raw), "%s", raw)
		})
	}
	code, _, raw := reviewSecReq(t, nil, "POST", r.http.URL+"/v1/orders", `{"order_id":"ct","amount_sats":5}`, "Authorization", "Bearer "+f.token, "Content-Type", "text/plain")
	require.Equal(t, 415, code, "%s", raw)
	require.Zero(t, r.countRows("orders"))
	require.Zero(t, r.countRows("payouts"))
	require.Equal(t, before, count(), "no request reached Blink")
}

// TestReviewSec_NULBytesAreA4xxOnBothDatabases: a NUL in an order id, memo
// or payout destination is valid JSON and valid UTF-8, but PostgreSQL
// TEXT cannot hold it: it must be a clear 4xx, not a 500, and the same
// answer on both databases.
func TestReviewSec_NULBytesAreA4xxOnBothDatabases(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.start(app.Config{})
		f := r.connect(writeScopes, true, 10_000)
		for name, tc := range map[string]struct {
			path string
			body any
		}{
			"order id": {"/v1/orders", map[string]any{"order_id": "nul\x00id", "amount_sats": 5}},
			"memo":     {"/v1/orders", map[string]any{"order_id": "nul-memo", "amount_sats": 5, "memo": "m\x00"}},
			"payout":   {"/v1/payouts", map[string]any{"destination": "a\x00b@example.com", "amount_sats": 1}},
		} {
			code, _, raw := reviewSecReq(t, nil, "POST", r.http.URL+tc.path, tc.body, "Authorization", "Bearer "+f.token)
			require.Equal(t, 400, code, "%s: %s", name, raw)
			require.NotEmpty(t, reviewSecCode(raw))
		}
		require.Zero(t, r.countRows("orders"))
		require.Zero(t, r.countRows("payouts"))
	})
}

// TestReviewSec_ShopWebhookURLCannotTargetPrivateNetworks: the server POSTs
// to the URL a tenant registers; a URL on a link-local, private or
// loopback address (cloud metadata, internal services) is server-side
// request forgery and must be refused. (The rig allows http://127.0.0.1
// for its own shop; https to internal ranges is still refused.)
func TestReviewSec_ShopWebhookURLCannotTargetPrivateNetworks(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	for _, u := range []string{
		"https://169.254.169.254/latest/meta-data/", "https://10.0.0.5/hook", "https://192.168.1.1/hook",
		"https://172.16.0.1/hook", "https://[fd00::1]/hook", "https://0.0.0.0/hook", "https://[::ffff:169.254.169.254]/",
	} {
		code, _, raw := reviewSecReq(t, nil, "PUT", r.http.URL+"/v1/tenant/webhook", map[string]any{"url": u}, "Authorization", "Bearer "+f.token)
		require.Equal(t, 400, code, "%s accepted: %s", u, raw)
		require.Equal(t, "invalid_webhook_url", reviewSecCode(raw))
	}
	// Without the test-only loopback allowance, loopback over https too.
	svc := tenants.NewService(tenants.Config{}, r.st, r.keys, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	for _, u := range []string{"https://127.0.0.1/hook", "https://localhost:8443/hook", "https://[::1]/hook", "https://127.1/hook"} {
		require.Error(t, svc.CheckShopURL(u), u)
	}
}

// TestReviewSec_BlinkWebhookReceiverHostileDeliveries: forged, replayed,
// unsigned, oversized and unknown-tenant deliveries are refused with a
// code, move nothing and never make the server ask Blink.
func TestReviewSec_BlinkWebhookReceiverHostileDeliveries(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{NoStreams: true})
	f := r.connect(receiveScopes, false, 0)
	// The secret only, no endpoint registered with the fake: every delivery here is the test's.
	require.Equal(t, 204, r.do("PUT", "/v1/tenant/blink-webhook-secret", f.token, map[string]any{"secret": r.fake.WebhookSecret(f.acct.ID)}, nil))
	o := r.order(f, "wh", 100)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest)) // paid, but only a genuine delivery or the reconciler may say so
	body := []byte(fmt.Sprintf(`{"accountId":"%s","walletId":"%s","eventType":"receive.lightning","transaction":{"id":"%s","walletId":"%s","status":"success","memo":null,"createdAt":"2026-01-01T00:00:00.000Z","settlementAmount":100,"settlementFee":0,"settlementCurrency":"BTC","settlementDisplayAmount":"0.1","settlementDisplayFee":"0","settlementDisplayPrice":{"base":"1","offset":"0","displayCurrency":"USD","walletCurrency":"BTC"},"initiationVia":{"type":"lightning","paymentHash":"%s","pubkey":"00"},"settlementVia":{"type":"lightning"}}}`,
		f.acct.ID, f.acct.BTCWalletID, strings.Repeat("cd", 12), f.acct.BTCWalletID, o.PaymentHash))
	secret := r.fake.WebhookSecret(f.acct.ID)
	post := func(path string, h http.Header, b []byte) (int, string) {
		req, _ := http.NewRequest("POST", r.http.URL+path, bytes.NewReader(b))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, reviewSecCode(raw)
	}
	sign := func(sec string, at time.Time, b []byte) http.Header {
		h, err := webhook.Sign(sec, "msg_"+fmt.Sprint(at.UnixNano()), at, b)
		require.NoError(t, err)
		return h
	}
	asked := func() int { return r.fake.Requests("InvoiceByPaymentHash") }
	before := asked()
	tampered := bytes.Replace(body, []byte(`"settlementAmount":100`), []byte(`"settlementAmount":101`), 1)
	stale := sign(secret, time.Now().Add(-time.Hour), body)
	future := sign(secret, time.Now().Add(time.Hour), body)
	okSig := sign(secret, time.Now(), body)
	sigOnly := http.Header{"Svix-Signature": okSig["Svix-Signature"]}
	big := append(bytes.Repeat([]byte(" "), int(webhook.DefaultMaxBodyBytes)+1), body...)
	for name, tc := range map[string]struct {
		path string
		h    http.Header
		b    []byte
		code int
		ecod string
	}{
		"forged secret":         {"/v1/blink/webhooks/" + f.id, sign(secrets.NewWebhookSecret(), time.Now(), body), body, 401, "invalid_signature"},
		"tampered body":         {"/v1/blink/webhooks/" + f.id, okSig, tampered, 401, "invalid_signature"},
		"replayed, an hour old": {"/v1/blink/webhooks/" + f.id, stale, body, 401, "invalid_signature"},
		"an hour ahead":         {"/v1/blink/webhooks/" + f.id, future, body, 401, "invalid_signature"},
		"unsigned":              {"/v1/blink/webhooks/" + f.id, nil, body, 401, "invalid_signature"},
		"signature, no id/ts":   {"/v1/blink/webhooks/" + f.id, sigOnly, body, 401, "invalid_signature"},
		"oversized":             {"/v1/blink/webhooks/" + f.id, sign(secret, time.Now(), big), big, 413, "body_too_large"},
		"unknown tenant":        {"/v1/blink/webhooks/tn_000000000000000000000000", okSig, body, 404, "unknown_tenant"},
		"path traversal":        {"/v1/blink/webhooks/..%2f" + f.id, okSig, body, 404, ""},
	} {
		t.Run(name, func(t *testing.T) {
			n := asked()
			code, ecode := post(tc.path, tc.h, tc.b)
			require.Equal(t, n, asked(), "this delivery made the server ask Blink")
			require.Equal(t, tc.code, code)
			if tc.ecod != "" {
				require.Equal(t, tc.ecod, ecode)
			}
		})
	}
	require.Equal(t, before, asked(), "a refused delivery made the server ask Blink")
	var got orderJSON
	r.do("GET", "/v1/orders/wh", f.token, nil, &got)
	require.Equal(t, "created", got.Status, "no refused delivery moved the order")
	// Control: the genuine delivery does ask, and moves it.
	code, _ := post("/v1/blink/webhooks/"+f.id, sign(secret, time.Now(), body), body)
	require.Equal(t, 204, code)
	require.Greater(t, asked(), before)
	r.do("GET", "/v1/orders/wh", f.token, nil, &got)
	require.Equal(t, "paid", got.Status)
}

// TestReviewSec_RateLimitIsPerTenant: one tenant spending its burst gets
// 429 with Retry-After and a code; another tenant is not slowed.
func TestReviewSec_RateLimitIsPerTenant(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{RatePerSecond: 0.01, RateBurst: 5})
	// Connects are limited per source too: these two spend 2 of its 5.
	a := r.connect(receiveScopes, false, 0)
	b := r.connect(receiveScopes, false, 0)
	var last int
	var hdr http.Header
	var raw []byte
	for i := 0; i < 6; i++ {
		last, hdr, raw = reviewSecReq(t, nil, "GET", r.http.URL+"/v1/tenant", nil, "Authorization", "Bearer "+a.token)
	}
	require.Equal(t, 429, last)
	require.Equal(t, "rate_limited", reviewSecCode(raw))
	require.NotEmpty(t, hdr.Get("Retry-After"))
	code, _, _ := reviewSecReq(t, nil, "GET", r.http.URL+"/v1/tenant", nil, "Authorization", "Bearer "+b.token)
	require.Equal(t, 200, code, "tenant B is not limited by A's requests")
	code, _, _ = reviewSecReq(t, nil, "GET", r.http.URL+"/health", nil)
	require.Equal(t, 200, code, "health is never limited")
}

// TestReviewSec_EventStreamsAreCapped: past MaxStreams a new stream gets
// 503 with Retry-After; a stream that ends frees its slot.
func TestReviewSec_EventStreamsAreCapped(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	r.app.Checkout.MaxStreams = 2
	f := r.connect(receiveScopes, false, 0)
	r.order(f, "cap", 10)
	link := r.checkoutLink(f, "cap")
	open := func() (*http.Response, context.CancelFunc) {
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", link+"/events", nil)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		return resp, cancel
	}
	s1, c1 := open()
	defer c1()
	s2, c2 := open()
	defer c2()
	require.Equal(t, 200, s1.StatusCode)
	require.Equal(t, 200, s2.StatusCode)
	s3, c3 := open()
	require.Equal(t, 503, s3.StatusCode)
	require.NotEmpty(t, s3.Header.Get("Retry-After"))
	s3.Body.Close()
	c3()
	c1()
	s1.Body.Close()
	require.Eventually(t, func() bool {
		s, c := open()
		defer c()
		defer s.Body.Close()
		return s.StatusCode == 200
	}, 10*time.Second, 20*time.Millisecond, "a closed stream frees its slot")
	s2.Body.Close()
}
