package blink

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuery_RetriedOn503And429AndResetConnection(t *testing.T) {
	faults := map[string]func(w http.ResponseWriter){
		"503":   func(w http.ResponseWriter) { writeJSON(w, 503, `busy`) },
		"502":   func(w http.ResponseWriter) { writeJSON(w, 502, `bad gateway`) },
		"429":   func(w http.ResponseWriter) { w.Header().Set("Retry-After", "1"); writeJSON(w, 429, `{}`) },
		"reset": dropConnection,
	}
	for name, fault := range faults {
		t.Run(name, func(t *testing.T) {
			srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
				if n <= 2 {
					fault(w)
					return
				}
				writeJSON(w, 200, meData)
			})
			c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
			me, err := c.Me(bg())
			require.NoError(t, err)
			assert.Equal(t, "u1", me.UserID)
			assert.EqualValues(t, 3, srv.count.Load())
		})
	}
}

func TestQuery_GivesUpAfterMaxAttempts(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, 503, `busy`) })
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead), WithRetryPolicy(RetryPolicy{MaxAttempts: 3, MinBackoff: time.Microsecond, MaxBackoff: time.Microsecond}))
	_, err := c.Me(bg())
	assert.ErrorIs(t, err, ErrServer)
	assert.True(t, IsTransient(err))
	assert.EqualValues(t, 3, srv.count.Load())
}

func TestRetryAfter_IsCapped(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1", WithRetryPolicy(RetryPolicy{MaxRetryAfter: 2 * time.Second}))
	resp := &http.Response{Header: http.Header{"Retry-After": []string{"3600"}}}
	assert.Equal(t, 2*time.Second, c.backoff(time.Millisecond, time.Second, 0, resp))
	resp.Header.Set("Retry-After", "1")
	assert.Equal(t, time.Second, c.backoff(time.Millisecond, time.Second, 0, resp))

	// Without Retry-After: exponential, within [d/2, d], never above the max.
	for attempt := 0; attempt < 30; attempt++ {
		d := c.backoff(100*time.Millisecond, time.Second, attempt, nil)
		assert.LessOrEqual(t, d, time.Second)
		assert.GreaterOrEqual(t, d, 50*time.Millisecond)
	}
}

func TestRetryAfter_AboveCapWaitsOnlyTheCap(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "3600")
			writeJSON(w, 429, `{}`)
			return
		}
		writeJSON(w, 200, meData)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead)) // MaxRetryAfter: 1ms
	_, err := c.Me(bg())                                  // would block for an hour if the cap were ignored
	require.NoError(t, err)
	assert.EqualValues(t, 2, srv.count.Load())
}

func TestRetry_CancelledContextStopsAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		cancel() // the caller gives up while the first attempt is answered
		writeJSON(w, 503, `busy`)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead), WithRetryPolicy(RetryPolicy{MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	done := make(chan error, 1)
	go func() { _, err := c.Me(ctx); done <- err }()
	err := <-done // would block for an hour if the backoff ignored the context
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 1, srv.count.Load())
}

// idempotentServer honours X-Idempotency-Key as the real API does: the
// first request with a key takes a lock and executes; any later one gets
// 409 and no replay.
type idempotentServer struct {
	mu         sync.Mutex
	locks      map[string]bool
	executions atomic.Int64
}

func (s *idempotentServer) admit(w http.ResponseWriter, r wireReq) bool {
	key := r.Header.Get("X-Idempotency-Key")
	if key == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks == nil {
		s.locks = map[string]bool{}
	}
	if s.locks[key] {
		writeJSON(w, 409, `{"error":"the idempotency key already exist"}`)
		return false
	}
	s.locks[key] = true
	return true
}

const sendOK = `{"data":{"intraLedgerPaymentSend":{"status":"SUCCESS","errors":[],"transaction":null}}}`

// sendDoc is a send as a user of the escape hatch would write it.
const sendDoc = `mutation Pay($input: IntraLedgerPaymentSendInput!) { intraLedgerPaymentSend(input: $input) { status errors { code message path } } }`

func rawSend(ctx context.Context, c *Client) error {
	var data map[string]any
	return c.GraphQL().MakeRequest(ctx, &graphql.Request{OpName: "Pay", Query: sendDoc, Variables: map[string]any{
		"input": map[string]any{"walletId": "11111111-1111-4111-8111-111111111111", "recipientWalletId": "22222222-2222-4222-8222-222222222222", "amount": 10},
	}}, &graphql.Response{Data: &data})
}

