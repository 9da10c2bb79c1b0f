package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink/webhook"
)

const (
	testSecret = "whsec_" + "dGVzdC1lbmRwb2ludC1zZWNyZXQtMDEyMzQ1Njc4OQ=="
	oldSecret  = "whsec_" + "b2xkLWVuZHBvaW50LXNlY3JldC0wMTIzNDU2Nzg5YQ=="
)

// testNow is the clock of every handler test; deliveries are signed at it.
var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// rig is a Handler behind a loopback httptest server, counting calls.
type rig struct {
	t     *testing.T
	srv   *httptest.Server
	calls atomic.Int32
	mu    sync.Mutex
	got   []webhook.Delivery
}

func newRig(t *testing.T, fn func(context.Context, webhook.Delivery) error, opts *webhook.HandlerOptions) *rig {
	t.Helper()
	r := &rig{t: t}
	if opts == nil {
		opts = &webhook.HandlerOptions{}
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	if fn == nil {
		fn = func(context.Context, webhook.Delivery) error { return nil }
	}
	h, err := webhook.NewHandler(testSecret, func(ctx context.Context, d webhook.Delivery) error {
		r.calls.Add(1)
		r.mu.Lock()
		r.got = append(r.got, d)
		r.mu.Unlock()
		return fn(ctx, d)
	}, opts)
	require.NoError(t, err)
	r.srv = httptest.NewServer(h)
	t.Cleanup(r.srv.Close)
	return r
}

func signed(t *testing.T, secret, id string, body string) http.Header {
	t.Helper()
	h, err := webhook.Sign(secret, id, testNow, []byte(body))
	require.NoError(t, err)
	return h
}

// post sends body with headers and returns the status and answer body.
func (r *rig) post(h http.Header, body string) (int, string) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(body))
	require.NoError(r.t, err)
	for k, v := range h {
		req.Header[k] = v
	}
	res, err := r.srv.Client().Do(req)
	require.NoError(r.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(r.t, err)
	return res.StatusCode, string(b)
}

func (r *rig) deliver(id, body string) (int, string) {
	r.t.Helper()
	return r.post(signed(r.t, testSecret, id, body), body)
}

func TestHandler_HandlesAVerifiedDeliveryOnce(t *testing.T) {
	r := newRig(t, nil, nil)
	code, body := r.deliver("msg_1", bodyReceiveLightning)
	assert.Equal(t, http.StatusNoContent, code)
	assert.Empty(t, body)
	require.Len(t, r.got, 1)
	d := r.got[0]
	assert.Equal(t, "msg_1", d.ID)
	assert.True(t, d.Timestamp.Equal(testNow))
	assert.Equal(t, bodyReceiveLightning, string(d.Payload))
	e, ok := d.Event.(*webhook.ReceiveLightning)
	require.True(t, ok, "%T", d.Event)
	assert.Equal(t, pre64, e.Transaction.Settlement.Preimage)
}

func TestHandler_RefusesWithAFixedShortBody(t *testing.T) {
	body := bodyReceiveLightning
	good := func() http.Header { return signed(t, testSecret, "msg_r", body) }
	for _, tc := range []struct {
		name string
		h    func() http.Header
		body string
	}{
		{"tampered body", good, strings.Replace(body, "1000", "9000", 1)},
		{"wrong secret", func() http.Header { return signed(t, otherSecret, "msg_r", body) }, body},
		{"forged with another account's secret", func() http.Header {
			h := good()
			h.Set("svix-signature", signed(t, otherSecret, "msg_r", body).Get("svix-signature"))
			return h
		}, body},
		{"stale", func() http.Header {
			h := good()
			h.Set("svix-timestamp", strconv.FormatInt(testNow.Add(-6*time.Minute).Unix(), 10))
			return resign(t, h, body)
		}, body},
		{"future", func() http.Header {
			h := good()
			h.Set("svix-timestamp", strconv.FormatInt(testNow.Add(6*time.Minute).Unix(), 10))
			return resign(t, h, body)
		}, body},
		{"no headers", func() http.Header { return http.Header{} }, body},
		{"no signature", func() http.Header { h := good(); h.Del("svix-signature"); return h }, body},
		{"malformed timestamp", func() http.Header { h := good(); h.Set("svix-timestamp", "soon"); return h }, body},
		{"only v2 signatures", func() http.Header {
			h := good()
			h.Set("svix-signature", strings.Replace(h.Get("svix-signature"), "v1,", "v2,", 1))
			return h
		}, body},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, nil, nil)
			code, answer := r.post(tc.h(), tc.body)
			assert.Equal(t, http.StatusBadRequest, code)
			assert.Equal(t, "invalid signature\n", answer)
			assert.Zero(t, r.calls.Load())
		})
	}
}

