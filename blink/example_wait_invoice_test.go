package blink_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// Bob waits for his invoice while a payer outside Blink pays it. The
// wait follows the invoice over the websocket, checks over HTTP after
// every (re)subscribe, and polls while the websocket is down.
func ExampleClient_WaitForInvoice() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeReceive}})
	bob, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	defer bob.Close() // ends the websocket and its goroutines
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv, err := bob.CreateInvoice(ctx, acct.BTCWalletID, 2_100, &blink.InvoiceOptions{Memo: "Order 42"})
	if err != nil {
		log.Fatal(err)
	}

	// The payer pays at once, from its own goroutine: whether the payment
	// lands before the wait subscribes (the check after the subscribe finds
	// it) or after (the websocket reports it), the wait returns PAID.
	go func() {
		if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
			log.Print(err)
		}
	}()

	st, err := bob.WaitForInvoice(ctx, inv.PaymentRequest, nil)
	switch {
	case errors.Is(err, blink.ErrInvoiceExpired):
		fmt.Println("expired unpaid: cancel the order")
	case err != nil:
		log.Fatal(err) // ctx ended, client closed, or an unknown invoice
	default:
		fmt.Println(st.Status, len(st.Preimage))
	}
	// Output:
	// PAID 64
}