func TestSend_LostAnswerIsNeverExecutedTwiceAndIsOutcomeUnknown(t *testing.T) {
	idem := &idempotentServer{}
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if !idem.admit(w, r) {
			return
		}
		idem.executions.Add(1)
		if n == 1 {
			dropConnection(w) // executed, answer lost
			return
		}
		writeJSON(w, 200, sendOK)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeWrite))
	err := rawSend(bg(), c)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.ErrorIs(t, err, ErrIdempotencyConflict, "the retry's 409 proves the first attempt arrived")
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, "Pay", ou.Operation)
	assert.True(t, validIdempotencyKey(ou.IdempotencyKey))
	assert.EqualValues(t, 1, idem.executions.Load(), "executed exactly once")
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, ou.IdempotencyKey, reqs[0].Header.Get("X-Idempotency-Key"))
	assert.Equal(t, ou.IdempotencyKey, reqs[1].Header.Get("X-Idempotency-Key"), "the retry reuses the key")
}

func TestSend_ServerErrorsOnlyEndInOutcomeUnknown(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, 500, `oops`) })
	c := newTestClient(t, srv.URL, WithScopes(ScopeWrite))
	err := rawSend(bg(), c)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.ErrorIs(t, err, ErrServer)
	assert.False(t, IsTransient(err))
}

// failFirstDial fails the first connection attempt before anything is
// written, as a refused connection does.
type failFirstDial struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (f *failFirstDial) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(1) == 1 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return f.next.RoundTrip(r)
}

func TestSend_ConnectionFailedBeforeArrivalIsRetriedAndSucceeds(t *testing.T) {
	idem := &idempotentServer{}
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if !idem.admit(w, r) {
			return
		}
		idem.executions.Add(1)
		writeJSON(w, 200, sendOK)
	})
	hc := &http.Client{Transport: &failFirstDial{next: http.DefaultTransport}}
	c := newTestClient(t, srv.URL, WithScopes(ScopeWrite), WithHTTPClient(hc))
	require.NoError(t, rawSend(bg(), c))
	assert.EqualValues(t, 1, idem.executions.Load())
}

func TestSend_AllAttemptsFailingBeforeArrivalIsNotUnknown(t *testing.T) {
	hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	})}
	c := newTestClient(t, "http://127.0.0.1:1/graphql", WithScopes(ScopeWrite), WithHTTPClient(hc))
	err := rawSend(bg(), c)
	assert.ErrorIs(t, err, ErrTransport)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "nothing was written, so nothing can have been executed")
	assert.True(t, IsTransient(err))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSend_CallerIdempotencyKeyIsUsedAndValidated(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, 200, sendOK) })
	c := newTestClient(t, srv.URL, WithScopes(ScopeWrite))
	key := NewIdempotencyKey()
	require.NoError(t, rawSend(WithIdempotencyKey(bg(), key), c))
	assert.Equal(t, key, srv.requests()[0].Header.Get("X-Idempotency-Key"))

	err := rawSend(WithIdempotencyKey(bg(), "order-42"), c)
	assert.ErrorIs(t, err, ErrInvalidIdempotencyKey)
	assert.EqualValues(t, 1, srv.count.Load(), "a bad key is refused before sending")
}

func TestSend_ServerRefusesMalformedIdempotencyKey(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 400, `{"error":"invalid idempotency key"}`)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeWrite))
	err := rawSend(bg(), c)
	assert.ErrorIs(t, err, ErrInvalidIdempotencyKey)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
}

func TestReceiveMutation_IsRetriedWithoutIdempotencyKey(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if n == 1 {
			writeJSON(w, 503, `busy`)
			return
		}
		writeJSON(w, 200, `{"data":{"lnInvoiceCancel":{"success":true,"errors":[]}}}`)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeReceive))
	var data map[string]any
	err := c.GraphQL().MakeRequest(bg(), &graphql.Request{OpName: "Cancel",
		Query:     `mutation Cancel($input: LnInvoiceCancelInput!) { lnInvoiceCancel(input: $input) { success } }`,
		Variables: map[string]any{"input": map[string]any{}}}, &graphql.Response{Data: &data})
	require.NoError(t, err)
	assert.EqualValues(t, 2, srv.count.Load())
	assert.Empty(t, srv.requests()[0].Header.Get("X-Idempotency-Key"))
}

func TestSend_ContextEndingAfterTheRequestWasWrittenIsOutcomeUnknown(t *testing.T) {
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	arrived := make(chan struct{})
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		cancel() // the caller's deadline passes while the server executes
		<-arrived
		writeJSON(w, 200, sendOK)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeWrite))
	err := rawSend(ctx, c)
	close(arrived)
	require.ErrorIs(t, err, ErrOutcomeUnknown, "the request was written: it may have been executed")
	require.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 1, srv.count.Load())
}

func TestQuery_ContextEndingIsPlainCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	release := make(chan struct{})
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		cancel()
		<-release
		writeJSON(w, 200, meData)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	_, err := c.Me(ctx)
	close(release)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.False(t, IsTransient(err))
}
