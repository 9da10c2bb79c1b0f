package testserver_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

const (
	mDisplayCurrency = `mutation($c: DisplayCurrency!) { accountUpdateDisplayCurrency(input: {currency: $c}) { errors { code message } account { displayCurrency } } }`
	mDefaultWallet   = `mutation($w: WalletId!) { accountUpdateDefaultWalletId(input: {walletId: $w}) { errors { code message } account { defaultWallet { id currency } } } }`
	mUsername        = `mutation($u: Username!) { userUpdateUsername(input: {username: $u}) { errors { code message } user { username } } }`
	mLanguage        = `mutation($l: Language!) { userUpdateLanguage(input: {language: $l}) { errors { code message } user { language } } }`
	mIntraPay        = `mutation($in: IntraLedgerPaymentSendInput!) { intraLedgerPaymentSend(input: $in) { status errors { code message } } }`
	mContactCreate   = `mutation($in: ContactCreateInput!) { contactCreate(input: $in) { errors { code message } contact { id handle displayName type transactionsCount } } }`
	mContactAlias    = `mutation($u: Username!, $a: ContactAlias!) { userContactUpdateAlias(input: {username: $u, alias: $a}) { errors { code message } contact { handle alias transactionsCount } } }`
	qContacts        = `{ me { contacts { id handle username alias transactionsCount transactions { edges { node { id } } } } } }`
	qLimits          = `{ me { defaultAccount { limits {
  withdrawal { __typename interval totalLimit remainingLimit }
  internalSend { interval totalLimit remainingLimit }
  convert { interval totalLimit remainingLimit } } } } }`
)

// newPricedFixture is newFixture at 50,000 USD per bitcoin (2,000 sats a
// dollar), the price the expectations below are computed at.
func newPricedFixture(t *testing.T) fixture {
	f := newFixture(t)
	f.srv.SetPrice(5_000_000)
	return f
}

func TestDisplayCurrency_ChangesPricesAccountAndTransactions(t *testing.T) {
	f := newPricedFixture(t)
	r := call(t, f.srv, f.aliceK, mDisplayCurrency, map[string]any{"c": "eur"})
	require.Empty(t, r.get("data", "accountUpdateDisplayCurrency", "errors"), r.Raw)
	assert.Equal(t, "EUR", r.str("data", "accountUpdateDisplayCurrency", "account", "displayCurrency"))

	r = call(t, f.srv, f.aliceK, `{ me { defaultAccount { displayCurrency realtimePrice { denominatorCurrency btcSatPrice { base offset } usdCentPrice { base offset } } } } }`, nil)
	a := []any{"data", "me", "defaultAccount"}
	assert.Equal(t, "EUR", r.str(append(a, "displayCurrency")...))
	assert.Equal(t, "EUR", r.str(append(a, "realtimePrice", "denominatorCurrency")...))
	// 0.92 EUR per USD: a US cent is 0.92 euro cents (offset 6).
	assert.Equal(t, int64(920_000), r.num(append(a, "realtimePrice", "usdCentPrice", "base")...))
	// 50,000 USD/BTC = 0.05 cents/sat = 0.046 euro cents/sat (offset 12).
	assert.Equal(t, int64(46_000_000_000), r.num(append(a, "realtimePrice", "btcSatPrice", "base")...))

	// A send recorded now shows its display amount in euros.
	r = call(t, f.srv, f.aliceK, mIntraPay, map[string]any{"in": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.BTCWalletID, "amount": 10_000}})
	require.Equal(t, "SUCCESS", r.str("data", "intraLedgerPaymentSend", "status"), r.Raw)
	r = call(t, f.srv, f.aliceK, `{ me { defaultAccount { transactions(first: 1) { edges { node { settlementDisplayAmount settlementDisplayCurrency settlementPrice { base offset } } } } } } }`, nil)
	n := []any{"data", "me", "defaultAccount", "transactions", "edges", 0, "node"}
	assert.Equal(t, "EUR", r.str(append(n, "settlementDisplayCurrency")...))
	assert.Equal(t, "-4.60", r.str(append(n, "settlementDisplayAmount")...)) // 10,000 sats = 5.00 USD = 4.60 EUR
	// Bob still sees dollars.
	r = call(t, f.srv, f.bobKey, `{ me { defaultAccount { transactions(first: 1) { edges { node { settlementDisplayAmount settlementDisplayCurrency } } } } } }`, nil)
	assert.Equal(t, "USD", r.str(append(n, "settlementDisplayCurrency")...))
	assert.Equal(t, "5.00", r.str(append(n, "settlementDisplayAmount")...))
}

