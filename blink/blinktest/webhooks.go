package blinktest

import (
	"context"
	"time"

	"github.com/blink-sdk/blink-go/internal/testserver"
)

// WithLoopbackWebhooks lets callback endpoints (AddCallbackEndpoint) and
// invoices' webhook URLs be http URLs of a loopback host, such as an
// httptest server's; by default only https URLs are accepted, as Blink's
// Svix does.
func WithLoopbackWebhooks() Option { return with(testserver.WithLoopbackWebhooks()) }

// WithWebhookTimeout sets how long a delivery attempt waits for a 2xx
// before it counts as failed; default 15 s, as Svix.
func WithWebhookTimeout(d time.Duration) Option { return with(testserver.WithWebhookTimeout(d)) }

// WebhookAttempt is one delivery attempt of the server's delivery log.
type WebhookAttempt struct {
	// MsgID is the message id (svix-id), the same across retries and
	// redeliveries.
	MsgID string
	// Endpoint is the URL the attempt posted to.
	Endpoint string
	// EventType is the event ("receive.lightning", "invoice.paid", ...).
	EventType string
	// Attempt is 1 for the first attempt of a message to an endpoint.
	Attempt int
	// StatusCode is the HTTP status of the answer, 0 without one.
	StatusCode int
	// Err is the transport error or timeout; "" when an answer came.
	Err string
	// OK reports a 2xx answer.
	OK bool
	// At is the time of the attempt by the server's clock.
	At time.Time
}

// WebhookRetrySchedule is Svix's delivery schedule, which the server
// follows: the delay before each attempt after the failure of the one
// before (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). The
// delays run on the server's clock: move a WithClock clock and call Tick.
var WebhookRetrySchedule = testserver.WebhookRetrySchedule

// WebhookSecret returns the whsec_ secret that signs the deliveries to
// the account's callback endpoints: the one a user copies from the portal
// that callbackPortalUrl links to. It panics if the account does not
// exist.
func (s *Server) WebhookSecret(accountID string) string { return s.ts.WebhookSecret(accountID) }

// InvoiceWebhookSecret returns the secret that signs the invoice.paid or
// invoice.expired delivery to an invoice's webhook URL, "" when it has
// none. Blink exposes no such secret: a receiver can only treat these
// deliveries as hints.
func (s *Server) InvoiceWebhookSecret(paymentHash string) string {
	return s.ts.InvoiceWebhookSecret(paymentHash)
}

// WebhookDeliveries returns every delivery attempt so far, oldest first.
func (s *Server) WebhookDeliveries() []WebhookAttempt {
	var out []WebhookAttempt
	for _, a := range s.ts.WebhookDeliveries() {
		out = append(out, WebhookAttempt(a))
	}
	return out
}

// RedeliverWebhook sends a message again, with the same message id, to
// each of its endpoints, as Svix's resend does; it reports whether the
// message exists.
func (s *Server) RedeliverWebhook(msgID string) bool { return s.ts.RedeliverWebhook(msgID) }

// WaitWebhooksIdle waits until no delivery attempt is running or due by
// the server's clock (retries due later do not count), or ctx ends. Call
// it after a payment, or after Tick, instead of sleeping.
func (s *Server) WaitWebhooksIdle(ctx context.Context) error { return s.ts.WaitWebhooksIdle(ctx) }
