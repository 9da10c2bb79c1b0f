package blink

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// The polling budget: an unpaid invoice watched for an hour of the fake's
// clock costs a few hundred verify requests, not the 1,200 of a fixed 3s.
func TestAddressReceiver_PollingBudgetForAnHourIsAFewHundred(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", &AddressReceiverOptions{ExpiryGrace: time.Nanosecond}, nil)
	inv, err := r.CreateInvoice(bg(), 100, &AddressInvoiceOptions{Expiry: time.Hour})
	require.NoError(t, err)
	_, err = r.Wait(bg(), inv)
	require.ErrorIs(t, err, ErrInvoiceExpired)
	n := k.srv.LNURLRequests("/verify/" + inv.PaymentHash)
	t.Logf("one unpaid invoice for an hour: %d verify requests", n)
	assert.LessOrEqual(t, n, 300)
	assert.GreaterOrEqual(t, n, 150, "it was watched all along")

	// The same through the watcher.
	inv2, err := r.CreateInvoice(bg(), 100, &AddressInvoiceOptions{Expiry: time.Hour})
	require.NoError(t, err)
	w := newInvoiceWatcher(nil, k.clock)
	defer w.Close()
	res := <-w.Watch(r, inv2)
	require.ErrorIs(t, res.Err, ErrInvoiceExpired)
	n2 := k.srv.LNURLRequests("/verify/" + inv2.PaymentHash)
	t.Logf("the same through the watcher: %d verify requests", n2)
	assert.LessOrEqual(t, n2, 300)
}

// 1,000 invoices watched at once: never two requests in flight for one
// invoice, and every invoice ends as it should.
func TestInvoiceWatcher_ThousandInvoicesNeverTwoInFlightForOne(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	const n = 1000
	invs := make([]*AddressInvoice, n)
	for i := range invs {
		// The fake limits invoices to 60 a minute per recipient, as
		// Blink: step the clock a minute every 50.
		if i%50 == 0 {
			<-k.clock.After(time.Minute)
		}
		inv, err := r.CreateInvoice(bg(), Sats(100+i), &AddressInvoiceOptions{Expiry: 20 * time.Minute})
		require.NoError(t, err)
		invs[i] = inv
		switch i % 4 {
		case 0, 1:
			k.srv.SettleInvoiceAfter(inv.PaymentHash, time.Duration(rand.N(15*60))*time.Second)
		case 2:
			k.srv.FailVerify(inv.PaymentHash, 3)
			k.srv.SettleInvoiceAfter(inv.PaymentHash, time.Duration(rand.N(10*60))*time.Second)
		}
	}
	w := newInvoiceWatcher(&WatcherOptions{Concurrency: 32}, k.clock)
	defer w.Close()
	chans := make([]<-chan WatchResult, n)
	for i, inv := range invs {
		chans[i] = w.Watch(r, inv)
	}
	ctx, cancel := context.WithTimeout(bg(), 2*time.Minute)
	defer cancel()
	paid, expired := 0, 0
	for i, ch := range chans {
		select {
		case res := <-ch:
			switch {
			case res.Err == nil:
				paid++
				assert.True(t, preimageProves(res.Status.Preimage, invs[i].PaymentHash))
			default:
				require.ErrorIs(t, res.Err, ErrInvoiceExpired, "invoice %d", i)
				expired++
			}
		case <-ctx.Done():
			t.Fatalf("invoice %d not done", i)
		}
	}
	assert.Equal(t, 750, paid)
	assert.Equal(t, 250, expired)
	assert.Equal(t, 1, k.srv.VerifyMaxInFlight(), "never two requests in flight for one invoice")
	assert.Zero(t, w.Watching())
	total := k.srv.LNURLRequests("/verify/{hash}")
	t.Logf("1,000 invoices (750 paid, 250 expired): %d verify requests, at most %d in flight for one", total, k.srv.VerifyMaxInFlight())
}

func TestInvoiceWatcher_CloseAnswersEveryInvoice(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	w := newInvoiceWatcher(nil, blockedClock{k.clock})
	ch := w.Watch(r, inv)
	w.Close()
	res := <-ch
	require.ErrorIs(t, res.Err, ErrClientClosed)
	res2 := <-w.Watch(r, inv)
	require.ErrorIs(t, res2.Err, ErrClientClosed)
}

// blockedClock never fires: the watcher waits until closed.
type blockedClock struct{ *virtualClock }

func (blockedClock) After(time.Duration) <-chan time.Time { return nil }
