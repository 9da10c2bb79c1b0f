package testserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/blink-sdk/blink-go/blink/webhook"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// hookReceiver is an endpoint on loopback that records every delivery
// and answers with status(n) for the n-th request (1-based; 200 by
// default).
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []hookDelivery
	status func(n int) int
}

type hookDelivery struct {
	Header http.Header
	Body   []byte
}

func newHookReceiver(t *testing.T, status func(n int) int) *hookReceiver {
	h := &hookReceiver{status: status}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.got = append(h.got, hookDelivery{Header: r.Header.Clone(), Body: body})
		n := len(h.got)
		h.mu.Unlock()
		code := 200
		if h.status != nil {
			code = h.status(n)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookReceiver) deliveries() []hookDelivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookDelivery(nil), h.got...)
}

// accountEvent is an account delivery's body, decoded.
type accountEvent struct {
	AccountID   string         `json:"accountId"`
	WalletID    string         `json:"walletId"`
	EventType   string         `json:"eventType"`
	Transaction map[string]any `json:"transaction"`
}

func (h *hookReceiver) events(t *testing.T) []accountEvent {
	t.Helper()
	var out []accountEvent
	for _, d := range h.deliveries() {
		var e accountEvent
		require.NoError(t, json.Unmarshal(d.Body, &e), string(d.Body))
		out = append(out, e)
	}
	return out
}

const mEndpointAdd = `mutation CallbackEndpointAdd($input: CallbackEndpointAddInput!) { callbackEndpointAdd(input: $input) { id errors { code message } } }`

// addEndpoint registers url for the key's account and returns the id.
func addEndpoint(t *testing.T, srv *blinktest.Server, key, url string) string {
	t.Helper()
	r := call(t, srv, key, mEndpointAdd, map[string]any{"input": map[string]any{"url": url}})
	require.Empty(t, r.get("data", "callbackEndpointAdd", "errors"), r.Raw)
	id := r.str("data", "callbackEndpointAdd", "id")
	require.True(t, strings.HasPrefix(id, "ep_"), r.Raw)
	return id
}

func waitIdle(t *testing.T, srv *blinktest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitWebhooksIdle(ctx))
}

// verifyAt checks a delivery's signature with package webhook at the
// fake's clock.
func verifyAt(d hookDelivery, secret string, now func() time.Time) error {
	return webhook.VerifyWithOptions(d.Body, d.Header, secret, &webhook.VerifyOptions{Now: now})
}

var (
	txIDRe      = regexp.MustCompile(`^[0-9a-f]{24}$`)
	createdAtRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	msgIDRe     = regexp.MustCompile(`^msg_[0-9A-Za-z]{27}$`)
)

const (
	mIntraSend = `mutation IntraLedgerPaymentSend($input: IntraLedgerPaymentSendInput!) { intraLedgerPaymentSend(input: $input) { status errors { message } } }`
	mAddress   = `mutation OnChainAddressCreate($input: OnChainAddressCreateInput!) { onChainAddressCreate(input: $input) { address errors { message } } }`
)

