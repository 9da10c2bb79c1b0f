package blinktest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink/blinktest"
)

func payStatus(r response) string { return r.str("data", "lnInvoicePaymentSend", "status") }

func payErr(r response) (code, msg string) {
	return r.str("data", "lnInvoicePaymentSend", "errors", 0, "code"), r.str("data", "lnInvoicePaymentSend", "errors", 0, "message")
}

func TestPayingAnotherAccountsInvoiceMovesBothBalancesAndLedgers(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 1234)
	r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	require.Equal(t, "SUCCESS", payStatus(r), r.Raw)
	assert.Empty(t, r.get("data", "lnInvoicePaymentSend", "errors"))
	assert.Equal(t, int64(-1234), r.num("data", "lnInvoicePaymentSend", "transaction", "settlementAmount"))
	assert.Equal(t, "SettlementViaIntraLedger", r.str("data", "lnInvoicePaymentSend", "transaction", "settlementVia", "__typename"))

	assert.Equal(t, int64(1_000_000-1234), f.srv.Balance(f.alice.BTCWalletID))
	assert.Equal(t, int64(500_000+1234), f.srv.Balance(f.bob.BTCWalletID))

	send := f.srv.Ledger(f.alice.BTCWalletID)
	require.Len(t, send, 1)
	assert.Equal(t, "SEND", send[0].Direction)
	assert.Equal(t, "SUCCESS", send[0].Status)
	assert.Equal(t, int64(-1234), send[0].Amount)
	assert.Equal(t, hash, send[0].PaymentHash)
	assert.Equal(t, "lightning", send[0].Via)
	assert.Equal(t, f.bob.BTCWalletID, send[0].CounterpartyWalletID)
	assert.Equal(t, "bob", send[0].CounterpartyUsername)

	recv := f.srv.Ledger(f.bob.BTCWalletID)
	require.Len(t, recv, 1)
	assert.Equal(t, "RECEIVE", recv[0].Direction)
	assert.Equal(t, int64(1234), recv[0].Amount)
	assert.Equal(t, "alice", recv[0].CounterpartyUsername)
	pre, err := hex.DecodeString(recv[0].Preimage)
	require.NoError(t, err)
	sum := sha256.Sum256(pre)
	assert.Equal(t, hash, hex.EncodeToString(sum[:]), "hash = sha256(preimage)")
	assert.Len(t, recv[0].ID, 24)
}

func TestPayingOnesOwnInvoiceIsCantPaySelf(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 10)
	r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "FAILURE", payStatus(r))
	code, msg := payErr(r)
	assert.Equal(t, "CANT_PAY_SELF", code)
	assert.Equal(t, "User tried to pay themselves", msg)
	assert.Empty(t, f.srv.Ledger(f.alice.BTCWalletID))
}

func TestPayingOwnUSDWalletInvoiceFromOwnBTCWalletIsAllowed(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.aliceK, `mutation($input: LnUsdInvoiceCreateInput!) { lnUsdInvoiceCreate(input: $input) { invoice { paymentRequest satoshis } errors { message } } }`,
		map[string]any{"input": map[string]any{"walletId": f.alice.USDWalletID, "amount": 100}})
	require.Empty(t, r.get("data", "lnUsdInvoiceCreate", "errors"), r.Raw)
	// $1.00 at $100,000/BTC is 1000 sats.
	assert.Equal(t, int64(1000), r.num("data", "lnUsdInvoiceCreate", "invoice", "satoshis"))
	p := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, r.str("data", "lnUsdInvoiceCreate", "invoice", "paymentRequest"))
	require.Equal(t, "SUCCESS", payStatus(p), p.Raw)
	assert.Equal(t, int64(1_000_000-1000), f.srv.Balance(f.alice.BTCWalletID))
	assert.Equal(t, int64(10_000+100), f.srv.Balance(f.alice.USDWalletID))
}

