package testserver_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
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
	assert.Nil(t, r.get("errors", 0, "code"), "no code through the router")
}

// third adds a funded account carol with a key to the fixture.
func third(t *testing.T, f fixture, balance int64) (blinktest.Account, string) {
	t.Helper()
	carol := f.srv.CreateAccount(blinktest.AccountOptions{Username: "carol", BTCBalance: balance, USDBalance: 1_000})
	return carol, f.srv.CreateAPIKey(carol.ID, blinktest.KeyOptions{})
}

func TestAlreadyPaidGoesOnlyToThePayingWallet(t *testing.T) {
	f := newFixture(t)
	carol, carolK := third(t, f, 100_000)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	first := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	require.Equal(t, "SUCCESS", payStatus(first), first.Raw)

	again := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "ALREADY_PAID", payStatus(again), again.Raw)
	assert.Equal(t, first.str("data", "lnInvoicePaymentSend", "transaction", "id"), again.str("data", "lnInvoicePaymentSend", "transaction", "id"))

	for name, r := range map[string]response{
		"another account":                 pay(t, f.srv, carolK, carol.BTCWalletID, pr),
		"the paying account's USD wallet": pay(t, f.srv, f.aliceK, f.alice.USDWalletID, pr),
	} {
		assert.Equal(t, "FAILURE", payStatus(r), name)
		code, msg := payErr(r)
		assert.Equal(t, "LIGHTNING_PAYMENT_ERROR", code, name)
		assert.Equal(t, "Invoice is already paid", msg, name)
		assert.Nil(t, r.get("data", "lnInvoicePaymentSend", "transaction"), name)
	}
	assert.Equal(t, int64(1_000_000-10), f.srv.Balance(f.alice.BTCWalletID))
	assert.Equal(t, int64(10_000), f.srv.Balance(f.alice.USDWalletID))
	assert.Equal(t, int64(100_000), f.srv.Balance(carol.BTCWalletID))
	assert.Empty(t, f.srv.Ledger(carol.BTCWalletID))
	assert.Equal(t, int64(500_000+10), f.srv.Balance(f.bob.BTCWalletID))
}

func TestAlreadyPaidLastsAsLongAsThePaymentFlowFiveMinutes(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithClock(clk.Now))
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	require.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)))
	clk.Advance(blinktest.PaymentFlowTTL)
	assert.Equal(t, "ALREADY_PAID", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)), "five minutes: still live")
	clk.Advance(time.Second)
	r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "FAILURE", payStatus(r), "the flow has expired: the invoice is checked again")
	code, msg := payErr(r)
	assert.Equal(t, "LIGHTNING_PAYMENT_ERROR", code)
	assert.Equal(t, "Invoice is already paid", msg)
}

func TestAWalletThatProbedBeforeAnotherPaidGetsAlreadyPaidWithoutATransaction(t *testing.T) {
	f := newFixture(t)
	carol, carolK := third(t, f, 100_000)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	require.Empty(t, probe(t, f.srv, carolK, carol.BTCWalletID, pr).get("data", "lnInvoiceFeeProbe", "errors"))
	require.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)))

	r := pay(t, f.srv, carolK, carol.BTCWalletID, pr)
	assert.Equal(t, "ALREADY_PAID", payStatus(r), r.Raw)
	assert.Empty(t, r.get("data", "lnInvoicePaymentSend", "errors"))
	assert.Nil(t, r.get("data", "lnInvoicePaymentSend", "transaction"), "carol has no entry for the hash")
	assert.Equal(t, int64(100_000), f.srv.Balance(carol.BTCWalletID))

	p := probe(t, f.srv, carolK, carol.BTCWalletID, pr)
	assert.Equal(t, "Invoice is already paid", p.str("data", "lnInvoiceFeeProbe", "errors", 0, "message"), "probes always check")
}

func TestABlinkInvoicePaidOverLightningIsInvoiceIsAlreadyPaidForBlinkPayers(t *testing.T) {
	f := newFixture(t)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	require.NoError(t, f.srv.PayInvoice(pr))
	r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "FAILURE", payStatus(r), r.Raw)
	code, msg := payErr(r)
	assert.Equal(t, "LIGHTNING_PAYMENT_ERROR", code)
	assert.Equal(t, "Invoice is already paid", msg)
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
	assert.Empty(t, f.srv.Ledger(f.alice.BTCWalletID))
}