func TestWebhooks_EveryEventTypeOncePerPaymentWithTheProductionBody(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithLoopbackWebhooks(), blinktest.WithClock(clk.Now))
	aliceHook, bobHook := newHookReceiver(t, nil), newHookReceiver(t, nil)
	addEndpoint(t, f.srv, f.aliceK, aliceHook.URL+"/blink")
	addEndpoint(t, f.srv, f.bobKey, bobHook.URL+"/blink")

	// alice pays bob's invoice (lightning between two Blink wallets).
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 1_000)
	require.Equal(t, "SUCCESS", pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr).str("data", "lnInvoicePaymentSend", "status"))
	// The outside world pays alice's invoice.
	apr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 2_000)
	require.NoError(t, f.srv.PayInvoice(apr))
	// alice pays an invoice outside Blink.
	ext := f.srv.ExternalInvoice(3_000, blinktest.OutcomeSuccess)
	require.Equal(t, "SUCCESS", pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext).str("data", "lnInvoicePaymentSend", "status"))
	// alice sends bob sats intraledger.
	r := call(t, f.srv, f.aliceK, mIntraSend, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.BTCWalletID, "amount": 4_000, "memo": "rent"}})
	require.Equal(t, "SUCCESS", r.str("data", "intraLedgerPaymentSend", "status"), r.Raw)
	// alice sends on-chain, confirmed later.
	r = call(t, f.srv, f.aliceK, mOnChainSend, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "address": f.srv.ExternalAddress(), "amount": 50_000}})
	require.Equal(t, "SUCCESS", r.str("data", "onChainPaymentSend", "status"), r.Raw)
	sendHash := r.str("data", "onChainPaymentSend", "transaction", "settlementVia", "transactionHash")
	require.NoError(t, f.srv.ConfirmOnChain(sendHash))
	// bob receives on-chain: pending, then confirmed.
	r = call(t, f.srv, f.bobKey, mAddress, map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID}})
	recvHash, err := f.srv.ReceiveOnChain(r.str("data", "onChainAddressCreate", "address"), 60_000)
	require.NoError(t, err)
	require.NoError(t, f.srv.ConfirmOnChain(recvHash))
	waitIdle(t, f.srv)

	type key struct{ eventType, status string }
	count := func(evs []accountEvent) map[key]int {
		m := map[key]int{}
		for _, e := range evs {
			m[key{e.EventType, e.Transaction["status"].(string)}]++
		}
		return m
	}
	assert.Equal(t, map[key]int{
		{"send.lightning", "success"}:    2,
		{"receive.lightning", "success"}: 1,
		{"send.intraledger", "success"}:  1,
		{"send.onchain", "pending"}:      1,
		{"send.onchain", "success"}:      1,
	}, count(aliceHook.events(t)))
	assert.Equal(t, map[key]int{
		{"receive.lightning", "success"}:   1, // alice paid bob's invoice: initiated by lightning
		{"receive.intraledger", "success"}: 1,
		{"receive.onchain", "pending"}:     1,
		{"receive.onchain", "success"}:     1,
	}, count(bobHook.events(t)))

	// Every delivery is signed with its account's secret, and only that.
	for _, d := range aliceHook.deliveries() {
		assert.NoError(t, verifyAt(d, f.srv.WebhookSecret(f.alice.ID), clk.Now))
		assert.ErrorIs(t, verifyAt(d, f.srv.WebhookSecret(f.bob.ID), clk.Now), webhook.ErrNoMatchingSignature)
		assert.Regexp(t, msgIDRe, d.Header.Get("svix-id"))
		assert.Equal(t, "application/json", d.Header.Get("Content-Type"))
	}
	for _, d := range bobHook.deliveries() {
		assert.NoError(t, verifyAt(d, f.srv.WebhookSecret(f.bob.ID), clk.Now))
	}

	// The common shape.
	for _, e := range append(aliceHook.events(t), bobHook.events(t)...) {
		tx := e.Transaction
		assert.Regexp(t, txIDRe, tx["id"])
		assert.Regexp(t, createdAtRe, tx["createdAt"])
		assert.Equal(t, e.WalletID, tx["walletId"])
		assert.Equal(t, "BTC", tx["settlementCurrency"])
		amount := tx["settlementAmount"].(float64)
		if strings.HasPrefix(e.EventType, "send.") {
			assert.Less(t, amount, 0.0, e.EventType)
		} else {
			assert.Greater(t, amount, 0.0, e.EventType)
		}
		assert.IsType(t, 0.0, tx["settlementFee"])
		assert.IsType(t, "", tx["settlementDisplayAmount"])
		assert.IsType(t, "", tx["settlementDisplayFee"])
		price := tx["settlementDisplayPrice"].(map[string]any)
		assert.Equal(t, "100000000000", price["base"]) // $100,000/BTC: 0.1 cent a sat, times 10^12
		assert.Equal(t, "12", price["offset"])
		assert.Equal(t, "USD", price["displayCurrency"])
		assert.Equal(t, "BTC", price["walletCurrency"])
		assert.Contains(t, tx, "memo")
		via := strings.TrimPrefix(strings.TrimPrefix(e.EventType, "send."), "receive.")
		assert.Equal(t, via, get(tx, "initiationVia", "type"), e.EventType)
	}

	// Each kind in detail.
	byType := func(evs []accountEvent, typ string) accountEvent {
		for _, e := range evs {
			if e.EventType == typ {
				return e
			}
		}
		t.Fatalf("no %s", typ)
		return accountEvent{}
	}
	bobLn := byType(bobHook.events(t), "receive.lightning")
	assert.Equal(t, f.bob.ID, bobLn.AccountID)
	assert.Equal(t, f.bob.BTCWalletID, bobLn.WalletID)
	assert.Equal(t, 1000.0, bobLn.Transaction["settlementAmount"])
	assert.Equal(t, hash, get(bobLn.Transaction, "initiationVia", "paymentHash"))
	assert.Equal(t, f.srv.NodeID(), get(bobLn.Transaction, "initiationVia", "pubkey"))
	assert.Equal(t, "intraledger", get(bobLn.Transaction, "settlementVia", "type"))
	assert.Equal(t, f.alice.BTCWalletID, get(bobLn.Transaction, "settlementVia", "counterPartyWalletId"))
	assert.Equal(t, "alice", get(bobLn.Transaction, "settlementVia", "counterPartyUsername"))
	assert.Equal(t, hash, bobLn.Transaction["externalId"], "an invoice's external id defaults to its hash")

	intra := byType(aliceHook.events(t), "send.intraledger")
	assert.Equal(t, -4000.0, intra.Transaction["settlementAmount"])
	assert.Equal(t, "rent", intra.Transaction["memo"])
	assert.Equal(t, map[string]any{"type": "intraledger", "counterPartyWalletId": f.bob.BTCWalletID, "counterPartyUsername": "bob"}, intra.Transaction["initiationVia"])
	assert.NotContains(t, intra.Transaction, "externalId", "absent when unset")

	var extSend accountEvent
	for _, e := range aliceHook.events(t) {
		if e.EventType == "send.lightning" && get(e.Transaction, "settlementVia", "type") == "lightning" {
			extSend = e
		}
	}
	require.NotNil(t, extSend.Transaction)
	assert.Equal(t, float64(-3000-blinktest.ExternalLightningFeeSats), extSend.Transaction["settlementAmount"])
	assert.Equal(t, float64(blinktest.ExternalLightningFeeSats), extSend.Transaction["settlementFee"])
	assert.Regexp(t, `^[0-9a-f]{64}$`, get(extSend.Transaction, "settlementVia", "revealedPreImage"))
	assert.Nil(t, extSend.Transaction["memo"])

	var pending, confirmed accountEvent
	for _, e := range bobHook.events(t) {
		if e.EventType == "receive.onchain" {
			if e.Transaction["status"] == "pending" {
				pending = e
			} else {
				confirmed = e
			}
		}
	}
	assert.Equal(t, recvHash, get(pending.Transaction, "settlementVia", "transactionHash"))
	assert.Equal(t, recvHash, get(confirmed.Transaction, "settlementVia", "transactionHash"))
	assert.Equal(t, 60000.0, confirmed.Transaction["settlementAmount"])
	assert.Equal(t, "onchain", get(confirmed.Transaction, "initiationVia", "type"))
	assert.NotEmpty(t, get(confirmed.Transaction, "initiationVia", "address"))

	// The log agrees: one attempt a message, each a 200.
	log := f.srv.WebhookDeliveries()
	assert.Len(t, log, len(aliceHook.deliveries())+len(bobHook.deliveries()))
	for _, a := range log {
		assert.Equal(t, 1, a.Attempt)
		assert.Equal(t, 200, a.StatusCode)
		assert.True(t, a.OK)
		assert.Equal(t, clk.Now(), a.At)
	}
}

