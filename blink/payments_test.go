package blink

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/gen"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// invoiceOn creates a BTC invoice on u's BTC wallet through the generated
// operation (the SDK's own CreateInvoice is tested in invoices_test.go).
func invoiceOn(t *testing.T, u *fakeUser, sats int64) string {
	t.Helper()
	resp, err := gen.LnInvoiceCreate(bg(), u.Client.gql, gen.LnInvoiceCreateInput{WalletId: u.BTCWalletID, Amount: satAmount(Sats(sats))})
	require.NoError(t, err)
	require.Empty(t, resp.LnInvoiceCreate.Errors)
	return resp.LnInvoiceCreate.Invoice.PaymentRequest
}

func noAmountInvoiceOn(t *testing.T, u *fakeUser) string {
	t.Helper()
	resp, err := gen.LnNoAmountInvoiceCreate(bg(), u.Client.gql, gen.LnNoAmountInvoiceCreateInput{WalletId: u.BTCWalletID})
	require.NoError(t, err)
	require.Empty(t, resp.LnNoAmountInvoiceCreate.Errors)
	return resp.LnNoAmountInvoiceCreate.Invoice.PaymentRequest
}

func TestPayInvoice_BetweenAccountsMovesBothBalances(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr := invoiceOn(t, bob, 2_500)

	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, "lightning:"+strings.ToUpper(pr), &PayOptions{Memo: "coffee"})
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	require.NotNil(t, res.Transaction)
	assert.Equal(t, Send, res.Transaction.Direction)
	assert.Equal(t, int64(-2_500), res.Transaction.Amount.Value)
	assert.Len(t, res.PaymentHash, 64)
	assert.True(t, validIdempotencyKey(res.IdempotencyKey))
	assert.Equal(t, int64(97_500), srv.Balance(alice.BTCWalletID))
	assert.Equal(t, int64(2_500), srv.Balance(bob.BTCWalletID))
	assert.Equal(t, 1, srv.Executions("LnInvoicePaymentSend"))
}

func TestPayInvoice_SecondTimeIsAlreadyPaidAndDebitsOnce(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr := invoiceOn(t, bob, 1_000)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentAlreadyPaid, res.Status)
	assert.Equal(t, int64(99_000), srv.Balance(alice.BTCWalletID))
}

func TestPayInvoice_ServerRefusalsAreFailedWithTheirError(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 500, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)

	own := invoiceOn(t, alice, 100)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, own, nil)
	require.ErrorIs(t, err, ErrCantPaySelf)
	assert.Equal(t, PaymentFailed, res.Status)

	big := invoiceOn(t, bob, 10_000)
	res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, big, nil)
	require.ErrorIs(t, err, ErrInsufficientBalance)
	assert.Equal(t, PaymentFailed, res.Status)
	assert.False(t, IsTransient(err))
	assert.Equal(t, int64(500), srv.Balance(alice.BTCWalletID))
}

func TestPayInvoice_ExternalOutcomes(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)

	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(1_000, blinktest.OutcomeSuccess), nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats), res.Fee.Value)
	assert.Len(t, res.Preimage, 64)

	res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(1_000, blinktest.OutcomeRouteFailure), nil)
	require.ErrorIs(t, err, ErrRouteFinding)
	assert.True(t, IsTransient(err))
	assert.Equal(t, PaymentFailed, res.Status)

	pending := srv.ExternalInvoice(1_000, blinktest.OutcomePending)
	res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, pending, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentPending, res.Status)
	again, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pending, nil)
	require.NoError(t, err, "a retry while the first attempt is in flight is pending, not failed")
	assert.Equal(t, PaymentPending, again.Status)
	require.NoError(t, srv.SettlePending(res.PaymentHash))
	assert.Equal(t, int64(100_000-2*(1_000+blinktest.ExternalLightningFeeSats)), srv.Balance(alice.BTCWalletID))
}

func TestPayInvoice_GuardsRefuseBeforeSending(t *testing.T) {
	past := time.Now().Add(-48 * time.Hour)
	old := newFake(t, blinktest.WithClock(func() time.Time { return past }))
	oldBob := newFakeUser(t, old, "bob", 0, 0, nil)
	expired := invoiceOn(t, oldBob, 100)

	mainnet := newFake(t, blinktest.WithNetwork("mainnet"))
	mainBob := newFakeUser(t, mainnet, "carol", 0, 0, nil)
	otherNetwork := invoiceOn(t, mainBob, 100)

	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 1_000_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	w := alice.BTCWalletID
	cases := map[string]struct {
		call func() error
		want []error
	}{
		"expired":                 {func() error { _, err := alice.Client.PayInvoice(bg(), w, expired, nil); return err }, []error{ErrInvoiceExpired, ErrInvalidInput}},
		"other network":           {func() error { _, err := alice.Client.PayInvoice(bg(), w, otherNetwork, nil); return err }, []error{ErrWrongNetwork, ErrInvalidInput}},
		"garbage":                 {func() error { _, err := alice.Client.PayInvoice(bg(), w, "lnbcrt1garbage", nil); return err }, []error{ErrInvalidInput, ErrInvoiceDecode}},
		"no-amount to PayInvoice": {func() error { _, err := alice.Client.PayInvoice(bg(), w, noAmountInvoiceOn(t, bob), nil); return err }, []error{ErrInvalidInput}},
		"amount to PayNoAmountInvoice": {func() error {
			_, err := alice.Client.PayNoAmountInvoice(bg(), w, invoiceOn(t, bob, 10), 10, nil)
			return err
		}, []error{ErrInvalidInput}},
		"above MaxAmount": {func() error {
			_, err := alice.Client.PayInvoice(bg(), w, invoiceOn(t, bob, 5_000), &PayOptions{MaxAmount: 4_999})
			return err
		}, []error{ErrLimitExceeded}},
		"zero amount": {func() error {
			_, err := alice.Client.PayNoAmountInvoice(bg(), w, noAmountInvoiceOn(t, bob), 0, nil)
			return err
		}, []error{ErrInvalidInput}},
		"amount above 10^13": {func() error {
			_, err := alice.Client.SendIntraLedger(bg(), w, bob.BTCWalletID, MaxAmount+1, nil)
			return err
		}, []error{ErrInvalidInput}},
		"bad wallet id": {func() error {
			_, err := alice.Client.PayInvoice(bg(), "wallet-1", invoiceOn(t, bob, 1), nil)
			return err
		}, []error{ErrInvalidInput}},
		"memo too long": {func() error {
			_, err := alice.Client.PayInvoice(bg(), w, invoiceOn(t, bob, 1), &PayOptions{Memo: strings.Repeat("é", 320)})
			return err
		}, []error{ErrInvalidInput}},
		"bad idempotency key": {func() error {
			_, err := alice.Client.PayInvoice(bg(), w, invoiceOn(t, bob, 1), &PayOptions{IdempotencyKey: "order-1"})
			return err
		}, []error{ErrInvalidIdempotencyKey}},
		"wrong-network address": {func() error {
			_, err := alice.Client.SendOnChain(bg(), w, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 1_000, nil)
			return err
		}, []error{ErrWrongNetwork}},
		"not an address": {func() error { _, err := alice.Client.SendOnChain(bg(), w, "hello", 1_000, nil); return err }, []error{ErrInvalidInput}},
		"a bitcoin: URI": {func() error {
			_, err := alice.Client.SendOnChain(bg(), w, "bitcoin:"+srv.ExternalAddress()+"?amount=1", 1_000, nil)
			return err
		}, []error{ErrInvalidInput}},
		"bad lightning address": {func() error {
			_, err := alice.Client.PayLightningAddress(bg(), w, "bob-at-example", 10, nil)
			return err
		}, []error{ErrInvalidInput}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := tc.call()
			require.Error(t, err)
			for _, want := range tc.want {
				assert.ErrorIs(t, err, want)
			}
		})
	}
	for _, op := range []string{"LnInvoicePaymentSend", "LnNoAmountInvoicePaymentSend", "IntraLedgerPaymentSend", "OnChainPaymentSend", "LnAddressPaymentSend"} {
		assert.Zero(t, srv.Executions(op), op)
		assert.Zero(t, srv.Requests(op), op)
	}
	assert.Equal(t, int64(1_000_000), srv.Balance(w))
}

func TestPayInvoice_MaxFeeProbesFirstAndRefuses(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	ext := srv.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, &PayOptions{MaxFee: blinktest.ExternalLightningFeeSats - 1})
	require.ErrorIs(t, err, ErrLimitExceeded)
	assert.Equal(t, 1, srv.Requests("LnInvoiceFeeProbe"))
	assert.Zero(t, srv.Requests("LnInvoicePaymentSend"))

	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, &PayOptions{MaxFee: blinktest.ExternalLightningFeeSats})
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
}

func TestPayInvoice_RetryAfterDropNeverPaysTwice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr := invoiceOn(t, bob, 3_000)
	srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)

	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Nil(t, res)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	dec, _ := DecodeInvoice(pr)
	assert.Equal(t, dec.PaymentHash, ou.PaymentHash)
	assert.Equal(t, alice.BTCWalletID, ou.WalletID)
	assert.True(t, validIdempotencyKey(ou.IdempotencyKey))
	assert.Equal(t, 1, srv.Executions("LnInvoicePaymentSend"), "executed exactly once")
	assert.Equal(t, int64(97_000), srv.Balance(alice.BTCWalletID))
}

func TestSends_FaultsBeforeArrivalAreRetriedAndSucceedOnce(t *testing.T) {
	for name, fault := range map[string]blinktest.Fault{
		"drop before execute": {DropBeforeExecute: true},
		"502":                 {Status: 502},
		"503":                 {Status: 503},
		"429":                 {Status: 429, RetryAfter: "1"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFake(t)
			alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
			bob := newFakeUser(t, srv, "bob", 0, 0, nil)
			srv.InjectFault("IntraLedgerPaymentSend", fault, 1)
			res, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 700, nil)
			// A 5xx cannot be told apart from a failure after execution,
			// so the retry carries the same key and the server decides:
			// here the first attempt never arrived, so the retry executes.
			require.NoError(t, err)
			assert.Equal(t, PaymentSucceeded, res.Status)
			assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))
			assert.Equal(t, int64(700), srv.Balance(bob.BTCWalletID))
		})
	}
}

func TestSends_ReusedIdempotencyKeyNeverPaysTwice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	key := NewIdempotencyKey()
	res, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 1_000, &PayOptions{IdempotencyKey: key})
	require.NoError(t, err)
	assert.Equal(t, key, res.IdempotencyKey)
	_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 1_000, &PayOptions{IdempotencyKey: key})
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.Equal(t, key, ou.IdempotencyKey)
	assert.Equal(t, bob.BTCWalletID, ou.Recipient)
	assert.Equal(t, int64(1_000), ou.Amount)
	assert.Equal(t, int64(1_000), srv.Balance(bob.BTCWalletID))
}

