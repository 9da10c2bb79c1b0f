package fake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// The websocket side of the fake, as the real one behaves: graphql-ws's
// server on the ws library (graphql-transport-ws only, websocket ping
// frames every 12 s and a connection that does not answer them
// terminated, connection_init within 3 s), plus the faults a client must
// survive (drops, refusals, stalls). gqlgen runs the protocol; this file
// accepts the connections, pings them, rewrites gqlgen's close codes to
// graphql-ws's, and sits between the socket and the TCP connection so
// that a stall stops every byte both ways.

// Defaults of the websocket timers, those of the real server.
const (
	// DefaultPingInterval is how often a ping frame goes out, and how
	// long its pong may take.
	DefaultPingInterval = 12 * time.Second
	// DefaultInitTimeout is how long connection_init may take to come.
	DefaultInitTimeout = 3 * time.Second
)

const transportWS = "graphql-transport-ws"

// wsState is the server's websocket connections and socket faults.
type wsState struct {
	mu          sync.Mutex
	conns       map[*wsNetConn]struct{}
	refuseUntil time.Time     // zero: accept
	refuseAll   bool          // refuse until AcceptWebSockets
	stalled     chan struct{} // closed by UnstallWebSockets; nil: not stalled
	dropAfter   int           // next messages left before every connection drops; 0 = off
	gen         int           // counts DropWebSockets and CloseWebSockets calls
	last        wsClose       // what the latest of them did
}

func (s *Server) pingInterval() time.Duration {
	if s.cfg.PingInterval > 0 {
		return s.cfg.PingInterval
	}
	return DefaultPingInterval
}

func (s *Server) initTimeout() time.Duration {
	if s.cfg.InitTimeout > 0 {
		return s.cfg.InitTimeout
	}
	return DefaultInitTimeout
}

// websocketTransport is gqlgen's websocket transport configured as the
// real server: the key from the connection_init payload, every connection
// acked, the init timeout. schema checks subscribe messages as the real
// server's onSubscribe does.
func (s *Server) websocketTransport(schema *ast.Schema) transport.Websocket {
	return transport.Websocket{
		Implementation: wsImplementation{s: s, schema: schema},
		InitTimeout:    s.initTimeout(),
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			if key, ok := p["X-API-KEY"].(string); ok && key != "" {
				if c, ok := s.lookupKey(key); ok {
					ctx = withCaller(ctx, c)
				}
			}
			return ctx, nil, nil
		},
	}
}

// serveWebSocketEdge answers an upgrade request the socket faults or the
// subprotocol refuse, and reports whether it did.
func (s *Server) serveWebSocketEdge(w http.ResponseWriter, r *http.Request) bool {
	s.ws.mu.Lock()
	refused := s.ws.refuseAll || time.Now().Before(s.ws.refuseUntil)
	s.ws.mu.Unlock()
	if refused {
		writeEdgeStatus(w, http.StatusServiceUnavailable, "")
		return true
	}
	var offered []string
	for _, h := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(h, ",") {
			offered = append(offered, strings.TrimSpace(p))
		}
	}
	if slices.Contains(offered, transportWS) {
		return false
	}
	// graphql-ws accepts the socket without a subprotocol, then closes it.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return true
	}
	_ = c.Close(4406, "Subprotocol not acceptable")
	return true
}

// wsImplementation accepts gqlgen's websocket connections on
// coder/websocket, over a TCP connection the fake can stall and drop.
type wsImplementation struct {
	s      *Server
	schema *ast.Schema
}

func (i wsImplementation) Accept(w http.ResponseWriter, r *http.Request, _ transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	// A fault that lands while the connection is being accepted (the
	// client may already hold its 101) applies to it too.
	i.s.ws.mu.Lock()
	gen := i.s.ws.gen
	i.s.ws.mu.Unlock()
	hw := &hijackWriter{ResponseWriter: w, s: i.s}
	c, err := websocket.Accept(hw, r, &websocket.AcceptOptions{
		Subprotocols:       []string{transportWS},
		InsecureSkipVerify: true, // the real server allows every origin
	})
	if err != nil {
		return nil, err
	}
	wc := &wsConn{s: i.s, schema: i.schema, c: c, nc: hw.nc, active: map[string]struct{}{}, quiet: map[string]int{}}
	i.s.ws.mu.Lock()
	hw.nc.ws = wc
	missed := i.s.ws.gen != gen
	last := i.s.ws.last
	i.s.ws.mu.Unlock()
	if missed {
		if last.drop {
			_ = hw.nc.Close()
		} else {
			_ = wc.WriteClose(last.code, last.reason)
		}
	}
	go wc.pingLoop()
	return wc, nil
}