func TestDisplayCurrency_UnknownAndMalformedAnswerAsProduction(t *testing.T) {
	f := newPricedFixture(t)
	r := call(t, f.srv, f.aliceK, mDisplayCurrency, map[string]any{"c": "XYZ"})
	assert.Equal(t, "INVALID_INPUT", r.str("data", "accountUpdateDisplayCurrency", "errors", 0, "code"))
	assert.Equal(t, "Invalid currency.", r.str("data", "accountUpdateDisplayCurrency", "errors", 0, "message"))
	r = call(t, f.srv, f.aliceK, mDisplayCurrency, map[string]any{"c": "EURO1"})
	assert.Nil(t, r.get("data", "accountUpdateDisplayCurrency", "errors", 0, "code"))
	assert.Equal(t, "Invalid value for DisplayCurrency", r.str("data", "accountUpdateDisplayCurrency", "errors", 0, "message"))
	r = call(t, f.srv, f.aliceK, qMe, nil)
	assert.Equal(t, "USD", r.str("data", "me", "defaultAccount", "displayCurrency"))
}

func TestDefaultWallet_ChangeIsUsedByLaterCalls(t *testing.T) {
	f := newPricedFixture(t)
	r := call(t, f.srv, f.aliceK, mDefaultWallet, map[string]any{"w": f.alice.USDWalletID})
	require.Empty(t, r.get("data", "accountUpdateDefaultWalletId", "errors"), r.Raw)
	assert.Equal(t, "USD", r.str("data", "accountUpdateDefaultWalletId", "account", "defaultWallet", "currency"))
	r = call(t, f.srv, "", `{ accountDefaultWallet(username: "alice") { id } userDefaultWalletId(username: "alice") }`, nil)
	assert.Equal(t, f.alice.USDWalletID, r.str("data", "accountDefaultWallet", "id"))
	assert.Equal(t, f.alice.USDWalletID, r.str("data", "userDefaultWalletId"))

	r = call(t, f.srv, f.aliceK, mDefaultWallet, map[string]any{"w": f.bob.BTCWalletID})
	assert.Equal(t, "INVALID_INPUT", r.str("data", "accountUpdateDefaultWalletId", "errors", 0, "code"))
	assert.Equal(t, "Invalid walletId for account.", r.str("data", "accountUpdateDefaultWalletId", "errors", 0, "message"))
}

