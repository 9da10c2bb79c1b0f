package fake

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault is a failure injected in front of the API for one request. Its
// parts apply in the order they would happen on the way: Latency, then
// Status or DropBeforeExecute (the API never sees the request), then the
// API handles it (Conflict instead answers as for a reused idempotency
// key), then LatencyAfterExecute, then DropAfterExecute, StatusAfterExecute
// or TruncateAfterExecute decide what becomes of the API's answer.
type Fault struct {
	// Latency is added before anything else happens. If the client gives
	// up meanwhile, nothing more happens, unless ExecuteDespiteCancel.
	Latency time.Duration
	// Status, when 502, 503 or 429 (or any non-zero status), is answered
	// at once "from the edge": the API never sees the request, so no
	// idempotency lock is taken and nothing executes.
	Status int
	// RetryAfter is the Retry-After header sent with Status or
	// StatusAfterExecute; "" = none.
	RetryAfter string
	// DropBeforeExecute closes the connection without answering before
	// the API sees the request.
	DropBeforeExecute bool
	// DropAfterExecute lets the API handle the request (idempotency lock
	// taken, mutation executed) and then closes the connection without
	// answering: the ambiguous case.
	DropAfterExecute bool
	// StatusAfterExecute lets the API handle the request in full (lock
	// taken, mutation executed), then answers this status from the edge
	// (500, 502, 503, 504, ...) with an HTML body instead of the API's
	// answer.
	StatusAfterExecute int
	// TruncateAfterExecute lets the API handle the request in full, then
	// answers 200 with the first half of the API's body: the JSON does
	// not parse.
	TruncateAfterExecute bool
	// LatencyAfterExecute lets the API handle the request in full, then
	// waits this long before answering; if the client has gone by then,
	// nothing more happens.
	LatencyAfterExecute time.Duration
	// ExecuteDespiteCancel, with Latency, makes the API handle the
	// request when the latency is over even if the client gave up
	// meanwhile, as a server does with a request already in flight: the
	// execution lands after the client stopped waiting, and nobody gets
	// its answer.
	ExecuteDespiteCancel bool
	// Conflict answers as the API answers a reused idempotency key, in
	// the server's current form (the router's HTTP 200 by default, HTTP
	// 409 with RawAPIErrors), after the key check and without executing
	// or taking a lock.
	Conflict bool
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

// ClearFaults drops every fault not yet taken.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
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
	http.StatusInternalServerError: "<html><body><h1>500 Internal Server Error</h1></body></html>\n",
	http.StatusBadGateway:          "<html><body><h1>502 Bad Gateway</h1></body></html>\n",
	http.StatusServiceUnavailable:  "<html><body><h1>503 Service Unavailable</h1></body></html>\n",
	http.StatusGatewayTimeout:      "<html><body><h1>504 Gateway Time-out</h1></body></html>\n",
	http.StatusTooManyRequests:     "<html><body><h1>429 Too Many Requests</h1></body></html>\n",
}

// writeEdgeStatus answers status as an edge proxy does, with an HTML body.
func writeEdgeStatus(w http.ResponseWriter, status int, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	body, ok := edgeBodies[status]
	if !ok {
		body = "<html><body><h1>" + strconv.Itoa(status) + " " + http.StatusText(status) + "</h1></body></html>\n"
	}
	_, _ = w.Write([]byte(body))
}

// copyRecorded writes a recorded answer of the API to the client.
func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// writeTruncated answers 200 with the API's headers and the first half of
// its body (trailing white space aside), so that the JSON does not parse.
func writeTruncated(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	body := bytes.TrimRight(rec.Body.Bytes(), " \t\r\n")
	body = body[:len(body)/2]
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
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
