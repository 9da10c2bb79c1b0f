package blink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// The realtime connection: one graphql-transport-ws websocket per Client,
// shared by all its subscriptions.
//
// The protocol is written here by hand on github.com/coder/websocket
// rather than taken from genqlient's websocket client: that client does
// not answer the server's pings (the server drops a connection that does
// not answer within 12 s) and has no reconnect. Only genqlient's
// documents and response types are used (internal/gen).
//
// One goroutine (run) owns the connection's life: it dials when the first
// subscription starts, sends connection_init and waits for the ack,
// (re)sends every live subscription, and after a failure waits out a
// backoff and starts again. Each connection has a reader goroutine that
// always runs (coder/websocket answers ping frames only while a Read is
// in progress) and a keepalive goroutine that sends protocol pings and
// kills a connection on which nothing arrived for a whole interval after
// one. When the last subscription ends the connection stays open for a
// grace period, then closes and every goroutine ends. Client.Close ends
// everything at once.

// wsSubprotocol is the only subprotocol the server accepts (another is
// closed with 4406).
const wsSubprotocol = "graphql-transport-ws"

// ErrClientClosed: the Client was closed (Client.Close); its
// subscriptions have ended and no new one starts.
var ErrClientClosed = errors.New("blink: client closed")

// realtimeConfig tunes the connection manager. Zero fields take the
// defaults; tests shorten them.
type realtimeConfig struct {
	// grace is how long the connection stays open after the last
	// subscription ends (30 s).
	grace time.Duration
	// keepalive is the protocol ping interval (10 s): a connection on
	// which nothing arrives for an interval after a ping is dropped, so a
	// silent, half-open one is noticed within two intervals.
	keepalive time.Duration
	// initTimeout bounds the dial and the wait for connection_ack (10 s).
	initTimeout time.Duration
	// minBackoff and maxBackoff bound the wait between connection
	// attempts (500 ms doubling, with jitter, up to 30 s).
	minBackoff, maxBackoff time.Duration
	// rateLimitBackoff is the least wait after a 4429 or an HTTP 429 on
	// the handshake (15 s).
	rateLimitBackoff time.Duration
	// stableAfter: a connection that lived this long resets the backoff
	// (20 s), so a server that accepts and drops at once is not hammered.
	stableAfter time.Duration
	// writeTimeout bounds one message write (10 s).
	writeTimeout time.Duration
}

func (c realtimeConfig) withDefaults() realtimeConfig {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.grace, 30*time.Second)
	def(&c.keepalive, 10*time.Second)
	def(&c.initTimeout, 10*time.Second)
	def(&c.minBackoff, 500*time.Millisecond)
	def(&c.maxBackoff, 30*time.Second)
	def(&c.rateLimitBackoff, 15*time.Second)
	def(&c.stableAfter, 20*time.Second)
	def(&c.writeTimeout, 10*time.Second)
	if c.maxBackoff < c.minBackoff {
		c.maxBackoff = c.minBackoff
	}
	return c
}

// realtimeHolder is the Client's field: the manager, made on first use.
type realtimeHolder struct {
	mu     sync.Mutex
	cfg    realtimeConfig
	m      *realtime
	closed bool
	done   chan struct{} // closed by Client.Close; made on first use
}

// closedChan returns a channel closed once the client is closed
// (Client.Close): what a wait that has no live subscription selects on.
func (c *Client) closedChan() <-chan struct{} {
	h := &c.rt
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done == nil {
		h.done = make(chan struct{})
		if h.closed {
			close(h.done)
		}
	}
	return h.done
}

// realtime returns the client's connection manager, creating it.
func (c *Client) realtime() (*realtime, error) {
	h := &c.rt
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClientClosed
	}
	if h.m == nil {
		ctx, cancel := context.WithCancel(context.Background())
		h.m = &realtime{c: c, cfg: h.cfg.withDefaults(), subs: map[*rtSub]struct{}{},
			wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
	}
	return h.m, nil
}

