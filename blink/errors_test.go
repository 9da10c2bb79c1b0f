package blink

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorLayers_MapToTypedErrors(t *testing.T) {
	cases := map[string]struct {
		status int
		body   string
		want   error
		code   string
	}{
		"401 bad key":            {401, `{"error":{"code":401,"status":"Unauthorized","message":"Access credentials are invalid"}}`, ErrInvalidAPIKey, ""},
		"429 rate limit":         {429, `{"error":"too many requests"}`, ErrRateLimited, ""},
		"503 server":             {503, `upstream unavailable`, ErrServer, ""},
		"500 server":             {500, `{}`, ErrServer, ""},
		"400 bad request":        {400, `{"errors":[{"message":"Syntax Error","extensions":{"code":"GRAPHQL_PARSE_FAILED"}}]}`, nil, "GRAPHQL_PARSE_FAILED"},
		"extensions code":        {200, `{"data":null,"errors":[{"message":"Account not found","extensions":{"code":"NOT_FOUND"}}]}`, ErrNotFound, "NOT_FOUND"},
		"code without extension": {200, `{"data":null,"errors":[{"message":"db down","code":"DB_ERROR"}]}`, ErrDB, "DB_ERROR"},
		"no key":                 {200, `{"data":{"me":null},"errors":[{"message":"Not authorized","path":["me"]}]}`, ErrNotAuthenticated, ""},
		"code from message only": {200, `{"data":null,"errors":[{"message":"Invoice is already paid"}]}`, ErrLightningPayment, "LIGHTNING_PAYMENT_ERROR"},
		"under-scoped key":       {200, `{"data":null,"errors":[{"message":"Key is not authorized to read data","extensions":{"code":"UNEXPECTED_CLIENT_ERROR"}}]}`, ErrInsufficientScope, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, tc.status, tc.body) })
			c := newTestClient(t, srv.URL, WithScopes(ScopeRead), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			_, err := c.Me(bg())
			require.Error(t, err)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
			var e *Error
			if errors.As(err, &e) {
				assert.Equal(t, "Me", e.Operation)
				assert.Equal(t, tc.code, e.Code)
				assert.Equal(t, tc.status, e.HTTPStatus)
			} else {
				var se *ScopeError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, "Me", se.Operation)
				assert.Equal(t, ScopeRead, se.Needed)
			}
		})
	}
}

func TestErrorLayers_PathAndRetryAfterAreKept(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if n == 1 {
			writeJSON(w, 200, `{"data":null,"errors":[{"message":"Not found","path":["me","defaultAccount",0],"extensions":{"code":"NOT_FOUND"}}]}`)
			return
		}
		w.Header().Set("Retry-After", "3600")
		writeJSON(w, 429, `{}`)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	_, err := c.Me(bg())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{"me", "defaultAccount", "0"}, e.Path)

	_, err = c.Me(bg())
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 3600, e.RetryAfter)
	assert.True(t, IsTransient(err))
}

// Every code in errors.tsv has a sentinel, and IsTransient agrees with the
// file's "transient" and "permanent" kinds.
func TestErrorCodes_EveryDocumentedCodeHasASentinel(t *testing.T) {
	f, err := os.Open("../graphql/errors.tsv")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		code, kind := cols[0], cols[1]
		n++
		s := codeSentinel(code)
		require.NotNil(t, s, code)
		e := &Error{Code: code, Message: "x"}
		assert.ErrorIs(t, e, s, code)
		switch kind {
		case "transient":
			assert.True(t, IsTransient(e), code)
		case "permanent":
			assert.False(t, IsTransient(e), code)
		}
	}
	assert.GreaterOrEqual(t, n, 19)
}

func TestIsTransient_DependsOnMessage(t *testing.T) {
	assert.False(t, IsTransient(&Error{Code: "LIGHTNING_PAYMENT_ERROR", Message: "Invoice is already paid"}))
	assert.False(t, IsTransient(&Error{Code: "LIGHTNING_PAYMENT_ERROR", Message: "Payment was sent and is still in transition."}))
	assert.True(t, IsTransient(&Error{Code: "LIGHTNING_PAYMENT_ERROR", Message: "Temporary channel failure"}))
	assert.True(t, IsTransient(&Error{Code: "UNEXPECTED_CLIENT_ERROR", Message: "ResourceAttemptsRedlockServiceError"}))
	assert.False(t, IsTransient(&Error{Code: "UNEXPECTED_CLIENT_ERROR", Message: "Invalid callback URL"}))
	assert.False(t, IsTransient(&OutcomeUnknownError{Cause: &Error{sentinel: ErrServer}}))
	assert.False(t, IsTransient(errors.New("other")))
	assert.False(t, IsTransient(nil))
}
