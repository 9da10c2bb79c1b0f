package blink_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/blink/webhook"
)

// e2eClock is a settable clock shared by blinktest and the handlers.
type e2eClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *e2eClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *e2eClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// e2eReceiver is a webhook.Handler behind an httptest server; its
// function fails the first call of every message fail picks, and records
// what it handled.
type e2eReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	calls   map[string]int // message id → calls of the function
	handled []string       // "type status txid", in the order handled
	byMsg   map[string]string
}

func newE2EReceiver(t *testing.T, secret string, clock func() time.Time, fail func(tx *webhook.TransactionEvent) bool) *e2eReceiver {
	r := &e2eReceiver{calls: map[string]int{}, byMsg: map[string]string{}}
	h, err := webhook.NewHandler(secret, func(_ context.Context, d webhook.Delivery) error {
		tx, ok := webhook.TransactionOf(d.Event)
		if !ok {
			return fmt.Errorf("not a transaction event: %T", d.Event)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls[d.ID]++
		if r.calls[d.ID] == 1 && fail(tx) {
			return errors.New("the shop's database is down")
		}
		k := fmt.Sprintf("%s %s %s", tx.EventType, tx.Transaction.Status, tx.Transaction.ID)
		r.handled = append(r.handled, k)
		r.byMsg[d.ID] = k
		return nil
	}, &webhook.HandlerOptions{Now: clock})
	require.NoError(t, err)
	r.srv = httptest.NewServer(h)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *e2eReceiver) snapshot() (handled []string, calls map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls = map[string]int{}
	for k, v := range r.calls {
		calls[k] = v
	}
	return append([]string(nil), r.handled...), calls
}

// Payments of every kind, through the SDK and blinktest, reach a
// webhook.Handler registered with AddCallbackEndpoint: each event is
// handled exactly once, although the function fails the first attempt of
// some messages (so their retries arrive after later events: a pending
// after its own confirmation), and although the fake then redelivers
// every message.
func TestWebhookE2E_EveryPaymentHandledExactlyOnce(t *testing.T) {
	ctx := context.Background()
	clk := &e2eClock{t: time.Now()} // the SDK checks invoice expiry by the real clock
	srv := blinktest.New(t, blinktest.WithLoopbackWebhooks(), blinktest.WithClock(clk.Now))
	shopAcct := srv.CreateAccount(blinktest.AccountOptions{Username: "shop"})
	payerAcct := srv.CreateAccount(blinktest.AccountOptions{Username: "payer", BTCBalance: 1_000_000})
	shop, err := blink.New(srv.CreateAPIKey(shopAcct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	payer, err := blink.New(srv.CreateAPIKey(payerAcct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)

	// The shop fails the first attempt of every pending event and of the
	// intraledger receipt; the payer's side fails every first attempt.
	shopHook := newE2EReceiver(t, srv.WebhookSecret(shopAcct.ID), clk.Now, func(tx *webhook.TransactionEvent) bool {
		return tx.Transaction.Status == blink.TxPending || tx.EventType == "receive.intraledger"
	})
	payerHook := newE2EReceiver(t, srv.WebhookSecret(payerAcct.ID), clk.Now, func(*webhook.TransactionEvent) bool { return true })
	_, err = shop.AddCallbackEndpoint(ctx, shopHook.srv.URL+"/blink")
	require.NoError(t, err)
	_, err = payer.AddCallbackEndpoint(ctx, payerHook.srv.URL+"/blink")
	require.NoError(t, err)

	idle := func() {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		require.NoError(t, srv.WaitWebhooksIdle(wctx))
	}

	// Lightning, Blink to Blink; and from outside.
	inv, err := shop.CreateInvoice(ctx, shopAcct.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	res, err := payer.PayInvoice(ctx, payerAcct.BTCWalletID, inv.PaymentRequest, nil)
	require.NoError(t, err)
	lnSend := res.Transaction.ID
	inv2, err := shop.CreateInvoice(ctx, shopAcct.BTCWalletID, 2_000, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(inv2.PaymentRequest))
	// Intraledger.
	res, err = payer.SendIntraLedger(ctx, payerAcct.BTCWalletID, shopAcct.BTCWalletID, 3_000, nil)
	require.NoError(t, err)
	intraSend := res.Transaction.ID
	// On-chain out, then confirmed.
	res, err = payer.SendOnChain(ctx, payerAcct.BTCWalletID, srv.ExternalAddress(), 40_000, nil)
	require.NoError(t, err)
	chainSend := res.Transaction.ID
	require.NoError(t, srv.ConfirmOnChain(res.Transaction.Settlement.TxHash))
	// On-chain in: pending, and confirmed once the pending delivery has
	// failed (its retry comes after the confirmation).
	addr, err := shop.CreateOnChainAddress(ctx, shopAcct.BTCWalletID)
	require.NoError(t, err)
	txHash, err := srv.ReceiveOnChain(addr, 50_000)
	require.NoError(t, err)
	idle()
	require.NoError(t, srv.ConfirmOnChain(txHash))
	// Lightning out, pending, then settled.
	ext := srv.ExternalInvoice(500, blinktest.OutcomePending)
	res, err = payer.PayInvoice(ctx, payerAcct.BTCWalletID, ext, nil)
	require.NoError(t, err)
	require.Equal(t, blink.PaymentPending, res.Status)
	pendingSend := res.Transaction.ID
	idle()
	require.NoError(t, srv.SettlePending(res.PaymentHash))
	idle()

	// The retries, 5 s later by the fake's clock.
	clk.Advance(5 * time.Second)
	srv.Tick()
	idle()

	shopHandled, _ := shopHook.snapshot()
	payerHandled, _ := payerHook.snapshot()
	shopTxs := srv.Ledger(shopAcct.BTCWalletID)
	var lnIn, extIn, intraIn, chainIn string
	for _, tx := range shopTxs {
		switch {
		case tx.Via == "lightning" && tx.PaymentHash == inv.PaymentHash:
			lnIn = tx.ID
		case tx.Via == "lightning":
			extIn = tx.ID
		case tx.Via == "intraledger":
			intraIn = tx.ID
		case tx.Via == "onchain":
			chainIn = tx.ID
		}
	}
	pendingIn := pendingOnChainID(t, shopHook)
	assert.ElementsMatch(t, []string{
		"receive.lightning SUCCESS " + lnIn,
		"receive.lightning SUCCESS " + extIn,
		"receive.intraledger SUCCESS " + intraIn,
		"receive.onchain PENDING " + pendingIn,
		"receive.onchain SUCCESS " + chainIn,
	}, shopHandled)
	assert.ElementsMatch(t, []string{
		"send.lightning SUCCESS " + lnSend,
		"send.intraledger SUCCESS " + intraSend,
		"send.onchain PENDING " + chainSend,
		"send.onchain SUCCESS " + chainSend,
		"send.lightning PENDING " + pendingSend,
		"send.lightning SUCCESS " + pendingSend,
	}, payerHandled)
	// Out of order: the shop handled the confirmation before the pending.
	assert.Less(t, indexOf(shopHandled, "receive.onchain SUCCESS "+chainIn), indexOf(shopHandled, "receive.onchain PENDING "+pendingIn))

	// The fake redelivers every message: the handler answers 2xx and its
	// function is not called again.
	_, callsBefore := shopHook.snapshot()
	_, payerCallsBefore := payerHook.snapshot()
	seen := map[string]bool{}
	for _, a := range srv.WebhookDeliveries() {
		if !seen[a.MsgID] {
			seen[a.MsgID] = true
			require.True(t, srv.RedeliverWebhook(a.MsgID))
		}
	}
	idle()
	shopAfter, callsAfter := shopHook.snapshot()
	payerAfter, payerCallsAfter := payerHook.snapshot()
	assert.Equal(t, callsBefore, callsAfter)
	assert.Equal(t, payerCallsBefore, payerCallsAfter)
	assert.Equal(t, shopHandled, shopAfter)
	assert.Equal(t, payerHandled, payerAfter)
	var codes []int
	for _, a := range srv.WebhookDeliveries() {
		codes = append(codes, a.StatusCode)
	}
	sort.Ints(codes)
	assert.Equal(t, 11, len(seen), "eleven messages")
	assert.Equal(t, 500, codes[len(codes)-1], "only the failed first attempts are non-2xx")
	failed := 0
	for _, c := range codes {
		if c == 500 {
			failed++
		}
	}
	assert.Equal(t, 2+6, failed, "the shop's 2 (the pending deposit, the intraledger receipt), the payer's 6")
	assert.Equal(t, 11+8+11, len(codes), "first attempts, retries, redeliveries")
}

// pendingOnChainID is the transaction id of the pending on-chain receipt
// the shop handled (the pending entry is not in the ledger).
func pendingOnChainID(t *testing.T, r *e2eReceiver) string {
	t.Helper()
	handled, _ := r.snapshot()
	for _, h := range handled {
		var typ, status, id string
		_, _ = fmt.Sscan(h, &typ, &status, &id)
		if typ == "receive.onchain" && status == "PENDING" {
			return id
		}
	}
	return "none"
}

func indexOf(ss []string, s string) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	return -1
}
