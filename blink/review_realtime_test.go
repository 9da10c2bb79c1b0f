package blink

// Adversarial review of the realtime surface (issue 9): websocket
// connection manager, InvoiceUpdates/PriceUpdates, WaitForInvoice and
// MyUpdates. Tests named TestReview_* that fail show a bug; the passing
// ones pin behaviour no other test pins.

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// reviewLog is a goroutine-safe buffer for a Debug-level slog logger.
type reviewLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *reviewLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *reviewLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// reviewRTClient is newRTClient with a Debug logger and an HTTP endpoint.
func reviewRTClient(t *testing.T, key, httpURL, wsURL string, tune func(*realtimeConfig), opts ...Option) (*Client, *reviewLog) {
	t.Helper()
	lg := &reviewLog{}
	logger := slog.New(slog.NewTextHandler(lg, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if httpURL == "" {
		httpURL = "http://127.0.0.1:1/graphql"
	}
	c, err := New(key, append([]Option{WithEndpoint(httpURL), WithWebSocketURL(wsURL), WithLogger(logger)}, opts...)...)
	require.NoError(t, err)
	cfg := fastRealtime
	if tune != nil {
		tune(&cfg)
	}
	c.rt.cfg = cfg
	t.Cleanup(func() { c.Close() })
	return c, lg
}

// A hostile (or merely chatty) server echoes the connection_init payload
// in its close reason. The reason is put whole into the error the
// subscription ends with (websocket.CloseError as the cause of *Error) and
// into the "websocket lost" debug record, unscrubbed.
func TestReview_CloseReasonEchoingTheKeyNeverReachesErrorsOrLogs(t *testing.T) {
	for _, code := range []websocket.StatusCode{4401, 4500} {
		t.Run(closeText(code), func(t *testing.T) {
			noLeaks(t)
			srv := newWSTestServer(t, func(n int, p *wsPeer) {
				if _, err := p.ack(); err != nil {
					return
				}
				if n == 1 {
					if _, err := p.readType("subscribe"); err == nil {
						p.conn.Close(code, "refused "+testKey)
					}
					return
				}
				p.serveAnswering(nil)
			})
			c, lg := reviewRTClient(t, testKey, "", srv.wsURL(), nil)
			s := testSub(t, c)
			if code == 4401 {
				ev := nextOf(t, s, rtEnd, 2*time.Second)
				require.Error(t, ev.err)
				assert.NotContains(t, ev.err.Error(), testKey, "the error string holds the key")
			} else {
				nextOf(t, s, rtDown, 2*time.Second)
				nextOf(t, s, rtSubscribed, 2*time.Second)
				s.stop()
			}
			c.Close()
			assert.NotContains(t, lg.String(), testKey, "a debug record holds the key")
		})
	}
}

// An `error` message whose GraphQL error text holds the key ends the
// subscription with an unscrubbed error (read() calls subscriptionError
// without c.scrub; every `next` path scrubs).
func TestReview_ErrorMessageEchoingTheKeyIsScrubbed(t *testing.T) {
	noLeaks(t)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		m, err := p.readType("subscribe")
		if err != nil {
			return
		}
		p.sendJSON(m.ID, "error", `[{"message":"key `+testKey+` is not allowed here"}]`)
		p.serveAnswering(nil)
	})
	c, _ := reviewRTClient(t, testKey, "", srv.wsURL(), nil)
	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	var got error
	for _, err := range c.PriceUpdates(ctx, "USD") {
		if err != nil {
			got = err
			break
		}
	}
	require.Error(t, got)
	assert.NotContains(t, got.Error(), testKey)
}

// statusAnswer answers the HTTP status query with a fixed status.
func statusAnswer(hash, status string) func(w http.ResponseWriter, r wireReq, n int) {
	return func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, `{"data":{"lnInvoicePaymentStatusByHash":{"errors":[],"paymentHash":"`+hash+`","paymentRequest":"lnbc1x","paymentPreimage":null,"status":"`+status+`"}}}`)
	}
}

