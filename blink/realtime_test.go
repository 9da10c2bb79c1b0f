package blink

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// noLeaks checks, after every other cleanup of the test has run, that no
// goroutine started during the test is left.
func noLeaks(t *testing.T) {
	t.Helper()
	opt := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, opt) })
}

// fastRealtime is a realtime configuration for tests.
var fastRealtime = realtimeConfig{
	grace:            200 * time.Millisecond,
	keepalive:        150 * time.Millisecond,
	initTimeout:      300 * time.Millisecond,
	minBackoff:       10 * time.Millisecond,
	maxBackoff:       50 * time.Millisecond,
	rateLimitBackoff: 400 * time.Millisecond,
	stableAfter:      time.Hour,
	writeTimeout:     time.Second,
}

// wsPeer is the server side of one connection of a wsTestServer.
type wsPeer struct {
	t    *testing.T
	conn *websocket.Conn
	ctx  context.Context
}

func (p *wsPeer) read() (wsMessage, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	_, b, err := p.conn.Read(ctx)
	if err != nil {
		return wsMessage{}, err
	}
	var m wsMessage
	err = json.Unmarshal(b, &m)
	return m, err
}

// readType reads until a message of the type arrives, answering pings.
func (p *wsPeer) readType(typ string) (wsMessage, error) {
	for {
		m, err := p.read()
		if err != nil || m.Type == typ {
			return m, err
		}
		if m.Type == "ping" {
			p.send(wsMessage{Type: "pong"})
		}
	}
}

func (p *wsPeer) send(m wsMessage) {
	b, _ := json.Marshal(m)
	_ = p.conn.Write(p.ctx, websocket.MessageText, b)
}

func (p *wsPeer) sendJSON(id, typ, payload string) {
	p.send(wsMessage{ID: id, Type: typ, Payload: json.RawMessage(payload)})
}

// ack reads connection_init, answers connection_ack and returns the init.
func (p *wsPeer) ack() (wsMessage, error) {
	m, err := p.read()
	if err != nil {
		return m, err
	}
	if m.Type != "connection_init" {
		return m, errors.New("first message is " + m.Type)
	}
	p.send(wsMessage{Type: "connection_ack"})
	return m, nil
}

// serveAnswering answers pings and lets every subscription go unanswered
// until the connection ends; it returns the subscribe messages seen.
func (p *wsPeer) serveAnswering(onSub func(m wsMessage)) {
	for {
		m, err := p.read()
		if err != nil {
			return
		}
		switch m.Type {
		case "ping":
			p.send(wsMessage{Type: "pong"})
		case "subscribe":
			if onSub != nil {
				onSub(m)
			}
		}
	}
}

// wsTestServer is a hand-written graphql-transport-ws server whose
// connections a test scripts, for what blinktest does not do (stalls,
// close codes, missing acks). n counts connections from 1.
type wsTestServer struct {
	*httptest.Server
	conns atomic.Int32
	wg    sync.WaitGroup
}

func newWSTestServer(t *testing.T, handle func(n int, p *wsPeer)) *wsTestServer {
	t.Helper()
	s := &wsTestServer{}
	ctx, cancel := context.WithCancel(context.Background())
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{wsSubprotocol}})
		if err != nil {
			return
		}
		s.wg.Add(1)
		defer s.wg.Done()
		defer conn.CloseNow()
		n := int(s.conns.Add(1))
		handle(n, &wsPeer{t: t, conn: conn, ctx: ctx})
	}))
	t.Cleanup(func() {
		cancel()
		s.CloseClientConnections()
		s.Close()
		s.wg.Wait()
	})
	return s
}

func (s *wsTestServer) wsURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/graphql" }

// newRTClient returns a client whose websocket goes to wsURL, with the
// fast realtime configuration (changed by tune), closed at the end.
func newRTClient(t *testing.T, key, wsURL string, tune func(*realtimeConfig)) *Client {
	t.Helper()
	c, err := New(key, WithEndpoint("http://127.0.0.1:1/graphql"), WithWebSocketURL(wsURL))
	require.NoError(t, err)
	cfg := fastRealtime
	if tune != nil {
		tune(&cfg)
	}
	c.rt.cfg = cfg
	t.Cleanup(func() { c.Close() })
	return c
}