func TestWebhooks_NothingForLevelZero(t *testing.T) {
	f := newFixture(t, blinktest.WithLoopbackWebhooks())
	zero := f.srv.CreateAccount(blinktest.AccountOptions{Username: "zed", Level: "ZERO", BTCBalance: 10_000})
	zeroKey := f.srv.CreateAPIKey(zero.ID, blinktest.KeyOptions{})
	zeroHook, aliceHook := newHookReceiver(t, nil), newHookReceiver(t, nil)
	addEndpoint(t, f.srv, zeroKey, zeroHook.URL)
	addEndpoint(t, f.srv, f.aliceK, aliceHook.URL)

	r := call(t, f.srv, f.aliceK, mIntraSend, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": zero.BTCWalletID, "amount": 100}})
	require.Equal(t, "SUCCESS", r.str("data", "intraLedgerPaymentSend", "status"), r.Raw)
	pr, _ := createInvoice(t, f.srv, zeroKey, zero.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	waitIdle(t, f.srv)

	assert.Empty(t, zeroHook.deliveries())
	require.Len(t, aliceHook.events(t), 1)
	assert.Equal(t, "send.intraledger", aliceHook.events(t)[0].EventType)
}

func TestWebhooks_PendingSendLightningComesAgainWhenItSettles(t *testing.T) {
	f := newFixture(t, blinktest.WithLoopbackWebhooks())
	hook := newHookReceiver(t, nil)
	addEndpoint(t, f.srv, f.aliceK, hook.URL)
	for _, settle := range []bool{true, false} {
		ext := f.srv.ExternalInvoice(500, blinktest.OutcomePending)
		r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
		require.Equal(t, "PENDING", r.str("data", "lnInvoicePaymentSend", "status"), r.Raw)
		hash := decodeInvoice(t, ext).PaymentHash
		if settle {
			require.NoError(t, f.srv.SettlePending(hash))
		} else {
			require.NoError(t, f.srv.FailPending(hash))
		}
	}
	waitIdle(t, f.srv)

	evs := hook.events(t)
	require.Len(t, evs, 4, "pending then success, pending then failure; the refund has no callback")
	// Deliveries run concurrently, as Svix's: their order is not the
	// payments'.
	byTx := map[string][]string{}
	ids := map[string]bool{}
	for i, e := range evs {
		assert.Equal(t, "send.lightning", e.EventType)
		st := e.Transaction["status"].(string)
		byTx[e.Transaction["id"].(string)] = append(byTx[e.Transaction["id"].(string)], st)
		ids[hook.deliveries()[i].Header.Get("svix-id")] = true
		pre := get(e.Transaction, "settlementVia", "revealedPreImage")
		if st == "success" {
			assert.NotNil(t, pre)
		} else {
			assert.Nil(t, pre, st)
		}
	}
	var got [][]string
	for _, sts := range byTx {
		slices.Sort(sts)
		got = append(got, sts)
	}
	assert.ElementsMatch(t, [][]string{{"pending", "success"}, {"failure", "pending"}}, got, "each payment's transaction twice")
	assert.Len(t, ids, 4, "four messages")
}

func TestWebhooks_RetriesOnSvixScheduleByTheFakeClockWithOneMessageID(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithLoopbackWebhooks(), blinktest.WithClock(clk.Now))
	// 500, 500, 500, then 200: delivered at the fourth attempt, 5 s + 5 min
	// + 30 min after the first (Svix: "roughly 35 minutes and 5 seconds").
	hook := newHookReceiver(t, func(n int) int {
		if n <= 3 {
			return 500
		}
		return 200
	})
	addEndpoint(t, f.srv, f.aliceK, hook.URL)
	start := clk.Now()
	pr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	waitIdle(t, f.srv)
	require.Len(t, hook.deliveries(), 1, "the first attempt is immediate")

	step := func(d time.Duration, want int) {
		t.Helper()
		clk.Advance(d)
		f.srv.Tick()
		waitIdle(t, f.srv)
		require.Len(t, hook.deliveries(), want, "after %s more", d)
	}
	step(4*time.Second, 1)
	step(time.Second, 2) // 5 s
	step(5*time.Minute-time.Second, 2)
	step(time.Second, 3) // 5 min
	step(30*time.Minute, 4)
	step(10*time.Hour, 4) // delivered: no more

	ds := hook.deliveries()
	for _, d := range ds {
		assert.Equal(t, ds[0].Header.Get("svix-id"), d.Header.Get("svix-id"))
		assert.Equal(t, ds[0].Body, d.Body)
	}
	log := f.srv.WebhookDeliveries()
	require.Len(t, log, 4)
	want := []time.Duration{0, 5 * time.Second, 5*time.Minute + 5*time.Second, 35*time.Minute + 5*time.Second}
	for i, a := range log {
		assert.Equal(t, i+1, a.Attempt)
		assert.Equal(t, ds[0].Header.Get("svix-id"), a.MsgID)
		assert.Equal(t, "receive.lightning", a.EventType)
		assert.Equal(t, hook.URL, a.Endpoint)
		assert.Equal(t, start.Add(want[i]), a.At, "attempt %d", i+1)
		assert.Equal(t, i == 3, a.OK)
		if i < 3 {
			assert.Equal(t, 500, a.StatusCode)
		}
	}
	// Each attempt is signed at its own time, with the same secret.
	assert.NoError(t, verifyAt(ds[3], f.srv.WebhookSecret(f.alice.ID), func() time.Time { return log[3].At }))
	assert.NotEqual(t, ds[0].Header.Get("svix-timestamp"), ds[3].Header.Get("svix-timestamp"))
}

func TestWebhooks_GivesUpAfterTheEighthAttempt(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithLoopbackWebhooks(), blinktest.WithClock(clk.Now))
	hook := newHookReceiver(t, func(int) int { return 503 })
	addEndpoint(t, f.srv, f.aliceK, hook.URL)
	pr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	waitIdle(t, f.srv)
	for _, d := range blinktest.WebhookRetrySchedule[1:] {
		clk.Advance(d)
		f.srv.Tick()
		waitIdle(t, f.srv)
	}
	assert.Len(t, hook.deliveries(), 8)
	clk.Advance(48 * time.Hour)
	f.srv.Tick()
	waitIdle(t, f.srv)
	assert.Len(t, hook.deliveries(), 8)
	assert.Len(t, blinktest.WebhookRetrySchedule, 8)
}

