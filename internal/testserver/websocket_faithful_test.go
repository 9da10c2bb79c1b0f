package testserver_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// dialRaw opens a websocket with the given subprotocols and sends nothing.
func dialRaw(t *testing.T, srv *blinktest.Server, protocols ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, srv.WebSocketURL(), &websocket.DialOptions{Subprotocols: protocols})
	if c != nil {
		t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, res, err
}

// readUntilError reads until the connection fails and returns the error.
func readUntilError(t *testing.T, c *websocket.Conn, within time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		if _, _, err := c.Read(ctx); err != nil {
			require.NoError(t, ctx.Err(), "the connection was still open after %v", within)
			return err
		}
	}
}

const myUpdatesDoc = `subscription { myUpdates { errors { code message } update { __typename
  ... on Price { base offset currencyUnit formattedAmount }
  ... on RealtimePrice { id timestamp denominatorCurrency btcSatPrice { base offset } }
  ... on OnChainUpdate { txNotificationType txHash amount walletId transaction { status } } } } }`

func TestWebSocketDropsAClientThatDoesNotAnswerPings(t *testing.T) {
	srv := blinktest.New(t, blinktest.WithPingInterval(100*time.Millisecond))
	reader := dialWS(t, srv, "")
	silent := dialWS(t, srv, "")

	// The reading client answers every ping and stays connected.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { _, _, err := reader.c.Read(ctx); done <- err }()

	time.Sleep(600 * time.Millisecond) // 6 ping intervals
	// The silent client read nothing: its pongs never went out.
	err := readUntilError(t, silent.c, time.Second)
	assert.Equal(t, websocket.StatusCode(-1), websocket.CloseStatus(err), "terminated without a close frame: %v", err)
	select {
	case err := <-done:
		t.Fatalf("the client that answered pings was dropped: %v", err)
	default:
	}
	cancel()
	<-done
}

func TestWebSocketSendsPingFramesAtTheInterval(t *testing.T) {
	srv := blinktest.New(t, blinktest.WithPingInterval(30*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pings := make(chan struct{}, 100)
	c, _, err := websocket.Dial(ctx, srv.WebSocketURL(), &websocket.DialOptions{
		Subprotocols:   []string{"graphql-transport-ws"},
		OnPingReceived: func(context.Context, []byte) bool { pings <- struct{}{}; return true },
	})
	require.NoError(t, err)
	defer c.CloseNow()
	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)))
	go func() {
		for {
			if _, _, err := c.Read(ctx); err != nil {
				return
			}
		}
	}()
	for range 3 {
		select {
		case <-pings:
		case <-ctx.Done():
			t.Fatal("no ping frames")
		}
	}
}

func TestWebSocketClosesWith4408WithoutConnectionInit(t *testing.T) {
	srv := blinktest.New(t, blinktest.WithInitTimeout(100*time.Millisecond))
	c, _, err := dialRaw(t, srv, "graphql-transport-ws")
	require.NoError(t, err)
	err = readUntilError(t, c, 2*time.Second)
	assert.Equal(t, websocket.StatusCode(4408), websocket.CloseStatus(err), "%v", err)
}

func TestWebSocketRefusesTheLegacyGraphqlWsSubprotocol(t *testing.T) {
	srv := blinktest.New(t)
	c, res, err := dialRaw(t, srv, "graphql-ws")
	require.NoError(t, err)
	assert.Empty(t, res.Header.Get("Sec-WebSocket-Protocol"))
	err = readUntilError(t, c, 2*time.Second)
	assert.Equal(t, websocket.StatusCode(4406), websocket.CloseStatus(err), "%v", err)
}

func TestWebSocketRefusesQueriesAndMutations(t *testing.T) {
	f := newFixture(t)
	w := dialWS(t, f.srv, f.bobKey)
	w.subscribe("q", `query { globals { network } }`, nil)
	m := w.read()
	assert.Equal(t, "error", m["type"])
	assert.Equal(t, "q", m["id"])
	assert.Equal(t, "Only subscription operations are supported", get(m, "payload", 0, "message"))
	w.subscribe("m", `mutation { userLogout(input: {deviceToken: "x"}) { success } }`, nil)
	m = w.read()
	assert.Equal(t, "error", m["type"])
	assert.Equal(t, "Only subscription operations are supported", get(m, "payload", 0, "message"))
	// The connection is still usable.
	w.send(map[string]any{"type": "ping"})
	assert.Equal(t, "pong", w.read()["type"])
}

