// Package app wires the merchant server's packages together: one App per
// process (or per replica in a test), with its HTTP handler and its
// background workers (payment detection, outbox, payouts).
package app

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/api"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/checkout"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/orders"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/outbox"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/payments"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/payouts"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

// Config is the server's configuration.
type Config struct {
	Store   store.Store
	Keys    *secrets.Keyring
	Log     *slog.Logger
	Tenants tenants.Config

	ReconcileInterval time.Duration // default 30s
	OutboxInterval    time.Duration // default 5s
	PayoutInterval    time.Duration // default 5s
	WindDownInterval  time.Duration // default 6h: each key tenant's wind-down is asked again
	// NoStreams turns the realtime streams off (the reconciler and the
	// webhooks still detect payments).
	NoStreams bool
	// KeylessOptions configure the keyless receive (tenants connected by
	// lightning address only); NoKeyless turns it off (connecting by
	// address then answers 501). Tenants.Keyless, when set, replaces it.
	KeylessOptions tenants.KeylessOptions
	NoKeyless      bool
	// SessionSecret keys the checkout session links (at least 32 bytes;
	// random when empty: links then die with the process and do not work
	// across replicas). SessionTTL is a link's life (default 15 minutes).
	SessionSecret []byte
	SessionTTL    time.Duration
	// CheckoutOrigins may read the checkout API from a browser (CORS).
	CheckoutOrigins []string
	// MetricsToken, when set, is the bearer token /metrics wants.
	MetricsToken string
	// PublicURL is the server's address as payers reach it (links start with it).
	PublicURL string
	// RatePerSecond and RateBurst limit each tenant's API requests (0: none).
	RatePerSecond float64
	RateBurst     int
}

// Stats are counters for the metrics a later handler exports.
type Stats struct {
	OrdersCreated, OrdersPaid, OrdersExpired    atomic.Int64
	OrdersPaidLate                              atomic.Int64 // expired, then paid after all
	PaidByStream, PaidByWebhook, PaidReconciler atomic.Int64
	PaidByWatcher                               atomic.Int64
	DeliveriesOK, DeliveriesFailed              atomic.Int64
	PayoutsSucceeded, PayoutsFailed             atomic.Int64
}

// App is one running server.
type App struct {
	Store    store.Store
	Tenants  *tenants.Service
	Orders   *orders.Service
	Detector *payments.Detector
	Outbox   *outbox.Deliverer
	Payouts  *payouts.Service
	API      *api.Server
	Stats    *Stats
	log      *slog.Logger
	keyless  *tenants.Keyless

	windDownEvery time.Duration
	metricsToken  string
	Checkout      *checkout.Handler
	prices        *blink.Client
	updMu         sync.Mutex
	updated       chan struct{}
	wg            sync.WaitGroup
}