// resign signs body again for the (changed) id and timestamp of h, as a
// sender holding the secret would.
func resign(t *testing.T, h http.Header, body string) http.Header {
	t.Helper()
	secs, err := strconv.ParseInt(h.Get("svix-timestamp"), 10, 64)
	require.NoError(t, err)
	out, err := webhook.Sign(testSecret, h.Get("svix-id"), time.Unix(secs, 0), []byte(body))
	require.NoError(t, err)
	return out
}

func TestHandler_AcceptsTheWebhookHeaderSet(t *testing.T) {
	r := newRig(t, nil, nil)
	code, _ := r.post(webhookHeaders(signed(t, testSecret, "msg_w", bodySendOnChain)), bodySendOnChain)
	assert.Equal(t, http.StatusNoContent, code)
	require.Len(t, r.got, 1)
	assert.Equal(t, "msg_w", r.got[0].ID)
}

func TestHandler_RotationAcceptsOldAndNewSecret(t *testing.T) {
	r := newRig(t, nil, &webhook.HandlerOptions{OldSecrets: []string{oldSecret}})
	code, _ := r.post(signed(t, oldSecret, "msg_old", bodyInvoicePaid), bodyInvoicePaid)
	assert.Equal(t, http.StatusNoContent, code, "signed with the old secret")
	code, _ = r.post(signed(t, testSecret, "msg_new", bodyInvoicePaid), bodyInvoicePaid)
	assert.Equal(t, http.StatusNoContent, code, "signed with the new secret")

	// During a rotation Svix sends both signatures in one header.
	both := signed(t, oldSecret, "msg_both", bodyInvoicePaid)
	both.Set("svix-signature", both.Get("svix-signature")+" "+signed(t, testSecret, "msg_both", bodyInvoicePaid).Get("svix-signature"))
	code, _ = r.post(both, bodyInvoicePaid)
	assert.Equal(t, http.StatusNoContent, code)

	code, _ = r.post(signed(t, otherSecret, "msg_other", bodyInvoicePaid), bodyInvoicePaid)
	assert.Equal(t, http.StatusBadRequest, code, "a third secret")
	assert.Equal(t, int32(3), r.calls.Load())
}

func TestNewHandler_RefusesBadSecretsAndNilFunc(t *testing.T) {
	fn := func(context.Context, webhook.Delivery) error { return nil }
	_, err := webhook.NewHandler("not a secret!", fn, nil)
	assert.ErrorIs(t, err, webhook.ErrBadSecret)
	assert.NotContains(t, err.Error(), "not a secret!")
	_, err = webhook.NewHandler(testSecret, fn, &webhook.HandlerOptions{OldSecrets: []string{"whsec_"}})
	assert.ErrorIs(t, err, webhook.ErrBadSecret)
	_, err = webhook.NewHandler(testSecret, nil, nil)
	assert.Error(t, err)
}