// Close ends the client's realtime connection: every subscription ends
// with an error matching ErrClientClosed, WaitForInvoice calls return it,
// and Close returns once the websocket's goroutines have ended. It also
// closes idle HTTP connections. Later subscriptions fail with
// ErrClientClosed; the HTTP methods keep working. Close always returns
// nil, and is safe to call more than once and from any goroutine.
func (c *Client) Close() error {
	h := &c.rt
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		if h.done != nil {
			close(h.done)
		}
	}
	m := h.m
	h.mu.Unlock()
	if m != nil {
		m.close()
	}
	c.hc.CloseIdleConnections()
	return nil
}

// realtime is the connection manager of one Client.
type realtime struct {
	c      *Client
	cfg    realtimeConfig
	ctx    context.Context // ends at Close
	cancel context.CancelFunc

	mu      sync.Mutex
	subs    map[*rtSub]struct{} // live subscriptions
	sess    *rtSession          // the acknowledged connection, or nil
	running bool                // run is running
	closed  bool
	failing bool // the last connection attempt failed: new subscriptions hear rtDown at once
	wake    chan struct{}
	wg      sync.WaitGroup

	connects atomic.Int64 // connections acknowledged, for tests
}

// rtKind is what happened to a subscription.
type rtKind int

const (
	// rtSubscribed: the subscribe message is going out on a new
	// connection; reconnect says it is not the first one. The server does
	// not replay what it sent meanwhile: look the state up over HTTP.
	rtSubscribed rtKind = iota
	// rtNext: a result (payload is the execution result).
	rtNext
	// rtDown: the connection is lost; the subscription will be re-sent.
	rtDown
	// rtEnd: the subscription ended; err says why (nil: the server
	// completed it, or the consumer stopped it). Nothing follows.
	rtEnd
)

type rtEvent struct {
	kind      rtKind
	reconnect bool
	payload   json.RawMessage
	err       error
}

// The bound of one subscription's queue of results: the reader never
// waits for a consumer, and a consumer that falls this far behind (a
// flooding server, a stalled loop) loses the subscription's results, not
// memory. See rtSub.offer.
const (
	maxQueuedEvents = 1024
	maxQueuedBytes  = 8 << 20
)

// rtSub is one subscription. Its events queue up so the reader never
// waits for a consumer; the streams built on it see a few events a minute
// at most. The results queued are bounded (maxQueuedEvents,
// maxQueuedBytes): on overflow the subscription is dropped on the server
// (complete), told rtDown, and re-sent once the consumer has drained its
// queue, with rtSubscribed and reconnect set, exactly as after a lost
// connection: what the server sent meanwhile is lost, and the streams
// look the state up over HTTP as after any reconnect.
type rtSub struct {
	rt    *realtime
	op    string // the Go method, for errors
	gqlOp string // the GraphQL operation name
	query string
	vars  map[string]any

	// guarded by rt.mu
	sess           *rtSession
	id             string
	ended          bool
	everSubscribed bool
	down           bool // rtDown sent since the last rtSubscribed
	// overflowed: results were dropped (the queue was full) and the
	// subscription taken off its connection; written under rt.mu, re-sent
	// by resume once the queue is drained.
	overflowed atomic.Bool

	qmu    sync.Mutex
	queue  []rtEvent
	qbytes int // payload bytes queued
	notify chan struct{}
}

// offer queues a result unless the queue is full (maxQueuedEvents or
// maxQueuedBytes); it reports whether it did.
func (s *rtSub) offer(payload json.RawMessage) bool {
	s.qmu.Lock()
	if len(s.queue) >= maxQueuedEvents || s.qbytes+len(payload) > maxQueuedBytes {
		s.qmu.Unlock()
		return false
	}
	s.queue = append(s.queue, rtEvent{kind: rtNext, payload: payload})
	s.qbytes += len(payload)
	s.qmu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
	return true
}

// take pops the first queued event; s.qmu is held. drained says the
// queue is now empty.
func (s *rtSub) take() (ev rtEvent, drained bool) {
	ev = s.queue[0]
	s.queue[0] = rtEvent{}
	s.queue = s.queue[1:]
	s.qbytes -= len(ev.payload)
	return ev, len(s.queue) == 0
}

// push queues an event for the consumer.
func (s *rtSub) push(ev rtEvent) {
	s.qmu.Lock()
	s.queue = append(s.queue, ev)
	s.qmu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// next returns the next event, waiting for one until ctx ends.
func (s *rtSub) next(ctx context.Context) (rtEvent, error) {
	for {
		s.qmu.Lock()
		if len(s.queue) > 0 {
			ev, drained := s.take()
			s.qmu.Unlock()
			if drained && s.overflowed.Load() {
				s.resume()
			}
			return ev, nil
		}
		s.qmu.Unlock()
		select {
		case <-s.notify:
		case <-ctx.Done():
			return rtEvent{}, ctx.Err()
		}
	}
}

// ready returns a channel that receives when an event may be queued.
func (s *rtSub) ready() <-chan struct{} { return s.notify }

// poll returns a queued event without waiting.
func (s *rtSub) poll() (rtEvent, bool) {
	s.qmu.Lock()
	if len(s.queue) == 0 {
		s.qmu.Unlock()
		return rtEvent{}, false
	}
	ev, drained := s.take()
	s.qmu.Unlock()
	if drained && s.overflowed.Load() {
		s.resume()
	}
	return ev, true
}

// overflowLocked takes a subscription whose queue is full off its
// connection and tells it rtDown; rt.mu is held. It returns the id to
// complete on sess.
func (rt *realtime) overflowLocked(sub *rtSub) (sess *rtSession, id string) {
	sess, id = sub.sess, sub.id
	if sess != nil {
		delete(sess.byID, id)
		sub.sess, sub.id = nil, ""
	}
	sub.overflowed.Store(true)
	if !sub.down {
		sub.down = true
		sub.push(rtEvent{kind: rtDown})
	}
	return sess, id
}

// resume re-sends a subscription taken off its connection by an overflow,
// once its consumer has drained the queue. Without a connection now, the
// next one re-sends it with the others.
func (s *rtSub) resume() {
	rt := s.rt
	rt.mu.Lock()
	if !s.overflowed.Load() {
		rt.mu.Unlock()
		return
	}
	s.overflowed.Store(false)
	sess := rt.sess
	if s.ended || s.sess != nil || sess == nil {
		rt.mu.Unlock()
		return
	}
	id := sess.assign(s)
	rt.mu.Unlock()
	sess.sendSubscribe(id, s)
}

// subscribe starts a subscription on the client's connection, opening it
// when needed. The subscription lives until stop, the server ends it, or
// the client closes.
func (c *Client) subscribe(op, gqlOp, query string, vars map[string]any) (*rtSub, error) {
	rt, err := c.realtime()
	if err != nil {
		return nil, &Error{Operation: op, Message: "the client is closed", sentinel: ErrClientClosed}
	}
	sub := &rtSub{rt: rt, op: op, gqlOp: gqlOp, query: query, vars: vars, notify: make(chan struct{}, 1)}
	rt.mu.Lock()
	if rt.closed {
		rt.mu.Unlock()
		return nil, &Error{Operation: op, Message: "the client is closed", sentinel: ErrClientClosed}
	}
	rt.subs[sub] = struct{}{}
	sess := rt.sess
	var id string
	if sess != nil {
		id = sess.assign(sub)
	} else if rt.failing {
		sub.down = true
		sub.push(rtEvent{kind: rtDown})
	}
	start := !rt.running
	if start {
		rt.running = true
		rt.wg.Add(1)
	}
	rt.mu.Unlock()
	if start {
		go rt.run()
	}
	rt.kick()
	if sess != nil {
		sess.sendSubscribe(id, sub)
	}
	return sub, nil
}

// stop ends the subscription from the consumer's side, telling the
// server (complete) when it is subscribed.
func (s *rtSub) stop() {
	rt := s.rt
	rt.mu.Lock()
	if s.ended {
		rt.mu.Unlock()
		return
	}
	sess, id := s.sess, s.id
	rt.endLocked(s, nil)
	rt.mu.Unlock()
	if sess != nil {
		// Best effort and short: the consumer is returning, and a
		// connection that cannot take it is dropped anyway.
		sess.subMu.Lock()
		ctx, cancel := context.WithTimeout(rt.ctx, min(rt.cfg.writeTimeout, time.Second))
		_ = sess.writeCtx(ctx, wsMessage{ID: id, Type: "complete"})
		cancel()
		sess.subMu.Unlock()
	}
}

// endLocked ends a subscription; rt.mu is held.
func (rt *realtime) endLocked(s *rtSub, err error) {
	if s.ended {
		return
	}
	s.ended = true
	delete(rt.subs, s)
	if s.sess != nil {
		delete(s.sess.byID, s.id)
		s.sess, s.id = nil, ""
	}
	s.push(rtEvent{kind: rtEnd, err: err})
	rt.kick()
}

// kick wakes run (a subscription started or ended).
func (rt *realtime) kick() {
	select {
	case rt.wake <- struct{}{}:
	default:
	}
}

// close ends every subscription and waits for every goroutine.
func (rt *realtime) close() {
	rt.mu.Lock()
	if !rt.closed {
		rt.closed = true
		for s := range rt.subs {
			rt.endLocked(s, &Error{Operation: s.op, Message: "the client was closed", sentinel: ErrClientClosed})
		}
		rt.cancel()
	}
	rt.mu.Unlock()
	rt.wg.Wait()
}

// run owns the connection while there are subscriptions.
func (rt *realtime) run() {
	defer rt.wg.Done()
	attempt := 0
	for {
		rt.mu.Lock()
		if rt.closed || len(rt.subs) == 0 {
			rt.running = false
			rt.mu.Unlock()
			return
		}
		rt.mu.Unlock()
		began := time.Now()
		s, err := rt.connect()
		if err == nil {
			if err = rt.serve(s); err == nil {
				return
			}
			if time.Since(began) >= rt.cfg.stableAfter {
				attempt = 0
			}
		}
		err = rt.clean(err)
		if rt.ctx.Err() != nil {
			continue // closed: the top of the loop returns
		}
		if mk := rt.terminal(err); mk != nil {
			rt.c.log.Debug("blink: websocket refused for good", "error", rt.c.logText(err))
			rt.mu.Lock()
			for sub := range rt.subs {
				rt.endLocked(sub, rt.c.scrub(mk(sub.op)))
			}
			rt.failing = false
			rt.mu.Unlock()
			attempt = 0
			continue
		}
		rt.markDown()
		wait := rt.backoff(attempt, err)
		attempt++
		rt.c.log.Debug("blink: websocket lost, reconnecting", "error", rt.c.logText(err), "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-rt.ctx.Done():
			t.Stop()
		}
	}
}

// maxCloseReason bounds the peer's close reason kept in an error.
const maxCloseReason = 64

// clean makes a connection's failure safe to keep in an error and to
// log: a websocket close reason is the peer's text (a server may echo the
// connection_init payload, which holds the key), so it is kept only
// scrubbed of the key and clipped to maxCloseReason bytes, with its close
// code; anything else is scrubbed (c.scrub).
func (rt *realtime) clean(err error) error {
	if err == nil {
		return nil
	}
	var ce websocket.CloseError
	if !isOwnError(err) && errors.As(err, &ce) {
		return websocket.CloseError{Code: ce.Code, Reason: clip(rt.c.redact(ce.Reason), maxCloseReason)}
	}
	return rt.c.scrub(err)
}

// clip cuts s to at most n bytes at a UTF-8 boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// logText is an error's text for a log record, scrubbed of the key: a
// log record never holds an error as it is.
func (c *Client) logText(err error) string {
	if err == nil {
		return ""
	}
	return c.redact(err.Error())
}

// markDown tells every subscription not yet told that the connection is
// down.
func (rt *realtime) markDown() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.failing = true
	for s := range rt.subs {
		if !s.down {
			s.down = true
			s.push(rtEvent{kind: rtDown})
		}
	}
}

// backoff is the wait before connection attempt attempt+1: exponential
// with jitter (between half and all of the step), capped, and at least
// rateLimitBackoff after a 4429 or an HTTP 429.
func (rt *realtime) backoff(attempt int, err error) time.Duration {
	d := rt.cfg.minBackoff
	for i := 0; i < attempt && d < rt.cfg.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, rt.cfg.maxBackoff)
	if closeCode(err) == 4429 || errors.Is(err, ErrRateLimited) {
		d = max(d, rt.cfg.rateLimitBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

// closeCode returns the websocket close code inside err, or -1.
func closeCode(err error) websocket.StatusCode {
	if err == nil {
		return -1
	}
	return websocket.CloseStatus(err)
}

// terminal returns, for a failure no reconnect can mend, the error each
// subscription ends with; nil for a failure to retry (network failures,
// 4408 init timeout, 4500, 4429, a stall, a missing ack).
func (rt *realtime) terminal(err error) func(op string) error {
	var pe *wsProtocolError
	if errors.As(err, &pe) {
		return func(op string) error {
			return &Error{Operation: op, Message: pe.msg, sentinel: ErrBadRequest, cause: err}
		}
	}
	code := closeCode(err)
	var he *Error
	if errors.As(err, &he) && (he.HTTPStatus == http.StatusUnauthorized || he.HTTPStatus == http.StatusForbidden) {
		code = websocket.StatusCode(4000 + he.HTTPStatus) // the handshake refused: as 4401 / 4403
	}
	switch code {
	case 4401, 4403:
		hasKey := rt.c.HasKey()
		return func(op string) error {
			e := &Error{Operation: op, Message: fmt.Sprintf("the server refused the websocket (%d %s)", int(code), closeText(code)),
				sentinel: ErrNotAuthenticated, cause: err}
			if hasKey {
				e.sentinel, e.also = ErrInvalidAPIKey, ErrNotAuthenticated
				e.Message += ": check the API key"
			}
			return e
		}
	case 4400, 4406, 4409:
		return func(op string) error {
			return &Error{Operation: op, Message: fmt.Sprintf("the server closed the websocket with %d (%s), a protocol error", int(code), closeText(code)),
				sentinel: ErrBadRequest, cause: err}
		}
	}
	return nil
}

func closeText(code websocket.StatusCode) string {
	switch code {
	case 4400:
		return "bad request"
	case 4401:
		return "unauthorized"
	case 4403:
		return "forbidden"
	case 4406:
		return "subprotocol not acceptable"
	case 4408:
		return "connection initialisation timeout"
	case 4409:
		return "subscriber already exists"
	case 4429:
		return "too many initialisation requests"
	case 4500:
		return "internal server error"
	}
	return "close code " + strconv.Itoa(int(code))
}

// wsProtocolError is a server that does not speak graphql-transport-ws.
type wsProtocolError struct{ msg string }

func (e *wsProtocolError) Error() string { return e.msg }

// wsMessage is a graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// politeCloseTimeout bounds the close handshake after the grace period.
const politeCloseTimeout = time.Second

var errStalled = errors.New("no message arrived for a keepalive interval after a ping: the connection is dead")

// connect dials, sends connection_init and waits for connection_ack, all
// within initTimeout.
func (rt *realtime) connect() (*rtSession, error) {
	ctx, cancel := context.WithTimeout(rt.ctx, rt.cfg.initTimeout)
	defer cancel()
	c := rt.c
	conn, resp, err := websocket.Dial(ctx, c.wsEndpoint, &websocket.DialOptions{
		HTTPClient:   c.hc,
		HTTPHeader:   http.Header{"User-Agent": {c.userAgent}},
		Subprotocols: []string{wsSubprotocol},
	})
	if err != nil {
		e := &Error{Operation: "Subscribe", Message: "websocket connection failed", sentinel: ErrTransport, cause: err}
		if resp != nil {
			e.HTTPStatus = resp.StatusCode
			if resp.StatusCode == http.StatusTooManyRequests {
				e.sentinel = ErrRateLimited
			}
		}
		return nil, e
	}
	if conn.Subprotocol() != wsSubprotocol {
		conn.CloseNow() // not politely: a close handshake can wait 10 s on the peer
		return nil, &wsProtocolError{msg: "the server did not accept the graphql-transport-ws subprotocol"}
	}
	conn.SetReadLimit(1 << 20)
	s := &rtSession{rt: rt, conn: conn, byID: map[string]*rtSub{}, dead: make(chan struct{}), cancel: func() {}}
	init := wsMessage{Type: "connection_init"}
	if c.HasKey() {
		// The key goes in this payload only, exactly as the server reads it.
		init.Payload, _ = json.Marshal(map[string]string{"X-API-KEY": c.key.header()})
	}
	if err := s.writeCtx(ctx, init); err != nil {
		conn.CloseNow()
		return nil, err
	}
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			conn.CloseNow()
			if ctx.Err() != nil && rt.ctx.Err() == nil && closeCode(err) == -1 {
				return nil, &Error{Operation: "Subscribe", Message: "no connection_ack within " + rt.cfg.initTimeout.String(), sentinel: ErrTransport, cause: err}
			}
			return nil, err
		}
		var m wsMessage
		if json.Unmarshal(data, &m) != nil {
			conn.CloseNow()
			return nil, errors.New("the server sent a message that is not JSON before connection_ack")
		}
		switch m.Type {
		case "connection_ack":
			s.ctx, s.cancel = context.WithCancel(rt.ctx)
			s.lastRecv.Store(time.Now().UnixNano())
			rt.connects.Add(1)
			return s, nil
		case "ping":
			if err := s.writeCtx(ctx, wsMessage{Type: "pong"}); err != nil {
				conn.CloseNow()
				return nil, err
			}
		}
	}
}

// serve runs an acknowledged connection: it (re)subscribes everything,
// starts the reader and the keepalive, and returns the reason the
// connection ended, or nil when run is to end (closed, or idle past the
// grace period).
func (rt *realtime) serve(s *rtSession) error {
	type pending struct {
		id  string
		sub *rtSub
	}
	var todo []pending
	rt.mu.Lock()
	rt.sess, rt.failing = s, false
	for sub := range rt.subs {
		todo = append(todo, pending{s.assign(sub), sub})
	}
	rt.mu.Unlock()
	s.wg.Add(2)
	go s.read()
	go s.keepalive()
	for _, p := range todo {
		s.sendSubscribe(p.id, p.sub)
	}
	var grace *time.Timer
	defer func() {
		if grace != nil {
			grace.Stop()
		}
	}()
	for {
		var graceC <-chan time.Time
		rt.mu.Lock()
		idle := len(rt.subs) == 0
		rt.mu.Unlock()
		if idle {
			if grace == nil {
				grace = time.NewTimer(rt.cfg.grace)
			}
			graceC = grace.C
		} else if grace != nil {
			grace.Stop()
			grace = nil
		}
		select {
		case <-s.dead:
			rt.detach(s)
			return s.reason()
		case <-rt.ctx.Done():
			s.kill(ErrClientClosed) // at once: Close must not wait for a stalled peer
			rt.detach(s)
			return nil
		case <-rt.wake:
		case <-graceC:
			grace = nil
			rt.mu.Lock()
			if len(rt.subs) > 0 {
				rt.mu.Unlock()
				continue
			}
			rt.sess = nil
			rt.running = false
			rt.mu.Unlock()
			// A polite close, bounded: cancelling s.ctx drops the
			// connection under the reader's Read, which ends a close
			// handshake waiting on a stalled peer; Client.Close
			// (rt.ctx) cancels it at once.
			t := time.AfterFunc(min(rt.cfg.writeTimeout, politeCloseTimeout), s.cancel)
			s.conn.Close(websocket.StatusNormalClosure, "")
			t.Stop()
			s.kill(errors.New("idle"))
			s.wg.Wait()
			return nil
		}
	}
}