func TestUsername_SetOnceUniqueAndValidated(t *testing.T) {
	f := newPricedFixture(t)
	nameless := f.srv.CreateAccount(blinktest.AccountOptions{NoUsername: true})
	k := f.srv.CreateAPIKey(nameless.ID, blinktest.KeyOptions{})

	r := call(t, f.srv, "", `{ a: usernameAvailable(username: "carol") b: usernameAvailable(username: "Alice") }`, nil)
	assert.Equal(t, true, r.get("data", "a"))
	assert.Equal(t, false, r.get("data", "b"))

	for _, bad := range []string{"1abc", "3abc", "_abc", "bc1qabc", "lnbc1abc", "123", "ab"} {
		r = call(t, f.srv, k, mUsername, map[string]any{"u": bad})
		assert.Equal(t, "Invalid value for Username", r.str("data", "userUpdateUsername", "errors", 0, "message"), bad)
		assert.Nil(t, r.get("data", "userUpdateUsername", "errors", 0, "code"), bad)
	}
	r = call(t, f.srv, k, mUsername, map[string]any{"u": "ALICE"})
	assert.Equal(t, "USERNAME_ERROR", r.str("data", "userUpdateUsername", "errors", 0, "code"))
	assert.Equal(t, "username not available", r.str("data", "userUpdateUsername", "errors", 0, "message"))

	r = call(t, f.srv, k, mUsername, map[string]any{"u": "Carol"})
	require.Empty(t, r.get("data", "userUpdateUsername", "errors"), r.Raw)
	assert.Equal(t, "carol", r.str("data", "userUpdateUsername", "user", "username"))
	r = call(t, f.srv, "", `{ usernameAvailable(username: "carol") accountDefaultWallet(username: "carol") { id } }`, nil)
	assert.Equal(t, false, r.get("data", "usernameAvailable"))
	assert.Equal(t, nameless.DefaultWalletID, r.str("data", "accountDefaultWallet", "id"))

	r = call(t, f.srv, k, mUsername, map[string]any{"u": "dave"})
	assert.Equal(t, "USERNAME_ERROR", r.str("data", "userUpdateUsername", "errors", 0, "code"))
	assert.Equal(t, "username is immutable", r.str("data", "userUpdateUsername", "errors", 0, "message"))
	assert.Equal(t, "carol", r.str("data", "userUpdateUsername", "user", "username"))
}

func TestLanguageAndNotificationSettings_AreStored(t *testing.T) {
	f := newPricedFixture(t)
	r := call(t, f.srv, f.aliceK, mLanguage, map[string]any{"l": "es-MX"})
	require.Empty(t, r.get("data", "userUpdateLanguage", "errors"), r.Raw)
	r = call(t, f.srv, f.aliceK, mLanguage, map[string]any{"l": "klingon!"})
	assert.Equal(t, "Invalid value for Language", r.str("data", "userUpdateLanguage", "errors", 0, "message"))

	ns := `notificationSettings { push { enabled disabledCategories } }`
	r = call(t, f.srv, f.aliceK, `{ me { language defaultAccount { `+ns+` } } }`, nil)
	assert.Equal(t, "es-MX", r.str("data", "me", "language"))
	assert.Equal(t, true, r.get("data", "me", "defaultAccount", "notificationSettings", "push", "enabled"))
	assert.Equal(t, []any{}, r.get("data", "me", "defaultAccount", "notificationSettings", "push", "disabledCategories"))

	r = call(t, f.srv, f.aliceK, `mutation { accountDisableNotificationCategory(input: {category: "Marketing"}) { errors { message } account { `+ns+` } } }`, nil)
	assert.Equal(t, []any{"Marketing"}, r.get("data", "accountDisableNotificationCategory", "account", "notificationSettings", "push", "disabledCategories"))
	r = call(t, f.srv, f.aliceK, `mutation { accountDisableNotificationChannel(input: {channel: PUSH}) { errors { message } account { `+ns+` } } }`, nil)
	assert.Equal(t, false, r.get("data", "accountDisableNotificationChannel", "account", "notificationSettings", "push", "enabled"))
	r = call(t, f.srv, f.aliceK, `mutation { accountEnableNotificationCategory(input: {category: "Marketing", channel: PUSH}) { errors { message } account { `+ns+` } } }`, nil)
	assert.Equal(t, []any{}, r.get("data", "accountEnableNotificationCategory", "account", "notificationSettings", "push", "disabledCategories"))
	r = call(t, f.srv, f.aliceK, `mutation { accountEnableNotificationChannel(input: {channel: PUSH}) { errors { message } account { `+ns+` } } }`, nil)
	assert.Equal(t, true, r.get("data", "accountEnableNotificationChannel", "account", "notificationSettings", "push", "enabled"))
	r = call(t, f.srv, f.aliceK, `mutation { accountDisableNotificationCategory(input: {category: "Spam"}) { errors { code message } } }`, nil)
	assert.Equal(t, "INVALID_INPUT", r.str("data", "accountDisableNotificationCategory", "errors", 0, "code"))
	assert.Equal(t, "Invalid notification category: Spam", r.str("data", "accountDisableNotificationCategory", "errors", 0, "message"))
}

