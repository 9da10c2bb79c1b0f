package blink

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// The realtime figures of the issue live in the benchmarks below, each
// beside a hand-written coder/websocket client doing the same wire work
// in the same run; the tests beside them pin the behaviour (every
// subscription back, every wait PAID, one socket) with no clock in their
// assertions. Run the figures with
//
//	go test -run xxx -bench 'Realtime|WaitForInvoice1000' -benchtime 3x ./blink/

const realtimeFigureN = 1000

// benchPollFloor is the waits' poll floor in the benchmark: a floor
// bounds the catch-up check after a resubscribe from below (the default
// 3s would measure the floor, not the SDK).
const benchPollFloor = 100 * time.Millisecond

const rawStatusByHash = `subscription($input: LnInvoicePaymentStatusByHashInput!) {
  lnInvoicePaymentStatusByHash(input: $input) { status paymentPreimage errors { message } } }`

// rawWS is what a careful user would write by hand on coder/websocket:
// one connection, init and ack, subscribe messages, a reader that hands
// each PAID to a channel per subscription id.
type rawWS struct {
	conn *websocket.Conn
	mu   sync.Mutex
	paid map[string]chan struct{}
	done chan struct{}
}

func dialRaw(ctx context.Context, url string) (*rawWS, error) {
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{wsSubprotocol}})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{}}`)); err != nil {
		conn.CloseNow()
		return nil, err
	}
	if _, b, err := conn.Read(ctx); err != nil || !json.Valid(b) {
		conn.CloseNow()
		return nil, fmt.Errorf("no ack: %v", err)
	}
	r := &rawWS{conn: conn, paid: map[string]chan struct{}{}, done: make(chan struct{})}
	go r.read()
	return r, nil
}

func (r *rawWS) read() {
	defer close(r.done)
	for {
		_, b, err := r.conn.Read(context.Background())
		if err != nil {
			return
		}
		var m struct {
			ID      string `json:"id"`
			Type    string `json:"type"`
			Payload struct {
				Data struct {
					S struct {
						Status string `json:"status"`
					} `json:"lnInvoicePaymentStatusByHash"`
				} `json:"data"`
			} `json:"payload"`
		}
		if json.Unmarshal(b, &m) != nil || m.Type != "next" || m.Payload.Data.S.Status != "PAID" {
			continue
		}
		r.mu.Lock()
		if ch := r.paid[m.ID]; ch != nil {
			close(ch)
			delete(r.paid, m.ID)
		}
		r.mu.Unlock()
	}
}

func (r *rawWS) subscribe(ctx context.Context, id, hash string) (<-chan struct{}, error) {
	ch := make(chan struct{})
	r.mu.Lock()
	r.paid[id] = ch
	r.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "type": "subscribe", "payload": map[string]any{
		"query": rawStatusByHash, "variables": map[string]any{"input": map[string]any{"paymentHash": hash}}}})
	if err != nil {
		return nil, err
	}
	return ch, r.conn.Write(ctx, websocket.MessageText, msg)
}

func (r *rawWS) close() { r.conn.CloseNow(); <-r.done }

// BenchmarkRealtimeResubscribe1000 drops the websocket under 1,000 live
// subscriptions and measures the time until every one is subscribed
// again on a new connection (noticing the drop, the reconnect backoff of
// 10-50ms, connection_init and ack, 1,000 subscribe messages), beside a
// hand-written client that dials, inits and writes the same 1,000
// subscribes. Target: under 2 s (the metric ms/resubscribe-all).
func BenchmarkRealtimeResubscribe1000(b *testing.B) {
	srv := newFake(b)
	c, err := New("", WithEndpoint(srv.URL()))
	require.NoError(b, err)
	c.rt.cfg = fastRealtime
	defer c.Close()
	subs := make([]*rtSub, realtimeFigureN)
	for i := range subs {
		s, err := c.subscribe("Bench", "Bench", "subscription Bench { realtimePrice(input: {}) { errors { message } } }", nil)
		require.NoError(b, err)
		subs[i] = s
	}
	defer func() {
		for _, s := range subs {
			s.stop()
		}
	}()
	for _, s := range subs {
		benchNextOf(b, s, rtSubscribed)
	}
	ctx := context.Background()
	hashes := make([]string, realtimeFigureN)
	for i := range hashes {
		hashes[i] = fmt.Sprintf("%064x", i)
	}
	var sdk, raw time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		r, err := dialRaw(ctx, c.WebSocketURL())
		require.NoError(b, err)
		for i, h := range hashes {
			if _, err := r.subscribe(ctx, fmt.Sprint(i), h); err != nil {
				b.Fatal(err)
			}
		}
		raw += time.Since(t0)
		r.close()

		t1 := time.Now()
		srv.DropWebSockets()
		for _, s := range subs {
			if ev := benchNextOf(b, s, rtSubscribed); !ev.reconnect {
				b.Fatal("a subscription came back without a reconnect")
			}
		}
		sdk += time.Since(t1)
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(b.N) }
	b.ReportMetric(ms(sdk), "ms/resubscribe-all")
	b.ReportMetric(ms(raw), "baseline-ms/subscribe-all")
	b.ReportMetric(float64(sdk)/float64(raw), "ratio")
}

// benchNextOf waits for the next event of a kind, skipping others.
func benchNextOf(b *testing.B, s *rtSub, kind rtKind) rtEvent {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		ev, err := s.next(ctx)
		if err != nil {
			b.Fatalf("no event of kind %d: %v", kind, err)
		}
		if ev.kind == kind {
			return ev
		}
		if ev.kind == rtEnd {
			b.Fatalf("the subscription ended: %v", ev.err)
		}
	}
}

// BenchmarkWaitForInvoice1000 runs 1,000 concurrent WaitForInvoice calls
// on one client without a key and reports, per run:
//   - MB-heap: the heap in use for the 1,000 waits once each is
//     subscribed and checked (client side and the fake's streams; target
//     under 50 MB);
//   - catchup-ms: from a drop of the websocket until every wait is
//     subscribed again and has checked its invoice over HTTP (the
//     catch-up), which the SDK spreads over up to the poll floor
//     (benchPollFloor here) so that 1,000 waits do not check at once;
//   - p50-ms, p99-ms: from the fake settling an invoice to its waiter
//     returning, one invoice at a time;
//   - baseline-p50-ms, baseline-p99-ms and p50-ratio: the same latency
//     for a hand-written client that holds the 1,000 subscriptions on one
//     coder/websocket connection.
func BenchmarkWaitForInvoice1000(b *testing.B) {
	var heap, catchup, p50, p99, rp50, rp99 float64
	for range b.N {
		h, cu, lat, raw := waitFigures(b)
		heap += h
		catchup += cu
		p50 += ms(lat[len(lat)/2])
		p99 += ms(lat[len(lat)*99/100])
		rp50 += ms(raw[len(raw)/2])
		rp99 += ms(raw[len(raw)*99/100])
	}
	n := float64(b.N)
	b.ReportMetric(heap/n, "MB-heap")
	b.ReportMetric(catchup/n, "catchup-ms")
	b.ReportMetric(p50/n, "p50-ms")
	b.ReportMetric(p99/n, "p99-ms")
	b.ReportMetric(rp50/n, "baseline-p50-ms")
	b.ReportMetric(rp99/n, "baseline-p99-ms")
	b.ReportMetric(p50/rp50, "p50-ratio")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

// waitFigures is one run of BenchmarkWaitForInvoice1000: heap in MB,
// catch-up in ms, and the sorted latencies of the SDK and the baseline.
func waitFigures(b *testing.B) (heapMB, catchupMS float64, lat, raw []time.Duration) {
	b.StopTimer()
	const n = realtimeFigureN
	srv := newFake(b, blinktest.WithInvoiceRateLimit(20*n))
	defer srv.Close()
	alice := newFakeUser(b, srv, "alice", 0, 0, nil)
	invoices := func() []*Invoice {
		invs := make([]*Invoice, n)
		for i := range invs {
			inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(1+i), nil)
			require.NoError(b, err)
			invs[i] = inv
		}
		return invs
	}
	invs := invoices()
	anon, err := New("", WithEndpoint(srv.URL()))
	require.NoError(b, err)
	defer anon.Close()
	anon.rt.cfg = fastRealtime
	anon.rt.cfg.keepalive, anon.rt.cfg.initTimeout = 10*time.Second, 10*time.Second
	var mu sync.Mutex
	var live int
	liveAll := make(chan struct{}, 4)
	anon.hints.checked = func(wsUp bool) {
		mu.Lock()
		defer mu.Unlock()
		if wsUp {
			if live++; live == n {
				live = 0
				liveAll <- struct{}{}
			}
		}
	}
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	b.StartTimer()

	done := make([]chan time.Time, n)
	for i, inv := range invs {
		done[i] = make(chan time.Time, 1)
		go func() {
			st, err := anon.WaitForInvoice(bg(), inv.PaymentHash, &WaitInvoiceOptions{PollFloor: benchPollFloor})
			if err != nil || st.Status != InvoicePaid {
				b.Errorf("wait %d: %v %v", i, st, err)
			}
			done[i] <- time.Now()
		}()
	}
	<-liveAll // every wait subscribed and checked once
	var mem runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&mem)
	heapMB = float64(int64(mem.HeapInuse)-int64(base.HeapInuse)) / 1e6

	t0 := time.Now()
	srv.DropWebSockets()
	<-liveAll // every wait subscribed again and checked once more
	catchupMS = ms(time.Since(t0))

	lat = make([]time.Duration, n)
	for i, inv := range invs {
		paid := time.Now()
		require.NoError(b, srv.PayInvoice(inv.PaymentRequest))
		lat[i] = (<-done[i]).Sub(paid)
	}

	// The baseline: the same wait by hand on one connection.
	invs = invoices()
	r, err := dialRaw(bg(), anon.WebSocketURL())
	require.NoError(b, err)
	defer r.close()
	paid := make([]<-chan struct{}, n)
	for i, inv := range invs {
		paid[i], err = r.subscribe(bg(), fmt.Sprint(i), inv.PaymentHash)
		require.NoError(b, err)
	}
	raw = make([]time.Duration, n)
	for i, inv := range invs {
		t := time.Now()
		require.NoError(b, srv.PayInvoice(inv.PaymentRequest))
		<-paid[i]
		raw[i] = time.Since(t)
	}
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(raw)
	return heapMB, catchupMS, lat, raw
}

// TestRealtime_ADropResubscribesEveryOneOf1000Subscriptions pins that a
// drop under 1,000 live subscriptions brings every one of them back on
// one new connection (the time it takes is BenchmarkRealtimeResubscribe1000's).
func TestRealtime_ADropResubscribesEveryOneOf1000Subscriptions(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: 1,000 subscriptions")
	}
	noLeaks(t)
	srv := newFake(t)
	c := newAnonFakeClient(t, srv)
	subs := make([]*rtSub, realtimeFigureN)
	for i := range subs {
		subs[i] = testSub(t, c)
	}
	for _, s := range subs {
		nextOf(t, s, rtSubscribed, 10*time.Second)
	}
	srv.DropWebSockets()
	for _, s := range subs {
		require.True(t, nextOf(t, s, rtSubscribed, 10*time.Second).reconnect)
	}
	assert.EqualValues(t, 2, c.rt.m.connects.Load(), "one connection before the drop, one after")
	assert.Equal(t, 1, srv.WebSockets())
	for _, s := range subs {
		s.stop()
	}
}

// TestWaitForInvoice_1000ConcurrentWaitsOnOneSocketAllReturnPaid pins
// that 1,000 waits share one connection and each returns PAID with its
// preimage (their heap and latency are BenchmarkWaitForInvoice1000's).
func TestWaitForInvoice_1000ConcurrentWaitsOnOneSocketAllReturnPaid(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: 1,000 invoices")
	}
	noLeaks(t)
	const n = realtimeFigureN
	srv := newFake(t, blinktest.WithInvoiceRateLimit(10*n))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	invs := make([]*Invoice, n)
	for i := range invs {
		inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(1+i), nil)
		require.NoError(t, err)
		invs[i] = inv
	}
	anon := newAnonFakeClient(t, srv)
	anon.rt.cfg.keepalive, anon.rt.cfg.initTimeout = 10*time.Second, 10*time.Second
	live := liveChecks(anon, n)
	results := make([]<-chan waitResult, n)
	for i, inv := range invs {
		results[i] = waitAsync(bg(), anon, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: time.Minute})
	}
	<-live
	for i, inv := range invs {
		require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
		x := recvWait(t, results[i], 10*time.Second)
		require.NoError(t, x.err)
		require.Equal(t, InvoicePaid, x.st.Status)
		require.NotEmpty(t, x.st.Preimage)
	}
	assert.EqualValues(t, 1, anon.rt.m.connects.Load())
	assert.Equal(t, n, srv.Requests(statusByHash), "one check per wait, after its subscribe; the rest came over the socket")
}
