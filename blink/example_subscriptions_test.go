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
