package blink_test

import (
	"bytes"
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
	// checked closes once the wait's first status check has come back:
	// a payment after it can only end the wait through the hint.
	checked := make(chan struct{})
	var once sync.Once
	watcher, err := blink.New("", blink.WithEndpoint(srv.URL()), blink.WithHTTPClient(&http.Client{
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			resp, err := http.DefaultTransport.RoundTrip(r)
			if err == nil {
				body, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				resp.Body = io.NopCloser(bytes.NewReader(body))
				if rerr == nil && bytes.Contains(body, []byte("lnInvoicePaymentStatusByHash")) {
					once.Do(func() { close(checked) })
				}
			}
			return resp, err
		}),
	}))
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
	<-checked // the wait's first check answered PENDING
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, blink.InvoicePaid, r.st.Status)
	require.NoError(t, srv.WaitWebhooksIdle(ctx))
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 1, woken[inv.PaymentHash], "the delivery woke the one wait")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
