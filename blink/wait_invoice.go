package blink

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/bolt11"
)

// WaitInvoiceOptions tunes WaitForInvoice. The zero value is ready to use.
type WaitInvoiceOptions struct {
	// PollFloor is the shortest time between two HTTP checks of the
	// invoice that polling or a (re)subscribe asks for: default
	// DefaultPollFloor. A hint is checked sooner: see Hint.
	//
	// While the websocket is down the interval steps with the invoice's
	// age (from its payment request, or from the start of the wait when
	// given a hash): PollFloor for the first 3 minutes, then 10s, then 30s
	// after 15 minutes, each with 20% jitter and never under PollFloor nor
	// over MaxPollInterval. A stuck invoice polled for a day costs about
	// 3,000 requests, not the 28,800 of a fixed 3s.
	PollFloor time.Duration
	// MaxPollInterval caps the wait between checks, both the age steps
	// and the exponential backoff after failed checks: default 30s (never
	// under PollFloor).
	MaxPollInterval time.Duration
	// Hint, when it receives, asks for a check over HTTP now, or a second
	// after the previous check if that was less than a second ago
	// (PollFloor if it is shorter): feed it the invoice's webhook
	// deliveries, which are hints and never proof. Hints that arrive
	// while a check is planned make no more checks. A closed Hint counts
	// once. Client.HintInvoice does the same by payment hash, without a
	// channel.
	Hint <-chan struct{}
	// PollOnly leaves the websocket out and polls over HTTP only.
	PollOnly bool
}

// DefaultPollFloor is WaitInvoiceOptions.PollFloor's default.
const DefaultPollFloor = 3 * time.Second

