package blink

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// Tests of the realtime connection against blinktest's socket faults.

func TestRealtime_AnswersTheFakesPingFramesAndStaysConnected(t *testing.T) {
	noLeaks(t)
	srv := newFake(t, blinktest.WithPingInterval(50*time.Millisecond))
	anon := newAnonFakeClient(t, srv)
	anon.rt.cfg.keepalive = time.Hour // only the server's pings
	s := testSub(t, anon)
	defer s.stop()
	nextOf(t, s, rtSubscribed, 2*time.Second)
	time.Sleep(500 * time.Millisecond)
	assert.EqualValues(t, 1, anon.rt.m.connects.Load(), "the fake would drop a client that does not answer its pings")
	assert.Equal(t, 1, srv.WebSockets())
}

func TestWaitForInvoice_PaidWhileTheSocketIsDroppedAndRefused(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	const floor = 150 * time.Millisecond
	r := waitAsync(bg(), anon, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: floor})
	time.Sleep(200 * time.Millisecond)
	srv.RefuseWebSockets(0)
	defer srv.AcceptWebSockets()
	srv.DropWebSockets()
	time.Sleep(200 * time.Millisecond)
	paidAt := time.Now()
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	x := recvWait(t, r, 5*time.Second)
	require.NoError(t, x.err)
	assert.Equal(t, InvoicePaid, x.st.Status)
	assert.Less(t, x.at.Sub(paidAt), floor*6/5+150*time.Millisecond, "found by polling within the floor")
}

func TestInvoiceUpdates_StalledSocketIsReplacedAndResubscribed(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	ups, errc := collectUpdates(context.Background(), anon, inv.PaymentHash)
	assert.Equal(t, InvoicePending, recvUpdate(t, ups).Status)

	srv.StallWebSockets()
	// Two keepalive intervals notice it; new connections stall too
	// (no ack) until the stall ends.
	time.Sleep(3 * fastRealtime.keepalive)
	srv.UnstallWebSockets()
	u := recvUpdate(t, ups)
	assert.Equal(t, InvoicePending, u.Status)
	assert.True(t, u.Resubscribed)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	u = recvUpdate(t, ups)
	assert.Equal(t, InvoicePaid, u.Status)
	assert.NoError(t, <-errc)
	assert.GreaterOrEqual(t, anon.rt.m.connects.Load(), int64(2))
}

func TestRealtime_FakeClose4401EndsSubscriptionsWithATypedError(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	alice.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { alice.Client.Close() })
	s := testSub(t, alice.Client)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	srv.CloseWebSockets(4401, "Unauthorized")
	ev := nextOf(t, s, rtEnd, 2*time.Second)
	assert.ErrorIs(t, ev.err, ErrInvalidAPIKey)
	assert.NotContains(t, ev.err.Error(), alice.Key)
	time.Sleep(100 * time.Millisecond)
	assert.EqualValues(t, 1, alice.Client.rt.m.connects.Load())
}

// Every wait returns PAID while the fake drops the socket at random at
// least 20 times during the payments.
func TestWaitForInvoice_EveryWaitReturnsPaidThroughRandomDrops(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: the chaos run is long")
	}
	noLeaks(t)
	const n = 200
	srv := newFake(t, blinktest.WithInvoiceRateLimit(10*n))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	invs := make([]*Invoice, n)
	for i := range invs {
		inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(1+i), nil)
		require.NoError(t, err)
		invs[i] = inv
	}
	anon := newAnonFakeClient(t, srv)
	ctx, cancel := context.WithTimeout(bg(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for _, inv := range invs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := anon.WaitForInvoice(ctx, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: 200 * time.Millisecond})
			if err != nil || st.Status != InvoicePaid || !rcvPreimageMatches(st.Preimage, inv.PaymentHash) {
				mu.Lock()
				failed++
				mu.Unlock()
				t.Errorf("wait: %v %v", st, err)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	drops := 0
	for i, inv := range invs {
		require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
		if i%8 == 0 || rand.N(10) == 0 {
			srv.DropWebSockets()
			drops++
			time.Sleep(time.Duration(rand.N(20)) * time.Millisecond)
		}
	}
	wg.Wait()
	assert.GreaterOrEqual(t, drops, 20)
	assert.Zero(t, failed)
	t.Logf("%d waits through %d drops, %d connections", n, drops, anon.rt.m.connects.Load())
}
