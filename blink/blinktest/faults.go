package blinktest

import (
	"time"

	"github.com/blink-sdk/blink-go/internal/testserver"
)

// Fault is a failure injected for a request, in HTTP middleware in front of
// the API. Its parts apply in the order they would happen on the way:
// Latency; then Status or DropBeforeExecute (the API never sees the
// request); then the API handles the request (or, with Conflict, refuses it
// as a reused idempotency key); then LatencyAfterExecute; then
// DropAfterExecute, StatusAfterExecute or TruncateAfterExecute decide what
// becomes of the API's answer. Without any of those the client gets the
// API's answer.
type Fault struct {
	// Latency is added before anything else happens. If the client gives
	// up meanwhile, nothing more happens (nothing executes), unless
	// ExecuteDespiteCancel is set.
	Latency time.Duration
	// Status (502, 503 or 429) is answered at once, as an edge proxy
	// would: the API never sees the request, no idempotency lock is taken
	// and nothing executes.
	Status int
	// RetryAfter is sent as the Retry-After header with Status or
	// StatusAfterExecute; "" = none.
	RetryAfter string
	// DropBeforeExecute closes the connection without an answer before the
	// API sees the request.
	DropBeforeExecute bool
	// DropAfterExecute lets the API handle the request in full (the
	// idempotency lock is taken, a mutation executes) and then closes the
	// connection without an answer: the ambiguous case.
	DropAfterExecute bool
	// StatusAfterExecute lets the API handle the request in full and then
	// answers this status from the edge instead of the API's answer, with
	// an HTML body: 500, 502, 503 or 504 (a proxy that lost or timed out
	// the answer). The outcome is unknown to the client although the
	// mutation ran.
	StatusAfterExecute int
	// TruncateAfterExecute lets the API handle the request in full and
	// then answers HTTP 200 with the API's headers and only the first half
	// of its body, so that the JSON does not parse.
	TruncateAfterExecute bool
	// LatencyAfterExecute lets the API handle the request in full and then
	// waits this long before answering. If the client has gone by then,
	// nothing more happens: the mutation ran and nobody saw its answer.
	LatencyAfterExecute time.Duration
	// ExecuteDespiteCancel, with Latency, makes the API handle the request
	// once the latency is over even if the client gave up meanwhile, as a
	// real server does with a request already in flight: the execution
	// lands after the client stopped waiting (Close waits for it).
	ExecuteDespiteCancel bool
	// Conflict answers as for a reused idempotency key, in the server's
	// current form (HTTP 200 with the router's SUBREQUEST_HTTP_ERROR by
	// default, HTTP 409 with WithRawAPIErrors), without executing and
	// without taking a lock. An unknown API key still gets its 401 first.
	Conflict bool
}

// A note on dropped connections and Go clients: net/http's Transport
// silently resends a request that carries an X-Idempotency-Key header when
// a reused keep-alive connection closes before any answer. With
// DropBeforeExecute or DropAfterExecute such a client may therefore see
// the resent request's answer (for example the idempotency conflict of a
// locked key) instead of a transport error.

// InjectFault makes the next `times` requests for operation fail with f.
// operation matches the request's GraphQL operationName (the SDK sends e.g.
// "LnInvoicePaymentSend") or a root field name ("lnInvoicePaymentSend").
// Faults queue up in order.
func (s *Server) InjectFault(operation string, f Fault, times int) {
	s.ts.InjectFault(operation, testserver.Fault(f), times)
}

// ClearFaults drops every injected fault that no request has taken yet.
func (s *Server) ClearFaults() { s.ts.ClearFaults() }

// Requests returns how many HTTP requests for operation (operationName or
// root field name) reached the server, faulted ones included.
func (s *Server) Requests(operation string) int { return s.ts.Requests(operation) }

// Executions returns how many times a mutation for operation
// (operationName or root field name) executed past authentication and
// scope checks.
func (s *Server) Executions(operation string) int { return s.ts.Executions(operation) }

// DropWebSockets closes the TCP connection of every open websocket at
// once, without a close frame, as a network failure does: clients see an
// abnormal closure (1006) and their subscriptions end. New connections
// are accepted as before.
func (s *Server) DropWebSockets() { s.ts.DropWebSockets() }

// CloseWebSockets closes every open websocket with a close frame of code
// and reason, as the real server does on its errors: 4400 bad request,
// 4401 unauthorized, 4403 forbidden, 4429 too many initialisation
// requests, 4500 internal error, 1001 going away. The fake sends 4406,
// 4408, 4409, 4429 and 4401 by itself where the real server does.
func (s *Server) CloseWebSockets(code int, reason string) { s.ts.CloseWebSockets(code, reason) }

// DropWebSocketsAfter arms a one-shot fault: once the server has sent n
// more "next" messages, counted over all connections, it drops every open
// websocket as DropWebSockets does, right after the n-th. n <= 0 disarms
// it.
func (s *Server) DropWebSocketsAfter(n int) { s.ts.DropWebSocketsAfter(n) }

// RefuseWebSockets refuses new websocket connections for d of real time:
// the upgrade request gets HTTP 503 from the edge. Open connections are
// left alone. d <= 0 refuses until AcceptWebSockets.
func (s *Server) RefuseWebSockets(d time.Duration) { s.ts.RefuseWebSockets(d) }

// AcceptWebSockets lifts RefuseWebSockets at once.
func (s *Server) AcceptWebSockets() { s.ts.AcceptWebSockets() }

// StallWebSockets makes every websocket, open or opened later, go silent
// without closing, as a half-open connection does: the server reads
// nothing (it answers no ping and acks no connection_init), writes
// nothing and sends no ping frames. UnstallWebSockets resumes them and
// delivers what was held both ways.
func (s *Server) StallWebSockets() { s.ts.StallWebSockets() }

// UnstallWebSockets ends StallWebSockets.
func (s *Server) UnstallWebSockets() { s.ts.UnstallWebSockets() }

// WebSockets returns how many websocket connections are open.
func (s *Server) WebSockets() int { return s.ts.WebSockets() }
