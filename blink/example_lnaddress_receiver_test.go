package blink_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// A merchant receives to its lightning address without an API key. The
// account has migrated to a self-custodial wallet: GraphQL says "Account
// is inactive.", so the receiver uses the address's LNURL-pay server,
// checks every answer, and learns of the payment through LUD-21 verify.
func ExampleClient_AddressReceiver() {
	srv := blinktest.NewServer()
	defer srv.Close()
	shop := srv.CreateAccount(blinktest.AccountOptions{Username: "shop"})
	srv.SetAccountKind(shop.ID, blinktest.AccountMigrated)

	// No key: the client only asks public questions.
	client, err := blink.New("", blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	receiver, err := client.AddressReceiver("shop@"+blinktest.LightningAddressDomain, &blink.AddressReceiverOptions{
		HTTPClient: srv.LNURLHTTPClient(), // the fake's LNURL hosts; leave nil in production
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	res, err := receiver.Resolve(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("path:", res.Path, "-", res.Reason)

	inv, err := receiver.CreateInvoice(ctx, 21_000, &blink.AddressInvoiceOptions{Comment: "order 1042"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("invoice for", inv.Amount, "to", inv.Address)

	// The customer pays the BOLT11 invoice shown at checkout.
	if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
		log.Fatal(err)
	}

	st, err := receiver.Wait(ctx, inv)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("status:", st.State, "- preimage proves it:", len(st.Preimage) == 64)
	fmt.Println("balance:", srv.Balance(shop.BTCWalletID).Value, "sats")
	// Output:
	// path: lnurl - Account is inactive.
	// invoice for 21000 sats to shop@blinktest.invalid
	// status: paid - preimage proves it: true
	// balance: 21000 sats
}