// hijackWriter hands coder/websocket a TCP connection wrapped in a
// wsNetConn.
type hijackWriter struct {
	http.ResponseWriter
	s  *Server
	nc *wsNetConn
}

func (h *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("fake: response writer cannot hijack")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.nc = h.s.registerConn(conn)
	brw.Writer.Reset(h.nc)
	return h.nc, brw, nil
}

// wsNetConn is a websocket's TCP connection. While the server is stalled
// no byte passes either way: reads hold what arrived, writes wait.
type wsNetConn struct {
	net.Conn
	s         *Server
	ws        *wsConn         // the websocket on it, once accepted; under s.ws.mu
	ctx       context.Context // ends when the connection closes
	cancel    context.CancelFunc
	closeOnce sync.Once
}

func (s *Server) registerConn(conn net.Conn) *wsNetConn {
	ctx, cancel := context.WithCancel(context.Background())
	nc := &wsNetConn{Conn: conn, s: s, ctx: ctx, cancel: cancel}
	s.ws.mu.Lock()
	if s.ws.conns == nil {
		s.ws.conns = map[*wsNetConn]struct{}{}
	}
	s.ws.conns[nc] = struct{}{}
	s.ws.mu.Unlock()
	return nc
}

// waitUnstalled returns when the server is not stalled or nc is closed,
// and reports whether nc is still open.
func (nc *wsNetConn) waitUnstalled() bool {
	for {
		nc.s.ws.mu.Lock()
		st := nc.s.ws.stalled
		nc.s.ws.mu.Unlock()
		if st == nil {
			select {
			case <-nc.ctx.Done():
				return false
			default:
				return true
			}
		}
		select {
		case <-st:
		case <-nc.ctx.Done():
			return false
		}
	}
}

func (nc *wsNetConn) Read(p []byte) (int, error) {
	if !nc.waitUnstalled() {
		return 0, net.ErrClosed
	}
	n, err := nc.Conn.Read(p)
	if !nc.waitUnstalled() {
		return 0, net.ErrClosed
	}
	return n, err
}

func (nc *wsNetConn) Write(p []byte) (int, error) {
	if !nc.waitUnstalled() {
		return 0, net.ErrClosed
	}
	return nc.Conn.Write(p)
}

func (nc *wsNetConn) Close() error {
	nc.closeOnce.Do(func() {
		nc.cancel()
		nc.s.ws.mu.Lock()
		delete(nc.s.ws.conns, nc)
		nc.s.ws.mu.Unlock()
	})
	return nc.Conn.Close()
}

// wsClose is how DropWebSockets (drop) or CloseWebSockets (code and
// reason) ended the connections.
type wsClose struct {
	drop   bool
	code   int
	reason string
}

// wsConn is gqlgen's view of one websocket.
type wsConn struct {
	s       *Server
	schema  *ast.Schema
	c       *websocket.Conn
	nc      *wsNetConn
	closing atomic.Bool // WriteClose owns the closing of the connection

	mu     sync.Mutex
	inited bool                // connection_init received
	active map[string]struct{} // subscription ids not yet complete
	quiet  map[string]int      // ids the client completed: gqlgen's complete for them is not sent
}

// pingLoop sends a ping frame every interval and terminates the
// connection when the pong has not come within the interval, as the ws
// keep-alive of graphql-ws does. A stalled server neither pings nor gives
// up on a pong: the wait starts again when the stall ends.
func (c *wsConn) pingLoop() {
	d := c.s.pingInterval()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-c.nc.ctx.Done():
			return
		case <-t.C:
		}
		if !c.nc.waitUnstalled() {
			return
		}
		// The ping's context ends only with the connection: a write that
		// times out makes coder/websocket close it, which a stall must not.
		pong := make(chan error, 1)
		go func() { pong <- c.c.Ping(c.nc.ctx) }()
		wait := time.NewTimer(d)
	waiting:
		for {
			select {
			case err := <-pong:
				wait.Stop()
				if err != nil {
					_ = c.nc.Close()
					return
				}
				break waiting
			case <-wait.C:
				if c.s.wsStalled() {
					if !c.nc.waitUnstalled() {
						return
					}
					wait.Reset(d)
					continue
				}
				_ = c.nc.Close()
				return
			}
		}
	}
}

func (c *wsConn) Close() error {
	if c.closing.Load() {
		return nil
	}
	return c.c.CloseNow()
}

func (c *wsConn) Subprotocol() string { return c.c.Subprotocol() }

func (c *wsConn) SetReadLimit(n int64) { c.c.SetReadLimit(n) }

func (c *wsConn) NextReader() (int, io.Reader, error) {
	for {
		typ, b, err := c.c.Read(context.Background())
		if err != nil {
			switch websocket.CloseStatus(err) {
			case websocket.StatusNormalClosure, websocket.StatusNoStatusRcvd:
				return int(typ), nil, transport.ErrWebsocketClosed
			}
			return int(typ), nil, err
		}
		if code, reason := c.refuseMessage(b); code != 0 {
			_ = c.WriteClose(code, reason)
			return int(typ), nil, errRefusedMessage
		}
		id, errs, fatal := c.checkSubscribe(b)
		if fatal {
			_ = c.WriteClose(4500, "Internal server error")
			return int(typ), nil, errRefusedMessage
		}
		if errs == nil {
			return int(typ), bytes.NewReader(b), nil
		}
		c.mu.Lock()
		delete(c.active, id)
		c.mu.Unlock()
		out, _ := json.Marshal(map[string]any{"id": id, "type": "error", "payload": errs})
		if err := c.c.Write(context.Background(), websocket.MessageText, out); err != nil {
			return int(typ), nil, err
		}
	}
}

// checkSubscribe checks a subscribe message as the real server's
// onSubscribe does before anything runs: a document that does not parse
// throws there, which graphql-ws answers by closing the socket with 4500
// (fatal); an operation it cannot pick, a query or mutation, or a
// document that fails validation gets an error message with errs.
func (c *wsConn) checkSubscribe(b []byte) (id string, errs gqlerror.List, fatal bool) {
	var m struct {
		ID      string
		Type    string
		Payload struct {
			Query         string
			OperationName string
		}
	}
	if json.Unmarshal(b, &m) != nil || m.Type != "subscribe" {
		return "", nil, false
	}
	doc, perr := parser.ParseQuery(&ast.Source{Input: m.Payload.Query})
	if perr != nil {
		return m.ID, nil, true
	}
	var op *ast.OperationDefinition
	if m.Payload.OperationName == "" {
		if len(doc.Operations) == 1 {
			op = doc.Operations[0]
		}
	} else {
		op = doc.Operations.ForName(m.Payload.OperationName)
	}
	switch {
	case op == nil:
		return m.ID, gqlerror.List{{Message: "Unable to identify operation"}}, false
	case op.Operation != ast.Subscription:
		return m.ID, gqlerror.List{{Message: "Only subscription operations are supported"}}, false
	}
	if _, verrs := gqlparser.LoadQuery(c.schema, m.Payload.Query); len(verrs) > 0 {
		return m.ID, verrs, false
	}
	return m.ID, nil, false
}

var errRefusedMessage = errors.New("fake: message refused with a close code")

// refuseMessage is graphql-ws's close code for a message gqlgen would
// take: a second connection_init (4429), a subscribe before
// connection_init (4401) or with the id of a subscription still running
// (4409); 0 for any other message.
func (c *wsConn) refuseMessage(b []byte) (int, string) {
	var m struct{ Type, ID string }
	if json.Unmarshal(b, &m) != nil {
		return 0, ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Type {
	case "connection_init":
		if c.inited {
			return 4429, "Too many initialisation requests"
		}
		c.inited = true
	case "subscribe":
		if !c.inited {
			return 4401, "Unauthorized"
		}
		if _, dup := c.active[m.ID]; dup {
			return 4409, "Subscriber for " + m.ID + " already exists"
		}
		c.active[m.ID] = struct{}{}
	case "complete":
		if _, ok := c.active[m.ID]; ok {
			delete(c.active, m.ID)
			c.quiet[m.ID]++
		}
	}
	return 0, ""
}

func (c *wsConn) WriteJSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var m struct{ Type, ID string }
	_ = json.Unmarshal(b, &m)
	if m.Type == "complete" || m.Type == "error" {
		c.mu.Lock()
		quiet := m.Type == "complete" && c.quiet[m.ID] > 0
		if quiet {
			// graphql-ws sends nothing for a subscription the client
			// completed; gqlgen confirms it.
			if c.quiet[m.ID]--; c.quiet[m.ID] == 0 {
				delete(c.quiet, m.ID)
			}
		} else {
			delete(c.active, m.ID)
		}
		c.mu.Unlock()
		if quiet {
			return nil
		}
	}
	if err := c.c.Write(context.Background(), websocket.MessageText, b); err != nil {
		return err
	}
	if m.Type == "next" {
		c.s.countNext()
	}
	return nil
}