// WaitForInvoice waits until a Blink invoice, given by payment hash (64
// hex digits) or payment request (a "lightning:" prefix removed), is
// paid or expires, or ctx ends. No key is needed: it works for invoices
// created on behalf of a recipient too.
//
// It returns the status with the preimage once the invoice is PAID, an
// *Error matching ErrInvoiceExpired once it is EXPIRED, ctx.Err() when
// ctx ends, an error matching ErrClientClosed when the client is closed
// (Client.Close ends every wait, polling ones too), and a non-transient
// error of the status query (an unknown invoice, for example) as it
// comes. Transient failures (network, 5xx, 429) are retried with backoff
// and never end the wait: each check is a single request (the client's
// RetryPolicy does not apply), retried after PollFloor, doubling up to
// MaxPollInterval, or after the server's Retry-After. PAID is final: once
// the subscription reports it without the preimage, later updates on it
// are ignored and the HTTP status decides.
//
// It follows the invoice's status subscription (InvoiceUpdates) while the
// client's websocket works, and checks over HTTP (query
// lnInvoicePaymentStatusByHash or ...ByPaymentRequest) once after every
// subscribe and resubscribe, because the server replays nothing sent
// while the websocket was down. While the websocket is down, or refused
// for good, it polls over HTTP instead, never more often than
// opts.PollFloor. Any number of concurrent waits share the client's one
// websocket.
func (c *Client) WaitForInvoice(ctx context.Context, invoice string, opts *WaitInvoiceOptions) (*InvoicePaymentStatus, error) {
	const op = "WaitForInvoice"
	var o WaitInvoiceOptions
	if opts != nil {
		o = *opts
	}
	if o.PollFloor <= 0 {
		o.PollFloor = DefaultPollFloor
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = 30 * time.Second
	}
	o.MaxPollInterval = max(o.MaxPollInterval, o.PollFloor)
	byHash := isHex64(invoice)
	if !byHash && stripLightningPrefix(invoice) == "" {
		return nil, invalidInput(op, "the payment request is empty")
	}
	hash, born := strings.ToLower(invoice), time.Now()
	if !byHash {
		hash = ""
		if inv, err := bolt11.Decode(stripLightningPrefix(invoice)); err == nil {
			hash, born = inv.PaymentHash, inv.Timestamp
		}
	}
	var hinted <-chan struct{}
	if hash != "" {
		ch, unwatch := c.hints.watch(hash)
		defer unwatch()
		hinted = ch
	}
	// One attempt per check: the wait's own backoff, which honours
	// PollFloor, retries a failed one (the client's RetryPolicy would
	// send several requests 250 ms apart).
	check := func(ctx context.Context) (*InvoicePaymentStatus, error) {
		ctx = withSingleAttempt(ctx)
		if byHash {
			return c.InvoiceStatus(ctx, invoice)
		}
		return c.InvoiceStatusByPaymentRequest(ctx, invoice)
	}
	expired := func() error {
		return &Error{Operation: op, Message: "the invoice expired unpaid", sentinel: ErrInvoiceExpired}
	}
	closedErr := func() error {
		return &Error{Operation: op, Message: "the client was closed", sentinel: ErrClientClosed}
	}
	// Close ends the wait even when no subscription carries it (PollOnly,
	// or the websocket refused for good).
	closed := c.closedChan()

	var sub *rtSub
	var decode func(json.RawMessage) (*InvoicePaymentStatus, error)
	var ready <-chan struct{}
	now := time.Now()
	due := now // the next HTTP check; zero: none planned
	if !o.PollOnly {
		s, d, err := c.invoiceSubscription(op, invoice)
		if err != nil {
			return nil, err
		}
		defer s.stop()
		sub, ready, decode = s, s.ready(), d
		// The subscribe (and its check) normally comes first; this
		// check is for a websocket that does not come up.
		due = now.Add(o.PollFloor)
	}
	var lastCheck time.Time
	wsUp := false
	failures := 0
	// paidSeen: the stream said PAID (without a preimage). PAID is
	// final: later stream events (an older server's EXPIRED) are ignored
	// and the HTTP checks decide.
	paidSeen := false
	// plan asks for a check at t, or once PollFloor has passed since the
	// last one, keeping an earlier plan; planAfter with another gap.
	var planAfter func(t time.Time, gap time.Duration)
	plan := func(t time.Time) { planAfter(t, o.PollFloor) }
	planAfter = func(t time.Time, gap time.Duration) {
		if !lastCheck.IsZero() {
			if f := lastCheck.Add(gap); t.Before(f) {
				t = f
			}
		}
		if due.IsZero() || t.Before(due) {
			due = t
		}
	}
	hint := o.Hint
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var fire <-chan time.Time
		if !due.IsZero() {
			timer.Reset(max(time.Until(due), 0))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-closed:
			return nil, closedErr()
		case _, ok := <-hint:
			if !ok {
				hint = nil
			}
			planAfter(time.Now(), hintGap(o.PollFloor))
			continue
		case <-hinted:
			planAfter(time.Now(), hintGap(o.PollFloor))
			continue
		case <-ready:
			for {
				ev, ok := sub.poll()
				if !ok {
					break
				}
				switch ev.kind {
				case rtSubscribed:
					wsUp = true
					at := time.Now()
					if ev.reconnect {
						// Every wait of the client resubscribes at once:
						// spread their checks over up to a second.
						at = at.Add(rand.N(min(o.PollFloor, time.Second)))
					}
					plan(at)
				case rtDown:
					wsUp = false
					plan(time.Now())
				case rtEnd:
					if errors.Is(ev.err, ErrClientClosed) {
						return nil, ev.err
					}
					// Refused for good or ended by the server: poll.
					c.log.Debug("blink: WaitForInvoice polls: the subscription ended", "error", c.logText(ev.err))
					sub, ready, wsUp = nil, nil, false
					plan(time.Now())
				case rtNext:
					if paidSeen {
						break // PAID is final: the HTTP checks decide
					}
					st, err := decode(ev.payload)
					switch {
					case err != nil:
						plan(time.Now()) // let the HTTP answer decide
					case st.Status == InvoicePaid && st.Preimage != "":
						return st, nil
					case st.Status == InvoicePaid:
						paidSeen = true
						plan(time.Now()) // paid without a preimage: read it over HTTP
					case st.Status == InvoiceExpired:
						return nil, expired()
					}
				}
				if sub == nil {
					break
				}
			}
			continue
		case <-fire:
		}
		if due.IsZero() || time.Now().Before(due) {
			continue
		}
		// Check over HTTP.
		select {
		case <-closed:
			return nil, closedErr()
		default:
		}
		due = time.Time{}
		st, err := check(ctx)
		// From the end of the check: the next request comes at least
		// PollFloor after this one's, however long it took.
		lastCheck = time.Now()
		if c.hints.checked != nil {
			c.hints.checked(wsUp)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if !IsTransient(err) {
				return nil, err
			}
			failures++
			step := o.PollFloor
			for i := 1; i < failures && step < o.MaxPollInterval; i++ {
				step *= 2
			}
			wait := jitterUp(min(step, o.MaxPollInterval))
			var e *Error
			if errors.As(err, &e) && e.RetryAfter > 0 {
				wait = max(wait, min(time.Duration(e.RetryAfter)*time.Second, c.retry.MaxRetryAfter))
			}
			due = lastCheck.Add(wait)
			continue
		}
		failures = 0
		switch st.Status {
		case InvoicePaid:
			return st, nil
		case InvoiceExpired:
			return nil, expired()
		}
		if !wsUp || paidSeen {
			// Polling: the websocket is down, or it said PAID and the
			// HTTP status does not yet (only HTTP decides now).
			due = lastCheck.Add(pollInterval(lastCheck.Sub(born), o.PollFloor, o.MaxPollInterval))
		}
	}
}

// hintGap is the shortest time from a check to one a hint asks for: a
// second, or the poll floor if it is shorter. A flood of hints costs at
// most one check a second.
func hintGap(floor time.Duration) time.Duration { return min(floor, time.Second) }

// pollInterval is the wait before the next check of an invoice of the
// given age while the websocket is down: floor for the first 3 minutes,
// 10s until 15 minutes, 30s after, clamped to [floor, ceiling], with 20%
// jitter that never goes under floor (the steps follow the polling budget
// in Blink's notes for LNURL verify, which has the same problem).
func pollInterval(age, floor, ceiling time.Duration) time.Duration {
	step := floor
	switch {
	case age >= 15*time.Minute:
		step = 30 * time.Second
	case age >= 3*time.Minute:
		step = 10 * time.Second
	}
	step = min(max(step, floor), ceiling)
	if step == floor {
		return jitterUp(step)
	}
	return max(step-step/5+rand.N(2*step/5+1), floor)
}

// jitter returns d plus up to 20%.
func jitterUp(d time.Duration) time.Duration { return d + rand.N(d/5+1) }
