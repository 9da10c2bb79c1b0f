package app_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/stretchr/testify/require"
)

var writeScopes = []blink.Scope{blink.ScopeRead, blink.ScopeReceive, blink.ScopeWrite}

type payoutJSON struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Final  bool   `json:"final"`
	Error  string `json:"error"`
}

// waitPayoutFinal works the payouts until p is final.
func (r *rig) waitPayoutFinal(f *tenantFixture, id string) payoutJSON {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var p payoutJSON
		require.Equal(r.t, 200, r.do("GET", "/v1/payouts/"+id, f.token, nil, &p))
		if p.Final {
			return p
		}
		require.True(r.t, time.Now().Before(deadline), "payout %s not final: %+v", id, p)
		r.app.Payouts.RunOnce(context.Background())
		// A row waiting out a short lease (a retry after an unknown
		// outcome) is left alone until it ends: end it, as time would. A
		// row claimed by a worker (a lease minutes ahead) is not: cutting
		// that short lets a second worker onto it, which a real lease
		// never does.
		r.st.DB().Exec(`UPDATE payouts SET lease_until = 0 WHERE id = `+placeholder(r)+` AND lease_until <= `+
			strconv.FormatInt(time.Now().Add(15*time.Second).UnixMilli(), 10), id)
	}
}

func placeholder(r *rig) string {
	if r.dbURL != "" {
		return "$1"
	}
	return "?"
}

func TestPayout_InvoicePaidOnce(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	var p payoutJSON
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv, "max_fee_sats": 50}, &p))
	got := r.waitPayoutFinal(f, p.ID)
	require.Equal(t, "succeeded", got.Status)
	require.Equal(t, 1, r.fake.Executions("LnInvoicePaymentSend"))
}

func TestPayout_CrashBetweenCommitAndAnswer_ResolvedNotResent(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.start(app.Config{})
		f := r.connect(writeScopes, true, 100_000)
		ctx := context.Background()
		inv := r.fake.ExternalInvoice(2_000, blinktest.OutcomeSuccess)
		var p payoutJSON
		r.stop()
		// Create the payout with a server whose worker never runs.
		r.startNoWorkers()
		require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv}, &p))
		row, err := r.st.Payout(ctx, f.id, p.ID)
		require.NoError(t, err)
		// What the dead process did: it committed 'sending', sent with the
		// payout's idempotency key, and died before recording the answer.
		ok, err := r.st.MarkSending(ctx, queuedRow(r, f.id, p.ID, "LnInvoicePaymentSend"), time.Now())
		require.NoError(t, err)
		require.True(t, ok)
		c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
		require.NoError(t, err)
		res, err := c.PayInvoice(ctx, f.acct.BTCWalletID, inv, &blink.PayOptions{IdempotencyKey: row.IdempotencyKey, Memo: p.ID, UniqueMemo: true})
		require.NoError(t, err)
		require.Equal(t, blink.PaymentSucceeded, res.Status)
		c.Close()
		balance := r.fake.Balance(f.acct.BTCWalletID)

		r.restart(app.Config{}) // start-up: the worker finds 'sending' and finishes it
		got := r.waitPayoutFinal(f, p.ID)
		require.Equal(t, "succeeded", got.Status)
		require.Equal(t, 1, r.fake.Executions("LnInvoicePaymentSend"), "resolved from the ledger, never sent again")
		require.Equal(t, balance, r.fake.Balance(f.acct.BTCWalletID))
	})
}

func TestPayout_AnswerLost_OutcomeUnknownFinishedOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.start(app.Config{})
		f := r.connect(writeScopes, true, 100_000)
		r.fake.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
		bob := r.fake.CreateAccount(blinktest.AccountOptions{Username: "bobpayee"})
		var p payoutJSON
		require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "bobpayee", "amount_sats": 1234}, &p))
		got := r.waitPayoutFinal(f, p.ID)
		require.Equal(t, "succeeded", got.Status, "%+v", got)
		require.Equal(t, 1, r.fake.Executions("IntraLedgerPaymentSend"))
		require.Equal(t, int64(1234), r.fake.Balance(bob.BTCWalletID).Value)
	})
}

func TestPayout_RefusedWithoutWrite(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	var e apiError
	require.Equal(t, 403, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "someone", "amount_sats": 10}, &e))
	require.Equal(t, "payouts_disabled", e.Error.Code)
	n := 0
	r.st.DB().QueryRow(`SELECT COUNT(*) FROM payouts`).Scan(&n)
	require.Zero(t, n)
}

var _ = store.PayoutQueued