func TestAccountLimits_ByLevelAndReduceBySends(t *testing.T) {
	f := newPricedFixture(t) // level ONE: 1,000 USD withdrawal, 2,000 intraledger, 50,000 conversion
	r := call(t, f.srv, f.aliceK, qLimits, nil)
	l := []any{"data", "me", "defaultAccount", "limits"}
	assert.Equal(t, "OneDayAccountLimit", r.str(append(l, "withdrawal", 0, "__typename")...))
	assert.Equal(t, int64(86_400), r.num(append(l, "withdrawal", 0, "interval")...))
	assert.Equal(t, int64(100_000), r.num(append(l, "withdrawal", 0, "totalLimit")...))
	assert.Equal(t, int64(100_000), r.num(append(l, "withdrawal", 0, "remainingLimit")...))
	assert.Equal(t, int64(200_000), r.num(append(l, "internalSend", 0, "remainingLimit")...))

	// 10,000 sats to Bob (5.00 USD) and 2,000 cents to her own BTC wallet.
	call(t, f.srv, f.aliceK, mIntraPay, map[string]any{"in": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.BTCWalletID, "amount": 10_000}})
	r = call(t, f.srv, f.aliceK, `mutation($in: IntraLedgerUsdPaymentSendInput!) { intraLedgerUsdPaymentSend(input: $in) { status errors { message } } }`,
		map[string]any{"in": map[string]any{"walletId": f.alice.USDWalletID, "recipientWalletId": f.alice.BTCWalletID, "amount": 2_000}})
	require.Equal(t, "SUCCESS", r.str("data", "intraLedgerUsdPaymentSend", "status"), r.Raw)
	r = call(t, f.srv, f.aliceK, qLimits, nil)
	assert.Equal(t, int64(100_000), r.num(append(l, "withdrawal", 0, "remainingLimit")...))
	assert.Equal(t, int64(199_500), r.num(append(l, "internalSend", 0, "remainingLimit")...))
	assert.Equal(t, int64(4_998_000), r.num(append(l, "convert", 0, "remainingLimit")...))
}

func TestWindDownRestrictionsMigration_SettableAndNullByDefault(t *testing.T) {
	f := newPricedFixture(t)
	q := `{ windDown { status receiveDisabledAt finalDeadline gateArmsAt timezone } custodialRestrictions { dollarBalance transfer }
  migration { status transferPaymentHash preview { balanceSats feeSats feeCoveredByBlink receiveSats } } }`
	r := call(t, f.srv, f.aliceK, q, nil)
	assert.Nil(t, r.get("data", "windDown"))
	assert.Equal(t, map[string]any{"dollarBalance": false, "transfer": false}, r.get("data", "custodialRestrictions"))
	assert.Equal(t, "NOT_STARTED", r.str("data", "migration", "status"))
	assert.Nil(t, r.get("data", "migration", "transferPaymentHash"))
	assert.Equal(t, int64(1_000_000+200_000), r.num("data", "migration", "preview", "balanceSats")) // 100 USD = 200,000 sats

	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	f.srv.SetWindDown(f.alice.ID, &blinktest.WindDown{Status: "RECEIVE_DISABLED", ReceiveDisabledAt: at, GateArmsAt: at.AddDate(0, 1, 0), FinalDeadline: at.AddDate(0, 2, 0), Timezone: "America/El_Salvador"})
	f.srv.SetCustodialRestrictions(f.alice.ID, blinktest.CustodialRestrictions{DollarBalance: true})
	f.srv.SetMigration(f.alice.ID, blinktest.Migration{Status: "IN_PROGRESS", FeeSats: 500})
	r = call(t, f.srv, f.aliceK, q, nil)
	assert.Equal(t, "RECEIVE_DISABLED", r.str("data", "windDown", "status"))
	assert.Equal(t, at.Unix(), r.num("data", "windDown", "receiveDisabledAt"))
	assert.Equal(t, "America/El_Salvador", r.str("data", "windDown", "timezone"))
	assert.Equal(t, true, r.get("data", "custodialRestrictions", "dollarBalance"))
	assert.Equal(t, "IN_PROGRESS", r.str("data", "migration", "status"))
	assert.Equal(t, int64(1_200_000-500), r.num("data", "migration", "preview", "receiveSats"))
	// Bob is not affected; a READ-less key is refused as production does.
	r = call(t, f.srv, f.bobKey, q, nil)
	assert.Nil(t, r.get("data", "windDown"))
	wk := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"WRITE"}})
	r = call(t, f.srv, wk, `{ windDown { status } }`, nil)
	assert.Contains(t, r.str("errors", 0, "message"), "not authorized to read data")

	f.srv.SetWindDown(f.alice.ID, nil)
	r = call(t, f.srv, f.aliceK, `{ windDown { status } }`, nil)
	assert.Nil(t, r.get("data", "windDown"))
}

