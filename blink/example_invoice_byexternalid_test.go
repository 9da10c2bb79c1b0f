package blink_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// Find the invoice of an order by the external id it was created with,
// for example after a restart that lost the payment hash.
func ExampleClient_InvoiceByExternalID() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	c, err := blink.New(srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	created, err := c.CreateInvoice(ctx, acct.BTCWalletID, 1_000, &blink.InvoiceOptions{ExternalID: "order-1001"})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.PayInvoice(created.PaymentRequest); err != nil {
		log.Fatal(err)
	}

	inv, err := c.InvoiceByExternalID(ctx, acct.BTCWalletID, "order-1001")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inv.Amount, inv.Status, inv.PaymentHash == created.PaymentHash)

	// An external id no recent invoice carries.
	_, err = c.InvoiceByExternalID(ctx, acct.BTCWalletID, "order-1002")
	fmt.Println(errors.Is(err, blink.ErrNotFound))
	// Output:
	// 1000 sats PAID true
	// true
}
