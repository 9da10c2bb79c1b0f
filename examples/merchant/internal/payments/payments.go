// Package payments learns that orders were paid, three ways merged: the
// realtime stream of each key-holding tenant (MyUpdates), Blink's webhooks
// (verified with blink/webhook, then checked against Blink), and a
// reconciler that asks Blink about every open order at start-up,
// periodically, and right after every (re)subscribe of a stream. Whichever
// sees a payment first moves the order (orders.Service.Settle: a
// conditional UPDATE); the others change nothing.
//
// A payment can also settle after the order expired (accepted before the
// expiry, e.g. a held HTLC, settled after Blink said EXPIRED and the shop
// was told order.expired): every path records it as paid_late
// (orders.Service.RecordPayment), and the reconciler keeps checking
// expired orders for LateWindow after their expiry, less often than open
// ones (LateLease), so that such a payment is never silently kept.
package payments

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/apperr"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/jitter"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/orders"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

// The paths that detect a payment (orders.paid_via).
const (
	ViaStream     = "stream"
	ViaWebhook    = "webhook"
	ViaReconciler = "reconciler"
	ViaWatcher    = "watcher" // the SDK's shared InvoiceWatcher (keyless tenants)
)

// Ref is the stored invoice of an order, as receivers check it.
func Ref(o *store.Order) tenants.InvoiceRef {
	return tenants.InvoiceRef{PaymentRequest: o.PaymentRequest, PaymentHash: o.PaymentHash, Sats: o.InvoiceSats,
		VerifyURL: o.VerifyURL, Path: o.ReceivePath, CreatedAt: o.CreatedAt, ExpiresAt: o.ExpiresAt}
}

// Tenants is what the detector needs of the tenants service.
type Tenants interface {
	Receiver(ctx context.Context, tenantID string) (tenants.Receiver, error)
	OpenSecret(t *store.Tenant, field string) (string, error)
}

// Detector runs the three paths.
type Detector struct {
	st     store.Store
	tn     Tenants
	orders *orders.Service
	log    *slog.Logger

	// Interval is the reconciler's period (default 30s); Lease is how long
	// a claimed order is left alone by other replicas (default Interval).
	Interval time.Duration
	// LateWindow is how long after an invoice's expiry the reconciler
	// still looks for a late payment of an expired order (default 24h: a
	// held HTLC can settle long after); LateLease is how long a checked
	// expired order is left alone (default 10 × Interval).
	LateWindow time.Duration
	LateLease  time.Duration
	// NoStreams turns the realtime streams off (tests of the reconciler alone).
	NoStreams bool
	// Forget, when set, drops a tenant's cached client once it is no
	// longer active (disconnected through another replica).
	Forget func(tenantID string)

	mu       sync.Mutex
	ctx      context.Context
	watches  map[string]context.CancelFunc
	invoices map[string]bool // tenant/hash of invoices with the shared watcher
	wg       sync.WaitGroup
	kick     chan struct{}
}

// NewDetector returns a Detector.
func NewDetector(st store.Store, tn Tenants, o *orders.Service, log *slog.Logger) *Detector {
	return &Detector{st: st, tn: tn, orders: o, log: log, Interval: 30 * time.Second, LateWindow: 24 * time.Hour,
		watches: map[string]context.CancelFunc{}, invoices: map[string]bool{}, kick: make(chan struct{}, 1)}
}

// Run starts a stream per active key tenant and the reconciler, until ctx
// ends; it returns once every goroutine it started has.
func (d *Detector) Run(ctx context.Context) {
	d.mu.Lock()
	d.ctx = ctx
	d.mu.Unlock()
	// At start-up every open order is checked, whatever its claim says: a
	// payment can have landed while no process ran.
	if ts, err := d.st.ActiveTenants(ctx); err == nil {
		for _, t := range ts {
			d.ReconcileTenant(ctx, t.ID)
			d.Watch(t.ID)
		}
	} else {
		d.log.ErrorContext(ctx, "listing tenants", "err", err)
	}
	t := time.NewTicker(d.Interval)
	defer t.Stop()
	for {
		d.ReconcileDue(ctx)
		d.SyncWatches(ctx)
		select {
		case <-ctx.Done():
			d.wg.Wait()
			return
		case <-t.C:
		case <-d.kick:
		}
	}
}

