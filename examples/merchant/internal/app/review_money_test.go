package app_test

// An outside review of the money paths: payouts sent once and final,
// orders moved once and only by their own payment, invoices made once per
// order. Each test asserts the behaviour an operator relies on, so it fails
// while the bug it probes is there.

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/stretchr/testify/require"
)

type reviewMoneyPayout struct {
	ID      string `json:"id"`
	Status  string `json:"status"`
	Final   bool   `json:"final"`
	FeeSats int64  `json:"fee_sats"`
	Error   string `json:"error"`
}

// reviewMoneyWork runs the payout worker up to passes times (ending each
// claim's lease, as time would) and returns the payout as last seen; it
// does not fail when the payout is still not final. The rig runs no
// background workers (startNoWorkers), so that ending a lease never lets
// two workers onto one payout.
func reviewMoneyWork(r *rig, f *tenantFixture, id string, passes int) reviewMoneyPayout {
	r.t.Helper()
	var p reviewMoneyPayout
	for i := 0; i < passes; i++ {
		require.Equal(r.t, 200, r.do("GET", "/v1/payouts/"+id, f.token, nil, &p))
		if p.Final {
			return p
		}
		r.app.Payouts.RunOnce(context.Background())
		_, err := r.st.DB().Exec(`UPDATE payouts SET lease_until = 0 WHERE id = `+placeholder(r), id)
		require.NoError(r.t, err)
	}
	require.Equal(r.t, 200, r.do("GET", "/v1/payouts/"+id, f.token, nil, &p))
	return p
}

// reviewMoneyConnectAccount connects an existing account (a reconnect).
func reviewMoneyConnectAccount(r *rig, acct blinktest.Account, scopes []blink.Scope, payouts bool) *tenantFixture {
	r.t.Helper()
	f := &tenantFixture{acct: acct}
	f.key = r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: scopes})
	f.connS = fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s", r.fake.URL(), f.key, acct.BTCWalletID)
	var c connected
	code := r.do("POST", "/v1/tenants", "", map[string]any{"name": "Shop again", "connection_string": f.connS,
		"enable_payouts": payouts, "shop_webhook_url": r.shop.srv.URL + "/hook"}, &c)
	require.Equal(r.t, 201, code)
	f.id, f.token, f.secret = c.Tenant.ID, c.APIToken, c.ShopWebhookSecret
	r.shop.setSecret(f.id, f.secret)
	return f
}

func reviewMoneyDrain(r *rig) {
	for r.app.Outbox.RunOnce(context.Background()) > 0 {
	}
}

// ---------------------------------------------------------------- payouts

// Every ambiguous answer Blink (or the edge) can give after executing a
// send: the payout is resolved from the ledger, sent exactly once, and
// reported succeeded with the money debited once.
func TestReviewMoney_PayoutAmbiguousAnswers_SentExactlyOnce(t *testing.T) {
	faults := map[string]blinktest.Fault{
		"drop-after-execute": {DropAfterExecute: true},
		"502-after-execute":  {StatusAfterExecute: 502},
		"500-after-execute":  {StatusAfterExecute: 500},
		"truncated-answer":   {TruncateAfterExecute: true},
	}
	for name, fault := range faults {
		for _, kind := range []string{"username", "bolt11", "address"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				r := newRig(t, "")
				r.startNoWorkers()
				f := r.connect(writeScopes, true, 100_000)
				payee := r.fake.CreateAccount(blinktest.AccountOptions{Username: "payee_" + kind})
				var body map[string]any
				var op string
				switch kind {
				case "username":
					body, op = map[string]any{"destination": "payee_" + kind, "amount_sats": 1111}, "IntraLedgerPaymentSend"
				case "address":
					body, op = map[string]any{"destination": "payee_" + kind + "@" + blinktest.LightningAddressDomain, "amount_sats": 1111}, "LnInvoicePaymentSend" // the invoice fetched from the address is paid
				default:
					body, op = map[string]any{"destination": r.fake.ExternalInvoice(1111, blinktest.OutcomeSuccess), "max_fee_sats": 100}, "LnInvoicePaymentSend"
				}
				before := r.fake.Balance(f.acct.BTCWalletID).Value
				r.fake.InjectFault(op, fault, 1)
				var p reviewMoneyPayout
				require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, body, &p))
				got := reviewMoneyWork(r, f, p.ID, 40)
				require.True(t, got.Final, "payout never reached a final state: %+v", got)
				require.Equal(t, "succeeded", got.Status, "%+v", got)
				require.Equal(t, 1, r.fake.Executions(op), "sent exactly once")
				spent := before - r.fake.Balance(f.acct.BTCWalletID).Value
				require.Equal(t, 1111+got.FeeSats, spent, "debited once (amount + reported fee)")
				if kind != "bolt11" {
					require.Equal(t, int64(1111), r.fake.Balance(payee.BTCWalletID).Value)
				}
			})
		}
	}
}

