package blinktest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink/blinktest"
)

func dial(t *testing.T, srv *blinktest.Server) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, srv.WebSocketURL(), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if c != nil {
		t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, res, err
}

func TestServer_WebSocketOptionsAndFaultsReachTheSocket(t *testing.T) {
	srv := blinktest.New(t, blinktest.WithInitTimeout(50*time.Millisecond), blinktest.WithPingInterval(time.Hour))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	c, _, err := dial(t, srv)
	require.NoError(t, err)
	_, _, err = c.Read(ctx)
	assert.Equal(t, websocket.StatusCode(4408), websocket.CloseStatus(err), "%v", err)

	srv.RefuseWebSockets(0)
	_, res, err := dial(t, srv)
	require.Error(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	srv.AcceptWebSockets()

	c, _, err = dial(t, srv)
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)))
	_, b, err := c.Read(ctx)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"connection_ack"}`, string(b))
	assert.Eventually(t, func() bool { return srv.WebSockets() == 1 }, time.Second, time.Millisecond,
		"the first socket's close handshake ends")

	srv.StallWebSockets()
	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`)))
	time.AfterFunc(100*time.Millisecond, srv.UnstallWebSockets)
	_, b, err = c.Read(ctx)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"pong"}`, string(b))

	srv.DropWebSocketsAfter(1)
	require.NoError(t, c.Write(ctx, websocket.MessageText,
		[]byte(`{"id":"p","type":"subscribe","payload":{"query":"subscription { realtimePrice(input: {currency: \"USD\"}) { errors { message } } }"}}`)))
	_, _, err = c.Read(ctx) // the one next
	require.NoError(t, err)
	_, _, err = c.Read(ctx)
	assert.Error(t, err)

	c, _, err = dial(t, srv)
	require.NoError(t, err)
	srv.CloseWebSockets(4429, "Too many initialisation requests")
	_, _, err = c.Read(ctx)
	assert.Equal(t, websocket.StatusCode(4429), websocket.CloseStatus(err), "%v", err)

	c, _, err = dial(t, srv)
	require.NoError(t, err)
	srv.DropWebSockets()
	_, _, err = c.Read(ctx)
	assert.Error(t, err)
	srv.Tick() // nothing to send, nothing breaks
}
