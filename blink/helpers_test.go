package blink

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Test keys are built at run time so that nothing resembling a real key is
// committed.
var (
	testKey        = "blink_" + strings.Repeat("Ab3x", 16)
	testStagingKey = "galoy_staging_" + strings.Repeat("Zy9q", 16)
	testDevKey     = "galoy_dev_" + strings.Repeat("Qw7e", 16)
)

// wireReq is one request a wireServer saw.
type wireReq struct {
	Header    http.Header
	OpName    string
	Query     string
	Variables map[string]any
}

// wireServer is an httptest server whose answers a test scripts, for the
// wire-level tests (headers, status mapping, retries). Behaviour tests run
// against blinktest instead.
type wireServer struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []wireReq
	count  atomic.Int64
	handle func(w http.ResponseWriter, r wireReq, n int)
}

func newWireServer(t *testing.T, handle func(w http.ResponseWriter, r wireReq, n int)) *wireServer {
	t.Helper()
	s := &wireServer{handle: handle}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Query         string         `json:"query"`
			OperationName string         `json:"operationName"`
			Variables     map[string]any `json:"variables"`
		}
		_ = json.Unmarshal(body, &req)
		wr := wireReq{Header: r.Header.Clone(), OpName: req.OperationName, Query: req.Query, Variables: req.Variables}
		s.mu.Lock()
		s.reqs = append(s.reqs, wr)
		s.mu.Unlock()
		n := int(s.count.Add(1))
		s.handle(w, wr, n)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *wireServer) requests() []wireReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]wireReq(nil), s.reqs...)
}

// fastRetry keeps test retries quick without changing their logic.
var fastRetry = WithRetryPolicy(RetryPolicy{MaxAttempts: 4, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond, MaxRetryAfter: time.Millisecond})

func newTestClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	c, err := New(testKey, append([]Option{WithEndpoint(url), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("no hijacker")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

const meData = `{"data":{"me":{"__typename":"User","id":"u1","username":"alice","defaultAccount":{"id":"a1","level":"ONE","displayCurrency":"USD","defaultWallet":{"id":"11111111-1111-4111-8111-111111111111","currency":"BTC"}}}}}`

func bg() context.Context { return context.Background() }
