package blink_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// Follow every payment into an account. MyUpdates needs a key (and scope
// READ for the catch-up from the ledger after a reconnect); outgoing
// lightning and intraledger payments produce no event. The example runs
// against the fake server.
func ExampleClient_MyUpdates() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeReceive}})
	alice, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	defer alice.Close() // ends the websocket and its goroutines
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	paid := false
	for u, err := range alice.MyUpdates(ctx, nil) {
		if err != nil {
			log.Fatal(err) // a bad key: ErrInvalidAPIKey
		}
		switch u := u.(type) {
		case *blink.RealtimePriceUpdate:
			// Sent on subscribing and every 30 s: the stream is live.
			if !paid {
				paid = true
				inv, err := alice.CreateInvoice(ctx, acct.BTCWalletID, 1_000, nil)
				if err != nil {
					log.Fatal(err)
				}
				// A lightning node outside Blink pays the invoice.
				if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
					log.Fatal(err)
				}
			}
		case *blink.LightningReceipt:
			// Store u.Transaction.ID: pass it as MyUpdatesOptions.Since
			// next time to catch up on what came meanwhile.
			fmt.Println("received", u.Amount, u.Status, "caught up:", u.CaughtUp)
			cancel() // the loop ends without an error
		case *blink.IntraLedgerReceipt, *blink.OnChainUpdate:
			fmt.Println("other receipt")
		}
	}
	// Output:
	// received 1000 sats PAID caught up: false
}