func TestPayingTwiceIsAlreadyPaidWithTheOriginalTransaction(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	first := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	require.Equal(t, "SUCCESS", payStatus(first))
	again := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "ALREADY_PAID", payStatus(again), again.Raw)
	assert.Empty(t, again.get("data", "lnInvoicePaymentSend", "errors"))
	assert.Equal(t, first.str("data", "lnInvoicePaymentSend", "transaction", "id"), again.str("data", "lnInvoicePaymentSend", "transaction", "id"))
	assert.Equal(t, int64(1_000_000-10), f.srv.Balance(f.alice.BTCWalletID))
}

func TestFeeProbeOfAPaidInvoiceIsInvoiceIsAlreadyPaid(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	require.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)))
	r := call(t, f.srv, f.aliceK, `mutation LnInvoiceFeeProbe($input: LnInvoiceFeeProbeInput!) { lnInvoiceFeeProbe(input: $input) { amount errors { code message } } }`,
		map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}})
	assert.Equal(t, "LIGHTNING_PAYMENT_ERROR", r.str("data", "lnInvoiceFeeProbe", "errors", 0, "code"))
	assert.Equal(t, "Invoice is already paid", r.str("data", "lnInvoiceFeeProbe", "errors", 0, "message"))
}

func TestFeeProbesAreZeroInsideBlinkAndFixedOutside(t *testing.T) {
	f := newFixture(t)
	probe := `mutation LnInvoiceFeeProbe($input: LnInvoiceFeeProbeInput!) { lnInvoiceFeeProbe(input: $input) { amount errors { code message } } }`
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	r := call(t, f.srv, f.aliceK, probe, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}})
	assert.Equal(t, int64(0), r.num("data", "lnInvoiceFeeProbe", "amount"), r.Raw)
	ext := f.srv.ExternalInvoice(5000, blinktest.OutcomeSuccess)
	r = call(t, f.srv, f.aliceK, probe, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": ext}})
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats), r.num("data", "lnInvoiceFeeProbe", "amount"), r.Raw)
	assert.Empty(t, f.srv.Ledger(f.alice.BTCWalletID), "a probe moves nothing")
}

func TestExternalInvoiceSuccessDebitsAmountPlusFee(t *testing.T) {
	f := newFixture(t)
	ext := f.srv.ExternalInvoice(5000, blinktest.OutcomeSuccess)
	r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
	require.Equal(t, "SUCCESS", payStatus(r), r.Raw)
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats), r.num("data", "lnInvoicePaymentSend", "transaction", "settlementFee"))
	assert.Equal(t, "SettlementViaLn", r.str("data", "lnInvoicePaymentSend", "transaction", "settlementVia", "__typename"))
	assert.NotEmpty(t, r.str("data", "lnInvoicePaymentSend", "transaction", "settlementVia", "preImage"))
	assert.Equal(t, int64(1_000_000-5000-blinktest.ExternalLightningFeeSats), f.srv.Balance(f.alice.BTCWalletID))
	again := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
	assert.Equal(t, "ALREADY_PAID", payStatus(again))
}

func TestExternalRouteFailureDebitsNothing(t *testing.T) {
	f := newFixture(t)
	ext := f.srv.ExternalInvoice(5000, blinktest.OutcomeRouteFailure)
	r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
	assert.Equal(t, "FAILURE", payStatus(r))
	code, msg := payErr(r)
	assert.Equal(t, "ROUTE_FINDING_ERROR", code)
	assert.Equal(t, "Unable to find a route for payment.", msg)
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
	assert.Empty(t, f.srv.Ledger(f.alice.BTCWalletID))
}

