package blink

// payloadErr is what every generated payload error has: the errors inside a
// mutation's payload (the second error channel, with HTTP 200).
type payloadErr interface {
	GetCode() *string
	GetMessage() string
	GetPath() []*string
}

// payloadError maps a payload's errors list: nil when it is empty (success),
// otherwise an *Error for the first entry, scrubbed of c's API key (c may
// be nil when the caller scrubs the outcome itself). A null code (input validation)
// is filled in from the few messages whose meaning is known, and otherwise
// becomes INVALID_INPUT, which is what a validation failure is.
func payloadError[E any, P interface {
	*E
	payloadErr
}](c *Client, op string, errs []E) error {
	if len(errs) == 0 {
		return nil
	}
	first := P(&errs[0])
	e := &Error{Operation: op, Message: first.GetMessage(), HTTPStatus: 200}
	if c := first.GetCode(); c != nil && *c != "" {
		e.Code = *c
	} else {
		e.Code = codeFromMessage(e.Message)
		if e.Code == "" {
			e.sentinel = ErrInvalidInput
		}
	}
	for _, p := range first.GetPath() {
		if p != nil {
			e.Path = append(e.Path, *p)
		}
	}
	if len(errs) > 1 {
		e.Message += " (and more errors)"
	}
	if c == nil {
		return e
	}
	return c.scrub(e)
}