// The same Idempotency-Key sent by many concurrent retries is one payout
// and one send.
func TestReviewMoney_PayoutConcurrentRetriesSameKey_OnePayoutOneSend(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.startNoWorkers()
		f := r.connect(writeScopes, true, 100_000)
		payee := r.fake.CreateAccount(blinktest.AccountOptions{Username: "concurrent_payee"})
		const n = 12
		ids := make([]string, n)
		codes := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var p reviewMoneyPayout
				var e apiError
				codes[i] = r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "shop-retry-1",
					map[string]any{"destination": "concurrent_payee", "amount_sats": 500}, &p, &e)
				ids[i] = p.ID
			}()
		}
		wg.Wait()
		created := 0
		for i := range n {
			require.Contains(t, []int{200, 202}, codes[i])
			require.Equal(t, ids[0], ids[i], "every retry answers the same payout")
			if codes[i] == 202 {
				created++
			}
		}
		require.Equal(t, 1, created)
		require.Equal(t, "succeeded", reviewMoneyWork(r, f, ids[0], 20).Status)
		require.Equal(t, 1, r.fake.Executions("IntraLedgerPaymentSend"))
		require.Equal(t, int64(500), r.fake.Balance(payee.BTCWalletID).Value)
	})
}

// A payout left in 'sending' by a crash (or through a long Blink outage)
// is resumed more than 50 minutes later. Its max fee must still hold: the
// fee probe is above it, so it must fail without sending. The worker hands
// such a payout to FinishPayment, which (documented) does not apply MaxFee
// again when it sends afresh.
func TestReviewMoney_PayoutResumedAfterFiftyMinutes_MaxFeeStillEnforced(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	require.Greater(t, int64(blinktest.ExternalLightningFee), int64(1))
	inv := r.fake.ExternalInvoice(5_000, blinktest.OutcomeSuccess)
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv, "max_fee_sats": int64(blinktest.ExternalLightningFee) - 1}, &p))
	ctx := context.Background()
	// Committed 'sending' 52 minutes ago, then the process died before the
	// request left (or Blink stayed unreachable since).
	ok, err := r.st.MarkSending(ctx, queuedRow(r, f.id, p.ID, "LnInvoicePaymentSend"), time.Now().Add(-52*time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	before := r.fake.Balance(f.acct.BTCWalletID).Value
	// The worker of the restarted process (driven by hand: one worker).
	got := reviewMoneyWork(r, f, p.ID, 20)
	require.Zero(t, r.fake.Executions("LnInvoicePaymentSend"), "a payout whose fee is above max_fee_sats was sent (fee paid: %d sats)", before-r.fake.Balance(f.acct.BTCWalletID).Value-5_000)
	require.Equal(t, "failed", got.Status, "%+v", got)
	require.Equal(t, before, r.fake.Balance(f.acct.BTCWalletID).Value)
}

// A lightning payment that stays PENDING and is then reverted: the payout
// is failed (not succeeded), the wallet refunded, nothing sent again; one
// that settles later is succeeded.
func TestReviewMoney_PayoutPending_RevertedIsFailed_SettledIsSucceeded(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	before := r.fake.Balance(f.acct.BTCWalletID).Value

	failInv := r.fake.ExternalInvoice(3_000, blinktest.OutcomePending)
	okInv := r.fake.ExternalInvoice(4_000, blinktest.OutcomePending)
	var pf, ps reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": failInv}, &pf))
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": okInv}, &ps))
	for _, id := range []string{pf.ID, ps.ID} {
		got := reviewMoneyWork(r, f, id, 3)
		require.False(t, got.Final, "a pending payment is not final: %+v", got)
	}
	dec1, err := blink.DecodeInvoice(failInv)
	require.NoError(t, err)
	dec2, err := blink.DecodeInvoice(okInv)
	require.NoError(t, err)
	require.NoError(t, r.fake.FailPending(dec1.PaymentHash))
	require.NoError(t, r.fake.SettlePending(dec2.PaymentHash))
	gf := reviewMoneyWork(r, f, pf.ID, 20)
	gs := reviewMoneyWork(r, f, ps.ID, 20)
	require.Equal(t, "failed", gf.Status, "%+v", gf)
	require.Equal(t, "succeeded", gs.Status, "%+v", gs)
	require.Equal(t, 2, r.fake.Executions("LnInvoicePaymentSend"), "neither was sent again")
	require.Equal(t, before-4_000-int64(blinktest.ExternalLightningFee), r.fake.Balance(f.acct.BTCWalletID).Value,
		"only the settled payout's amount and fee left the wallet")
}

// Two payouts to one lightning address for the same amount, the second
// one's answer lost after Blink executed it (a shop paying the same
// creator twice in a row is ordinary). The second must still reach a final
// state, sent once.
func TestReviewMoney_LightningAddressPayout_SameAmountTwice_AnswerLost_ReachesFinal(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	carol := r.fake.CreateAccount(blinktest.AccountOptions{Username: "carol_twice"})
	addr := "carol_twice@" + blinktest.LightningAddressDomain
	var p1, p2 reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": addr, "amount_sats": 300}, &p1))
	require.Equal(t, "succeeded", reviewMoneyWork(r, f, p1.ID, 10).Status)

	r.fake.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1) // the address's invoice is paid
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": addr, "amount_sats": 300}, &p2))
	var got reviewMoneyPayout
	for i := 0; i < 30; i++ {
		got = reviewMoneyWork(r, f, p2.ID, 1)
		if got.Final {
			break
		}
		// Let the SDK's execution window pass, as the clock would: the
		// stored arrival time moves three minutes back.
		_, err := r.st.DB().Exec(`UPDATE payouts SET arrived_by = arrived_by - 180000 WHERE arrived_by > 0 AND id = `+placeholder(r), p2.ID)
		require.NoError(t, err)
	}
	require.Equal(t, 2, r.fake.Executions("LnInvoicePaymentSend"), "never sent twice")
	require.Equal(t, int64(600), r.fake.Balance(carol.BTCWalletID).Value, "carol got both payouts once each")
	require.True(t, got.Final, "the second payout never reaches a final state: %+v", got)
	require.Equal(t, "succeeded", got.Status)
}

