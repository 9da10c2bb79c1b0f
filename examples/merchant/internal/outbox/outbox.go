// Package outbox delivers the events committed with the orders
// (order.paid, order.expired, order.paid_late) to each shop's webhook URL, signed as Svix
// signs (blink/webhook.Sign) under the tenant's own secret, retried with
// capped exponential backoff and jitter. An event is a row: it survives
// restarts and is delivered until the shop answers 2xx. Each attempt
// carries the event id as svix-id, so a shop deduplicates by it (a
// delivery whose 2xx was lost comes again: at-least-once on the wire,
// once in the shop).
package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/jitter"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/netguard"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

// Secrets opens a tenant's shop secret and says which addresses shop URLs
// may reach (tenants.Service).
type Secrets interface {
	OpenSecret(t *store.Tenant, field string) (string, error)
	ShopPolicy() netguard.Policy
}

// Deliverer drains the outbox.
type Deliverer struct {
	st   store.Store
	sec  Secrets
	log  *slog.Logger
	http *http.Client

	// Interval is the longest wait between two passes (default 5s).
	Interval time.Duration
	// Timeout bounds one delivery (default 10s); the claim's lease is a
	// little longer so that no other replica takes a row in flight.
	Timeout time.Duration
	// MaxBackoff caps the wait between attempts (default 1h).
	MaxBackoff time.Duration
	// Concurrency is how many deliveries run at once (default 16).
	Concurrency int
	// Delivered, when set, is called after each attempt (for metrics).
	Delivered func(ok bool)

	kick chan struct{}
}

// NewDeliverer returns a Deliverer. Its HTTP client connects only to
// addresses sec.ShopPolicy allows, checked on the resolved address as it
// dials (a shop's name that resolves to a private address is refused even
// though its URL passed registration), uses no proxy (which would dial for
// it), and follows no redirect (a 3xx is a failed attempt).
func NewDeliverer(st store.Store, sec Secrets, log *slog.Logger) *Deliverer {
	dialer := sec.ShopPolicy().Dialer()
	dialer.Timeout = 10 * time.Second
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &Deliverer{
		st: st, sec: sec, log: log,
		http:     &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		Interval: 5 * time.Second, Timeout: 10 * time.Second, MaxBackoff: time.Hour, Concurrency: 16,
		kick: make(chan struct{}, 1),
	}
}

// Kick asks for a pass now (an event was committed).
func (d *Deliverer) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends; a delivery in flight finishes first.
func (d *Deliverer) Run(ctx context.Context) {
	t := time.NewTicker(d.Interval)
	defer t.Stop()
	for {
		for d.RunOnce(ctx) > 0 && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.kick:
		}
	}
}

// RunOnce claims the due events and attempts each once; it returns how
// many it attempted.
func (d *Deliverer) RunOnce(ctx context.Context) int {
	evs, err := d.st.ClaimEvents(ctx, 50, d.Timeout+5*time.Second)
	if err != nil {
		if ctx.Err() == nil {
			d.log.ErrorContext(ctx, "outbox: claiming", "err", err)
		}
		return 0
	}
	sem := make(chan struct{}, max(d.Concurrency, 1))
	var wg sync.WaitGroup
	tc := &tenantCache{st: d.st, m: map[string]*tenantEntry{}}
	for i := range evs {
		sem <- struct{}{}
		wg.Add(1)
		go func(ev *store.Event) {
			defer func() { <-sem; wg.Done() }()
			// Deliveries finish even while the server shuts down: the
			// row is claimed, and a result not recorded is a retry.
			d.deliver(context.WithoutCancel(ctx), ev, tc)
		}(&evs[i])
	}
	wg.Wait()
	return len(evs)
}

func (d *Deliverer) deliver(ctx context.Context, ev *store.Event, tc *tenantCache) {
	err := d.attempt(ctx, ev, tc)
	if d.Delivered != nil {
		d.Delivered(err == nil)
	}
	if err == nil {
		if err := d.st.MarkDelivered(ctx, ev.ID); err != nil {
			d.log.ErrorContext(ctx, "outbox: recording delivery", "event", ev.ID, "err", err)
		}
		d.log.InfoContext(ctx, "event delivered", "tenant", ev.TenantID, "event", ev.ID, "type", ev.Type, "attempt", ev.Attempts)
		return
	}
	next := time.Now().Add(d.backoff(ev.Attempts))
	d.log.WarnContext(ctx, "event delivery failed", "tenant", ev.TenantID, "event", ev.ID, "attempt", ev.Attempts, "retry_at", next, "err", err.Error())
	if err := d.st.RetryEvent(ctx, ev.ID, next, err.Error()); err != nil {
		d.log.ErrorContext(ctx, "outbox: scheduling retry", "event", ev.ID, "err", err)
	}
}

var errNoURL = errors.New("the shop has registered no webhook URL")

func (d *Deliverer) attempt(ctx context.Context, ev *store.Event, tc *tenantCache) error {
	t, secret, err := tc.get(ctx, ev.TenantID, d.sec)
	if err != nil {
		return err
	}
	if t.ShopWebhookURL == "" {
		return errNoURL
	}
	body := []byte(ev.Payload)
	h, err := webhook.Sign(secret, ev.ID, time.Now(), body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, d.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.ShopWebhookURL, bytes.NewReader(body))
	if err != nil {
		// url.Parse's error quotes the whole URL, query string included.
		return errors.New("the shop's webhook URL does not parse")
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "blink-go-merchant/1")
	resp, err := d.http.Do(req)
	if err != nil {
		// The error names the URL: its query string may carry a secret,
		// and this message is logged and shown in /v1/events.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = RedactURL(ue.URL)
		}
		return fmt.Errorf("POST: %w", err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the shop answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// RedactURL returns raw's scheme, host and path only: no user info, query
// or fragment, which may carry a secret.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return u.String()
}

// backoff is 2^(attempt-1) seconds, capped, with +-20% jitter.
func (d *Deliverer) backoff(attempt int) time.Duration {
	b := time.Second << min(max(attempt-1, 0), 20)
	return jitter.Spread(min(b, d.MaxBackoff))
}

// tenantCache reads each tenant (and opens its secret) once per pass.
type tenantCache struct {
	st store.Store
	mu sync.Mutex
	m  map[string]*tenantEntry
}

type tenantEntry struct {
	once   sync.Once
	t      *store.Tenant
	secret string
	err    error
}

func (c *tenantCache) get(ctx context.Context, id string, sec Secrets) (*store.Tenant, string, error) {
	c.mu.Lock()
	e := c.m[id]
	if e == nil {
		e = &tenantEntry{}
		c.m[id] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.t, e.err = c.st.Tenant(ctx, id)
		if e.err != nil {
			e.err = fmt.Errorf("tenant: %w", e.err)
			return
		}
		if e.t.ShopWebhookURL == "" {
			return
		}
		e.secret, e.err = sec.OpenSecret(e.t, tenants.FieldShopWebhook)
		if e.err == nil && e.secret == "" {
			e.err = errors.New("the shop has no webhook secret")
		} else if e.err != nil {
			e.err = errors.New("the shop's webhook secret does not open")
		}
	})
	return e.t, e.secret, e.err
}