// SyncWatches follows tenants connected and disconnected through other
// replicas: a stream per active tenant, none (and no cached key) for the
// rest. Run calls it after every reconciler pass.
func (d *Detector) SyncWatches(ctx context.Context) {
	ts, err := d.st.ActiveTenants(ctx)
	if err != nil {
		return
	}
	active := map[string]bool{}
	for _, t := range ts {
		active[t.ID] = true
		d.Watch(t.ID)
	}
	d.mu.Lock()
	var gone []string
	for id := range d.watches {
		if !active[id] {
			gone = append(gone, id)
		}
	}
	d.mu.Unlock()
	for _, id := range gone {
		// The list was read before a tenant connected meanwhile (its
		// stream started at once): ask for this one again before ending
		// a stream that is in fact wanted.
		if t, err := d.st.Tenant(ctx, id); err == nil && t.Status == store.StatusActive {
			continue
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			continue // unknown: keep it, the next pass asks again
		}
		d.Unwatch(id)
		if d.Forget != nil {
			d.Forget(id)
		}
	}
}

// Kick asks the reconciler for a pass now.
func (d *Detector) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Watch starts the tenant's stream (if the detector runs and the tenant's
// receiver has one).
func (d *Detector) Watch(tenantID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil || d.NoStreams || d.watches[tenantID] != nil {
		return
	}
	ctx, cancel := context.WithCancel(d.ctx)
	d.watches[tenantID] = cancel
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		d.watch(ctx, tenantID)
	}()
}

// Unwatch stops the tenant's stream.
func (d *Detector) Unwatch(tenantID string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.watches[tenantID]; c != nil {
		c()
		delete(d.watches, tenantID)
	}
}

func (d *Detector) watch(ctx context.Context, tenantID string) {
	backoff := time.Second
	for ctx.Err() == nil {
		rx, err := d.tn.Receiver(ctx, tenantID)
		if err != nil {
			d.log.WarnContext(ctx, "stream: no receiver", "tenant", tenantID, "err", err)
			if _, ok := apperr.As(err); ok || errors.Is(err, store.ErrNotFound) {
				return // disconnected
			}
		} else if w := rx.Watcher(); w != nil {
			t, err := d.st.Tenant(ctx, tenantID)
			if err != nil {
				return
			}
			// Open orders are checked before the stream starts and again
			// once its subscription is live: a payment landing in between
			// is seen by the second check (the lesson from BTCPay's
			// listener: poll right after every (re)subscribe). Later
			// resubscriptions are caught up by MyUpdates from the ledger.
			d.ReconcileTenant(ctx, tenantID)
			err = w.Watch(ctx, t.LastTxID, func(hash, txID string) {
				if _, err := d.orders.MarkPaidByHash(ctx, tenantID, hash, ViaStream); err != nil {
					d.log.ErrorContext(ctx, "stream: settling", "tenant", tenantID, "err", err)
				}
				if txID != "" {
					d.st.SetLastTransaction(ctx, tenantID, txID)
				}
			}, func() {
				d.wg.Add(1)
				go func() { defer d.wg.Done(); d.ReconcileTenant(ctx, tenantID) }()
			})
			if ctx.Err() != nil {
				return
			}
			d.log.WarnContext(ctx, "stream ended", "tenant", tenantID, "err", err)
			if errors.Is(err, blink.ErrInvalidAPIKey) || errors.Is(err, blink.ErrInsufficientScope) || errors.Is(err, blink.ErrClientClosed) {
				return // the reconciler still covers the tenant
			}
		} else {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(jitter.Spread(backoff)):
		}
		backoff = min(backoff*2, 5*time.Minute)
	}
}

// ReconcileDue checks every open order whose check is due, then every
// order expired within LateWindow whose check is due (both claimed with
// the orders' check_after, so replicas share the work), in batches. It
// returns how many orders it checked.
func (d *Detector) ReconcileDue(ctx context.Context) int {
	n := d.reconcileClaimed(ctx, func() ([]store.Order, error) { return d.st.ClaimOpenOrders(ctx, 100, d.Interval) })
	since := time.Now().Add(-d.lateWindow())
	return n + d.reconcileClaimed(ctx, func() ([]store.Order, error) {
		return d.st.ClaimExpiredOrders(ctx, since, 100, d.lateLease())
	})
}

