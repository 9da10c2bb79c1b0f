package blink

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// updateCollector runs a MyUpdates loop in the background.
type updateCollector struct {
	mu      sync.Mutex
	updates []Update
	notify  chan struct{}
	done    chan error
	cancel  context.CancelFunc
}

func collectMyUpdates(t *testing.T, c *Client, opts *MyUpdatesOptions) *updateCollector {
	t.Helper()
	ctx, cancel := context.WithCancel(bg())
	uc := &updateCollector{notify: make(chan struct{}, 1), done: make(chan error, 1), cancel: cancel}
	go func() {
		var last error
		for u, err := range c.MyUpdates(ctx, opts) {
			if err != nil {
				last = err
				continue
			}
			uc.mu.Lock()
			uc.updates = append(uc.updates, u)
			uc.mu.Unlock()
			select {
			case uc.notify <- struct{}{}:
			default:
			}
		}
		uc.done <- last
	}()
	t.Cleanup(func() {
		cancel()
		<-uc.done
	})
	return uc
}

// receipts are the non-price updates so far.
func (uc *updateCollector) receipts() []Update {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	var out []Update
	for _, u := range uc.updates {
		switch u.(type) {
		case *PriceUpdate, *RealtimePriceUpdate:
		default:
			out = append(out, u)
		}
	}
	return out
}

// waitFor waits until cond holds over the receipts.
func (uc *updateCollector) waitFor(t *testing.T, within time.Duration, what string, cond func([]Update) bool) []Update {
	t.Helper()
	deadline := time.After(within)
	for {
		rs := uc.receipts()
		if cond(rs) {
			return rs
		}
		select {
		case <-uc.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("%s: not within %v; got %d receipts: %s", what, within, len(rs), describeUpdates(rs))
		}
	}
}

// waitPrice waits for the first price: the subscription is live.
func (uc *updateCollector) waitPrice(t *testing.T) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		uc.mu.Lock()
		for _, u := range uc.updates {
			if _, ok := u.(*RealtimePriceUpdate); ok {
				uc.mu.Unlock()
				return
			}
		}
		uc.mu.Unlock()
		select {
		case <-uc.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatal("no RealtimePrice within 5s")
		}
	}
}

// barrier pays u a marker invoice from outside Blink and waits for its
// receipt: what the server sent before it, live or to a catch-up, has
// then been delivered, so a duplicate or a stray update would show up
// before the marker. It returns the receipts before the marker, and
// fails when anything follows it.
func (uc *updateCollector) barrier(t *testing.T, srv *blinktest.Server, u *fakeUser) []Update {
	t.Helper()
	h := payOutside(t, srv, u, 1)
	rs := uc.waitFor(t, 10*time.Second, "the marker", func(rs []Update) bool { return receiptHashes(rs)[h] > 0 })
	for i, r := range rs {
		if ln, ok := r.(*LightningReceipt); ok && ln.PaymentHash == h {
			require.Equal(t, len(rs)-1, i, "updates after the marker: %s", describeUpdates(rs[i:]))
			return rs[:i]
		}
	}
	panic("unreachable")
}

func updateTx(u Update) *Transaction {
	switch v := u.(type) {
	case *LightningReceipt:
		return &v.Transaction
	case *IntraLedgerReceipt:
		return &v.Transaction
	case *OnChainUpdate:
		return &v.Transaction
	}
	return nil
}

func describeUpdates(us []Update) string {
	var b strings.Builder
	for _, u := range us {
		tx := updateTx(u)
		switch v := u.(type) {
		case *LightningReceipt:
			b.WriteString("ln:" + v.PaymentHash[:8])
		case *IntraLedgerReceipt:
			b.WriteString("intra")
		case *OnChainUpdate:
			b.WriteString(string(v.Kind))
		}
		if tx != nil {
			b.WriteString("(" + tx.ID + "/" + string(tx.Status) + ")")
		}
		b.WriteString(" ")
	}
	return b.String()
}

