package app_test

// A second outside review, aimed at the fixes since 4505c54: address
// payouts that fetch their invoice first, claim fencing, FinishPayment's
// limits, late payments, ExternalID adoption, the security fixes. Each
// test asserts the behaviour an operator relies on.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/netguard"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
	"github.com/stretchr/testify/require"
)

// review2Work runs the payout worker up to passes times, as time would
// pass between them: each pass ends the row's lease and moves its
// stored arrival time three minutes back (past the SDK's execution
// window). The rig runs no background workers (startNoWorkers).
func review2Work(r *rig, f *tenantFixture, id string, passes int) reviewMoneyPayout {
	r.t.Helper()
	var p reviewMoneyPayout
	for i := 0; i < passes; i++ {
		require.Equal(r.t, 200, r.do("GET", "/v1/payouts/"+id, f.token, nil, &p))
		if p.Final {
			return p
		}
		r.app.Payouts.RunOnce(context.Background())
		_, err := r.st.DB().Exec(`UPDATE payouts SET lease_until = 0, arrived_by = CASE WHEN arrived_by > 0 THEN arrived_by - 180000 ELSE 0 END WHERE id = `+placeholder(r), id)
		require.NoError(r.t, err)
	}
	require.Equal(r.t, 200, r.do("GET", "/v1/payouts/"+id, f.token, nil, &p))
	return p
}

// review2StartNoWorkers is startNoWorkers with the fake's LNURL-pay hosts
// reachable (the address payouts' invoice fetch), as start has them.
func review2StartNoWorkers(r *rig) {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, r.dbURL, r.dbPath())
	require.NoError(r.t, err)
	cfg := app.Config{Store: st, Keys: r.keys, Log: slog.New(slog.NewJSONHandler(r.logs, nil)),
		Tenants:        tenants.Config{Endpoint: r.fake.URL(), KeyPrefix: "galoy_dev_", AllowLoopbackWebhooks: true},
		KeylessOptions: tenants.KeylessOptions{HTTPClient: r.fake.LNURLHTTPClient()}}
	a := app.New(cfg)
	r.st, r.app, r.cancel = st, a, cancel
	r.http = httptest.NewServer(a.Handler())
}

// ---------------------------------------------------------------- payouts

// An invoice no route reaches: Blink answers FAILURE (ROUTE_FINDING_ERROR),
// nothing is debited. The payout must end 'failed' (or at worst
// succeed on a later try), never stay non-final for ever.
func TestReview2_PayoutToUnroutableInvoice_ReachesFinal(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(1_500, blinktest.OutcomeRouteFailure)
	before := r.fake.Balance(f.acct.BTCWalletID).Value
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv}, &p))
	got := review2Work(r, f, p.ID, 30)
	t.Logf("payout: %+v; sends: %d", got, r.fake.Requests("LnInvoicePaymentSend"))
	review2LogRow(r, f, p.ID)
	require.Equal(t, before, r.fake.Balance(f.acct.BTCWalletID).Value, "nothing can have been paid")
	require.True(t, got.Final, "a payout to an unroutable invoice never becomes final: %+v", got)
	require.Equal(t, "failed", got.Status)
}

// A send that reached Blink and failed there (insufficient balance), its
// answer lost at the edge: FinishPayment sends again (the first attempt
// may still run), that send fails too. After the execution window the
// payout must be final ('failed'), nothing paid.
func TestReview2_PayoutFailedAtBlinkAnswerLost_ReachesFinal(t *testing.T) {
	for name, maxFee := range map[string]int64{"no-max-fee": 0, "max-fee": 100} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, "")
			r.startNoWorkers()
			f := r.connect(writeScopes, true, 500)
			inv := r.fake.ExternalInvoice(1_000, blinktest.OutcomeSuccess) // more than the balance
			r.fake.InjectFault("LnInvoicePaymentSend", blinktest.Fault{StatusAfterExecute: 502}, 1)
			var p reviewMoneyPayout
			require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv, "max_fee_sats": maxFee}, &p))
			got := review2Work(r, f, p.ID, 30)
			t.Logf("payout: %+v; sends: %d", got, r.fake.Requests("LnInvoicePaymentSend"))
			require.Equal(t, int64(500), r.fake.Balance(f.acct.BTCWalletID).Value, "nothing can have been paid")
			require.True(t, got.Final, "the payout never becomes final: %+v", got)
			require.Equal(t, "failed", got.Status)
		})
	}
}

