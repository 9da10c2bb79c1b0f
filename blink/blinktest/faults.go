package blinktest

import (
	"time"

	"github.com/blink-sdk/blink-go/internal/fake"
)

// Fault is a failure injected for a request, in HTTP middleware in front of
// the API.
type Fault struct {
	// Latency is added before anything else happens.
	Latency time.Duration
	// Status (502, 503 or 429) is answered at once, as an edge proxy
	// would: the API never sees the request, no idempotency lock is taken
	// and nothing executes.
	Status int
	// RetryAfter is sent as the Retry-After header with Status; "" = none.
	RetryAfter string
	// DropBeforeExecute closes the connection without an answer before the
	// API sees the request.
	DropBeforeExecute bool
	// DropAfterExecute lets the API handle the request in full (the
	// idempotency lock is taken, a mutation executes) and then closes the
	// connection without an answer: the ambiguous case.
	DropAfterExecute bool
}

// A note on dropped connections and Go clients: net/http's Transport
// silently resends a request that carries an X-Idempotency-Key (or
// Idempotency-Key) header when a reused keep-alive connection closes before
// any answer. With DropBeforeExecute or DropAfterExecute such a client may
// therefore see the resent request's answer (for example the 409 of a
// locked idempotency key) instead of a transport error.

// InjectFault makes the next `times` requests for operation fail with f.
// operation matches the request's GraphQL operationName (the SDK sends e.g.
// "LnInvoicePaymentSend") or a root field name ("lnInvoicePaymentSend").
// Faults queue up in order.
func (s *Server) InjectFault(operation string, f Fault, times int) {
	s.fake.InjectFault(operation, fake.Fault(f), times)
}

// Requests returns how many HTTP requests for operation (operationName or
// root field name) reached the server, faulted ones included.
func (s *Server) Requests(operation string) int { return s.fake.Requests(operation) }

// Executions returns how many times a mutation for operation
// (operationName or root field name) executed past authentication and
// scope checks.
func (s *Server) Executions(operation string) int { return s.fake.Executions(operation) }