// newFakeKeyUser is newFakeUser with the fast realtime configuration,
// closed at the end of the test.
func newFakeKeyUser(t *testing.T, srv *blinktest.Server, name string, sats int64) *fakeUser {
	t.Helper()
	u := newFakeUser(t, srv, name, sats, 0, nil)
	u.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { u.Client.Close() })
	return u
}

func TestMyUpdates_ReceiptsOfEveryKindArrive(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 0)
	bob := newFakeKeyUser(t, srv, "bob", 1_000_000)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)

	inv1, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(inv1.PaymentRequest)) // from outside
	inv2, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 2_000, nil)
	require.NoError(t, err)
	_, err = bob.Client.PayInvoice(bg(), bob.BTCWalletID, inv2.PaymentRequest, nil) // from another Blink account
	require.NoError(t, err)
	_, err = bob.Client.SendIntraLedger(bg(), bob.BTCWalletID, alice.BTCWalletID, 3_000, nil)
	require.NoError(t, err)
	addr, err := alice.Client.CreateOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	txHash, err := srv.ReceiveOnChain(addr, 50_000)
	require.NoError(t, err)
	uc.waitFor(t, 5*time.Second, "pending deposit", func(rs []Update) bool { return len(rs) >= 4 })
	require.NoError(t, srv.ConfirmOnChain(txHash))
	_, err = alice.Client.SendOnChain(bg(), alice.BTCWalletID, srv.ExternalAddress(), 10_000, nil)
	require.NoError(t, err)
	// Outgoing lightning: no event.
	_, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(100, blinktest.OutcomeSuccess), nil)
	require.NoError(t, err)

	uc.waitFor(t, 5*time.Second, "every kind", func(rs []Update) bool { return len(rs) >= 6 })
	rs := uc.barrier(t, srv, alice) // nothing more, not even for the outgoing payment
	require.Len(t, rs, 6, describeUpdates(rs))

	ln, ok := rs[0].(*LightningReceipt)
	require.True(t, ok, "%T", rs[0])
	assert.Equal(t, inv1.PaymentHash, ln.PaymentHash)
	assert.Equal(t, alice.BTCWalletID, ln.WalletID)
	assert.Equal(t, Amount{Value: 1_000, Currency: BTC}, ln.Amount)
	assert.Equal(t, InvoicePaid, ln.Status)
	assert.Equal(t, TxSuccess, ln.Transaction.Status)
	assert.False(t, ln.Transaction.CreatedAt.IsZero())
	assert.False(t, ln.CaughtUp)

	ln2, ok := rs[1].(*LightningReceipt)
	require.True(t, ok, "%T", rs[1])
	assert.Equal(t, inv2.PaymentHash, ln2.PaymentHash)
	assert.Equal(t, Amount{Value: 2_000, Currency: BTC}, ln2.Amount)

	il, ok := rs[2].(*IntraLedgerReceipt)
	require.True(t, ok, "%T", rs[2])
	assert.Equal(t, Amount{Value: 3_000, Currency: BTC}, il.Amount)
	assert.Equal(t, alice.BTCWalletID, il.WalletID)

	pend, ok := rs[3].(*OnChainUpdate)
	require.True(t, ok, "%T", rs[3])
	assert.Equal(t, OnChainReceiptPending, pend.Kind)
	assert.Equal(t, txHash, pend.TxHash)
	assert.Equal(t, Amount{Value: 50_000, Currency: BTC}, pend.Amount)

	conf, ok := rs[4].(*OnChainUpdate)
	require.True(t, ok, "%T", rs[4])
	assert.Equal(t, OnChainReceipt, conf.Kind)
	assert.Equal(t, txHash, conf.TxHash)
	assert.NotEqual(t, pend.Transaction.ID, conf.Transaction.ID, "confirmed under a new id")

	pay, ok := rs[5].(*OnChainUpdate)
	require.True(t, ok, "%T", rs[5])
	assert.Equal(t, OnChainPayment, pay.Kind)
	assert.Equal(t, alice.BTCWalletID, pay.WalletID)
	assert.GreaterOrEqual(t, pay.Amount.Value, int64(10_000))
}

