package blink_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// Mint a narrow key for one part of an integration: a WRITE key with a
// daily spending limit for payouts. The secret is shown once and prints
// redacted; revoking the key makes the server refuse it. The example runs
// against the fake server; with a real key, drop WithEndpoint.
func ExampleClient_CreateAPIKey() {
	srv := blinktest.NewServer()
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 10_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	admin, err := blink.New(srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	nk, err := admin.CreateAPIKey(ctx, "payouts", &blink.APIKeyOptions{
		Scopes:        []blink.Scope{blink.ScopeWrite},
		ExpiresInDays: 90,
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := admin.SetAPIKeyLimit(ctx, nk.ID, blink.LimitDaily, 1_000); err != nil {
		log.Fatal(err)
	}
	fmt.Println(nk.Name, nk.Scopes, len(nk.Secret()) > 0, fmt.Sprint(nk) != nk.Secret())

	// Store nk.Secret() in a secret store; the payout service uses it.
	payouts, err := blink.New(nk.Secret(), append(nk.ClientOptions(), blink.WithEndpoint(srv.URL()))...)
	if err != nil {
		log.Fatal(err)
	}
	res, err := payouts.SendIntraLedger(ctx, acct.BTCWalletID, bob.BTCWalletID, 800, nil)
	fmt.Println(res.Status, err)
	_, err = payouts.SendIntraLedger(ctx, acct.BTCWalletID, bob.BTCWalletID, 800, nil)
	fmt.Println(errors.Is(err, blink.ErrTransactionRestricted))

	keys, err := admin.APIKeys(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range keys {
		rem, limited := k.Limits.Daily.Remaining()
		fmt.Println(k.Name, k.Active(), rem, limited)
	}

	if _, err := admin.RevokeAPIKey(ctx, nk.ID); err != nil {
		log.Fatal(err)
	}
	_, err = payouts.SendIntraLedger(ctx, acct.BTCWalletID, bob.BTCWalletID, 1, nil)
	fmt.Println(errors.Is(err, blink.ErrInvalidAPIKey))
	// Output:
	// payouts [WRITE] true true
	// SUCCEEDED <nil>
	// true
	// blinktest true 0 sats false
	// payouts true 200 sats true
	// true
}
