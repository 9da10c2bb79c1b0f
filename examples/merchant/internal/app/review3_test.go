package app_test

// A third outside review, aimed at the fixes since 3db7976: payouts'
// outcome mapping and in-flight resolution, USD adoption, input parsing.
// Each test asserts the behaviour an operator relies on.

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/stretchr/testify/require"
)

// review3Row logs the stored payout's resolution fields.
func review3Row(r *rig, f *tenantFixture, id string) {
	r.t.Helper()
	row, err := r.st.Payout(context.Background(), f.id, id)
	if err == nil {
		r.t.Logf("row %s: status=%s op=%s hash=%.12s started=%v arrived_by=%v resent_with=%q attempts=%d error=%q",
			id, row.Status, row.Operation, row.PaymentHash, row.StartedAt, row.ArrivedBy, row.ResentWith, row.Attempts, row.Error)
	}
}

// A payout whose send executed (the wallet paid) but whose answer was
// lost is 'unknown'. While FinishPayment resolves it, the tenant's key
// stops working (revoked, expired: Blink answers 401 to the look-up).
// The look-up's failure says nothing about the payment: the payout must
// not be recorded "failed; nothing was paid" while the money is gone.
func TestReview3_PayoutUnknown_LookupUnauthorized_NotRecordedFailed(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	r.fake.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv}, &p))
	got := review2Work(r, f, p.ID, 1)
	require.Equal(t, "unknown", got.Status, "%+v", got)
	paid := r.fake.Balance(f.acct.BTCWalletID).Value
	require.Less(t, paid, int64(100_000), "the first attempt paid")

	// The look-up cannot answer for a while (the arrival is recorded) ...
	r.fake.InjectFault("TransactionsByPaymentHash", blinktest.Fault{Status: 502}, 1000)
	got = review2Work(r, f, p.ID, 1)
	review3Row(r, f, p.ID)
	require.False(t, got.Final, "%+v", got)
	r.fake.ClearFaults()
	// ... then the key is revoked.
	r.fake.RevokeAPIKey(f.key)
	got = review2Work(r, f, p.ID, 3)
	review3Row(r, f, p.ID)
	require.Equal(t, paid, r.fake.Balance(f.acct.BTCWalletID).Value, "paid once")
	require.NotEqual(t, "failed", got.Status, "the payout was paid, but a failed look-up (401) recorded it failed: %+v", got)
}

// Two payouts of one invoice. The first one's payment is pending (a held
// HTLC). The second one's send is answered "a payment for this invoice is
// in flight", which the SDK resolves to this wallet's pending payment, so
// the second payout is 'in_flight' on the first one's payment. When that
// payment settles, both payouts must be final, and the second, which sent
// nothing, must not be reported as a second successful payout (the
// merchant's existing rule for an invoice already paid by this wallet).
// "later": the second payout was made an hour after the first one's
// payment (a held payment can stay pending for hours).
func TestReview3_SecondPayoutOfAPendingInvoice_FinalAndNotASecondSuccess(t *testing.T) {
	for _, later := range []bool{false, true} {
		t.Run(fmt.Sprintf("later=%v", later), func(t *testing.T) {
			r := newRig(t, "")
			r.startNoWorkers()
			f := r.connect(writeScopes, true, 100_000)
			inv := r.fake.ExternalInvoice(2_000, blinktest.OutcomePending)
			d, err := blink.DecodeInvoice(inv)
			require.NoError(t, err)
			var a, b reviewMoneyPayout
			var e apiError
			require.Equal(t, 202, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "pend-a", map[string]any{"destination": inv}, &a, &e))
			require.Equal(t, "in_flight", reviewMoneyWork(r, f, a.ID, 1).Status)
			code := r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "pend-b", map[string]any{"destination": inv}, &b, &e)
			if code >= 400 {
				t.Logf("second payout refused: %d %s", code, e.Error.Code)
				return // refused as a duplicate: fine
			}
			gb := reviewMoneyWork(r, f, b.ID, 1)
			t.Logf("second payout after its send: %+v", gb)
			review3Row(r, f, b.ID)
			if later {
				_, err := r.st.DB().Exec(`UPDATE payouts SET started_at = started_at + 3600000 WHERE id = `+placeholder(r), b.ID)
				require.NoError(t, err)
			}
			require.NoError(t, r.fake.SettlePending(d.PaymentHash))
			ga := reviewMoneyWork(r, f, a.ID, 5)
			gb = reviewMoneyWork(r, f, b.ID, 10)
			review3Row(r, f, b.ID)
			require.Equal(t, "succeeded", ga.Status, "%+v", ga)
			require.Equal(t, int64(100_000-2_000-int64(blinktest.ExternalLightningFee)), r.fake.Balance(f.acct.BTCWalletID).Value, "paid once")
			require.True(t, gb.Final, "the second payout never becomes final: %+v", gb)
			require.NotEqual(t, "succeeded", gb.Status, "payout %s sent nothing (%s paid the invoice) but is reported succeeded", b.ID, a.ID)
		})
	}
}

