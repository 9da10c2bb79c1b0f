// Command merchant is a multi-tenant payment server on blink-go: shops
// (tenants) connect their Blink wallets with only a lightning address
// (keyless: no secret held, receive only, watched by the SDK's shared
// invoice watcher) or with a connection string, create
// orders whose invoices the server makes with the order id as ExternalID,
// learn that they were paid through three merged paths (the realtime
// stream, Blink's webhooks, a reconciler), get order.paid / order.expired
// delivered to their webhook URL from an outbox, and send payouts that are
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
// Configuration (flags override the environment):
//
//	-addr      MERCHANT_ADDR        listen address (127.0.0.1:8080)
//	-sqlite    MERCHANT_SQLITE      SQLite file when DATABASE_URL is unset (merchant.db)
//	           DATABASE_URL         PostgreSQL URL (postgres://user:pass@host/db)
//	           MERCHANT_MASTER_KEY  base64 of 32 bytes: seals keys and secrets at rest
//	           MERCHANT_OLD_MASTER_KEYS  older master keys, for rotation
//	           BLINK_ENV            production, staging or local (production)
//	           BLINK_API_URL        a GraphQL endpoint instead (with BLINK_KEY_PREFIX)
//	-rate      MERCHANT_RATE        API requests a second per tenant (20; 0 = no limit)
//	-burst     MERCHANT_BURST       API request burst per tenant (100)
//	-demo                           force the demo
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
	"strconv"
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
	fs := flag.NewFlagSet("merchant", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", or(getenv("MERCHANT_ADDR"), "127.0.0.1:8080"), "listen address")
	sqlitePath := fs.String("sqlite", or(getenv("MERCHANT_SQLITE"), ""), "SQLite file (when DATABASE_URL is unset)")
	demo := fs.Bool("demo", false, "run the demo (embedded fake Blink and a demo tenant)")
	rate := fs.Float64("rate", envFloat(getenv("MERCHANT_RATE"), 20), "API requests a second per tenant (0: no limit)")
	burst := fs.Int("burst", int(envFloat(getenv("MERCHANT_BURST"), 100)), "API request burst per tenant")
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	dbURL := getenv("DATABASE_URL")
	real := getenv("BLINK_ENV") != "" || getenv("BLINK_API_URL") != "" || dbURL != ""
	if !real || *demo {
		if cmd != "" {
			return fmt.Errorf("%s needs a real configuration (DATABASE_URL or MERCHANT_SQLITE, MERCHANT_MASTER_KEY)", cmd)
		}
		return runDemo(ctx, *addr, *sqlitePath, *rate, *burst, log, stdout)
	}
	if *sqlitePath == "" {
		*sqlitePath = "merchant.db"
	}
	mk := getenv("MERCHANT_MASTER_KEY")
	if mk == "" {
		return errors.New("MERCHANT_MASTER_KEY is not set: generate one with openssl rand -base64 32 and keep it safe")
	}
	keys, err := secrets.NewKeyring(mk, strings.Split(getenv("MERCHANT_OLD_MASTER_KEYS"), ",")...)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, dbURL, *sqlitePath)
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
	a := app.New(app.Config{Store: st, Keys: keys, Log: log, Tenants: tc, RatePerSecond: *rate, RateBurst: *burst})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merchant serving on http://%s (%s)\n", ln.Addr(), dbName(dbURL, *sqlitePath))
	return serve(ctx, ln, a, nil, log)
}

func tenantConfig(getenv func(string) string) (tenants.Config, error) {
	if u := getenv("BLINK_API_URL"); u != "" {
		p := getenv("BLINK_KEY_PREFIX")
		if p == "" {
			return tenants.Config{}, errors.New("BLINK_API_URL needs BLINK_KEY_PREFIX (the prefix of that deployment's keys, such as galoy_dev_)")
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

func envFloat(v string, def float64) float64 {
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
		return f
	}
	return def
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