// PAID is terminal (NOTES: older servers sent EXPIRED after PAID, ignore
// anything after PAID). WaitForInvoice handles "PAID without a preimage"
// by planning an HTTP check, but keeps reading the stream and returns
// ErrInvoiceExpired on the EXPIRED that follows.
func TestReview_WaitForInvoice_NeverExpiredAfterPaid(t *testing.T) {
	noLeaks(t)
	hash := strings.Repeat("ab", 32)
	ws := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		m, err := p.readType("subscribe")
		if err != nil {
			return
		}
		p.sendJSON(m.ID, "next", `{"data":{"lnInvoicePaymentStatusByHash":{"errors":[],"paymentHash":"`+hash+`","paymentRequest":"lnbc1x","paymentPreimage":null,"status":"PAID"}}}`)
		p.sendJSON(m.ID, "next", `{"data":{"lnInvoicePaymentStatusByHash":{"errors":[],"paymentHash":"`+hash+`","paymentRequest":"lnbc1x","paymentPreimage":null,"status":"EXPIRED"}}}`)
		p.serveAnswering(nil)
	})
	httpSrv := newWireServer(t, statusAnswer(hash, "PENDING"))
	c, _ := reviewRTClient(t, "", httpSrv.URL, ws.wsURL(), nil)
	ctx, cancel := context.WithTimeout(bg(), 1500*time.Millisecond)
	defer cancel()
	_, err := c.WaitForInvoice(ctx, hash, &WaitInvoiceOptions{PollFloor: time.Hour})
	assert.NotErrorIs(t, err, ErrInvoiceExpired, "EXPIRED after PAID must be ignored")
}

// WaitForInvoice documents "an error matching ErrClientClosed when the
// client is closed", but only its subscription carries Close: a PollOnly
// wait, or one whose websocket was refused for good, keeps polling after
// Client.Close until its ctx ends.
func TestReview_WaitForInvoice_EndsOnCloseWithoutALiveSubscription(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pollOnly bool
	}{{"PollOnly", true}, {"RefusedForGood", false}} {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			hash := strings.Repeat("cd", 32)
			ws := closeWith(t, 4406) // a protocol error: refused for good, then polling
			httpSrv := newWireServer(t, statusAnswer(hash, "PENDING"))
			c, _ := reviewRTClient(t, "", httpSrv.URL, ws.wsURL(), nil)
			checks := downChecks(c, 2)
			ctx, cancel := context.WithCancel(bg())
			t.Cleanup(cancel) // so that the wait ends before the leak check
			r := waitAsync(ctx, c, hash, &WaitInvoiceOptions{PollFloor: 20 * time.Millisecond, MaxPollInterval: 20 * time.Millisecond, PollOnly: tc.pollOnly})
			recvWithin(t, checks, 5*time.Second, "two polls") // the wait is polling
			c.Close()
			select {
			case x := <-r:
				assert.ErrorIs(t, x.err, ErrClientClosed)
			case <-time.After(2 * time.Second):
				t.Errorf("WaitForInvoice still polling 2s after Client.Close (%d status requests so far)", httpSrv.count.Load())
			}
		})
	}
}

// "never polls one invoice more often than PollFloor" counted in requests
// on the server: one check is one call with the client's retry policy, so
// against a failing server (503) the requests of one check come 250ms
// apart, well inside a 2s floor.
func TestReview_WaitForInvoice_RetriesOfOneCheckRespectThePollFloor(t *testing.T) {
	noLeaks(t)
	hash := strings.Repeat("ef", 32)
	at := make(chan time.Time, 16)
	httpSrv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		select {
		case at <- time.Now():
		default:
		}
		writeJSON(w, http.StatusServiceUnavailable, `{"error":"down"}`)
	})
	c, err := New("", WithEndpoint(httpSrv.URL)) // the default retry policy
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithCancel(bg())
	t.Cleanup(cancel)
	const floor = 2 * time.Second
	r := waitAsync(ctx, c, hash, &WaitInvoiceOptions{PollOnly: true, PollFloor: floor})
	first := <-at
	second := <-at
	assert.GreaterOrEqual(t, second.Sub(first), floor, "two status requests for one invoice %s apart, under the %s floor", second.Sub(first), floor)
	cancel()
	<-r
}