func TestContacts_EmptyThenAddedByIntraledgerPaymentsAndContactCreate(t *testing.T) {
	f := newPricedFixture(t)
	r := call(t, f.srv, f.aliceK, qContacts, nil)
	assert.Equal(t, []any{}, r.get("data", "me", "contacts"))

	call(t, f.srv, f.aliceK, mIntraPay, map[string]any{"in": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.BTCWalletID, "amount": 1_000}})
	// Paying Bob's invoice settles intraledger too: a second transaction.
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 500)
	require.Equal(t, "SUCCESS", pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr).str("data", "lnInvoicePaymentSend", "status"))
	r = call(t, f.srv, f.aliceK, qContacts, nil)
	c := []any{"data", "me", "contacts", 0}
	assert.Equal(t, "bob", r.str(append(c, "handle")...))
	assert.Equal(t, "bob", r.str(append(c, "id")...))
	assert.Equal(t, "bob", r.str(append(c, "alias")...))
	assert.Equal(t, int64(2), r.num(append(c, "transactionsCount")...))
	assert.Len(t, r.get(append(c, "transactions", "edges")...), 2)
	r = call(t, f.srv, f.bobKey, qContacts, nil)
	assert.Equal(t, "alice", r.str(append(c, "handle")...))

	r = call(t, f.srv, f.aliceK, mContactAlias, map[string]any{"u": "bob", "a": "Bobby"})
	require.Empty(t, r.get("data", "userContactUpdateAlias", "errors"), r.Raw)
	assert.Equal(t, "Bobby", r.str("data", "userContactUpdateAlias", "contact", "alias"))
	r = call(t, f.srv, f.aliceK, mContactAlias, map[string]any{"u": "bob", "a": "Bob Smith"})
	assert.Equal(t, "INVALID_INPUT", r.str("data", "userContactUpdateAlias", "errors", 0, "code"))
	assert.Equal(t, "ContactAlias has incorrect characters or length", r.str("data", "userContactUpdateAlias", "errors", 0, "message"))
	r = call(t, f.srv, f.aliceK, mContactAlias, map[string]any{"u": "bob", "a": "B1"})
	assert.Equal(t, "Invalid value for ContactAlias", r.str("data", "userContactUpdateAlias", "errors", 0, "message"))
	r = call(t, f.srv, f.aliceK, mContactAlias, map[string]any{"u": "zed", "a": "Zedd"})
	assert.Equal(t, "NOT_FOUND", r.str("data", "userContactUpdateAlias", "errors", 0, "code"))
	assert.Equal(t, "Contact not found for accountId "+f.alice.ID, r.str("data", "userContactUpdateAlias", "errors", 0, "message"))

	r = call(t, f.srv, f.aliceK, mContactCreate, map[string]any{"in": map[string]any{"handle": "zed@example.com", "displayName": "Zedd", "type": "LNADDRESS"}})
	require.Empty(t, r.get("data", "contactCreate", "errors"), r.Raw)
	assert.Equal(t, "LNADDRESS", r.str("data", "contactCreate", "contact", "type"))
	assert.Equal(t, int64(1), r.num("data", "contactCreate", "contact", "transactionsCount"))
	assert.Regexp(t, `^[0-9a-f-]{36}$`, r.str("data", "contactCreate", "contact", "id"))
	r = call(t, f.srv, f.aliceK, mContactCreate, map[string]any{"in": map[string]any{"handle": "not a handle", "type": "INTRALEDGER"}})
	assert.Equal(t, "Invalid value for Handle", r.str("data", "contactCreate", "errors", 0, "message"))
	r = call(t, f.srv, f.aliceK, `{ me { contactByUsername(username: "bob") { alias } } }`, nil)
	assert.Equal(t, "Bobby", r.str("data", "me", "contactByUsername", "alias"))
	r = call(t, f.srv, f.aliceK, `{ me { contactByUsername(username: "nobody") { alias } } }`, nil)
	assert.Contains(t, r.str("errors", 0, "message"), "NoContactForUsernameError")
}

func TestPublicPriceData_HistoryEstimationPayoutSpeeds(t *testing.T) {
	f := newPricedFixture(t) // 50,000 USD per BTC
	r := call(t, f.srv, "", `{ btcPriceList(range: ONE_DAY) { timestamp price { base offset currencyUnit formattedAmount } } }`, nil)
	pts, _ := r.get("data", "btcPriceList").([]any)
	require.Len(t, pts, 24, r.Raw)
	assert.Equal(t, int64(5_000_000*10_000), r.num("data", "btcPriceList", 23, "price", "base"))
	assert.Equal(t, int64(4), r.num("data", "btcPriceList", 23, "price", "offset"))
	assert.Equal(t, "USDCENT", r.str("data", "btcPriceList", 23, "price", "currencyUnit"))
	assert.Equal(t, int64(3600), r.num("data", "btcPriceList", 23, "timestamp")-r.num("data", "btcPriceList", 22, "timestamp"))

	r = call(t, f.srv, "", `{ e: currencyConversionEstimation(amount: 4.6, currency: "EUR") { btcSatAmount usdCentAmount } u: currencyConversionEstimation(amount: 1, currency: "USD") { btcSatAmount usdCentAmount } }`, nil)
	assert.Equal(t, int64(500), r.num("data", "e", "usdCentAmount"), r.Raw)
	assert.Equal(t, int64(10_000), r.num("data", "e", "btcSatAmount"))
	assert.Equal(t, int64(2_000), r.num("data", "u", "btcSatAmount"))
	r = call(t, f.srv, "", `{ currencyConversionEstimation(amount: 1, currency: "XYZ") { btcSatAmount } }`, nil)
	assert.Equal(t, "Invalid currency.", r.str("errors", 0, "message"))

	r = call(t, f.srv, "", `{ payoutSpeeds { speed displayName description } }`, nil)
	assert.Equal(t, []any{
		map[string]any{"speed": "FAST", "displayName": "Priority", "description": "Estimated broadcast ~10 minutes"},
		map[string]any{"speed": "MEDIUM", "displayName": "Standard", "description": "Estimated broadcast ~1 hour"},
		map[string]any{"speed": "SLOW", "displayName": "Flexible", "description": "Estimated broadcast ~24 hours"},
	}, r.get("data", "payoutSpeeds"))
}

func TestAccountRealtimePrice_InTheDisplayCurrency(t *testing.T) {
	f := newPricedFixture(t)
	call(t, f.srv, f.aliceK, mDisplayCurrency, map[string]any{"c": "EUR"})
	r := call(t, f.srv, f.aliceK, `{ me { defaultAccount { realtimePrice { denominatorCurrencyDetails { id symbol } } } } }`, nil)
	assert.Equal(t, "€", r.str("data", "me", "defaultAccount", "realtimePrice", "denominatorCurrencyDetails", "symbol"))
}

