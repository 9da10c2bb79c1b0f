// Command webhook is a complete server that receives Blink's webhooks:
//
//	BLINK_WEBHOOK_SECRET=whsec_... go run ./examples/webhook
//
// It listens on ADDR (default localhost:8080) at POST /blink/webhook,
// verifies every delivery with the endpoint's secret (package
// blink/webhook), handles each message once however often Svix retries
// it, and for a payment into an invoice asks the server whether the
// invoice is really paid before acting on it: a webhook is a hint, the
// server's invoice status is the truth (that query needs no key).
//
// To get deliveries: register the URL (where Blink can reach it, over
// https) with Client.AddCallbackEndpoint (a WRITE key), open the link
// Client.CallbackPortalURL returns, and copy the endpoint's whsec_ secret
// into BLINK_WEBHOOK_SECRET. BLINK_API_URL selects another Blink endpoint
// (for the invoice status checks); the default is production.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/webhook"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("webhook server stopped", "error", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	secret := os.Getenv("BLINK_WEBHOOK_SECRET")
	if secret == "" {
		return errors.New("set BLINK_WEBHOOK_SECRET to the endpoint's whsec_ secret (from the Svix portal: Client.CallbackPortalURL)")
	}
	opts := []blink.Option{blink.WithLogger(log)}
	if u := os.Getenv("BLINK_API_URL"); u != "" {
		opts = append(opts, blink.WithEndpoint(u))
	}
	client, err := blink.New("", opts...) // invoice status needs no key
	if err != nil {
		return err
	}
	defer client.Close()
	h, err := newHandler(secret, client, &shop{log: log, paid: map[string]bool{}}, log)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /blink/webhook", h)
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "localhost:8080"
	}
	srv := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second, // Svix waits 15 s for an answer
		IdleTimeout:       60 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("receiving Blink webhooks", "addr", addr, "path", "/blink/webhook")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// shop is where a real server records orders; here, a map of paid
// invoices. markPaid must be idempotent: a message can come more than
// once (after a crash between the work and the 2xx, for example).
type shop struct {
	log  *slog.Logger
	mu   sync.Mutex
	paid map[string]bool // payment hash → paid
}

func (s *shop) markPaid(hash string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.paid[hash] {
		return
	}
	s.paid[hash] = true
	s.log.Info("invoice paid: ship the order", "payment_hash", hash)
}

func (s *shop) isPaid(hash string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paid[hash]
}

// newHandler is the webhook endpoint: verified, de-duplicated deliveries
// go to handle. An error from handle answers 5xx, so Svix retries.
func newHandler(secret string, client *blink.Client, s *shop, log *slog.Logger) (*webhook.Handler, error) {
	return webhook.NewHandler(secret, func(ctx context.Context, d webhook.Delivery) error {
		hash, ok := webhook.PaymentHashOf(d.Event)
		if !ok {
			log.Info("webhook", "type", d.Event.Type(), "id", d.ID)
			return nil
		}
		client.HintInvoice(hash) // wakes any WaitForInvoice on it
		st, err := client.InvoiceStatus(ctx, hash)
		if err != nil {
			return fmt.Errorf("checking invoice %s: %w", hash, err) // Svix retries
		}
		if st.Status == blink.InvoicePaid {
			s.markPaid(hash)
		}
		return nil
	}, &webhook.HandlerOptions{Logger: log})
}