func TestSendIntraLedger_ToWalletOrUsernameInBTCAndUSD(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 5_000, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	res, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "Bob", 1_234, &PayOptions{Memo: "rent"})
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, IntraLedger, res.Transaction.Initiation.Rail)
	assert.Equal(t, bob.BTCWalletID, res.Transaction.Initiation.CounterpartyWalletID)
	assert.Equal(t, int64(1_234), srv.Balance(bob.BTCWalletID))

	res, err = alice.Client.SendIntraLedgerUSD(bg(), alice.USDWalletID, bob.USDWalletID, 250, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, USD, res.Transaction.Amount.Currency)
	assert.Equal(t, int64(250), srv.Balance(bob.USDWalletID))

	_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "nobody_here", 1, nil)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestPayNoAmountInvoice_FromBTCAndUSD(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 10_000, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	res, err := alice.Client.PayNoAmountInvoice(bg(), alice.BTCWalletID, noAmountInvoiceOn(t, bob), 4_321, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, int64(4_321), srv.Balance(bob.BTCWalletID))

	res, err = alice.Client.PayNoAmountInvoiceUSD(bg(), alice.USDWalletID, srv.ExternalInvoice(0, blinktest.OutcomeSuccess), 150, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Less(t, srv.Balance(alice.USDWalletID), int64(10_000-150+1))
}

func TestPayLightningAddressAndLNURL(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	res, err := alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, "bob@"+blinktest.LightningAddressDomain, 2_000, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, int64(2_000), srv.Balance(bob.BTCWalletID))

	res, err = alice.Client.PayLNURL(bg(), alice.BTCWalletID, "lnurlp://"+blinktest.LightningAddressDomain+"/.well-known/lnurlp/bob", 1_000, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, int64(3_000), srv.Balance(bob.BTCWalletID))

	res, err = alice.Client.PayLNURL(bg(), alice.BTCWalletID, "lnurlp://elsewhere.example/.well-known/lnurlp/x", 1_000, nil)
	require.ErrorIs(t, err, ErrLnurlRequestInvoice)
	assert.True(t, IsTransient(err))
	assert.Equal(t, PaymentFailed, res.Status)
}

func TestFeeProbes(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 10_000, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	fee, err := alice.Client.ProbeInvoiceFee(bg(), alice.BTCWalletID, invoiceOn(t, bob, 100))
	require.NoError(t, err)
	assert.Equal(t, Sats(0), fee, "paying another Blink user is free")
	fee, err = alice.Client.ProbeInvoiceFee(bg(), alice.BTCWalletID, srv.ExternalInvoice(100, blinktest.OutcomeSuccess))
	require.NoError(t, err)
	assert.Equal(t, Sats(blinktest.ExternalLightningFeeSats), fee)
	fee, err = alice.Client.ProbeInvoiceFeeUSD(bg(), alice.USDWalletID, srv.ExternalInvoice(100, blinktest.OutcomeSuccess))
	require.NoError(t, err)
	assert.Positive(t, int64(fee))
	fee, err = alice.Client.ProbeNoAmountInvoiceFee(bg(), alice.BTCWalletID, srv.ExternalInvoice(0, blinktest.OutcomeSuccess), 100)
	require.NoError(t, err)
	assert.Positive(t, int64(fee))
	cents, err := alice.Client.ProbeNoAmountInvoiceFeeUSD(bg(), alice.USDWalletID, srv.ExternalInvoice(0, blinktest.OutcomeSuccess), 100)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, int64(cents), int64(0))
	assert.Zero(t, srv.Executions("LnInvoicePaymentSend"))
}