// payOutside pays a new invoice of u from outside Blink and returns its hash.
func payOutside(t *testing.T, srv *blinktest.Server, u *fakeUser, sats Sats) string {
	t.Helper()
	inv, err := u.Client.CreateInvoice(bg(), u.BTCWalletID, sats, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	return inv.PaymentHash
}

// receiptHashes counts lightning receipts by payment hash.
func receiptHashes(rs []Update) map[string]int {
	n := map[string]int{}
	for _, u := range rs {
		if ln, ok := u.(*LightningReceipt); ok {
			n[ln.PaymentHash]++
		}
	}
	return n
}

func TestMyUpdates_DropBetweenPaymentsLosesNothingAndDuplicatesNothing(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 0)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)

	h1 := payOutside(t, srv, alice, 1_000)
	uc.waitFor(t, 5*time.Second, "first live", func(rs []Update) bool { return len(rs) == 1 })

	// Paid while disconnected: the server does not replay it.
	srv.RefuseWebSockets(0)
	srv.DropWebSockets()
	sessionGone(t, alice.Client) // the client knows it is down
	h2 := payOutside(t, srv, alice, 2_000)
	h3 := payOutside(t, srv, alice, 3_000)
	srv.AcceptWebSockets()

	uc.waitFor(t, 5*time.Second, "caught up", func(rs []Update) bool { return len(rs) >= 3 })
	h4 := payOutside(t, srv, alice, 4_000)
	uc.waitFor(t, 5*time.Second, "live after", func(rs []Update) bool { return len(rs) >= 4 })
	rs := uc.barrier(t, srv, alice)
	assert.Equal(t, map[string]int{h1: 1, h2: 1, h3: 1, h4: 1}, receiptHashes(rs), describeUpdates(rs))
	require.Len(t, rs, 4)
	assert.True(t, rs[1].(*LightningReceipt).CaughtUp, "missed while down")
	assert.True(t, rs[2].(*LightningReceipt).CaughtUp)
	assert.Equal(t, h2, rs[1].(*LightningReceipt).PaymentHash, "oldest first")
	assert.Equal(t, alice.BTCWalletID, rs[1].(*LightningReceipt).WalletID)
	assert.Equal(t, Amount{Value: 2_000, Currency: BTC}, rs[1].(*LightningReceipt).Amount)
	if alice.Client.rt.m.connects.Load() == 2 {
		// (Under load the keepalive may replace the socket once more, and
		// h1 or h4 is then caught up instead.)
		assert.False(t, rs[0].(*LightningReceipt).CaughtUp, "live before the drop")
		assert.False(t, rs[3].(*LightningReceipt).CaughtUp, "live on the new connection")
	}
	assert.GreaterOrEqual(t, alice.Client.rt.m.connects.Load(), int64(2))
}

func TestMyUpdates_OnChainDepositMissedWhileDownIsCaughtUpPendingThenConfirmed(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 0)
	addr, err := alice.Client.CreateOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)

	srv.RefuseWebSockets(0)
	srv.DropWebSockets()
	txHash, err := srv.ReceiveOnChain(addr, 40_000)
	require.NoError(t, err)
	srv.AcceptWebSockets()
	rs := uc.waitFor(t, 5*time.Second, "pending caught up", func(rs []Update) bool { return len(rs) >= 1 })
	p := rs[0].(*OnChainUpdate)
	assert.Equal(t, OnChainReceiptPending, p.Kind)
	assert.True(t, p.CaughtUp)
	assert.Equal(t, txHash, p.TxHash)

	srv.RefuseWebSockets(0)
	srv.DropWebSockets()
	require.NoError(t, srv.ConfirmOnChain(txHash))
	srv.AcceptWebSockets()
	uc.waitFor(t, 5*time.Second, "confirmed caught up", func(rs []Update) bool { return len(rs) >= 2 })
	rs = uc.barrier(t, srv, alice)
	require.Len(t, rs, 2, describeUpdates(rs))
	c := rs[1].(*OnChainUpdate)
	assert.Equal(t, OnChainReceipt, c.Kind)
	assert.True(t, c.CaughtUp)
	assert.Equal(t, Amount{Value: 40_000, Currency: BTC}, c.Amount)
}

