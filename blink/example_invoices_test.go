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

// Create an invoice, have it paid, and read its status. The example runs
// against the fake server; with a real key, drop WithEndpoint.
func ExampleClient_CreateInvoice() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeReceive}})

	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// An ExternalID makes the call safe to retry: a retry after a lost
	// answer returns the invoice the first attempt created.
	inv, err := c.CreateInvoice(ctx, acct.BTCWalletID, 1_000, &blink.InvoiceOptions{
		Memo:       "Coffee",
		ExpiresIn:  15 * time.Minute,
		ExternalID: "order-1001",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Amount, inv.Status, inv.ExternalID)

	// A lightning node outside Blink pays the invoice.
	if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
		log.Fatal(err)
	}

	got, err := c.Invoice(ctx, acct.BTCWalletID, inv.PaymentHash)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Status)

	// The same ExternalID for another amount is refused.
	_, err = c.CreateInvoice(ctx, acct.BTCWalletID, 2_000, &blink.InvoiceOptions{ExternalID: "order-1001"})
	fmt.Println(errors.Is(err, blink.ErrExternalIDExists))
	// Output:
	// 1000 sats PENDING order-1001
	// PAID
	// true
}

// Anyone who knows an invoice's payment hash can follow it, without a key;
// once paid, the status carries the preimage that proves it.
func ExampleClient_InvoiceStatus() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	ctx := context.Background()

	// A client without a key can create an invoice on bob's behalf...
	c, err := blink.New("", blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	inv, err := c.CreateInvoiceForRecipient(ctx, blink.RecipientUser("bob"), 500, nil)
	if err != nil {
		log.Fatal(err)
	}

	// ...and follow it.
	st, err := c.InvoiceStatus(ctx, inv.PaymentHash)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Status, st.Preimage == "")

	if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
		log.Fatal(err)
	}
	st, err = c.InvoiceStatus(ctx, inv.PaymentHash)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Status, len(st.Preimage))
	fmt.Println(srv.Balance(acct.BTCWalletID), "received")
	// Output:
	// PENDING true
	// PAID 64
	// 500 sats received
}
