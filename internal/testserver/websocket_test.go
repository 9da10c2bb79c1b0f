package testserver_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// wsConn is a minimal graphql-transport-ws client.
type wsConn struct {
	t   *testing.T
	ctx context.Context
	c   *websocket.Conn
}

func dialWS(t *testing.T, srv *blinktest.Server, key string) *wsConn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	c, res, err := websocket.Dial(ctx, srv.WebSocketURL(), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	require.Equal(t, "graphql-transport-ws", res.Header.Get("Sec-WebSocket-Protocol"))
	w := &wsConn{t: t, ctx: ctx, c: c}
	init := map[string]any{"type": "connection_init"}
	if key != "" {
		init["payload"] = map[string]any{"X-API-KEY": key}
	}
	w.send(init)
	require.Equal(t, "connection_ack", w.read()["type"])
	return w
}

func (w *wsConn) send(v any) {
	w.t.Helper()
	b, _ := json.Marshal(v)
	require.NoError(w.t, w.c.Write(w.ctx, websocket.MessageText, b))
}

func (w *wsConn) read() map[string]any {
	w.t.Helper()
	_, b, err := w.c.Read(w.ctx)
	require.NoError(w.t, err)
	var m map[string]any
	require.NoError(w.t, json.Unmarshal(b, &m))
	return m
}

func (w *wsConn) subscribe(id, query string, vars map[string]any) {
	w.send(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{"query": query, "variables": vars}})
}

// next reads the next "next" message and returns its data.
func (w *wsConn) next() any {
	w.t.Helper()
	for {
		m := w.read()
		switch m["type"] {
		case "next":
			return get(m, "payload", "data")
		case "ping", "pong":
			continue
		default:
			w.t.Fatalf("unexpected message %v", m)
		}
	}
}

func TestWebSocketAnswersPing(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "")
	w.send(map[string]any{"type": "ping"})
	assert.Equal(t, "pong", w.read()["type"])
}

func TestRealtimePriceSubscriptionEmitsAtOnceAndOnChange(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "")
	w.subscribe("1", `subscription($input: RealtimePriceInput!) { realtimePrice(input: $input) { errors { message } realtimePrice { btcSatPrice { base offset } } } }`,
		map[string]any{"input": map[string]any{"currency": "USD"}})
	assert.Equal(t, float64(100_000_000_000), get(w.next(), "realtimePrice", "realtimePrice", "btcSatPrice", "base"))
	srv.SetPrice(2_000_000)
	assert.Equal(t, float64(20_000_000_000), get(w.next(), "realtimePrice", "realtimePrice", "btcSatPrice", "base"))
}

func TestInvoiceStatusSubscriptionGoesFromPendingToPaidWithPreimage(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	w := dialWS(t, f.srv, "")
	w.subscribe("h", `subscription($input: LnInvoicePaymentStatusByHashInput!) { lnInvoicePaymentStatusByHash(input: $input) { status paymentPreimage errors { message } } }`,
		map[string]any{"input": map[string]any{"paymentHash": hash}})
	assert.Equal(t, "PENDING", get(w.next(), "lnInvoicePaymentStatusByHash", "status"))
	w.subscribe("r", `subscription($input: LnInvoicePaymentStatusByPaymentRequestInput!) { lnInvoicePaymentStatusByPaymentRequest(input: $input) { status } }`,
		map[string]any{"input": map[string]any{"paymentRequest": pr}})
	assert.Equal(t, "PENDING", get(w.next(), "lnInvoicePaymentStatusByPaymentRequest", "status"))

	require.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)))
	got := map[string]any{}
	for range 2 {
		d := w.next().(map[string]any)
		for k, v := range d {
			got[k] = v
		}
	}
	assert.Equal(t, "PAID", get(got, "lnInvoicePaymentStatusByHash", "status"))
	assert.Len(t, get(got, "lnInvoicePaymentStatusByHash", "paymentPreimage"), 64)
	assert.Equal(t, "PAID", get(got, "lnInvoicePaymentStatusByPaymentRequest", "status"))
}

func TestMyUpdatesSendsPriceThenReceipts(t *testing.T) {
	f := newFixture(t)
	w := dialWS(t, f.srv, f.bobKey)
	w.subscribe("u", `subscription { myUpdates { errors { code message } update { __typename
  ... on LnUpdate { paymentHash status walletId }
  ... on IntraLedgerUpdate { amount walletId txNotificationType } } } }`, nil)
	assert.Equal(t, "Price", get(w.next(), "myUpdates", "update", "__typename"))
	assert.Equal(t, "RealtimePrice", get(w.next(), "myUpdates", "update", "__typename"))

	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	d := w.next()
	assert.Equal(t, "LnUpdate", get(d, "myUpdates", "update", "__typename"))
	assert.Equal(t, hash, get(d, "myUpdates", "update", "paymentHash"))
	assert.Equal(t, "PAID", get(d, "myUpdates", "update", "status"))

	m := `mutation($input: IntraLedgerPaymentSendInput!) { intraLedgerPaymentSend(input: $input) { status } }`
	call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.BTCWalletID, "amount": 5}})
	d = w.next()
	assert.Equal(t, "IntraLedgerUpdate", get(d, "myUpdates", "update", "__typename"))
	assert.Equal(t, float64(5), get(d, "myUpdates", "update", "amount"))
	assert.Equal(t, "IntraLedgerReceipt", get(d, "myUpdates", "update", "txNotificationType"))
}

func TestMyUpdatesWithoutAValidKeyIsNotAuthenticated(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "galoy_dev_unknown")
	w.subscribe("u", `subscription { myUpdates { errors { code message } } }`, nil)
	m := w.read()
	assert.Equal(t, "next", m["type"])
	assert.Equal(t, "Not Authenticated for subscription", get(m, "payload", "errors", 0, "message"))
	assert.Equal(t, "NOT_AUTHENTICATED", get(m, "payload", "errors", 0, "extensions", "code"))
}
