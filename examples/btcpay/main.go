// Command btcpay sketches a shop's payment server on top of blink-go, the way
// a BTCPay-style integration uses Blink: it creates one lightning invoice per
// order, with the order id as the invoice's ExternalID, and answers whether an
// order is paid.
//
//	POST /orders/{id}/invoice?amount=SATS   → {"orderId", "paymentRequest", "paymentHash", "amountSats", "status"}
//	GET  /orders/{id}/status                → {"orderId", "paymentHash", "status"}
//
// Order ids must be valid external ids: 1 to 100 of a-z, 0-9, _ and -.
// Creating the invoice of an order again with the same amount returns the
// same invoice (the ExternalID makes it idempotent, across restarts too);
// another amount for the same order is refused with 409.
//
// It talks to the real Blink API and needs a key with READ and RECEIVE (the
// shop never sends), given in one of two ways:
//
//	BLINK_CONNECTION_STRING='type=blink;server=https://api.blink.sv/graphql;api-key=blink_...;wallet-id=<uuid>' go run ./examples/btcpay
//	BLINK_API_KEY=blink_... go run ./examples/btcpay
//
// A connection string is the form BTCPay Server stores (see
// blink.ParseConnectionString); its wallet-id, when given, must be a BTC
// wallet of the key's account. With BLINK_API_KEY, BLINK_ENV and
// BLINK_API_URL choose another environment or endpoint (see
// blink.NewFromEnv), and the shop receives into the account's BTC wallet.
// Without either it refuses to start. It serves on BTCPAY_ADDR (default
// 127.0.0.1:8080) until interrupted.
//
// To try it without an account, run its test, which serves the shop against
// the SDK's fake Blink server (package blinktest) and walks an order from
// invoice to paid:
//
//	go test -v ./examples/btcpay
//
// The fake lives in the test only: the program's binary does not contain it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/blink-sdk/blink-go/blink"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "btcpay:", err)
		os.Exit(1)
	}
}

// errNoKey is run's answer when neither BLINK_CONNECTION_STRING nor
// BLINK_API_KEY is set.
var errNoKey = errors.New("no Blink API key: set BLINK_CONNECTION_STRING " +
	"(type=blink;server=https://api.blink.sv/graphql;api-key=blink_...;wallet-id=<uuid>) " +
	"or BLINK_API_KEY to a key with READ and RECEIVE (create one at https://dashboard.blink.sv); " +
	"to try the shop without an account, run go test -v ./examples/btcpay")

// run serves the shop on BTCPAY_ADDR with the client and wallet the
// environment names, writing one line to w once it listens, until ctx ends.
func run(ctx context.Context, w io.Writer) error {
	c, walletID, err := clientFromEnv()
	if err != nil {
		return err
	}
	s, err := newShop(ctx, c, walletID)
	if err != nil {
		return err
	}
	addr := os.Getenv("BTCPAY_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "shop serving on http://%s, receiving into BTC wallet %s via %v\n", ln.Addr(), s.walletID, c)
	return serve(ctx, ln, s.routes())
}

// clientFromEnv returns a client for BLINK_CONNECTION_STRING, or else
// BLINK_API_KEY (with BLINK_ENV and BLINK_API_URL), and the wallet the
// connection string names ("" when it names none). It returns errNoKey
// when neither is set, rather than a client without a key: the shop
// cannot create invoices without one (a connection string without api-key
// does not parse).
func clientFromEnv() (*blink.Client, string, error) {
	if s := os.Getenv("BLINK_CONNECTION_STRING"); s != "" {
		c, cs, err := blink.NewFromConnectionString(s)
		if err != nil {
			return nil, "", fmt.Errorf("BLINK_CONNECTION_STRING: %w", err)
		}
		if cs.Currency != "" && cs.Currency != blink.BTC {
			return nil, "", fmt.Errorf("BLINK_CONNECTION_STRING: the shop invoices in sats: its wallet-id must be a BTC wallet, not %s", cs.Currency)
		}
		return c, cs.WalletID, nil
	}
	if os.Getenv("BLINK_API_KEY") == "" {
		return nil, "", errNoKey
	}
	c, err := blink.NewFromEnv()
	if err != nil {
		return nil, "", err
	}
	return c, "", nil
}

// shop creates and tracks the invoices of orders.
type shop struct {
	blink    *blink.Client
	walletID string

	mu     sync.Mutex
	orders map[string]*blink.Invoice // order id → its invoice; a real shop keeps this in its database
}

// newShop returns a shop that receives into walletID, which must be a BTC
// wallet of the client's account, or into its BTC wallet when walletID is
// "". Either way it asks Blink first, so that a wrong key or wallet stops
// the shop at start rather than at its first order.
func newShop(ctx context.Context, c *blink.Client, walletID string) (*shop, error) {
	var wl *blink.Wallet
	var err error
	if walletID == "" {
		wl, err = c.DefaultWallet(ctx, blink.BTC)
	} else {
		wl, err = c.Wallet(ctx, walletID)
	}
	if err != nil {
		return nil, fmt.Errorf("finding the BTC wallet: %w", err)
	}
	if wl.Currency != blink.BTC {
		return nil, fmt.Errorf("wallet %s is a %s wallet: the shop invoices in sats and needs a BTC wallet", wl.ID, wl.Currency)
	}
	return &shop{blink: c, walletID: wl.ID, orders: map[string]*blink.Invoice{}}, nil
}

// routes returns the shop's HTTP handler.
func (s *shop) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders/{id}/invoice", s.createInvoice)
	mux.HandleFunc("GET /orders/{id}/status", s.status)
	return mux
}

