package blink_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// Pay a BOLT11 invoice with a fee limit. The example runs against the fake
// server; with a real key, drop WithEndpoint.
func ExampleClient_PayInvoice() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 50_000})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeWrite}})
	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	invoice := srv.ExternalInvoice(10_000, blinktest.OutcomeSuccess) // from a shop outside Blink

	res, err := c.PayInvoice(ctx, acct.BTCWalletID, invoice, &blink.PayOptions{MaxFee: 50})
	var unknown *blink.OutcomeUnknownError
	switch {
	case errors.As(err, &unknown):
		// The answer was lost: never pay again blindly, look it up.
		fmt.Println("outcome unknown, payment hash", unknown.PaymentHash)
	case err != nil:
		fmt.Println("not paid:", err)
	default:
		fmt.Println(res.Status, "fee", res.Fee)
	}
	// Output: SUCCEEDED fee 2 sats
}

// Finish a send whose answer was lost: FinishPayment looks it up in the
// wallet's ledger and only sends again when it can prove the first send
// was never executed.
func ExampleClient_FinishPayment() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 50_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeWrite}})
	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The server executes the send, then the connection drops. The memo
	// is a payout id no other send carries: UniqueMemo says so.
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	res, err := c.SendIntraLedger(ctx, acct.BTCWalletID, "bob", 1_000, &blink.PayOptions{Memo: "payout 7", UniqueMemo: true})

	var unknown *blink.OutcomeUnknownError
	if errors.As(err, &unknown) {
		fmt.Println("outcome unknown; finishing")
		res, err = c.FinishPayment(ctx, unknown)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Status, res.Transaction.Amount, "bob has", srv.Balance(bob.BTCWalletID))
	// Output:
	// outcome unknown; finishing
	// SUCCEEDED -1000 sats bob has 1000 sats
}

// Look a send up in the wallet's ledger, without sending anything.
func ExampleClient_ResolvePayment() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 50_000})
	srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeWrite}})
	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err = c.SendIntraLedger(ctx, acct.BTCWalletID, "bob", 1_000, &blink.PayOptions{Memo: "invoice 7", UniqueMemo: true})

	var unknown *blink.OutcomeUnknownError
	if errors.As(err, &unknown) {
		r, err := c.ResolvePayment(ctx, unknown.Lookup())
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("resolved:", r.Outcome, r.Transaction.Amount)
	}
	// Output: resolved: SUCCEEDED -1000 sats
}

// Create a client for production. Pass your blink_... key; blink.NewFromEnv
// reads it from BLINK_API_KEY instead.
func ExampleNew() {
	apiKey := "" // without a key, only the public operations work
	c, err := blink.New(apiKey, blink.WithEnvironment(blink.Production))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Endpoint())
	// Output: https://api.blink.sv/graphql
}

// Parse a BTCPay Server connection string; printing it hides the key.
func ExampleParseConnectionString() {
	key := "blink_" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01"
	cs, err := blink.ParseConnectionString("type=blink;server=https://api.blink.sv/graphql;api-key=" + key + ";wallet-id=6f4b1c2e-3d5a-4b7c-9e8f-0a1b2c3d4e5f")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cs)
	fmt.Println(cs.WalletID)
	// Output:
	// type=blink;server=https://api.blink.sv/graphql;api-key=blink_…YZ01;wallet-id=6f4b1c2e-3d5a-4b7c-9e8f-0a1b2c3d4e5f
	// 6f4b1c2e-3d5a-4b7c-9e8f-0a1b2c3d4e5f
}

// Tell a failed call's kind apart with errors.Is and errors.As.
func ExampleIsTransient() {
	c, err := blink.New("") // no key: public operations only
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Me(context.Background())
	var scopeErr *blink.ScopeError
	fmt.Println(errors.As(err, &scopeErr), errors.Is(err, blink.ErrInsufficientScope), blink.IsTransient(err))
	// Output: true true false
}