// More than the balance to a username: a definite refusal, failed at once.
func TestReview2_PayoutAboveBalance_Failed(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100)
	r.fake.CreateAccount(blinktest.AccountOptions{Username: "poorpayee"})
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "poorpayee", "amount_sats": 1_000}, &p))
	got := review2Work(r, f, p.ID, 10)
	require.True(t, got.Final, "%+v", got)
	require.Equal(t, "failed", got.Status)
	require.Equal(t, int64(100), r.fake.Balance(f.acct.BTCWalletID).Value)
}

// Many payouts to one lightning address: Blink mints at most so many
// invoices a minute per recipient (TOO_MANY_REQUEST, then blocked five
// minutes). A payout that meets the limit has sent nothing: it waits and
// is paid once the block ends, never failed for it. Custodial recipient
// (invoice made on the recipient's behalf) and migrated one (LNURL-pay).
func TestReview2_AddressPayouts_RateLimitedRecipient_WaitNotFail(t *testing.T) {
	for _, kind := range []string{"custodial", "migrated"} {
		t.Run(kind, func(t *testing.T) {
			// The fake's clock starts 6 minutes behind and then catches up,
			// so that the block ends while every invoice it dates stays in
			// the merchant's past (the SDK refuses an LNURL invoice dated
			// in the future).
			var offset atomic.Int64
			offset.Store(int64(-6 * time.Minute))
			clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
			r := newRig(t, "", blinktest.WithClock(clock), blinktest.WithInvoiceRateLimit(2))
			review2StartNoWorkers(r)
			f := r.connect(writeScopes, true, 100_000)
			payee := r.fake.CreateAccount(blinktest.AccountOptions{Username: "busy_" + kind})
			if kind == "migrated" {
				r.fake.SetAccountKind(payee.ID, blinktest.AccountMigrated)
			}
			addr := "busy_" + kind + "@" + blinktest.LightningAddressDomain
			var ids []string
			for i := range 4 {
				var p reviewMoneyPayout
				require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": addr, "amount_sats": 100 + i}, &p))
				ids = append(ids, p.ID)
			}
			for _, id := range ids {
				got := review2Work(r, f, id, 3)
				require.NotEqual(t, "failed", got.Status, "payout %s failed on the recipient's invoice rate limit (nothing was sent; it can be paid later): %+v", id, got)
			}
			offset.Store(0) // the block ends
			for _, id := range ids {
				got := review2Work(r, f, id, 5)
				require.Equal(t, "succeeded", got.Status, "%+v", got)
			}
			require.Equal(t, 4, r.fake.Executions("LnInvoicePaymentSend"))
		})
	}
}

// A Blink username that starts with "ln" and is longer than 20
// characters is a valid username (only "lnbc1" is reserved), not an
// invoice.
func TestReview2_PayoutToLongLnUsername_Accepted(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	payee := r.fake.CreateAccount(blinktest.AccountOptions{Username: "lnwizard_extraordinaire"})
	var p reviewMoneyPayout
	var e apiError
	code := r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "ln-user-1", map[string]any{"destination": "lnwizard_extraordinaire", "amount_sats": 50}, &p, &e)
	require.Equal(t, 202, code, "refused: %+v", e)
	require.Equal(t, "succeeded", review2Work(r, f, p.ID, 5).Status)
	require.Equal(t, int64(50), r.fake.Balance(payee.BTCWalletID).Value)
}