// MyUpdates documents "Network failures are not errors: the client
// reconnects with backoff" and "A failed catch-up is retried, with
// backoff, until it succeeds", but a transient HTTP failure of the
// Wallets / TransactionsPage reads at start ends the stream with it.
func TestReview_MyUpdates_TransientFailureAtStartDoesNotEndTheStream(t *testing.T) {
	noLeaks(t)
	httpSrv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, http.StatusServiceUnavailable, `{"error":"down"}`)
	})
	ws := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		p.serveAnswering(nil)
	})
	c, _ := reviewRTClient(t, testKey, httpSrv.URL, ws.wsURL(), nil, fastRetry)
	ctx, cancel := context.WithTimeout(bg(), time.Second)
	defer cancel()
	for _, err := range c.MyUpdates(ctx, nil) {
		if err != nil {
			assert.False(t, IsTransient(err), "the stream ended on a transient error: %v", err)
			break
		}
	}
}

// Each rtSub queues without bound: a server that floods `next` messages
// (each up to the 1 MiB read limit) to a consumer that reads slowly makes
// the client buffer all of them. 20,000 results of 1 KiB are 20 MB here;
// nothing bounds it, nor drops the connection.
func TestReview_FloodOfResultsToASlowConsumerIsBounded(t *testing.T) {
	noLeaks(t)
	const n = 20_000
	blob := strings.Repeat("x", 1024)
	srv := newWSTestServer(t, func(_ int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		m, err := p.readType("subscribe")
		if err != nil {
			return
		}
		for range n {
			p.sendJSON(m.ID, "next", `{"data":{"blob":"`+blob+`"}}`)
		}
		p.sendJSON(m.ID, "complete", "")
		p.serveAnswering(nil)
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) { cfg.keepalive = time.Hour })
	s := testSub(t, c)
	// The consumer reads nothing; wait until the reader has gone through
	// every message (the complete comes last) or the connection was given up.
	require.Eventually(t, func() bool {
		c.rt.m.mu.Lock()
		defer c.rt.m.mu.Unlock()
		return s.ended || s.down
	}, 20*time.Second, time.Millisecond)
	s.qmu.Lock()
	queued := len(s.queue)
	s.qmu.Unlock()
	assert.LessOrEqual(t, queued, 4096, "one slow subscription holds %d results (~%d MB) in memory", queued, queued/1000)
	s.stop()
}

// 1,000 subscriptions stop, all at once, while the connection they were
// on is being replaced; meanwhile new ones subscribe and Close races with
// them. Every subscription ends exactly once, nothing deadlocks or leaks.
func TestReview_ThousandStopsDuringAReconnectAndCloseRacingSubscribe(t *testing.T) {
	noLeaks(t)
	const n = 1000
	srv := newWSTestServer(t, func(k int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		if k == 1 {
			for range n {
				if _, err := p.readType("subscribe"); err != nil {
					return
				}
			}
			p.conn.Close(4500, "internal error")
			return
		}
		p.serveAnswering(nil)
	})
	c := newRTClient(t, "", srv.wsURL(), nil)
	subs := make([]*rtSub, n)
	for i := range subs {
		subs[i] = testSub(t, c)
	}
	// The first connection is dropped once it has every subscribe.
	for _, s := range subs {
		nextOf(t, s, rtDown, 5*time.Second)
	}
	var wg sync.WaitGroup
	for _, s := range subs {
		wg.Add(1)
		go func() { defer wg.Done(); s.stop() }()
	}
	// New subscriptions and Close, concurrently.
	late := make(chan *rtSub, 200)
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := c.subscribe("Test", "Test", "subscription Test { x }", nil)
			if err != nil {
				assert.ErrorIs(t, err, ErrClientClosed)
				return
			}
			late <- s
		}()
	}
	wg.Add(1)
	go func() { defer wg.Done(); c.Close() }()
	wg.Wait()
	close(late)
	c.Close() // returns once every goroutine of the websocket ended
	for _, s := range subs {
		ends := 0
		for {
			ev, ok := s.poll()
			if !ok {
				break
			}
			if ev.kind == rtEnd {
				ends++
				if ev.err != nil { // Close came first
					assert.ErrorIs(t, ev.err, ErrClientClosed)
				}
			}
		}
		assert.Equal(t, 1, ends)
	}
	for s := range late {
		ev := nextOf(t, s, rtEnd, time.Second)
		assert.ErrorIs(t, ev.err, ErrClientClosed)
	}
}

