package testserver

import (
	"context"
	"time"

	"github.com/blink-sdk/blink-go/internal/fake"
)

// WithLoopbackWebhooks lets callback endpoints and invoices' webhookUrl be
// http URLs of a loopback host (an httptest server); by default only https
// URLs are accepted, as Blink's Svix does.
func WithLoopbackWebhooks() Option {
	return func(o *options) { o.cfg.AllowInsecureCallbacks = true }
}

// WithWebhookTimeout sets how long a delivery attempt waits for its
// answer before it counts as failed; default 15 s, as Svix.
func WithWebhookTimeout(d time.Duration) Option {
	return func(o *options) { o.cfg.WebhookTimeout = d }
}

// WebhookAttempt is one delivery attempt: message id (the same across
// retries), endpoint URL, event type, attempt number (1 first), the HTTP
// status (0 without an answer) or the error, and the time by the server's
// clock.
type WebhookAttempt = fake.WebhookAttempt

// WebhookRetrySchedule is Svix's schedule, which the server follows: the
// delay before each attempt after the failure of the one before (the
// first is immediate; then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). The
// delays run on the server's clock: move a WithClock clock and call Tick.
var WebhookRetrySchedule = fake.WebhookRetrySchedule

// WebhookSecret returns the whsec_ secret that signs deliveries to the
// account's callback endpoints, the one callbackPortalUrl shows. It
// panics if the account does not exist.
func (s *Server) WebhookSecret(accountID string) string { return s.fake.WebhookSecret(accountID) }

// InvoiceWebhookSecret returns the secret that signs the delivery to an
// invoice's webhookUrl ("" without one). Blink exposes no such secret.
func (s *Server) InvoiceWebhookSecret(paymentHash string) string {
	return s.fake.InvoiceWebhookSecret(paymentHash)
}

// WebhookDeliveries returns every delivery attempt so far, oldest first.
func (s *Server) WebhookDeliveries() []WebhookAttempt { return s.fake.WebhookDeliveries() }

// RedeliverWebhook sends a message again, with the same id, to each of
// its endpoints; it reports whether the message exists.
func (s *Server) RedeliverWebhook(msgID string) bool { return s.fake.RedeliverWebhook(msgID) }

// WaitWebhooksIdle waits until no delivery attempt is running or due by
// the server's clock (retries due later do not count), or ctx ends.
func (s *Server) WaitWebhooksIdle(ctx context.Context) error { return s.fake.WaitWebhooksIdle(ctx) }