func TestHandler_BodyOverTheLimitIs413(t *testing.T) {
	r := newRig(t, nil, &webhook.HandlerOptions{MaxBodyBytes: 64})
	big := `{"eventType":"x","pad":"` + strings.Repeat("a", 100) + `"}`
	code, answer := r.deliver("msg_big", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Equal(t, "body too large\n", answer)

	// Without a Content-Length (chunked), the reader stops at the limit.
	req, err := http.NewRequest(http.MethodPost, r.srv.URL, io.MultiReader(strings.NewReader(big)))
	require.NoError(t, err)
	req.ContentLength = -1
	for k, v := range signed(t, testSecret, "msg_big", big) {
		req.Header[k] = v
	}
	res, err := r.srv.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.StatusCode)

	exact := `{"eventType":"x","pad":"` + strings.Repeat("a", 64-26) + `"}`
	require.Len(t, exact, 64)
	code, _ = r.deliver("msg_exact", exact)
	assert.Equal(t, http.StatusNoContent, code, "a body of exactly the limit")
	assert.Equal(t, int32(1), r.calls.Load())
}

func TestHandler_DefaultLimitIsOneMiB(t *testing.T) {
	r := newRig(t, nil, nil)
	big := `{"pad":"` + strings.Repeat("a", 1<<20) + `"}`
	code, _ := r.deliver("msg_huge", big)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
}

func TestHandler_OnlyPost(t *testing.T) {
	r := newRig(t, nil, nil)
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodHead, http.MethodDelete} {
		req, err := http.NewRequest(m, r.srv.URL, nil)
		require.NoError(t, err)
		res, err := r.srv.Client().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode, m)
		assert.Equal(t, "POST", res.Header.Get("Allow"))
	}
	assert.Zero(t, r.calls.Load())
}

func TestHandler_RedeliveryOfAHandledIDIsNotHandledAgain(t *testing.T) {
	r := newRig(t, nil, nil)
	code, _ := r.deliver("msg_dup", bodySendIntraLedger)
	require.Equal(t, http.StatusNoContent, code)
	for range 3 { // Svix's retries and manual redeliveries keep the id
		code, body := r.deliver("msg_dup", bodySendIntraLedger)
		assert.Equal(t, http.StatusNoContent, code)
		assert.Empty(t, body)
	}
	assert.Equal(t, int32(1), r.calls.Load())
}

func TestHandler_FailedFuncIs500AndTheRetryIsHandled(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	r := newRig(t, func(context.Context, webhook.Delivery) error {
		if fail.Load() {
			return errors.New("database down")
		}
		return nil
	}, nil)
	code, answer := r.deliver("msg_f", bodyReceiveOnChainPending)
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Equal(t, "handler failed\n", answer, "the function's error is not shown")

	fail.Store(false)
	code, _ = r.deliver("msg_f", bodyReceiveOnChainPending)
	assert.Equal(t, http.StatusNoContent, code, "the retry is handled")
	code, _ = r.deliver("msg_f", bodyReceiveOnChainPending)
	assert.Equal(t, http.StatusNoContent, code)
	assert.Equal(t, int32(2), r.calls.Load(), "failed once, handled once, then a duplicate")
}

func TestHandler_PanickingFuncIs500AndReleasesTheID(t *testing.T) {
	var n atomic.Int32
	r := newRig(t, func(context.Context, webhook.Delivery) error {
		if n.Add(1) == 1 {
			panic("boom")
		}
		return nil
	}, nil)
	code, _ := r.deliver("msg_p", bodyInvoiceExpired)
	assert.Equal(t, http.StatusInternalServerError, code)
	code, _ = r.deliver("msg_p", bodyInvoiceExpired)
	assert.Equal(t, http.StatusNoContent, code)
}

// signalStore is a MemoryStore that says when a claim ends.
type signalStore struct {
	*webhook.MemoryStore
	released, completed chan string
	claimErr            error
}

func newSignalStore() *signalStore {
	return &signalStore{MemoryStore: webhook.NewMemoryStore(nil), released: make(chan string, 16), completed: make(chan string, 16)}
}

func (s *signalStore) Claim(ctx context.Context, id string) (webhook.ClaimResult, error) {
	if s.claimErr != nil {
		return 0, s.claimErr
	}
	return s.MemoryStore.Claim(ctx, id)
}

