package testserver_test

import (
	"encoding/base64"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestSessionMutations_AnswerAnAPIKeyAsTheRealServer(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		doc, field, code, message string
	}{
		{`mutation { migrationStart { errors { code message } } }`, "migrationStart", "MIGRATION_API_KEY_FORBIDDEN", "Migration is not available via API key. Please use a session."},
		{`mutation { userLogout { success errors { code message } } }`, "userLogout", "UNEXPECTED_CLIENT_ERROR", ""},
		{`mutation { userTotpRegistrationInitiate { totpSecret errors { code message } } }`, "userTotpRegistrationInitiate", "UNEXPECTED_CLIENT_ERROR",
			"Unexpected error occurred, please try again or contact support if it persists (code: UnknownKratosError)"},
		{`mutation { captchaCreateChallenge { result { id } errors { code message } } }`, "captchaCreateChallenge", "UNKNOWN_CLIENT_ERROR", "Unknown error occurred (code: UnknownCaptchaError)"},
		{`mutation { supportChatReset { success errors { code message } } }`, "supportChatReset", "UNKNOWN_CLIENT_ERROR", "Unknown error occurred (code: UnknownChatAssistantError)"},
		{`mutation { quizClaim(input: {id: "q"}) { quizzes { id } errors { code message } } }`, "quizClaim", "INVALID_INPUT", "Invalid quiz question id was passed."},
	} {
		r := call(t, f.srv, f.aliceK, c.doc, nil)
		assert.Equal(t, c.code, r.str("data", c.field, "errors", 0, "code"), r.Raw)
		assert.Equal(t, c.message, r.str("data", c.field, "errors", 0, "message"), c.field)
	}

	ok := call(t, f.srv, f.aliceK, `mutation { feedbackSubmit(input: {feedback: "nice"}) { success errors { message } } }`, nil)
	assert.Equal(t, true, ok.get("data", "feedbackSubmit", "success"), ok.Raw)

	ack := call(t, f.srv, f.aliceK, `mutation { statefulNotificationAcknowledge(input: {notificationId: "n"}) { notification { id } } }`, nil)
	assert.Nil(t, ack.get("data"), ack.Raw)
	assert.NotEmpty(t, ack.str("errors", 0, "message"))

	reader := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"READ"}})
	denied := call(t, f.srv, reader, `mutation { userLogout { success } }`, nil)
	assert.Equal(t, "Unexpected error occurred, please try again or contact support if it persists (code: AuthorizationError: not authorized to execute mutations)",
		denied.str("errors", 0, "message"), "the scope check comes first")
}

func TestPublicMiscQueries_AnswerAsTheRealServer(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, "", `{ regionCheck { countryCode restricted custodialCreationAllowed } mobileVersions { platform currentSupported minSupported } businessMapMarkers { username } }`, nil)
	require.Nil(t, r.get("errors"), r.Raw)
	assert.Nil(t, r.get("data", "regionCheck", "countryCode"), "a loopback address has no country")
	assert.Equal(t, false, r.get("data", "regionCheck", "restricted"))
	assert.Equal(t, true, r.get("data", "regionCheck", "custodialCreationAllowed"))
	assert.Equal(t, "android", r.str("data", "mobileVersions", 0, "platform"))
	assert.Equal(t, int64(362), r.num("data", "mobileVersions", 1, "minSupported"))

	m := `mutation($input: MerchantMapSuggestInput!) { merchantMapSuggest(input: $input) { merchant { username title validated } errors { code message } } }`
	sug := call(t, f.srv, "", m, map[string]any{"input": map[string]any{"username": "bob", "title": "Bob's", "latitude": 1.5, "longitude": 2.5}})
	assert.Equal(t, "bob", sug.str("data", "merchantMapSuggest", "merchant", "username"), sug.Raw)
	assert.Equal(t, false, sug.get("data", "merchantMapSuggest", "merchant", "validated"))
	far := call(t, f.srv, "", m, map[string]any{"input": map[string]any{"username": "bob", "title": "Bob's", "latitude": 91, "longitude": 2.5}})
	assert.Equal(t, "INVALID_COORDINATES", far.str("data", "merchantMapSuggest", "errors", 0, "code"))
	nobody := call(t, f.srv, "", m, map[string]any{"input": map[string]any{"username": "nobody", "title": "Bob's", "latitude": 1, "longitude": 2}})
	assert.Equal(t, "Account does not exist for username nobody", nobody.str("data", "merchantMapSuggest", "errors", 0, "message"))
}

func TestCSVTransactions_ExportTheLedgerWithTheRealColumns(t *testing.T) {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 21)
	require.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)))
	r := call(t, f.srv, f.bobKey, `query($w: [WalletId!]!) { me { defaultAccount { csvTransactions(walletIds: $w) } } }`, map[string]any{"w": []string{f.bob.BTCWalletID}})
	b, err := base64.StdEncoding.DecodeString(r.str("data", "me", "defaultAccount", "csvTransactions"))
	require.NoError(t, err, r.Raw)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, "id", rows[0][0])
	assert.Equal(t, "displayCurrency", rows[0][len(rows[0])-1])
	col := map[string]string{}
	for i, h := range rows[0] {
		col[h] = rows[1][i]
	}
	assert.Equal(t, "21", col["credit"])
	assert.Equal(t, hash, col["paymentHash"])
	assert.Equal(t, "BTC", col["currency"])
}

func TestPriceSubscription_PricesSatsInCentsAndRefusesWhatItDoesNotSupport(t *testing.T) {
	srv := blinktest.New(t, blinktest.WithPrice(10_000_000)) // 0.1 cent a sat
	w := dialWS(t, srv, "")
	sub := `subscription($input: PriceInput!) { price(input: $input) { errors { message } price { base offset currencyUnit formattedAmount } } }`
	w.subscribe("1", sub, map[string]any{"input": map[string]any{"amount": 1000, "amountCurrencyUnit": "BTCSAT", "priceCurrencyUnit": "USDCENT"}})
	got := w.next()
	assert.Equal(t, "100", get(got, "price", "price", "formattedAmount"))
	assert.Equal(t, float64(100_000_000_000_000), get(got, "price", "price", "base"))
	assert.Equal(t, float64(12), get(got, "price", "price", "offset"))
	assert.Equal(t, "USDCENT", get(got, "price", "price", "currencyUnit"))
	srv.SetPrice(20_000_000)
	assert.Equal(t, "200", get(w.next(), "price", "price", "formattedAmount"), "again when the price changes")

	w.subscribe("2", sub, map[string]any{"input": map[string]any{"amount": 1000, "amountCurrencyUnit": "USDCENT", "priceCurrencyUnit": "USDCENT"}})
	assert.Equal(t, "Unsupported exchange unit", get(w.next(), "price", "errors", 0, "message"))
	w.subscribe("3", sub, map[string]any{"input": map[string]any{"amount": 1_000_000, "amountCurrencyUnit": "BTCSAT", "priceCurrencyUnit": "USDCENT"}})
	assert.Equal(t, "Unsupported exchange amount", get(w.next(), "price", "errors", 0, "message"))
}