// Two payouts (distinct requests) for the same invoice: Blink pays an
// invoice once, so only one payout moved money. The second must not be
// reported as a second successful payment (the shop's books would show
// the invoice paid twice): refused at creation, or failed.
func TestReviewMoney_SameInvoiceTwoPayouts_SecondNotReportedAsSent(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(2_000, blinktest.OutcomeSuccess)
	before := r.fake.Balance(f.acct.BTCWalletID).Value
	var p1, p2 reviewMoneyPayout
	var e apiError
	require.Equal(t, 202, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "inv-a", map[string]any{"destination": inv}, &p1, &e))
	require.Equal(t, "succeeded", reviewMoneyWork(r, f, p1.ID, 10).Status)
	code := r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "inv-b", map[string]any{"destination": inv}, &p2, &e)
	require.Equal(t, before-2_000-int64(blinktest.ExternalLightningFee), r.fake.Balance(f.acct.BTCWalletID).Value)
	if code >= 400 {
		t.Logf("second payout refused: %d %s", code, e.Error.Code)
		return // refused as a duplicate: fine
	}
	got := reviewMoneyWork(r, f, p2.ID, 10)
	t.Logf("second payout: %+v", got)
	require.Equal(t, before-2_000-int64(blinktest.ExternalLightningFee), r.fake.Balance(f.acct.BTCWalletID).Value, "paid once")
	require.NotEqual(t, "succeeded", got.Status, "payout %s sent nothing (the invoice was paid by %s) but is reported succeeded", p2.ID, p1.ID)
}