func TestMyUpdatesWithABadKeyIsAckedThenNotAuthenticatedThenComplete(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "galoy_dev_"+"0123456789012345678901234567890123456789012345678901234567890123") // acked anyway
	w.subscribe("u", myUpdatesDoc, nil)
	m := w.read()
	assert.Equal(t, "next", m["type"])
	assert.Equal(t, "Not Authenticated for subscription", get(m, "payload", "errors", 0, "message"))
	assert.Equal(t, "NOT_AUTHENTICATED", get(m, "payload", "errors", 0, "extensions", "code"))
	m = w.read()
	assert.Equal(t, "complete", m["type"])
	assert.Equal(t, "u", m["id"])
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestMyUpdatesSendsPriceAndRealtimePriceOnSubscribeAndEvery30SecondsOfTheClock(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithClock(clk.Now))
	w := dialWS(t, f.srv, f.bobKey)
	w.subscribe("u", myUpdatesDoc, nil)

	p := get(w.next(), "myUpdates", "update")
	assert.Equal(t, "Price", get(p, "__typename"))
	assert.Equal(t, float64(100_000_000_000), get(p, "base")) // 0.1 US cent a sat, offset 12
	assert.Equal(t, float64(12), get(p, "offset"))
	assert.Equal(t, "USDCENT", get(p, "currencyUnit"))
	assert.Equal(t, "0.1", get(p, "formattedAmount"))
	rp := get(w.next(), "myUpdates", "update")
	assert.Equal(t, "RealtimePrice", get(rp, "__typename"))
	assert.Regexp(t, uuidRe, get(rp, "id"))
	firstID, firstAt := get(rp, "id"), get(rp, "timestamp").(float64)

	clk.Advance(29 * time.Second)
	f.srv.Tick()
	clk.Advance(blinktest.PriceUpdateInterval - 29*time.Second)
	f.srv.Tick()
	assert.Equal(t, "Price", get(w.next(), "myUpdates", "update", "__typename"))
	rp = get(w.next(), "myUpdates", "update")
	assert.Equal(t, "RealtimePrice", get(rp, "__typename"))
	assert.Regexp(t, uuidRe, get(rp, "id"))
	assert.NotEqual(t, firstID, get(rp, "id"), "a new timestamp is a new id")
	assert.Equal(t, firstAt+30, get(rp, "timestamp"), "nothing was sent at 29 s")

	// Nothing else came in between: the next event is the next tick's.
	clk.Advance(blinktest.PriceUpdateInterval)
	f.srv.Tick()
	assert.Equal(t, "Price", get(w.next(), "myUpdates", "update", "__typename"))
}

func TestMyUpdatesSendsNoPriceEventToANonUSDAccount(t *testing.T) {
	srv := blinktest.New(t)
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "eur", DisplayCurrency: "EUR"})
	w := dialWS(t, srv, srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{}))
	w.subscribe("u", myUpdatesDoc, nil)
	assert.Equal(t, "RealtimePrice", get(w.next(), "myUpdates", "update", "__typename"))
}

func TestRealtimePriceIDIsAUUID(t *testing.T) {
	srv := blinktest.New(t)
	r := call(t, srv, "", `query { realtimePrice { id } }`, nil)
	assert.Regexp(t, uuidRe, r.str("data", "realtimePrice", "id"))
}

func TestMyUpdatesSendsOnchainReceiptPendingThenOnchainReceipt(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.bobKey, `mutation($input: OnChainAddressCreateInput!) { onChainAddressCreate(input: $input) { address } }`,
		map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID}})
	addr := r.str("data", "onChainAddressCreate", "address")
	w := dialWS(t, f.srv, f.bobKey)
	w.subscribe("u", myUpdatesDoc, nil)
	assert.Equal(t, "Price", get(w.next(), "myUpdates", "update", "__typename"))
	assert.Equal(t, "RealtimePrice", get(w.next(), "myUpdates", "update", "__typename"))

	tx, err := f.srv.ReceiveOnChain(addr, 7_000)
	require.NoError(t, err)
	u := get(w.next(), "myUpdates", "update")
	assert.Equal(t, "OnChainUpdate", get(u, "__typename"))
	assert.Equal(t, "OnchainReceiptPending", get(u, "txNotificationType"))
	assert.Equal(t, tx, get(u, "txHash"))
	assert.Equal(t, float64(7_000), get(u, "amount"))
	assert.Equal(t, "PENDING", get(u, "transaction", "status"))

	require.NoError(t, f.srv.ConfirmOnChain(tx))
	u = get(w.next(), "myUpdates", "update")
	assert.Equal(t, "OnchainReceipt", get(u, "txNotificationType"))
	assert.Equal(t, tx, get(u, "txHash"))
	assert.Equal(t, "SUCCESS", get(u, "transaction", "status"))
}

