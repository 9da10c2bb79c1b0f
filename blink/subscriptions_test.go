package blink

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// newAnonFakeClient is a client without a key on a blinktest server, with
// the fast realtime configuration, closed at the end of the test.
func newAnonFakeClient(t *testing.T, srv *blinktest.Server) *Client {
	t.Helper()
	c, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)
	c.rt.cfg = fastRealtime
	t.Cleanup(func() { c.Close() })
	return c
}

// collectUpdates runs an InvoiceUpdates loop in the background and
// returns its updates and final error on channels.
func collectUpdates(ctx context.Context, c *Client, invoice string) (<-chan InvoiceUpdate, <-chan error) {
	ups := make(chan InvoiceUpdate, 16)
	errc := make(chan error, 1)
	go func() {
		defer close(ups)
		var last error
		for u, err := range c.InvoiceUpdates(ctx, invoice) {
			if err != nil {
				last = err
				continue
			}
			ups <- u
		}
		errc <- last
	}()
	return ups, errc
}

func recvUpdate(t *testing.T, ups <-chan InvoiceUpdate) InvoiceUpdate {
	t.Helper()
	select {
	case u, ok := <-ups:
		require.True(t, ok, "the stream ended")
		return u
	case <-time.After(5 * time.Second):
		t.Fatal("no invoice update")
	}
	return InvoiceUpdate{}
}

func TestInvoiceUpdates_PendingThenPaidWithPreimageThenEnds(t *testing.T) {
	for _, by := range []string{"hash", "request"} {
		t.Run(by, func(t *testing.T) {
			noLeaks(t)
			srv := newFake(t)
			alice := newFakeUser(t, srv, "alice", 0, 0, nil)
			inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
			require.NoError(t, err)
			anon := newAnonFakeClient(t, srv)
			target := inv.PaymentHash
			if by == "request" {
				target = "lightning:" + inv.PaymentRequest
			}
			ups, errc := collectUpdates(context.Background(), anon, target)

			u := recvUpdate(t, ups)
			assert.Equal(t, InvoicePending, u.Status)
			assert.Equal(t, inv.PaymentHash, u.PaymentHash)
			assert.False(t, u.Resubscribed)

			require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
			u = recvUpdate(t, ups)
			assert.Equal(t, InvoicePaid, u.Status)
			assert.True(t, rcvPreimageMatches(u.Preimage, inv.PaymentHash))
			_, open := <-ups
			assert.False(t, open, "PAID ends the stream")
			assert.NoError(t, <-errc)
		})
	}
}

func TestInvoiceUpdates_ExpiredEndsTheStream(t *testing.T) {
	noLeaks(t)
	clk := newRcvClock()
	srv := newFake(t, blinktest.WithClock(clk.Now))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, &InvoiceOptions{ExpiresIn: time.Minute})
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	ups, errc := collectUpdates(context.Background(), anon, inv.PaymentHash)
	assert.Equal(t, InvoicePending, recvUpdate(t, ups).Status)

	clk.Advance(2 * time.Minute)
	// The fake re-reads its streams on any state change (a price set):
	// a moved clock alone does not wake them.
	srv.SetPrice(srv.Price())
	assert.Equal(t, InvoiceExpired, recvUpdate(t, ups).Status)
	_, open := <-ups
	assert.False(t, open)
	assert.NoError(t, <-errc)
}

func TestInvoiceUpdates_EndsWithoutErrorWhenTheContextEnds(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	anon := newAnonFakeClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	ups, errc := collectUpdates(ctx, anon, inv.PaymentHash)
	recvUpdate(t, ups)
	cancel()
	assert.NoError(t, <-errc)
}

func TestInvoiceUpdates_UnknownInvoiceIsAnError(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	anon := newAnonFakeClient(t, srv)
	_, errc := collectUpdates(context.Background(), anon, strings.Repeat("0", 64))
	err := <-errc
	require.Error(t, err)
	var e *Error
	assert.ErrorAs(t, err, &e)
}

func TestInvoiceUpdates_EmptyInputRefusedBeforeSubscribing(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	anon := newAnonFakeClient(t, srv)
	for _, err := range anon.InvoiceUpdates(bg(), "lightning:") {
		assert.ErrorIs(t, err, ErrInvalidInput)
	}
}