// A transient failure of the fee probe (the edge answers 502 for a
// while) has sent nothing: the payout waits and is paid once the probe
// answers, rather than failing for a hiccup.
func TestReview2_PayoutFeeProbeOutage_WaitsThenPays(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	r.fake.InjectFault("LnInvoiceFeeProbe", blinktest.Fault{Status: 502}, 50)
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv, "max_fee_sats": 100}, &p))
	got := review2Work(r, f, p.ID, 1)
	r.fake.ClearFaults()
	require.NotEqual(t, "failed", got.Status, "a 502 of the fee probe failed the payout (nothing was sent): %+v", got)
	got = review2Work(r, f, p.ID, 5)
	require.Equal(t, "succeeded", got.Status, "%+v", got)
	require.Equal(t, 1, r.fake.Executions("LnInvoicePaymentSend"))
}

// ------------------------------------------------------- claim fencing

// A worker whose claim was taken over (its lease ran out: a slow batch,
// a paused process, clock skew between replicas) must write nothing on
// the row: SetPayoutInvoice is fenced as MarkSending and UpdatePayout
// are. Otherwise the stale worker's invoice replaces the one the current
// worker committed and is about to pay, and the row pays one invoice
// while it records another's payment hash.
func TestReview2_StaleClaimCannotReplaceTheAddressInvoice(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	r.fake.CreateAccount(blinktest.AccountOptions{Username: "fenced_payee"})
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "fenced_payee@" + blinktest.LightningAddressDomain, "amount_sats": 321}, &p))
	ctx := context.Background()
	claim := func() store.Payout {
		ps, err := r.st.ClaimPayouts(ctx, 20, time.Minute)
		require.NoError(t, err)
		require.Len(t, ps, 1)
		return ps[0]
	}
	stale := claim()
	_, err := r.st.DB().Exec(`UPDATE payouts SET lease_until = 0 WHERE id = ?`, p.ID) // its lease ran out
	require.NoError(t, err)
	current := claim()
	require.Greater(t, current.Attempts, stale.Attempts)

	invX := r.fake.ExternalInvoice(321, blinktest.OutcomeSuccess)
	invY := r.fake.ExternalInvoice(321, blinktest.OutcomeSuccess)
	hash := func(s string) string { d, err := blink.DecodeInvoice(s); require.NoError(t, err); return d.PaymentHash }
	current.Invoice, current.PaymentHash, current.Operation = invX, hash(invX), "LnInvoicePaymentSend"
	ok, err := r.st.SetPayoutInvoice(ctx, &current) // the current worker
	require.NoError(t, err)
	require.True(t, ok)
	stale.Invoice, stale.PaymentHash = invY, hash(invY)
	_, _ = r.st.SetPayoutInvoice(ctx, &stale) // the stale worker, late
	ok, err = r.st.MarkSending(ctx, &current, time.Now())
	require.NoError(t, err)
	require.True(t, ok)
	row, err := r.st.Payout(ctx, f.id, p.ID)
	require.NoError(t, err)
	require.Equal(t, invX, row.Invoice, "a stale claim replaced the invoice the current claim is paying")
	require.Equal(t, hash(row.Invoice), row.PaymentHash, "the stored invoice and the stored payment hash disagree")
}

// ---------------------------------------------------------------- orders

// review2ConnectUSD connects an account's USD wallet as a tenant.
func review2ConnectUSD(r *rig) *tenantFixture {
	r.t.Helper()
	f := &tenantFixture{acct: r.fake.CreateAccount(blinktest.AccountOptions{})}
	f.key = r.fake.CreateAPIKey(f.acct.ID, blinktest.KeyOptions{Scopes: receiveScopes})
	f.connS = fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s", r.fake.URL(), f.key, f.acct.USDWalletID)
	var c connected
	require.Equal(r.t, 201, r.do("POST", "/v1/tenants", "", map[string]any{"name": "USD shop", "connection_string": f.connS,
		"shop_webhook_url": r.shop.srv.URL + "/hook"}, &c))
	f.id, f.token, f.secret = c.Tenant.ID, c.APIToken, c.ShopWebhookSecret
	r.shop.setSecret(f.id, f.secret)
	return f
}