func TestAnOutsideInvoicePaidByBlinkIsAlreadyPaidForEveryBlinkPayerAfterAReversedAttempt(t *testing.T) {
	f := newFixture(t)
	ext := f.srv.ExternalInvoice(1000, blinktest.OutcomeSuccess)
	first := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
	require.Equal(t, "SUCCESS", payStatus(first), first.Raw)
	hash := f.srv.Ledger(f.alice.BTCWalletID)[0].PaymentHash

	// Blink's node refuses a second payment of the hash: the attempt is
	// recorded, reverted, and answered ALREADY_PAID with that attempt.
	for _, payer := range []struct {
		name, key, wallet string
		balance           int64
	}{
		{"another account", f.bobKey, f.bob.BTCWalletID, 500_000},
		{"the paying wallet", f.aliceK, f.alice.BTCWalletID, 1_000_000 - 1002},
	} {
		r := pay(t, f.srv, payer.key, payer.wallet, ext)
		assert.Equal(t, "ALREADY_PAID", payStatus(r), payer.name)
		assert.Empty(t, r.get("data", "lnInvoicePaymentSend", "errors"), payer.name)
		assert.Equal(t, "FAILURE", r.str("data", "lnInvoicePaymentSend", "transaction", "status"), payer.name)
		assert.Equal(t, payer.balance, f.srv.Balance(payer.wallet), payer.name)
		l := f.srv.Ledger(payer.wallet)
		require.GreaterOrEqual(t, len(l), 2, payer.name)
		assert.Equal(t, "RECEIVE", l[0].Direction, payer.name)
		assert.Equal(t, int64(1002), l[0].Amount, payer.name)
		assert.Equal(t, hash, l[0].PaymentHash, payer.name)
		assert.Equal(t, "SEND", l[1].Direction, payer.name)
		assert.Equal(t, "FAILURE", l[1].Status, payer.name)
		assert.Equal(t, r.str("data", "lnInvoicePaymentSend", "transaction", "id"), l[1].ID, payer.name)
	}

	p := probe(t, f.srv, f.bobKey, f.bob.BTCWalletID, ext)
	assert.Empty(t, p.get("data", "lnInvoiceFeeProbe", "errors"), "a probe does not ask whether the hash was paid")
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats), p.num("data", "lnInvoiceFeeProbe", "amount"))

	poor, poorK := third(t, f, 10)
	r := pay(t, f.srv, poorK, poor.BTCWalletID, ext)
	assert.Equal(t, "INSUFFICIENT_BALANCE", r.str("data", "lnInvoicePaymentSend", "errors", 0, "code"), "the balance is checked before the node is asked")
}

func TestPendingPaymentRefusesEveryPayerOfTheInvoice(t *testing.T) {
	f := newFixture(t)
	ext := f.srv.ExternalInvoice(5000, blinktest.OutcomePending)
	require.Equal(t, "PENDING", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)))

	poor, poorK := third(t, f, 10)
	for name, r := range map[string]response{
		"the paying wallet":           pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext),
		"the paying account's USD":    pay(t, f.srv, f.aliceK, f.alice.USDWalletID, ext),
		"another account":             pay(t, f.srv, f.bobKey, f.bob.BTCWalletID, ext),
		"a payer without the balance": pay(t, f.srv, poorK, poor.BTCWalletID, ext),
	} {
		assert.Equal(t, "FAILURE", payStatus(r), name)
		code, msg := payErr(r)
		assert.Equal(t, "INVALID_INPUT", code, name)
		assert.Equal(t, "There is a pending payment for this invoice", msg, name)
		assert.Nil(t, r.get("data", "lnInvoicePaymentSend", "transaction"), name)
	}
	assert.Equal(t, int64(1_000_000-5002), f.srv.Balance(f.alice.BTCWalletID))
	assert.Equal(t, int64(500_000), f.srv.Balance(f.bob.BTCWalletID))
	assert.Empty(t, f.srv.Ledger(f.bob.BTCWalletID))
	assert.Len(t, f.srv.Ledger(f.alice.BTCWalletID), 1)

	limited := f.srv.CreateAPIKey(f.bob.ID, blinktest.KeyOptions{DailyLimitSats: 100})
	r := pay(t, f.srv, limited, f.bob.BTCWalletID, ext)
	assert.Equal(t, "TRANSACTION_RESTRICTED", r.str("data", "lnInvoicePaymentSend", "errors", 0, "code"), "spending limits come first")

	p := probe(t, f.srv, f.bobKey, f.bob.BTCWalletID, ext)
	assert.Empty(t, p.get("data", "lnInvoiceFeeProbe", "errors"), "a probe does not look for pending payments")
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats), p.num("data", "lnInvoiceFeeProbe", "amount"))

	require.NoError(t, f.srv.FailPending(f.srv.Ledger(f.alice.BTCWalletID)[0].PaymentHash))
	assert.Equal(t, "PENDING", payStatus(pay(t, f.srv, f.bobKey, f.bob.BTCWalletID, ext)), "nothing pending any more: bob may pay")
}

