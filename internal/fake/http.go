package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/blink-sdk/blink-go/internal/fake/graph"
)

// maxComplexity is the real server's query complexity limit; every
// mutation root field costs 120 and every other field 1, so only one
// mutation fits in a request.
const maxComplexity = 200

// Handler returns the HTTP handler of the fake API: POST (and GET) GraphQL
// requests and graphql-transport-ws websockets, both on /graphql.
func (s *Server) Handler() http.Handler {
	es := graph.NewExecutableSchema(graph.Config{Resolvers: &resolver{s: s}})
	gql := handler.New(es)
	gql.AddTransport(s.websocketTransport(es.Schema()))
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	gql.AroundRootFields(s.authorizeRootField)
	gql.SetErrorPresenter(presentError)
	gql.SetRecoverFunc(recoverPanic)

	mux := http.NewServeMux()
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) { s.serveGraphQL(gql, w, r) })
	mux.HandleFunc("GET /svix-portal/", s.servePortal)
	return mux
}

// gqlRequest is the part of a GraphQL request the middleware looks at.
type gqlRequest struct {
	Query         string `json:"query"`
	OperationName string `json:"operationName"`
}

// serveGraphQL runs a request through the edge (faults, key check), the
// idempotency middleware and the complexity limit, then gqlgen.
func (s *Server) serveGraphQL(gql http.Handler, w http.ResponseWriter, r *http.Request) {
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		if s.serveWebSocketEdge(w, r) {
			return
		}
		gql.ServeHTTP(w, r)
		return
	}
	w = &datedWriter{ResponseWriter: w, now: s.now}
	var body []byte
	var req gqlRequest
	if r.Method == http.MethodPost {
		var err error
		if body, err = readBody(r); err != nil {
			return
		}
		// Errors are ignored: a body that does not decode leaves the
		// request empty, and gqlgen answers it with the API's own error.
		_ = json.Unmarshal(body, &req)
	} else {
		req.Query, req.OperationName = r.URL.Query().Get("query"), r.URL.Query().Get("operationName")
	}
	op, doc := s.selectOperation(req)
	names := operationNames(req, op)
	s.countRequest(names)

	call := apiCall{gql: gql, r: r, body: body, op: op, doc: doc}
	f, ok := s.takeFault(names)
	if !ok {
		s.serveAPI(w, call)
		return
	}
	s.serveFaulted(w, call, f)
}

// apiCall is a request on its way to the API.
type apiCall struct {
	gql      http.Handler
	r        *http.Request
	body     []byte
	op       *ast.OperationDefinition
	doc      *ast.QueryDocument
	conflict bool // answer as for a reused idempotency key (Fault.Conflict)
}

// detached is the call with a request context that the client's going
// cannot cancel: the API goes on with a request it has started.
func (c apiCall) detached() apiCall {
	c.r = c.r.WithContext(context.WithoutCancel(c.r.Context()))
	return c
}

// serveFaulted serves a request with a fault, in the order the fault's
// parts happen on the way: latency, the edge's answer or drop before the
// API, the API (which may execute), then what happens to its answer.
func (s *Server) serveFaulted(w http.ResponseWriter, call apiCall, f Fault) {
	ctx := call.r.Context()
	call.conflict = f.Conflict
	gone := false
	if f.Latency > 0 {
		start := time.Now()
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			if !f.ExecuteDespiteCancel {
				return
			}
			// The request was already on its way to the API: it arrives
			// when the latency is over, with nobody left to answer.
			time.Sleep(f.Latency - time.Since(start))
			gone = true
		}
	}
	switch {
	case f.Status != 0:
		if !gone {
			writeEdgeStatus(w, f.Status, f.RetryAfter)
		}
		return
	case f.DropBeforeExecute:
		if !gone {
			dropConnection(w)
		}
		return
	}
	after := f.DropAfterExecute || f.StatusAfterExecute != 0 || f.TruncateAfterExecute || f.LatencyAfterExecute > 0
	if !gone && !after {
		s.serveAPI(w, call)
		return
	}
	// The API handles the request in full; its answer is held back.
	rec := httptest.NewRecorder()
	s.serveAPI(rec, call.detached())
	if gone {
		return
	}
	if f.LatencyAfterExecute > 0 {
		t := time.NewTimer(f.LatencyAfterExecute)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
	}
	switch {
	case f.DropAfterExecute:
		dropConnection(w)
	case f.StatusAfterExecute != 0:
		writeEdgeStatus(w, f.StatusAfterExecute, f.RetryAfter)
	case f.TruncateAfterExecute:
		writeTruncated(w, rec)
	default:
		copyRecorded(w, rec)
	}
}

// maxBody is the most of a request body the fake reads.
const maxBody = 1 << 20

// readBody reads up to maxBody bytes of the request body, into a buffer
// of the announced length when there is one.
func readBody(r *http.Request) ([]byte, error) {
	lr := io.LimitReader(r.Body, maxBody)
	n := r.ContentLength
	if n <= 0 || n >= maxBody {
		return io.ReadAll(lr)
	}
	// As io.ReadAll, from a buffer one byte longer than announced, so that
	// reaching EOF needs no second buffer.
	b := make([]byte, 0, n+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// serveAPI is everything behind the edge: the key check, the idempotency
// middleware, the complexity limit, then GraphQL execution.
func (s *Server) serveAPI(w http.ResponseWriter, call apiCall) {
	r := call.r
	c := &caller{}
	if key := r.Header.Get("X-API-KEY"); key != "" {
		var ok bool
		if c, ok = s.lookupKey(key); !ok {
			writeJSON(w, http.StatusUnauthorized, unauthorizedBody)
			return
		}
	}
	if call.conflict {
		s.refuse(w, conflict)
		return
	}
	if refusal, ok := s.checkIdempotency(r); !ok {
		s.refuse(w, refusal)
		return
	}
	if call.op != nil && call.op.Operation == ast.Mutation {
		if n := complexity(call.doc, call.op.SelectionSet, true); n >= maxComplexity {
			s.refuse(w, complexityRefusal(n))
			return
		}
	}
	if call.body != nil {
		r.Body = io.NopCloser(bytes.NewReader(call.body))
	}
	rec := newBufferedResponse()
	defer rec.release()
	call.gql.ServeHTTP(rec, r.WithContext(withCaller(r.Context(), c)))
	out := rec.body.Bytes()
	switch {
	case rec.code == http.StatusUnprocessableEntity:
		// gqlgen answers parse and validation failures with 422; Apollo
		// Server, in front of the real API, with 400 and no data. (In
		// production the router refuses such documents itself, with its
		// own extensions.code; the fake leaves those codes in place.)
		rec.code = http.StatusBadRequest
		if s.cfg.RawAPIErrors {
			out = rewriteTopLevelErrors(out, addCodes)
		}
		out = dropNullData(out)
	case s.cfg.RawAPIErrors:
		out = rewriteTopLevelErrors(out, addCodes)
	default:
		out = rewriteTopLevelErrors(out, dropCodes)
	}
	rec.header.Del("Content-Length")
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.code)
	_, _ = w.Write(out)
}

// bufferedResponse is the http.ResponseWriter gqlgen writes to, so that
// serveAPI can rewrite the response: a header, a status (200 unless set)
// and a body from a pool.
type bufferedResponse struct {
	header      http.Header
	code        int
	wroteHeader bool
	body        *bytes.Buffer
}

var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func newBufferedResponse() *bufferedResponse {
	b := responseBuffers.Get().(*bytes.Buffer)
	b.Reset()
	return &bufferedResponse{header: http.Header{}, code: http.StatusOK, body: b}
}

// release returns the body buffer to the pool; the response is not used
// after.
func (b *bufferedResponse) release() {
	if b.body.Cap() <= 1<<20 {
		responseBuffers.Put(b.body)
	}
	b.body = nil
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if !b.wroteHeader {
		b.code, b.wroteHeader = code, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// mayHaveTopLevelErrors is a cheap check that lets rewriteTopLevelErrors leave
// a response without top-level errors alone instead of decoding and
// re-encoding it: a body without "errors" anywhere has none; otherwise a
// byte scan of the top-level members, skipping over their values, looks
// for an "errors" key (the mutation payloads have "errors" fields of their
// own, inside "data"). Anything it does not understand counts as maybe.
func mayHaveTopLevelErrors(b []byte) bool {
	if !bytes.Contains(b, []byte(`"errors"`)) {
		return false
	}
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return true
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) {
			return true
		}
		if b[i] == '}' {
			return false
		}
		if b[i] != '"' {
			return true
		}
		end := bytes.IndexByte(b[i+1:], '"')
		if end < 0 {
			return true
		}
		key := b[i+1 : i+1+end]
		if bytes.IndexByte(key, '\\') >= 0 || string(key) == "errors" {
			return true
		}
		i = skipSpace(b, i+end+2)
		if i >= len(b) || b[i] != ':' {
			return true
		}
		if i = skipValue(b, skipSpace(b, i+1)); i < 0 {
			return true
		}
		i = skipSpace(b, i)
		if i < len(b) && b[i] == ',' {
			i++
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just after the JSON value at b[i:], or -1
// if it cannot tell. It balances brackets outside strings and does not
// validate the value.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return -1
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i // the end of the enclosing object
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i
			}
			i++
		default:
			i++
		}
		if depth == 0 && i < len(b) && (b[i] == ',' || b[i] == '}' || b[i] == ']') {
			return i
		}
	}
	if depth == 0 {
		return i
	}
	return -1
}

