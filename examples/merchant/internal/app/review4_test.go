package app_test

// Review 4 (outside, adversarial): the newest payout fixes, attacked with
// a Blink whose clock differs from the merchant's (the SDK measures it
// from Date headers; the merchant's stored times are its own clock's).

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/stretchr/testify/require"
)

// review4Skewed is a rig whose fake Blink's clock is the real one plus
// *off (changeable while it runs).
func review4Skewed(t *testing.T, dbURL string, off time.Duration) (*rig, *atomic.Int64) {
	var o atomic.Int64
	o.Store(int64(off))
	r := newRig(t, dbURL, blinktest.WithClock(func() time.Time { return time.Now().Add(time.Duration(o.Load())) }))
	r.startNoWorkers()
	return r, &o
}

// review4Pass runs one worker pass over the payout, ending its lease first.
func review4Pass(r *rig, f *tenantFixture, id string) reviewMoneyPayout {
	r.t.Helper()
	_, err := r.st.DB().Exec(`UPDATE payouts SET lease_until = 0 WHERE id = `+placeholder(r), id)
	require.NoError(r.t, err)
	r.app.Payouts.RunOnce(context.Background())
	var p reviewMoneyPayout
	require.Equal(r.t, 200, r.do("GET", "/v1/payouts/"+id, f.token, nil, &p))
	return p
}

// review4Age makes the payout's recorded arrival (arrived_by) d older, as
// the passing of d would; nothing else on this path depends on the time
// that passed (the ledger entry stays where it is, at its server time).
func review4Age(r *rig, id string, d time.Duration) {
	r.t.Helper()
	q := `UPDATE payouts SET arrived_by = arrived_by - ` + placeholder(r) + ` WHERE arrived_by <> 0 AND id = `
	if r.dbURL != "" {
		q += "$2"
	} else {
		q += "?"
	}
	_, err := r.st.DB().Exec(q, d.Milliseconds(), id)
	require.NoError(r.t, err)
}

// A username payout (intraledger: not idempotent) whose answer is lost,
// against a Blink whose clock is 3 minutes behind the merchant's (well
// inside the 10 minutes of skew the payouts package says it tolerates,
// and measured by the SDK from every answer's Date header). The send
// executed; the payout must find it in the ledger and never send again.
//
// unknownOf builds StartedAfter/StartedBefore as the merchant's StartedAt
// ±1 minute, by the merchant's clock, where the SDK expects server time
// (OutcomeUnknownError: "by the server's clock"; the SDK's own errors use
// c.clock.serverWindow). The ledger entry, stamped 3 minutes "earlier",
// is before Since: ResolvePayment walks back to Since and stops, finds
// nothing, and once the execution window has passed FinishPayment sends
// the payout again.
func TestReview4_UsernamePayout_BlinkClockBehind_AnswerLost_SentOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r, _ := review4Skewed(t, dbURL, -3*time.Minute)
		f := r.connect(writeScopes, true, 100_000)
		payee := r.fake.CreateAccount(blinktest.AccountOptions{Username: "review4_payee"})
		r.fake.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
		var p reviewMoneyPayout
		require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "review4_payee", "amount_sats": 1234}, &p))
		got := review4Pass(r, f, p.ID) // the send executes; its answer is lost
		require.Equal(t, 1, r.fake.Executions("IntraLedgerPaymentSend"))
		for i := 0; i < 6 && !got.Final; i++ {
			got = review4Pass(r, f, p.ID)
			review4Age(r, p.ID, 10*time.Minute) // the execution window passes
		}
		require.Equal(t, int64(1234), r.fake.Balance(payee.BTCWalletID).Value, "the payee is paid once: %+v", got)
		require.Equal(t, 1, r.fake.Executions("IntraLedgerPaymentSend"), "never sent twice: %+v", got)
		require.Equal(t, "succeeded", got.Status, "%+v", got)
	})
}