func TestWebhooks_ASlowEndpointTimesOutAndIsRetried(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithLoopbackWebhooks(), blinktest.WithClock(clk.Now), blinktest.WithWebhookTimeout(50*time.Millisecond))
	release := make(chan struct{})
	var n int
	var mu sync.Mutex
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		_, _ = io.ReadAll(r.Body)
		if first {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(204)
	}))
	defer slow.Close()
	defer close(release)
	addEndpoint(t, f.srv, f.aliceK, slow.URL)
	pr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	waitIdle(t, f.srv)
	log := f.srv.WebhookDeliveries()
	require.Len(t, log, 1)
	assert.False(t, log[0].OK)
	assert.Equal(t, 0, log[0].StatusCode)
	assert.Contains(t, log[0].Err, "timeout")

	clk.Advance(5 * time.Second)
	f.srv.Tick()
	waitIdle(t, f.srv)
	log = f.srv.WebhookDeliveries()
	require.Len(t, log, 2)
	assert.True(t, log[1].OK)
	assert.Equal(t, 204, log[1].StatusCode)
}

func TestWebhooks_RedeliverSendsTheSameMessageAgain(t *testing.T) {
	f := newFixture(t, blinktest.WithLoopbackWebhooks())
	hook := newHookReceiver(t, nil)
	addEndpoint(t, f.srv, f.aliceK, hook.URL)
	pr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	waitIdle(t, f.srv)
	id := f.srv.WebhookDeliveries()[0].MsgID

	require.True(t, f.srv.RedeliverWebhook(id))
	waitIdle(t, f.srv)
	assert.False(t, f.srv.RedeliverWebhook("msg_unknown"))

	ds := hook.deliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, id, ds[1].Header.Get("svix-id"))
	assert.Equal(t, ds[0].Body, ds[1].Body)
	log := f.srv.WebhookDeliveries()
	require.Len(t, log, 2)
	assert.Equal(t, 2, log[1].Attempt)
}