func TestExternalPendingThenSettle(t *testing.T) {
	f := newFixture(t)
	ext := f.srv.ExternalInvoice(5000, blinktest.OutcomePending)
	r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
	require.Equal(t, "PENDING", payStatus(r), r.Raw)
	assert.Equal(t, "PENDING", r.str("data", "lnInvoicePaymentSend", "transaction", "status"))
	assert.Equal(t, int64(1_000_000-5002), f.srv.Balance(f.alice.BTCWalletID))

	retry := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
	assert.Equal(t, "FAILURE", payStatus(retry))
	code, msg := payErr(retry)
	assert.Equal(t, "INVALID_INPUT", code)
	assert.Equal(t, "There is a pending payment for this invoice", msg)

	hash := f.srv.Ledger(f.alice.BTCWalletID)[0].PaymentHash
	require.NoError(t, f.srv.SettlePending(hash))
	l := f.srv.Ledger(f.alice.BTCWalletID)
	require.Len(t, l, 1)
	assert.Equal(t, "SUCCESS", l[0].Status)
	assert.NotEmpty(t, l[0].Preimage)
	assert.Equal(t, int64(1_000_000-5002), f.srv.Balance(f.alice.BTCWalletID))
	assert.Equal(t, "ALREADY_PAID", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)))
	assert.Error(t, f.srv.SettlePending(hash), "nothing pending any more")
}

func TestExternalPendingThenFailWritesARefundReceiveForTheSameHash(t *testing.T) {
	f := newFixture(t)
	ext := f.srv.ExternalInvoice(5000, blinktest.OutcomePending)
	require.Equal(t, "PENDING", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)))
	hash := f.srv.Ledger(f.alice.BTCWalletID)[0].PaymentHash
	require.NoError(t, f.srv.FailPending(hash))

	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
	r := call(t, f.srv, f.aliceK, qTxsByHash, map[string]any{"walletId": f.alice.BTCWalletID, "paymentHash": hash})
	txs := r.get("data", "me", "defaultAccount", "walletById", "transactionsByPaymentHash").([]any)
	require.Len(t, txs, 2, r.Raw)
	assert.Equal(t, "RECEIVE", get(txs, 0, "direction"), "the refund is the newest")
	assert.Equal(t, float64(5002), get(txs, 0, "settlementAmount"))
	assert.Equal(t, "SEND", get(txs, 1, "direction"))
	assert.Equal(t, "FAILURE", get(txs, 1, "status"))
}

func TestInsufficientBalance(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 600_000)
	r := pay(t, f.srv, f.bobKey, f.bob.BTCWalletID, pr)
	assert.Equal(t, "FAILURE", payStatus(r))
	code, msg := payErr(r)
	assert.Equal(t, "INSUFFICIENT_BALANCE", code)
	assert.Equal(t, "Payment amount '600000' sats exceeds balance '500000'", msg)
	assert.Equal(t, int64(500_000), f.srv.Balance(f.bob.BTCWalletID))
}

func TestSpendingLimitExceededIsTransactionRestricted(t *testing.T) {
	f := newFixture(t)
	key := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{DailyLimitSats: 1500})
	pr1, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 1000)
	pr2, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 1000)
	require.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, key, f.alice.BTCWalletID, pr1)))
	r := pay(t, f.srv, key, f.alice.BTCWalletID, pr2)
	assert.Equal(t, "FAILURE", payStatus(r))
	code, msg := payErr(r)
	assert.Equal(t, "TRANSACTION_RESTRICTED", code)
	assert.Equal(t, "daily spending limit exceeded", msg)
	assert.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr2)), "other keys are not limited")
}

