package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/blink/webhook"
)

// The server marks an invoice paid once Blink's signed delivery arrives
// and the invoice status confirms it, and refuses a forged delivery.
func TestWebhookServer_MarksAPaidInvoiceOnceAndRefusesForgeries(t *testing.T) {
	srv := blinktest.NewServer(blinktest.WithLoopbackWebhooks())
	defer srv.Close()
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "shop", Level: blinktest.LevelOne})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeWrite}})
	owner, err := blink.New(key, blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer owner.Close()
	client, err := blink.New("", blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer client.Close()

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := &shop{log: log, paid: map[string]bool{}}
	h, err := newHandler(srv.WebhookSecret(acct.ID), client, s, log)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("POST /blink/webhook", h)
	hook := httptest.NewServer(mux)
	defer hook.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = owner.AddCallbackEndpoint(ctx, hook.URL+"/blink/webhook")
	require.NoError(t, err)

	inv, err := owner.CreateInvoice(ctx, acct.BTCWalletID, 2_100, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	require.NoError(t, srv.WaitWebhooksIdle(ctx))
	assert.True(t, s.isPaid(inv.PaymentHash))

	// A forgery: the right body shape, no valid signature.
	other, err := owner.CreateInvoice(ctx, acct.BTCWalletID, 99, nil)
	require.NoError(t, err)
	body := `{"paymentHash":"` + other.PaymentHash + `","paymentRequest":"x","status":"PAID","paymentPreimage":"00"}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL+"/blink/webhook", bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("svix-id", "msg_forged")
	req.Header.Set("svix-timestamp", "1700000000")
	req.Header.Set("svix-signature", "v1,AAAA")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.False(t, s.isPaid(other.PaymentHash))

	// Signed with the real secret (a leaked secret, or Blink itself in
	// error) but the invoice is unpaid: the status check says no.
	signed, err := webhook.Sign(srv.WebhookSecret(acct.ID), "msg_signed", time.Now(), []byte(body))
	require.NoError(t, err)
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, hook.URL+"/blink/webhook", bytes.NewBufferString(body))
	require.NoError(t, err)
	for k, v := range signed {
		req.Header[k] = v
	}
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.False(t, s.isPaid(other.PaymentHash), "a webhook is a hint; the server's status is the truth")
}