func TestMyUpdates_SinceDeliversTheLedgerAfterItFirst(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 0)
	payOutside(t, srv, alice, 1_000)
	page, err := alice.Client.TransactionsPage(bg(), &TransactionListOptions{PageSize: 1})
	require.NoError(t, err)
	since := page.Transactions[0].ID
	h2 := payOutside(t, srv, alice, 2_000)
	h3 := payOutside(t, srv, alice, 3_000)

	uc := collectMyUpdates(t, alice.Client, &MyUpdatesOptions{Since: since})
	uc.waitFor(t, 5*time.Second, "since", func(rs []Update) bool { return len(rs) >= 2 })
	rs := uc.barrier(t, srv, alice)
	require.Len(t, rs, 2, describeUpdates(rs))
	assert.Equal(t, h2, rs[0].(*LightningReceipt).PaymentHash)
	assert.Equal(t, h3, rs[1].(*LightningReceipt).PaymentHash)
	assert.True(t, rs[0].(*LightningReceipt).CaughtUp)
}

func TestMyUpdates_RefundOfAFailedSendIsNotAReceipt(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 100_000)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)
	srv.RefuseWebSockets(0)
	srv.DropWebSockets()
	pr := srv.ExternalInvoice(500, blinktest.OutcomePending)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	require.NoError(t, srv.FailPending(res.PaymentHash))
	h := payOutside(t, srv, alice, 700)
	srv.AcceptWebSockets()
	uc.waitFor(t, 5*time.Second, "caught up", func(rs []Update) bool { return len(rs) >= 1 })
	rs := uc.barrier(t, srv, alice)
	assert.Equal(t, map[string]int{h: 1}, receiptHashes(rs), describeUpdates(rs))
}

func TestMyUpdates_BadKeyEndsWithInvalidAPIKey(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	bad := "galoy_dev_" + strings.Repeat("Zz9y", 16)
	for _, noCatchUp := range []bool{false, true} {
		c, err := New(bad, WithEndpoint(srv.URL()))
		require.NoError(t, err)
		c.rt.cfg = fastRealtime
		ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
		var got []error
		for u, err := range c.MyUpdates(ctx, &MyUpdatesOptions{NoCatchUp: noCatchUp}) {
			if err != nil {
				got = append(got, err)
			} else {
				assert.IsType(t, &RealtimePriceUpdate{}, u)
			}
		}
		require.NoError(t, ctx.Err(), "the stream must end by itself")
		cancel()
		require.Len(t, got, 1)
		assert.ErrorIs(t, got[0], ErrInvalidAPIKey)
		assert.ErrorIs(t, got[0], ErrNotAuthenticated)
		assert.NotContains(t, got[0].Error(), bad)
		c.Close()
	}
}

func TestMyUpdates_WithoutAKeyIsNotAuthenticated(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	anon := newAnonFakeClient(t, srv)
	var got error
	for _, err := range anon.MyUpdates(bg(), nil) {
		got = err
	}
	assert.ErrorIs(t, got, ErrNotAuthenticated)
	assert.Zero(t, srv.WebSockets())
}

