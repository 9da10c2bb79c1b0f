package testserver_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

const (
	apiKeyFields = `id name createdAt revoked expired lastUsedAt expiresAt readOnly scopes
    limits { dailyLimitSats weeklyLimitSats monthlyLimitSats annualLimitSats dailySpentSats weeklySpentSats monthlySpentSats annualSpentSats }`
	qAPIKeys       = `query ApiKeys { me { apiKeys { ` + apiKeyFields + ` } } }`
	mAPIKeyCreate  = `mutation ApiKeyCreate($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { apiKey { ` + apiKeyFields + ` } apiKeySecret } }`
	mAPIKeyRevoke  = `mutation ApiKeyRevoke($input: ApiKeyRevokeInput!) { apiKeyRevoke(input: $input) { apiKey { ` + apiKeyFields + ` } } }`
	mAPIKeySetLim  = `mutation ApiKeySetLimit($input: ApiKeySetLimitInput!) { apiKeySetLimit(input: $input) { apiKey { ` + apiKeyFields + ` } } }`
	mAPIKeyRemLim  = `mutation ApiKeyRemoveLimit($input: ApiKeyRemoveLimitInput!) { apiKeyRemoveLimit(input: $input) { apiKey { ` + apiKeyFields + ` } } }`
	mIntraLedgerTo = `mutation IntraLedgerPaymentSend($input: IntraLedgerPaymentSendInput!) { intraLedgerPaymentSend(input: $input) { status errors { code message } } }`
)

func createKey(t *testing.T, srv *blinktest.Server, key string, input map[string]any) (id, secret string, r response) {
	t.Helper()
	r = call(t, srv, key, mAPIKeyCreate, map[string]any{"input": input})
	require.Equal(t, 200, r.Status, r.Raw)
	require.Nil(t, r.get("errors"), r.Raw)
	return r.str("data", "apiKeyCreate", "apiKey", "id"), r.str("data", "apiKeyCreate", "apiKeySecret"), r
}

// A key created through the API is listed, authenticates at once with its
// scopes (the default is READ and WRITE, as upstream), and its lastUsedAt
// follows its use by the server's clock.
func TestAPIKeyCreate_NewKeyAuthenticatesAtOnceWithItsScopes(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithClock(clk.Now))
	id, secret, r := createKey(t, f.srv, f.aliceK, map[string]any{"name": "payouts"})
	k := r.get("data", "apiKeyCreate", "apiKey").(map[string]any)
	assert.Equal(t, "payouts", k["name"])
	assert.Equal(t, []any{"READ", "WRITE"}, k["scopes"])
	assert.Equal(t, false, k["readOnly"])
	assert.Nil(t, k["expiresAt"])
	assert.Nil(t, k["lastUsedAt"])
	assert.Equal(t, float64(clk.Now().Unix()), k["createdAt"])
	assert.Regexp(t, `^galoy_dev_[A-Za-z0-9]{64}$`, secret)

	clk.Advance(time.Minute)
	r = call(t, f.srv, secret, `{ authorization { scopes } }`, nil)
	assert.Equal(t, []any{"READ", "WRITE"}, r.get("data", "authorization", "scopes"))
	r = call(t, f.srv, secret, qAPIKeys, nil)
	keys := r.get("data", "me", "apiKeys").([]any)
	require.Len(t, keys, 2, "the fixture's key and the new one, oldest first")
	assert.Equal(t, id, get(keys[1], "id"))
	assert.Equal(t, float64(clk.Now().Unix()), get(keys[1], "lastUsedAt"))

	// A READ-only key is readOnly; a RECEIVE key is not, and cannot read.
	_, ro, r := createKey(t, f.srv, f.aliceK, map[string]any{"name": "ro", "scopes": []string{"READ"}})
	assert.Equal(t, true, r.get("data", "apiKeyCreate", "apiKey", "readOnly"))
	_, rcv, r := createKey(t, f.srv, f.aliceK, map[string]any{"name": "rcv", "scopes": []string{"RECEIVE"}})
	assert.Equal(t, false, r.get("data", "apiKeyCreate", "apiKey", "readOnly"))
	r = call(t, f.srv, rcv, qAPIKeys, nil)
	assert.Nil(t, r.get("data", "me"))
	assert.Contains(t, r.str("errors", 0, "message"), "not authorized to read data")

	// Neither may create a key or set a limit: the api-keys service's own
	// refusal, without a code. Revoking needs any valid key.
	for _, key := range []string{ro, rcv} {
		r = call(t, f.srv, key, mAPIKeyCreate, map[string]any{"input": map[string]any{"name": "x"}})
		assert.Nil(t, r.get("data"), r.Raw)
		assert.Equal(t, "Permission denied", r.str("errors", 0, "message"))
		assert.Nil(t, r.get("errors", 0, "extensions"))
		r = call(t, f.srv, key, mAPIKeySetLim, map[string]any{"input": map[string]any{"id": id, "limitTimeWindow": "DAILY", "limitSats": 1}})
		assert.Equal(t, "Permission denied", r.str("errors", 0, "message"))
	}
	r = call(t, f.srv, ro, mAPIKeyRevoke, map[string]any{"input": map[string]any{"id": id}})
	assert.Nil(t, r.get("errors"), r.Raw)
	assert.Equal(t, true, r.get("data", "apiKeyRevoke", "apiKey", "revoked"))

	// A WRITE key may create a key with more scopes than its own, as upstream.
	w := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Scopes: []string{"WRITE"}})
	_, _, r = createKey(t, f.srv, w, map[string]any{"name": "wider", "scopes": []string{"READ", "RECEIVE", "WRITE"}})
	assert.Equal(t, []any{"READ", "RECEIVE", "WRITE"}, r.get("data", "apiKeyCreate", "apiKey", "scopes"))

	// An empty scope list is refused.
	r = call(t, f.srv, f.aliceK, mAPIKeyCreate, map[string]any{"input": map[string]any{"name": "x", "scopes": []string{}}})
	assert.Equal(t, "scopes can not be empty", r.str("errors", 0, "message"))
}