// nextOf waits for the next event of a kind, skipping others.
func nextOf(t *testing.T, s *rtSub, kind rtKind, within time.Duration) rtEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		ev, err := s.next(ctx)
		require.NoError(t, err, "no event of kind %d within %s", kind, within)
		if ev.kind == kind {
			return ev
		}
		require.NotEqual(t, rtEnd, ev.kind, "the subscription ended: %v", ev.err)
	}
}

// runEnded waits until the client's connection manager has stopped (its
// run goroutine returned: no subscription is left and nothing dials any
// more), so that counting connections afterwards shows every dial there
// was. A manager that keeps reconnecting never gets there.
func runEnded(t *testing.T, c *Client) {
	t.Helper()
	c.rt.mu.Lock()
	m := c.rt.m
	c.rt.mu.Unlock()
	require.NotNil(t, m)
	require.Eventually(t, func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return !m.running
	}, 10*time.Second, time.Millisecond, "the connection manager did not stop")
}

func testSub(t *testing.T, c *Client) *rtSub {
	t.Helper()
	s, err := c.subscribe("Test", "Test", "subscription Test { realtimePrice(input: {}) { errors { message } } }", nil)
	require.NoError(t, err)
	return s
}

func TestRealtime_ConnectionInitCarriesTheKeyExactly(t *testing.T) {
	noLeaks(t)
	inits := make(chan wsMessage, 2)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		m, err := p.ack()
		if err == nil {
			inits <- m
		}
		p.serveAnswering(nil)
	})

	c := newRTClient(t, testKey, srv.wsURL(), nil)
	s := testSub(t, c)
	init := <-inits
	var payload map[string]any
	require.NoError(t, json.Unmarshal(init.Payload, &payload))
	assert.Equal(t, map[string]any{"X-API-KEY": testKey}, payload)
	s.stop()

	anon := newRTClient(t, "", srv.wsURL(), nil)
	s = testSub(t, anon)
	init = <-inits
	assert.Empty(t, init.Payload, "a client without a key sends connection_init without a payload")
	s.stop()
}

func TestRealtime_SubscriptionsShareOneConnectionWithUniqueIDs(t *testing.T) {
	noLeaks(t)
	ids := make(chan string, 10)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		p.serveAnswering(func(m wsMessage) {
			ids <- m.ID
			p.sendJSON(m.ID, "next", `{"data":{"n":1}}`)
		})
	})
	c := newRTClient(t, "", srv.wsURL(), nil)
	var subs []*rtSub
	for range 5 {
		subs = append(subs, testSub(t, c))
	}
	seen := map[string]bool{}
	for range 5 {
		id := <-ids
		assert.False(t, seen[id], "id %s used twice", id)
		seen[id] = true
	}
	for _, s := range subs {
		ev := nextOf(t, s, rtNext, 2*time.Second)
		assert.JSONEq(t, `{"data":{"n":1}}`, string(ev.payload))
	}
	assert.EqualValues(t, 1, srv.conns.Load(), "all subscriptions share one connection")
	for _, s := range subs {
		s.stop()
	}
}

func TestRealtime_ConnectionClosesAGracePeriodAfterTheLastSubscription(t *testing.T) {
	noLeaks(t)
	closed := make(chan time.Time, 1)
	completes := make(chan string, 1)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		for {
			m, err := p.read()
			if err != nil {
				closed <- time.Now()
				return
			}
			if m.Type == "complete" {
				completes <- m.ID
			}
			if m.Type == "ping" {
				p.send(wsMessage{Type: "pong"})
			}
		}
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.grace = 300 * time.Millisecond })
	s := testSub(t, c)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	stopped := time.Now()
	s.stop()
	assert.Equal(t, "1", <-completes, "stop sends complete for the subscription's id")
	select {
	case at := <-closed:
		assert.GreaterOrEqual(t, at.Sub(stopped), 250*time.Millisecond, "closed before the grace period")
	case <-time.After(3 * time.Second):
		t.Fatal("the idle connection was not closed after the grace period")
	}

	// A new subscription after that opens a new connection.
	s = testSub(t, c)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	assert.EqualValues(t, 2, srv.conns.Load())
	s.stop()
}