// ---------------------------------------------------------------- orders

// An invoice with the order's external id already exists in the account
// (made by the shop's previous integration, e.g. examples/btcpay, which
// this server replaces) for another amount, and is paid. Creating the
// order must not adopt it: the order would be "paid" by a payment of a
// different amount that was never for it.
func TestReviewMoney_OrderAdoptsForeignInvoiceWithSameExternalID(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
	require.NoError(t, err)
	defer c.Close()
	ctx := context.Background()
	foreign, err := c.CreateInvoice(ctx, f.acct.BTCWalletID, 10, &blink.InvoiceOptions{ExternalID: "legacy-42", Memo: "old integration"})
	require.NoError(t, err)
	require.NoError(t, r.fake.PayInvoice(foreign.PaymentRequest))

	var o orderJSON
	code := r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "legacy-42", "amount_sats": 5_000}, &o)
	if code >= 400 {
		return // refused: fine
	}
	r.app.Detector.ReconcileTenant(ctx, f.id)
	reviewMoneyDrain(r)
	var got orderJSON
	require.Equal(t, 200, r.do("GET", "/v1/orders/legacy-42", f.token, nil, &got))
	require.NotEqual(t, foreign.PaymentHash, got.PaymentHash, "the order took over an invoice it did not create (%d sats, already paid)", got.InvoiceSats)
	require.Equal(t, int64(5_000), got.InvoiceSats, "the order's invoice is for its amount")
	require.Equal(t, "created", got.Status, "a 5000-sat order is paid by nobody paying it")
	require.Zero(t, r.shop.count(paidKey("legacy-42")))
}

// The same Blink account disconnected and connected again (allowed: the
// one-tenant-per-account index covers active tenants only). The shop's
// order ids restart, so an order id of the old tenant comes again: it must
// get its own invoice, not the old tenant's paid one.
func TestReviewMoney_ReconnectedAccount_ReusedOrderIDNotPaidByTheOldInvoice(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f1 := r.connect(receiveScopes, false, 0)
	o1 := r.order(f1, "1001", 1_000)
	require.NoError(t, r.fake.PayInvoice(o1.PaymentRequest))
	r.shop.waitFor([]string{paidKey("1001")}, 20*time.Second)
	require.Equal(t, 204, r.do("DELETE", "/v1/tenant", f1.token, nil, nil))

	f2 := reviewMoneyConnectAccount(r, f1.acct, receiveScopes, false)
	var o2 orderJSON
	code := r.do("POST", "/v1/orders", f2.token, map[string]any{"order_id": "1001", "amount_sats": 7_000, "memo": "new order"}, &o2)
	if code >= 400 {
		return // refused with a clear error: fine
	}
	ctx := context.Background()
	r.app.Detector.ReconcileTenant(ctx, f2.id)
	reviewMoneyDrain(r)
	var got orderJSON
	require.Equal(t, 200, r.do("GET", "/v1/orders/1001", f2.token, nil, &got))
	require.NotEqual(t, o1.PaymentHash, got.PaymentHash, "the new tenant's order 1001 got the old tenant's (paid) invoice")
	require.Equal(t, "created", got.Status, "new order 1001 (7000 sats) paid by the old order's 1000-sat payment")
	require.Equal(t, 1, r.shop.count(paidKey("1001")), "order.paid only for the old order")
}

