// Command merchant is a multi-tenant payment server on blink-go: shops
// (tenants) connect their Blink wallets with only a lightning address
// (keyless: no secret held, receive only, watched by the SDK's shared
// invoice watcher) or with a connection string, create
// orders whose invoices the server makes with the order id as ExternalID,
// learn that they were paid through three merged paths (the realtime
// stream, Blink's webhooks, a reconciler), get order.paid / order.expired
// (and order.paid_late, for an expired order whose invoice settled after
// all) delivered to their webhook URL from an outbox, and send payouts that are
// never sent twice.
//
// With no environment it runs a demo: SQLite in a temporary directory, an
// embedded fake Blink (blinktest) and a demo tenant whose API token it
// prints, with the curl commands to try it:
//
//	go run ./examples/merchant
//
// With BLINK_ENV or BLINK_API_URL, or DATABASE_URL, it runs for real:
//
//	MERCHANT_MASTER_KEY=$(openssl rand -base64 32) BLINK_ENV=production \
//	  DATABASE_URL=postgres://... go run ./examples/merchant
//
// "merchant rotate" re-seals every stored secret under MERCHANT_MASTER_KEY,
// opening the old ciphertexts with MERCHANT_OLD_MASTER_KEYS (comma-separated).
//
// Configuration: flags and environment variables with safe defaults;
// "merchant -h" prints the table (README.md has it too).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "merchant:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // the table is printed
	}
	if err != nil {
		return err
	}
	real := cfg.BlinkEnv != "" || cfg.BlinkURL != "" || cfg.DatabaseURL != ""
	if !real || cfg.Demo {
		if cmd != "" {
			return fmt.Errorf("%s needs a real configuration (DATABASE_URL or MERCHANT_SQLITE, MERCHANT_MASTER_KEY)", cmd)
		}
		return runDemo(ctx, cfg, log, stdout)
	}
	if cfg.SQLite == "" {
		cfg.SQLite = "merchant.db"
	}
	if cfg.MasterKey == "" {
		return errors.New("MERCHANT_MASTER_KEY is not set: generate one with openssl rand -base64 32 and keep it safe")
	}
	keys, err := secrets.NewKeyring(cfg.MasterKey, cfg.OldMasterKeys...)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.SQLite)
	if err != nil {
		return err
	}
	defer st.Close()
	switch cmd {
	case "":
	case "rotate":
		n, err := tenants.Rotate(ctx, st, keys)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "re-sealed the secrets of %d tenants under key %s\n", n, keys.CurrentKeyID())
		return nil
	default:
		return fmt.Errorf("unknown command %q (known: rotate)", cmd)
	}
	tc, err := tenantConfig(getenv)
	if err != nil {
		return err
	}
	tc.ClientOptions = app.ClientOptions(log)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	a := app.New(appConfig(cfg, st, keys, log, tc, "http://"+ln.Addr().String()))
	fmt.Fprintf(stdout, "merchant serving on http://%s (%s)\n", ln.Addr(), dbName(cfg.DatabaseURL, cfg.SQLite))
	return serve(ctx, ln, a, nil, log)
}

// appConfig maps the configuration onto the App's.
func appConfig(cfg *config, st store.Store, keys *secrets.Keyring, log *slog.Logger, tc tenants.Config, base string) app.Config {
	return app.Config{Store: st, Keys: keys, Log: log, Tenants: tc, RatePerSecond: cfg.Rate, RateBurst: cfg.Burst,
		ReconcileInterval: cfg.Reconcile, WindDownInterval: cfg.WindDown, NoKeyless: !cfg.Keyless,
		SessionSecret: []byte(cfg.SessionSecret), SessionTTL: cfg.SessionTTL, CheckoutOrigins: cfg.CheckoutOrigins,
		PublicURL: or(cfg.PublicURL, base), MetricsToken: cfg.MetricsTok}
}

func tenantConfig(getenv func(string) string) (tenants.Config, error) {
	if u := getenv("BLINK_API_URL"); u != "" {
		p := getenv("BLINK_KEY_PREFIX")
		if p == "" {
			return tenants.Config{}, errors.New("BLINK_API_URL needs BLINK_KEY_PREFIX (the prefix of that deployment's keys, such as galoy_dev_)")
		}
		if err := checkBlinkURL(u); err != nil {
			return tenants.Config{}, err
		}
		return tenants.Config{Endpoint: u, KeyPrefix: p}, nil
	}
	env := blink.Environment(or(getenv("BLINK_ENV"), string(blink.Production)))
	if env.URL() == "" {
		return tenants.Config{}, fmt.Errorf("BLINK_ENV %q: want production, staging or local", env)
	}
	return tenants.Config{Endpoint: env.URL(), KeyPrefix: env.KeyPrefix()}, nil
}

// serve runs the HTTP server and the workers until ctx ends, then shuts
// down: the listener closes, requests in flight finish (20s at most), then
// the workers stop (a payout or delivery in flight finishes first).
func serve(ctx context.Context, ln net.Listener, a *app.App, extra func(*http.ServeMux), log *slog.Logger) error {
	mux := a.Mux()
	if extra != nil {
		extra(mux)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      45 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	a.Run(workers)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	stopWorkers()
	a.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func dbName(dbURL, path string) string {
	if dbURL != "" {
		return "PostgreSQL"
	}
	abs, _ := filepath.Abs(path)
	return "SQLite " + abs
}