func TestMyUpdates_ContextEndStopsWithoutError(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 0)
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	n := 0
	for u, err := range alice.Client.MyUpdates(ctx, nil) {
		require.NoError(t, err)
		require.NotNil(t, u)
		n++
		cancel()
	}
	assert.Equal(t, 1, n)
}

func TestMyUpdates_CloseEndsTheStreamWithErrClientClosed(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 0)
	var got error
	for _, err := range alice.Client.MyUpdates(bg(), nil) {
		if err != nil {
			got = err
			break
		}
		go alice.Client.Close()
	}
	assert.ErrorIs(t, got, ErrClientClosed)
}

// 1,000 payments of every kind into one account (lightning from outside
// and from another Blink account, intraledger, on-chain deposits) while
// the fake drops the socket at random (50+ times) and stalls it (4
// times), often while payments go on: the
// consumer sees each exactly once, and each deposit once pending and
// once confirmed.
func TestMyUpdates_EveryPaymentExactlyOnceThroughRandomDrops(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: the chaos run is long")
	}
	noLeaks(t)
	const n = 1000
	srv := newFake(t, blinktest.WithInvoiceRateLimit(10*n))
	alice := newFakeKeyUser(t, srv, "alice", 0)
	bob := newFakeKeyUser(t, srv, "bob", 100_000_000)
	addr, err := alice.Client.CreateOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)

	want := 0 // receipts expected: deposits count twice
	drops, stalls := 0, 0
	for i := range n {
		switch i % 4 {
		case 0:
			payOutside(t, srv, alice, Sats(1+i))
			want++
		case 1:
			inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(1+i), nil)
			require.NoError(t, err)
			_, err = bob.Client.PayInvoice(bg(), bob.BTCWalletID, inv.PaymentRequest, nil)
			require.NoError(t, err)
			want++
		case 2:
			_, err := bob.Client.SendIntraLedger(bg(), bob.BTCWalletID, alice.BTCWalletID, Sats(1+i), nil)
			require.NoError(t, err)
			want++
		case 3:
			// Confirmed once the consumer has seen it pending (live or
			// caught up): a deposit confirmed while the socket is down
			// can only be delivered confirmed.
			h, err := srv.ReceiveOnChain(addr, int64(1000+i))
			require.NoError(t, err)
			uc.waitFor(t, 5*time.Second, "pending deposit", func(rs []Update) bool {
				for _, u := range rs {
					if v, ok := u.(*OnChainUpdate); ok && v.TxHash == h {
						return true
					}
				}
				return false
			})
			require.NoError(t, srv.ConfirmOnChain(h))
			want += 2
		}
		switch {
		case i%250 == 125:
			// A half-open socket: payments go on while the keepalive
			// notices it, and new sockets stall too until it ends.
			srv.StallWebSockets()
			stalls++
			for range 3 {
				payOutside(t, srv, alice, 5)
				want++
			}
			sessionGone(t, alice.Client) // the keepalive noticed
			srv.UnstallWebSockets()
		case i%25 == 0 || rand.N(30) == 0:
			before := alice.Client.rt.m.connects.Load()
			srv.DropWebSockets()
			drops++
			if rand.N(2) == 0 {
				// Pay on while the client reconnects, or only once it has.
				require.Eventually(t, func() bool { return alice.Client.rt.m.connects.Load() > before }, 10*time.Second, time.Millisecond, "no reconnect")
			}
		}
	}
	uc.waitFor(t, 20*time.Second, "every receipt", func(rs []Update) bool { return len(rs) >= want })
	rs := uc.barrier(t, srv, alice) // a duplicate would come before the marker
	kinds := map[string]int{}
	for _, u := range rs {
		switch v := u.(type) {
		case *OnChainUpdate:
			kinds[string(v.Kind)]++
		default:
			kinds[fmt.Sprintf("%T", u)]++
		}
	}
	t.Logf("by kind: %v", kinds)

	seen := map[string]int{}
	caught := 0
	for _, u := range uc.receipts() { // with the marker, for the ledger
		tx := updateTx(u)
		seen[tx.ID+"/"+string(tx.Status)]++
	}
	dups := 0
	for _, c := range seen {
		dups += c - 1
	}
	// Every receipt in the ledger arrived.
	ledger := 0
	for tx, err := range alice.Client.TransactionsSince(bg(), "", nil) {
		require.NoError(t, err)
		if tx.Direction == Receive {
			ledger++
			assert.Equal(t, 1, seen[tx.ID+"/"+string(tx.Status)], "ledger entry %s delivered once", tx.ID)
		}
	}
	for _, u := range rs {
		if c := caughtUpOf(u); c {
			caught++
		}
	}
	assert.Equal(t, want, len(rs), "0 missed, 0 duplicates")
	assert.Zero(t, dups)
	assert.Equal(t, n+3*stalls+1, ledger, "with the marker")
	assert.GreaterOrEqual(t, drops, 20)
	t.Logf("%d payments, %d receipts (%d caught up), %d drops, %d stalls, %d connections",
		n+3*stalls, len(rs), caught, drops, stalls, alice.Client.rt.m.connects.Load())
}