// An HTLC accepted before the invoice's expiry settles after the order was
// expired on Blink's word (the fake settles it at its time: the money is in
// the wallet). The payment must not vanish: the operator expects it
// recorded (the order shows it, or the shop hears of it), not dropped
// without a trace after order.expired.
func TestReviewMoney_PaymentSettlingAfterExpiry_IsRecorded(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	r := newRig(t, "", blinktest.WithClock(clock))
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	var o orderJSON
	require.Equal(t, 201, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "late-htlc", "amount_sats": 100, "expires_in": 60}, &o))
	r.fake.SettleInvoiceAfter(o.PaymentHash, 30*time.Second) // accepted before expiry
	offset.Store(int64(2 * time.Minute))
	ctx := context.Background()
	r.app.Detector.ReconcileTenant(ctx, f.id) // Blink says EXPIRED
	r.shop.waitFor([]string{"order.expired late-htlc"}, 20*time.Second)

	r.fake.Tick() // the held payment settles: the money arrives
	require.Equal(t, int64(100), r.fake.Balance(f.acct.BTCWalletID).Value, "the shop's wallet received the payment")
	recorded := func() bool {
		r.app.Detector.ReconcileTenant(ctx, f.id)
		reviewMoneyDrain(r)
		var got orderJSON
		r.do("GET", "/v1/orders/late-htlc", f.token, nil, &got)
		return r.shop.count(paidKey("late-htlc")) > 0 || got.Status != "expired"
	}
	require.Eventually(t, recorded, 10*time.Second, 100*time.Millisecond,
		"100 sats received for order late-htlc after it was expired: no event, order still 'expired', nothing recorded")
}

// An order's invoice whose creation answer was lost (Blink made it): the
// retry answers the same invoice (ExternalID), a different amount for the
// order id is refused, concurrent retries agree, and one payment is one
// order.paid.
func TestReviewMoney_OrderCreateAnswerLost_OneInvoice_DifferentAmountRefused(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.start(app.Config{})
		f := r.connect(receiveScopes, false, 0)
		r.fake.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)
		var e apiError
		var first orderJSON
		code := r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "lost-1", "amount_sats": 900}, &first)
		require.True(t, code == 201 || code >= 500, "answered %d", code)
		require.GreaterOrEqual(t, r.fake.Requests("LnInvoiceCreate"), 1)
		const n = 6
		hashes := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var o orderJSON
				post(t, r.http.URL, "/v1/orders", f.token, map[string]any{"order_id": "lost-1", "amount_sats": 900}, &o)
				hashes[i] = o.PaymentHash
			}()
		}
		wg.Wait()
		c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
		require.NoError(t, err)
		defer c.Close()
		inv, err := c.InvoiceByExternalID(context.Background(), f.acct.BTCWalletID, "lost-1")
		require.NoError(t, err)
		for i := range n {
			require.Equal(t, inv.PaymentHash, hashes[i], "every retry answers Blink's one invoice for the order")
		}
		if code == 201 {
			require.Equal(t, inv.PaymentHash, first.PaymentHash)
		}
		require.Equal(t, 409, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "lost-1", "amount_sats": 901}, &e))
		require.Equal(t, "order_exists", e.Error.Code)
		require.NoError(t, r.fake.PayInvoice(inv.PaymentRequest))
		r.app.Detector.ReconcileTenant(context.Background(), f.id)
		r.shop.waitFor([]string{paidKey("lost-1")}, 20*time.Second)
		reviewMoneyDrain(r)
		require.Equal(t, 1, r.shop.count(paidKey("lost-1")))
	})
}

// A paid order is never expired afterwards, and an order paid through all
// three paths at once (stream, webhook, reconciler) is paid once with one
// order.paid, even across a restart right after.
func TestReviewMoney_PaidThreeWaysThenRestart_OneEventNeverExpired(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	r := newRig(t, "", blinktest.WithClock(clock))
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	o := r.order(f, "three-ways", 250)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); r.app.Detector.ReconcileTenant(ctx, f.id) }()
	}
	wg.Wait()
	r.shop.waitFor([]string{paidKey("three-ways")}, 20*time.Second)
	require.NoError(t, r.fake.WaitWebhooksIdle(ctx))
	r.restart(app.Config{})
	offset.Store(int64(5 * time.Hour))
	r.fake.Tick()
	r.app.Detector.ReconcileTenant(ctx, f.id)
	reviewMoneyDrain(r)
	var got orderJSON
	require.Equal(t, 200, r.do("GET", "/v1/orders/three-ways", f.token, nil, &got))
	require.Equal(t, "paid", got.Status)
	require.Equal(t, 1, r.shop.count(paidKey("three-ways")))
	require.Zero(t, r.shop.count("order.expired three-ways"))
}

// ---------------------------------------------------------------- keyless