func TestRealtime_NewSubscriptionWithinGraceReusesTheConnection(t *testing.T) {
	noLeaks(t)
	completes := make(chan string, 1)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		for {
			m, err := p.read()
			if err != nil {
				return
			}
			switch m.Type {
			case "ping":
				p.send(wsMessage{Type: "pong"})
			case "complete":
				completes <- m.ID
			}
		}
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.grace = time.Hour })
	s := testSub(t, c)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	s.stop()
	select {
	case id := <-completes: // the connection has no subscription left
		assert.Equal(t, "1", id)
	case <-time.After(5 * time.Second):
		t.Fatal("stop sent no complete")
	}
	s = testSub(t, c)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	assert.EqualValues(t, 1, srv.conns.Load())
	s.stop()
}

func TestRealtime_AnswersServerPingsOfBothKinds(t *testing.T) {
	noLeaks(t)
	result := make(chan error, 2)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			result <- err
			return
		}
		// Let the client's reader be the only reader: ping frames are
		// answered by coder/websocket on the client while it reads.
		go func() {
			ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
			defer cancel()
			result <- p.conn.Ping(ctx)
		}()
		p.send(wsMessage{Type: "ping"})
		_, err := p.readType("pong")
		result <- err
		p.serveAnswering(nil)
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.keepalive = time.Hour })
	s := testSub(t, c)
	require.NoError(t, <-result)
	require.NoError(t, <-result)
	s.stop()
}

func TestRealtime_KeepaliveNoticesASilentConnectionWithinTwoIntervals(t *testing.T) {
	noLeaks(t)
	stalledAt := make(chan time.Time, 1)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		if n == 1 {
			// Stall: read (so TCP stays open) but never answer anything.
			stalledAt <- time.Now()
			for {
				if _, err := p.read(); err != nil {
					return
				}
			}
		}
		p.serveAnswering(nil)
	})
	const interval = 150 * time.Millisecond
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.keepalive = interval })
	s := testSub(t, c)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	at := <-stalledAt
	nextOf(t, s, rtDown, 2*time.Second)
	assert.Less(t, time.Since(at), 2*interval+100*time.Millisecond, "the silent connection took too long to notice")
	ev := nextOf(t, s, rtSubscribed, 2*time.Second)
	assert.True(t, ev.reconnect)
	assert.EqualValues(t, 2, srv.conns.Load())
	s.stop()
}

func TestRealtime_ClientPingsKeepAQuietHealthyConnection(t *testing.T) {
	noLeaks(t)
	// The first connection answers every ping and reports the ping
	// count; a connection the keepalive dropped would send no more.
	const wantPings = 6
	pinged := make(chan struct{})
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		pings := 0
		for {
			m, err := p.read()
			if err != nil {
				return
			}
			if m.Type == "ping" {
				p.send(wsMessage{Type: "pong"})
				if pings++; n == 1 && pings == wantPings {
					close(pinged)
				}
			}
		}
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.keepalive = 100 * time.Millisecond })
	s := testSub(t, c)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	select {
	case <-pinged:
		// Each ping after the first went out only after the keepalive
		// found the pong of the one before.
	case <-time.After(10 * time.Second):
		t.Fatalf("the first connection did not see %d pings (%d connections)", wantPings, srv.conns.Load())
	}
	assert.EqualValues(t, 1, srv.conns.Load(), "a connection that answers pongs is kept")
	_, down := s.poll()
	assert.False(t, down, "no event after the subscribe: the connection never went down")
	s.stop()
}

func TestRealtime_MissingAckTimesOutAndReconnects(t *testing.T) {
	noLeaks(t)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if n == 1 {
			_, _ = p.read() // connection_init, never acknowledged
			<-p.ctx.Done()
			return
		}
		if _, err := p.ack(); err == nil {
			p.serveAnswering(nil)
		}
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.initTimeout = 200 * time.Millisecond })
	s := testSub(t, c)
	nextOf(t, s, rtDown, 2*time.Second)
	ev := nextOf(t, s, rtSubscribed, 2*time.Second)
	assert.False(t, ev.reconnect, "the first subscribe is not a reconnect")
	assert.EqualValues(t, 2, srv.conns.Load())
	s.stop()
}

