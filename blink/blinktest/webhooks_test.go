package blinktest_test

import (
	"context"
	"io"
	"net/http"
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

// An endpoint added through the SDK gets a signed receive.lightning that
// webhook.ConstructEvent accepts with the account's secret; a failed first
// attempt is retried 5 s later by the server's clock, with the same id.
func TestServer_DeliversSignedWebhooksToAnSDKEndpoint(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	srv := blinktest.New(t, blinktest.WithLoopbackWebhooks(), blinktest.WithClock(clock))
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "shop"})
	c, err := blink.New(srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}), blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)

	var mu sync.Mutex
	var events []webhook.Event
	var ids []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := webhook.ConstructEventWithOptions(body, r.Header, srv.WebhookSecret(acct.ID), &webhook.VerifyOptions{Now: clock})
		mu.Lock()
		defer mu.Unlock()
		ids = append(ids, r.Header.Get("svix-id"))
		if err != nil || len(ids) == 1 {
			w.WriteHeader(500) // the first attempt fails
			return
		}
		events = append(events, ev)
	}))
	defer hook.Close()
	_, err = c.AddCallbackEndpoint(context.Background(), hook.URL)
	require.NoError(t, err)

	inv, err := c.CreateInvoice(context.Background(), acct.BTCWalletID, 700, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitWebhooksIdle(ctx))
	clockMu.Lock()
	now = now.Add(5 * time.Second)
	clockMu.Unlock()
	srv.Tick()
	require.NoError(t, srv.WaitWebhooksIdle(ctx))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, ids, 2)
	assert.Equal(t, ids[0], ids[1], "one message id across retries")
	require.Len(t, events, 1)
	ev, ok := events[0].(*webhook.ReceiveLightning)
	require.True(t, ok, "%T", events[0])
	assert.Equal(t, acct.BTCWalletID, ev.WalletID)
	log := srv.WebhookDeliveries()
	require.Len(t, log, 2)
	assert.Equal(t, []int{500, 200}, []int{log[0].StatusCode, log[1].StatusCode})
	assert.Equal(t, 2, log[1].Attempt)
}
