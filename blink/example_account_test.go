package blink_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// Check for a regional wind-down at start-up and warn loudly: a wound-down
// account stops receiving. blinktest.Server.SetWindDown lets a test walk
// that path.
func ExampleClient_WindDown() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "shop"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead}})
	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	wd, err := c.WindDown(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(wd.Active())

	cut := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	srv.SetWindDown(acct.ID, &blinktest.WindDown{Status: blink.WindDownPreCutoff, ReceiveDisabledAt: cut, FinalDeadline: cut.AddDate(0, 2, 0)})
	wd, err = c.WindDown(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if wd.Active() {
		fmt.Println("WARNING:", wd) // in production: log.Error, an alert, a banner
	}
	// Output:
	// false
	// WARNING: Blink account wind-down (PRE_CUTOFF): receiving stops 2026-06-01 00:00 UTC; the account closes 2026-08-01 00:00 UTC; migrate the funds with the Blink app
}

// Change the display currency: prices and transactions' display amounts
// follow it.
func ExampleClient_SetDisplayCurrency() {
	srv := blinktest.NewServer()
	defer srv.Close()
	srv.SetPrice(5_000_000) // 50,000.00 USD per bitcoin
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "shop"})
	c, err := blink.New(srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	cur, err := c.SetDisplayCurrency(ctx, "eur")
	if err != nil {
		log.Fatal(err)
	}
	s, err := c.AccountSettings(ctx)
	if err != nil {
		log.Fatal(err)
	}
	p, err := c.RealtimePrice(ctx, s.DisplayCurrency)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cur, s.DisplayCurrency, p.SatsToDisplay(10_000))
	// Output:
	// EUR EUR 4.60 EUR
}

// Contacts come from intraledger payments (and CreateContact); give one
// an alias.
func ExampleClient_Contacts() {
	srv := blinktest.NewServer()
	defer srv.Close()
	alice := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 10_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	c, err := blink.New(srv.CreateAPIKey(alice.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	if _, err := c.SendIntraLedger(ctx, alice.BTCWalletID, bob.BTCWalletID, 1_000, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := c.SetContactAlias(ctx, "bob", "Bobby"); err != nil {
		log.Fatal(err)
	}
	cs, err := c.Contacts(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range cs {
		fmt.Println(k.Handle, k.Alias, k.TransactionsCount)
	}
	// Output:
	// bob Bobby 1
}

// Read what the account may still send today.
func ExampleClient_AccountLimits() {
	srv := blinktest.NewServer()
	defer srv.Close()
	srv.SetPrice(5_000_000)
	alice := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 100_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	c, err := blink.New(srv.CreateAPIKey(alice.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.SendIntraLedger(ctx, alice.BTCWalletID, bob.BTCWalletID, 20_000, nil); err != nil { // 10 USD
		log.Fatal(err)
	}
	l, err := c.AccountLimits(ctx)
	if err != nil {
		log.Fatal(err)
	}
	in := l.IntraLedger[0]
	fmt.Println(in.Interval, in.Total, *in.Remaining)
	// Output:
	// 24h0m0s $2000.00 $1990.00
}

// Price history needs no key.
func ExampleClient_PriceHistory() {
	srv := blinktest.NewServer()
	defer srv.Close()
	srv.SetPrice(5_000_000)
	c, err := blink.New("", blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	pts, err := c.PriceHistory(context.Background(), blink.PriceRangeOneDay)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(pts), pts[len(pts)-1].USD())
	// Output:
	// 24 50000
}