func TestPayout_LightningAddressAndMaxFee(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(writeScopes, true, 100_000)
	carol := r.fake.CreateAccount(blinktest.AccountOptions{Username: "carolpayee"})
	var p payoutJSON
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "carolpayee@" + blinktest.LightningAddressDomain, "amount_sats": 777}, &p))
	require.Equal(t, "succeeded", r.waitPayoutFinal(f, p.ID).Status)
	require.Equal(t, int64(777), r.fake.Balance(carol.BTCWalletID).Value)
	require.Equal(t, 1, r.fake.Executions("LnInvoicePaymentSend"), "the address's invoice was fetched, then paid")
	require.Zero(t, r.fake.Executions("LnAddressPaymentSend"))

	// An invoice whose fee is above the limit is refused before sending.
	inv := r.fake.ExternalInvoice(5_000, blinktest.OutcomeSuccess)
	require.Greater(t, int64(blinktest.ExternalLightningFee), int64(0))
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv, "max_fee_sats": int64(blinktest.ExternalLightningFee) - 1}, &p))
	got := r.waitPayoutFinal(f, p.ID)
	require.Equal(t, "failed", got.Status)
	require.Equal(t, 1, r.fake.Executions("LnInvoicePaymentSend"), "the over-fee invoice was never sent")

	// An address off this Blink deployment is refused before anything is stored.
	var e apiError
	require.Equal(t, 400, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "someone@wallet.example", "amount_sats": 10}, &e))
	require.Equal(t, "foreign_lightning_address", e.Error.Code)
}

func TestPayout_BadInput_AndIdempotencyKeyReplay(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{PayoutInterval: time.Hour})
	f := r.connect(writeScopes, true, 100_000)
	for _, tc := range []struct {
		body any
		code string
	}{
		{map[string]any{"destination": "", "amount_sats": 1}, "invalid_destination"},
		{map[string]any{"destination": "lnbc1notaninvoicexxxxxxxxxxxx"}, "invalid_destination"},
		{map[string]any{"destination": "someone_x"}, "invalid_amount"},
		{map[string]any{"destination": "someone_x", "amount_sats": -1}, "invalid_amount"},
		{map[string]any{"destination": "someone_x", "amount_sats": 1, "max_fee_sats": -1}, "invalid_amount"},
		{map[string]any{"destination": r.fake.ExternalInvoice(0, blinktest.OutcomeSuccess)}, "no_amount_invoice"},
		{map[string]any{"destination": r.fake.ExternalInvoice(10, blinktest.OutcomeSuccess), "amount_sats": 11}, "amount_mismatch"},
		{map[string]any{"destination": "Not A User!", "amount_sats": 1}, "invalid_destination"},
	} {
		var e apiError
		require.Equal(t, 400, r.do("POST", "/v1/payouts", f.token, tc.body, &e), "%v", tc.body)
		require.Equal(t, tc.code, e.Error.Code, "%v", tc.body)
	}
	require.Zero(t, r.countRows("payouts"))

	send := func(amount int64) (int, payoutJSON, apiError) {
		var p payoutJSON
		var e apiError
		req := map[string]any{"destination": "someone_x", "amount_sats": amount}
		code := r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "shop-payout-1", req, &p, &e)
		return code, p, e
	}
	code, first, _ := send(5)
	require.Equal(t, 202, code)
	code, again, _ := send(5)
	require.Equal(t, 200, code)
	require.Equal(t, first.ID, again.ID, "the same request again is the same payout")
	code, _, e := send(6)
	require.Equal(t, 409, code)
	require.Equal(t, "idempotency_key_reused", e.Error.Code)
	require.Equal(t, 1, r.countRows("payouts"))
}

func TestDisconnect_WaitsForPayoutsThatMayHaveBeenSent(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	var queued, sent payoutJSON
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "someone_x", "amount_sats": 1}, &queued))
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "someone_y", "amount_sats": 1}, &sent))
	ok, err := r.st.MarkSending(context.Background(), queuedRow(r, f.id, sent.ID, "IntraLedgerPaymentSend"), time.Now())
	require.NoError(t, err)
	require.True(t, ok)
	var e apiError
	require.Equal(t, 409, r.do("DELETE", "/v1/tenant", f.token, nil, &e))
	require.Equal(t, "payouts_in_flight", e.Error.Code)
	var q payoutJSON
	r.do("GET", "/v1/payouts/"+queued.ID, f.token, nil, &q)
	require.Equal(t, "queued", q.Status, "a refused disconnect changed nothing")
	_, err = r.st.DB().Exec(`UPDATE payouts SET status = 'succeeded' WHERE id = ?`, sent.ID)
	require.NoError(t, err)
	require.Equal(t, 204, r.do("DELETE", "/v1/tenant", f.token, nil, nil))
	p, err := r.st.Payout(context.Background(), f.id, queued.ID)
	require.NoError(t, err)
	require.Equal(t, "failed", p.Status, "never sent, failed with the disconnect")
}

func TestPayout_CrashAfterCommitBeforeTheRequest_SentOnceAfresh(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.startNoWorkers()
		f := r.connect(writeScopes, true, 100_000)
		dave := r.fake.CreateAccount(blinktest.AccountOptions{Username: "davepayee"})
		var p payoutJSON
		require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "davepayee", "amount_sats": 42}, &p))
		// Committed 'sending', then died before the request left.
		ok, err := r.st.MarkSending(context.Background(), queuedRow(r, f.id, p.ID, "IntraLedgerPaymentSend"), time.Now())
		require.NoError(t, err)
		require.True(t, ok)
		r.restart(app.Config{})
		require.Equal(t, "succeeded", r.waitPayoutFinal(f, p.ID).Status)
		require.Equal(t, 1, r.fake.Executions("IntraLedgerPaymentSend"))
		require.Equal(t, int64(42), r.fake.Balance(dave.BTCWalletID).Value)
	})
}
