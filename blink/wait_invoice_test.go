package blink

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

const statusByHash = "LnInvoicePaymentStatusByHash"

// waitAsync runs WaitForInvoice in the background.
func waitAsync(ctx context.Context, c *Client, invoice string, o *WaitInvoiceOptions) <-chan waitResult {
	r := make(chan waitResult, 1)
	go func() {
		st, err := c.WaitForInvoice(ctx, invoice, o)
		r <- waitResult{st, err, time.Now()}
	}()
	return r
}

type waitResult struct {
	st  *InvoicePaymentStatus
	err error
	at  time.Time
}

// downChecks returns a channel that is closed once the client's waits
// have made n HTTP checks while their subscriptions were down (the
// counterpart of liveChecks; it replaces the client's checked hook).
func downChecks(c *Client, n int) <-chan struct{} {
	done := make(chan struct{})
	var mu sync.Mutex
	c.hints.checked = func(wsUp bool) {
		mu.Lock()
		defer mu.Unlock()
		if !wsUp && n > 0 {
			if n--; n == 0 {
				close(done)
			}
		}
	}
	return done
}

// recvWithin waits for ch to receive or close, failing after within.
func recvWithin(t *testing.T, ch <-chan struct{}, within time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(within):
		t.Fatalf("%s: not within %s", what, within)
	}
}

func recvWait(t *testing.T, r <-chan waitResult, within time.Duration) waitResult {
	t.Helper()
	select {
	case x := <-r:
		return x
	case <-time.After(within):
		t.Fatalf("WaitForInvoice did not return within %s", within)
	}
	return waitResult{}
}

// refusedWSURL is a websocket URL on which nothing listens.
func refusedWSURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return "ws://" + addr + "/graphql"
}

// newAnonClientWS is a client without a key for the fake's HTTP endpoint
// and the given websocket URL.
func newAnonClientWS(t *testing.T, srv *blinktest.Server, wsURL string) *Client {
	t.Helper()
	c, err := New("", WithEndpoint(srv.URL()), WithWebSocketURL(wsURL))
	require.NoError(t, err)
	c.rt.cfg = fastRealtime
	t.Cleanup(func() { c.Close() })
	return c
}

func TestWaitForInvoice_ReturnsPaidWithPreimageOverTheWebsocket(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	live := liveChecks(anon, 1)

	r := waitAsync(bg(), anon, inv.PaymentRequest, &WaitInvoiceOptions{PollFloor: time.Hour})
	// The check after the subscribe is done: with a floor of an hour only
	// the websocket can report the payment from now on.
	recvWithin(t, live, 5*time.Second, "the check after the subscribe")
	paidAt := time.Now()
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	x := recvWait(t, r, 5*time.Second)
	require.NoError(t, x.err)
	assert.Equal(t, InvoicePaid, x.st.Status)
	assert.True(t, rcvPreimageMatches(x.st.Preimage, inv.PaymentHash))
	assert.Less(t, x.at.Sub(paidAt), time.Second, "the websocket delivers PAID without waiting for a poll")
	assert.Equal(t, 1, srv.Requests("LnInvoicePaymentStatusByPaymentRequest"), "one HTTP check, after the subscribe")
}

func TestWaitForInvoice_ExpiredIsAnInvoiceExpiredError(t *testing.T) {
	noLeaks(t)
	clk := newRcvClock()
	srv := newFake(t, blinktest.WithClock(clk.Now))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, &InvoiceOptions{ExpiresIn: time.Minute})
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	live := liveChecks(anon, 1)
	r := waitAsync(bg(), anon, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: 100 * time.Millisecond})
	recvWithin(t, live, 5*time.Second, "the check after the subscribe") // found PENDING
	clk.Advance(2 * time.Minute)
	srv.SetPrice(srv.Price()) // wakes the fake's streams
	x := recvWait(t, r, 5*time.Second)
	require.Error(t, x.err)
	assert.ErrorIs(t, x.err, ErrInvoiceExpired)
	var e *Error
	assert.ErrorAs(t, x.err, &e)
	assert.Nil(t, x.st)
}

func TestWaitForInvoice_PollsWithinTheFloorWhileTheWebsocketIsRefused(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonClientWS(t, srv, refusedWSURL(t))
	const floor = 150 * time.Millisecond
	polled := downChecks(anon, 3)
	start := time.Now()
	r := waitAsync(bg(), anon, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: floor})
	recvWithin(t, polled, 10*time.Second, "three polls while the websocket is refused")
	paidAt := time.Now()
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	x := recvWait(t, r, 5*time.Second)
	require.NoError(t, x.err)
	assert.Equal(t, InvoicePaid, x.st.Status)
	assert.NotEmpty(t, x.st.Preimage)
	assert.Less(t, x.at.Sub(paidAt), floor*6/5+100*time.Millisecond, "PAID found within the poll floor")
	n := srv.Requests(statusByHash)
	maxChecks := int(x.at.Sub(start)/floor) + 1
	assert.LessOrEqual(t, n, maxChecks, "never polled more often than the floor")
	assert.GreaterOrEqual(t, n, 3)
}