func TestRealtime_ServerErrorAndCompleteEndTheSubscription(t *testing.T) {
	noLeaks(t)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		k := 0
		p.serveAnswering(func(m wsMessage) {
			k++
			if k == 1 {
				p.sendJSON(m.ID, "error", `[{"message":"Only subscription operations are supported"}]`)
			} else {
				p.sendJSON(m.ID, "complete", ``)
			}
		})
	})
	c := newRTClient(t, "", srv.wsURL(), nil)
	s1 := testSub(t, c)
	ev := nextOf(t, s1, rtEnd, 2*time.Second)
	require.Error(t, ev.err)
	assert.Contains(t, ev.err.Error(), "Only subscription operations are supported")
	s2 := testSub(t, c)
	ev = nextOf(t, s2, rtEnd, 2*time.Second)
	assert.NoError(t, ev.err)
}

func TestRealtime_CloseEndsEverySubscriptionAndGoroutine(t *testing.T) {
	noLeaks(t)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err == nil {
			p.serveAnswering(nil)
		}
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.grace = time.Hour })
	var subs []*rtSub
	for range 3 {
		subs = append(subs, testSub(t, c))
	}
	nextOf(t, subs[0], rtSubscribed, 2*time.Second)
	done := make(chan struct{})
	go func() { c.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not return")
	}
	for _, s := range subs {
		ev := nextOf(t, s, rtEnd, time.Second)
		assert.ErrorIs(t, ev.err, ErrClientClosed)
	}
	_, err := c.subscribe("Test", "Test", "subscription { x }", nil)
	assert.ErrorIs(t, err, ErrClientClosed)
}

func TestRealtime_CloseWhileDialingAStalledServerReturnsAtOnce(t *testing.T) {
	noLeaks(t)
	accepted := make(chan struct{}, 1)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		accepted <- struct{}{}
		<-p.ctx.Done()
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.initTimeout = time.Hour })
	testSub(t, c)
	select {
	case <-accepted: // the client now waits for an ack that never comes
	case <-time.After(5 * time.Second):
		t.Fatal("the client did not connect")
	}
	start := time.Now()
	c.Close()
	assert.Less(t, time.Since(start), time.Second)
}

func TestRealtime_ReconnectResubscribesEveryLiveSubscription(t *testing.T) {
	noLeaks(t)
	seen := make(chan [2]string, 20) // connection, query
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		k := 0
		p.serveAnswering(func(m wsMessage) {
			var pl struct{ Query string }
			_ = json.Unmarshal(m.Payload, &pl)
			seen <- [2]string{strconv.Itoa(n), pl.Query}
			k++
			if n == 1 && k == 3 {
				p.conn.CloseNow() // a network failure
			}
		})
	})
	c := newRTClient(t, "", srv.wsURL(), nil)
	var subs []*rtSub
	for i := range 3 {
		s, err := c.subscribe("Test", "Test", "subscription S"+strconv.Itoa(i)+" { x }", nil)
		require.NoError(t, err)
		subs = append(subs, s)
	}
	byConn := map[string][]string{}
	for range 6 {
		select {
		case x := <-seen:
			byConn[x[0]] = append(byConn[x[0]], x[1])
		case <-time.After(3 * time.Second):
			t.Fatalf("subscriptions seen: %v", byConn)
		}
	}
	assert.ElementsMatch(t, byConn["1"], byConn["2"], "every live subscription is re-sent on the new connection")
	for _, s := range subs {
		nextOf(t, s, rtDown, time.Second)
		ev := nextOf(t, s, rtSubscribed, time.Second)
		assert.True(t, ev.reconnect, "the consumer hears the resubscription as a reconnect")
		s.stop()
	}
}

// closeWith is a server that acknowledges, waits for a subscribe, then
// closes with code on its first connection and serves later ones.
func closeWith(t *testing.T, code websocket.StatusCode) *wsTestServer {
	return newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		if n == 1 {
			if _, err := p.readType("subscribe"); err == nil {
				p.conn.Close(code, closeText(code))
			}
			return
		}
		p.serveAnswering(nil)
	})
}