func TestPayInvoiceFromOutsideCreditsTheWalletAndMarksItPaid(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.aliceK, f.alice.BTCWalletID, 777)
	status := `query($input: LnInvoicePaymentStatusByHashInput!) { lnInvoicePaymentStatusByHash(input: $input) { status paymentPreimage paymentHash } }`
	r := call(t, f.srv, "", status, map[string]any{"input": map[string]any{"paymentHash": hash}})
	assert.Equal(t, "PENDING", r.str("data", "lnInvoicePaymentStatusByHash", "status"), r.Raw)
	assert.Nil(t, r.get("data", "lnInvoicePaymentStatusByHash", "paymentPreimage"))

	require.NoError(t, f.srv.PayInvoice(pr))
	assert.Equal(t, int64(1_000_000+777), f.srv.Balance(f.alice.BTCWalletID))
	r = call(t, f.srv, "", status, map[string]any{"input": map[string]any{"paymentHash": hash}})
	assert.Equal(t, "PAID", r.str("data", "lnInvoicePaymentStatusByHash", "status"))
	pre, _ := hex.DecodeString(r.str("data", "lnInvoicePaymentStatusByHash", "paymentPreimage"))
	sum := sha256.Sum256(pre)
	assert.Equal(t, hash, hex.EncodeToString(sum[:]))
	assert.Error(t, f.srv.PayInvoice(pr), "paid already")

	r = call(t, f.srv, "", `query($input: LnInvoicePaymentStatusByPaymentRequestInput!) { lnInvoicePaymentStatusByPaymentRequest(input: $input) { status } }`,
		map[string]any{"input": map[string]any{"paymentRequest": pr}})
	assert.Equal(t, "PAID", r.str("data", "lnInvoicePaymentStatusByPaymentRequest", "status"), r.Raw)
}

func TestIntraLedgerPaymentBetweenAccountsAndCurrencies(t *testing.T) {
	f := newFixture(t)
	m := `mutation IntraLedgerPaymentSend($input: IntraLedgerPaymentSendInput!) { intraLedgerPaymentSend(input: $input) { status errors { code message } transaction { settlementAmount initiationVia { __typename } } } }`
	r := call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.USDWalletID, "amount": 10_000, "memo": "coffee"}})
	require.Equal(t, "SUCCESS", r.str("data", "intraLedgerPaymentSend", "status"), r.Raw)
	assert.Equal(t, "InitiationViaIntraLedger", r.str("data", "intraLedgerPaymentSend", "transaction", "initiationVia", "__typename"))
	assert.Equal(t, int64(1_000_000-10_000), f.srv.Balance(f.alice.BTCWalletID))
	// 10,000 sats at $100,000/BTC are $10.00.
	assert.Equal(t, int64(5_000+1_000), f.srv.Balance(f.bob.USDWalletID))
	assert.Equal(t, "coffee", f.srv.Ledger(f.bob.USDWalletID)[0].Memo)

	r = call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.alice.BTCWalletID, "amount": 1}})
	assert.Equal(t, "CANT_PAY_SELF", r.str("data", "intraLedgerPaymentSend", "errors", 0, "code"))

	usd := `mutation($input: IntraLedgerUsdPaymentSendInput!) { intraLedgerUsdPaymentSend(input: $input) { status errors { code message } } }`
	r = call(t, f.srv, f.aliceK, usd, map[string]any{"input": map[string]any{"walletId": f.alice.USDWalletID, "recipientWalletId": f.bob.USDWalletID, "amount": 250}})
	require.Equal(t, "SUCCESS", r.str("data", "intraLedgerUsdPaymentSend", "status"), r.Raw)
	assert.Equal(t, int64(10_000-250), f.srv.Balance(f.alice.USDWalletID))
	assert.Equal(t, int64(6_000+250), f.srv.Balance(f.bob.USDWalletID))

	r = call(t, f.srv, f.aliceK, usd, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.USDWalletID, "amount": 250}})
	assert.Equal(t, "Unsupported operation for wallet's currency.", r.str("data", "intraLedgerUsdPaymentSend", "errors", 0, "message"))
}

func TestUSDWalletPaysBTCInvoiceAtThePriceRoundedUp(t *testing.T) {
	f := newFixture(t, blinktest.WithPrice(3_000_000)) // $30,000/BTC: 0.03 cents a sat
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 1001)
	r := pay(t, f.srv, f.aliceK, f.alice.USDWalletID, pr)
	require.Equal(t, "SUCCESS", payStatus(r), r.Raw)
	// 1001 sats * 0.03 = 30.03 cents, paid as 31.
	assert.Equal(t, int64(10_000-31), f.srv.Balance(f.alice.USDWalletID))
	assert.Equal(t, int64(-31), r.num("data", "lnInvoicePaymentSend", "transaction", "settlementAmount"))
}

