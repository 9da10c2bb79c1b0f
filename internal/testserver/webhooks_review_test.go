package testserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Review tests of the fake's webhook deliveries (adversarial review of
// issue 10). Self-contained: package testserver cannot use the helpers of
// package testserver_test.

func rvCall(t *testing.T, srv *Server, key, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest(http.MethodPost, srv.URL(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-KEY", key)
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	if out["errors"] != nil {
		t.Fatalf("graphql errors: %s", raw)
	}
	return out
}

func rvGet(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// rvDeliverOne registers url as alice's endpoint, has an invoice of hers
// paid from outside, and waits until the deliveries are idle.
func rvDeliverOne(t *testing.T, srv *Server, url string) (key, endpointID string) {
	t.Helper()
	a := srv.CreateAccount(AccountOptions{Username: "alice", BTCBalance: 1000})
	key = srv.CreateAPIKey(a.ID, KeyOptions{})
	r := rvCall(t, srv, key, `mutation($input: CallbackEndpointAddInput!) { callbackEndpointAdd(input: $input) { id errors { message } } }`,
		map[string]any{"input": map[string]any{"url": url}})
	endpointID, _ = rvGet(r, "data", "callbackEndpointAdd", "id").(string)
	if !strings.HasPrefix(endpointID, "ep_") {
		t.Fatalf("endpoint not added: %v", r)
	}
	r = rvCall(t, srv, key, `mutation($input: LnInvoiceCreateInput!) { lnInvoiceCreate(input: $input) { invoice { paymentRequest } errors { message } } }`,
		map[string]any{"input": map[string]any{"walletId": a.BTCWalletID, "amount": 10}})
	pr, _ := rvGet(r, "data", "lnInvoiceCreate", "invoice", "paymentRequest").(string)
	if pr == "" {
		t.Fatalf("no invoice: %v", r)
	}
	if err := srv.PayInvoice(pr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitWebhooksIdle(ctx); err != nil {
		t.Fatal(err)
	}
	return key, endpointID
}

// Svix does not follow redirects: a 3xx answer is a failed attempt. The
// fake's http.Client follows them, so a loopback endpoint that answers
// 307 gets the signed POST re-sent to wherever Location points, and the
// attempt is logged as delivered (OK) with the final 2xx.
func TestReview_FakeFollowsRedirectsAndCountsThemDelivered(t *testing.T) {
	var gotAtTarget atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		if r.Header.Get("Svix-Signature") != "" {
			gotAtTarget.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	srv := New(t, WithLoopbackWebhooks())
	rvDeliverOne(t, srv, redirector.URL+"/blink")

	log := srv.WebhookDeliveries()
	if len(log) == 0 {
		t.Fatal("no attempt")
	}
	if log[0].OK || log[0].StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("a 307 answer was logged as OK=%v status=%d; Svix counts a redirect as a failed attempt", log[0].OK, log[0].StatusCode)
	}
	if n := gotAtTarget.Load(); n != 0 {
		t.Errorf("the signed delivery was re-posted %d time(s) to the redirect target, which was never registered", n)
	}
}

// The fake promises it "never reaches out of the machine" and contacts
// only loopback hosts, but the check is on the registered URL only: a
// loopback endpoint redirecting to a non-loopback address makes the fake
// dial it (TEST-NET-1 here, so nothing answers).
func TestReview_FakeRedirectEscapesTheLoopbackGuard(t *testing.T) {
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		http.Redirect(w, r, "http://192.0.2.1:9/blink", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	srv := New(t, WithLoopbackWebhooks(), WithWebhookTimeout(300*time.Millisecond))
	rvDeliverOne(t, srv, redirector.URL+"/blink")

	log := srv.WebhookDeliveries()
	if len(log) == 0 {
		t.Fatal("no attempt")
	}
	if !strings.Contains(log[0].Err, "loopback") && log[0].StatusCode != http.StatusTemporaryRedirect {
		t.Errorf("the attempt went past the redirect to a non-loopback host: status %d, err %q", log[0].StatusCode, log[0].Err)
	}
}

// Deleting an endpoint (callbackEndpointDelete) stops Svix's attempts to
// it. The fake keeps the message's URL, not the endpoint, so the retries
// of a failed delivery go on reaching a deleted endpoint.
func TestReview_FakeRetriesToADeletedEndpoint(t *testing.T) {
	var hits atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer hook.Close()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu atomic.Int64
	mu.Store(now.UnixNano())
	clock := func() time.Time { return time.Unix(0, mu.Load()).UTC() }
	srv := New(t, WithLoopbackWebhooks(), WithClock(clock))
	key, ep := rvDeliverOne(t, srv, hook.URL)
	if hits.Load() != 1 {
		t.Fatalf("first attempt: %d hits", hits.Load())
	}
	r := rvCall(t, srv, key, `mutation($input: CallbackEndpointDeleteInput!) { callbackEndpointDelete(input: $input) { success errors { message } } }`,
		map[string]any{"input": map[string]any{"id": ep}})
	if ok, _ := rvGet(r, "data", "callbackEndpointDelete", "success").(bool); !ok {
		t.Fatalf("not deleted: %v", r)
	}
	mu.Add(int64(5 * time.Second))
	srv.Tick()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitWebhooksIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the deleted endpoint got %d attempts, %d after its deletion", n, n-1)
	}
}