func caughtUpOf(u Update) bool {
	switch v := u.(type) {
	case *LightningReceipt:
		return v.CaughtUp
	case *IntraLedgerReceipt:
		return v.CaughtUp
	case *OnChainUpdate:
		return v.CaughtUp
	}
	return false
}

func TestMyUpdates_CatchUpNeedsReadAndNoCatchUpDoesNot(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, []string{"RECEIVE"})
	u.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { u.Client.Close() })
	var got error
	for _, err := range u.Client.MyUpdates(bg(), nil) {
		got = err
	}
	assert.ErrorIs(t, got, ErrInsufficientScope)

	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	for up, err := range u.Client.MyUpdates(ctx, &MyUpdatesOptions{NoCatchUp: true}) {
		require.NoError(t, err)
		switch up.(type) {
		case *PriceUpdate, *RealtimePriceUpdate: // the prices sent on subscribing
		default:
			t.Errorf("first update %T", up)
		}
		break
	}
	require.NoError(t, ctx.Err())
}

// The send was walked by an earlier catch-up, so the refund's catch-up
// finds it only by looking the payment hash up.
func TestMyUpdates_RefundOfASendBeforeTheCursorIsNotAReceipt(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 100_000)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(500, blinktest.OutcomePending), nil)
	require.NoError(t, err)
	h1 := payOutside(t, srv, alice, 600) // moves the cursor past the send
	uc.waitFor(t, 5*time.Second, "h1", func(rs []Update) bool { return len(rs) == 1 })

	srv.RefuseWebSockets(0)
	srv.DropWebSockets()
	require.NoError(t, srv.FailPending(res.PaymentHash))
	h2 := payOutside(t, srv, alice, 700)
	srv.AcceptWebSockets()
	uc.waitFor(t, 5*time.Second, "caught up", func(rs []Update) bool { return len(rs) >= 2 })
	rs := uc.barrier(t, srv, alice)
	assert.Equal(t, map[string]int{h1: 1, h2: 1}, receiptHashes(rs), describeUpdates(rs))
}

func TestMyUpdates_DecodeSkipsUpdatesOfUnknownKindsAndMapsPayloadErrors(t *testing.T) {
	c, err := New("galoy_dev_"+strings.Repeat("Zz9y", 16), WithEndpoint("http://127.0.0.1:1"))
	require.NoError(t, err)
	m := &myUpdates{c: c, op: "MyUpdates", seen: newSeenSet(10)}
	for _, p := range []string{
		`{"data":{"myUpdates":{"errors":[],"update":{}}}}`,
		`{"data":{"myUpdates":{"errors":[],"update":{"__typename":"SomethingNew","x":1}}}}`,
		`{"data":{"myUpdates":{"errors":[],"update":null}}}`,
	} {
		u, err := m.decode([]byte(p))
		assert.NoError(t, err, p)
		assert.Nil(t, u, p)
	}
	_, err = m.decode([]byte(`{"data":{"myUpdates":{"errors":[{"code":"INVALID_INPUT","message":"nope"}],"update":null}}}`))
	assert.Error(t, err)
	_, err = m.decode([]byte(`{"data":null,"errors":[{"message":"Not Authenticated for subscription","extensions":{"code":"NOT_AUTHENTICATED"}}]}`))
	assert.ErrorIs(t, err, ErrInvalidAPIKey)
	assert.ErrorIs(t, err, ErrNotAuthenticated)
}