// me.apiKeys lists the account's keys only (a list, never null; the key
// that reads is always in it), never another account's.
func TestAPIKeys_ListOnlyTheAccountsKeys(t *testing.T) {
	f := newFixture(t)
	createKey(t, f.srv, f.bobKey, map[string]any{"name": "bobs"})
	r := call(t, f.srv, f.aliceK, qAPIKeys, nil)
	keys, ok := r.get("data", "me", "apiKeys").([]any)
	require.True(t, ok, r.Raw)
	require.Len(t, keys, 1)
	assert.Equal(t, "blinktest", get(keys[0], "name"))
}

// A revoked key, and a key past its expiry by the server's clock, get the
// real 401; the listing shows them revoked and expired.
func TestAPIKeyRevokeAndExpiryGiveThe401(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithClock(clk.Now))
	id, secret, _ := createKey(t, f.srv, f.aliceK, map[string]any{"name": "temp"})
	r := call(t, f.srv, f.aliceK, mAPIKeyRevoke, map[string]any{"input": map[string]any{"id": id}})
	assert.Equal(t, true, r.get("data", "apiKeyRevoke", "apiKey", "revoked"))
	r = call(t, f.srv, secret, qAPIKeys, nil)
	assert.Equal(t, 401, r.Status)
	assert.JSONEq(t, `{"error":{"code":401,"status":"Unauthorized","message":"Access credentials are invalid"}}`, r.Raw)
	r = call(t, f.srv, f.aliceK, mAPIKeyRevoke, map[string]any{"input": map[string]any{"id": id}})
	assert.Nil(t, r.get("errors"), "revoking again succeeds")
	r = call(t, f.srv, f.bobKey, mAPIKeyRevoke, map[string]any{"input": map[string]any{"id": id}})
	assert.Equal(t, "ApplicationError - IdentityError: IdentityError - KeyNotFoundForRevoke", r.str("errors", 0, "message"), "not bob's key")

	expID, exp, r := createKey(t, f.srv, f.aliceK, map[string]any{"name": "day", "expireInDays": 1})
	assert.Equal(t, float64(clk.Now().Add(24*time.Hour).Unix()), r.get("data", "apiKeyCreate", "apiKey", "expiresAt"))
	clk.Advance(24*time.Hour - time.Second)
	assert.Equal(t, 200, call(t, f.srv, exp, qGlobals, nil).Status)
	clk.Advance(time.Second)
	assert.Equal(t, 401, call(t, f.srv, exp, qGlobals, nil).Status)
	clk.Advance(time.Second)
	r = call(t, f.srv, f.aliceK, qAPIKeys, nil)
	for _, k := range r.get("data", "me", "apiKeys").([]any) {
		switch get(k, "id") {
		case expID:
			assert.Equal(t, true, get(k, "expired"))
			assert.Equal(t, false, get(k, "revoked"))
		case id:
			assert.Equal(t, true, get(k, "revoked"))
			assert.Equal(t, false, get(k, "expired"))
		}
	}

	// The blinktest-level revocation and expiry behave the same.
	k2 := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{Name: "named", ExpiresAt: clk.Now().Add(time.Hour)})
	assert.Equal(t, 200, call(t, f.srv, k2, qGlobals, nil).Status)
	f.srv.RevokeAPIKey(k2)
	assert.Equal(t, 401, call(t, f.srv, k2, qGlobals, nil).Status)
	k3 := f.srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{ExpiresAt: clk.Now().Add(time.Hour)})
	clk.Advance(time.Hour)
	assert.Equal(t, 401, call(t, f.srv, k3, qGlobals, nil).Status)
}

