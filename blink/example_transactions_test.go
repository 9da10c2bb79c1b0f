package blink_test

import (
	"context"
	"fmt"
	"log"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scalar"
)

// receiveForExample creates an invoice on the wallet and has blinktest pay
// it from outside Blink, as a remote lightning node would.
func receiveForExample(ctx context.Context, srv *blinktest.Server, c *blink.Client, walletID string, sats int64, memo string) {
	resp, err := gen.LnInvoiceCreate(ctx, c.GraphQL(), gen.LnInvoiceCreateInput{WalletId: walletID, Amount: scalar.SatAmount(sats), Memo: &memo})
	if err != nil {
		log.Fatal(err)
	}
	if inv := resp.LnInvoiceCreate.Invoice; inv == nil {
		log.Fatal("no invoice")
	} else if err := srv.PayInvoice(inv.PaymentRequest); err != nil {
		log.Fatal(err)
	}
}

// Walk every transaction of the account, newest first. The iterator asks
// for the next page only when the loop reaches it.
func ExampleClient_Transactions() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	c, err := blink.New(srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for i, sats := range []int64{1_000, 2_000, 3_000} {
		receiveForExample(ctx, srv, c, acct.BTCWalletID, sats, fmt.Sprintf("order %d", i+1))
	}

	for tx, err := range c.Transactions(ctx, &blink.TransactionListOptions{PageSize: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(tx.Direction, tx.Status, tx.Amount, tx.Settlement.Rail, tx.Memo)
	}
	fmt.Println("pages fetched:", srv.Requests("Transactions"))
	// Output:
	// RECEIVE SUCCESS 3000 sats lightning order 3
	// RECEIVE SUCCESS 2000 sats lightning order 2
	// RECEIVE SUCCESS 1000 sats lightning order 1
	// pages fetched: 2
}

// Fetch pages one at a time, carrying the cursor yourself.
func ExampleClient_TransactionsPage() {
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
	for {
		page, err := c.TransactionsPage(ctx, opts)
		if err != nil {
			log.Fatal(err)
		}
		for _, tx := range page.Transactions {
			fmt.Print(tx.Amount, "; ")
		}
		fmt.Println("more:", page.HasNextPage)
		if !page.HasNextPage {
			break
		}
		opts.After = page.EndCursor
	}
	// Output:
	// 500 sats; 400 sats; more: true
	// 300 sats; 200 sats; more: true
	// 100 sats; more: false
}

// Convert with the current price, exactly: results are rounded once, half
// away from zero, to a whole sat, cent or minor unit.
func ExampleRealtimePrice_SatsToDisplay() {
	srv := blinktest.NewServer() // $100,000 a bitcoin
	defer srv.Close()
	c, err := blink.New("", blink.WithEndpoint(srv.URL())) // prices need no key
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.RealtimePrice(context.Background(), "USD")
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(p.SatsToDisplay(12_345)) // 1234.5 cents
	fmt.Println(p.SatsToDisplay(-4))     // -0.4 cents
	fmt.Println(p.SatsToCents(12_345))
	fmt.Println(p.CentsToSats(1_999))
	fmt.Println(p.DisplayToSats(500)) // five dollars

	// A price in another display currency, as the API gives it: one sat
	// costs 92123456789 / 10^12 euro cents.
	eur := &blink.RealtimePrice{Currency: "EUR", FractionDigits: 2,
		SatPrice:  blink.Price{Base: 92_123_456_789, Offset: 12},
		CentPrice: blink.Price{Base: 921_234, Offset: 6}}
	fmt.Println(eur.SatsToDisplay(100_000_000))
	fmt.Println(eur.CentsToDisplay(-250))
	// Output:
	// 12.35 USD
	// 0.00 USD
	// $12.35
	// 19990 sats
	// 5000 sats
	// 92123.46 EUR
	// -2.30 EUR
}
