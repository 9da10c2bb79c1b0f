package blink_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// Follow an invoice over the websocket until it is paid. No key is
// needed to follow an invoice; the example runs against the fake server.
func ExampleClient_InvoiceUpdates() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeReceive}})
	alice, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	defer alice.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv, err := alice.CreateInvoice(ctx, acct.BTCWalletID, 1_000, nil)
	if err != nil {
		log.Fatal(err)
	}

	watcher, err := blink.New("", blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	defer watcher.Close() // ends the websocket and its goroutines
	for u, err := range watcher.InvoiceUpdates(ctx, inv.PaymentRequest) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Status, u.Preimage != "")
		if u.Status == blink.InvoicePending {
			// A lightning node outside Blink pays the invoice.
			if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
				log.Fatal(err)
			}
		}
	}
	// The loop ends after PAID (or EXPIRED), or when ctx ends.
	// Output:
	// PENDING false
	// PAID true
}

// Follow the price of bitcoin in US dollars: the server sends the
// current price on subscribing and a new one when it changes.
func ExampleClient_PriceUpdates() {
	srv := blinktest.NewServer() // $100,000 a bitcoin
	defer srv.Close()
	c, err := blink.New("", blink.WithEndpoint(srv.URL())) // prices need no key
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n := 0
	for p, err := range c.PriceUpdates(ctx, "USD") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("one bitcoin:", p.SatsToDisplay(100_000_000))
		if n++; n == 2 {
			break // ends the subscription
		}
		srv.SetPrice(105_000_00) // the market moves
	}
	// Output:
	// one bitcoin: 100000.00 USD
	// one bitcoin: 105000.00 USD
}

// A webhook handler hints the waits of a client: each one checks its
// invoice over HTTP at once instead of at its next poll. The delivery is
// never trusted as proof of payment; the server's invoice status is.
func ExampleClient_HintInvoice() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeReceive}})
	alice, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	defer alice.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv, err := alice.CreateInvoice(ctx, acct.BTCWalletID, 1_000, nil)
	if err != nil {
		log.Fatal(err)
	}

	watcher, err := blink.New("", blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	defer watcher.Close()
	paid := make(chan *blink.InvoicePaymentStatus)
	go func() {
		// Polls only, once an hour: without the hint this wait would
		// learn of the payment an hour late.
		st, err := watcher.WaitForInvoice(ctx, inv.PaymentHash, &blink.WaitInvoiceOptions{PollOnly: true, PollFloor: time.Millisecond, MaxPollInterval: time.Hour})
		if err != nil {
			log.Fatal(err)
		}
		paid <- st
	}()
	if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
		log.Fatal(err)
	}
	// In a server, this runs in the webhook.Handler's function on a
	// verified receive.lightning or invoice.paid delivery. A hint that
	// comes before a wait starts is not needed: every wait checks once
	// when it starts.
	watcher.HintInvoice(inv.PaymentHash)
	fmt.Println((<-paid).Status)
	// Output:
	// PAID
}
