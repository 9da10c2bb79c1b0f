package blink_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/blink/webhook"
)

// A verified receive.lightning delivery, handed to HintInvoice, ends a
// wait that would otherwise learn of the payment an hour later: the
// wait polls only (no websocket), once an hour; a hint is checked a
// second after the previous check at the latest.
func TestWebhook_ReceiveLightningHintEndsAWaitAtOnce(t *testing.T) {
	srv := blinktest.NewServer(blinktest.WithLoopbackWebhooks())
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", Level: blinktest.LevelOne})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeReceive, blink.ScopeWrite}})
	alice, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer alice.Close()
	watcher, err := blink.New("", blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer watcher.Close()

	var mu sync.Mutex
	woken := map[string]int{}
	h, err := webhook.NewHandler(srv.WebhookSecret(acct.ID), func(_ context.Context, d webhook.Delivery) error {
		if hash, ok := webhook.PaymentHashOf(d.Event); ok {
			n := watcher.HintInvoice(hash)
			mu.Lock()
			woken[hash] += n
			mu.Unlock()
		}
		return nil
	}, nil)
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	defer hook.Close()
	_, err = alice.AddCallbackEndpoint(context.Background(), hook.URL+"/blink")
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv, err := alice.CreateInvoice(ctx, acct.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	type result struct {
		st  *blink.InvoicePaymentStatus
		err error
	}
	done := make(chan result, 1)
	started := make(chan struct{})
	go func() {
		close(started)
		st, err := watcher.WaitForInvoice(ctx, inv.PaymentHash, &blink.WaitInvoiceOptions{
			PollOnly: true, PollFloor: time.Hour})
		done <- result{st, err}
	}()
	<-started
	// The wait registers and makes its first check at once; pay after
	// the delivery can only matter if it wakes the wait.
	require.Eventually(t, func() bool { return srv.Requests("LnInvoicePaymentStatusByHash") >= 1 }, 10*time.Second, time.Millisecond)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, blink.InvoicePaid, r.st.Status)
	require.NoError(t, srv.WaitWebhooksIdle(ctx))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 1, woken[inv.PaymentHash], "the delivery woke the one wait")
}
