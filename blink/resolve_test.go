package blink

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestResolvePayment_UnknownLightningPaymentResolvesToTheLedger(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr := invoiceOn(t, bob, 1_500)
	srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)

	// By hash, with the call's time bounds: the wallet's one payment of
	// the invoice lies in the second the send began, so it may be this
	// send's or an earlier one's; ResolvePayment does not guess.
	r, err := alice.Client.ResolvePayment(bg(), ou.Lookup())
	require.NoError(t, err)
	assert.Equal(t, ResolvedAmbiguous, r.Outcome)
	require.NotNil(t, r.Transaction, "the payment is named either way")
	assert.Equal(t, ou.PaymentHash, r.Transaction.Initiation.PaymentHash)

	// Without time bounds the hash alone decides.
	r, err = alice.Client.ResolvePayment(bg(), PaymentLookup{WalletID: alice.BTCWalletID, PaymentHash: ou.PaymentHash})
	require.NoError(t, err)
	assert.Equal(t, ResolvedSucceeded, r.Outcome)

	// FinishPayment reports the invoice paid, and pays nothing more.
	res, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, 1, srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, int64(1_500), srv.Balance(bob.BTCWalletID))
}

func TestResolvePayment_NotExecutedIsNotFound(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	dec, err := DecodeInvoice(invoiceOn(t, bob, 10))
	require.NoError(t, err)
	r, err := alice.Client.ResolvePayment(bg(), PaymentLookup{WalletID: alice.BTCWalletID, PaymentHash: dec.PaymentHash})
	require.NoError(t, err)
	assert.Equal(t, ResolvedNotFound, r.Outcome)
	assert.Nil(t, r.Transaction)

	r, err = alice.Client.ResolvePayment(bg(), PaymentLookup{WalletID: alice.BTCWalletID, Amount: 10, Recipient: bob.BTCWalletID})
	require.NoError(t, err)
	assert.Equal(t, ResolvedNotFound, r.Outcome)
}

func TestResolvePayment_PendingThenRefundedIsFailed(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(2_000, blinktest.OutcomePending), nil)
	require.NoError(t, err)
	require.Equal(t, PaymentPending, res.Status)
	l := PaymentLookup{WalletID: alice.BTCWalletID, PaymentHash: res.PaymentHash}
	r, err := alice.Client.ResolvePayment(bg(), l)
	require.NoError(t, err)
	assert.Equal(t, ResolvedPending, r.Outcome)

	require.NoError(t, srv.FailPending(res.PaymentHash))
	r, err = alice.Client.ResolvePayment(bg(), l)
	require.NoError(t, err)
	assert.Equal(t, ResolvedFailed, r.Outcome)
	assert.NotNil(t, r.Refund, "the RECEIVE for the same hash is the refund")
	assert.Equal(t, int64(100_000), srv.Balance(alice.BTCWalletID))
}

func TestResolvePayment_IntraLedgerWithoutHashMatchesAmountRecipientAndWindow(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 777, &PayOptions{Memo: "payout 41", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Empty(t, ou.PaymentHash)
	assert.Equal(t, bob.BTCWalletID, ou.Recipient)
	assert.Equal(t, "payout 41", ou.Memo)

	r, err := alice.Client.ResolvePayment(bg(), ou.Lookup())
	require.NoError(t, err)
	assert.Equal(t, ResolvedSucceeded, r.Outcome)
	assert.Equal(t, int64(-777), r.Transaction.Amount.Value)

	// Without UniqueMemo the one match was created within the second the
	// send began: it could be an identical earlier send, so no guess.
	l := ou.Lookup()
	l.UniqueMemo = false
	r, err = alice.Client.ResolvePayment(bg(), l)
	require.NoError(t, err)
	assert.Equal(t, ResolvedAmbiguous, r.Outcome)

	// A second identical send makes even a unique-memo look-up ambiguous.
	_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 777, &PayOptions{Memo: "payout 41"})
	require.NoError(t, err)
	r, err = alice.Client.ResolvePayment(bg(), ou.Lookup())
	require.NoError(t, err)
	assert.Equal(t, ResolvedAmbiguous, r.Outcome)
	assert.Len(t, r.Candidates, 2)

	// A window that ends before the sends finds nothing.
	r, err = alice.Client.ResolvePayment(bg(), PaymentLookup{WalletID: alice.BTCWalletID, Amount: 777, Since: time.Now().Add(-time.Hour), Until: time.Now().Add(-30 * time.Minute)})
	require.NoError(t, err)
	assert.Equal(t, ResolvedNotFound, r.Outcome)
}

func TestResolvePayment_RefusesBadInputAndNeedsRead(t *testing.T) {
	srv := newFake(t)
	writer := newFakeUser(t, srv, "alice", 0, 0, []string{"WRITE"}, WithScopes(ScopeWrite))
	_, err := writer.Client.ResolvePayment(bg(), PaymentLookup{WalletID: "x"})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = writer.Client.ResolvePayment(bg(), PaymentLookup{WalletID: writer.BTCWalletID, PaymentHash: "ab"})
	assert.Error(t, err)
	_, err = writer.Client.ResolvePayment(bg(), PaymentLookup{WalletID: writer.BTCWalletID, Amount: 5})
	assert.ErrorIs(t, err, ErrInsufficientScope)
}
