package testserver_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestNoKeyAuthenticatedFieldIsNullWithNotAuthorizedAndPublicFieldsResolve(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, "", `query { globals { network } me { id } }`, nil)
	require.Equal(t, 200, r.Status)
	assert.Equal(t, "regtest", r.str("data", "globals", "network"))
	assert.Nil(t, r.get("data", "me"))
	assert.Equal(t, "Not authorized", r.str("errors", 0, "message"))
	assert.Equal(t, []any{"me"}, r.get("errors", 0, "path"))
	assert.Nil(t, r.get("errors", 0, "extensions"), "the router leaves message and path only")
	assert.Nil(t, r.get("errors", 0, "code"))
}

func TestTopLevelErrorsCarryNoCodeAsTheRouterDropsIt(t *testing.T) {
	f := newFixture(t)
	key := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"WRITE"}})
	for _, r := range []response{
		call(t, f.srv, "", `query { globals { network } me { id } }`, nil),
		call(t, f.srv, key, qMe, nil),
		call(t, f.srv, f.aliceK, `{ me { defaultAccount { transactions(first: 0) { edges { cursor } } } } }`, nil),
	} {
		require.Equal(t, 200, r.Status)
		errs, _ := r.get("errors").([]any)
		require.Len(t, errs, 1, r.Raw)
		e := errs[0].(map[string]any)
		assert.NotEmpty(t, e["message"])
		assert.NotContains(t, e, "code", r.Raw)
		assert.NotContains(t, e, "extensions", r.Raw)
	}
}

func TestTopLevelErrorsWithRawAPIErrorsCarryTheirCode(t *testing.T) {
	f := newFixture(t, blinktest.WithRawAPIErrors())
	r := call(t, f.srv, "", `query { globals { network } me { id } }`, nil)
	assert.Equal(t, "Not authorized", r.str("errors", 0, "message"))
	assert.Equal(t, "NOT_AUTHORIZED", r.str("errors", 0, "extensions", "code"))
	assert.Equal(t, "NOT_AUTHORIZED", r.str("errors", 0, "code"))
	assert.Equal(t, []any{"me"}, r.get("errors", 0, "path"))
}

func TestNoKeyMutationNeedingAKeyIsNotAuthorized(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, "", mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 10}})
	require.Equal(t, 200, r.Status)
	assert.Nil(t, r.get("data"))
	assert.Equal(t, "Not authorized", r.str("errors", 0, "message"))
}

func TestUnknownKeyIs401WithNonGraphQLBody(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, "galoy_dev_"+strings.Repeat("x", 64), qGlobals, nil)
	assert.Equal(t, 401, r.Status)
	assert.JSONEq(t, `{"error":{"code":401,"status":"Unauthorized","message":"Access credentials are invalid"}}`, r.Raw)
}

func TestKeyWithoutReadCannotQueryMe(t *testing.T) {
	f := newFixture(t)
	key := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"WRITE"}})
	r := call(t, f.srv, key, qMe, nil)
	require.Equal(t, 200, r.Status)
	assert.Nil(t, r.get("data", "me"))
	msg := r.str("errors", 0, "message")
	assert.True(t, strings.HasSuffix(msg, "not authorized to read data)"), msg)
	assert.Equal(t, "Unexpected error occurred, please try again or contact support if it persists (code: AuthorizationError: not authorized to read data)", msg)
	assert.Nil(t, r.get("errors", 0, "code"))

	raw := newFixture(t, blinktest.WithRawAPIErrors())
	key = raw.srv.CreateAPIKey(raw.alice.ID, blinktest.KeyOptions{Scopes: []string{"WRITE"}})
	r = call(t, raw.srv, key, qMe, nil)
	assert.Equal(t, "UNEXPECTED_CLIENT_ERROR", r.str("errors", 0, "extensions", "code"))
	assert.Equal(t, "UNEXPECTED_CLIENT_ERROR", r.str("errors", 0, "code"))
}

func TestReadOnlyKeyCannotCreateInvoicesOrPay(t *testing.T) {
	f := newFixture(t)
	key := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"READ"}})
	r := call(t, f.srv, key, mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 10}})
	assert.Nil(t, r.get("data"))
	assert.True(t, strings.HasSuffix(r.str("errors", 0, "message"), "not authorized to execute mutations)"), r.Raw)
	assert.Equal(t, 0, f.srv.Executions("LnInvoiceCreate"))
}

