package blink

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/blink-sdk/blink-go/internal/gen"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// rawMeQuery is the query the SDK's Me sends, for the hand-written baseline.
const rawMeQuery = `query Me { me { id username defaultAccount { id level displayCurrency defaultWallet { id currency } } } }`

type rawMeResponse struct {
	Data struct {
		Me struct {
			ID             string `json:"id"`
			Username       string `json:"username"`
			DefaultAccount struct {
				ID              string `json:"id"`
				Level           string `json:"level"`
				DisplayCurrency string `json:"displayCurrency"`
				DefaultWallet   struct {
					ID       string `json:"id"`
					Currency string `json:"currency"`
				} `json:"defaultWallet"`
			} `json:"defaultAccount"`
		} `json:"me"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// rawMe is what a careful user would write by hand with net/http.
func rawMe(ctx context.Context, hc *http.Client, url, key string) (*rawMeResponse, error) {
	body, err := json.Marshal(map[string]any{"query": rawMeQuery, "operationName": "Me"})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-KEY", key)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out rawMeResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	return &out, nil
}

// BenchmarkMe measures Me through the SDK beside the hand-written net/http
// call of the same query against the same local handler, in one run, and
// reports the ratios (targets: ns ≤ 1.25×, allocs ≤ 2×).
func BenchmarkMe(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, meData)
	}))
	defer srv.Close()
	ctx := context.Background()
	hc := &http.Client{Transport: defaultTransport()}
	c, err := New(testKey, WithEndpoint(srv.URL), WithScopes(ScopeRead), WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	sdkCall := func() error { _, err := c.Me(ctx); return err }
	rawCall := func() error { _, err := rawMe(ctx, hc, srv.URL, testKey); return err }
	reportAgainstBaseline(b, rawCall, sdkCall)
}

// The calls reportAgainstBaseline makes of each side besides b.N.
const (
	benchWarmup    = 50
	benchAllocRuns = 200
)

// reportAgainstBaseline runs the baseline and the SDK call b.N times each,
// interleaved so that drift in the machine's speed hits both alike, and
// reports the SDK's figures as ns/op and allocs/op with the baseline's and
// the ratios as extra metrics. Allocations are counted in separate passes.
func reportAgainstBaseline(b *testing.B, baseline, sdk func() error) {
	b.Helper()
	for range benchWarmup { // warm both paths: connections, caches
		if err := baseline(); err != nil {
			b.Fatal(err)
		}
		if err := sdk(); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer() // the timer runs so that b.N is sized from real time
	var rawDur, sdkDur time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := baseline(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := sdk(); err != nil {
			b.Fatal(err)
		}
		rawDur += t1.Sub(t0)
		sdkDur += time.Since(t1)
	}
	b.StopTimer()
	allocs := func(fn func() error) float64 {
		const n = benchAllocRuns
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range n {
			if err := fn(); err != nil {
				b.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		return float64(after.Mallocs-before.Mallocs) / n
	}
	rawAllocs, sdkAllocs := allocs(baseline), allocs(sdk)
	rawNs := float64(rawDur.Nanoseconds()) / float64(b.N)
	sdkNs := float64(sdkDur.Nanoseconds()) / float64(b.N)
	b.ReportMetric(sdkNs, "ns/op")
	b.ReportMetric(sdkAllocs, "allocs/op")
	b.ReportMetric(rawNs, "baseline-ns/op")
	b.ReportMetric(sdkNs/rawNs, "ns-ratio")
	b.ReportMetric(rawAllocs, "baseline-allocs/op")
	b.ReportMetric(sdkAllocs/rawAllocs, "allocs-ratio")
}

// BenchmarkClassify measures the per-call lookup of an operation's scope
// and retry class (cached after the first call).
func BenchmarkClassify(b *testing.B) {
	c, _ := New(testKey)
	q := gen.Me_Operation
	b.ReportAllocs()
	for b.Loop() {
		c.ops.classify("Me", q)
	}
}

// BenchmarkPayInvoice measures PayInvoice end to end on loopback against
// blinktest (local decode, guards, send, result mapping) beside a
// hand-written net/http call of the same mutation, in one run. Each call
// pays a fresh invoice.
func BenchmarkPayInvoice(b *testing.B) {
	srv := blinktest.New(b)
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "payer", BTCBalance: 9_000_000_000_000})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []string{"READ", "WRITE"}})
	hc := &http.Client{Transport: defaultTransport()}
	c, err := New(key, WithEndpoint(srv.URL()), WithScopes(ScopeRead, ScopeWrite), WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	invoices := make(chan string, 2*(b.N+benchWarmup+benchAllocRuns))
	for range cap(invoices) {
		invoices <- srv.ExternalInvoice(10, blinktest.OutcomeSuccess)
	}
	sdk := func() error {
		r, err := c.PayInvoice(ctx, acct.BTCWalletID, <-invoices, nil)
		if err == nil && r.Status != PaymentSucceeded {
			err = fmt.Errorf("status %s", r.Status)
		}
		return err
	}
	raw := func() error { return rawPay(ctx, hc, srv.URL(), key, acct.BTCWalletID, <-invoices) }
	reportAgainstBaseline(b, raw, sdk)
}

// rawPay is the hand-written baseline of PayInvoice: the same mutation
// document, an idempotency key, and a decode of the payload.
func rawPay(ctx context.Context, hc *http.Client, url, key, walletID, pr string) error {
	body, err := json.Marshal(map[string]any{
		"query":         gen.LnInvoicePaymentSend_Operation,
		"operationName": "LnInvoicePaymentSend",
		"variables":     map[string]any{"input": map[string]any{"walletId": walletID, "paymentRequest": pr}},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-KEY", key)
	req.Header.Set("X-Idempotency-Key", uuid.NewString())
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			LnInvoicePaymentSend struct {
				Status string `json:"status"`
				Errors []struct {
					Message string `json:"message"`
				} `json:"errors"`
				Transaction json.RawMessage `json:"transaction"`
			} `json:"lnInvoicePaymentSend"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return err
	}
	if out.Data.LnInvoicePaymentSend.Status != "SUCCESS" {
		return fmt.Errorf("status %q", out.Data.LnInvoicePaymentSend.Status)
	}
	return nil
}