// A server `complete` on myUpdates (or realtimePrice) ends the stream
// exactly as ctx ending or the loop breaking does: no error, ctx still
// live. The consumer of a "never misses a payment" stream cannot tell it
// stopped (InvoiceUpdates turns the same complete into an ErrServer).
func TestReview_MyUpdates_ServerCompleteDoesNotEndTheStreamSilently(t *testing.T) {
	noLeaks(t)
	ws := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		p.serveAnswering(func(m wsMessage) { p.sendJSON(m.ID, "complete", "") })
	})
	c, _ := reviewRTClient(t, testKey, "", ws.wsURL(), nil)
	t.Run("MyUpdates", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(bg(), time.Second)
		defer cancel()
		var last error
		for _, err := range c.MyUpdates(ctx, &MyUpdatesOptions{NoCatchUp: true}) {
			last = err
		}
		assert.True(t, last != nil || ctx.Err() != nil, "MyUpdates ended without an error while ctx was live (the server completed it)")
	})
	t.Run("PriceUpdates", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(bg(), time.Second)
		defer cancel()
		var last error
		for _, err := range c.PriceUpdates(ctx, "USD") {
			last = err
		}
		assert.True(t, last != nil || ctx.Err() != nil, "PriceUpdates ended without an error while ctx was live (the server completed it)")
	})
}

// Close "returns once the websocket's goroutines have ended" and must
// not wait for a stalled peer (serve's comment), but when the grace period
// has just ended, run is inside conn.Close(StatusNormalClosure), which
// waits up to 5 s for a close frame the stalled peer never sends, and
// Client.Close waits for run.
func TestReview_CloseRightAfterTheGracePeriodDoesNotWaitForAStalledPeer(t *testing.T) {
	noLeaks(t)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		if _, err := p.readType("complete"); err != nil {
			return
		}
		<-p.ctx.Done() // stalled: reads nothing, answers nothing
	})
	c := newRTClient(t, "", srv.wsURL(), func(cfg *realtimeConfig) {
		cfg.keepalive = time.Hour // production's ratio: keepalive (10 s) well above the close handshake
		cfg.grace = 50 * time.Millisecond
	})
	s := testSub(t, c)
	nextOf(t, s, rtSubscribed, 2*time.Second)
	s.stop()
	runEnded(t, c) // the grace period ended: run is closing the connection
	began := time.Now()
	c.Close()
	assert.Less(t, time.Since(began), time.Second, "Client.Close waited for a stalled peer")
}

// An account pays its own USD wallet's invoice from its BTC wallet (the
// fake refuses only a payment to the same wallet). The server emits an
// LnUpdate for the USD receipt; a catch-up that walks both entries takes
// the RECEIVE for the refund of the SEND of the same hash (sendHashes)
// and never delivers it.
func TestReview_MyUpdates_OwnCrossWalletReceiptMissedWhileDownIsCaughtUp(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 1_000_000)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)
	payOwn := func(cents Cents) string {
		inv, err := alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, cents, nil)
		require.NoError(t, err)
		_, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, inv.PaymentRequest, nil)
		require.NoError(t, err)
		return inv.PaymentHash
	}
	// Live, the server reports it.
	h1 := payOwn(100)
	uc.waitFor(t, 5*time.Second, "the live own receipt", func(rs []Update) bool { return receiptHashes(rs)[h1] == 1 })

	srv.RefuseWebSockets(0)
	srv.DropWebSockets()
	sessionGone(t, alice.Client)
	h2 := payOwn(200)
	srv.AcceptWebSockets()
	rs := uc.barrier(t, srv, alice)
	assert.Equal(t, 1, receiptHashes(rs)[h2], "the own receipt paid while down was not caught up: %s", describeUpdates(rs))
}