func (s *signalStore) Release(ctx context.Context, id string) error {
	err := s.MemoryStore.Release(ctx, id)
	s.released <- id
	return err
}

func (s *signalStore) Complete(ctx context.Context, id string) error {
	err := s.MemoryStore.Complete(ctx, id)
	s.completed <- id
	return err
}

func TestHandler_TimeoutIs503AndTheRetryIsHandled(t *testing.T) {
	store := newSignalStore()
	var block atomic.Bool
	block.Store(true)
	var deadlineSet atomic.Bool
	r := newRig(t, func(ctx context.Context, _ webhook.Delivery) error {
		_, ok := ctx.Deadline()
		deadlineSet.Store(ok)
		if block.Load() {
			<-ctx.Done() // a slow function that honours its context
			return ctx.Err()
		}
		return nil
	}, &webhook.HandlerOptions{Timeout: 20 * time.Millisecond, Store: store})

	code, answer := r.deliver("msg_t", bodyReceiveLightning)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "handler timed out\n", answer)
	assert.True(t, deadlineSet.Load(), "the function's context has a deadline")
	assert.Equal(t, "msg_t", <-store.released, "a timed-out delivery is not marked done")

	block.Store(false)
	code, _ = r.deliver("msg_t", bodyReceiveLightning)
	assert.Equal(t, http.StatusNoContent, code)
	assert.Equal(t, "msg_t", <-store.completed)
	assert.Equal(t, int32(2), r.calls.Load())
}

func TestHandler_FuncIgnoringItsContextStillGetsA503AtTheDeadline(t *testing.T) {
	store := newSignalStore()
	unblock := make(chan struct{})
	r := newRig(t, func(context.Context, webhook.Delivery) error {
		<-unblock // ignores its context
		return nil
	}, &webhook.HandlerOptions{Timeout: 20 * time.Millisecond, Store: store})

	code, _ := r.deliver("msg_slow", bodyReceiveLightning)
	assert.Equal(t, http.StatusServiceUnavailable, code, "answered at the deadline")
	code, answer := r.deliver("msg_slow", bodyReceiveLightning)
	assert.Equal(t, http.StatusConflict, code, "the first call still holds the id")
	assert.Equal(t, "in progress\n", answer)

	close(unblock)
	assert.Equal(t, "msg_slow", <-store.completed, "it succeeded late and is done")
	code, _ = r.deliver("msg_slow", bodyReceiveLightning)
	assert.Equal(t, http.StatusNoContent, code)
	assert.Equal(t, int32(1), r.calls.Load())
}

func TestHandler_ConcurrentDeliveriesOfOneIDCallTheFuncOnce(t *testing.T) {
	const n = 20
	gate := make(chan struct{})
	var active, maxActive atomic.Int32
	r := newRig(t, func(context.Context, webhook.Delivery) error {
		a := active.Add(1)
		defer active.Add(-1)
		for {
			m := maxActive.Load()
			if a <= m || maxActive.CompareAndSwap(m, a) {
				break
			}
		}
		<-gate
		return nil
	}, nil)

	h := signed(t, testSecret, "msg_c", bodyReceiveIntraLedger)
	codes := make(chan int, n)
	for range n {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(bodyReceiveIntraLedger))
			req.Header = h.Clone()
			res, err := r.srv.Client().Do(req)
			if err != nil {
				codes <- -1
				return
			}
			res.Body.Close()
			codes <- res.StatusCode
		}()
	}
	count := map[int]int{}
	for range n - 1 { // all but the one holding the claim answer at once
		count[<-codes]++
	}
	close(gate)
	count[<-codes]++
	assert.Equal(t, map[int]int{http.StatusConflict: n - 1, http.StatusNoContent: 1}, count)
	assert.Equal(t, int32(1), r.calls.Load())
	assert.Equal(t, int32(1), maxActive.Load())

	code, _ := r.deliver("msg_c", bodyReceiveIntraLedger)
	assert.Equal(t, http.StatusNoContent, code)
	assert.Equal(t, int32(1), r.calls.Load())
}

