package blink

import (
	"bytes"
	"context"
	"encoding/binary"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// Tests of the realtime connection against blinktest's socket faults.

// pingCounter is a net.Conn that counts the websocket ping frames the
// server sends on it (server frames are not masked).
type pingCounter struct {
	net.Conn
	pings   *atomic.Int64
	buf     []byte
	headers bool // the HTTP response headers are past
}

func (c *pingCounter) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.buf = append(c.buf, p[:n]...)
	if !c.headers {
		i := bytes.Index(c.buf, []byte("\r\n\r\n"))
		if i < 0 {
			return n, err
		}
		c.headers, c.buf = true, c.buf[i+4:]
	}
	for len(c.buf) >= 2 {
		hdr, size := 2, uint64(c.buf[1]&0x7f)
		switch size {
		case 126:
			hdr = 4
		case 127:
			hdr = 10
		}
		if len(c.buf) < hdr {
			break
		}
		switch size {
		case 126:
			size = uint64(binary.BigEndian.Uint16(c.buf[2:4]))
		case 127:
			size = binary.BigEndian.Uint64(c.buf[2:10])
		}
		if uint64(len(c.buf)-hdr) < size {
			break
		}
		if c.buf[0]&0x0f == 0x9 {
			c.pings.Add(1)
		}
		c.buf = c.buf[hdr+int(size):]
	}
	return n, err
}

func TestRealtime_AnswersTheFakesPingFramesAndStaysConnected(t *testing.T) {
	noLeaks(t)
	srv := newFake(t, blinktest.WithPingInterval(50*time.Millisecond))
	var pings atomic.Int64
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &pingCounter{Conn: conn, pings: &pings}, nil
	}}
	t.Cleanup(tr.CloseIdleConnections)
	anon, err := New("", WithEndpoint(srv.URL()), WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	anon.rt.cfg = fastRealtime
	t.Cleanup(func() { anon.Close() })
	anon.rt.cfg.keepalive = time.Hour // only the server's pings
	s := testSub(t, anon)
	defer s.stop()
	nextOf(t, s, rtSubscribed, 2*time.Second)
	// The fake closes a connection whose pong does not come within an
	// interval, before it pings again: 8 pings seen means 7 answered.
	require.Eventually(t, func() bool { return pings.Load() >= 8 }, 10*time.Second, time.Millisecond, "the fake's ping frames")
	for ev, ok := s.poll(); ok; ev, ok = s.poll() {
		assert.Equal(t, rtNext, ev.kind, "only results after the subscribe: the connection never went down")
	}
	assert.EqualValues(t, 1, anon.rt.m.connects.Load(), "the fake would drop a client that does not answer its pings")
	assert.Equal(t, 1, srv.WebSockets())
}

func TestWaitForInvoice_PaidWhileTheSocketIsDroppedAndRefused(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	checks := checkLog(anon)
	const floor = 150 * time.Millisecond
	r := waitAsync(bg(), anon, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: floor})
	waitCheck(t, checks, true) // subscribed and checked
	srv.RefuseWebSockets(0)
	defer srv.AcceptWebSockets()
	srv.DropWebSockets()
	waitCheck(t, checks, false) // the wait polls
	paidAt := time.Now()
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	x := recvWait(t, r, 5*time.Second)
	require.NoError(t, x.err)
	assert.Equal(t, InvoicePaid, x.st.Status)
	assert.Less(t, x.at.Sub(paidAt), floor*6/5+150*time.Millisecond, "found by polling within the floor")
}

// checkLog records, for each HTTP check of the client's waits, whether
// its subscription was live.
func checkLog(c *Client) <-chan bool {
	ch := make(chan bool, 1<<12)
	c.hints.checked = func(wsUp bool) {
		select {
		case ch <- wsUp:
		default:
		}
	}
	return ch
}

// waitCheck waits for a check made with the subscription live (wsUp) or
// down.
func waitCheck(t *testing.T, checks <-chan bool, wsUp bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case up := <-checks:
			if up == wsUp {
				return
			}
		case <-deadline:
			t.Fatalf("no check with the websocket up=%v", wsUp)
		}
	}
}

// sessionGone waits until the client has no acknowledged connection.
func sessionGone(t *testing.T, c *Client) {
	t.Helper()
	m := c.rt.m
	require.Eventually(t, func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.sess == nil
	}, 10*time.Second, time.Millisecond, "the connection was not dropped")
}

func TestInvoiceUpdates_StalledSocketIsReplacedAndResubscribed(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	ups, errc := collectUpdates(context.Background(), anon, inv.PaymentHash)
	assert.Equal(t, InvoicePending, recvUpdate(t, ups).Status)

	srv.StallWebSockets()
	// Two keepalive intervals notice it; new connections stall too
	// (no ack) until the stall ends.
	sessionGone(t, anon)
	srv.UnstallWebSockets()
	u := recvUpdate(t, ups)
	assert.Equal(t, InvoicePending, u.Status)
	assert.True(t, u.Resubscribed)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	u = recvUpdate(t, ups)
	assert.Equal(t, InvoicePaid, u.Status)
	assert.NoError(t, <-errc)
	assert.GreaterOrEqual(t, anon.rt.m.connects.Load(), int64(2))
}

func TestRealtime_FakeClose4401EndsSubscriptionsWithATypedError(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	alice.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { alice.Client.Close() })
	s := testSub(t, alice.Client)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	srv.CloseWebSockets(4401, "Unauthorized")
	ev := nextOf(t, s, rtEnd, 2*time.Second)
	assert.ErrorIs(t, ev.err, ErrInvalidAPIKey)
	assert.NotContains(t, ev.err.Error(), alice.Key)
	runEnded(t, alice.Client)
	assert.EqualValues(t, 1, alice.Client.rt.m.connects.Load())
}

// Every wait returns PAID while the fake drops the socket at random at
// least 20 times during the payments.
func TestWaitForInvoice_EveryWaitReturnsPaidThroughRandomDrops(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: the chaos run is long")
	}
	noLeaks(t)
	const n = 200
	srv := newFake(t, blinktest.WithInvoiceRateLimit(10*n))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	invs := make([]*Invoice, n)
	for i := range invs {
		inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(1+i), nil)
		require.NoError(t, err)
		invs[i] = inv
	}
	anon := newAnonFakeClient(t, srv)
	live := liveChecks(anon, n)
	ctx, cancel := context.WithTimeout(bg(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for _, inv := range invs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := anon.WaitForInvoice(ctx, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: 200 * time.Millisecond})
			if err != nil || st.Status != InvoicePaid || !rcvPreimageMatches(st.Preimage, inv.PaymentHash) {
				mu.Lock()
				failed++
				mu.Unlock()
				t.Errorf("wait: %v %v", st, err)
			}
		}()
	}
	recvWithin(t, live, time.Minute, "every wait subscribed and checked once")
	drops := 0
	for i, inv := range invs {
		require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
		if i%8 == 0 || rand.N(10) == 0 {
			before := anon.rt.m.connects.Load()
			srv.DropWebSockets()
			drops++
			if rand.N(2) == 0 {
				// Pay on while the client reconnects, or only once it has.
				require.Eventually(t, func() bool { return anon.rt.m.connects.Load() > before }, 10*time.Second, time.Millisecond, "no reconnect")
			}
		}
	}
	wg.Wait()
	assert.GreaterOrEqual(t, drops, 20)
	assert.Zero(t, failed)
	t.Logf("%d waits through %d drops, %d connections", n, drops, anon.rt.m.connects.Load())
}