// Pins: a catch-up that fails (503 on the ledger walk, past the retry
// policy) is retried; receipts that arrive live meanwhile are held back
// (not delivered out of ledger order), and the catch-up that finally
// succeeds delivers what was missed while down and the live ones, each
// exactly once, in ledger order.
func TestReview_MyUpdates_FailingCatchUpThenLiveReceiptsEachOnce(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, fastRetry)
	alice.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { alice.Client.Close() })
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)
	h1 := payOutside(t, srv, alice, 1_000)
	uc.waitFor(t, 5*time.Second, "first live", func(rs []Update) bool { return receiptHashes(rs)[h1] == 1 })

	srv.RefuseWebSockets(0)
	srv.DropWebSockets()
	sessionGone(t, alice.Client)
	h2 := payOutside(t, srv, alice, 2_000) // missed
	before := srv.Requests("TransactionsSince")
	srv.InjectFault("TransactionsSince", blinktest.Fault{Status: 503}, 8) // two whole catch-ups fail
	srv.AcceptWebSockets()
	require.Eventually(t, func() bool { return srv.Requests("TransactionsSince") >= before+4 }, 10*time.Second, time.Millisecond, "no catch-up attempt")
	h3 := payOutside(t, srv, alice, 3_000) // live while the catch-up is failing
	uc.waitFor(t, 5*time.Second, "live during failing catch-up", func(rs []Update) bool { return receiptHashes(rs)[h3] == 1 })
	// The missed one comes once a retried catch-up succeeds, before the
	// live one (a pending catch-up holds live receipts back).
	uc.waitFor(t, 10*time.Second, "the missed receipt", func(rs []Update) bool { return receiptHashes(rs)[h2] == 1 })
	rs := uc.barrier(t, srv, alice)
	assert.Equal(t, map[string]int{h1: 1, h2: 1, h3: 1}, receiptHashes(rs), describeUpdates(rs))
	var order []string
	for _, r := range rs {
		if ln, ok := r.(*LightningReceipt); ok {
			order = append(order, ln.PaymentHash)
		}
	}
	assert.Equal(t, []string{h1, h2, h3}, order, "in ledger order")
	assert.GreaterOrEqual(t, srv.Requests("TransactionsSince"), before+9, "the catch-up was retried until it succeeded")
}

// Pins: a server that accepts the upgrade and hangs up mid-handshake
// (before or after reading connection_init) is retried, and Close then
// leaves no goroutine behind.
func TestReview_ServerHangingUpMidHandshakeIsRetriedAndCloseLeaksNothing(t *testing.T) {
	noLeaks(t)
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		switch {
		case n == 1:
			p.conn.CloseNow() // before connection_init is read
		case n == 2:
			_, _ = p.read() // connection_init, never acked
			p.conn.CloseNow()
		default:
			if _, err := p.ack(); err != nil {
				return
			}
			p.serveAnswering(nil)
		}
	})
	c := newRTClient(t, "", srv.wsURL(), nil)
	s := testSub(t, c)
	ev := nextOf(t, s, rtSubscribed, 5*time.Second)
	assert.False(t, ev.reconnect, "the first connection that is acknowledged")
	assert.GreaterOrEqual(t, srv.conns.Load(), int32(3))
	c.Close()
	ev = nextOf(t, s, rtEnd, time.Second)
	assert.ErrorIs(t, ev.err, ErrClientClosed)
}