// A USD tenant: the account already holds a pending USD invoice with the
// order's external id (another integration's, for 50 cents, no memo).
// The new order for 10,000 cents must not take it over: a payer would
// pay 50 cents and the order would be paid.
func TestReview2_USDOrderDoesNotAdoptAForeignInvoiceOfAnotherAmount(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := review2ConnectUSD(r)
	c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
	require.NoError(t, err)
	defer c.Close()
	foreign, err := c.CreateUSDInvoice(context.Background(), f.acct.USDWalletID, 50, &blink.InvoiceOptions{ExternalID: "usd-legacy-7"})
	require.NoError(t, err)
	var o orderJSON
	code := r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "usd-legacy-7", "amount_cents": 10_000}, &o)
	if code >= 400 {
		return // refused: fine
	}
	require.NotEqual(t, foreign.PaymentHash, o.PaymentHash, "the 10,000-cent order took over another integration's 50-cent invoice (%d sats)", o.InvoiceSats)
}

// A legitimate retry after a lost answer, with a memo Blink keeps as it
// is (non-ASCII, spaces at the ends, the longest allowed): the retry
// answers the invoice Blink made, not 409.
func TestReview2_OrderRetryAfterLostAnswer_MemoKeptAsIs_SameInvoice(t *testing.T) {
	for name, memo := range map[string]string{
		"unicode": "  Café ☕ — Größe L  ",
		"longest": strings.Repeat("é", blink.MaxMemoBytes/2) + "x",
		"empty":   "",
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, "")
			r.start(app.Config{})
			f := r.connect(receiveScopes, false, 0)
			r.fake.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)
			body := map[string]any{"order_id": "memo-" + name, "amount_sats": 700, "memo": memo}
			var first orderJSON
			code := r.do("POST", "/v1/orders", f.token, body, &first)
			require.True(t, code == 201 || code >= 500, "answered %d", code)
			var again orderJSON
			var e apiError
			code = r.doWithHeader("POST", "/v1/orders", f.token, "X-Review", "retry", body, &again, &e)
			require.Contains(t, []int{200, 201}, code, "the retry was refused: %+v", e)
			c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
			require.NoError(t, err)
			defer c.Close()
			inv, err := c.InvoiceByExternalID(context.Background(), f.acct.BTCWalletID, "memo-"+name)
			require.NoError(t, err)
			require.Equal(t, inv.PaymentHash, again.PaymentHash, "the retry answers Blink's one invoice for the order")
		})
	}
}

// ---------------------------------------------------------------- late payments

// An order expires while the shop's endpoint is down (order.expired is
// retried with backoff); its held payment then settles (order.paid_late).
// The shop must not hear order.expired after order.paid_late: the last
// word it gets would be "expired" for an order whose money it holds.
func TestReview2_PaidLateNeverDeliveredBeforeTheOrdersExpired(t *testing.T) {
	lr := newLateRig(t, "")
	r := lr.rig
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	var o orderJSON
	require.Equal(t, 201, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "order-seq", "amount_sats": 100, "expires_in": 60}, &o))
	r.fake.SettleInvoiceAfter(o.PaymentHash, 30*time.Second)
	lr.offset.Store(int64(2 * time.Minute))
	r.shop.setFailing(true)
	ctx := context.Background()
	r.app.Detector.ReconcileTenant(ctx, f.id) // Blink says EXPIRED
	require.Eventually(t, func() bool {
		var last string
		r.st.DB().QueryRow(`SELECT last_error FROM outbox WHERE order_id = ? AND event_type = 'order.expired'`, "order-seq").Scan(&last)
		return last != ""
	}, 10*time.Second, 10*time.Millisecond, "order.expired was attempted and failed")
	r.shop.setFailing(false)
	r.fake.Tick() // the held payment settles
	r.app.Detector.ReconcileTenant(ctx, f.id)
	r.shop.waitFor([]string{"order.paid_late order-seq", "order.expired order-seq"}, 30*time.Second)
	r.shop.mu.Lock()
	exp, late := r.shop.at["order.expired order-seq"], r.shop.at["order.paid_late order-seq"]
	r.shop.mu.Unlock()
	require.False(t, late.Before(exp), "order.paid_late reached the shop %v before order.expired: the shop's last word for a paid order is 'expired'", exp.Sub(late))
}