// detach forgets a connection that ended and tells its subscriptions.
func (rt *realtime) detach(s *rtSession) {
	rt.mu.Lock()
	if rt.sess == s {
		rt.sess = nil
	}
	for _, sub := range s.byID {
		sub.sess, sub.id = nil, ""
		if !sub.down {
			sub.down = true
			sub.push(rtEvent{kind: rtDown})
		}
	}
	s.byID = map[string]*rtSub{}
	rt.mu.Unlock()
	s.wg.Wait()
}

// rtSession is one acknowledged websocket connection.
type rtSession struct {
	rt     *realtime
	conn   *websocket.Conn
	ctx    context.Context // the reader's: cancelling it drops the connection at once
	cancel context.CancelFunc
	byID   map[string]*rtSub // guarded by rt.mu
	nextID uint64            // guarded by rt.mu

	dead     chan struct{} // closed when the reader ends
	once     sync.Once
	err      error // why it ended; set through once
	lastRecv atomic.Int64
	wg       sync.WaitGroup
	subMu    sync.Mutex // orders subscribe and complete messages
}

// assign gives sub an id unique on this connection; rt.mu is held.
func (s *rtSession) assign(sub *rtSub) string {
	s.nextID++
	id := strconv.FormatUint(s.nextID, 10)
	s.byID[id] = sub
	sub.sess, sub.id = s, id
	reconnect := sub.everSubscribed
	sub.everSubscribed, sub.down = true, false
	sub.push(rtEvent{kind: rtSubscribed, reconnect: reconnect})
	return id
}

