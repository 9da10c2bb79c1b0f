// Package apperr is the error the server's packages return for a caller's
// mistake: an HTTP status, a machine-readable code and a message that says
// what to do. No message ever holds a key, secret or token.
package apperr

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Error is a caller's mistake (4xx) or an upstream failure (5xx) with a code.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New returns an *Error.
func New(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// As returns err's *Error, if it has one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Write answers e as {"error": {"code", "message"}} with its status.
func Write(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(map[string]*Error{"error": e})
}