func TestSendOnChain_PendingUntilConfirmed(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 1_000_000, 100_000, nil)
	addr := srv.ExternalAddress()
	fee, err := alice.Client.OnChainFee(bg(), alice.BTCWalletID, addr, 50_000, Medium)
	require.NoError(t, err)
	assert.Equal(t, Sats(blinktest.OnChainFeeSats("MEDIUM")), fee)

	res, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, addr, 50_000, &OnChainOptions{Speed: Medium})
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status, "SUCCESS means the payout is queued")
	require.NotNil(t, res.Transaction)
	assert.Equal(t, TxPending, res.Transaction.Status)
	assert.Equal(t, OnChain, res.Transaction.Initiation.Rail)
	assert.Equal(t, addr, res.Transaction.Initiation.Address)
	led := srv.Ledger(alice.BTCWalletID)
	require.NotEmpty(t, led)
	require.NoError(t, srv.ConfirmOnChain(led[0].TxHash))
	assert.Equal(t, "SUCCESS", srv.Ledger(alice.BTCWalletID)[0].Status)

	_, err = alice.Client.SendOnChain(bg(), alice.BTCWalletID, addr, 1_000, &OnChainOptions{MaxFee: 1})
	require.ErrorIs(t, err, ErrLimitExceeded)

	res, err = alice.Client.SendOnChainUSD(bg(), alice.USDWalletID, addr, 20_000, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	res, err = alice.Client.SendOnChainUSDInSats(bg(), alice.USDWalletID, addr, 10_000, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)

	res, err = alice.Client.SendAllOnChain(bg(), alice.BTCWalletID, addr, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Zero(t, srv.Balance(alice.BTCWalletID))
}

// The documented server variants map to the right statuses, and only a
// definite failure is Failed.
func TestPaymentResult_MapsEveryServerVariant(t *testing.T) {
	type errT = gen.LnInvoicePaymentSendLnInvoicePaymentSendPaymentSendPayloadErrorsError
	st := func(s gen.PaymentSendResult) *gen.PaymentSendResult { return &s }
	code := func(s string) *string { return &s }
	cases := []struct {
		name   string
		status *gen.PaymentSendResult
		errs   []errT
		want   PaymentStatus
		err    error
	}{
		{"success", st(gen.PaymentSendResultSuccess), nil, PaymentSucceeded, nil},
		{"pending", st(gen.PaymentSendResultPending), nil, PaymentPending, nil},
		// ALREADY_PAID without this wallet's SEND (the server gives it to
		// a wallet that only probed): runSend asks the ledger.
		{"already paid without a send", st(gen.PaymentSendResultAlreadyPaid), nil, PaymentFailed, ErrInvoiceAlreadyPaid},
		// Both are about the invoice, not this call: runSend asks the
		// wallet's ledger whose payment it is (see payments_safety_test.go).
		{"failure already paid", st(gen.PaymentSendResultFailure), []errT{{Code: code("LIGHTNING_PAYMENT_ERROR"), Message: "Invoice is already paid"}}, PaymentFailed, ErrInvoiceAlreadyPaid},
		{"pending payment for invoice", st(gen.PaymentSendResultFailure), []errT{{Code: code("INVALID_INPUT"), Message: "There is a pending payment for this invoice"}}, PaymentFailed, ErrInvoicePaymentInFlight},
		{"in transition", st(gen.PaymentSendResultFailure), []errT{{Code: code("LIGHTNING_PAYMENT_ERROR"), Message: "Payment was sent and is still in transition."}}, PaymentPending, nil},
		{"in transition without status", nil, []errT{{Message: "Payment was sent and is still in transition."}}, PaymentPending, nil},
		{"route failure", st(gen.PaymentSendResultFailure), []errT{{Code: code("ROUTE_FINDING_ERROR"), Message: "no route"}}, PaymentFailed, ErrRouteFinding},
		{"validation", nil, []errT{{Message: "Invalid value for WalletId"}}, PaymentFailed, ErrInvalidInput},
		{"restricted", st(gen.PaymentSendResultFailure), []errT{{Code: code("TRANSACTION_RESTRICTED"), Message: "daily limit"}}, PaymentFailed, ErrTransactionRestricted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := toPaymentResult("LnInvoicePaymentSend", "k", "h", sendPayload[errT]{tc.status, tc.errs, nil})
			require.NotNil(t, r)
			assert.Equal(t, tc.want, r.Status)
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
			} else {
				assert.NoError(t, err)
			}
		})
	}
	_, err := toPaymentResult("LnInvoicePaymentSend", "k", "h", sendPayload[errT]{nil, nil, nil})
	assert.ErrorIs(t, err, ErrServer, "no status and no error is never reported as a failure")
}

func TestPayInvoice_MaxFeeFromAUSDWalletUsesTheUSDProbe(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 100_000, nil)
	res, err := alice.Client.PayInvoice(bg(), alice.USDWalletID, srv.ExternalInvoice(1_000, blinktest.OutcomeSuccess), &PayOptions{MaxFee: 10})
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, 1, srv.Requests("LnUsdInvoiceFeeProbe"))
	assert.Zero(t, srv.Requests("LnInvoiceFeeProbe"))
}