func TestHandler_ConcurrentDistinctIDsEachOnce(t *testing.T) {
	r := newRig(t, nil, nil)
	const ids, copies = 50, 3
	var wg sync.WaitGroup
	for i := range ids {
		for range copies {
			wg.Go(func() {
				id := "msg_" + strconv.Itoa(i)
				for { // a 409 is retried, as Svix would
					req, _ := http.NewRequest(http.MethodPost, r.srv.URL, strings.NewReader(bodySendOnChain))
					req.Header = signed(t, testSecret, id, bodySendOnChain)
					res, err := r.srv.Client().Do(req)
					if !assert.NoError(t, err) {
						return
					}
					res.Body.Close()
					if res.StatusCode != http.StatusConflict {
						assert.Equal(t, http.StatusNoContent, res.StatusCode)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	assert.Equal(t, int32(ids), r.calls.Load())
}

func TestHandler_StoreFailureIs503AndSkipsTheFunc(t *testing.T) {
	store := newSignalStore()
	store.claimErr = errors.New("redis down")
	r := newRig(t, nil, &webhook.HandlerOptions{Store: store})
	code, answer := r.deliver("msg_s", bodyInvoicePaid)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, "try again\n", answer)
	assert.Zero(t, r.calls.Load())
}

func TestHandler_VerifiedButUnparseableBodyIs400(t *testing.T) {
	r := newRig(t, nil, nil)
	code, answer := r.deliver("msg_m", `not json`)
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "malformed event\n", answer)
	assert.Zero(t, r.calls.Load())
}

func TestHandler_UnknownEventTypeReachesTheFuncRaw(t *testing.T) {
	r := newRig(t, nil, nil)
	body := `{"eventType":"receive.teleport","accountId":"a"}`
	code, _ := r.deliver("msg_u", body)
	assert.Equal(t, http.StatusNoContent, code)
	require.Len(t, r.got, 1)
	raw, ok := r.got[0].Event.(*webhook.RawEvent)
	require.True(t, ok)
	assert.Equal(t, "receive.teleport", raw.Type())
}

func TestHandler_LogsNeverHoldSecretSignatureOrBody(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var fail atomic.Bool
	fail.Store(true)
	r := newRig(t, func(context.Context, webhook.Delivery) error {
		if fail.Load() {
			return errors.New("downstream failed")
		}
		return nil
	}, &webhook.HandlerOptions{Logger: logger, OldSecrets: []string{oldSecret}, MaxBodyBytes: 4096})

	h := signed(t, testSecret, "msg_log", bodyReceiveLightning)
	sig := strings.TrimPrefix(h.Get("svix-signature"), "v1,")
	r.post(h, strings.Replace(bodyReceiveLightning, "1000", "9000", 1)) // tampered
	r.post(signed(t, otherSecret, "msg_log", bodyReceiveLightning), bodyReceiveLightning)
	r.post(http.Header{}, bodyReceiveLightning)
	r.deliver("msg_log", `{"pad":"`+strings.Repeat("z", 5000)+`"}`)
	r.post(h, bodyReceiveLightning) // fails
	fail.Store(false)
	r.post(h, bodyReceiveLightning) // handled
	r.post(h, bodyReceiveLightning) // duplicate

	mu.Lock()
	out := buf.String()
	mu.Unlock()
	require.NotEmpty(t, out)
	assert.Contains(t, out, "msg_log")
	assert.Contains(t, out, "downstream failed")
	for _, secret := range []string{testSecret, oldSecret, otherSecret} {
		assert.NotContains(t, out, strings.TrimPrefix(secret, "whsec_"))
	}
	assert.NotContains(t, out, sig)
	assert.NotContains(t, out, pre64, "nothing of the body")
	assert.NotContains(t, out, "order 42")
	assert.NotContains(t, out, "zzzz")
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