func (d *Detector) reconcileClaimed(ctx context.Context, claim func() ([]store.Order, error)) int {
	n := 0
	for ctx.Err() == nil {
		batch, err := claim()
		if err != nil {
			d.log.ErrorContext(ctx, "reconciler: claiming", "err", err)
			return n
		}
		for i := range batch {
			d.check(ctx, &batch[i])
		}
		n += len(batch)
		if len(batch) < 100 {
			return n
		}
	}
	return n
}

func (d *Detector) lateWindow() time.Duration {
	if d.LateWindow > 0 {
		return d.LateWindow
	}
	return 24 * time.Hour
}

func (d *Detector) lateLease() time.Duration {
	if d.LateLease > 0 {
		return d.LateLease
	}
	return 10 * d.Interval
}

// ReconcileTenant checks every open order of one tenant now, and its
// orders expired within LateWindow (for a late payment).
func (d *Detector) ReconcileTenant(ctx context.Context, tenantID string) {
	os, err := d.st.OpenOrders(ctx, tenantID, 1000)
	if err != nil {
		d.log.ErrorContext(ctx, "reconciler: listing", "tenant", tenantID, "err", err)
		return
	}
	for i := range os {
		d.check(ctx, &os[i])
		d.WatchOrder(&os[i])
	}
	// Orders expired in the last hour too (a held payment settles late);
	// older ones, up to LateWindow, are the periodic pass's (ReconcileDue),
	// so that a stream that resubscribes often costs few checks.
	ex, err := d.st.ExpiredOrders(ctx, tenantID, time.Now().Add(-min(d.lateWindow(), time.Hour)), 100)
	if err != nil {
		d.log.ErrorContext(ctx, "reconciler: listing expired", "tenant", tenantID, "err", err)
		return
	}
	for i := range ex {
		d.check(ctx, &ex[i])
	}
}