// WriteClose closes with graphql-ws's codes where gqlgen uses 1002: 4408
// for the init timeout, 4400 for any other protocol error. The close
// handshake runs in the background, as gqlgen's own adapter does.
func (c *wsConn) WriteClose(code int, reason string) error {
	if code == transport.WebsocketCloseProtocolError {
		code, reason = 4400, "Bad request: "+reason
		if strings.Contains(reason, "initialisation timeout") {
			code, reason = 4408, "Connection initialisation timeout"
		}
	}
	if c.closing.Swap(true) {
		return nil
	}
	go func() { _ = c.c.Close(websocket.StatusCode(code), reason) }()
	return nil
}

// countNext counts a next message sent for DropWebSocketsAfter.
func (s *Server) countNext() {
	s.ws.mu.Lock()
	if s.ws.dropAfter == 0 {
		s.ws.mu.Unlock()
		return
	}
	s.ws.dropAfter--
	drop := s.ws.dropAfter == 0
	s.ws.mu.Unlock()
	if drop {
		s.DropWebSockets()
	}
}

func (s *Server) wsStalled() bool {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	return s.ws.stalled != nil
}

// DropWebSockets closes the TCP connection of every open websocket at
// once, without a close frame, as a network failure does: clients see an
// abnormal closure (1006). Their subscriptions end.
func (s *Server) DropWebSockets() {
	s.ws.mu.Lock()
	s.ws.gen++
	s.ws.last = wsClose{drop: true}
	conns := make([]*wsNetConn, 0, len(s.ws.conns))
	for nc := range s.ws.conns {
		conns = append(conns, nc)
	}
	s.ws.mu.Unlock()
	for _, nc := range conns {
		_ = nc.Close()
	}
}

// CloseWebSockets closes every open websocket with a close frame of code
// and reason, as the server does on its errors (4400 bad request, 4403
// forbidden, 4429 too many initialisation requests, 4500 internal error,
// 1001 going away, ...).
func (s *Server) CloseWebSockets(code int, reason string) {
	s.ws.mu.Lock()
	var conns []*wsConn
	s.ws.gen++
	s.ws.last = wsClose{code: code, reason: reason}
	for nc := range s.ws.conns {
		if nc.ws != nil {
			conns = append(conns, nc.ws)
		}
	}
	s.ws.mu.Unlock()
	for _, c := range conns {
		_ = c.WriteClose(code, reason)
	}
}

// DropWebSocketsAfter drops every open websocket (as DropWebSockets) once
// the server has sent n more next messages, counted over all
// connections. It fires once; n <= 0 disarms it.
func (s *Server) DropWebSocketsAfter(n int) {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	s.ws.dropAfter = max(n, 0)
}

// RefuseWebSockets refuses new websocket connections for d of real time:
// the upgrade request gets HTTP 503 from the edge. Open connections are
// left alone. d <= 0 refuses until AcceptWebSockets.
func (s *Server) RefuseWebSockets(d time.Duration) {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	if d <= 0 {
		s.ws.refuseAll = true
		return
	}
	s.ws.refuseUntil = time.Now().Add(d)
}

// AcceptWebSockets lifts RefuseWebSockets.
func (s *Server) AcceptWebSockets() {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	s.ws.refuseAll, s.ws.refuseUntil = false, time.Time{}
}

// StallWebSockets makes every websocket, open or opened later, go silent
// without closing: the server reads nothing (so it answers no ping and
// acks no connection_init), writes nothing and sends no ping frames, as a
// half-open connection does. UnstallWebSockets resumes them; what was
// held is then delivered.
func (s *Server) StallWebSockets() {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	if s.ws.stalled == nil {
		s.ws.stalled = make(chan struct{})
	}
}

// UnstallWebSockets ends StallWebSockets.
func (s *Server) UnstallWebSockets() {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	if s.ws.stalled != nil {
		close(s.ws.stalled)
		s.ws.stalled = nil
	}
}

// WebSockets returns how many websocket connections are open.
func (s *Server) WebSockets() int {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	return len(s.ws.conns)
}