func TestMyUpdates_SeenSetForgetsTheOldestBeyondItsSize(t *testing.T) {
	s := newSeenSet(2)
	assert.True(t, s.add("a"))
	assert.False(t, s.add("a"))
	assert.True(t, s.add("b"))
	assert.True(t, s.add("c"))
	assert.False(t, s.has("a"))
	assert.True(t, s.has("b") && s.has("c"))
}

// Since starts the walk about a minute before it (the newest entry at
// least a minute older than the one just before Since): what the caller
// may have missed just before the last receipt it handled comes again,
// marked CaughtUp; Since itself and what is older than that do not.
func TestMyUpdates_SinceLooksBackAboutAMinute(t *testing.T) {
	noLeaks(t)
	clk := newRcvClock()
	srv := newFake(t, blinktest.WithClock(clk.Now))
	alice := newFakeKeyUser(t, srv, "alice", 0)
	old := payOutside(t, srv, alice, 1_000)
	clk.Advance(2 * time.Minute)
	recent := payOutside(t, srv, alice, 2_000)
	clk.Advance(30 * time.Second)
	handled := payOutside(t, srv, alice, 3_000)
	page, err := alice.Client.TransactionsPage(bg(), &TransactionListOptions{PageSize: 1})
	require.NoError(t, err)
	since := page.Transactions[0].ID
	after := payOutside(t, srv, alice, 4_000)

	uc := collectMyUpdates(t, alice.Client, &MyUpdatesOptions{Since: since})
	rs := uc.barrier(t, srv, alice)
	assert.Equal(t, map[string]int{recent: 1, after: 1}, receiptHashes(rs), "old %s, handled %s: %s", old, handled, describeUpdates(rs))
	for _, r := range rs {
		assert.True(t, caughtUpOf(r), describeUpdates(rs))
	}
}

// A failure to read the wallets at start (503 past the retry policy) is
// retried with backoff: the stream starts once the server answers.
func TestMyUpdates_StartIsRetriedUntilItSucceeds(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, fastRetry)
	alice.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { alice.Client.Close() })
	srv.InjectFault("Wallets", blinktest.Fault{Status: 503}, 8) // two whole starts fail
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)
	h := payOutside(t, srv, alice, 1_000)
	uc.waitFor(t, 5*time.Second, "the receipt", func(rs []Update) bool { return receiptHashes(rs)[h] == 1 })
	assert.GreaterOrEqual(t, srv.Requests("Wallets"), 9)
}

// A start that keeps failing ends with ErrClientClosed once the client is
// closed (the HTTP side would go on failing for ever).
func TestMyUpdates_CloseWhileTheStartFailsEndsWithErrClientClosed(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, fastRetry)
	alice.Client.rt.cfg = fastRealtime
	srv.InjectFault("Wallets", blinktest.Fault{Status: 503}, 1_000_000)
	done := make(chan error, 1)
	go func() {
		var last error
		for _, err := range alice.Client.MyUpdates(bg(), nil) {
			last = err
		}
		done <- last
	}()
	require.Eventually(t, func() bool { return srv.Requests("Wallets") >= 4 }, 5*time.Second, time.Millisecond)
	alice.Client.Close()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, ErrClientClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not end after Close")
	}
}
