package app_test

// Payouts after the third review: one live payout per invoice (409
// invoice_in_payout, race-free on both databases), a wallet's earlier
// payment never counted as a payout's, a payout that may have been paid
// never recorded failed because its look-up failed, and a short
// Service.Lease that still works payouts.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/stretchr/testify/require"
)

// payouts3Post posts a payout without require (safe in goroutines).
func payouts3Post(url, token, key, dest string) (int, string, error) {
	j, _ := json.Marshal(map[string]any{"destination": dest})
	req, err := http.NewRequest("POST", url+"/v1/payouts", bytes.NewReader(j))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e apiError
	json.Unmarshal(raw, &e)
	return resp.StatusCode, e.Error.Code, nil
}

func TestPayout3_SecondPayoutOfAnInvoice_Refused409UntilTheFirstFailed(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.startNoWorkers()
		f := r.connect(writeScopes, true, 100_000)
		inv := r.fake.ExternalInvoice(1_000, blinktest.OutcomeRouteFailure)
		var a, again reviewMoneyPayout
		var e apiError
		require.Equal(t, 202, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "inv-a", map[string]any{"destination": inv}, &a, &e))
		// Another request for the same invoice, also in upper case (the
		// same invoice, the same hash).
		for i, dest := range []string{inv, strings.ToUpper(inv)} {
			e = apiError{}
			code := r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", fmt.Sprintf("inv-b%d", i), map[string]any{"destination": dest}, &again, &e)
			require.Equal(t, 409, code)
			require.Equal(t, "invoice_in_payout", e.Error.Code)
		}
		// The first request repeated is still its payout.
		require.Equal(t, 200, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "inv-a", map[string]any{"destination": inv}, &again, &e))
		require.Equal(t, a.ID, again.ID)
		// Once the first has failed (no route), the invoice can be paid out again.
		require.Equal(t, "failed", reviewMoneyWork(r, f, a.ID, 3).Status)
		var c reviewMoneyPayout
		require.Equal(t, 202, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "inv-c", map[string]any{"destination": inv}, &c, &e))
		require.NotEqual(t, a.ID, c.ID)
		// Another tenant's payout of the same invoice is its own business.
		g := r.connect(writeScopes, true, 100_000)
		var other reviewMoneyPayout
		require.Equal(t, 202, r.doWithHeader("POST", "/v1/payouts", g.token, "Idempotency-Key", "inv-a", map[string]any{"destination": inv}, &other, &e))
	})
}

func TestPayout3_ConcurrentPayoutsOfOneInvoice_ExactlyOneAccepted(t *testing.T) {
	eachDB(t, func(t *testing.T, dbURL string) {
		r := newRig(t, dbURL)
		r.startNoWorkers()
		f := r.connect(writeScopes, true, 100_000)
		inv := r.fake.ExternalInvoice(500, blinktest.OutcomeSuccess)
		const n = 8
		codes := make([]int, n)
		errs := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, ec, err := payouts3Post(r.http.URL, f.token, fmt.Sprintf("race-%d", i), inv)
				codes[i], errs[i] = code, ec
				if err != nil {
					errs[i] = err.Error()
				}
			}()
		}
		wg.Wait()
		accepted := 0
		for i := range n {
			switch codes[i] {
			case 202:
				accepted++
			case 409:
				require.Equal(t, "invoice_in_payout", errs[i])
			default:
				t.Fatalf("request %d answered %d %s", i, codes[i], errs[i])
			}
		}
		require.Equal(t, 1, accepted, "codes %v", codes)
		var count int
		require.NoError(t, r.st.DB().QueryRow(`SELECT COUNT(*) FROM payouts WHERE tenant_id = `+placeholder(r), f.id).Scan(&count))
		require.Equal(t, 1, count)
	})
}

// The tenant's own app paid the invoice (or is paying it) an hour before
// the payout was made: Blink answers the payout's send with that payment
// (ALREADY_PAID, or "a payment is in flight" resolved to the wallet's
// pending payment). The payout sent nothing: failed, and said why.
func TestPayout3_InvoicePaidEarlierByTheWallet_PayoutFailsSentNothing(t *testing.T) {
	for _, outcome := range []blinktest.Outcome{blinktest.OutcomeSuccess, blinktest.OutcomePending} {
		name := map[blinktest.Outcome]string{blinktest.OutcomeSuccess: "settled", blinktest.OutcomePending: "pending"}[outcome]
		t.Run(name, func(t *testing.T) {
			r := newRig(t, "")
			r.startNoWorkers()
			f := r.connect(writeScopes, true, 100_000)
			inv := r.fake.ExternalInvoice(2_000, outcome)
			c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
			require.NoError(t, err)
			defer c.Close()
			_, err = c.PayInvoice(context.Background(), f.acct.BTCWalletID, inv, nil)
			require.NoError(t, err)
			paid := r.fake.Balance(f.acct.BTCWalletID).Value
			var p reviewMoneyPayout
			var e apiError
			require.Equal(t, 202, r.doWithHeader("POST", "/v1/payouts", f.token, "Idempotency-Key", "late", map[string]any{"destination": inv}, &p, &e))
			_, err = r.st.DB().Exec(`UPDATE payouts SET created_at = created_at + 3600000 WHERE id = `+placeholder(r), p.ID)
			require.NoError(t, err)
			got := reviewMoneyWork(r, f, p.ID, 3)
			require.Equal(t, "failed", got.Status, "%+v", got)
			if outcome == blinktest.OutcomePending {
				require.Contains(t, got.Error, "earlier payment of the wallet")
			} // (a settled one the SDK reports as a definite failure: "already paid")
			require.Equal(t, paid, r.fake.Balance(f.acct.BTCWalletID).Value, "nothing more was paid")
		})
	}
}

// A payout whose send executed and whose key is then revoked: each look-up
// answers 401. The payout stays unknown (never "failed; nothing was
// paid"), with a reason, logged at error level for an operator, and is
// looked at again later, not at once.
func TestPayout3_UnknownPayoutWithRevokedKey_StaysUnknownLoggedAsError(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	r.fake.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv}, &p))
	require.Equal(t, "unknown", review2Work(r, f, p.ID, 1).Status)
	r.fake.RevokeAPIKey(f.key)
	got := review2Work(r, f, p.ID, 3)
	require.Equal(t, "unknown", got.Status, "%+v", got)
	require.Contains(t, got.Error, "not resolved yet")
	require.Contains(t, r.logs.String(), `"level":"ERROR","msg":"payouts: a payout that may have been paid cannot be resolved"`)
	// Without the test's lease reset, the next look-up waits (backoff).
	r.app.Payouts.RunOnce(context.Background())
	row, err := r.st.Payout(context.Background(), f.id, p.ID)
	require.NoError(t, err)
	require.Greater(t, time.Until(row.LeaseUntil), 5*time.Second)
	require.NotContains(t, r.logs.String(), f.key)
}

// Service.Lease below minWork+leaseMargin (30 s) would leave every
// claimed payout unworked: the claim is at least a minute.
func TestPayout3_ShortLease_PayoutsStillWorked(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	r.app.Payouts.Lease = 5 * time.Second
	f := r.connect(writeScopes, true, 100_000)
	inv := r.fake.ExternalInvoice(700, blinktest.OutcomeSuccess)
	var p reviewMoneyPayout
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": inv}, &p))
	require.Equal(t, 1, r.app.Payouts.RunOnce(context.Background()))
	require.Equal(t, 200, r.do("GET", "/v1/payouts/"+p.ID, f.token, nil, &p))
	require.Equal(t, "succeeded", p.Status, "%+v", p)
}