func TestLightningPrefixIsRefusedAsTheLnPaymentRequestScalarDoes(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	for _, prefixed := range []string{"lightning:" + pr, "LIGHTNING:" + pr, "Lightning:" + strings.ToUpper(pr)} {
		r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, prefixed)
		require.Equal(t, 200, r.Status)
		assert.Nil(t, r.get("data", "lnInvoicePaymentSend", "status"), "status null: %s", r.Raw)
		assert.Equal(t, "Invalid value for LnPaymentRequest", r.str("data", "lnInvoicePaymentSend", "errors", 0, "message"))
		errs, _ := r.get("data", "lnInvoicePaymentSend", "errors").([]any)
		require.Len(t, errs, 1)
		assert.Contains(t, errs[0], "code")
		assert.Nil(t, get(errs, 0, "code"), "code null")

		p := probe(t, f.srv, f.aliceK, f.alice.BTCWalletID, prefixed)
		assert.Nil(t, p.get("data", "lnInvoiceFeeProbe", "amount"))
		assert.Equal(t, "Invalid value for LnPaymentRequest", p.str("data", "lnInvoiceFeeProbe", "errors", 0, "message"))
		assert.Nil(t, p.get("data", "lnInvoiceFeeProbe", "errors", 0, "code"))
	}
	st := call(t, f.srv, "", `query($input: LnInvoicePaymentStatusByPaymentRequestInput!) { lnInvoicePaymentStatusByPaymentRequest(input: $input) { status } }`,
		map[string]any{"input": map[string]any{"paymentRequest": "lightning:" + pr}})
	assert.Equal(t, "Invalid value for LnPaymentRequest", st.str("errors", 0, "message"), st.Raw)

	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID), "nothing paid")
	assert.Empty(t, f.srv.Ledger(f.alice.BTCWalletID))
	r := call(t, f.srv, "", `query($input: LnInvoicePaymentStatusByHashInput!) { lnInvoicePaymentStatusByHash(input: $input) { status } }`,
		map[string]any{"input": map[string]any{"paymentHash": hash}})
	assert.Equal(t, "PENDING", r.str("data", "lnInvoicePaymentStatusByHash", "status"))
	assert.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, strings.ToUpper(pr))), "upper case is fine")
}

func TestInvoicesOfPartSatsArePaidRoundedUpToWholeSats(t *testing.T) {
	f := newFixture(t)
	fee := int64(blinktest.ExternalLightningFeeSats)
	for _, c := range []struct{ msat, sats int64 }{{1, 1}, {999, 1}, {1000, 1}, {1001, 2}, {1999, 2}, {123_456, 124}} {
		ext := f.srv.ExternalInvoiceMsat(c.msat, blinktest.OutcomeSuccess)
		assert.Equal(t, c.msat, decodeInvoice(t, ext).AmountMsat)
		p := probe(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
		assert.Equal(t, fee, p.num("data", "lnInvoiceFeeProbe", "amount"), "%d msat: %s", c.msat, p.Raw)

		before := f.srv.Balance(f.alice.BTCWalletID)
		r := pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, ext)
		require.Equal(t, "SUCCESS", payStatus(r), "%d msat: %s", c.msat, r.Raw)
		assert.Equal(t, -(c.sats + fee), r.num("data", "lnInvoicePaymentSend", "transaction", "settlementAmount"), "%d msat", c.msat)
		assert.Equal(t, before-c.sats-fee, f.srv.Balance(f.alice.BTCWalletID), "%d msat", c.msat)
	}

	noAmt := `mutation($input: LnNoAmountInvoicePaymentInput!) { lnNoAmountInvoicePaymentSend(input: $input) { status errors { code message } } }`
	r := call(t, f.srv, f.aliceK, noAmt, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": f.srv.ExternalInvoiceMsat(1, blinktest.OutcomeSuccess), "amount": 5}})
	assert.Equal(t, "Invoice must be a zero-amount invoice", r.str("data", "lnNoAmountInvoicePaymentSend", "errors", 0, "message"), "1 msat is an amount")
	zero := f.srv.ExternalInvoiceMsat(0, blinktest.OutcomeSuccess)
	assert.False(t, decodeInvoice(t, zero).HasAmount)
	r = call(t, f.srv, f.aliceK, noAmt, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": zero, "amount": 5}})
	assert.Equal(t, "SUCCESS", r.str("data", "lnNoAmountInvoicePaymentSend", "status"), r.Raw)
}