// opCacheSize bounds the cache of parsed request documents, and
// maxCachedQuery the length of a query it keeps.
const (
	opCacheSize    = 1000
	maxCachedQuery = 64 << 10
)

// parsedQuery is a cached parse of a request's query text; doc is nil when
// it does not parse.
type parsedQuery struct{ doc *ast.QueryDocument }

// selectOperation parses the document, or finds its parse in the cache,
// and picks the operation to run. The cached documents are shared: the
// middleware only reads them.
func (s *Server) selectOperation(req gqlRequest) (*ast.OperationDefinition, *ast.QueryDocument) {
	pq, ok := s.opCache.Get(context.Background(), req.Query)
	if !ok {
		doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
		if err != nil {
			doc = nil
		}
		pq = parsedQuery{doc}
		if len(req.Query) <= maxCachedQuery {
			s.opCache.Add(context.Background(), req.Query, pq)
		}
	}
	doc := pq.doc
	if doc == nil || len(doc.Operations) == 0 {
		return nil, nil
	}
	if req.OperationName == "" {
		if len(doc.Operations) == 1 {
			return doc.Operations[0], doc
		}
		return nil, doc
	}
	return doc.Operations.ForName(req.OperationName), doc
}

// operationNames are the names a request counts under: its operationName
// and its root field names.
func operationNames(req gqlRequest, op *ast.OperationDefinition) []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	add(req.OperationName)
	if op != nil {
		add(op.Name)
		for _, sel := range op.SelectionSet {
			if f, ok := sel.(*ast.Field); ok {
				add(f.Name)
			}
		}
	}
	return names
}

// complexity estimates graphql-query-complexity's value: 1 per field,
// 120 per mutation root field, fragments expanded.
func complexity(doc *ast.QueryDocument, set ast.SelectionSet, root bool) int {
	n := 0
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			if x.Name == "__typename" {
				continue
			}
			cost := 1
			if root {
				cost = 120
			}
			n += cost + complexity(doc, x.SelectionSet, false)
		case *ast.InlineFragment:
			n += complexity(doc, x.SelectionSet, root)
		case *ast.FragmentSpread:
			if fd := doc.Fragments.ForName(x.Name); fd != nil {
				n += complexity(doc, fd.SelectionSet, root)
			}
		}
	}
	return n
}

// dropNullData removes a null "data" member from a response.
func dropNullData(b []byte) []byte {
	var resp map[string]json.RawMessage
	if json.Unmarshal(b, &resp) != nil || string(resp["data"]) != "null" {
		return b
	}
	delete(resp, "data")
	out, err := json.Marshal(resp)
	if err != nil {
		return b
	}
	return out
}
