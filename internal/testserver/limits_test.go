package testserver_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestInvoiceCreationIsRateLimitedPerAccountThenBlockedFiveMinutes(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithInvoiceRateLimit(3), blinktest.WithClock(clk.Now))
	in := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 1}}
	for range 3 {
		r := call(t, f.srv, f.aliceK, mInvoiceCreate, in)
		require.Empty(t, r.get("data", "lnInvoiceCreate", "errors"), r.Raw)
	}
	r := call(t, f.srv, f.aliceK, mInvoiceCreate, in)
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "TOO_MANY_REQUEST", r.str("data", "lnInvoiceCreate", "errors", 0, "code"))
	assert.Equal(t, "Too many invoices creation, please wait for a while and try again.", r.str("data", "lnInvoiceCreate", "errors", 0, "message"))

	// Another account is not affected.
	createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 1)

	clk.Advance(4 * 60e9)
	assert.Equal(t, "TOO_MANY_REQUEST", call(t, f.srv, f.aliceK, mInvoiceCreate, in).str("data", "lnInvoiceCreate", "errors", 0, "code"), "still blocked")
	clk.Advance(61e9)
	assert.Empty(t, call(t, f.srv, f.aliceK, mInvoiceCreate, in).get("data", "lnInvoiceCreate", "errors"), "block over")
}

func TestOnBehalfOfRecipientNeedsNoKeyAndIsRateLimitedPerRecipient(t *testing.T) {
	f := newFixture(t, blinktest.WithInvoiceRateLimit(2))
	m := `mutation($input: LnInvoiceCreateOnBehalfOfRecipientInput!) { lnInvoiceCreateOnBehalfOfRecipient(input: $input) { invoice { paymentRequest } errors { code message } } }`
	in := map[string]any{"input": map[string]any{"recipientWalletId": f.bob.BTCWalletID, "amount": 5, "webhookUrl": "https://example.invalid/hook"}}
	for range 2 {
		r := call(t, f.srv, "", m, in)
		require.NotEmpty(t, r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "invoice", "paymentRequest"), r.Raw)
	}
	r := call(t, f.srv, "", m, in)
	assert.Equal(t, "TOO_MANY_REQUEST", r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors", 0, "code"))
	createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 1) // bob's own invoices count separately
	r = call(t, f.srv, "", m, map[string]any{"input": map[string]any{"recipientWalletId": f.alice.BTCWalletID, "amount": 5}})
	assert.Empty(t, r.get("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors"), r.Raw)
}

func TestOnBehalfOfRecipientVariantsPayIntoTheRecipientsWallet(t *testing.T) {
	f := newFixture(t)
	usd := `mutation($input: LnUsdInvoiceCreateOnBehalfOfRecipientInput!) { lnUsdInvoiceCreateOnBehalfOfRecipient(input: $input) { invoice { paymentRequest satoshis } errors { message } } }`
	r := call(t, f.srv, "", usd, map[string]any{"input": map[string]any{"recipientWalletId": f.bob.USDWalletID, "amount": 150}})
	require.Equal(t, int64(1500), r.num("data", "lnUsdInvoiceCreateOnBehalfOfRecipient", "invoice", "satoshis"), r.Raw)
	require.NoError(t, f.srv.PayInvoice(r.str("data", "lnUsdInvoiceCreateOnBehalfOfRecipient", "invoice", "paymentRequest")))
	assert.Equal(t, int64(5_000+150), f.srv.Balance(f.bob.USDWalletID))

	btcDen := `mutation($input: LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipientInput!) { lnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient(input: $input) { invoice { paymentRequest satoshis } errors { message } } }`
	r = call(t, f.srv, "", btcDen, map[string]any{"input": map[string]any{"recipientWalletId": f.bob.USDWalletID, "amount": 2000}})
	require.NoError(t, f.srv.PayInvoice(r.str("data", "lnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient", "invoice", "paymentRequest")), r.Raw)
	assert.Equal(t, int64(5_000+150+200), f.srv.Balance(f.bob.USDWalletID))

	noAmt := `mutation($input: LnNoAmountInvoiceCreateOnBehalfOfRecipientInput!) { lnNoAmountInvoiceCreateOnBehalfOfRecipient(input: $input) { invoice { paymentRequest } errors { message } } }`
	r = call(t, f.srv, "", noAmt, map[string]any{"input": map[string]any{"recipientWalletId": f.bob.BTCWalletID}})
	require.NoError(t, f.srv.PayInvoiceAmount(r.str("data", "lnNoAmountInvoiceCreateOnBehalfOfRecipient", "invoice", "paymentRequest"), 99), r.Raw)
	assert.Equal(t, int64(500_000+99), f.srv.Balance(f.bob.BTCWalletID))
}

func twoMutations(f fixture) string {
	return fmt.Sprintf(`mutation Two {
  a: lnInvoiceCreate(input: {walletId: %q, amount: 1}) { errors { message } }
  b: lnInvoiceCreate(input: {walletId: %q, amount: 2}) { errors { message } }
}`, f.alice.BTCWalletID, f.alice.BTCWalletID)
}

