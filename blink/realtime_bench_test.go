package blink

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// TestRealtime_ReconnectResubscribes1000SubscriptionsUnder2s drops the
// connection under 1,000 live subscriptions and measures the time until
// every one is subscribed again (the figure the issue asks for).
func TestRealtime_ReconnectResubscribes1000SubscriptionsUnder2s(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: 1,000 subscriptions")
	}
	noLeaks(t)
	const n = 1000
	var mu sync.Mutex
	var peers []*wsPeer
	srv := newWSTestServer(t, func(k int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		mu.Lock()
		peers = append(peers, p)
		mu.Unlock()
		p.serveAnswering(nil)
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.keepalive = 5 * time.Second })
	subs := make([]*rtSub, n)
	for i := range subs {
		subs[i] = testSub(t, c)
	}
	for _, s := range subs {
		nextOf(t, s, rtSubscribed, 5*time.Second)
	}
	start := time.Now()
	mu.Lock()
	peers[0].conn.CloseNow()
	mu.Unlock()
	for _, s := range subs {
		ev := nextOf(t, s, rtSubscribed, 5*time.Second)
		require.True(t, ev.reconnect)
	}
	took := time.Since(start)
	t.Logf("reconnect and resubscribe of %d subscriptions: %s", n, took)
	assert.Less(t, took, 2*time.Second)
	for _, s := range subs {
		s.stop()
	}
}

// TestWaitForInvoice_Figures1000Waits measures the heap in use with 1,000
// concurrent waits on one client, and the latency from the fake settling
// an invoice to its waiter returning (p50, p99).
func TestWaitForInvoice_Figures1000Waits(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: 1,000 invoices")
	}
	noLeaks(t)
	const n = 1000
	srv := newFake(t, blinktest.WithInvoiceRateLimit(10*n))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	invs := make([]*Invoice, n)
	for i := range invs {
		inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(1+i), nil)
		require.NoError(t, err)
		invs[i] = inv
	}
	anon := newAnonFakeClient(t, srv)
	anon.rt.cfg.keepalive, anon.rt.cfg.initTimeout = 10*time.Second, 10*time.Second
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)

	done := make([]chan time.Time, n)
	for i, inv := range invs {
		done[i] = make(chan time.Time, 1)
		go func() {
			st, err := anon.WaitForInvoice(bg(), inv.PaymentHash, &WaitInvoiceOptions{PollFloor: time.Minute})
			if err != nil || st.Status != InvoicePaid {
				t.Errorf("wait %d: %v %v", i, st, err)
			}
			done[i] <- time.Now()
		}()
	}
	time.Sleep(time.Second) // every wait subscribed and checked once
	var mem runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem)
	heap := int64(mem.HeapInuse) - int64(base.HeapInuse)
	t.Logf("heap in use for %d waits (client side and the fake's streams): %.1f MB", n, float64(heap)/1e6)
	if !raceEnabled {
		assert.Less(t, heap, int64(50e6))
	}

	lat := make([]time.Duration, n)
	for i, inv := range invs {
		paid := time.Now()
		require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
		lat[i] = (<-done[i]).Sub(paid)
	}
	slices.Sort(lat)
	t.Logf("settle to return: p50 %s, p99 %s", lat[n/2], lat[n*99/100])
	assert.EqualValues(t, 1, anon.rt.m.connects.Load())
}
