package blink

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// soakAttempt is one payment attempt of the soak test and what the SDK said.
type soakAttempt struct {
	kind     string // "invoice", "external", "intraledger"
	hash     string // lightning payment hash
	memo     string // unique memo of an intraledger send
	amount   int64
	status   PaymentStatus
	err      error
	unknown  *OutcomeUnknownError
	resolved Resolved // ResolvePayment's answer, for an unknown outcome
}

// TestSoak_PaymentsUnderRandomFaultsNeverPayTwiceAndAlwaysResolve makes
// 2,000 payment attempts through blinktest with random faults injected
// before the API (drop, 502, 503, 429, latency) and after execution (the
// answer dropped). Afterwards, from the fake's ledger: no payment executed
// twice; every attempt was reported with its true outcome or as
// ErrOutcomeUnknown; and ResolvePayment brings every unknown one to the
// ledger's truth.
func TestSoak_PaymentsUnderRandomFaultsNeverPayTwiceAndAlwaysResolve(t *testing.T) {
	const attempts = 2000
	rng := rand.New(rand.NewPCG(42, 2026))
	// Faults queue per operation: one left over when a call ends early hits
	// the next attempt, which only adds variety.
	srv := newFake(t, blinktest.WithInvoiceRateLimit(1_000_000))
	alice := newFakeUser(t, srv, "alice", 1_000_000_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)

	faults := []blinktest.Fault{
		{}, // none
		{DropBeforeExecute: true},
		{DropAfterExecute: true},
		{Status: 502},
		{Status: 503},
		{Status: 429},
		{Status: 429, RetryAfter: "1"},
		{Latency: time.Millisecond},
	}
	log := make([]soakAttempt, 0, attempts)
	for i := range attempts {
		a := soakAttempt{amount: 1 + rng.Int64N(5_000)}
		fault := faults[rng.IntN(len(faults))]
		times := 1 + rng.IntN(3)
		var res *PaymentResult
		var err error
		switch k := rng.IntN(10); {
		case k < 4:
			a.kind = "invoice"
			pr := invoiceOn(t, bob, a.amount)
			dec, derr := DecodeInvoice(pr)
			require.NoError(t, derr)
			a.hash = dec.PaymentHash
			srv.InjectFault("LnInvoicePaymentSend", fault, times)
			res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
		case k < 6:
			a.kind = "external"
			pr := srv.ExternalInvoice(a.amount, blinktest.OutcomeSuccess)
			dec, derr := DecodeInvoice(pr)
			require.NoError(t, derr)
			a.hash = dec.PaymentHash
			srv.InjectFault("LnInvoicePaymentSend", fault, times)
			res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
		default:
			a.kind = "intraledger"
			a.memo = fmt.Sprintf("soak-%d", i)
			srv.InjectFault("IntraLedgerPaymentSend", fault, times)
			res, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, Sats(a.amount), &PayOptions{Memo: a.memo, UniqueMemo: true})
		}
		if res != nil {
			a.status = res.Status
		}
		a.err = err
		if errors.As(err, &a.unknown) {
			// Resolve as a caller would: once the call has returned.
			r, err := alice.Client.ResolvePayment(bg(), a.unknown.Lookup())
			require.NoError(t, err)
			a.resolved = r.Outcome
		}
		log = append(log, a)
	}

	// What the ledger holds: SEND entries per payment hash and per memo.
	byHash, byMemo := map[string]int{}, map[string]int{}
	for _, tx := range srv.Ledger(alice.BTCWalletID) {
		if tx.Direction != "SEND" {
			continue
		}
		if tx.PaymentHash != "" {
			byHash[tx.PaymentHash]++
		}
		if tx.Memo != "" {
			byMemo[tx.Memo]++
		}
	}
	counts := map[string]int{}
	for _, a := range log {
		executed := byHash[a.hash]
		if a.kind == "intraledger" {
			executed = byMemo[a.memo]
		}
		require.LessOrEqual(t, executed, 1, "attempt %+v executed twice", a)
		switch {
		case a.unknown != nil:
			counts["unknown"]++
			if executed == 1 {
				assert.Equal(t, ResolvedSucceeded, a.resolved, "attempt %+v", a)
			} else {
				assert.Equal(t, ResolvedNotFound, a.resolved, "attempt %+v", a)
			}
		case a.err != nil:
			// A definite failure: the server refused, or nothing arrived.
			counts["failed: "+errKind(a.err)]++
			assert.Equal(t, 0, executed, "attempt reported failed but executed: %+v", a)
		default:
			counts[string(a.status)]++
			require.Contains(t, []PaymentStatus{PaymentSucceeded, PaymentPending}, a.status)
			assert.Equal(t, 1, executed, "attempt reported %s but not in the ledger: %+v", a.status, a)
		}
	}
	t.Logf("soak: %d attempts: %v", attempts, counts)
	assert.Positive(t, counts["unknown"], "the faults produced unknown outcomes")
	assert.Positive(t, counts[string(PaymentSucceeded)])
}

func errKind(err error) string {
	for _, s := range []error{ErrRateLimited, ErrTransport, ErrServer, ErrInsufficientBalance} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	return err.Error()
}
