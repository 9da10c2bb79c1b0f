package blinktest_test

import (
	"context"
	"testing"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// BenchmarkSDKMe measures Me through the SDK against the fake over loopback,
// one call after another, and reports the throughput as me/s (target:
// at least 5,000 on a 2-core machine).
//
//	go test -run xxx -bench SDK -benchtime 3s ./blink/blinktest/
func BenchmarkSDKMe(b *testing.B) {
	srv := blinktest.New(b)
	a := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	c := benchClient(b, srv, srv.CreateAPIKey(a.ID, blinktest.KeyOptions{}))
	ctx := context.Background()
	if _, err := c.Me(ctx); err != nil { // warm: connection, scope cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Me(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "me/s")
}

// BenchmarkSDKInvoicePay measures, through the SDK against the fake over
// loopback, pairs of one invoice created by bob (CreateInvoice) and paid by
// alice (PayInvoice), one pair after another, and reports pairs/s (target:
// at least 1,000 on a 2-core machine).
func BenchmarkSDKInvoicePay(b *testing.B) {
	srv := blinktest.New(b, blinktest.WithInvoiceRateLimit(1<<30))
	alice := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 1_000_000_000_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	payer := benchClient(b, srv, srv.CreateAPIKey(alice.ID, blinktest.KeyOptions{}))
	payee := benchClient(b, srv, srv.CreateAPIKey(bob.ID, blinktest.KeyOptions{}))
	ctx := context.Background()
	pair := func() {
		inv, err := payee.CreateInvoice(ctx, bob.BTCWalletID, 1, nil)
		if err != nil {
			b.Fatal(err)
		}
		res, err := payer.PayInvoice(ctx, alice.BTCWalletID, inv.PaymentRequest, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Status != blink.PaymentSucceeded {
			b.Fatalf("payment status %s", res.Status)
		}
	}
	pair() // warm: connections, scope and network caches
	b.ReportAllocs()
	for b.Loop() {
		pair()
	}
	b.StopTimer()
	if got, want := srv.Balance(bob.BTCWalletID), int64(b.N+1); got != want {
		b.Fatalf("bob's balance is %d sats, want %d", got, want)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// benchClient returns an SDK client for key that talks to srv.
func benchClient(b *testing.B, srv *blinktest.Server, key string) *blink.Client {
	b.Helper()
	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	if err != nil {
		b.Fatal(err)
	}
	return c
}
