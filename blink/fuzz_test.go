package blink

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/Khan/genqlient/graphql"
)

// FuzzErrorMapping feeds arbitrary HTTP statuses and bodies through the
// response mapping: it never panics, never reports success for a non-200,
// always gives an error the package's sentinels or types classify, and a
// send never ends in a plain failure when its answer was unreadable.
func FuzzErrorMapping(f *testing.F) {
	f.Add(200, `{"data":null,"errors":[{"message":"Not authorized","path":["me"]}]}`, false)
	f.Add(200, `{"data":null,"errors":[{"message":"x (code: AuthorizationError: not authorized to execute mutations)","extensions":{"code":"UNEXPECTED_CLIENT_ERROR"}}]}`, true)
	f.Add(401, `{"error":{"code":401,"status":"Unauthorized","message":"Access credentials are invalid"}}`, false)
	f.Add(409, `{"error":"the idempotency key already exist"}`, true)
	f.Add(400, `{"error":"X-Idempotency-Key header must be a UUID-v4"}`, true)
	f.Add(429, ``, false)
	f.Add(503, `<html>`, true)
	f.Add(200, `{"data":{"me":null},"errors":[{"message":"m","code":"DB_ERROR","path":[1,"a",{}]}]}`, false)
	f.Add(200, `{"data":`, true)
	f.Fuzz(func(t *testing.T, status int, body string, send bool) {
		if status < 100 || status > 599 {
			return
		}
		op := parseOp("Me", `query Me { me { id } }`)
		if send {
			op = parseOp("Pay", sendDoc)
		}
		s := &callState{op: op, idemKey: "00000000-0000-4000-8000-000000000000"}
		resp := &http.Response{StatusCode: status, Header: http.Header{}, Body: nopCloser{strings.NewReader(body)}}
		var data map[string]any
		err := (&Client{}).readResponse(s, resp, &graphql.Response{Data: &data})
		if status != 200 && err == nil {
			t.Fatalf("HTTP %d mapped to success", status)
		}
		if err == nil {
			return
		}
		var e *Error
		var se *ScopeError
		var ou *OutcomeUnknownError
		if !errors.As(err, &e) && !errors.As(err, &se) && !errors.As(err, &ou) {
			t.Fatalf("unclassified error %T: %v", err, err)
		}
		if send && status == 409 && !errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("a 409 on a send must be an unknown outcome: %v", err)
		}
		if status == 200 && send && !json.Valid([]byte(body)) && !errors.Is(err, ErrOutcomeUnknown) {
			t.Fatalf("an unreadable answer to a send must be an unknown outcome: %v", err)
		}
		_ = err.Error()
	})
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }
