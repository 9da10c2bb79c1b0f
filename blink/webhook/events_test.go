package webhook_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/webhook"
)

// Bodies in the production shape (../shared/blink-api/NOTES.md, Webhooks).
const (
	bodyReceiveLightning = `{"accountId":"acc-1","walletId":"wal-btc","eventType":"receive.lightning","transaction":{
"id":"65a1b2c3d4e5f60718293a4b","walletId":"wal-btc","status":"success","memo":"order 42",
"createdAt":"2024-03-05T10:11:12.345Z","settlementAmount":1000,"settlementFee":0,"settlementCurrency":"BTC",
"settlementDisplayAmount":"0.67","settlementDisplayFee":"0.00",
"settlementDisplayPrice":{"base":"67000000000","offset":"12","displayCurrency":"USD","walletCurrency":"BTC"},
"externalId":"ext-42",
"initiationVia":{"type":"lightning","paymentHash":"` + hash64 + `","pubkey":"02abc"},
"settlementVia":{"type":"lightning","revealedPreImage":"` + pre64 + `"}}}`

	bodySendLightningPending = `{"accountId":"acc-1","walletId":"wal-usd","eventType":"send.lightning","transaction":{
"id":"65a1b2c3d4e5f60718293a4c","walletId":"wal-usd","status":"pending","memo":null,
"createdAt":"2024-03-05T10:11:13.000Z","settlementAmount":-251,"settlementFee":-1,"settlementCurrency":"USD",
"settlementDisplayAmount":"-2.51","settlementDisplayFee":"-0.01",
"settlementDisplayPrice":{"base":"100000000000","offset":"12","displayCurrency":"USD","walletCurrency":"USD"},
"initiationVia":{"type":"lightning","paymentHash":"` + hash64 + `","pubkey":"02abc"},
"settlementVia":{"type":"lightning"}}}`

	bodyReceiveIntraLedger = `{"accountId":"acc-1","walletId":"wal-btc","eventType":"receive.intraledger","transaction":{
"id":"65a1b2c3d4e5f60718293a4d","walletId":"wal-btc","status":"success","memo":null,
"createdAt":"2024-03-05T10:11:14.001Z","settlementAmount":2100,"settlementFee":0,"settlementCurrency":"BTC",
"settlementDisplayAmount":"1.41","settlementDisplayFee":"0.00",
"settlementDisplayPrice":{"base":"67000000000","offset":"12","displayCurrency":"USD","walletCurrency":"BTC"},
"initiationVia":{"type":"intraledger","counterPartyWalletId":"wal-alice","counterPartyUsername":"alice"},
"settlementVia":{"type":"intraledger","counterPartyWalletId":"wal-alice","counterPartyUsername":null}}}`

	bodySendIntraLedger = `{"accountId":"acc-1","walletId":"wal-btc","eventType":"send.intraledger","transaction":{
"id":"65a1b2c3d4e5f60718293a4e","walletId":"wal-btc","status":"success","memo":"rent",
"createdAt":"2024-03-05T10:11:15.002Z","settlementAmount":-500,"settlementFee":0,"settlementCurrency":"BTC",
"settlementDisplayAmount":"-0.34","settlementDisplayFee":"0.00",
"settlementDisplayPrice":{"base":"67000000000","offset":"12","displayCurrency":"USD","walletCurrency":"BTC"},
"initiationVia":{"type":"intraledger","counterPartyWalletId":"wal-bob","counterPartyUsername":"bob"},
"settlementVia":{"type":"intraledger","counterPartyWalletId":"wal-bob","counterPartyUsername":"bob"}}}`

	bodyReceiveOnChainPending = `{"accountId":"acc-1","walletId":"wal-btc","eventType":"receive.onchain","transaction":{
"id":"65a1b2c3d4e5f60718293a4f","walletId":"wal-btc","status":"pending","memo":null,
"createdAt":"2024-03-05T10:11:16.003Z","settlementAmount":50000,"settlementFee":0,"settlementCurrency":"BTC",
"settlementDisplayAmount":"33.50","settlementDisplayFee":"0.00",
"settlementDisplayPrice":{"base":"67000000000","offset":"12","displayCurrency":"USD","walletCurrency":"BTC"},
"initiationVia":{"type":"onchain","address":"bc1qexampleaddress"},
"settlementVia":{"type":"onchain","transactionHash":"` + txid64 + `","vout":3}}}`

	bodySendOnChain = `{"accountId":"acc-1","walletId":"wal-btc","eventType":"send.onchain","transaction":{
"id":"65a1b2c3d4e5f60718293a50","walletId":"wal-btc","status":"failure","memo":null,
"createdAt":"2024-03-05T10:11:17.004Z","settlementAmount":-20300,"settlementFee":-300,"settlementCurrency":"BTC",
"settlementDisplayAmount":"-13.60","settlementDisplayFee":"-0.20",
"settlementDisplayPrice":{"base":"67000000000","offset":"12","displayCurrency":"EUR","walletCurrency":"BTC"},
"externalId":"payout-7",
"initiationVia":{"type":"onchain","address":"bc1qpayee"},
"settlementVia":{"type":"onchain","transactionHash":"` + txid64 + `"}}}`

	bodyInvoicePaid    = `{"paymentHash":"` + hash64 + `","paymentRequest":"lnbc10u1pexample","status":"PAID","paymentPreimage":"` + pre64 + `"}`
	bodyInvoiceExpired = `{"paymentHash":"` + hash64 + `","paymentRequest":"lnbc10u1pexample","status":"EXPIRED"}`

	hash64 = "a3f1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80"
	pre64  = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	txid64 = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"
)

