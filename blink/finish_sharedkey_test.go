package blink

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// A job sends with a caller-given idempotency key and the send executes.
// The job is retried (its answer was lost, or a second worker picked it
// up) a few seconds later with the same key, as WithIdempotencyKey and
// PayOptions.IdempotencyKey advise: the server refuses it with a conflict,
// an unknown outcome. That call began after the payment was made, so a
// look-up bounded by its own start never sees the payment; FinishPayment
// must not conclude "never executed" from that and pay again.
func TestFinishPayment_KeyTakenByAnEarlierCallIsNeverPaidAgain(t *testing.T) {
	for _, unique := range []bool{true, false} {
		t.Run(map[bool]string{true: "unique memo", false: "no unique memo"}[unique], func(t *testing.T) {
			var clock advClock
			srv := newFake(t, blinktest.WithClock(clock.now))
			alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
			bob := newFakeUser(t, srv, "bob", 0, 0, nil)
			key := NewIdempotencyKey()
			opts := &PayOptions{Memo: "order 7", UniqueMemo: unique, IdempotencyKey: key}

			res, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 1_000, opts)
			require.NoError(t, err)
			require.Equal(t, PaymentSucceeded, res.Status)

			clock.move(5 * time.Second) // the retry comes a few seconds later
			_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 1_000, opts)
			var ou *OutcomeUnknownError
			require.ErrorAs(t, err, &ou, "a reused key is an unknown outcome")

			for range 4 {
				res, err = alice.Client.FinishPayment(bg(), ou)
				if !errors.As(err, &ou) || ou.ArrivedBy.IsZero() {
					break
				}
				clock.move(ExecutionWindow + 2*time.Second) // wait out the window, without waiting
			}
			assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"), "paid twice")
			assert.Equal(t, int64(99_000), srv.Balance(alice.BTCWalletID))
			if unique {
				// The memo names the payment whenever it was made.
				require.NoError(t, err)
				assert.Equal(t, PaymentSucceeded, res.Status)
				assert.Empty(t, ou.ResentWith)
			} else {
				// An identical earlier send could be it: the caller decides.
				assert.ErrorIs(t, err, ErrPaymentAmbiguous, "%v", err)
				assert.ErrorIs(t, err, ErrOutcomeUnknown, "%v", err)
			}
		})
	}
}

// The same with the first run's answer lost too (the job was retried
// because of it): both runs end in an unknown outcome and both are
// finished. Neither pays again, and both name the one payment.
func TestFinishPayment_BothRunsOfAJobWithALostAnswerFinishOnThePayment(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	opts := &PayOptions{Memo: "payout 12", UniqueMemo: true, IdempotencyKey: NewIdempotencyKey()}

	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 1_000, opts)
	var first, second *OutcomeUnknownError
	require.ErrorAs(t, err, &first)
	assert.False(t, first.FreshKey, "the caller gave the key")
	clock.move(3 * time.Second)
	_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 1_000, opts)
	require.ErrorAs(t, err, &second)
	require.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))

	r, err := alice.Client.ResolvePayment(bg(), second.Lookup())
	require.NoError(t, err)
	assert.Equal(t, ResolvedSucceeded, r.Outcome, "the retry's look-up finds the first run's payment")
	for _, ou := range []*OutcomeUnknownError{second, first} {
		res, err := alice.Client.FinishPayment(bg(), ou)
		require.NoError(t, err)
		assert.Equal(t, PaymentSucceeded, res.Status)
	}
	assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"), "paid twice")
	assert.Equal(t, int64(99_000), srv.Balance(alice.BTCWalletID))
}

// A key the SDK made is carried by the call's own attempts alone.
func TestOutcomeUnknown_FreshKeyIsSetOnlyForAKeyTheSDKMade(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		opts  *PayOptions
		fresh bool
	}{
		{"none given", bg(), &PayOptions{Memo: "a", UniqueMemo: true}, true},
		{"PayOptions", bg(), &PayOptions{Memo: "b", UniqueMemo: true, IdempotencyKey: NewIdempotencyKey()}, false},
		{"WithIdempotencyKey", WithIdempotencyKey(bg(), NewIdempotencyKey()), &PayOptions{Memo: "c", UniqueMemo: true}, false},
	} {
		srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
		_, err := alice.Client.SendIntraLedger(tc.ctx, alice.BTCWalletID, bob.BTCWalletID, 10, tc.opts)
		var ou *OutcomeUnknownError
		require.ErrorAs(t, err, &ou, tc.name)
		assert.Equal(t, tc.fresh, ou.FreshKey, tc.name)
	}
}

// FinishPayment's resend uses a key it made for that send alone: its own
// unknown outcome says so.
func TestFinishPayment_ResendsUnknownOutcomeHasAFreshKey(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropBeforeExecute: true}, 10)
	_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 10, &PayOptions{Memo: "r", UniqueMemo: true, IdempotencyKey: NewIdempotencyKey()})
	var ou, nu *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Zero(t, srv.Executions("IntraLedgerPaymentSend"))
	srv.ClearFaults()
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 10)
	_, err = alice.Client.FinishPayment(bg(), ou)
	require.ErrorAs(t, err, &nu, "the resend's answer is lost too")
	require.NotEqual(t, ou.IdempotencyKey, nu.IdempotencyKey, "resent with a fresh key")
	assert.True(t, nu.FreshKey)
	assert.False(t, ou.FreshKey)
	assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))
}
