package blink

import (
	"errors"
	"strings"

	"github.com/blink-sdk/blink-go/internal/redact"
)

// redact removes from s every run of 8 or more characters of the client's
// API key. Server answers can echo a request's headers; nothing that
// reaches an error, a log record or a printed value keeps a piece of the
// key.
func (c *Client) redact(s string) string {
	if c.key.empty() {
		return s
	}
	k := c.key.header()
	if strings.Contains(s, k) {
		s = strings.ReplaceAll(s, k, c.key.String()) // the whole key: its printable form
	}
	return redact.Secret(s, k)
}

// scrub removes pieces of the API key from every string an error carries:
// the message, code and path of each *Error in the chain, and the text of
// a foreign cause (a custom RoundTripper's error, say), which is replaced
// by its scrubbed text when it holds a piece.
func (c *Client) scrub(err error) error {
	if err == nil || c.key.empty() {
		return err
	}
	key := c.key.header()
	for e := err; e != nil; {
		switch x := e.(type) {
		case *Error:
			// Written only when a piece is there: an error shared by
			// several waiters (see learnt) is scrubbed once, by its maker,
			// and then only read.
			if redact.Contains(x.Message, key) {
				x.Message = c.redact(x.Message)
			}
			if redact.Contains(x.Code, key) {
				x.Code = c.redact(x.Code)
			}
			for i, p := range x.Path {
				if redact.Contains(p, key) {
					x.Path[i] = c.redact(p)
				}
			}
			if x.cause != nil && redact.Contains(x.cause.Error(), key) {
				x.cause = errors.New(redact.Secret(x.cause.Error(), key))
			}
			e = x.cause
		case *OutcomeUnknownError:
			for _, f := range []*string{&x.Recipient, &x.PaymentHash, &x.PaymentRequest, &x.Memo, &x.WalletID} {
				if redact.Contains(*f, key) {
					*f = c.redact(*f)
				}
			}
			if x.Cause != nil && !isOwnError(x.Cause) && redact.Contains(x.Cause.Error(), key) {
				x.Cause = errors.New(redact.Secret(x.Cause.Error(), key))
			}
			e = x.Cause
		default:
			e = errors.Unwrap(e)
		}
	}
	return err
}

func isOwnError(err error) bool {
	switch err.(type) {
	case *Error, *OutcomeUnknownError, *ScopeError:
		return true
	}
	return false
}
