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
//	go run ./examples/btcpay
//
// Without BLINK_API_KEY it runs a self-check and exits: it starts the SDK's
// fake Blink server in-process, serves the shop on a loopback port, creates
// an invoice for an order, has a customer outside Blink pay it, and checks
// that the status endpoint reports it PAID. With BLINK_API_KEY set (a key
// with READ and RECEIVE is enough: the shop never sends) it serves on
// BTCPAY_ADDR (default 127.0.0.1:8080) into the key's default BTC wallet
// until interrupted.
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
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "btcpay:", err)
		os.Exit(1)
	}
}

// run serves the shop against the key in BLINK_API_KEY, or runs the
// self-check against an embedded fake when it is not set.
func run(ctx context.Context, w io.Writer) error {
	if os.Getenv("BLINK_API_KEY") == "" {
		return selfCheck(ctx, w)
	}
	c, err := blink.NewFromEnv()
	if err != nil {
		return err
	}
	s, err := newShop(ctx, c)
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

// shop creates and tracks the invoices of orders.
type shop struct {
	blink    *blink.Client
	walletID string

	mu     sync.Mutex
	orders map[string]*blink.Invoice // order id → its invoice; a real shop keeps this in its database
}

// newShop returns a shop that receives into the client's default BTC wallet.
func newShop(ctx context.Context, c *blink.Client) (*shop, error) {
	wl, err := c.DefaultWallet(ctx, blink.BTC)
	if err != nil {
		return nil, fmt.Errorf("finding the BTC wallet: %w", err)
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
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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

// selfCheck runs the shop against an in-process blinktest server and walks
// one order from invoice to paid through the shop's own HTTP endpoints.
func selfCheck(ctx context.Context, w io.Writer) error {
	srv := blinktest.NewServer()
	defer srv.Close()
	merchant := srv.CreateAccount(blinktest.AccountOptions{Username: "merchant"})
	key := srv.CreateAPIKey(merchant.ID, blinktest.KeyOptions{Scopes: []string{"READ", "RECEIVE"}})
	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		return err
	}
	s, err := newShop(ctx, c)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- serve(ctx, ln, s.routes()) }()
	defer func() { cancel(); <-served }()
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(w, "BLINK_API_KEY is not set: self-check of the shop at %s against the embedded fake Blink server\n", base)

	const order, amount = "order-42", 5_000
	var inv invoiceJSON
	if err := call(ctx, http.MethodPost, base+"/orders/"+order+"/invoice?amount=5000", &inv); err != nil {
		return err
	}
	fmt.Fprintf(w, "POST /orders/%s/invoice: %d sats, status %s, hash %s\n", order, inv.AmountSats, inv.Status, inv.PaymentHash)
	if inv.AmountSats != amount || inv.Status != string(blink.InvoicePending) {
		return fmt.Errorf("new invoice: got %+v", inv)
	}

	var again invoiceJSON
	if err := call(ctx, http.MethodPost, base+"/orders/"+order+"/invoice?amount=5000", &again); err != nil {
		return err
	}
	fmt.Fprintf(w, "POST again: same invoice: %t\n", again.PaymentHash == inv.PaymentHash)
	if again.PaymentHash != inv.PaymentHash {
		return fmt.Errorf("second POST for %s created another invoice", order)
	}

	if err := checkStatus(ctx, w, base, order, blink.InvoicePending); err != nil {
		return err
	}
	// A customer's wallet outside Blink pays the invoice.
	if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
		return err
	}
	fmt.Fprintln(w, "a customer paid the invoice")
	if err := checkStatus(ctx, w, base, order, blink.InvoicePaid); err != nil {
		return err
	}
	if got := srv.Balance(merchant.BTCWalletID); got != amount {
		return fmt.Errorf("merchant balance %d sats, want %d", got, amount)
	}
	fmt.Fprintf(w, "merchant balance: %s\nself-check passed\n", blink.Sats(srv.Balance(merchant.BTCWalletID)))
	return nil
}

// checkStatus asks the shop for an order's status and compares it.
func checkStatus(ctx context.Context, w io.Writer, base, order string, want blink.InvoiceStatus) error {
	var st statusJSON
	if err := call(ctx, http.MethodGet, base+"/orders/"+order+"/status", &st); err != nil {
		return err
	}
	fmt.Fprintf(w, "GET /orders/%s/status: %s\n", order, st.Status)
	if st.Status != string(want) {
		return fmt.Errorf("order %s: status %s, want %s", order, st.Status, want)
	}
	return nil
}

// call sends a request to the shop and decodes its JSON answer into out.
func call(ctx context.Context, method, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<10))
		return fmt.Errorf("%s %s: %s: %s", method, url, res.Status, body)
	}
	return json.NewDecoder(res.Body).Decode(out)
}
