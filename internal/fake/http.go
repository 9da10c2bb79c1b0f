package fake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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
	gql := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &resolver{s: s}}))
	gql.AddTransport(transport.Websocket{
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			if key, ok := p["X-API-KEY"].(string); ok && key != "" {
				if c, ok := s.lookupKey(key); ok {
					ctx = withCaller(ctx, c)
				}
			}
			return ctx, nil, nil
		},
	})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	gql.AroundRootFields(s.authorizeRootField)
	gql.SetErrorPresenter(presentError)
	gql.SetRecoverFunc(recoverPanic)

	mux := http.NewServeMux()
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) { s.serveGraphQL(gql, w, r) })
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
		gql.ServeHTTP(w, r)
		return
	}
	var body []byte
	var req gqlRequest
	if r.Method == http.MethodPost {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			return
		}
		_ = json.Unmarshal(body, &req)
	} else {
		req.Query, req.OperationName = r.URL.Query().Get("query"), r.URL.Query().Get("operationName")
	}
	op, doc := selectOperation(req)
	names := operationNames(req, op)
	s.countRequest(names)

	if f, ok := s.takeFault(names); ok {
		if f.Latency > 0 {
			t := time.NewTimer(f.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case f.Status != 0:
			writeEdgeStatus(w, f)
			return
		case f.DropBeforeExecute:
			dropConnection(w)
			return
		case f.DropAfterExecute:
			// The API handles the request in full; the answer is lost.
			s.serveAPI(gql, httptest.NewRecorder(), r, body, op, doc)
			dropConnection(w)
			return
		}
	}
	s.serveAPI(gql, w, r, body, op, doc)
}

// serveAPI is everything behind the edge. It reports whether the request
// reached GraphQL execution (and so could have executed a mutation).
func (s *Server) serveAPI(gql http.Handler, w http.ResponseWriter, r *http.Request, body []byte, op *ast.OperationDefinition, doc *ast.QueryDocument) bool {
	c := &caller{}
	if key := r.Header.Get("X-API-KEY"); key != "" {
		var ok bool
		if c, ok = s.lookupKey(key); !ok {
			writeJSON(w, http.StatusUnauthorized, unauthorizedBody)
			return false
		}
	}
	if !s.checkIdempotency(w, r) {
		return false
	}
	if op != nil && op.Operation == ast.Mutation {
		if n := complexity(doc, op.SelectionSet, true); n >= maxComplexity {
			writeJSON(w, http.StatusInternalServerError, fmt.Sprintf(
				`{"errors":[{"message":"Query too complex. Value of %d is over the maximum %d.","code":"INTERNAL_SERVER_ERROR","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`,
				n, maxComplexity))
			return false
		}
	}
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := httptest.NewRecorder()
	gql.ServeHTTP(rec, r.WithContext(withCaller(r.Context(), c)))
	rec.Body = bytes.NewBuffer(addTopLevelCodes(rec.Body.Bytes()))
	if rec.Code == http.StatusUnprocessableEntity {
		// gqlgen answers parse and validation failures with 422; Apollo
		// Server, in front of the real API, with 400 and no data.
		rec.Code = http.StatusBadRequest
		rec.Body = bytes.NewBuffer(dropNullData(rec.Body.Bytes()))
	}
	rec.Header().Del("Content-Length")
	copyResponse(w, rec)
	return true
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// addTopLevelCodes copies extensions.code of every top-level error to a
// top-level "code" field, as the real server's formatError does.
func addTopLevelCodes(b []byte) []byte {
	var resp map[string]json.RawMessage
	if json.Unmarshal(b, &resp) != nil || resp["errors"] == nil {
		return b
	}
	var errs []map[string]any
	dec := json.NewDecoder(bytes.NewReader(resp["errors"]))
	dec.UseNumber()
	if dec.Decode(&errs) != nil {
		return b
	}
	for _, e := range errs {
		if ext, ok := e["extensions"].(map[string]any); ok {
			if code, ok := ext["code"]; ok {
				e["code"] = code
			}
		}
	}
	raw, err := json.Marshal(errs)
	if err != nil {
		return b
	}
	resp["errors"] = raw
	out, err := json.Marshal(resp)
	if err != nil {
		return b
	}
	return out
}

// selectOperation parses the document and picks the operation to run.
func selectOperation(req gqlRequest) (*ast.OperationDefinition, *ast.QueryDocument) {
	doc, err := parser.ParseQuery(&ast.Source{Input: req.Query})
	if err != nil || len(doc.Operations) == 0 {
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