// New builds an App; Run starts its workers.
func New(cfg Config) *App {
	a := &App{Store: cfg.Store, log: cfg.Log, Stats: &Stats{}, windDownEvery: cfg.WindDownInterval, metricsToken: cfg.MetricsToken}
	if a.windDownEvery <= 0 {
		a.windDownEvery = 6 * time.Hour
	}
	if cfg.Tenants.Keyless == nil && !cfg.NoKeyless && cfg.Tenants.Endpoint != "" {
		// Keyless tenants, the default the onboarding recommends: one
		// key-less client and one shared watcher for the process.
		ko := cfg.KeylessOptions
		ko.ClientOptions = append(append([]blink.Option{}, cfg.Tenants.ClientOptions...), ko.ClientOptions...)
		if k, err := tenants.NewKeyless(cfg.Tenants.Endpoint, ko); err == nil {
			a.keyless = k
			cfg.Tenants.Keyless = k.Receiver
		} else {
			cfg.Log.Error("keyless receive unavailable", "err", err)
		}
	}
	a.Tenants = tenants.NewService(cfg.Tenants, cfg.Store, cfg.Keys, cfg.Log)
	a.Orders = orders.NewService(cfg.Store, a.Tenants, cfg.Log)
	a.Detector = payments.NewDetector(cfg.Store, a.Tenants, a.Orders, cfg.Log)
	a.Detector.NoStreams = cfg.NoStreams
	if cfg.ReconcileInterval > 0 {
		a.Detector.Interval = cfg.ReconcileInterval
	}
	a.Outbox = outbox.NewDeliverer(cfg.Store, a.Tenants, cfg.Log)
	if cfg.OutboxInterval > 0 {
		a.Outbox.Interval = cfg.OutboxInterval
	}
	a.Payouts = payouts.NewService(cfg.Store, a.Tenants, cfg.Log)
	a.Payouts.Address = blink.AddressReceiverOptions{HTTPClient: cfg.KeylessOptions.HTTPClient, AllowLoopbackHTTP: cfg.KeylessOptions.AllowLoopbackHTTP}
	if cfg.PayoutInterval > 0 {
		a.Payouts.Interval = cfg.PayoutInterval
	}
	a.Orders.Notify = a.Outbox.Kick
	a.Orders.Created = func(o *store.Order) {
		a.Stats.OrdersCreated.Add(1)
		a.Detector.WatchOrder(o)
	}
	a.Orders.Settled = func(status, via string) {
		a.wake()
		switch status {
		case store.OrderExpired:
			a.Stats.OrdersExpired.Add(1)
			return
		case store.OrderPaidLate:
			// A payment all the same: counted by its path below too.
			a.Stats.OrdersPaidLate.Add(1)
		default:
			a.Stats.OrdersPaid.Add(1)
		}
		switch via {
		case payments.ViaStream:
			a.Stats.PaidByStream.Add(1)
		case payments.ViaWebhook:
			a.Stats.PaidByWebhook.Add(1)
		case payments.ViaWatcher:
			a.Stats.PaidByWatcher.Add(1)
		default:
			a.Stats.PaidReconciler.Add(1)
		}
	}
	a.Outbox.Delivered = func(ok bool) {
		if ok {
			a.Stats.DeliveriesOK.Add(1)
		} else {
			a.Stats.DeliveriesFailed.Add(1)
		}
	}
	a.Payouts.Finished = func(status string) {
		if status == store.PayoutSucceeded {
			a.Stats.PayoutsSucceeded.Add(1)
		} else {
			a.Stats.PayoutsFailed.Add(1)
		}
	}
	secret := cfg.SessionSecret
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
		if cfg.Log != nil {
			cfg.Log.Warn("SESSION_SECRET is not set: checkout links are signed with a random key and stop working at restart (set it, the same on every replica)")
		}
	}
	sessions, err := checkout.NewSessions(secret, cfg.SessionTTL)
	if err != nil {
		panic(err) // main checks the secret's length before
	}
	a.updated = make(chan struct{})
	a.Checkout = &checkout.Handler{Store: cfg.Store, Sessions: sessions, Log: cfg.Log, AllowedOrigins: cfg.CheckoutOrigins,
		Updated: a.updates}
	if cfg.Tenants.Endpoint != "" {
		// A key-less client for the fiat price on the checkout page.
		if pc, err := blink.New("", append([]blink.Option{blink.WithEndpoint(cfg.Tenants.Endpoint)}, cfg.Tenants.ClientOptions...)...); err == nil {
			a.Checkout.Prices, a.prices = pc, pc
		}
	}
	a.Tenants.OnConnect = func(id string) { a.Detector.Watch(id) }
	a.Tenants.OnDisconnect = a.Detector.Unwatch
	a.Detector.Forget = a.Tenants.Forget
	a.API = &api.Server{Store: cfg.Store, Tenants: a.Tenants, Orders: a.Orders, Payouts: a.Payouts,
		Webhooks: a.Detector.WebhookHandler(), Log: cfg.Log, RatePerSecond: cfg.RatePerSecond, RateBurst: cfg.RateBurst,
		Checkout: a.Checkout, PublicURL: cfg.PublicURL}
	return a
}

// Mux is the server's routes: the API, the hosted checkout and the
// metrics (GET /metrics; with a MetricsToken, only for
// "Authorization: Bearer <token>").
func (a *App) Mux() *http.ServeMux {
	mux := a.API.Handler()
	a.Checkout.Mount(mux, a.API.BySource)
	m := a.Metrics()
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.metricsToken != "" && !secrets.TokenMatches(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), secrets.HashToken(a.metricsToken)) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		m.ServeHTTP(w, r)
	}))
	return mux
}

// Handler is the server's HTTP handler.
func (a *App) Handler() http.Handler { return a.Mux() }

// updates returns a channel closed at the next settle in this process.
func (a *App) updates() <-chan struct{} {
	a.updMu.Lock()
	defer a.updMu.Unlock()
	return a.updated
}

func (a *App) wake() {
	a.updMu.Lock()
	close(a.updated)
	a.updated = make(chan struct{})
	a.updMu.Unlock()
}

// Run starts the workers; they stop when ctx ends (Wait waits for them).
// At start the reconciler checks every open order, the outbox resumes
// undelivered events and the payout worker finishes payouts a crash left
// unresolved.
func (a *App) Run(ctx context.Context) {
	for _, run := range []func(context.Context){a.Detector.Run, a.Outbox.Run, a.Payouts.Run, a.windDowns} {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			run(ctx)
		}()
	}
}

// windDowns asks every key tenant's wind-down at start and periodically.
func (a *App) windDowns(ctx context.Context) {
	t := time.NewTicker(a.windDownEvery)
	defer t.Stop()
	for {
		a.Tenants.CheckWindDowns(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Wait waits for the workers to stop, then closes the tenants' clients.
func (a *App) Wait() {
	a.wg.Wait()
	a.Tenants.Close()
	if a.keyless != nil {
		a.keyless.Close()
	}
	if a.prices != nil {
		a.prices.Close()
	}
}

// Keyless is the process's keyless receive (nil when off).
func (a *App) Keyless() *tenants.Keyless { return a.keyless }

// ClientOptions are the blink options every tenant client gets.
func ClientOptions(log *slog.Logger) []blink.Option {
	return []blink.Option{blink.WithLogger(log), blink.WithTimeout(30 * time.Second), blink.WithUserAgent("blink-go-merchant/1")}
}