// sendSubscribe writes the subscribe message; a failed write kills the
// connection (and the subscription is re-sent on the next one).
func (s *rtSession) sendSubscribe(id string, sub *rtSub) {
	payload, _ := json.Marshal(struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}{sub.query, sub.gqlOp, sub.vars})
	// Under subMu, so that a stop that comes first is seen here, and one
	// that comes later writes its complete after this subscribe.
	s.subMu.Lock()
	defer s.subMu.Unlock()
	s.rt.mu.Lock()
	live := sub.sess == s && sub.id == id
	s.rt.mu.Unlock()
	if !live {
		return
	}
	if err := s.write(wsMessage{ID: id, Type: "subscribe", Payload: payload}); err != nil {
		s.kill(err)
	}
}

func (s *rtSession) write(m wsMessage) error {
	ctx, cancel := context.WithTimeout(s.rt.ctx, s.rt.cfg.writeTimeout)
	defer cancel()
	return s.writeCtx(ctx, m)
}

func (s *rtSession) writeCtx(ctx context.Context, m wsMessage) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return s.conn.Write(ctx, websocket.MessageText, b)
}

// kill records why the connection ends (the first reason wins) and drops it.
func (s *rtSession) kill(err error) {
	s.once.Do(func() { s.err = err })
	s.cancel()
	s.conn.CloseNow()
}

// reason is why the connection ended.
func (s *rtSession) reason() error {
	s.once.Do(func() { s.err = errors.New("the connection ended") })
	return s.err
}