func TestReceiveKeyCreatesInvoicesButCannotPay(t *testing.T) {
	f := newFixture(t)
	key := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"RECEIVE"}})
	createInvoice(t, f.srv, key, f.alice.BTCWalletID, 10)
	pr, _ := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	r := pay(t, f.srv, key, f.alice.BTCWalletID, pr)
	assert.True(t, strings.HasSuffix(r.str("errors", 0, "message"), "not authorized to execute mutations)"), r.Raw)
	assert.Equal(t, int64(1_000_000), f.srv.Balance(f.alice.BTCWalletID))
}

func TestWriteKeyImpliesReceiveButNotRead(t *testing.T) {
	f := newFixture(t)
	key := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"WRITE"}})
	createInvoice(t, f.srv, key, f.alice.BTCWalletID, 10)
	r := call(t, f.srv, key, `query { authorization { scopes } }`, nil)
	assert.True(t, strings.HasSuffix(r.str("errors", 0, "message"), "not authorized to read data)"), r.Raw)
}

func TestAuthorizationReportsTheKeysScopes(t *testing.T) {
	f := newFixture(t)
	key := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"READ", "RECEIVE"}})
	r := call(t, f.srv, key, `query Authorization { authorization { scopes } }`, nil)
	assert.Equal(t, []any{"READ", "RECEIVE"}, r.get("data", "authorization", "scopes"))
}

func TestKeysHaveThePrefixAnd64LettersAndDigits(t *testing.T) {
	srv := blinktest.New(t)
	a := srv.CreateAccount(blinktest.AccountOptions{})
	key := srv.CreateAPIKey(a.ID, blinktest.KeyOptions{})
	require.True(t, strings.HasPrefix(key, "galoy_dev_"))
	assert.Regexp(t, `^[A-Za-z0-9]{64}$`, strings.TrimPrefix(key, "galoy_dev_"))

	srv2 := blinktest.New(t, blinktest.WithKeyPrefix("blink_"))
	b := srv2.CreateAccount(blinktest.AccountOptions{})
	assert.True(t, strings.HasPrefix(srv2.CreateAPIKey(b.ID, blinktest.KeyOptions{}), "blink_"))
}

func TestMeReportsUserAccountAndDefaultWallet(t *testing.T) {
	srv := blinktest.New(t)
	a := srv.CreateAccount(blinktest.AccountOptions{Username: "carol", Level: "TWO", DefaultCurrency: "USD"})
	key := srv.CreateAPIKey(a.ID, blinktest.KeyOptions{})
	r := call(t, srv, key, qMe, nil)
	assert.Equal(t, a.UserID, r.str("data", "me", "id"))
	assert.Equal(t, "carol", r.str("data", "me", "username"))
	assert.Equal(t, a.ID, r.str("data", "me", "defaultAccount", "id"))
	assert.Equal(t, "TWO", r.str("data", "me", "defaultAccount", "level"))
	assert.Equal(t, "USD", r.str("data", "me", "defaultAccount", "displayCurrency"))
	assert.Equal(t, a.USDWalletID, r.str("data", "me", "defaultAccount", "defaultWallet", "id"))
	assert.Equal(t, "USD", r.str("data", "me", "defaultAccount", "defaultWallet", "currency"))
}

func TestWalletErrorsComeBeforeScopeErrors(t *testing.T) {
	f := newFixture(t)
	key := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"READ"}})
	r := call(t, f.srv, key, mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": f.bob.BTCWalletID, "amount": 10}})
	assert.Equal(t, "Unexpected error occurred, please try again or contact support if it persists (code: InvalidWalletForAccountError)",
		r.str("data", "lnInvoiceCreate", "errors", 0, "message"), r.Raw)
	r = call(t, f.srv, key, mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 10}})
	assert.True(t, strings.HasSuffix(r.str("errors", 0, "message"), "not authorized to execute mutations)"), r.Raw)
}

func TestInvalidDocumentsAre400WithoutData(t *testing.T) {
	f := newFixture(t)
	r := call(t, f.srv, f.aliceK, `query { me { nope } }`, nil)
	assert.Equal(t, 400, r.Status)
	assert.Equal(t, "GRAPHQL_VALIDATION_FAILED", r.str("errors", 0, "extensions", "code"))
	_, hasData := r.Body["data"]
	assert.False(t, hasData, r.Raw)
	r = call(t, f.srv, f.aliceK, `query { me { `, nil)
	assert.Equal(t, 400, r.Status)
	assert.Equal(t, "GRAPHQL_PARSE_FAILED", r.str("errors", 0, "extensions", "code"))

	raw := newFixture(t, blinktest.WithRawAPIErrors())
	r = call(t, raw.srv, raw.aliceK, `query { me { `, nil)
	assert.Equal(t, 400, r.Status)
	assert.Equal(t, "GRAPHQL_PARSE_FAILED", r.str("errors", 0, "code"))
}