var tooComplex = regexp.MustCompile(`^Query too complex\. Value of \d+ is over the maximum 200\.$`)

func TestComplexityErrorAnswersAsTheRouterDoes(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.aliceK, twoMutations(f), nil)
	assert.Equal(t, 200, r.Status)
	data, hasData := r.Body["data"]
	assert.True(t, hasData)
	assert.Nil(t, data)
	errs, _ := r.get("errors").([]any)
	require.Len(t, errs, 2, r.Raw)
	assert.Equal(t, "HTTP fetch failed from 'public': 500: Internal Server Error", r.str("errors", 0, "message"))
	assert.Equal(t, "SUBREQUEST_HTTP_ERROR", r.str("errors", 0, "extensions", "code"))
	assert.Equal(t, float64(500), r.get("errors", 0, "extensions", "http", "status"))
	assert.Regexp(t, tooComplex, r.str("errors", 1, "message"), "the API's own error comes second")
	assert.Nil(t, r.get("errors", 1, "code"))
	assert.Nil(t, r.get("errors", 1, "extensions"))
	assert.Equal(t, 0, f.srv.Executions("lnInvoiceCreate"))
}

func TestTwoMutationsInOneRequestExceedTheComplexityLimit(t *testing.T) {
	f := newFixture(t, blinktest.WithRawAPIErrors())
	r := call(t, f.srv, f.aliceK, twoMutations(f), nil)
	assert.Equal(t, 500, r.Status)
	assert.Regexp(t, tooComplex, r.str("errors", 0, "message"))
	assert.Equal(t, "INTERNAL_SERVER_ERROR", r.str("errors", 0, "code"))
	assert.Nil(t, r.get("data"))
	assert.Equal(t, 0, f.srv.Executions("lnInvoiceCreate"))

	one := call(t, f.srv, f.aliceK, fmt.Sprintf(`mutation { lnInvoiceCreate(input: {walletId: %q, amount: 1}) { errors { message } } }`, f.alice.BTCWalletID), nil)
	assert.Equal(t, 200, one.Status, one.Raw)
	assert.Equal(t, 1, f.srv.Executions("lnInvoiceCreate"))
}

func TestTransactionsPaginateNewestFirstWithIDCursors(t *testing.T) {
	f := newFixture(t)
	for i := 1; i <= 5; i++ {
		pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, int64(i))
		require.Equal(t, "SUCCESS", payStatus(pay(t, f.srv, f.aliceK, f.alice.BTCWalletID, pr)))
	}
	q := `query Transactions($walletIds: [WalletId], $first: Int, $after: String) { me { defaultAccount {
  transactions(walletIds: $walletIds, first: $first, after: $after) { edges { cursor node { id settlementAmount } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } }`
	page := func(vars map[string]any) response { return call(t, f.srv, f.aliceK, q, vars) }
	conn := func(r response, path ...any) any {
		return r.get(append([]any{"data", "me", "defaultAccount", "transactions"}, path...)...)
	}

	r := page(map[string]any{"first": 2})
	assert.Equal(t, float64(-5), conn(r, "edges", 0, "node", "settlementAmount"), r.Raw)
	assert.Equal(t, float64(-4), conn(r, "edges", 1, "node", "settlementAmount"))
	assert.Equal(t, conn(r, "edges", 1, "cursor"), conn(r, "edges", 1, "node", "id"))
	assert.Equal(t, true, conn(r, "pageInfo", "hasNextPage"))
	end := conn(r, "pageInfo", "endCursor")

	r = page(map[string]any{"first": 2, "after": end})
	assert.Equal(t, float64(-3), conn(r, "edges", 0, "node", "settlementAmount"))
	assert.Equal(t, float64(-2), conn(r, "edges", 1, "node", "settlementAmount"))
	r = page(map[string]any{"first": 2, "after": conn(r, "pageInfo", "endCursor")})
	assert.Len(t, conn(r, "edges"), 1)
	assert.Equal(t, false, conn(r, "pageInfo", "hasNextPage"))

	r = page(map[string]any{"walletIds": []string{f.alice.USDWalletID}})
	assert.Empty(t, conn(r, "edges"), "wallet filter")
	r = page(nil)
	assert.Len(t, conn(r, "edges"), 5, "default page size is 100")

	for first, msg := range map[int]string{
		0:   "Requested page size (0) must be greater than 0.",
		101: "Requested page size (101) is greater than max allowed page size 100.",
	} {
		r = page(map[string]any{"first": first})
		assert.Equal(t, msg, r.str("errors", 0, "message"))
		assert.Nil(t, r.get("errors", 0, "extensions"), "no code through the router")
	}
	r = call(t, f.srv, f.aliceK, `{ me { defaultAccount { transactions(first: 1, last: 1) { edges { cursor } } } } }`, nil)
	assert.Equal(t, `Cannot use both "first" and "last".`, r.str("errors", 0, "message"))
}