// read is the reader goroutine: it always reads, so that coder/websocket
// answers the server's ping frames, and dispatches every message.
func (s *rtSession) read() {
	defer s.wg.Done()
	defer close(s.dead)
	rt := s.rt
	for {
		// With s.ctx, which ends with the client: cancelling it closes
		// the connection even while a close handshake waits on a
		// stalled peer.
		_, data, err := s.conn.Read(s.ctx)
		if err != nil {
			s.kill(err)
			return
		}
		s.lastRecv.Store(time.Now().UnixNano())
		var m wsMessage
		if json.Unmarshal(data, &m) != nil {
			s.kill(errors.New("the server sent a message that is not JSON"))
			return
		}
		switch m.Type {
		case "next":
			rt.mu.Lock()
			sub := s.byID[m.ID]
			var full *rtSession
			if sub != nil && !sub.offer(m.Payload) {
				// The consumer is this far behind: drop the
				// subscription here and on the server, and re-send it
				// once the consumer has caught up (resume).
				full, _ = rt.overflowLocked(sub)
				rt.c.log.Debug("blink: a subscription's consumer fell behind: its results are dropped until it catches up", "operation", sub.op)
			}
			rt.mu.Unlock()
			if full != nil {
				s.subMu.Lock()
				err := s.write(wsMessage{ID: m.ID, Type: "complete"})
				s.subMu.Unlock()
				if err != nil {
					s.kill(err)
					return
				}
			}
		case "error":
			rt.mu.Lock()
			if sub := s.byID[m.ID]; sub != nil {
				rt.endLocked(sub, rt.c.scrub(subscriptionError(sub.op, m.Payload, rt.c.HasKey())))
			}
			rt.mu.Unlock()
		case "complete":
			rt.mu.Lock()
			if sub := s.byID[m.ID]; sub != nil {
				rt.endLocked(sub, nil)
			}
			rt.mu.Unlock()
		case "ping":
			if err := s.write(wsMessage{Type: "pong"}); err != nil {
				s.kill(err)
				return
			}
		}
	}
}

// keepalive sends a protocol ping every interval and drops the connection
// when nothing at all arrived in the interval after the previous one.
func (s *rtSession) keepalive() {
	defer s.wg.Done()
	t := time.NewTicker(s.rt.cfg.keepalive)
	defer t.Stop()
	sentAt := s.lastRecv.Load()
	for {
		select {
		case <-s.dead:
			return
		case <-t.C:
			if s.lastRecv.Load() < sentAt {
				s.kill(errStalled)
				return
			}
			sentAt = time.Now().UnixNano()
			if err := s.write(wsMessage{Type: "ping"}); err != nil {
				s.kill(err)
				return
			}
		}
	}
}

// subscriptionError maps an error message's payload (a list of GraphQL
// errors) or a next payload's top-level errors.
func subscriptionError(op string, payload json.RawMessage, hasKey bool) error {
	var errs []wireError
	if json.Unmarshal(payload, &errs) != nil || len(errs) == 0 {
		return &Error{Operation: op, Message: "the server ended the subscription with an error", sentinel: ErrServer}
	}
	return topLevelError(op, errs, hasKey)
}

// topLevelError maps GraphQL errors of a subscription result, with
// NOT_AUTHENTICATED (myUpdates with a bad key) as an authentication
// failure.
func topLevelError(op string, errs []wireError, hasKey bool) error {
	err := mapTopLevel(&opInfo{name: op}, 200, errs, hasKey)
	var e *Error
	if errors.As(err, &e) && (e.Code == "NOT_AUTHENTICATED" || e.Message == "Not Authenticated for subscription") {
		e.Code = "NOT_AUTHENTICATED"
		if hasKey {
			e.sentinel, e.also = ErrInvalidAPIKey, ErrNotAuthenticated
		} else {
			e.sentinel = ErrNotAuthenticated
		}
	}
	return err
}

// decodeNext decodes a next payload ({"data":...,"errors":[...]}) into
// data; top-level errors become the error.
func decodeNext(op string, payload json.RawMessage, data any, hasKey bool) error {
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []wireError     `json:"errors"`
	}
	if err := json.Unmarshal(payload, &r); err != nil {
		return &Error{Operation: op, Message: "the server sent a result that does not decode", sentinel: ErrServer, cause: err}
	}
	if len(r.Errors) > 0 {
		return topLevelError(op, r.Errors, hasKey)
	}
	if len(r.Data) == 0 || string(r.Data) == "null" {
		return &Error{Operation: op, Message: "the server sent a result without data", sentinel: ErrServer}
	}
	if err := json.Unmarshal(r.Data, data); err != nil {
		return &Error{Operation: op, Message: "the server sent data that does not decode", sentinel: ErrServer, cause: err}
	}
	return nil
}