func TestInvoiceUpdates_ResubscribedAfterADropReportsTheCurrentStatus(t *testing.T) {
	noLeaks(t)
	// A server that sends PENDING, drops the first connection, and
	// sends PAID on the second.
	srv := newWSTestServer(t, func(n int, p *wsPeer) {
		if _, err := p.ack(); err != nil {
			return
		}
		p.serveAnswering(func(m wsMessage) {
			if n == 1 {
				p.sendJSON(m.ID, "next", `{"data":{"lnInvoicePaymentStatusByHash":{"errors":[],"status":"PENDING","paymentHash":"`+hash64+`"}}}`)
				// The client answers a ping after it has read the PENDING.
				p.send(wsMessage{Type: "ping"})
				_, _ = p.readType("pong")
				p.conn.CloseNow()
				return
			}
			p.sendJSON(m.ID, "next", `{"data":{"lnInvoicePaymentStatusByHash":{"errors":[],"status":"PAID","paymentHash":"`+hash64+`","paymentPreimage":"`+hash64+`"}}}`)
			p.sendJSON(m.ID, "next", `{"data":{"lnInvoicePaymentStatusByHash":{"errors":[],"status":"EXPIRED","paymentHash":"`+hash64+`"}}}`)
		})
	})
	c := newRTClient(t, "", srv.wsURL(), nil)
	var got []InvoiceUpdate
	for u, err := range c.InvoiceUpdates(bg(), hash64) {
		require.NoError(t, err)
		got = append(got, u)
	}
	require.Len(t, got, 2, "PAID is final: the EXPIRED after it is not delivered")
	assert.Equal(t, InvoicePending, got[0].Status)
	assert.False(t, got[0].Resubscribed)
	assert.Equal(t, InvoicePaid, got[1].Status)
	assert.True(t, got[1].Resubscribed)
}

const hash64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestPriceUpdates_CurrentPriceThenEveryChange(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	anon := newAnonFakeClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prices := make(chan *RealtimePrice, 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p, err := range anon.PriceUpdates(ctx, "USD") {
			if err == nil {
				prices <- p
			}
		}
	}()
	first := <-prices
	assert.Equal(t, "USD", first.Currency)
	require.True(t, first.SatPrice.Valid())
	srv.SetPrice(srv.Price() * 2)
	select {
	case second := <-prices:
		assert.NotEqual(t, first.SatPrice, second.SatPrice)
	case <-time.After(5 * time.Second):
		t.Fatal("no price update after a change")
	}
	cancel()
	<-done
}

func TestPriceUpdates_BadCurrencyRefusedBeforeSubscribing(t *testing.T) {
	srv := newFake(t)
	anon := newAnonFakeClient(t, srv)
	for _, err := range anon.PriceUpdates(bg(), "U\"SD") {
		assert.ErrorIs(t, err, ErrInvalidInput)
	}
}

// The fake answers myUpdates with an unknown key as the server does (it
// acks the connection, then refuses the subscription with
// NOT_AUTHENTICATED): the subscription ends with a typed error, whether
// it comes as an error message or as a result with errors, and the
// client does not reconnect for it.
func TestRealtime_MyUpdatesWithABadKeyEndsWithInvalidAPIKey(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	bad := "galoy_dev_" + strings.Repeat("Zz9y", 16)
	c, err := New(bad, WithEndpoint(srv.URL()))
	require.NoError(t, err)
	c.rt.cfg = fastRealtime
	t.Cleanup(func() { c.Close() })
	sub, err := c.subscribe("MyUpdates", "MyUpdates", "subscription MyUpdates { myUpdates { errors { code message } } }", nil)
	require.NoError(t, err)
	defer sub.stop()
	ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
	defer cancel()
	var got error
	for got == nil {
		ev, err := sub.next(ctx)
		require.NoError(t, err, "no error for myUpdates with a bad key")
		switch ev.kind {
		case rtNext:
			got = decodeNext("MyUpdates", ev.payload, &struct{}{}, true)
		case rtEnd:
			got = ev.err
			require.Error(t, got, "ended without an error")
		}
	}
	assert.ErrorIs(t, got, ErrInvalidAPIKey)
	assert.ErrorIs(t, got, ErrNotAuthenticated)
	assert.NotContains(t, got.Error(), bad)
	assert.EqualValues(t, 1, c.rt.m.connects.Load())
}