func TestWebhooks_EveryEndpointOfTheAccountGetsEveryEvent(t *testing.T) {
	f := newFixture(t, blinktest.WithLoopbackWebhooks())
	h1, h2 := newHookReceiver(t, nil), newHookReceiver(t, nil)
	addEndpoint(t, f.srv, f.aliceK, h1.URL)
	id2 := addEndpoint(t, f.srv, f.aliceK, h2.URL)
	pr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	waitIdle(t, f.srv)
	require.Len(t, h1.deliveries(), 1)
	require.Len(t, h2.deliveries(), 1)
	assert.Equal(t, h1.deliveries()[0].Header.Get("svix-id"), h2.deliveries()[0].Header.Get("svix-id"), "one message")

	r := call(t, f.srv, f.aliceK, `mutation($input: CallbackEndpointDeleteInput!) { callbackEndpointDelete(input: $input) { success } }`, map[string]any{"input": map[string]any{"id": id2}})
	require.Equal(t, true, r.get("data", "callbackEndpointDelete", "success"), r.Raw)
	pr, _ = createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	waitIdle(t, f.srv)
	assert.Len(t, h1.deliveries(), 2)
	assert.Len(t, h2.deliveries(), 1, "a deleted endpoint gets nothing more")
}

const mInvoiceForRecipient = `mutation LnInvoiceCreateOnBehalfOfRecipient($input: LnInvoiceCreateOnBehalfOfRecipientInput!) {
  lnInvoiceCreateOnBehalfOfRecipient(input: $input) { invoice { paymentHash paymentRequest } errors { code message } } }`