// MyUpdatesOptions.Since is "the ID of the newest transaction the caller
// handled (from an earlier run)". While a catch-up was failing the stream
// went on delivering live receipts, so a receipt newer in the ledger was
// handled before an older one missed while down, and a consumer that
// stopped there (a deploy, a crash) and restarted from the last ID it
// handled never got the older one: the restart walked the ledger strictly
// after Since. Now a pending catch-up holds live receipts back, and a
// restart walks from about a minute before Since; either way the missed
// receipt comes (run 1 is stopped while the catch-up still fails).
func TestReview_MyUpdates_RestartFromTheLastHandledIDMissesNothing(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, fastRetry)
	alice.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { alice.Client.Close() })

	// Run 1: record the last transaction handled; stop after stopAt.
	live := make(chan struct{})
	handled := make(chan string, 16) // payment hashes handled
	stopAt := make(chan string, 1)
	lastID := make(chan string, 1)
	ctx1, cancel1 := context.WithCancel(bg())
	t.Cleanup(cancel1)
	go func() {
		last, stop := "", ""
		once := sync.Once{}
		for u, err := range alice.Client.MyUpdates(ctx1, nil) {
			if err != nil {
				continue
			}
			if _, ok := u.(*RealtimePriceUpdate); ok {
				once.Do(func() { close(live) })
			}
			ln, ok := u.(*LightningReceipt)
			if !ok {
				continue
			}
			last = ln.Transaction.ID
			handled <- ln.PaymentHash
			select {
			case stop = <-stopAt:
			default:
			}
			if ln.PaymentHash == stop {
				break
			}
		}
		lastID <- last
	}()
	recvWithin(t, live, 5*time.Second, "run 1 live")
	h1 := payOutside(t, srv, alice, 1_000)
	require.Equal(t, h1, <-handled)

	srv.RefuseWebSockets(0)
	srv.DropWebSockets()
	sessionGone(t, alice.Client)
	h2 := payOutside(t, srv, alice, 2_000) // missed while down
	before := srv.Requests("TransactionsSince")
	srv.InjectFault("TransactionsSince", blinktest.Fault{Status: 503}, 1_000_000) // the catch-up keeps failing
	srv.AcceptWebSockets()
	require.Eventually(t, func() bool { return srv.Requests("TransactionsSince") >= before+4 }, 10*time.Second, time.Millisecond, "no catch-up attempt")
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 3_000, nil)
	require.NoError(t, err)
	stopAt <- inv.PaymentHash
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest)) // live
	// Run 1 either handles the live receipt now (out of ledger order) or
	// holds it back while the catch-up fails; stop it after two more
	// failed catch-ups either way.
	mark := srv.Requests("TransactionsSince")
	require.Eventually(t, func() bool { return srv.Requests("TransactionsSince") >= mark+8 }, 10*time.Second, time.Millisecond, "no more catch-up attempts")
	cancel1()
	since := <-lastID // run 1 stopped
	srv.ClearFaults()

	// Run 2, from the last ID handled.
	uc := collectMyUpdates(t, alice.Client, &MyUpdatesOptions{Since: since})
	rs := uc.barrier(t, srv, alice)
	assert.Equal(t, 1, receiptHashes(rs)[h2], "the receipt missed while down is never delivered, in either run: %s", describeUpdates(rs))
	close(handled)
	got3 := receiptHashes(rs)[inv.PaymentHash] == 1
	for h := range handled {
		got3 = got3 || h == inv.PaymentHash
	}
	assert.True(t, got3, "the live receipt is delivered in one of the runs: %s", describeUpdates(rs))
}

// A server slow to take a subscription (no answer within catchUpWait, 1
// s) gets the catch-up anyway, then pending is cleared; a receipt paid
// after that ledger read but before the server's subscription was live
// is never delivered, though the server's first answer arrives later and
// says it is live only now. (The doc: the catch-up runs "as soon as the
// server answers on it ... or catchUpWait after it without an answer".)
func TestReview_MyUpdates_LateFirstAnswerAfterATimedOutCatchUpMissesNothing(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	answer := make(chan struct{})
	ws := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		m, err := p.readType("subscribe")
		if err != nil {
			return
		}
		go func() { // the subscription goes live late
			select {
			case <-answer:
				p.sendJSON(m.ID, "next", `{"data":{"myUpdates":{"errors":[],"update":{"__typename":"SomethingNew"}}}}`)
			case <-p.ctx.Done():
			}
		}()
		p.serveAnswering(nil)
	})
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, WithWebSocketURL(ws.wsURL()), fastRetry)
	alice.Client.rt.cfg = fastRealtime
	t.Cleanup(func() { alice.Client.Close() })
	uc := collectMyUpdates(t, alice.Client, nil)
	// The timed-out catch-up has read the ledger (PendingIncoming is its last read).
	require.Eventually(t, func() bool { return srv.Requests("PendingIncomingTransactions") >= 1 }, 10*time.Second, time.Millisecond)
	h := payOutside(t, srv, alice, 1_000) // after the ledger read, before the server answers
	close(answer)
	uc.waitFor(t, 5*time.Second, "the receipt paid before the subscription went live", func(rs []Update) bool { return receiptHashes(rs)[h] == 1 })
}