func TestMyUpdates_NoPriceEventOnceTheDisplayCurrencyIsNotUSD(t *testing.T) {
	f := newPricedFixture(t)
	call(t, f.srv, f.bobKey, mDisplayCurrency, map[string]any{"c": "EUR"})
	w := dialWS(t, f.srv, f.bobKey)
	w.subscribe("u", `subscription { myUpdates { update { __typename
  ... on RealtimePrice { denominatorCurrencyDetails { id } }
  ... on IntraLedgerUpdate { amount } } } }`, nil)
	// my-updates.ts:310-319 upstream: Price only for USD; RealtimePrice in
	// the account's currency.
	d := w.next()
	assert.Equal(t, "RealtimePrice", get(d, "myUpdates", "update", "__typename"))
	assert.Equal(t, "EUR", get(d, "myUpdates", "update", "denominatorCurrencyDetails", "id"))
	call(t, f.srv, f.aliceK, mIntraPay, map[string]any{"in": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.BTCWalletID, "amount": 5}})
	assert.Equal(t, "IntraLedgerUpdate", get(w.next(), "myUpdates", "update", "__typename"))
}

func TestWindDown_ReceiveDisabledRefusesReceiptsAsProduction(t *testing.T) {
	f := newPricedFixture(t)
	f.srv.SetWindDown(f.bob.ID, &blinktest.WindDown{Status: "PRE_CUTOFF"})
	createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10) // still receives
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)

	f.srv.SetWindDown(f.bob.ID, &blinktest.WindDown{Status: "RECEIVE_DISABLED"})
	const msg = "This account can no longer receive payments. If this is your account, please update the Blink app to migrate your funds."
	r := call(t, f.srv, f.bobKey, mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID, "amount": 10}})
	assert.Equal(t, "RECEIVE_DISABLED", r.str("data", "lnInvoiceCreate", "errors", 0, "code"), r.Raw)
	assert.Equal(t, msg, r.str("data", "lnInvoiceCreate", "errors", 0, "message"))
	r = call(t, f.srv, "", `mutation($w: WalletId!) { lnInvoiceCreateOnBehalfOfRecipient(input: {recipientWalletId: $w, amount: 10}) { errors { code } } }`, map[string]any{"w": f.bob.BTCWalletID})
	assert.Equal(t, "RECEIVE_DISABLED", r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors", 0, "code"), r.Raw)
	r = call(t, f.srv, f.bobKey, `mutation($w: WalletId!) { onChainAddressCreate(input: {walletId: $w}) { errors { code } } }`, map[string]any{"w": f.bob.BTCWalletID})
	assert.Equal(t, "RECEIVE_DISABLED", r.str("data", "onChainAddressCreate", "errors", 0, "code"), r.Raw)
	r = call(t, f.srv, f.aliceK, mIntraPay, map[string]any{"in": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.BTCWalletID, "amount": 5}})
	assert.Equal(t, "FAILURE", r.str("data", "intraLedgerPaymentSend", "status"))
	assert.Equal(t, "RECEIVE_DISABLED", r.str("data", "intraLedgerPaymentSend", "errors", 0, "code"))
	r = pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)
	assert.Equal(t, "FAILURE", r.str("data", "lnInvoicePaymentSend", "status"), r.Raw)
	assert.Equal(t, "RECEIVE_DISABLED", r.str("data", "lnInvoicePaymentSend", "errors", 0, "code"))
	assert.Equal(t, int64(500_000), f.srv.Balance(f.bob.BTCWalletID), "nothing arrived")
	// Bob can still send.
	r = call(t, f.srv, f.bobKey, mIntraPay, map[string]any{"in": map[string]any{"walletId": f.bob.BTCWalletID, "recipientWalletId": f.alice.BTCWalletID, "amount": 5}})
	assert.Equal(t, "SUCCESS", r.str("data", "intraLedgerPaymentSend", "status"), r.Raw)
}