func TestWebhooks_PerInvoiceHookPaidAndExpired(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithLoopbackWebhooks(), blinktest.WithClock(clk.Now))
	accountHook, paidHook, expiredHook := newHookReceiver(t, nil), newHookReceiver(t, nil), newHookReceiver(t, nil)
	addEndpoint(t, f.srv, f.bobKey, accountHook.URL)

	create := func(url string, minutes int) (pr, hash string) {
		r := call(t, f.srv, "", mInvoiceForRecipient, map[string]any{"input": map[string]any{
			"recipientWalletId": f.bob.BTCWalletID, "amount": 100, "webhookUrl": url, "expiresIn": minutes}})
		require.Empty(t, r.get("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors"), r.Raw)
		return r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "invoice", "paymentRequest"), r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "invoice", "paymentHash")
	}
	paidPR, paidHash := create(paidHook.URL+"/inv", 60)
	expPR, expHash := create(expiredHook.URL+"/inv", 10)
	require.NotEqual(t, f.srv.InvoiceWebhookSecret(paidHash), f.srv.InvoiceWebhookSecret(expHash), "each invoice its own secret")

	require.Equal(t, "SUCCESS", pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, paidPR).str("data", "lnInvoicePaymentSend", "status"))
	waitIdle(t, f.srv)
	require.Len(t, paidHook.deliveries(), 1)
	d := paidHook.deliveries()[0]
	assert.NoError(t, verifyAt(d, f.srv.InvoiceWebhookSecret(paidHash), clk.Now))
	assert.ErrorIs(t, verifyAt(d, f.srv.WebhookSecret(f.bob.ID), clk.Now), webhook.ErrNoMatchingSignature, "not the account's secret")
	var body map[string]any
	require.NoError(t, json.Unmarshal(d.Body, &body))
	preimage := body["paymentPreimage"]
	assert.Regexp(t, `^[0-9a-f]{64}$`, preimage)
	assert.Equal(t, map[string]any{"paymentHash": paidHash, "paymentRequest": paidPR, "status": "PAID", "paymentPreimage": preimage}, body)
	assert.Len(t, accountHook.deliveries(), 1, "the account's own receive.lightning too")
	assert.Empty(t, expiredHook.deliveries())

	clk.Advance(9 * time.Minute)
	f.srv.Tick()
	waitIdle(t, f.srv)
	assert.Empty(t, expiredHook.deliveries(), "not yet expired")
	clk.Advance(time.Minute)
	f.srv.Tick()
	waitIdle(t, f.srv)
	require.Len(t, expiredHook.deliveries(), 1)
	d = expiredHook.deliveries()[0]
	assert.NoError(t, verifyAt(d, f.srv.InvoiceWebhookSecret(expHash), clk.Now))
	body = nil
	require.NoError(t, json.Unmarshal(d.Body, &body))
	assert.Equal(t, map[string]any{"paymentHash": expHash, "paymentRequest": expPR, "status": "EXPIRED"}, body)

	clk.Advance(time.Hour)
	f.srv.Tick()
	waitIdle(t, f.srv)
	assert.Len(t, paidHook.deliveries(), 1, "one message an invoice")
	assert.Len(t, expiredHook.deliveries(), 1)
	types := map[string]bool{}
	for _, a := range f.srv.WebhookDeliveries() {
		types[a.EventType] = true
	}
	assert.Equal(t, map[string]bool{"invoice.paid": true, "invoice.expired": true, "receive.lightning": true}, types)

	// A webhookUrl Svix would refuse fails the creation.
	r := call(t, f.srv, "", mInvoiceForRecipient, map[string]any{"input": map[string]any{
		"recipientWalletId": f.bob.BTCWalletID, "amount": 100, "webhookUrl": "http://merchant.example/hook"}})
	assert.Contains(t, r.Raw, "InvalidUrlError")
	assert.Empty(t, r.get("data", "lnInvoiceCreateOnBehalfOfRecipient", "invoice"))
}