func TestRealtime_Close4401And4403EndWithAnAuthErrorAndNoReconnect(t *testing.T) {
	for _, tc := range []struct {
		code websocket.StatusCode
		key  string
		want error
	}{
		{4401, testKey, ErrInvalidAPIKey},
		{4403, testKey, ErrInvalidAPIKey},
		{4401, "", ErrNotAuthenticated},
	} {
		t.Run(strconv.Itoa(int(tc.code))+"/key="+strconv.FormatBool(tc.key != ""), func(t *testing.T) {
			noLeaks(t)
			srv := closeWith(t, tc.code)
			c := newRTClient(t, tc.key, srv.wsURL(), nil)
			s := testSub(t, c)
			ev := nextOf(t, s, rtEnd, 2*time.Second)
			var e *Error
			require.ErrorAs(t, ev.err, &e)
			assert.ErrorIs(t, ev.err, tc.want)
			assert.ErrorIs(t, ev.err, ErrNotAuthenticated)
			assert.False(t, IsTransient(ev.err))
			assert.NotContains(t, ev.err.Error(), testKey)
			runEnded(t, c)
			assert.EqualValues(t, 1, srv.conns.Load(), "no reconnect after an auth close")
		})
	}
}

func TestRealtime_ProtocolErrorClosesEndTheSubscription(t *testing.T) {
	for _, code := range []websocket.StatusCode{4400, 4406, 4409} {
		t.Run(strconv.Itoa(int(code)), func(t *testing.T) {
			noLeaks(t)
			srv := closeWith(t, code)
			c := newRTClient(t, "", srv.wsURL(), nil)
			s := testSub(t, c)
			ev := nextOf(t, s, rtEnd, 2*time.Second)
			assert.ErrorIs(t, ev.err, ErrBadRequest)
			assert.Contains(t, ev.err.Error(), strconv.Itoa(int(code)))
			runEnded(t, c)
			assert.EqualValues(t, 1, srv.conns.Load(), "no reconnect after a protocol error")
		})
	}
}

func TestRealtime_InitTimeoutInternalErrorAndNetworkFailuresReconnect(t *testing.T) {
	for _, code := range []websocket.StatusCode{4408, 4500, websocket.StatusGoingAway} {
		t.Run(strconv.Itoa(int(code)), func(t *testing.T) {
			noLeaks(t)
			srv := closeWith(t, code)
			c := newRTClient(t, "", srv.wsURL(), nil)
			s := testSub(t, c)
			nextOf(t, s, rtDown, 2*time.Second)
			ev := nextOf(t, s, rtSubscribed, 2*time.Second)
			assert.True(t, ev.reconnect)
			s.stop()
		})
	}
}

func TestRealtime_Close4429BacksOffLonger(t *testing.T) {
	noLeaks(t)
	var at [3]time.Time
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if n <= 3 {
			at[n-1] = time.Now()
		}
		if _, err := p.ack(); err != nil {
			return
		}
		if n == 1 {
			// After the subscribe has arrived, so that the client hears
			// the close code rather than a failed write.
			if _, err := p.readType("subscribe"); err == nil {
				p.conn.Close(4429, "too many initialisation requests")
			}
			return
		}
		p.serveAnswering(nil)
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.rateLimitBackoff = 400 * time.Millisecond })
	s := testSub(t, c)
	nextOf(t, s, rtDown, 2*time.Second)
	nextOf(t, s, rtSubscribed, 3*time.Second)
	assert.GreaterOrEqual(t, at[1].Sub(at[0]), 200*time.Millisecond, "a 4429 waits at least half the rate-limit backoff")
	s.stop()
}

func TestRealtime_BackoffDoublesWithJitterUpToTheCap(t *testing.T) {
	rt := &realtime{cfg: realtimeConfig{minBackoff: 100 * time.Millisecond, maxBackoff: time.Second, rateLimitBackoff: 5 * time.Second}.withDefaults()}
	for attempt, step := range []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} {
		step *= time.Millisecond
		for range 50 {
			d := rt.backoff(attempt, errors.New("network"))
			assert.GreaterOrEqual(t, d, step/2, "attempt %d", attempt)
			assert.LessOrEqual(t, d, step, "attempt %d", attempt)
		}
	}
	d := rt.backoff(0, websocket.CloseError{Code: 4429})
	assert.GreaterOrEqual(t, d, 2500*time.Millisecond)
	assert.GreaterOrEqual(t, rt.backoff(100, errors.New("x")), 500*time.Millisecond, "no overflow")
}