// invoiceJSON is the answer of the invoice endpoint.
type invoiceJSON struct {
	OrderID        string `json:"orderId"`
	PaymentRequest string `json:"paymentRequest"`
	PaymentHash    string `json:"paymentHash"`
	AmountSats     int64  `json:"amountSats"`
	Status         string `json:"status"`
}

// statusJSON is the answer of the status endpoint.
type statusJSON struct {
	OrderID     string `json:"orderId"`
	PaymentHash string `json:"paymentHash"`
	Status      string `json:"status"`
}

func (s *shop) createInvoice(w http.ResponseWriter, r *http.Request) {
	order := r.PathValue("id")
	amount, err := strconv.ParseInt(r.URL.Query().Get("amount"), 10, 64)
	if err != nil || amount <= 0 {
		http.Error(w, "amount must be a positive number of sats", http.StatusBadRequest)
		return
	}
	// The ExternalID ties the invoice to the order in Blink itself: asking
	// again (a retry, a second click, a restart that lost s.orders) returns
	// the same invoice instead of a second one.
	inv, err := s.blink.CreateInvoice(r.Context(), s.walletID, blink.Sats(amount), &blink.InvoiceOptions{
		Memo:       "Order " + order,
		ExternalID: order,
	})
	switch {
	case errors.Is(err, blink.ErrExternalIDExists):
		http.Error(w, "this order already has an invoice for another amount", http.StatusConflict)
		return
	case errors.Is(err, blink.ErrInvalidInput):
		http.Error(w, "invalid order: "+err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		log.Printf("btcpay: creating the invoice of order %s: %v", order, err)
		http.Error(w, "could not create the invoice", http.StatusBadGateway)
		return
	}
	s.mu.Lock()
	s.orders[order] = inv
	s.mu.Unlock()
	writeJSON(w, invoiceJSON{
		OrderID:        order,
		PaymentRequest: inv.PaymentRequest,
		PaymentHash:    inv.PaymentHash,
		AmountSats:     int64(inv.Amount),
		Status:         string(inv.Status),
	})
}

func (s *shop) status(w http.ResponseWriter, r *http.Request) {
	order := r.PathValue("id")
	s.mu.Lock()
	inv, ok := s.orders[order]
	s.mu.Unlock()
	if !ok {
		http.Error(w, "no invoice for this order", http.StatusNotFound)
		return
	}
	// The status by payment hash is public: it needs no scope at all.
	st, err := s.blink.InvoiceStatus(r.Context(), inv.PaymentHash)
	if err != nil {
		log.Printf("btcpay: status of order %s: %v", order, err)
		http.Error(w, "could not read the invoice's status", http.StatusBadGateway)
		return
	}
	writeJSON(w, statusJSON{OrderID: order, PaymentHash: inv.PaymentHash, Status: string(st.Status)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("btcpay: writing the answer: %v", err)
	}
}

// serve serves h on ln until ctx ends.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      blink.DefaultTimeout + 5*time.Second, // a handler waits for one call to Blink at most
		IdleTimeout:       2 * time.Minute,
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(shutdownCtx)
	}
}