// ---------------------------------------------------------------- security

// A shop webhook URL naming an internal address in a disguised form is
// refused at registration (without the tests' loopback allowance):
// IPv4-mapped, -compatible, NAT64 and 6to4 IPv6, zones, octal, hex,
// short and decimal IPv4, trailing dots.
func TestReview2_ShopURLDisguisedInternalAddressesRefused(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	svc := tenants.NewService(tenants.Config{}, r.st, r.keys, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	for _, u := range []string{
		"https://[::ffff:a9fe:a9fe]/", "https://[::a9fe:a9fe]/", "https://[64:ff9b::a9fe:a9fe]/", "https://[64:ff9b:1::a9fe:a9fe]/",
		"https://[2002:a9fe:a9fe::1]/", "https://[2002:7f00:1::]/", "https://[fe80::1%25lo]/", "https://[::]/", "https://[::ffff:0:a00:1]/",
		"https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "https://[fec0::1]/", "https://0251.0376.0251.0376/", "https://0xa9.0xfe.0xa9.0xfe/",
		"https://169.254.43518/", "https://2852039166/", "https://169.254.169.254./", "https://localhost./", "https://LOCALHOST/",
		"https://x.localhost/", "https://10.0.0.1:443/", "https://[::1]:8443/", "https://127.0.0.1%2f@example.com/",
		"https://user:pw@example.com/", "http://example.com/hook",
	} {
		require.Error(t, svc.CheckShopURL(u), "%s accepted", u)
	}
	require.NoError(t, svc.CheckShopURL("https://shop.example.com/hooks/blink?x=1"))
	for _, a := range []string{"::ffff:10.0.0.1", "64:ff9b::7f00:1", "2002:c0a8:101::", "100.100.100.200", "fd12::1", "ff02::1", "255.255.255.255"} {
		require.False(t, netguard.IsPublic(netip.MustParseAddr(a)), a)
	}
	require.True(t, netguard.IsPublic(netip.MustParseAddr("2606:4700::1111")))
}

// Keys spelled so that encoding/json reads them as a known field (an
// escape, Unicode case folding) while a proxy or a log may not: refused,
// or read as exactly the field they escape to, never a second value.
func TestReview2_JSONKeyEscapesAndFoldsNeverSmuggleASecondAmount(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	for _, body := range []string{
		`{"order_id":"j1","amount_sats":1,"amount\u005fsats":1000}`,
		`{"order_id":"j2","amount_sats":1,"amount_\u017fats":1000}`,
		`{"order_id":"j3","amount_sats":1,"AMOUNT_SATS":1000}`,
		"\ufeff{\"order_id\":\"j4\",\"amount_sats\":1}",
		`{"order_id":"j5","amount_sats":1}{"amount_sats":1000}`,
		`{"order_id":"j6","amount_sats":1,"memo":{"amount_sats":1000}}`,
		`{"order_id":"j7","amount_sats":1e3}`,
	} {
		var e apiError
		code := r.do("POST", "/v1/orders", f.token, []byte(body), &e)
		require.Equal(t, 400, code, "%s accepted", body)
	}
	require.Zero(t, r.countRows("orders"))
}

// review2LogRow logs the stored payout's resolution fields.
func review2LogRow(r *rig, f *tenantFixture, id string) {
	row, err := r.st.Payout(context.Background(), f.id, id)
	if err == nil {
		r.t.Logf("row: status=%s op=%s key=%s current=%s resent_with=%q arrived_by=%v attempts=%d error=%q",
			row.Status, row.Operation, row.IdempotencyKey, row.CurrentKey, row.ResentWith, row.ArrivedBy, row.Attempts, row.Error)
	}
}
