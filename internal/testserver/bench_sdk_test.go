package testserver_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/blink-sdk/blink-go/blink"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
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

// BenchmarkSDKMeParallel is BenchmarkSDKMe with several callers at once
// (2 per core), as a merchant backend serving many requests would call:
// it reports the throughput the fake sustains, not one caller's latency.
func BenchmarkSDKMeParallel(b *testing.B) {
	srv := blinktest.New(b)
	a := srv.CreateAccount(blinktest.AccountOptions{Username: "alice"})
	c := benchClient(b, srv, srv.CreateAPIKey(a.ID, blinktest.KeyOptions{}))
	ctx := context.Background()
	if _, err := c.Me(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Me(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "me/s")
}

// BenchmarkSDKInvoicePayParallel is BenchmarkSDKInvoicePay with several
// pairs in flight at once (2 per core).
func BenchmarkSDKInvoicePayParallel(b *testing.B) {
	srv := blinktest.New(b, blinktest.WithInvoiceRateLimit(1<<30))
	alice := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 1_000_000_000_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	payer := benchClient(b, srv, srv.CreateAPIKey(alice.ID, blinktest.KeyOptions{}))
	payee := benchClient(b, srv, srv.CreateAPIKey(bob.ID, blinktest.KeyOptions{}))
	ctx := context.Background()
	pair := func() error {
		inv, err := payee.CreateInvoice(ctx, bob.BTCWalletID, 1, nil)
		if err != nil {
			return err
		}
		res, err := payer.PayInvoice(ctx, alice.BTCWalletID, inv.PaymentRequest, nil)
		if err == nil && res.Status != blink.PaymentSucceeded {
			err = fmt.Errorf("payment status %s", res.Status)
		}
		return err
	}
	if err := pair(); err != nil {
		b.Fatal(err)
	}
	before := srv.Balance(bob.BTCWalletID)
	b.ReportAllocs()
	b.SetParallelism(2)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := pair(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if got, want := srv.Balance(bob.BTCWalletID), before+int64(b.N); got != want {
		b.Fatalf("bob's balance is %d sats, want %d", got, want)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkSDKInvoicePay measures, through the SDK against the fake over
// loopback, pairs of one invoice created by bob (CreateInvoice) and paid by
// alice (PayInvoice), one pair after another, and reports pairs/s (target:
// at least 1,000 on a 2-core machine).
func BenchmarkSDKInvoicePay(b *testing.B) { benchInvoicePay(b, 0) }

// BenchmarkSDKInvoicePayLargeLedger is BenchmarkSDKInvoicePay with a ledger
// that already holds 5,000 transactions (2,500 pairs, paid before the
// timer starts): nothing the fake does per request may grow with the
// ledger, so it reports about the same pairs/s.
func BenchmarkSDKInvoicePayLargeLedger(b *testing.B) { benchInvoicePay(b, 2_500) }

func benchInvoicePay(b *testing.B, prefill int) {
	srv := blinktest.New(b, blinktest.WithInvoiceRateLimit(1<<30))
	alice := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 1_000_000_000_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	payer := benchClient(b, srv, srv.CreateAPIKey(alice.ID, blinktest.KeyOptions{}))
	payee := benchClient(b, srv, srv.CreateAPIKey(bob.ID, blinktest.KeyOptions{}))
	ctx := context.Background()
	pair := func() error {
		inv, err := payee.CreateInvoice(ctx, bob.BTCWalletID, 1, nil)
		if err != nil {
			return err
		}
		res, err := payer.PayInvoice(ctx, alice.BTCWalletID, inv.PaymentRequest, nil)
		if err != nil {
			return err
		}
		if res.Status != blink.PaymentSucceeded {
			return fmt.Errorf("payment status %s", res.Status)
		}
		return nil
	}
	// Warm: connections, scope and network caches.
	if err := pair(); err != nil {
		b.Fatal(err)
	}
	// Fill the ledger from a few goroutines.
	const workers = 4
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < prefill; i += workers {
				if err := pair(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	before := srv.Balance(bob.BTCWalletID)
	if got, want := len(srv.Ledger(alice.BTCWalletID))+len(srv.Ledger(bob.BTCWalletID)), 2*int(before); got != want {
		b.Fatalf("the ledger has %d transactions, want %d", got, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := pair(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if got, want := srv.Balance(bob.BTCWalletID), before+int64(b.N); got != want {
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
