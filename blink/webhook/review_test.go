package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Review tests (adversarial review of issue 10). Package webhook, so that
// they can reach verifier and the store from the inside.

const rvSecret = "whsec_" + "cmV2aWV3LXNlY3JldC1vZi10aGUtZW5kcG9pbnQtMDE="

var rvNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

const rvBody = `{"accountId":"acc","walletId":"w1","eventType":"receive.lightning","transaction":{"id":"0123456789abcdef01234567","walletId":"w1","status":"success","memo":null,"createdAt":"2026-01-02T03:04:05.000Z","settlementAmount":1000,"settlementFee":0,"settlementCurrency":"BTC","settlementDisplayAmount":"1.00","settlementDisplayFee":"0.00","settlementDisplayPrice":{"base":"100000000000","offset":"12","displayCurrency":"USD","walletCurrency":"BTC"},"initiationVia":{"type":"lightning","paymentHash":"aa","pubkey":"02"},"settlementVia":{"type":"lightning","revealedPreImage":"bb"}}}`

func rvSign(t *testing.T, secret, id, body string) http.Header {
	t.Helper()
	h, err := Sign(secret, id, rvNow, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// rvStore wraps a MemoryStore, counts calls, can fail Complete, and
// reports every Complete and Release on a channel.
type rvStore struct {
	*MemoryStore
	claims, completes, releases atomic.Int32
	failComplete                atomic.Int32 // fail this many Completes
	ended                       chan string  // "complete" or "release"
}

func newRvStore() *rvStore {
	return &rvStore{MemoryStore: NewMemoryStore(&MemoryStoreOptions{Now: func() time.Time { return rvNow }}), ended: make(chan string, 16)}
}

func (s *rvStore) Claim(ctx context.Context, id string) (ClaimResult, error) {
	s.claims.Add(1)
	return s.MemoryStore.Claim(ctx, id)
}

func (s *rvStore) Complete(ctx context.Context, id string) error {
	s.completes.Add(1)
	defer func() { s.ended <- "complete" }()
	if s.failComplete.Add(-1) >= 0 {
		return errors.New("database unavailable")
	}
	return s.MemoryStore.Complete(ctx, id)
}

func (s *rvStore) Release(ctx context.Context, id string) error {
	s.releases.Add(1)
	defer func() { s.ended <- "release" }()
	return s.MemoryStore.Release(ctx, id)
}

func rvServe(h http.Handler, method string, hdr http.Header, body io.Reader, contentLength int64) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/blink", body)
	req.ContentLength = contentLength
	for k, v := range hdr {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func rvWait(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(5 * time.Second):
		t.Fatal("the claim was neither completed nor released")
		return ""
	}
}

// A function that leaves through runtime.Goexit (t.FailNow or
// require.* of a test, called inside the function) never returned nil,
// yet call's deferred func sees err == nil and Completes the claim: the
// message is marked handled and every retry is answered 204 without the
// function ever having finished its work.
func TestReview_GoexitInFnMarksTheMessageHandled(t *testing.T) {
	st := newRvStore()
	var calls atomic.Int32
	h, err := NewHandler(rvSecret, func(ctx context.Context, d Delivery) error {
		if calls.Add(1) == 1 {
			runtime.Goexit()
		}
		return nil
	}, &HandlerOptions{Store: st, Now: func() time.Time { return rvNow }, Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rec := rvServe(h, http.MethodPost, rvSign(t, rvSecret, "msg_goexit", rvBody), strings.NewReader(rvBody), int64(len(rvBody)))
	if rec.Code < 500 {
		t.Fatalf("first delivery answered %d", rec.Code)
	}
	if got := rvWait(t, st.ended); got != "release" {
		t.Errorf("after a Goexit the claim was %sd; it must be released (the function never returned nil)", got)
	}
	rec = rvServe(h, http.MethodPost, rvSign(t, rvSecret, "msg_goexit", rvBody), strings.NewReader(rvBody), int64(len(rvBody)))
	if calls.Load() != 2 {
		t.Errorf("the retry answered %d without calling the function again (calls=%d)", rec.Code, calls.Load())
	}
}

// When fn returned nil but the store's Complete failed, the claim must
// not stay in progress (with the MemoryStore, whose claims never lapse,
// every retry would be answered 409 for good).
func TestReview_CompleteFailureLeavesTheIDInProgressForever(t *testing.T) {
	st := newRvStore()
	st.failComplete.Store(1)
	var calls atomic.Int32
	h, err := NewHandler(rvSecret, func(ctx context.Context, d Delivery) error {
		calls.Add(1)
		return nil
	}, &HandlerOptions{Store: st, Now: func() time.Time { return rvNow }})
	if err != nil {
		t.Fatal(err)
	}
	rec := rvServe(h, http.MethodPost, rvSign(t, rvSecret, "msg_c", rvBody), strings.NewReader(rvBody), int64(len(rvBody)))
	// The work is done: 2xx, and the id is released (a redelivery runs
	// fn again, at least once) rather than stuck in progress.
	if rec.Code != http.StatusNoContent {
		t.Fatalf("first delivery: %d", rec.Code)
	}
	rvWait(t, st.ended)
	for i := range 3 { // Svix's next retries
		rec = rvServe(h, http.MethodPost, rvSign(t, rvSecret, "msg_c", rvBody), strings.NewReader(rvBody), int64(len(rvBody)))
		if rec.Code == http.StatusConflict {
			t.Errorf("retry %d: 409 in progress, though nothing is running (calls=%d): the claim is stuck", i+1, calls.Load())
		}
	}
}

// Pins: nothing an attacker without the secret sends reaches the Store
// (no flooding or evicting of handled ids), nor the function, and no
// answer echoes the request.
func TestReview_UnverifiedRequestsNeverReachTheStore(t *testing.T) {
	st := newRvStore()
	var calls atomic.Int32
	h, err := NewHandler(rvSecret, func(ctx context.Context, d Delivery) error { calls.Add(1); return nil },
		&HandlerOptions{Store: st, Now: func() time.Time { return rvNow }, MaxBodyBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	other := "whsec_" + "b3RoZXItc2VjcmV0LW9mLWFub3RoZXItYWNjb3VudA=="
	good := rvSign(t, rvSecret, "msg_ok", rvBody)
	stale, _ := Sign(rvSecret, "msg_stale", rvNow.Add(-6*time.Minute), []byte(rvBody))
	future, _ := Sign(rvSecret, "msg_future", rvNow.Add(6*time.Minute), []byte(rvBody))
	big := strings.Repeat(" ", 4097-len(rvBody)) + rvBody
	bigSigned := rvSign(t, rvSecret, "msg_big", big)
	bad := `{"eventType":"receive.lightning","transaction":{"settlementAmount":1.5}}`
	type req struct {
		name   string
		method string
		h      http.Header
		body   io.Reader
		cl     int64
	}
	cases := []req{
		{"forged", http.MethodPost, rvSign(t, other, "msg_forged", rvBody), strings.NewReader(rvBody), int64(len(rvBody))},
		{"tampered", http.MethodPost, good, strings.NewReader(strings.Replace(rvBody, "1000", "9000", 1)), int64(len(rvBody))},
		{"trailing bytes", http.MethodPost, good, strings.NewReader(rvBody + " "), int64(len(rvBody)) + 1},
		{"stale", http.MethodPost, stale, strings.NewReader(rvBody), int64(len(rvBody))},
		{"future", http.MethodPost, future, strings.NewReader(rvBody), int64(len(rvBody))},
		{"no headers", http.MethodPost, http.Header{}, strings.NewReader(rvBody), int64(len(rvBody))},
		{"GET", http.MethodGet, good, strings.NewReader(rvBody), int64(len(rvBody))},
		{"oversize, declared", http.MethodPost, bigSigned, strings.NewReader(big), int64(len(big))},
		{"oversize, chunked", http.MethodPost, bigSigned, io.MultiReader(strings.NewReader(big)), -1},
		{"oversize, lying Content-Length", http.MethodPost, bigSigned, strings.NewReader(big), 10},
		{"verified but malformed", http.MethodPost, rvSign(t, rvSecret, "msg_bad", bad), strings.NewReader(bad), int64(len(bad))},
	}
	for _, c := range cases {
		rec := rvServe(h, c.method, c.h, c.body, c.cl)
		if rec.Code < 300 {
			t.Errorf("%s: answered %d", c.name, rec.Code)
		}
		if b := rec.Body.String(); strings.Contains(b, "msg_") || strings.Contains(b, "v1,") || strings.Contains(b, "receive") {
			t.Errorf("%s: answer echoes the request: %q", c.name, b)
		}
	}
	if n := st.claims.Load(); n != 0 {
		t.Errorf("%d unverified or refused requests reached Store.Claim", n)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the function ran %d times", n)
	}
	// Exactly at the limit is read whole (chunked, no Content-Length).
	exact := strings.Repeat(" ", 4096-len(rvBody)) + rvBody
	rec := rvServe(h, http.MethodPost, rvSign(t, rvSecret, "msg_exact", exact), io.MultiReader(strings.NewReader(exact)), -1)
	if rec.Code != http.StatusNoContent || calls.Load() != 1 {
		t.Errorf("a body of exactly MaxBodyBytes: %d, calls %d", rec.Code, calls.Load())
	}
}

// Pins: header smuggling. Each of these is refused; the fixtures are
// signed with the secret, so any acceptance would be a real bypass.
func TestReview_HeaderSmugglingIsRefused(t *testing.T) {
	good := rvSign(t, rvSecret, "msg_a", rvBody)
	sig, ts := good.Get(HeaderSignature), good.Get(HeaderTimestamp)
	opts := &VerifyOptions{Now: func() time.Time { return rvNow }}
	for name, mk := range map[string]func() http.Header{
		// The id that verifies is the one the Handler de-duplicates on:
		// duplicate id headers must not let a second id ride along.
		"second svix-id is the signed one": func() http.Header {
			return http.Header{"Svix-Id": {"msg_other", "msg_a"}, "Svix-Timestamp": {ts}, "Svix-Signature": {sig}}
		},
		"second timestamp is the signed one": func() http.Header {
			return http.Header{"Svix-Id": {"msg_a"}, "Svix-Timestamp": {"1", ts}, "Svix-Signature": {sig}}
		},
		"mixed sets": func() http.Header {
			return http.Header{"Svix-Id": {"msg_a"}, "Webhook-Timestamp": {ts}, "Svix-Signature": {sig}}
		},
		"mixed sets, svix incomplete, webhook incomplete": func() http.Header {
			return http.Header{"Svix-Id": {"msg_a"}, "Svix-Timestamp": {ts}, "Webhook-Signature": {sig}, "Webhook-Id": {"msg_a"}}
		},
		"timestamp with +":           func() http.Header { h := good.Clone(); h.Set(HeaderTimestamp, "+"+ts); return h },
		"timestamp with a leading 0": func() http.Header { h := good.Clone(); h.Set(HeaderTimestamp, "0"+ts); return h },
		"timestamp as a float":       func() http.Header { h := good.Clone(); h.Set(HeaderTimestamp, ts+".0"); return h },
		"timestamp in milliseconds":  func() http.Header { h := good.Clone(); h.Set(HeaderTimestamp, ts+"000"); return h },
		"non-canonical map keys": func() http.Header {
			return http.Header{"svix-id": {"msg_a"}, "svix-timestamp": {ts}, "svix-signature": {sig}}
		},
		"V1 upper case":             func() http.Header { h := good.Clone(); h.Set(HeaderSignature, "V"+sig[1:]); return h },
		"comma-joined list":         func() http.Header { h := good.Clone(); h.Set(HeaderSignature, "v1,AAAA,"+sig); return h },
		"signature without padding": func() http.Header { h := good.Clone(); h.Set(HeaderSignature, strings.TrimRight(sig, "=")); return h },
		"url-safe signature": func() http.Header {
			h := good.Clone()
			h.Set(HeaderSignature, strings.NewReplacer("+", "-", "/", "_").Replace(sig))
			return h
		},
		"id with a non-ASCII twin": func() http.Header { h := good.Clone(); h.Set(HeaderID, "msg_ａ"); return h },
		"v1 empty then garbage": func() http.Header {
			h := good.Clone()
			h.Set(HeaderSignature, "v1, v1,"+strings.Repeat("A", 1<<16))
			return h
		},
		"id moved into the timestamp": func() http.Header {
			h := good.Clone()
			h.Set(HeaderID, "msg_a."+ts)
			h.Set(HeaderTimestamp, ts)
			return h
		},
	} {
		h := mk()
		if sig := h.Get(HeaderSignature); strings.Contains(name, "url-safe") && !strings.ContainsAny(sig, "-_") {
			continue // this signature has neither + nor /
		}
		if err := VerifyWithOptions([]byte(rvBody), h, rvSecret, opts); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), strings.TrimPrefix(rvSecret, "whsec_")) || strings.Contains(err.Error(), sig[3:]) {
			t.Errorf("%s: the error shows the secret or the signature: %v", name, err)
		}
	}
	// And the accepted forms, for the record: several header lines, tab
	// separators, another version beside v1.
	for name, h := range map[string]http.Header{
		"two signature lines": {"Svix-Id": {"msg_a"}, "Svix-Timestamp": {ts}, "Svix-Signature": {"v1,AAAA", sig}},
		"tab separated":       {"Svix-Id": {"msg_a"}, "Svix-Timestamp": {ts}, "Svix-Signature": {"v1a,x\t" + sig}},
	} {
		if err := VerifyWithOptions([]byte(rvBody), h, rvSecret, opts); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Pins: the secret and the signature never reach a log record, at Debug,
// on any path (refusal, success, duplicate, failure, panic, timeout).
func TestReview_DebugLogsHoldNoSecretNorSignature(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st := newRvStore()
	h, err := NewHandler(rvSecret, func(ctx context.Context, d Delivery) error {
		switch d.ID {
		case "msg_fail":
			return errors.New("boom")
		case "msg_panic":
			panic("kaboom")
		case "msg_slow":
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}, &HandlerOptions{Store: st, Now: func() time.Time { return rvNow }, Logger: log, Timeout: 20 * time.Millisecond, OldSecrets: []string{rvSecret + " "}})
	if err != nil {
		t.Fatal(err)
	}
	var sigs []string
	for _, id := range []string{"msg_ok", "msg_ok", "msg_fail", "msg_panic", "msg_slow"} {
		hd := rvSign(t, rvSecret, id, rvBody)
		sigs = append(sigs, strings.TrimPrefix(hd.Get(HeaderSignature), "v1,"))
		rvServe(h, http.MethodPost, hd, strings.NewReader(rvBody), int64(len(rvBody)))
	}
	forged := rvSign(t, rvSecret, "msg_x", rvBody)
	forged.Set(HeaderTimestamp, strconv.FormatInt(rvNow.Unix()+1, 10))
	rvServe(h, http.MethodPost, forged, strings.NewReader(rvBody), int64(len(rvBody)))
	for range 4 { // fail, panic, slow release; ok complete
		<-st.ended
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "level=DEBUG") {
		t.Fatalf("no debug records: %s", out)
	}
	key := strings.TrimPrefix(rvSecret, "whsec_")
	for _, s := range append(sigs, key, key[:12]) {
		if strings.Contains(out, s) {
			t.Errorf("the logs hold %q:\n%s", s, out)
		}
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Pins: the function gets exactly the bytes that were verified (leading
// and trailing whitespace included), and the event parsed from them.
func TestReview_FnGetsTheVerifiedBytes(t *testing.T) {
	body := " \n" + rvBody + "\r\n"
	var got Delivery
	h, err := NewHandler(rvSecret, func(ctx context.Context, d Delivery) error { got = d; return nil },
		&HandlerOptions{Now: func() time.Time { return rvNow }})
	if err != nil {
		t.Fatal(err)
	}
	rec := rvServe(h, http.MethodPost, rvSign(t, rvSecret, "msg_ws", body), strings.NewReader(body), int64(len(body)))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("%d", rec.Code)
	}
	if string(got.Payload) != body || got.ID != "msg_ws" || !got.Timestamp.Equal(rvNow) {
		t.Errorf("delivery: id %q ts %v payload %q", got.ID, got.Timestamp, got.Payload)
	}
	if _, ok := got.Event.(*ReceiveLightning); !ok {
		t.Errorf("event %T", got.Event)
	}
}

// Pins: duplicate keys parse as JSON.parse does (the last one wins), in
// the head pass and the full pass alike, so eventType and the body read
// the same object.
func TestReview_DuplicateKeysLastWinsInBothPasses(t *testing.T) {
	body := strings.Replace(rvBody, `"eventType":"receive.lightning"`, `"eventType":"send.lightning","eventType":"receive.lightning"`, 1)
	body = strings.Replace(body, `"settlementAmount":1000`, `"settlementAmount":5,"settlementAmount":1000`, 1)
	ev, err := ParseEvent([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	rl, ok := ev.(*ReceiveLightning)
	if !ok {
		t.Fatalf("%T", ev)
	}
	if rl.Transaction.Amount.Value != 1000 {
		t.Errorf("amount %d", rl.Transaction.Amount.Value)
	}
	// Trailing data after the object is refused, not ignored.
	if _, err := ParseEvent([]byte(rvBody + `{"eventType":"send.lightning"}`)); !errors.Is(err, ErrMalformedEvent) {
		t.Errorf("two objects: %v", err)
	}
}
