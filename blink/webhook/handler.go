package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Defaults of HandlerOptions.
const (
	// DefaultMaxBodyBytes is the largest body a Handler reads: 1 MiB.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultTimeout is the deadline of the handler's function, well
	// under the 15 s in which Svix wants an answer.
	DefaultTimeout = 10 * time.Second
)

// Delivery is one verified, parsed delivery, as a Handler passes it to
// its function.
type Delivery struct {
	// ID is the Svix message id (svix-id), the same across every retry
	// and redelivery of the message.
	ID string
	// Timestamp is the signed time of this attempt (svix-timestamp).
	Timestamp time.Time
	// Event is the parsed body.
	Event Event
	// Payload is the raw body, as signed.
	Payload []byte
}

// HandlerOptions tunes NewHandler. The zero value is ready to use.
type HandlerOptions struct {
	// OldSecrets are more endpoint secrets that a delivery may be signed
	// with. When the secret is rotated in the Svix portal, Svix keeps
	// signing with the old one too for 24 hours: list it here meanwhile.
	OldSecrets []string
	// MaxBodyBytes bounds the body read: default DefaultMaxBodyBytes
	// (1 MiB). A longer body is answered 413 and never verified.
	MaxBodyBytes int64
	// Timeout is the deadline of the function's context: default
	// DefaultTimeout (10 s).
	Timeout time.Duration
	// Store de-duplicates deliveries by message id: default a
	// NewMemoryStore(nil), private to the handler.
	Store Store
	// Tolerance and Now are the VerifyOptions of every delivery.
	Tolerance time.Duration
	Now       func() time.Time
	// Logger receives one record per refused or failed delivery (and a
	// debug record per handled one); default none. Records hold the
	// message id, the event type, the status and the error, never the
	// secret, a signature or the body.
	Logger *slog.Logger
}

// Handler is an http.Handler that receives Blink's webhook deliveries:
// it reads the body (at most MaxBodyBytes), verifies it with the endpoint
// secret, parses it, and calls the function once per message id.
//
// Answers: 204 when the function returned nil, and for a message already
// handled (a retry); 405 for a method other than POST; 413 for a body
// over the limit; 400 with a fixed short body for a delivery that does
// not verify or does not parse (nothing of the request is echoed); 500
// when the function returned an error or panicked, 503 when it was still
// running at its deadline or the store failed, and 409 while another
// delivery of the same id is being handled: Svix retries every non-2xx
// answer, on its schedule, for about a day and a half.
//
// The contract is at-least-once: a message whose function call failed,
// timed out, or whose answer was lost on the way back is delivered
// again, and the default store forgets everything on restart. Write the
// function to be idempotent (key your side effects on the transaction id
// and status, or on the payment hash), and treat the event as a hint to
// check the ledger, not as the truth about money.
type Handler struct {
	v       verifier
	fn      func(context.Context, Delivery) error
	store   Store
	maxBody int64
	timeout time.Duration
	log     *slog.Logger
}