func TestNoAmountInvoicePayments(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.bobKey, `mutation($input: LnNoAmountInvoiceCreateInput!) { lnNoAmountInvoiceCreate(input: $input) { invoice { paymentRequest paymentStatus } errors { message } } }`,
		map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID}})
	pr := r.str("data", "lnNoAmountInvoiceCreate", "invoice", "paymentRequest")
	require.NotEmpty(t, pr, r.Raw)

	// lnInvoicePaymentSend needs an amount in the invoice.
	p := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "Invoice does not have a valid amount to pay", p.str("data", "lnInvoicePaymentSend", "errors", 0, "message"))

	m := `mutation($input: LnNoAmountInvoicePaymentInput!) { lnNoAmountInvoicePaymentSend(input: $input) { status errors { code message } } }`
	p = call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr, "amount": 321}})
	require.Equal(t, "SUCCESS", p.str("data", "lnNoAmountInvoicePaymentSend", "status"), p.Raw)
	assert.Equal(t, int64(500_000+321), f.srv.Balance(f.bob.BTCWalletID))

	pr2, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 5)
	p = call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr2, "amount": 5}})
	assert.Equal(t, "Invoice must be a zero-amount invoice", p.str("data", "lnNoAmountInvoicePaymentSend", "errors", 0, "message"))

	r = call(t, f.srv, f.bobKey, `mutation($input: LnNoAmountInvoiceCreateInput!) { lnNoAmountInvoiceCreate(input: $input) { invoice { paymentRequest } } }`,
		map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID}})
	usd := `mutation($input: LnNoAmountUsdInvoicePaymentInput!) { lnNoAmountUsdInvoicePaymentSend(input: $input) { status errors { code message } } }`
	p = call(t, f.srv, f.aliceK, usd, map[string]any{"input": map[string]any{"walletId": f.alice.USDWalletID, "paymentRequest": r.str("data", "lnNoAmountInvoiceCreate", "invoice", "paymentRequest"), "amount": 100}})
	require.Equal(t, "SUCCESS", p.str("data", "lnNoAmountUsdInvoicePaymentSend", "status"), p.Raw)
	assert.Equal(t, int64(10_000-100), f.srv.Balance(f.alice.USDWalletID))
	assert.Equal(t, int64(500_000+321+1000), f.srv.Balance(f.bob.BTCWalletID))
}

func TestLightningAddressAndLnurlPayAFakeAccount(t *testing.T) {
	f := newFixture(t)
	m := `mutation($input: LnAddressPaymentSendInput!) { lnAddressPaymentSend(input: $input) { status errors { code message } } }`
	r := call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "lnAddress": "bob@" + blinktest.LightningAddressDomain, "amount": 42}})
	require.Equal(t, "SUCCESS", r.str("data", "lnAddressPaymentSend", "status"), r.Raw)
	assert.Equal(t, int64(500_000+42), f.srv.Balance(f.bob.BTCWalletID))

	r = call(t, f.srv, f.aliceK, m, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "lnAddress": "nobody@" + blinktest.LightningAddressDomain, "amount": 42}})
	assert.Equal(t, "LNURL_REQUEST_INVOICE_ERROR", r.str("data", "lnAddressPaymentSend", "errors", 0, "code"))

	l := `mutation($input: LnurlPaymentSendInput!) { lnurlPaymentSend(input: $input) { status errors { code message } } }`
	r = call(t, f.srv, f.aliceK, l, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "lnurl": "https://" + blinktest.LightningAddressDomain + "/.well-known/lnurlp/bob", "amount": 8}})
	require.Equal(t, "SUCCESS", r.str("data", "lnurlPaymentSend", "status"), r.Raw)
	assert.Equal(t, int64(500_000+50), f.srv.Balance(f.bob.BTCWalletID))
}

