package fake

import (
	"net/http"
	"time"
)

// Fault is a failure injected in front of the API for one request.
type Fault struct {
	// Latency is added before anything else happens.
	Latency time.Duration
	// Status, when 502, 503 or 429 (or any non-zero status), is answered
	// at once "from the edge": the API never sees the request, so no
	// idempotency lock is taken and nothing executes.
	Status int
	// RetryAfter is the Retry-After header sent with Status; "" = none.
	RetryAfter string
	// DropBeforeExecute closes the connection without answering before
	// the API sees the request.
	DropBeforeExecute bool
	// DropAfterExecute lets the API handle the request (idempotency lock
	// taken, mutation executed) and then closes the connection without
	// answering: the ambiguous case.
	DropAfterExecute bool
}

type faultSlot struct {
	f    Fault
	left int
}

// InjectFault makes the next `times` requests whose GraphQL operationName
// or a root field name equals operation fail with f. Faults for the same
// operation queue up in order.
func (s *Server) InjectFault(operation string, f Fault, times int) {
	if times <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[operation] = append(s.faults[operation], faultSlot{f: f, left: times})
}

// takeFault consumes the fault for the first of names that has one.
func (s *Server) takeFault(names []string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		q := s.faults[n]
		if len(q) == 0 {
			continue
		}
		f := q[0].f
		q[0].left--
		if q[0].left == 0 {
			q = q[1:]
		}
		s.faults[n] = q
		return f, true
	}
	return Fault{}, false
}

// edgeBodies are the bodies an edge proxy answers with.
var edgeBodies = map[int]string{
	http.StatusBadGateway:         "<html><body><h1>502 Bad Gateway</h1></body></html>\n",
	http.StatusServiceUnavailable: "<html><body><h1>503 Service Unavailable</h1></body></html>\n",
	http.StatusTooManyRequests:    "<html><body><h1>429 Too Many Requests</h1></body></html>\n",
}

func writeEdgeStatus(w http.ResponseWriter, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(f.Status)
	body, ok := edgeBodies[f.Status]
	if !ok {
		body = http.StatusText(f.Status) + "\n"
	}
	_, _ = w.Write([]byte(body))
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// Requests returns how many HTTP requests named operation (by
// operationName or root field name) reached the server.
func (s *Server) Requests(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[operation]
}

// Executions returns how many times a mutation named operation (by
// operationName or root field name) executed past authentication.
func (s *Server) Executions(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.executions[operation]
}

func (s *Server) countRequest(names []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		s.requests[n]++
	}
}

func (s *Server) countExecution(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for _, n := range names {
		if n != "" && !seen[n] {
			seen[n] = true
			s.executions[n]++
		}
	}
}