// NewHandler returns a Handler that verifies deliveries with secret (and
// opts.OldSecrets) and passes each new one to fn. The context fn gets
// ends at opts.Timeout; fn returning nil marks the message id as
// handled, and an error releases it for the next retry. opts may be nil.
//
// The error is ErrBadSecret when a secret is not a whsec_ secret, and an
// error for a nil fn.
func NewHandler(secret string, fn func(ctx context.Context, d Delivery) error, opts *HandlerOptions) (*Handler, error) {
	if fn == nil {
		return nil, errors.New("webhook: NewHandler needs a function")
	}
	var o HandlerOptions
	if opts != nil {
		o = *opts
	}
	h := &Handler{fn: fn, store: o.Store, maxBody: o.MaxBodyBytes, timeout: o.Timeout, log: o.Logger}
	for _, s := range append([]string{secret}, o.OldSecrets...) {
		key, err := decodeSecret(s)
		if err != nil {
			return nil, err
		}
		h.v.keys = append(h.v.keys, key)
	}
	h.v.tolerance, h.v.now = o.Tolerance, o.Now
	if h.store == nil {
		h.store = NewMemoryStore(nil)
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.timeout <= 0 {
		h.timeout = DefaultTimeout
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// reply writes a fixed answer: a status and a short text of our own.
func reply(w http.ResponseWriter, code int, text string) {
	if text == "" {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(text)+1))
	w.WriteHeader(code)
	_, _ = io.WriteString(w, text+"\n")
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if r.ContentLength > h.maxBody {
		h.log.WarnContext(ctx, "webhook: body over the limit", "limit", h.maxBody)
		reply(w, http.StatusRequestEntityTooLarge, "body too large")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.WarnContext(ctx, "webhook: body over the limit", "limit", h.maxBody)
			reply(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		h.log.WarnContext(ctx, "webhook: reading the body failed", "err", err)
		reply(w, http.StatusBadRequest, "unreadable body")
		return
	}

	id, ts, err := h.v.verify(body, r.Header)
	if err != nil {
		h.log.WarnContext(ctx, "webhook: delivery refused", "err", err)
		reply(w, http.StatusBadRequest, "invalid signature")
		return
	}
	ev, err := ParseEvent(body)
	if err != nil {
		h.log.ErrorContext(ctx, "webhook: verified delivery does not parse", "id", id, "err", err)
		reply(w, http.StatusBadRequest, "malformed event")
		return
	}

	switch res, err := h.store.Claim(ctx, id); {
	case err != nil:
		h.log.ErrorContext(ctx, "webhook: store claim failed", "id", id, "err", err)
		reply(w, http.StatusServiceUnavailable, "try again")
		return
	case res == AlreadyDone:
		h.log.DebugContext(ctx, "webhook: duplicate delivery", "id", id, "type", ev.Type())
		w.WriteHeader(http.StatusNoContent)
		return
	case res == InProgress:
		h.log.InfoContext(ctx, "webhook: delivery of this id in progress", "id", id, "type", ev.Type())
		reply(w, http.StatusConflict, "in progress")
		return
	case res != Claimed:
		h.log.ErrorContext(ctx, "webhook: store claim answered an unknown result", "id", id, "result", int(res))
		reply(w, http.StatusServiceUnavailable, "try again")
		return
	}

	// The call runs on its own goroutine so that the answer goes out at
	// the deadline even when fn ignores its context; the claim stays in
	// progress until fn returns, and only then is completed or released.
	fctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- h.call(fctx, id, Delivery{ID: id, Timestamp: ts, Event: ev, Payload: body})
	}()
	select {
	case err = <-done:
	case <-fctx.Done():
		select {
		case err = <-done: // finished at the deadline after all
		default:
			err = fctx.Err()
		}
	}
	switch {
	case err == nil:
		h.log.DebugContext(ctx, "webhook: delivery handled", "id", id, "type", ev.Type())
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, context.DeadlineExceeded) && fctx.Err() != nil:
		h.log.ErrorContext(ctx, "webhook: handler timed out", "id", id, "type", ev.Type(), "timeout", h.timeout)
		reply(w, http.StatusServiceUnavailable, "handler timed out")
	default:
		h.log.ErrorContext(ctx, "webhook: handler failed", "id", id, "type", ev.Type(), "err", err)
		reply(w, http.StatusInternalServerError, "handler failed")
	}
}

// call runs fn and then completes or releases the claim of id. A panic of
// fn releases the claim and becomes an error.
func (h *Handler) call(ctx context.Context, id string, d Delivery) (err error) {
	sctx := context.WithoutCancel(ctx) // the store calls outlive the request
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("webhook: handler panicked: %v", p)
		}
		if err != nil {
			if rerr := h.store.Release(sctx, id); rerr != nil {
				h.log.ErrorContext(sctx, "webhook: store release failed", "id", id, "err", rerr)
			}
			return
		}
		if cerr := h.store.Complete(sctx, id); cerr != nil {
			h.log.ErrorContext(sctx, "webhook: store complete failed", "id", id, "err", cerr)
			err = cerr
		}
	}()
	return h.fn(ctx, d)
}
