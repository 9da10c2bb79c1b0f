package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/stretchr/testify/require"
)

// A lightning address that keeps giving no invoice (its recipient's
// invoice rate limit) has sent nothing: the payout stays queued, the
// repeated failure is logged at warn level, and once it has waited a
// day it fails with the last reason, so it still reaches a final state.
func TestPayout_AddressFetchFailing_WaitsWarnsThenFailsAfterADay(t *testing.T) {
	r := newRig(t, "", blinktest.WithInvoiceRateLimit(1))
	review2StartNoWorkers(r)
	f := r.connect(writeScopes, true, 100_000)
	r.fake.CreateAccount(blinktest.AccountOptions{Username: "slow_payee"})
	addr := "slow_payee@" + blinktest.LightningAddressDomain
	var first, second reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": addr, "amount_sats": 10}, &first))
	require.Equal(t, "succeeded", review2Work(r, f, first.ID, 3).Status)

	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": addr, "amount_sats": 11}, &second))
	got := review2Work(r, f, second.ID, 2) // rate limited twice
	require.Equal(t, "queued", got.Status, "%+v", got)
	require.Contains(t, got.Error, "nothing sent")
	logs := r.logs.String()
	require.Contains(t, logs, `"level":"WARN","msg":"payout waits"`, "a repeated fetch failure is not logged at warn level")
	require.NotContains(t, logs, "lnbc", "an invoice was logged")

	_, err := r.st.DB().Exec(`UPDATE payouts SET created_at = created_at - 90000000 WHERE id = `+placeholder(r), second.ID) // 25 h ago
	require.NoError(t, err)
	got = review2Work(r, f, second.ID, 2)
	require.Equal(t, "failed", got.Status, "%+v", got)
	require.True(t, strings.Contains(got.Error, "Too many") && strings.Contains(got.Error, "nothing was sent"), got.Error)
	require.Equal(t, 1, r.fake.Executions("LnInvoicePaymentSend"))
}

// An address on the deployment's domain that does not exist is a
// definite answer: the payout fails at once, nothing sent.
func TestPayout_UnknownAddress_FailsAtOnce(t *testing.T) {
	r := newRig(t, "")
	review2StartNoWorkers(r)
	f := r.connect(writeScopes, true, 100_000)
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "nobody_here@" + blinktest.LightningAddressDomain, "amount_sats": 10}, &p))
	got := review2Work(r, f, p.ID, 1)
	require.Equal(t, "failed", got.Status, "%+v", got)
	require.Contains(t, got.Error, "nothing was sent")
	require.Zero(t, r.fake.Requests("LnInvoicePaymentSend"))
}

// Strings that look like an invoice but are not one: refused as an
// invoice when no username can be so spelled (lnbc1...), a username
// otherwise.
func TestPayout_InvoiceOrUsername(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	var e apiError
	require.Equal(t, 400, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "lnbc1qqqqqqqqqqqqqqqqqqqqqqqq", "amount_sats": 5}, &e))
	require.Equal(t, "invalid_destination", e.Error.Code)
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "lntb1xyz", "amount_sats": 5}, &p))
	row, err := r.st.Payout(context.Background(), f.id, p.ID)
	require.NoError(t, err)
	require.Equal(t, "username", row.Kind)
	require.Equal(t, 400, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "_under", "amount_sats": 5}, &e))
}

// A fee probe that does not answer keeps the payout queued (not
// 'sending'): nothing was sent and no key needs retiring.
func TestPayout_FeeProbeOutage_StaysQueued(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(700, blinktest.OutcomeSuccess)
	r.fake.InjectFault("LnInvoiceFeeProbe", blinktest.Fault{Status: 502}, 50)
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv, "max_fee_sats": 100}, &p))
	got := review2Work(r, f, p.ID, 2)
	require.Equal(t, "queued", got.Status, "%+v", got)
	require.Zero(t, r.fake.Requests("LnInvoicePaymentSend"))
	r.fake.ClearFaults()
	got = review2Work(r, f, p.ID, 3)
	require.Equal(t, "succeeded", got.Status, "%+v", got)
	row, err := r.st.Payout(context.Background(), f.id, p.ID)
	require.NoError(t, err)
	require.Empty(t, row.Error, "a paid payout still says it waits")
}