func TestWebhooks_CallbackURLsAreCheckedAsProductionDoes(t *testing.T) {
	for _, loopback := range []bool{false, true} {
		var opts []blinktest.Option
		if loopback {
			opts = append(opts, blinktest.WithLoopbackWebhooks())
		}
		f := newFixture(t, opts...)
		for url, ok := range map[string]bool{
			"https://merchant.example/blink": true,
			"https://127.0.0.1:8443/hook":    true,
			"http://127.0.0.1:8080/hook":     loopback,
			"http://localhost:8080/hook":     loopback,
			"http://[::1]:8080/hook":         loopback,
			"http://merchant.example/blink":  false, // Svix: "URL must be https"
			"ftp://merchant.example/blink":   false,
			"merchant.example/blink":         false,
			"not a url":                      false,
			"https://":                       false,
		} {
			r := call(t, f.srv, f.aliceK, mEndpointAdd, map[string]any{"input": map[string]any{"url": url}})
			if ok {
				assert.Empty(t, r.get("data", "callbackEndpointAdd", "errors"), "%s: %s", url, r.Raw)
			} else {
				assert.Equal(t, "UNEXPECTED_CLIENT_ERROR", r.str("data", "callbackEndpointAdd", "errors", 0, "code"), "%s: %s", url, r.Raw)
				assert.Contains(t, r.str("data", "callbackEndpointAdd", "errors", 0, "message"), "InvalidUrlError", url)
			}
		}
	}
}