func TestWaitForInvoice_PollOnlyNeverOpensTheWebsocket(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	anon := newAnonFakeClient(t, srv)
	st, err := anon.WaitForInvoice(bg(), inv.PaymentHash, &WaitInvoiceOptions{PollOnly: true})
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, st.Status)
	assert.Nil(t, anon.rt.m, "no websocket was opened")
}

func TestWaitForInvoice_ChecksOverHTTPAfterEveryResubscribe(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	// The first connection drops after the subscribe (the payment happens
	// while the client is away); the second never reports it.
	paid := make(chan struct{})
	ws := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		if n == 1 {
			if _, err := p.readType("subscribe"); err == nil {
				<-paid
				p.conn.CloseNow()
			}
			return
		}
		p.serveAnswering(nil)
	})
	anon := newAnonClientWS(t, srv, ws.wsURL())
	live := liveChecks(anon, 1)
	const floor = 100 * time.Millisecond
	r := waitAsync(bg(), anon, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: floor, MaxPollInterval: time.Hour})
	// The first connection's check found the invoice PENDING: only a
	// check after the drop can find the payment.
	recvWithin(t, live, 5*time.Second, "the check after the first subscribe")
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	close(paid)
	x := recvWait(t, r, 5*time.Second)
	require.NoError(t, x.err)
	assert.Equal(t, InvoicePaid, x.st.Status, "the check after the resubscribe (or the poll while down) finds the payment missed")
}

func TestWaitForInvoice_UnknownInvoiceIsAnError(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	anon := newAnonFakeClient(t, srv)
	ctx, cancel := context.WithTimeout(bg(), 10*time.Second)
	defer cancel()
	_, err := anon.WaitForInvoice(ctx, hash64, &WaitInvoiceOptions{PollFloor: 50 * time.Millisecond})
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, IsTransient(err))
}

func TestWaitForInvoice_ContextEndReturnsItsError(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	ctx, cancel := context.WithTimeout(bg(), 300*time.Millisecond)
	defer cancel()
	_, err = anon.WaitForInvoice(ctx, inv.PaymentHash, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestWaitForInvoice_CloseEndsTheWait(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	live := liveChecks(anon, 1)
	r := waitAsync(bg(), anon, inv.PaymentHash, nil)
	recvWithin(t, live, 5*time.Second, "the check after the subscribe") // the wait is under way
	anon.Close()
	x := recvWait(t, r, 2*time.Second)
	assert.ErrorIs(t, x.err, ErrClientClosed)
}

func TestWaitForInvoice_ThousandWaitsShareOneConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: 1,000 invoices")
	}
	noLeaks(t)
	const n = 1000
	srv := newFake(t, blinktest.WithInvoiceRateLimit(10*n))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	invs := make([]*Invoice, n)
	for i := range invs {
		inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(1+i), nil)
		require.NoError(t, err)
		invs[i] = inv
	}
	anon := newAnonFakeClient(t, srv)
	// Under -race a loaded loopback can miss the test keepalive: a
	// reconnect would not lose a payment, but one connection is the point.
	anon.rt.cfg.keepalive, anon.rt.cfg.initTimeout = 5*time.Second, 5*time.Second
	live := liveChecks(anon, n)
	ctx, cancel := context.WithTimeout(bg(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, inv := range invs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := anon.WaitForInvoice(ctx, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: time.Minute})
			if err == nil && st.Status != InvoicePaid {
				err = &Error{Message: "status " + string(st.Status)}
			}
			errs <- err
		}()
	}
	recvWithin(t, live, time.Minute, "every wait subscribed and checked once")
	for _, inv := range invs {
		require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
		}
	}
	assert.Zero(t, failed, "waits that did not return PAID")
	assert.EqualValues(t, 1, anon.rt.m.connects.Load(), "one websocket for "+strconv.Itoa(n)+" waits")
}

func TestWaitForInvoice_WorksWithoutAKeyForARecipientInvoice(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	anon := newAnonFakeClient(t, srv)
	inv, err := anon.CreateInvoiceForRecipient(bg(), RecipientUser("bob"), 500, nil)
	require.NoError(t, err)
	live := liveChecks(anon, 1)
	r := waitAsync(bg(), anon, inv.PaymentRequest, nil)
	recvWithin(t, live, 5*time.Second, "the check after the subscribe")
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	x := recvWait(t, r, 5*time.Second)
	require.NoError(t, x.err)
	assert.Equal(t, InvoicePaid, x.st.Status)
	assert.Equal(t, int64(500), srv.Balance(bob.BTCWalletID))
}