// A USD tenant: a fresh order is created (the adoption checks run on the
// SDK's success path too: status, creation time), with an empty memo and
// with a memo; and a retry after the invoice's answer was lost takes
// Blink's invoice (priced at today's rate) rather than refusing it.
func TestReview3_USDOrders_CreatedAndRetryAfterLostAnswerAdopted(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := review2ConnectUSD(r)
	for i, memo := range []string{"", "usd order"} {
		var o orderJSON
		var e apiError
		id := fmt.Sprintf("usd-fresh-%d", i)
		code := r.doWithHeader("POST", "/v1/orders", f.token, "X-Review", "3", map[string]any{"order_id": id, "amount_cents": 1_250, "memo": memo}, &o, &e)
		require.Equal(t, 201, code, "a fresh USD order was refused: %+v", e)
		require.NotEmpty(t, o.PaymentHash)
	}
	c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
	require.NoError(t, err)
	defer c.Close()
	for i, memo := range []string{"", "usd retry"} {
		id := fmt.Sprintf("usd-lost-%d", i)
		r.fake.InjectFault("LnUsdInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)
		body := map[string]any{"order_id": id, "amount_cents": 990, "memo": memo}
		var first orderJSON
		code := r.do("POST", "/v1/orders", f.token, body, &first)
		require.True(t, code == 201 || code >= 500, "answered %d", code)
		var again orderJSON
		var e apiError
		code = r.doWithHeader("POST", "/v1/orders", f.token, "X-Review", "retry", body, &again, &e)
		require.Contains(t, []int{200, 201}, code, "the retry of a USD order whose answer was lost was refused: %+v", e)
		inv, err := c.InvoiceByExternalID(context.Background(), f.acct.USDWalletID, id)
		require.NoError(t, err)
		require.Equal(t, inv.PaymentHash, again.PaymentHash, "the retry answers Blink's one invoice for the order")
	}
}

// A BOLT11 invoice given with a "lightning:" URI scheme in mixed case
// (URI schemes are case-insensitive; wallets and QR readers produce
// "Lightning:") is an invoice, not an invalid destination.
func TestReview3_PayoutInvoiceWithMixedCaseScheme_Accepted(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	// A fresh invoice for each: one invoice is in one live payout only.
	for i, scheme := range []string{"lightning:", "LIGHTNING:", "Lightning:"} {
		inv := r.fake.ExternalInvoice(300, blinktest.OutcomeSuccess)
		dest := scheme + inv
		if i == 1 {
			dest = scheme + strings.ToUpper(inv)
		}
		var p reviewMoneyPayout
		var e apiError
		code := r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", fmt.Sprintf("scheme-%d", i), map[string]any{"destination": dest}, &p, &e)
		require.Equal(t, 202, code, "%.12s... refused: %+v", dest, e)
	}
}