func parse(t *testing.T, body string) webhook.Event {
	t.Helper()
	ev, err := webhook.ParseEvent([]byte(body))
	require.NoError(t, err)
	return ev
}

func TestParseEvent_ReceiveLightning(t *testing.T) {
	ev := parse(t, bodyReceiveLightning)
	e, ok := ev.(*webhook.ReceiveLightning)
	require.True(t, ok, "got %T", ev)
	assert.Equal(t, webhook.TypeReceiveLightning, e.Type())
	assert.Equal(t, "acc-1", e.AccountID)
	assert.Equal(t, "wal-btc", e.WalletID)
	tx := e.Transaction
	assert.Equal(t, "65a1b2c3d4e5f60718293a4b", tx.ID)
	assert.Equal(t, blink.Receive, tx.Direction)
	assert.Equal(t, blink.TxSuccess, tx.Status)
	assert.True(t, tx.CreatedAt.Equal(time.Date(2024, 3, 5, 10, 11, 12, 345_000_000, time.UTC)), "createdAt %s", tx.CreatedAt)
	sats, ok := tx.Amount.Sats()
	assert.True(t, ok)
	assert.Equal(t, blink.Sats(1000), sats)
	assert.Equal(t, blink.Amount{Value: 0, Currency: blink.BTC}, tx.Fee)
	assert.Equal(t, "order 42", tx.Memo)
	assert.Equal(t, "ext-42", tx.ExternalID)
	assert.Equal(t, "0.67", tx.DisplayAmount)
	assert.Equal(t, "0.00", tx.DisplayFee)
	assert.Equal(t, "USD", tx.DisplayCurrency)
	assert.Equal(t, blink.Price{Base: 67000000000, Offset: 12}, tx.Price)
	assert.Equal(t, blink.Initiation{Rail: blink.Lightning, PaymentHash: hash64}, tx.Initiation)
	assert.Equal(t, blink.Settlement{Rail: blink.Lightning, Preimage: pre64}, tx.Settlement)
	assert.Equal(t, "02abc", e.Pubkey)
	assert.Equal(t, "BTC", e.WalletCurrency)
}

func TestParseEvent_SendLightningPendingInCents(t *testing.T) {
	e, ok := parse(t, bodySendLightningPending).(*webhook.SendLightning)
	require.True(t, ok)
	tx := e.Transaction
	assert.Equal(t, blink.Send, tx.Direction)
	assert.Equal(t, blink.TxPending, tx.Status)
	cents, ok := tx.Amount.Cents()
	assert.True(t, ok)
	assert.Equal(t, blink.Cents(-251), cents)
	assert.Equal(t, "-$2.51", tx.Amount.String())
	assert.Equal(t, blink.Amount{Value: -1, Currency: blink.USD}, tx.Fee)
	assert.Empty(t, tx.Memo, "a null memo")
	assert.Empty(t, tx.ExternalID, "an absent externalId")
	assert.Empty(t, tx.Settlement.Preimage, "not revealed while pending")
	assert.Equal(t, hash64, tx.Initiation.PaymentHash)
}

func TestParseEvent_IntraLedger(t *testing.T) {
	r, ok := parse(t, bodyReceiveIntraLedger).(*webhook.ReceiveIntraLedger)
	require.True(t, ok)
	assert.Equal(t, blink.Initiation{Rail: blink.IntraLedger, CounterpartyWalletID: "wal-alice", CounterpartyUsername: "alice"}, r.Transaction.Initiation)
	assert.Equal(t, blink.Settlement{Rail: blink.IntraLedger, CounterpartyWalletID: "wal-alice"}, r.Transaction.Settlement, "a null username")

	s, ok := parse(t, bodySendIntraLedger).(*webhook.SendIntraLedger)
	require.True(t, ok)
	assert.Equal(t, blink.Send, s.Transaction.Direction)
	assert.Equal(t, "bob", s.Transaction.Settlement.CounterpartyUsername)
	assert.Equal(t, blink.Sats(-500), blink.Sats(s.Transaction.Amount.Value))
}

func TestParseEvent_OnChain(t *testing.T) {
	r, ok := parse(t, bodyReceiveOnChainPending).(*webhook.ReceiveOnChain)
	require.True(t, ok)
	assert.Equal(t, blink.TxPending, r.Transaction.Status)
	assert.Equal(t, "bc1qexampleaddress", r.Transaction.Initiation.Address)
	assert.Equal(t, blink.Settlement{Rail: blink.OnChain, TxHash: txid64, Vout: 3}, r.Transaction.Settlement)

	s, ok := parse(t, bodySendOnChain).(*webhook.SendOnChain)
	require.True(t, ok)
	assert.Equal(t, blink.TxFailure, s.Transaction.Status)
	assert.Equal(t, blink.Amount{Value: -300, Currency: blink.BTC}, s.Transaction.Fee)
	assert.Equal(t, "EUR", s.Transaction.DisplayCurrency)
	assert.Equal(t, "payout-7", s.Transaction.ExternalID)
	assert.Equal(t, 0, s.Transaction.Settlement.Vout, "no vout")
}

func TestParseEvent_InvoiceHooksByStatus(t *testing.T) {
	p, ok := parse(t, bodyInvoicePaid).(*webhook.InvoicePaid)
	require.True(t, ok)
	assert.Equal(t, &webhook.InvoicePaid{PaymentHash: hash64, PaymentRequest: "lnbc10u1pexample", Preimage: pre64, Status: blink.InvoicePaid}, p)
	assert.Equal(t, webhook.TypeInvoicePaid, p.Type())

	x, ok := parse(t, bodyInvoiceExpired).(*webhook.InvoiceExpired)
	require.True(t, ok)
	assert.Equal(t, &webhook.InvoiceExpired{PaymentHash: hash64, PaymentRequest: "lnbc10u1pexample", Status: blink.InvoiceExpired}, x)
	assert.Equal(t, webhook.TypeInvoiceExpired, x.Type())
}

func TestParseEvent_UnknownTypesAreRaw(t *testing.T) {
	for _, body := range []string{
		`{"eventType":"receive.teleport","transaction":{"weird":true}}`,
		`{"eventType":"send.lightning.v2","transaction":5}`,
		`{"status":"PENDING","paymentHash":"x"}`,
		`{"status":7}`,
		`{}`,
		` {"eventType":null} `,
	} {
		ev := parse(t, body)
		raw, ok := ev.(*webhook.RawEvent)
		require.True(t, ok, "%s: got %T", body, ev)
		assert.JSONEq(t, body, string(raw.Body))
		var head struct{ EventType string }
		_ = json.Unmarshal([]byte(body), &head)
		assert.Equal(t, head.EventType, raw.Type())
		_, isTx := webhook.TransactionOf(ev)
		assert.False(t, isTx)
	}
}

