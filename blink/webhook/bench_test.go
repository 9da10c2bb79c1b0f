package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink/webhook"
)

var benchSink string

// BenchmarkVerify2KB verifies a 2 KB delivery b.N times, and in the same
// run computes the bare HMAC-SHA256 plus base64 of the same content b.N
// times (the floor any verifier pays). ns/op, B/op and allocs/op are
// Verify's; baseline-ns/op and baseline-allocs/op are the floor's, and
// x-baseline is Verify's time over the floor's (the target is at most
// 1.3).
func BenchmarkVerify2KB(b *testing.B) {
	body := []byte(`{"accountId":"acc-1","walletId":"wal-btc","eventType":"receive.lightning","transaction":{"memo":"` +
		strings.Repeat("x", 2048-100) + `"}}`)
	body = body[:2048-2]
	body = append(body, `}}`...)
	const id = "msg_2nYh0qBv3yE8bXk1fP9uUq0a7sT"
	now := time.Unix(1_700_000_000, 0)
	h, err := webhook.Sign(otherSecret, id, now, body)
	if err != nil {
		b.Fatal(err)
	}
	opts := &webhook.VerifyOptions{Now: func() time.Time { return now }}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(otherSecret, "whsec_"))
	ts := strconv.FormatInt(now.Unix(), 10)
	baseline := func() {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id + "." + ts + "."))
		m.Write(body)
		benchSink = base64.StdEncoding.EncodeToString(m.Sum(nil))
	}
	if err := webhook.VerifyWithOptions(body, h, otherSecret, opts); err != nil {
		b.Fatal(err)
	}
	baseAllocs := testing.AllocsPerRun(100, baseline)

	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.StopTimer()
	t0 := time.Now()
	for range b.N {
		baseline()
	}
	base := time.Since(t0)
	b.StartTimer()

	t1 := time.Now()
	for range b.N {
		if err := webhook.VerifyWithOptions(body, h, otherSecret, opts); err != nil {
			b.Fatal(err)
		}
	}
	verify := time.Since(t1)

	b.ReportMetric(float64(base.Nanoseconds())/float64(b.N), "baseline-ns/op")
	b.ReportMetric(baseAllocs, "baseline-allocs/op")
	b.ReportMetric(float64(verify)/float64(base), "x-baseline")
}

// BenchmarkHandler2KB serves one verified 2 KB delivery of a new message
// id per iteration through ServeHTTP (no network): read, verify, parse,
// claim, call, complete.
func BenchmarkHandler2KB(b *testing.B) {
	now := time.Unix(1_700_000_000, 0)
	body := []byte(strings.Replace(bodyReceiveLightning, "order 42", strings.Repeat("m", 2048-len(bodyReceiveLightning)+8), 1))
	h, err := webhook.NewHandler(otherSecret, func(context.Context, webhook.Delivery) error { return nil },
		&webhook.HandlerOptions{Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	hdrs := make([]http.Header, 1024)
	for i := range hdrs {
		hdrs[i], _ = webhook.Sign(otherSecret, "msg_"+strconv.Itoa(i), now, body)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	i := 0
	for b.Loop() {
		if i%len(hdrs) == 0 { // fresh ids: a new handler's store
			b.StopTimer()
			h, _ = webhook.NewHandler(otherSecret, func(context.Context, webhook.Delivery) error { return nil },
				&webhook.HandlerOptions{Now: func() time.Time { return now }})
			b.StartTimer()
		}
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header = hdrs[i%len(hdrs)]
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusNoContent {
			b.Fatalf("status %d", w.Code)
		}
		i++
	}
}
