package blink

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// Another Blink wallet paid an outside invoice; this wallet then pays it
// with a fee limit while its ledger cannot be read. The server's "already
// paid" may be this wallet's payment, so the answer is an unknown outcome,
// and it must carry everything FinishPayment needs (hash, invoice, wallet,
// start window, FreshKey, the limits). FinishPayment then never pays and
// ends, once the attempt's window is over, in a definite failure that
// says the invoice is paid (not by this wallet).
func TestReview3_AlreadyPaidElsewhere_LedgerDown_UnknownIsCompleteAndFinishesFailedWithoutPaying(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 100_000, 0, nil, fastRetry)
	ext := srv.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	paid, err := bob.Client.PayInvoice(bg(), bob.BTCWalletID, ext, nil)
	require.NoError(t, err)
	require.Equal(t, PaymentSucceeded, paid.Status)

	srv.InjectFault("TransactionsByPaymentHash", blinktest.Fault{Status: 502}, 100)
	limits := &PayOptions{MaxFee: 50, MaxAmount: 1_000, Memo: "payout 42"}
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, limits)
	assert.Nil(t, res)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou, "%v", err)
	assert.Equal(t, "LnInvoicePaymentSend", ou.Operation)
	assert.Equal(t, paid.PaymentHash, ou.PaymentHash)
	assert.NotEmpty(t, ou.PaymentRequest)
	assert.Equal(t, alice.BTCWalletID, ou.WalletID)
	assert.True(t, validIdempotencyKey(ou.IdempotencyKey))
	assert.True(t, ou.FreshKey, "the SDK made the key")
	assert.False(t, ou.StartedAt.IsZero())
	assert.False(t, ou.StartedAfter.IsZero())
	assert.False(t, ou.StartedBefore.IsZero())
	assert.False(t, ou.StartedBefore.Before(ou.StartedAfter))
	assert.Equal(t, int64(50), ou.MaxFee)
	assert.Equal(t, Sats(1_000), ou.MaxAmount)
	assert.Equal(t, "payout 42", ou.Memo)
	assert.ErrorIs(t, err, ErrInvoiceAlreadyPaid, "the server's answer is the cause")

	srv.ClearFaults()
	cur := ou
	var final error
	for i := 0; i < 6; i++ {
		r, err := alice.Client.FinishPayment(bg(), cur)
		var still *OutcomeUnknownError
		if errors.As(err, &still) {
			cur = still
			clock.move(ExecutionWindow + time.Minute)
			continue
		}
		if r != nil {
			assert.Equal(t, PaymentFailed, r.Status, "%+v", r)
		}
		final = err
		break
	}
	require.Error(t, final, "FinishPayment never gave a definite answer")
	assert.ErrorIs(t, final, ErrInvoiceAlreadyPaid)
	assert.NotErrorIs(t, final, ErrOutcomeUnknown)
	assert.Equal(t, int64(100_000), srv.Balance(alice.BTCWalletID), "alice paid nothing")
}

// FinishPayment treats a send as an invoice send (paid again at once,
// while the first attempt may still run) by its PaymentHash. An
// intraledger send is not idempotent: its stored error carrying a
// payment hash (an integration storing one column for every kind, a
// hash learnt elsewhere) must not make FinishPayment send again while the
// first attempt, which executed, may still run. The send's Operation says
// what it is.
func TestReview3_IntraLedgerUnknownWithAHash_NeverSentAgainWhileTheFirstMayRun(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil, fastRetry)
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 700, &PayOptions{Memo: "m1"})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Empty(t, ou.PaymentHash)
	require.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))

	stored := *ou
	stored.PaymentHash = "aa" + "00000000000000000000000000000000000000000000000000000000000000"[:62]
	_, err = alice.Client.FinishPayment(bg(), &stored)
	t.Logf("FinishPayment: %v", err)
	assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"), "an intraledger send was made again while the first attempt may still run")
	assert.Equal(t, int64(700), srv.Balance(bob.BTCWalletID), "bob was paid twice")
}