// The same kind of send with Blink's clock 5 minutes ahead (0: the
// control). The key was found taken (the request reached Blink and may
// still be executing) and the ledger shows nothing: the SDK's rule is to
// wait ExecutionWindow after arrival, by the server's clock, before
// sending again (intraledger) or before taking a refusal of the send made
// again as the outcome (invoice). The merchant records ArrivedBy =
// time.Now() (its own clock, payouts.go work()) and hands it to
// FinishPayment, which reads it as server time: with Blink ahead by more
// than the window, the wait is skipped. On Blink the first request may be
// a send still waiting for the wallet lock; here it executed as a refusal
// (insufficient balance, no route), so the early decision is visible
// without money lost. Correct: on the passes right after the key was
// found taken, no second intraledger send, and no final 'failed'.
func TestReview4_BlinkClockAhead_NoDecisionInsideExecutionWindow(t *testing.T) {
	for _, off := range []time.Duration{0, 5 * time.Minute} {
		for _, kind := range []string{"username", "bolt11"} {
			t.Run(kind+"/blink+"+off.String(), func(t *testing.T) {
				r, _ := review4Skewed(t, "", off)
				var f *tenantFixture
				var body map[string]any
				op := "LnInvoicePaymentSend"
				if kind == "username" {
					f = r.connect(writeScopes, true, 100) // too little: the first send executes as a refusal
					r.fake.CreateAccount(blinktest.AccountOptions{Username: "review4_ahead"})
					body, op = map[string]any{"destination": "review4_ahead", "amount_sats": 1234}, "IntraLedgerPaymentSend"
				} else {
					f = r.connect(writeScopes, true, 100_000)
					body = map[string]any{"destination": r.fake.ExternalInvoice(1234, blinktest.OutcomeRouteFailure)}
				}
				r.fake.InjectFault(op, blinktest.Fault{DropAfterExecute: true}, 1)
				var p reviewMoneyPayout
				require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, body, &p))
				review4Pass(r, f, p.ID) // executed (refused), answer lost
				require.Equal(t, 1, r.fake.Executions(op))
				got := review4Pass(r, f, p.ID) // key found taken; nothing in the ledger
				got2 := review4Pass(r, f, p.ID)
				if kind == "username" {
					require.Equal(t, 1, r.fake.Executions(op),
						"sent again within the execution window of an attempt that reached Blink: %+v / %+v", got, got2)
				}
				require.False(t, got2.Final, "decided inside the execution window of an attempt that reached Blink: %+v", got2)
			})
		}
	}
}

// The invoice spellings a tenant may send for one invoice: all are one
// invoice (one hash) and the second is refused while the first is live.
func TestReview4_InvoiceSpellings_OneLivePayout(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	var a reviewMoneyPayout
	var e apiError
	require.Equal(t, 202, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "r4-a", map[string]any{"destination": inv}, &a, &e))
	for i, dest := range []string{"LIGHTNING:" + strings.ToUpper(inv), "Lightning:" + inv, "  lightning:" + inv + "  ", strings.ToUpper(inv)} {
		e = apiError{}
		var again reviewMoneyPayout
		code := r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "r4-b"+string(rune('0'+i)), map[string]any{"destination": dest}, &again, &e)
		require.Equal(t, 409, code, "spelling %d: %+v %+v", i, again, e)
		require.Equal(t, "invoice_in_payout", e.Error.Code)
	}
}

// A payout whose payment is pending (in flight at Blink) holds its
// invoice: a second payout of it is refused until the first is final,
// and when the first is reported failed it is because Blink refunded it.
func TestReview4_PendingPayout_HoldsInvoice_FailedOnlyOnRefund(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r, _ := review4Skewed(t, dbURL, -3*time.Minute)
		f := r.connect(writeScopes, true, 100_000)
		inv := r.fake.ExternalInvoice(1_000, blinktest.OutcomePending)
		r.fake.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
		var a reviewMoneyPayout
		var e apiError
		require.Equal(t, 202, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "r4-p", map[string]any{"destination": inv}, &a, &e))
		var got reviewMoneyPayout
		for i := 0; i < 4; i++ {
			got = review4Pass(r, f, a.ID)
		}
		require.False(t, got.Final, "a pending payment is not final: %+v", got)
		var b reviewMoneyPayout
		require.Equal(t, 409, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "r4-q", map[string]any{"destination": inv}, &b, &e))
		hash := ""
		for _, tx := range r.fake.Ledger(f.acct.BTCWalletID) {
			if tx.PaymentHash != "" {
				hash = tx.PaymentHash
			}
		}
		require.NotEmpty(t, hash)
		require.NoError(t, r.fake.SettlePending(hash))
		for i := 0; i < 3 && !got.Final; i++ {
			got = review4Pass(r, f, a.ID)
		}
		require.Equal(t, "succeeded", got.Status, "%+v", got)
		require.Equal(t, 1, r.fake.Executions("LnInvoicePaymentSend"))
	})
}