func TestRealtime_NotAuthenticatedResultIsATypedError(t *testing.T) {
	payload := json.RawMessage(`{"data":null,"errors":[{"message":"Not Authenticated for subscription","extensions":{"code":"NOT_AUTHENTICATED"}}]}`)
	err := decodeNext("MyUpdates", payload, &struct{}{}, true)
	assert.ErrorIs(t, err, ErrInvalidAPIKey)
	assert.ErrorIs(t, err, ErrNotAuthenticated)
	// The router drops the code: the message alone must do.
	err = decodeNext("MyUpdates", json.RawMessage(`{"errors":[{"message":"Not Authenticated for subscription"}]}`), &struct{}{}, false)
	assert.ErrorIs(t, err, ErrNotAuthenticated)
	assert.NotErrorIs(t, err, ErrInvalidAPIKey)
}

func TestRealtime_HandshakeRefusedWith401EndsWithoutReconnect(t *testing.T) {
	noLeaks(t)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	}))
	defer srv.Close()
	c := newRTClient(t, testKey, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", nil)
	s := testSub(t, c)
	ev := nextOf(t, s, rtEnd, 2*time.Second)
	assert.ErrorIs(t, ev.err, ErrInvalidAPIKey)
	runEnded(t, c)
	assert.EqualValues(t, 1, n.Load(), "no reconnect after a 401 on the handshake")
}

// A consumer that falls maxQueuedEvents results behind loses the
// subscription's results, not memory: the subscription is completed on
// the server and told rtDown, and once the consumer has drained its queue
// it is re-sent on the same connection with rtSubscribed and reconnect
// set (so a stream looks the state up as after any reconnect). Another
// subscription on the connection is not disturbed.
func TestRealtime_OverflowDropsTheSubscriptionAndResubscribesOnceDrained(t *testing.T) {
	noLeaks(t)
	completed := make(chan string, 1)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		first, err := p.readType("subscribe")
		if err != nil {
			return
		}
		for i := range maxQueuedEvents + 10 {
			p.sendJSON(first.ID, "next", `{"data":{"n":`+strconv.Itoa(i)+`}}`)
		}
		for {
			m, err := p.read()
			if err != nil {
				return
			}
			switch m.Type {
			case "ping":
				p.send(wsMessage{Type: "pong"})
			case "complete":
				completed <- m.ID
			case "subscribe":
				p.sendJSON(m.ID, "next", `{"data":{"fresh":true}}`)
			}
		}
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.keepalive = time.Hour })
	s := testSub(t, c)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	firstID := func() string { c.rt.m.mu.Lock(); defer c.rt.m.mu.Unlock(); return s.id }()
	select {
	case id := <-completed:
		assert.Equal(t, firstID, id, "the overflowed subscription is completed on the server")
	case <-time.After(5 * time.Second):
		t.Fatal("the overflowed subscription was not completed on the server")
	}
	s.qmu.Lock()
	queued := len(s.queue)
	s.qmu.Unlock()
	assert.LessOrEqual(t, queued, maxQueuedEvents+1, "the queue is bounded")
	// Drain: the results kept, then rtDown, then the resubscription.
	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	nexts := 0
	for {
		ev, err := s.next(ctx)
		require.NoError(t, err)
		if ev.kind == rtDown {
			break
		}
		require.Equal(t, rtNext, ev.kind)
		nexts++
	}
	assert.Equal(t, maxQueuedEvents, nexts)
	ev := nextOf(t, s, rtSubscribed, 2*time.Second)
	assert.True(t, ev.reconnect, "the resubscription says the state must be looked up")
	ev = nextOf(t, s, rtNext, 2*time.Second)
	assert.JSONEq(t, `{"data":{"fresh":true}}`, string(ev.payload))
	assert.Equal(t, int32(1), srv.conns.Load(), "the connection was kept")
	s.stop()
}

func TestRealtime_CloseReasonIsClippedAtARuneBoundary(t *testing.T) {
	assert.Equal(t, "short", clip("short", 8))
	assert.Equal(t, "abcdefg...", clip("abcdefgé and more", 8)) // é is 2 bytes, at 7-8
	assert.Equal(t, "abcdefgh...", clip("abcdefghi", 8))
}

// Close ends a PollOnly wait that starts after it at once.
func TestWaitForInvoice_AfterCloseReturnsErrClientClosed(t *testing.T) {
	noLeaks(t)
	c, err := New("", WithEndpoint("http://127.0.0.1:1/graphql"))
	require.NoError(t, err)
	c.Close()
	_, err = c.WaitForInvoice(bg(), strings.Repeat("ab", 32), &WaitInvoiceOptions{PollOnly: true})
	assert.ErrorIs(t, err, ErrClientClosed)
}