func TestWebhooks_PortalShowsTheAccountsSecret(t *testing.T) {
	f := newFixture(t, blinktest.WithLoopbackWebhooks())
	ep := addEndpoint(t, f.srv, f.aliceK, "https://merchant.example/blink")
	r := call(t, f.srv, f.aliceK, `query { me { defaultAccount { callbackPortalUrl } } }`, nil)
	portal := r.str("data", "me", "defaultAccount", "callbackPortalUrl")
	require.True(t, strings.HasPrefix(portal, strings.TrimSuffix(f.srv.URL(), "/graphql")+"/svix-portal/"), portal)

	res, err := http.Get(portal)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	var page struct {
		Secret    string
		Endpoints []struct{ ID, URL string }
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
	secret := f.srv.WebhookSecret(f.alice.ID)
	assert.Equal(t, secret, page.Secret)
	assert.Regexp(t, `^whsec_[A-Za-z0-9+/]{32}$`, secret, "24 random bytes")
	assert.NotEqual(t, secret, f.srv.WebhookSecret(f.bob.ID))
	assert.Equal(t, ep, page.Endpoints[0].ID)

	// The signing scheme is package webhook's.
	h, err := webhook.Sign(secret, "msg_x", time.Unix(1_700_000_000, 0), []byte(`{}`))
	require.NoError(t, err)
	assert.NoError(t, webhook.VerifyWithOptions([]byte(`{}`), h, secret, &webhook.VerifyOptions{Now: func() time.Time { return time.Unix(1_700_000_000, 0) }}))

	res2, err := http.Get(strings.TrimSuffix(f.srv.URL(), "/graphql") + "/svix-portal/nobody")
	require.NoError(t, err)
	res2.Body.Close()
	assert.Equal(t, 404, res2.StatusCode)
}

func TestWebhooks_CloseStopsEveryDeliveryGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // (the server notices a closed connection only then)
		<-r.Context().Done()      // never answers: the attempt is cut by Close
	}))
	defer hang.Close()
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer fail.Close()

	srv := blinktest.NewServer(blinktest.WithLoopbackWebhooks())
	a := srv.CreateAccount(blinktest.AccountOptions{BTCBalance: 1000})
	key := srv.CreateAPIKey(a.ID, blinktest.KeyOptions{})
	addEndpoint(t, srv, key, hang.URL)
	addEndpoint(t, srv, key, fail.URL) // a retry is due in 5 s when Close comes
	for range 5 {
		pr, _ := createInvoice(t, srv, key, a.BTCWalletID, 10)
		require.NoError(t, srv.PayInvoice(pr))
	}
	require.Eventually(t, func() bool { return len(srv.WebhookDeliveries()) >= 5 }, 5*time.Second, 5*time.Millisecond)
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a hanging endpoint")
	}
	freshClient.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
}

// The server never leaves the machine: an https endpoint of another host
// is accepted, as production accepts it, and its attempts fail without a
// connection; an https httptest server on loopback is delivered to.
func TestWebhooks_OnlyLoopbackHostsAreContacted(t *testing.T) {
	f := newFixture(t)
	tlsHook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.ReadAll(r.Body) }))
	defer tlsHook.Close()
	addEndpoint(t, f.srv, f.aliceK, "https://merchant.example/blink")
	addEndpoint(t, f.srv, f.aliceK, tlsHook.URL)
	pr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	waitIdle(t, f.srv)
	byURL := map[string]blinktest.WebhookAttempt{}
	for _, a := range f.srv.WebhookDeliveries() {
		byURL[a.Endpoint] = a
	}
	require.Len(t, byURL, 2)
	assert.Contains(t, byURL["https://merchant.example/blink"].Err, "loopback")
	assert.False(t, byURL["https://merchant.example/blink"].OK)
	assert.True(t, byURL[tlsHook.URL].OK, byURL[tlsHook.URL].Err)
}