func TestWebSocketClosesASecondConnectionInitWith4429(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "")
	w.send(map[string]any{"type": "connection_init"})
	err := readUntilError(t, w.c, 2*time.Second)
	assert.Equal(t, websocket.StatusCode(4429), websocket.CloseStatus(err), "%v", err)
}

func TestWebSocketClosesASubscribeBeforeConnectionInitWith4401(t *testing.T) {
	srv := blinktest.New(t)
	c, _, err := dialRaw(t, srv, "graphql-transport-ws")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	require.NoError(t, c.Write(ctx, websocket.MessageText, []byte(`{"id":"1","type":"subscribe","payload":{"query":"subscription { realtimePrice(input: {currency: \"USD\"}) { errors { message } } }"}}`)))
	err = readUntilError(t, c, 2*time.Second)
	assert.Equal(t, websocket.StatusCode(4401), websocket.CloseStatus(err), "%v", err)
}

func TestWebSocketClosesADuplicateSubscriptionIDWith4409(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "")
	w.subscribe("1", realtimePriceDoc, nil)
	w.next()
	w.subscribe("1", realtimePriceDoc, nil)
	err := readUntilError(t, w.c, 2*time.Second)
	assert.Equal(t, websocket.StatusCode(4409), websocket.CloseStatus(err), "%v", err)
}

func TestWebSocketReusesAnIDOnceItsSubscriptionCompleted(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "")
	w.subscribe("1", realtimePriceDoc, nil)
	w.next()
	w.send(map[string]any{"id": "1", "type": "complete"}) // answered with nothing
	w.subscribe("1", realtimePriceDoc, nil)
	w.next()
	w.send(map[string]any{"type": "ping"})
	assert.Equal(t, "pong", w.read()["type"], "no complete for a subscription the client completed")
	w.subscribe("q", `query { globals { network } }`, nil) // ends with an error message
	assert.Equal(t, "error", w.read()["type"])
	w.subscribe("q", `query { globals { network } }`, nil)
	assert.Equal(t, "error", w.read()["type"])
}

func TestWebSocketAnswersAnInvalidSubscriptionWithAnErrorMessage(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "")
	w.subscribe("v", `subscription { realtimePrice(input: {currency: "USD"}) { noSuchField } }`, nil)
	m := w.read()
	assert.Equal(t, "error", m["type"])
	assert.Equal(t, "v", m["id"])
	assert.Contains(t, get(m, "payload", 0, "message"), "noSuchField")

	w.subscribe("two", `subscription A { realtimePrice(input: {currency: "USD"}) { errors { message } } } subscription B { realtimePrice(input: {currency: "USD"}) { errors { message } } }`, nil)
	m = w.read()
	assert.Equal(t, "error", m["type"])
	assert.Equal(t, "Unable to identify operation", get(m, "payload", 0, "message"))
}

func TestWebSocketClosesWith4500OnADocumentThatDoesNotParse(t *testing.T) {
	srv := blinktest.New(t)
	w := dialWS(t, srv, "")
	w.subscribe("x", `subscription {`, nil)
	err := readUntilError(t, w.c, 2*time.Second)
	assert.Equal(t, websocket.StatusCode(4500), websocket.CloseStatus(err), "%v", err)
}

func TestRealtimePriceSubscriptionRepeatsEvery30SecondsOfTheClock(t *testing.T) {
	clk := newClock()
	srv := blinktest.New(t, blinktest.WithClock(clk.Now))
	w := dialWS(t, srv, "")
	w.subscribe("p", `subscription { realtimePrice(input: {currency: "USD"}) { realtimePrice { id timestamp } } }`, nil)
	first := get(w.next(), "realtimePrice", "realtimePrice", "timestamp").(float64)
	clk.Advance(10 * time.Second)
	srv.Tick()
	clk.Advance(blinktest.PriceUpdateInterval - 10*time.Second)
	srv.Tick()
	assert.Equal(t, first+30, get(w.next(), "realtimePrice", "realtimePrice", "timestamp"), "nothing at 10 s, the price again at 30 s")
}
