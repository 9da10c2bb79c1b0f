package app_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
)

// staleTenants answers ActiveTenants with an empty list while stale is
// set: a list read just before a tenant connected.
type staleTenants struct {
	store.Store
	stale atomic.Bool
}

func (s *staleTenants) ActiveTenants(ctx context.Context) ([]store.Tenant, error) {
	if s.stale.Load() {
		return nil, nil
	}
	return s.Store.ActiveTenants(ctx)
}

// A tenant whose stream started on connect is not taken for one
// disconnected through another replica by a pass whose tenant list was
// read just before it connected: its stream goes on and sees the payment
// (the reconciler runs hourly here, so nothing else would).
func TestStreams_APassWithAStaleTenantListKeepsANewTenantsStream(t *testing.T) {
	r := newRig(t, "")
	var w *staleTenants
	r.wrapStore = func(st store.Store) store.Store { w = &staleTenants{Store: st}; return w }
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	w.stale.Store(true)
	r.app.Detector.SyncWatches(context.Background())
	w.stale.Store(false)
	o := r.order(f, "after-stale-pass", 100)
	if err := r.fake.PayInvoice(o.PaymentRequest); err != nil {
		t.Fatal(err)
	}
	r.shop.waitFor([]string{paidKey("after-stale-pass")}, 20*time.Second)
}