// WatchOrder hands an open order of a keyless tenant to the SDK's shared
// InvoiceWatcher (its receiver implements tenants.InvoiceWatching); other
// tenants' orders are left to their stream. It is called for each new
// order and for every open one at start-up; a paid result settles the
// order (ViaWatcher), any other end asks the reconciler's check (which
// expires the order only on Blink's word).
func (d *Detector) WatchOrder(o *store.Order) {
	d.mu.Lock()
	ctx := d.ctx
	key := o.TenantID + "/" + o.PaymentHash
	if ctx == nil || ctx.Err() != nil || o.PaymentHash == "" || o.Status != store.OrderCreated || d.invoices[key] {
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	rx, err := d.tn.Receiver(ctx, o.TenantID)
	if err != nil {
		return
	}
	iw, ok := rx.(tenants.InvoiceWatching)
	if !ok {
		return
	}
	d.mu.Lock()
	if d.invoices[key] {
		d.mu.Unlock()
		return
	}
	d.invoices[key] = true
	d.wg.Add(1)
	d.mu.Unlock()
	ch := iw.WatchInvoice(Ref(o))
	oc := *o
	go func() {
		defer d.wg.Done()
		defer func() { d.mu.Lock(); delete(d.invoices, key); d.mu.Unlock() }()
		select {
		case <-ctx.Done():
		case res := <-ch:
			switch {
			case res.Err == nil:
				if _, err := d.orders.MarkPaidByHash(ctx, oc.TenantID, oc.PaymentHash, ViaWatcher); err != nil {
					d.log.ErrorContext(ctx, "watcher: settling", "tenant", oc.TenantID, "order", oc.OrderID, "err", err)
				}
			case errors.Is(res.Err, blink.ErrClientClosed):
			default:
				d.check(ctx, &oc)
			}
		}
	}()
}

// check asks Blink about one open or expired order and settles it: an
// open one paid or expired, an expired one paid_late when Blink says paid.
func (d *Detector) check(ctx context.Context, o *store.Order) {
	if o.Status != store.OrderCreated && o.Status != store.OrderExpired {
		return
	}
	rx, err := d.tn.Receiver(ctx, o.TenantID)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := rx.InvoiceStatus(ctx, Ref(o))
	if err != nil {
		d.log.WarnContext(ctx, "reconciler: status", "tenant", o.TenantID, "order", o.OrderID, "err", err)
		return
	}
	switch {
	case st == blink.InvoicePaid:
		_, err = d.orders.RecordPayment(ctx, o, ViaReconciler)
	case st == blink.InvoiceExpired && o.Status == store.OrderCreated && !inExpiryGrace(rx, o):
		// Only Blink's word expires an order: by the local clock alone an
		// invoice still payable at Blink (clock skew) could be paid after
		// the shop was told it expired.
		_, err = d.orders.Settle(ctx, o, store.OrderExpired, ViaReconciler)
	}
	if err != nil {
		d.log.ErrorContext(ctx, "reconciler: settling", "tenant", o.TenantID, "order", o.OrderID, "err", err)
	}
}

// WebhookHandler serves POST /v1/blink/webhooks/{tenant}: Blink's
// deliveries for the tenant, verified with the tenant's whsec_ secret. A
// verified receive.lightning is a hint: the invoice's status is asked of
// Blink before the order moves.
func (d *Detector) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, webhook.DefaultMaxBodyBytes))
		if err != nil {
			apperr.Write(w, apperr.New(413, "body_too_large", "the delivery is larger than %d bytes", webhook.DefaultMaxBodyBytes))
			return
		}
		t, err := d.st.Tenant(ctx, r.PathValue("tenant"))
		if err != nil || t.Status != store.StatusActive {
			apperr.Write(w, apperr.New(404, "unknown_tenant", "no such tenant"))
			return
		}
		secret, err := d.tn.OpenSecret(t, tenants.FieldBlinkWebhook)
		if err != nil || secret == "" {
			apperr.Write(w, apperr.New(404, "webhooks_not_configured", "this tenant has no Blink webhook secret"))
			return
		}
		if err := webhook.Verify(body, r.Header, secret); err != nil {
			d.log.WarnContext(ctx, "webhook refused", "tenant", t.ID, "reason", err.Error())
			apperr.Write(w, apperr.New(401, "invalid_signature", "the delivery's signature does not verify"))
			return
		}
		ev, err := webhook.ParseEvent(body)
		if err != nil {
			apperr.Write(w, apperr.New(400, "malformed_event", "the delivery's body is not a Blink event"))
			return
		}
		hash, ok := webhook.PaymentHashOf(ev)
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		o, err := d.st.OrderByPaymentHash(ctx, t.ID, hash)
		if err != nil || (o.Status != store.OrderCreated && o.Status != store.OrderExpired) {
			w.WriteHeader(http.StatusNoContent) // not ours, or its payment recorded already
			return
		}
		rx, err := d.tn.Receiver(ctx, t.ID)
		if err != nil {
			apperr.Write(w, apperr.New(503, "unavailable", "try again"))
			return
		}
		st, err := rx.InvoiceStatus(ctx, Ref(o))
		if err != nil {
			// Blink retries the delivery; the reconciler looks too.
			apperr.Write(w, apperr.New(503, "blink_unavailable", "could not check the invoice: deliver again"))
			return
		}
		if st == blink.InvoicePaid {
			// Paid, or paid_late when the order expired first.
			if _, err := d.orders.RecordPayment(ctx, o, ViaWebhook); err != nil {
				apperr.Write(w, apperr.New(500, "internal", "could not record the payment: deliver again"))
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// inExpiryGrace says whether the order's invoice is a keyless one still
// within the SDK's ExpiryGrace: its "expired" is the local clock's (the
// LNURL verify answer has no expiry of its own), and the shared watcher
// still reports a settlement in the grace as paid, so the order is not
// expired before the grace ends (a settlement after it is paid_late).
func inExpiryGrace(rx tenants.Receiver, o *store.Order) bool {
	g, ok := rx.(interface{ ExpiryGrace() time.Duration })
	return ok && time.Now().Before(o.ExpiresAt.Add(g.ExpiryGrace()))
}
