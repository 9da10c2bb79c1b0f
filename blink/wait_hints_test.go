package blink

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A websocket that acknowledges and subscribes but never reports: only a
// hint can make the wait look again.
func silentWS(t *testing.T) *wsTestServer {
	return newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err == nil {
			p.serveAnswering(nil)
		}
	})
}

func TestWaitForInvoice_HintChannelTriggersACheck(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonClientWS(t, srv, silentWS(t).wsURL())
	live := liveChecks(anon, 1)
	hint := make(chan struct{}, 1)
	r := waitAsync(bg(), anon, inv.PaymentHash, &WaitInvoiceOptions{PollFloor: time.Millisecond, Hint: hint})
	<-live // the check after the subscribe: from now on only a hint checks
	before := srv.Requests(statusByHash)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	hint <- struct{}{}
	x := recvWait(t, r, 5*time.Second) // without the hint the wait never returns
	require.NoError(t, x.err)
	assert.Equal(t, InvoicePaid, x.st.Status)
	assert.Equal(t, before+1, srv.Requests(statusByHash), "the hint's check, and no poll while the websocket works")
}

// liveChecks returns a channel that is closed once the client's waits
// have made n HTTP checks while their subscriptions were live.
func liveChecks(c *Client, n int) <-chan struct{} {
	done := make(chan struct{})
	var mu sync.Mutex
	c.hints.checked = func(wsUp bool) {
		mu.Lock()
		defer mu.Unlock()
		if wsUp && n > 0 {
			if n--; n == 0 {
				close(done)
			}
		}
	}
	return done
}

func TestHintInvoice_WakesEveryWaitOnTheHashByHashOrPaymentRequest(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	other, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 2_000, nil)
	require.NoError(t, err)
	anon := newAnonClientWS(t, srv, silentWS(t).wsURL())
	live := liveChecks(anon, 3)
	o := &WaitInvoiceOptions{PollFloor: time.Millisecond}
	byHash := waitAsync(bg(), anon, inv.PaymentHash, o)
	byPR := waitAsync(bg(), anon, "lightning:"+inv.PaymentRequest, o)
	unrelated := waitAsync(bg(), anon, other.PaymentHash, o)
	<-live // each wait checked once after its subscribe

	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	assert.Equal(t, 2, anon.HintInvoice(upperHex(inv.PaymentHash)), "both waits on the hash, in any case")
	for _, r := range []<-chan waitResult{byHash, byPR} {
		x := recvWait(t, r, 5*time.Second)
		require.NoError(t, x.err)
		assert.Equal(t, InvoicePaid, x.st.Status)
	}
	assert.Equal(t, 1, anon.HintInvoice(other.PaymentHash))
	assert.Zero(t, anon.HintInvoice(inv.PaymentHash), "returned waits are no longer registered")
	assert.Zero(t, anon.HintInvoice("not a hash"))
	select {
	case x := <-unrelated:
		t.Fatalf("a hint for another invoice ended this wait: %+v", x)
	default:
	}
	require.NoError(t, anon.Close())
	x := recvWait(t, unrelated, 5*time.Second)
	require.ErrorIs(t, x.err, ErrClientClosed)
}

func upperHex(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'f' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func TestPollInterval_StepsByAgeWithinFloorAndCeiling(t *testing.T) {
	const floor, ceiling = 3 * time.Second, 30 * time.Second
	cases := []struct {
		age      time.Duration
		lo, hi   time.Duration
		ceilings time.Duration
	}{
		{0, floor, floor + floor/5, ceiling},
		{2 * time.Minute, floor, floor + floor/5, ceiling},
		{3 * time.Minute, 8 * time.Second, 12 * time.Second, ceiling},
		{14 * time.Minute, 8 * time.Second, 12 * time.Second, ceiling},
		{15 * time.Minute, 24 * time.Second, 36 * time.Second, ceiling},
		{20 * time.Hour, 24 * time.Second, 36 * time.Second, ceiling},
		{20 * time.Hour, floor, 12 * time.Second, 10 * time.Second}, // capped by the ceiling
	}
	for _, c := range cases {
		for range 1000 {
			d := pollInterval(c.age, floor, c.ceilings)
			require.GreaterOrEqual(t, d, c.lo, "age %s", c.age)
			require.LessOrEqual(t, d, c.hi, "age %s", c.age)
		}
	}
	// A floor above every step: never under the floor.
	for range 1000 {
		require.GreaterOrEqual(t, pollInterval(time.Hour, time.Minute, time.Minute), time.Minute)
	}
}
