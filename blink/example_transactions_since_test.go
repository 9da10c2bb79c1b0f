package blink_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// Reconcile incrementally: handle every transaction once, oldest first,
// and keep the ID of the last one handled as the cursor for the next run.
// An empty cursor starts from the oldest entry of the ledger.
func ExampleClient_TransactionsSince() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	c, err := blink.New(srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	cursor := "" // in a real reconciler, loaded from its store
	reconcile := func() {
		for tx, err := range c.TransactionsSince(ctx, cursor, nil) {
			if err != nil {
				log.Fatal(err) // the cursor still names the last one handled
			}
			fmt.Println(tx.Direction, tx.Amount, tx.Memo)
			cursor = tx.ID // stored with the effect of handling tx
		}
	}

	receiveForExample(ctx, srv, c, acct.BTCWalletID, 1_000, "order 1")
	receiveForExample(ctx, srv, c, acct.BTCWalletID, 2_000, "order 2")
	reconcile()
	fmt.Println("-- later")
	receiveForExample(ctx, srv, c, acct.BTCWalletID, 3_000, "order 3")
	reconcile()
	// Output:
	// RECEIVE 1000 sats order 1
	// RECEIVE 2000 sats order 2
	// -- later
	// RECEIVE 3000 sats order 3
}

// Fetch the newer entries one page at a time: EndCursor is the page's
// newest entry, and HasNextPage says whether newer ones follow.
func ExampleClient_TransactionsSincePage() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	c, err := blink.New(srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		receiveForExample(ctx, srv, c, acct.BTCWalletID, int64(100*(i+1)), "")
	}

	opts := &blink.TransactionListOptions{WalletIDs: []string{acct.BTCWalletID}, PageSize: 2}
	since := ""
	for {
		page, err := c.TransactionsSincePage(ctx, since, opts)
		if err != nil {
			log.Fatal(err)
		}
		for _, tx := range page.Transactions {
			fmt.Print(tx.Amount, "; ")
		}
		fmt.Println("newer:", page.HasNextPage)
		if !page.HasNextPage {
			break
		}
		since = page.EndCursor
	}
	// Output:
	// 100 sats; 200 sats; newer: true
	// 300 sats; 400 sats; newer: true
	// 500 sats; newer: false
}
