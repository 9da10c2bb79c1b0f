package testserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// pump reads a connection in the background: its messages, then the
// error that ended it.
type pump struct {
	msgs chan map[string]any
	err  chan error
}

func startPump(t *testing.T, c *websocket.Conn) *pump {
	p := &pump{msgs: make(chan map[string]any, 100), err: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				p.err <- err
				return
			}
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			p.msgs <- m
		}
	}()
	return p
}

func (p *pump) next(t *testing.T) map[string]any {
	t.Helper()
	select {
	case m := <-p.msgs:
		return m
	case err := <-p.err:
		t.Fatalf("connection ended: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
	return nil
}

func (p *pump) silent(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case m := <-p.msgs:
		t.Fatalf("unexpected message %v", m)
	case err := <-p.err:
		t.Fatalf("connection ended: %v", err)
	case <-time.After(d):
	}
}

func (p *pump) ended(t *testing.T) error {
	t.Helper()
	for {
		select {
		case <-p.msgs:
		case err := <-p.err:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("the connection is still open")
			return nil
		}
	}
}

const realtimePriceDoc = `subscription { realtimePrice(input: {currency: "USD"}) { realtimePrice { btcSatPrice { base } } } }`

func TestDropWebSocketsClosesEveryConnectionAbruptly(t *testing.T) {
	srv := blinktest.New(t)
	a, b := dialWS(t, srv, ""), dialWS(t, srv, "")
	require.Equal(t, 2, srv.WebSockets())
	pa, pb := startPump(t, a.c), startPump(t, b.c)

	srv.DropWebSockets()
	assert.Equal(t, websocket.StatusCode(-1), websocket.CloseStatus(pa.ended(t)), "no close frame")
	assert.Equal(t, websocket.StatusCode(-1), websocket.CloseStatus(pb.ended(t)))
	assert.Equal(t, 0, srv.WebSockets())

	c := dialWS(t, srv, "") // new connections are accepted
	c.subscribe("p", realtimePriceDoc, nil)
	assert.NotNil(t, get(c.next(), "realtimePrice", "realtimePrice"))
}

func TestDropWebSocketsAfterDropsRightAfterTheNthNextMessage(t *testing.T) {
	f := newFixture(t)
	w := dialWS(t, f.srv, f.bobKey)
	f.srv.DropWebSocketsAfter(3)
	w.subscribe("u", myUpdatesDoc, nil)
	p := startPump(t, w.c)
	assert.Equal(t, "next", p.next(t)["type"]) // Price
	assert.Equal(t, "next", p.next(t)["type"]) // RealtimePrice
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	assert.Equal(t, "LnUpdate", get(p.next(t), "payload", "data", "myUpdates", "update", "__typename"))
	assert.Equal(t, websocket.StatusCode(-1), websocket.CloseStatus(p.ended(t)))

	// One shot: the next connection is not dropped.
	w = dialWS(t, f.srv, f.bobKey)
	w.subscribe("u", myUpdatesDoc, nil)
	p = startPump(t, w.c)
	for range 2 {
		p.next(t)
	}
	pr, _ = createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 11)
	require.NoError(t, f.srv.PayInvoice(pr))
	assert.Equal(t, "LnUpdate", get(p.next(t), "payload", "data", "myUpdates", "update", "__typename"))
	p.silent(t, 100*time.Millisecond)
}

func TestRefuseWebSocketsAnswers503ForAWhileAndLeavesOpenConnectionsAlone(t *testing.T) {
	srv := blinktest.New(t)
	open := dialWS(t, srv, "")
	srv.RefuseWebSockets(300 * time.Millisecond)
	_, res, err := dialRaw(t, srv, "graphql-transport-ws")
	require.Error(t, err)
	require.NotNil(t, res)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)

	open.send(map[string]any{"type": "ping"})
	assert.Equal(t, "pong", open.read()["type"])

	time.Sleep(350 * time.Millisecond)
	dialWS(t, srv, "")
}

func TestRefuseWebSocketsUntilAcceptWebSockets(t *testing.T) {
	srv := blinktest.New(t)
	srv.RefuseWebSockets(0)
	_, res, err := dialRaw(t, srv, "graphql-transport-ws")
	require.Error(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	srv.AcceptWebSockets()
	dialWS(t, srv, "")
}

func TestStallWebSocketsGoesSilentWithoutClosingThenResumes(t *testing.T) {
	srv := blinktest.New(t, blinktest.WithPingInterval(100*time.Millisecond))
	w := dialWS(t, srv, "")
	w.subscribe("p", realtimePriceDoc, nil)
	p := startPump(t, w.c)
	assert.Equal(t, "next", p.next(t)["type"])

	srv.StallWebSockets()
	srv.SetPrice(2_000_000) // held: nothing is written
	w.send(map[string]any{"type": "ping"})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	assert.Error(t, w.c.Ping(ctx), "a stalled server answers no ping frame")
	cancel()
	p.silent(t, 400*time.Millisecond) // four ping intervals: not terminated either
	assert.Equal(t, 1, srv.WebSockets())

	srv.UnstallWebSockets()
	got := map[string]bool{}
	for range 2 {
		got[p.next(t)["type"].(string)] = true
	}
	assert.Equal(t, map[string]bool{"next": true, "pong": true}, got, "what was held is delivered")
}

func TestStallWebSocketsLeavesANewConnectionUnacked(t *testing.T) {
	srv := blinktest.New(t)
	srv.StallWebSockets()
	c, _, err := dialRaw(t, srv, "graphql-transport-ws")
	require.NoError(t, err, "the upgrade itself completes")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)))
	p := startPump(t, c)
	p.silent(t, 200*time.Millisecond)
	srv.UnstallWebSockets()
	assert.Equal(t, "connection_ack", p.next(t)["type"])
}

func TestCloseWebSocketsClosesEveryConnectionWithTheCode(t *testing.T) {
	srv := blinktest.New(t)
	a, b := dialWS(t, srv, ""), dialWS(t, srv, "")
	pa, pb := startPump(t, a.c), startPump(t, b.c)
	srv.CloseWebSockets(4500, "Internal server error")
	for _, p := range []*pump{pa, pb} {
		err := p.ended(t)
		assert.Equal(t, websocket.StatusCode(4500), websocket.CloseStatus(err), "%v", err)
	}
}