// Limits set through the API restrict the key's sends at once
// (TRANSACTION_RESTRICTED), show what was spent, and removing one frees
// the send; a limit must be positive and the key the caller's.
func TestAPIKeySetLimitRestrictsSends(t *testing.T) {
	f := newFixture(t)
	id, secret, _ := createKey(t, f.srv, f.aliceK, map[string]any{"name": "payouts"})
	r := call(t, f.srv, f.aliceK, mAPIKeySetLim, map[string]any{"input": map[string]any{"id": id, "limitTimeWindow": "DAILY", "limitSats": 1000}})
	assert.Equal(t, float64(1000), r.get("data", "apiKeySetLimit", "apiKey", "limits", "dailyLimitSats"), r.Raw)
	assert.Nil(t, r.get("data", "apiKeySetLimit", "apiKey", "limits", "weeklyLimitSats"))

	send := func(sats int) response {
		return call(t, f.srv, secret, mIntraLedgerTo, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "recipientWalletId": f.bob.BTCWalletID, "amount": sats}})
	}
	r = send(700)
	assert.Equal(t, "SUCCESS", r.str("data", "intraLedgerPaymentSend", "status"), r.Raw)
	r = send(700)
	assert.Equal(t, "FAILURE", r.str("data", "intraLedgerPaymentSend", "status"), r.Raw)
	assert.Equal(t, "TRANSACTION_RESTRICTED", r.str("data", "intraLedgerPaymentSend", "errors", 0, "code"))

	r = call(t, f.srv, f.aliceK, qAPIKeys, nil)
	k := r.get("data", "me", "apiKeys", 1)
	assert.Equal(t, float64(700), get(k, "limits", "dailySpentSats"))
	assert.Equal(t, float64(700), get(k, "limits", "annualSpentSats"))

	r = call(t, f.srv, f.aliceK, mAPIKeyRemLim, map[string]any{"input": map[string]any{"id": id, "limitTimeWindow": "DAILY"}})
	assert.Nil(t, r.get("data", "apiKeyRemoveLimit", "apiKey", "limits", "dailyLimitSats"), r.Raw)
	assert.Equal(t, "SUCCESS", send(700).str("data", "intraLedgerPaymentSend", "status"))

	r = call(t, f.srv, f.aliceK, mAPIKeySetLim, map[string]any{"input": map[string]any{"id": id, "limitTimeWindow": "WEEKLY", "limitSats": 0}})
	assert.Equal(t, "ApplicationError - LimitError: Invalid limit amount (must be positive)", r.str("errors", 0, "message"))
	r = call(t, f.srv, f.bobKey, mAPIKeySetLim, map[string]any{"input": map[string]any{"id": id, "limitTimeWindow": "WEEKLY", "limitSats": 5}})
	assert.Equal(t, "API key not found", r.str("errors", 0, "message"))
}
