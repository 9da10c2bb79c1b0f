package fake

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// In production a request passes an auth proxy, then an Apollo router, then
// the API. The router reshapes two kinds of answers, and the fake does the
// same unless Config.RawAPIErrors is set:
//
//   - A non-2xx answer of the API's own HTTP middleware (the idempotency
//     key's 409 and 400, the complexity limit's 500) becomes HTTP 200 with
//     data null and one error whose extensions.code is SUBREQUEST_HTTP_ERROR
//     and whose message names the status ("HTTP fetch failed from 'public':
//     409: Conflict"). When the API's body was a GraphQL response (the
//     complexity error), its errors follow that one.
//   - Top-level GraphQL errors lose the non-standard top-level "code" the
//     API's formatError adds; the fake drops extensions.code as well, so
//     that a client sees message, path and locations only.
//
// The router's own answers (401 from the auth proxy, 400 for documents that
// do not parse or validate) are left as they are.

// routerSubgraph is the name the router knows the API by in its errors.
const routerSubgraph = "public"

// Raw bodies of the API's idempotency middleware
// (core/api/src/servers/middlewares/idempotency.ts).
const (
	idemConflictBody  = `{"error":"the idempotency key already exist"}`
	idemNotSingleBody = `{"error":"X-Idempotency-Key header must be a single string"}`
	idemNotUUIDBody   = `{"error":"X-Idempotency-Key header must be a UUID-v4"}`
)

// apiRefusal is an answer of the API's HTTP middleware, before GraphQL
// execution: its status, its raw body and, when that body is a GraphQL
// response, the messages of its errors (which the router passes on).
type apiRefusal struct {
	status   int
	body     string
	messages []string
}

// conflict is the API's answer to a reused idempotency key.
var conflict = apiRefusal{status: http.StatusConflict, body: idemConflictBody}

// complexityRefusal is the API's answer to a mutation over the complexity
// limit: Apollo Server answers an error thrown in didResolveOperation with
// 500, formatted by formatError (message and top-level code).
func complexityRefusal(n int) apiRefusal {
	msg := fmt.Sprintf("Query too complex. Value of %d is over the maximum %d.", n, maxComplexity)
	body, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"message": msg, "code": "INTERNAL_SERVER_ERROR", "extensions": map[string]any{"code": "INTERNAL_SERVER_ERROR"},
	}}})
	return apiRefusal{status: http.StatusInternalServerError, body: string(body), messages: []string{msg}}
}

// refuse writes an apiRefusal as the client sees it: as the API sends it
// with RawAPIErrors, otherwise as the router reshapes it.
func (s *Server) refuse(w http.ResponseWriter, a apiRefusal) {
	if s.cfg.RawAPIErrors {
		writeJSON(w, a.status, a.body)
		return
	}
	writeJSON(w, http.StatusOK, routerErrorBody(a.status, a.messages...))
}

// routerErrorBody is the router's answer to an API answer of status whose
// body carried GraphQL errors with the given messages (none for a body that
// is not GraphQL).
func routerErrorBody(status int, messages ...string) string {
	type httpExt struct {
		Status int `json:"status"`
	}
	type fetchExt struct {
		Code    string  `json:"code"`
		Service string  `json:"service"`
		Reason  string  `json:"reason"`
		HTTP    httpExt `json:"http"`
	}
	type fetchErr struct {
		Message    string   `json:"message"`
		Path       []any    `json:"path"`
		Extensions fetchExt `json:"extensions"`
	}
	type passedErr struct {
		Message string `json:"message"`
	}
	reason := strconv.Itoa(status) + ": " + http.StatusText(status)
	errs := []any{fetchErr{
		Message: "HTTP fetch failed from '" + routerSubgraph + "': " + reason,
		Path:    []any{},
		Extensions: fetchExt{
			Code: "SUBREQUEST_HTTP_ERROR", Service: routerSubgraph, Reason: reason, HTTP: httpExt{Status: status},
		},
	}}
	for _, m := range messages {
		errs = append(errs, passedErr{Message: m})
	}
	b, _ := json.Marshal(struct {
		Data   *struct{} `json:"data"`
		Errors []any     `json:"errors"`
	}{Errors: errs})
	return string(b)
}

// How rewriteTopLevelErrors treats the codes of top-level errors.
type codeMode int

const (
	// addCodes copies extensions.code to a top-level "code", as the
	// API's formatError does (the raw form).
	addCodes codeMode = iota
	// dropCodes removes both, as a production client sees them.
	dropCodes
)

// rewriteTopLevelErrors rewrites the codes of the top-level errors of a
// GraphQL response per mode. A body without top-level errors, or that does
// not decode, is returned as it is.
func rewriteTopLevelErrors(b []byte, mode codeMode) []byte {
	if !mayHaveTopLevelErrors(b) {
		return b
	}
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
		ext, _ := e["extensions"].(map[string]any)
		switch mode {
		case addCodes:
			if code, ok := ext["code"]; ok {
				e["code"] = code
			}
		case dropCodes:
			delete(e, "code")
			if ext != nil {
				delete(ext, "code")
				if len(ext) == 0 {
					delete(e, "extensions")
				}
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

// datedWriter sets the Date header of a response from the fake's clock
// when the header is written, so that a client comparing it with its own
// clock sees the fake's time (net/http only adds a Date when there is
// none).
type datedWriter struct {
	http.ResponseWriter
	now     func() time.Time
	stamped bool
}

func (d *datedWriter) stamp() {
	if !d.stamped {
		d.stamped = true
		if h := d.Header(); h.Get("Date") == "" {
			h.Set("Date", d.now().UTC().Format(http.TimeFormat))
		}
	}
}

func (d *datedWriter) WriteHeader(code int) {
	d.stamp()
	d.ResponseWriter.WriteHeader(code)
}

func (d *datedWriter) Write(p []byte) (int, error) {
	d.stamp()
	return d.ResponseWriter.Write(p)
}

// Hijack lets dropConnection close the connection under the wrapper.
func (d *datedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := d.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	return hj.Hijack()
}

// Unwrap serves http.ResponseController.
func (d *datedWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }
