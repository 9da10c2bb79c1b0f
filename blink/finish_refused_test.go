package blink

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// An invoice Blink cannot route: the first attempt executes and fails,
// its answer is lost. FinishPayment pays again at once (refused: no
// route) while the first attempt may still run, which leaves the outcome
// unknown; after the window the next call pays once more and that
// refusal is the outcome: a definite failure, never "already sent again"
// for ever.
func TestFinishPayment_RefusedResendDoesNotBlockTheFinalAnswer(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	ext := srv.ExternalInvoice(1_000, blinktest.OutcomeRouteFailure)
	srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, nil)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, srv.Executions("LnInvoicePaymentSend"))

	_, err = alice.Client.FinishPayment(bg(), ou)
	var still *OutcomeUnknownError
	require.ErrorAs(t, err, &still, "the first attempt may still run: unknown")
	assert.Empty(t, still.ResentWith, "the refused resend paid nothing and does not count")
	assert.Equal(t, 2, srv.Executions("LnInvoicePaymentSend"))

	clock.move(ExecutionWindow + time.Minute)
	res, err := alice.Client.FinishPayment(bg(), still)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a definite answer once the first attempt cannot run: %v", err)
	assert.ErrorIs(t, err, ErrRouteFinding)
	if res != nil {
		assert.Equal(t, PaymentFailed, res.Status)
	}
	assert.Equal(t, 3, srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, int64(100_000), srv.Balance(alice.BTCWalletID), "nothing paid")
}

// A fee probe that cannot be made (the edge answers 502) is a transient
// error, not a MaxFee refusal: nothing was sent, and the send can be made
// again later.
func TestPayInvoice_MaxFeeProbeOutageIsTransient(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	ext := srv.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	srv.InjectFault("LnInvoiceFeeProbe", blinktest.Fault{Status: 502}, 100)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, &PayOptions{MaxFee: blinktest.ExternalLightningFeeSats})
	require.Error(t, err)
	assert.True(t, IsTransient(err), "%v", err)
	assert.NotErrorIs(t, err, ErrLimitExceeded)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
	assert.Zero(t, srv.Requests("LnInvoicePaymentSend"))

	srv.ClearFaults()
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, &PayOptions{MaxFee: blinktest.ExternalLightningFeeSats})
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)

	// A probe the server answers with a failure still refuses.
	bad := srv.ExternalInvoice(1_000, blinktest.OutcomeRouteFailure)
	_, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, bad, &PayOptions{MaxFee: blinktest.ExternalLightningFeeSats})
	require.ErrorIs(t, err, ErrLimitExceeded)
}

// The server says the invoice has a payment in flight (or is paid) and
// the ledger cannot be read to tell whose: it may be this wallet's, so the
// answer is an unknown outcome for FinishPayment, never a failure (an
// integration would record a payout failed while its payment settles).
func TestPayInvoice_InFlightAndLedgerDownIsUnknown(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	ext := srv.ExternalInvoice(1_000, blinktest.OutcomePending)
	first, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, nil)
	require.NoError(t, err)
	require.Equal(t, PaymentPending, first.Status)

	srv.InjectFault("TransactionsByPaymentHash", blinktest.Fault{Status: 502}, 100)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, nil)
	assert.Nil(t, res)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou, "%v", err)
	assert.Equal(t, first.PaymentHash, ou.PaymentHash)
	assert.ErrorIs(t, err, ErrInvoicePaymentInFlight, "the server's answer is the cause")

	srv.ClearFaults()
	fin, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, PaymentPending, fin.Status, "this wallet's payment, still in flight")
	assert.Equal(t, int64(100_000-1_000-blinktest.ExternalLightningFeeSats), srv.Balance(alice.BTCWalletID), "paid once")
}

// An invoice send's unknown outcome keeps the caller's UniqueMemo, so the
// send FinishPayment makes again carries it too.
func TestPayInvoice_UnknownOutcomeKeepsUniqueMemo(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	ext := srv.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropBeforeExecute: true}, 10)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, &PayOptions{Memo: "payout po_1", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.True(t, ou.UniqueMemo)
	assert.Equal(t, "payout po_1", ou.Memo)
}