// A keyless tenant's order is paid only on a preimage that proves it: not
// while verify answers an LNURL ERROR, not while it says settled without a
// preimage; once the preimage comes, paid once.
func TestReviewMoney_Keyless_PaidOnlyWithPreimage_NotOnLNURLError(t *testing.T) {
	r := newRig(t, "")
	r.start(keylessConfig())
	f, _ := r.connectKeyless("preimageshop")
	o := r.order(f, "pre-1", 400)
	r.fake.FailVerify(o.PaymentHash, 1_000_000) // verify answers {"status":"ERROR"}
	r.fake.WithholdPreimage(o.PaymentHash, true)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	ctx := context.Background()
	var got orderJSON
	for range 3 {
		r.app.Detector.ReconcileTenant(ctx, f.id)
	}
	r.do("GET", "/v1/orders/pre-1", f.token, nil, &got)
	require.Equal(t, "created", got.Status, "an LNURL ERROR is no proof of payment")

	r.fake.FailVerify(o.PaymentHash, 0) // verify now says settled:true, no preimage
	for range 3 {
		r.app.Detector.ReconcileTenant(ctx, f.id)
	}
	r.do("GET", "/v1/orders/pre-1", f.token, nil, &got)
	require.Equal(t, "created", got.Status, "settled:true without a preimage proves nothing")
	reviewMoneyDrain(r)
	require.Zero(t, r.shop.count(paidKey("pre-1")))
	require.Positive(t, r.fake.LNURLRequests("/verify/"+o.PaymentHash), "the checks did reach verify")

	r.fake.WithholdPreimage(o.PaymentHash, false)
	r.app.Detector.ReconcileTenant(ctx, f.id)
	r.shop.waitFor([]string{paidKey("pre-1")}, 30*time.Second)
	reviewMoneyDrain(r)
	require.Equal(t, 1, r.shop.count(paidKey("pre-1")))
}

// ---------------------------------------------------------------- replicas

// A crash leaves payouts in 'sending', half of them already executed with
// their committed key; two replicas then start at once on one PostgreSQL
// and both resolve at start-up. Every payout is final and executed once.
func TestReviewMoney_TwoReplicasResolveCrashedPayoutsAtStartup_EachSentOnce(t *testing.T) {
	r := newRig(t, pgDatabase(t))
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 1_000_000)
	payee := r.fake.CreateAccount(blinktest.AccountOptions{Username: "startup_payee"})
	ctx := context.Background()
	c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
	require.NoError(t, err)
	defer c.Close()
	const n = 20
	var ids []string
	want := int64(0)
	for i := range n {
		var p reviewMoneyPayout
		amt := int64(100 + i)
		want += amt
		require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "startup_payee", "amount_sats": amt}, &p))
		ids = append(ids, p.ID)
		row, err := r.st.Payout(ctx, f.id, p.ID)
		require.NoError(t, err)
		ok, err := r.st.MarkSending(ctx, queuedRow(r, f.id, p.ID, "IntraLedgerPaymentSend"), time.Now())
		require.NoError(t, err)
		require.True(t, ok)
		if i%2 == 0 { // the dead process's send went out, its answer never recorded
			_, err := c.SendIntraLedger(ctx, f.acct.BTCWalletID, "startup_payee", blink.Sats(amt),
				&blink.PayOptions{IdempotencyKey: row.IdempotencyKey, Memo: p.ID, UniqueMemo: true})
			require.NoError(t, err)
		}
	}
	r.stop()
	r.start(app.Config{})
	r.replica(app.Config{})
	require.Eventually(t, func() bool {
		for _, id := range ids {
			var p reviewMoneyPayout
			r.do("GET", "/v1/payouts/"+id, f.token, nil, &p)
			if !p.Final {
				return false
			}
		}
		return true
	}, 60*time.Second, 200*time.Millisecond, "every payout final")
	for _, id := range ids {
		var p reviewMoneyPayout
		r.do("GET", "/v1/payouts/"+id, f.token, nil, &p)
		require.Equal(t, "succeeded", p.Status, "%+v", p)
	}
	require.Equal(t, n, r.fake.Executions("IntraLedgerPaymentSend"), "each payout executed once")
	require.Equal(t, want, r.fake.Balance(payee.BTCWalletID).Value)
}