func TestParseEvent_Malformed(t *testing.T) {
	for name, body := range map[string]string{
		"empty":                 ``,
		"not JSON":              `hello`,
		"null":                  `null`,
		"array":                 `[{"eventType":"receive.lightning"}]`,
		"truncated":             bodyReceiveLightning[:60],
		"eventType number":      `{"eventType":5}`,
		"no transaction":        `{"eventType":"receive.lightning","accountId":"a"}`,
		"transaction a string":  `{"eventType":"receive.lightning","transaction":"x"}`,
		"createdAt not a time":  strings.Replace(bodyReceiveLightning, "2024-03-05T10:11:12.345Z", "yesterday", 1),
		"fractional amount":     strings.Replace(bodyReceiveLightning, `"settlementAmount":1000`, `"settlementAmount":10.5`, 1),
		"amount a string":       strings.Replace(bodyReceiveLightning, `"settlementAmount":1000`, `"settlementAmount":"1000"`, 1),
		"price base not a num":  strings.Replace(bodyReceiveLightning, `"base":"67000000000"`, `"base":"lots"`, 1),
		"paid preimage object":  `{"status":"PAID","paymentPreimage":{}}`,
		"trailing garbage":      bodyInvoicePaid + `x`,
		"secret-looking values": `{"eventType":"send.onchain","transaction":{"memo":{"k":"whsec_abc"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			ev, err := webhook.ParseEvent([]byte(body))
			require.ErrorIs(t, err, webhook.ErrMalformedEvent, "got %T", ev)
			assert.Nil(t, ev)
			assert.NotContains(t, err.Error(), "whsec_abc")
			assert.NotContains(t, err.Error(), "yesterday")
			assert.NotContains(t, err.Error(), "lots")
		})
	}
}

func TestParseEvent_PriceAcceptsNumbersToo(t *testing.T) {
	body := strings.Replace(bodyReceiveLightning, `"base":"67000000000","offset":"12"`, `"base":67000000000,"offset":12`, 1)
	e := parse(t, body).(*webhook.ReceiveLightning)
	assert.Equal(t, blink.Price{Base: 67000000000, Offset: 12}, e.Transaction.Price)
}

func TestTransactionOf_EverySixTypes(t *testing.T) {
	for body, want := range map[string]string{
		bodyReceiveLightning:      webhook.TypeReceiveLightning,
		bodySendLightningPending:  webhook.TypeSendLightning,
		bodyReceiveIntraLedger:    webhook.TypeReceiveIntraLedger,
		bodySendIntraLedger:       webhook.TypeSendIntraLedger,
		bodyReceiveOnChainPending: webhook.TypeReceiveOnChain,
		bodySendOnChain:           webhook.TypeSendOnChain,
	} {
		ev := parse(t, body)
		assert.Equal(t, want, ev.Type())
		te, ok := webhook.TransactionOf(ev)
		require.True(t, ok, want)
		assert.Equal(t, want, te.EventType)
		assert.NotEmpty(t, te.Transaction.ID)
		wantDir := blink.Receive
		if strings.HasPrefix(want, "send.") {
			wantDir = blink.Send
		}
		assert.Equal(t, wantDir, te.Transaction.Direction, want)
	}
	for _, body := range []string{bodyInvoicePaid, bodyInvoiceExpired} {
		_, ok := webhook.TransactionOf(parse(t, body))
		assert.False(t, ok)
	}
}

func TestConstructEvent_VerifiesBeforeParsing(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	opts := at(now)
	h, err := webhook.Sign(otherSecret, "msg_1", now, []byte(bodyInvoicePaid))
	require.NoError(t, err)

	ev, err := webhook.ConstructEventWithOptions([]byte(bodyInvoicePaid), h, otherSecret, opts)
	require.NoError(t, err)
	assert.IsType(t, &webhook.InvoicePaid{}, ev)

	ev, err = webhook.ConstructEventWithOptions([]byte(bodyInvoiceExpired), h, otherSecret, opts)
	assert.ErrorIs(t, err, webhook.ErrNoMatchingSignature)
	assert.Nil(t, ev)

	// A signed body that is not JSON verifies and then fails to parse.
	h, err = webhook.Sign(otherSecret, "msg_2", now, []byte("nope"))
	require.NoError(t, err)
	_, err = webhook.ConstructEventWithOptions([]byte("nope"), h, otherSecret, opts)
	assert.ErrorIs(t, err, webhook.ErrMalformedEvent)

	// ConstructEvent uses the wall clock.
	h, err = webhook.Sign(otherSecret, "msg_3", time.Now(), []byte(bodySendOnChain))
	require.NoError(t, err)
	ev, err = webhook.ConstructEvent([]byte(bodySendOnChain), h, otherSecret)
	require.NoError(t, err)
	assert.IsType(t, &webhook.SendOnChain{}, ev)
}
