package blink

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// TestRealtime_ChaosEveryReceiptOnceAndEveryWaitPaid is the chaos
// run with both consumers at once: 1,000 payments in and out of one
// account (lightning from outside and from another Blink account into
// both wallets, intraledger into both wallets, on-chain deposits pending
// and confirmed, and the account's own lightning, intraledger and
// on-chain sends) while the fake drops every socket at random at least 20
// times and stalls them (half-open) a few times. MyUpdates must deliver
// every receipt exactly once per status and every on-chain send, nothing
// for the lightning and intraledger sends (the server emits nothing for
// them); every WaitForInvoice, on a second client without a key sharing
// the drops, must return PAID with the preimage.
func TestRealtime_ChaosEveryReceiptOnceAndEveryWaitPaid(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: the chaos run is long")
	}
	noLeaks(t)
	const n = 1000
	srv := newFake(t, blinktest.WithInvoiceRateLimit(10*n))
	alice := newFakeUser(t, srv, "alice", 100_000_000, 0, nil)
	alice.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { alice.Client.Close() })
	bob := newFakeUser(t, srv, "bob", 100_000_000, 10_000_000, nil)
	t.Cleanup(func() { bob.Client.Close() })
	anon := newAnonFakeClient(t, srv)
	addr, err := alice.Client.CreateOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)
	// Probes see each client's sockets go down (a stall is noticed by the
	// keepalive, not by the server).
	probeAlice, probeAnon := testSub(t, alice.Client), testSub(t, anon)
	defer probeAlice.stop()
	defer probeAnon.stop()

	ctx, cancel := context.WithTimeout(bg(), 2*time.Minute)
	defer cancel()
	var waits []<-chan waitResult
	wait := func(inv *Invoice) {
		waits = append(waits, waitAsync(ctx, anon, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: 200 * time.Millisecond}))
	}
	onChainSends := 0
	receipts := 0 // receipt deliveries expected (deposits count twice)
	drops, stalls := 0, 0
	for i := range n {
		amount := Sats(1 + i)
		switch i % 8 {
		case 0: // lightning from outside Blink
			inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, amount, nil)
			require.NoError(t, err)
			wait(inv)
			require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
			receipts++
		case 1: // lightning from another Blink account
			inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, amount, nil)
			require.NoError(t, err)
			wait(inv)
			_, err = bob.Client.PayInvoice(bg(), bob.BTCWalletID, inv.PaymentRequest, nil)
			require.NoError(t, err)
			receipts++
		case 2: // a USD invoice, paid from another Blink account
			inv, err := alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, Cents(1+i%50), nil)
			require.NoError(t, err)
			wait(inv)
			_, err = bob.Client.PayInvoice(bg(), bob.BTCWalletID, inv.PaymentRequest, nil)
			require.NoError(t, err)
			receipts++
		case 3: // intraledger into the BTC wallet
			_, err := bob.Client.SendIntraLedger(bg(), bob.BTCWalletID, alice.BTCWalletID, amount, nil)
			require.NoError(t, err)
			receipts++
		case 4: // intraledger into the USD wallet
			_, err := bob.Client.SendIntraLedgerUSD(bg(), bob.USDWalletID, alice.USDWalletID, Cents(1+i%50), nil)
			require.NoError(t, err)
			receipts++
		case 5: // an on-chain deposit, confirmed once seen pending
			h, err := srv.ReceiveOnChain(addr, int64(1000+i))
			require.NoError(t, err)
			uc.waitFor(t, 10*time.Second, "pending deposit", func(rs []Update) bool {
				for _, u := range rs {
					if v, ok := u.(*OnChainUpdate); ok && v.TxHash == h && v.Kind == OnChainReceiptPending {
						return true
					}
				}
				return false
			})
			require.NoError(t, srv.ConfirmOnChain(h))
			receipts += 2
		case 6: // the account's own lightning or intraledger send: no event
			if i%16 == 6 {
				_, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(int64(amount), blinktest.OutcomeSuccess), nil)
			} else {
				_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, amount, nil)
			}
			require.NoError(t, err)
		case 7: // the account's own on-chain send
			_, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, srv.ExternalAddress(), Sats(10_000+i), nil)
			require.NoError(t, err)
			onChainSends++
		}
		switch {
		case i%250 == 125:
			// Half-open sockets: payments go on until both keepalives
			// notice, and new sockets stall too until it ends.
			probeLive(t, probeAlice)
			probeLive(t, probeAnon)
			srv.StallWebSockets()
			stalls++
			payOutside(t, srv, alice, 5)
			receipts++
			nextOf(t, probeAlice, rtDown, 10*time.Second)
			nextOf(t, probeAnon, rtDown, 10*time.Second)
			payOutside(t, srv, alice, 6)
			receipts++
			srv.UnstallWebSockets()
		case i%25 == 0 || rand.N(30) == 0:
			srv.DropWebSockets()
			drops++
		}
	}

	for i, r := range waits {
		select {
		case x := <-r:
			require.NoError(t, x.err, "wait %d", i)
			require.Equal(t, InvoicePaid, x.st.Status, "wait %d", i)
			require.NotEmpty(t, x.st.Preimage, "wait %d", i)
		case <-ctx.Done():
			t.Fatalf("wait %d did not return", i)
		}
	}

	// The ledger says what MyUpdates owes: every receipt once per status
	// it was seen in (a deposit pending, then confirmed), every on-chain
	// send, nothing else. A final sentinel payment proves the stream has
	// delivered everything before it.
	sentinel := payOutside(t, srv, alice, 7)
	receipts++
	rs := uc.waitFor(t, 30*time.Second, "the sentinel receipt", func(rs []Update) bool {
		return receiptHashes(rs)[sentinel] == 1
	})
	seen := map[string]int{}
	kinds := map[string]int{}
	var sends []*OnChainUpdate
	for _, u := range rs {
		tx := updateTx(u)
		seen[tx.ID+"/"+string(tx.Status)]++
		switch v := u.(type) {
		case *OnChainUpdate:
			kinds[string(v.Kind)]++
			if v.Kind == OnChainPayment {
				sends = append(sends, v)
			}
		default:
			kinds[fmt.Sprintf("%T/%s", u, tx.Amount.Currency)]++
		}
	}
	for key, c := range seen {
		assert.Equal(t, 1, c, "entry %s delivered %d times", key, c)
	}
	for tx, err := range alice.Client.TransactionsSince(bg(), "", nil) {
		require.NoError(t, err)
		switch {
		case tx.Direction == Receive:
			assert.Positive(t, seen[tx.ID+"/"+string(tx.Status)], "receipt %s (%s) delivered", tx.ID, tx.Status)
		case tx.Initiation.Rail == OnChain:
			assert.Positive(t, seen[tx.ID+"/"+string(tx.Status)], "on-chain send %s delivered", tx.ID)
		default:
			assert.Zero(t, seen[tx.ID+"/"+string(tx.Status)], "a %s send has no event", tx.Initiation.Rail)
		}
	}
	assert.Len(t, sends, onChainSends, "every on-chain send once")
	assert.Equal(t, receipts, len(rs)-len(sends), "0 missed, 0 duplicates")
	assert.GreaterOrEqual(t, drops, 20)
	assert.GreaterOrEqual(t, kinds["*blink.LightningReceipt/USD"], 1)
	assert.GreaterOrEqual(t, kinds["*blink.IntraLedgerReceipt/USD"], 1)
	t.Logf("%d operations, %d receipt deliveries, %d on-chain sends, %d waits PAID, %d drops, %d stalls; by kind %v; connections: MyUpdates %d, waits %d",
		n, len(rs)-len(sends), len(sends), len(waits), drops, stalls, kinds,
		alice.Client.rt.m.connects.Load(), anon.rt.m.connects.Load())
}

// probeLive consumes a probe's queued events and returns once its latest
// is a subscribe on a live connection, so that the next rtDown it
// hears is news.
func probeLive(t *testing.T, s *rtSub) {
	t.Helper()
	last := rtKind(-1)
	for {
		ev, ok := s.poll()
		if !ok {
			break
		}
		if ev.kind != rtNext {
			last = ev.kind
		}
	}
	if last == rtSubscribed {
		return
	}
	nextOf(t, s, rtSubscribed, 10*time.Second)
}