func TestCancelledInvoiceCannotBePaid(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	r := call(t, f.srv, f.bobKey, `mutation LnInvoiceCancel($input: LnInvoiceCancelInput!) { lnInvoiceCancel(input: $input) { success errors { message } } }`,
		map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID, "paymentHash": hash}})
	require.Equal(t, true, r.get("data", "lnInvoiceCancel", "success"), r.Raw)
	p := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "FAILURE", payStatus(p))
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
}

func TestCancellingAPaidOrUnknownInvoiceFails(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	cancel := `mutation LnInvoiceCancel($input: LnInvoiceCancelInput!) { lnInvoiceCancel(input: $input) { success errors { code message } } }`
	r := call(t, f.srv, f.bobKey, cancel, map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID, "paymentHash": hash}})
	assert.Equal(t, false, r.get("data", "lnInvoiceCancel", "success"))
	assert.Equal(t, "The invoice has already been processed", r.str("data", "lnInvoiceCancel", "errors", 0, "message"))
	other := "0000000000000000000000000000000000000000000000000000000000000000"
	r = call(t, f.srv, f.bobKey, cancel, map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID, "paymentHash": other}})
	assert.Equal(t, "LIGHTNING_PAYMENT_ERROR", r.str("data", "lnInvoiceCancel", "errors", 0, "code"), r.Raw)
}

func TestUSDFeeProbesAnswerInCents(t *testing.T) {
	f := newFixture(t, blinktest.WithPrice(100_000_000)) // $1,000,000/BTC: 1 cent a sat
	ext := f.srv.ExternalInvoice(1000, blinktest.OutcomeSuccess)
	r := call(t, f.srv, f.aliceK, `mutation($input: LnUsdInvoiceFeeProbeInput!) { lnUsdInvoiceFeeProbe(input: $input) { amount errors { message } } }`,
		map[string]any{"input": map[string]any{"walletId": f.alice.USDWalletID, "paymentRequest": ext}})
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats), r.num("data", "lnUsdInvoiceFeeProbe", "amount"), r.Raw)

	noAmt := f.srv.ExternalInvoice(0, blinktest.OutcomeSuccess)
	r = call(t, f.srv, f.aliceK, `mutation($input: LnNoAmountUsdInvoiceFeeProbeInput!) { lnNoAmountUsdInvoiceFeeProbe(input: $input) { amount errors { message } } }`,
		map[string]any{"input": map[string]any{"walletId": f.alice.USDWalletID, "paymentRequest": noAmt, "amount": 500}})
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats), r.num("data", "lnNoAmountUsdInvoiceFeeProbe", "amount"), r.Raw)

	r = call(t, f.srv, f.aliceK, `mutation($input: LnNoAmountInvoiceFeeProbeInput!) { lnNoAmountInvoiceFeeProbe(input: $input) { amount errors { message } } }`,
		map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": noAmt, "amount": 500}})
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats), r.num("data", "lnNoAmountInvoiceFeeProbe", "amount"), r.Raw)

	q := `query($walletId: WalletId!, $address: OnChainAddress!, $amount: CentAmount!, $speed: PayoutSpeed!) { onChainUsdTxFee(walletId: $walletId, address: $address, amount: $amount, speed: $speed) { amount } }`
	r = call(t, f.srv, f.aliceK, q, map[string]any{"walletId": f.alice.USDWalletID, "address": f.srv.ExternalAddress(), "amount": 100, "speed": "MEDIUM"})
	assert.Equal(t, blinktest.OnChainFeeSats("MEDIUM"), r.num("data", "onChainUsdTxFee", "amount"), r.Raw)
	r = call(t, f.srv, f.aliceK, q, map[string]any{"walletId": f.bob.USDWalletID, "address": f.srv.ExternalAddress(), "amount": 100, "speed": "MEDIUM"})
	assert.Equal(t, "Unexpected error occurred, please try again or contact support if it persists (code: InvalidWalletForAccountError)", r.str("errors", 0, "message"))
	assert.Equal(t, "UNEXPECTED_CLIENT_ERROR", r.str("errors", 0, "code"))
}
