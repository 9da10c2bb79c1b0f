package blink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/gen"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// clientFor returns a client on the fake for a key secret.
func clientFor(t *testing.T, srv *blinktest.Server, secret string, opts ...Option) *Client {
	t.Helper()
	c, err := New(secret, append([]Option{WithEndpoint(srv.URL())}, opts...)...)
	require.NoError(t, err)
	return c
}

// A key created through the API works at once, with exactly its scopes:
// the RECEIVE-only key creates invoices, and is refused READ and WRITE
// before anything is sent.
func TestCreateAPIKey_NewKeyWorksAtOnceWithItsScopes(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 10_000, 0, nil)
	nk, err := alice.Client.CreateAPIKey(bg(), "checkout", &APIKeyOptions{Scopes: []Scope{ScopeReceive}})
	require.NoError(t, err)
	assert.Equal(t, "checkout", nk.Name)
	assert.Equal(t, []Scope{ScopeReceive}, nk.Scopes)
	assert.False(t, nk.ReadOnly)
	assert.True(t, nk.ExpiresAt.IsZero())
	require.NoError(t, checkKey(nk.Secret()))

	recv := clientFor(t, srv, nk.Secret(), WithScopes(ScopeReceive))
	_, err = recv.CreateInvoice(bg(), alice.BTCWalletID, 100, nil)
	require.NoError(t, err)

	before := srv.Requests("ApiKeys") + srv.Requests("ApiKeyCreate") + srv.Requests("IntraLedgerPaymentSend")
	_, err = recv.APIKeys(bg())
	require.ErrorIs(t, err, ErrInsufficientScope)
	_, err = recv.CreateAPIKey(bg(), "escalate", nil)
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ScopeWrite, se.Needed)
	_, err = recv.SendIntraLedger(bg(), alice.BTCWalletID, alice.USDWalletID, 1, nil)
	require.ErrorIs(t, err, ErrInsufficientScope)
	assert.Equal(t, before, srv.Requests("ApiKeys")+srv.Requests("ApiKeyCreate")+srv.Requests("IntraLedgerPaymentSend"), "refused before sending")

	// The default scopes are the server's: READ and WRITE.
	def, err := alice.Client.CreateAPIKey(bg(), "payouts", nil)
	require.NoError(t, err)
	assert.ElementsMatch(t, []Scope{ScopeRead, ScopeWrite}, def.Scopes)
	scopes, err := clientFor(t, srv, def.Secret()).Scopes(bg())
	require.NoError(t, err)
	assert.ElementsMatch(t, []Scope{ScopeRead, ScopeWrite}, scopes)
}

// APIKeys lists every key, the new ones included, with lastUsedAt set by
// their use; a READ-only key reads but cannot create, and the server's
// own refusal ("Permission denied") maps to the same *ScopeError.
func TestAPIKeys_ListsKeysWithLastUseAndReadOnlyCannotCreate(t *testing.T) {
	clk := newRcvClock()
	srv := newFake(t, blinktest.WithClock(clk.Now))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	ro, err := alice.Client.CreateAPIKey(bg(), "reporting", &APIKeyOptions{Scopes: []Scope{ScopeRead}})
	require.NoError(t, err)
	assert.True(t, ro.ReadOnly)

	keys, err := alice.Client.APIKeys(bg())
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.Equal(t, ro.ID, keys[1].ID)
	assert.True(t, keys[1].LastUsedAt.IsZero(), "never used yet")
	assert.WithinDuration(t, clk.Now(), keys[0].LastUsedAt, 0, "the client's own key was used by this very request")

	clk.Advance(time.Minute)
	roc := clientFor(t, srv, ro.Secret())
	keys, err = roc.APIKeys(bg())
	require.NoError(t, err)
	assert.WithinDuration(t, clk.Now(), keys[1].LastUsedAt, 0)
	assert.True(t, keys[1].Active())

	_, err = roc.CreateAPIKey(bg(), "more", nil)
	require.ErrorIs(t, err, ErrInsufficientScope)

	// Without known scopes, the request goes and the server refuses it.
	blind := clientFor(t, srv, ro.Secret(), WithScopes(ScopeRead, ScopeWrite))
	before := srv.Requests("ApiKeyCreate")
	_, err = blind.CreateAPIKey(bg(), "more", nil)
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ScopeWrite, se.Needed)
	assert.Equal(t, []Scope{ScopeRead, ScopeWrite}, se.Held, "what the client was told")
	assert.Equal(t, before+1, srv.Requests("ApiKeyCreate"))
}

// A fresh account's only key lists itself; an account's listing never
// holds another account's keys; the list is [] rather than null even when
// decoding (no nil slice).
func TestAPIKeys_OnlyTheUsersKeys(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	_, err := bob.Client.CreateAPIKey(bg(), "bobs", nil)
	require.NoError(t, err)
	keys, err := alice.Client.APIKeys(bg())
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, "blinktest", keys[0].Name)
}

// A revoked key gets HTTP 401: ErrInvalidAPIKey; a client told its key's
// id (ClientOptions) also matches ErrAPIKeyRevoked once it revoked
// itself. A missing key and an unknown key are told apart too.
func TestRevokeAPIKey_RevokedKeyGets401(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	nk, err := alice.Client.CreateAPIKey(bg(), "temp", nil)
	require.NoError(t, err)
	other := clientFor(t, srv, nk.Secret())
	_, err = other.APIKeys(bg())
	require.NoError(t, err)

	k, err := alice.Client.RevokeAPIKey(bg(), nk.ID)
	require.NoError(t, err)
	assert.True(t, k.Revoked)
	assert.False(t, k.Active())
	_, err = alice.Client.RevokeAPIKey(bg(), nk.ID)
	require.NoError(t, err, "revoking twice succeeds, as upstream")

	_, err = other.APIKeys(bg())
	require.ErrorIs(t, err, ErrInvalidAPIKey)
	assert.NotErrorIs(t, err, ErrAPIKeyRevoked, "this client was not told its key's id")
	assert.NotErrorIs(t, err, ErrAPIKeyExpired)

	// A key that revokes itself, knowing its id.
	self, err := alice.Client.CreateAPIKey(bg(), "self", &APIKeyOptions{Scopes: []Scope{ScopeRead}})
	require.NoError(t, err)
	sc := clientFor(t, srv, self.Secret(), self.ClientOptions()...)
	_, err = sc.RevokeAPIKey(bg(), self.ID) // any valid key may revoke
	require.NoError(t, err)
	_, err = sc.APIKeys(bg())
	require.ErrorIs(t, err, ErrInvalidAPIKey)
	require.ErrorIs(t, err, ErrAPIKeyRevoked)
	assert.NotErrorIs(t, err, ErrAPIKeyExpired)

	// Missing key: refused before sending; unknown key: the 401 alone.
	none := clientFor(t, srv, "")
	_, err = none.APIKeys(bg())
	require.ErrorIs(t, err, ErrNotAuthenticated)
	assert.NotErrorIs(t, err, ErrInvalidAPIKey)
	unknown := clientFor(t, srv, "galoy_dev_"+fmt.Sprintf("%064d", 7))
	_, err = unknown.APIKeys(bg())
	require.ErrorIs(t, err, ErrInvalidAPIKey)
	assert.NotErrorIs(t, err, ErrAPIKeyExpired)
	assert.NotErrorIs(t, err, ErrAPIKeyRevoked)
	assert.NotErrorIs(t, err, ErrNotAuthenticated)

	// Someone else's key id, and a non-UUID refused before sending.
	_, err = alice.Client.RevokeAPIKey(bg(), "00000000-0000-4000-8000-000000000000")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "KeyNotFoundForRevoke")
	_, err = alice.Client.RevokeAPIKey(bg(), alice.Key)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.NotContains(t, err.Error(), alice.Key[10:30])
}

// A key created to expire in a day works until then by the fake's clock;
// afterwards its client, which knows the expiry, gets a 401 matching
// ErrAPIKeyExpired and ErrInvalidAPIKey; a client that does not know it
// gets ErrInvalidAPIKey alone. APIKeys learns the expiry for WithAPIKeyID.
func TestCreateAPIKey_ExpiryByTheFakeClockGivesErrAPIKeyExpired(t *testing.T) {
	clk := newRcvClock()
	srv := newFake(t, blinktest.WithClock(clk.Now))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	nk, err := alice.Client.CreateAPIKey(bg(), "day", &APIKeyOptions{ExpiresInDays: 1})
	require.NoError(t, err)
	assert.WithinDuration(t, clk.Now().Add(24*time.Hour), nk.ExpiresAt, 0)

	knows := clientFor(t, srv, nk.Secret(), nk.ClientOptions()...)
	learns := clientFor(t, srv, nk.Secret(), WithAPIKeyID(nk.ID))
	blind := clientFor(t, srv, nk.Secret())
	_, err = learns.APIKeys(bg())
	require.NoError(t, err)
	_, err = knows.APIKeys(bg())
	require.NoError(t, err)

	clk.Advance(24*time.Hour - time.Second)
	_, err = blind.APIKeys(bg())
	require.NoError(t, err, "still valid a second before expiry")

	clk.Advance(time.Second)
	for name, c := range map[string]*Client{"ClientOptions": knows, "WithAPIKeyID": learns} {
		_, err = c.APIKeys(bg())
		require.ErrorIs(t, err, ErrInvalidAPIKey, name)
		require.ErrorIs(t, err, ErrAPIKeyExpired, name)
		assert.NotErrorIs(t, err, ErrAPIKeyRevoked, name)
		assert.Contains(t, err.Error(), "expired", name)
	}
	_, err = blind.APIKeys(bg())
	require.ErrorIs(t, err, ErrInvalidAPIKey)
	assert.NotErrorIs(t, err, ErrAPIKeyExpired)

	// At the very second of expiry upstream already refuses the key
	// (expires_at > NOW()) but lists it expired only after (expires_at < NOW()).
	clk.Advance(time.Second)
	keys, err := alice.Client.APIKeys(bg())
	require.NoError(t, err)
	require.Len(t, keys, 2)
	assert.True(t, keys[1].Expired)
	assert.False(t, keys[1].Active())
}

// A limit set through the API restricts the key's sends at once:
// TRANSACTION_RESTRICTED on the send that would exceed it, the spent
// amount and what remains in APIKeys; removing it lets the send through.
func TestSetAPIKeyLimit_RestrictsSendsUntilRemoved(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 10_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	nk, err := alice.Client.CreateAPIKey(bg(), "payouts", &APIKeyOptions{Scopes: []Scope{ScopeRead, ScopeWrite}})
	require.NoError(t, err)
	k, err := alice.Client.SetAPIKeyLimit(bg(), nk.ID, LimitDaily, 1_000)
	require.NoError(t, err)
	assert.Equal(t, Sats(1_000), k.Limits.Daily.Limit)
	k, err = alice.Client.SetAPIKeyLimit(bg(), nk.ID, LimitWeekly, 5_000)
	require.NoError(t, err)
	assert.Equal(t, Sats(1_000), k.Limits.For(LimitDaily).Limit)
	assert.Equal(t, Sats(5_000), k.Limits.For(LimitWeekly).Limit)

	payer := clientFor(t, srv, nk.Secret())
	res, err := payer.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 600, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	res, err = payer.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 600, nil)
	require.ErrorIs(t, err, ErrTransactionRestricted)
	require.NotNil(t, res)
	assert.Equal(t, PaymentFailed, res.Status)
	assert.Equal(t, int64(600), srv.Balance(bob.BTCWalletID))

	keys, err := payer.APIKeys(bg())
	require.NoError(t, err)
	l := keys[1].Limits.Daily
	assert.Equal(t, Sats(600), l.Spent)
	rem, ok := l.Remaining()
	assert.True(t, ok)
	assert.Equal(t, Sats(400), rem)
	_, ok = keys[1].Limits.Monthly.Remaining()
	assert.False(t, ok, "no monthly limit")

	k, err = alice.Client.RemoveAPIKeyLimit(bg(), nk.ID, LimitDaily)
	require.NoError(t, err)
	assert.Zero(t, k.Limits.Daily.Limit)
	assert.Equal(t, Sats(5_000), k.Limits.Weekly.Limit)
	_, err = payer.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 600, nil)
	require.NoError(t, err)
}

// Arguments the server would refuse are refused before sending.
func TestAPIKeyCalls_RefuseBadArgumentsBeforeSending(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	id := "00000000-0000-4000-8000-000000000000"
	c := alice.Client
	calls := map[string]func() error{
		"empty name":   func() error { _, err := c.CreateAPIKey(bg(), " ", nil); return err },
		"empty scopes": func() error { _, err := c.CreateAPIKey(bg(), "x", &APIKeyOptions{Scopes: []Scope{}}); return err },
		"unknown scope": func() error {
			_, err := c.CreateAPIKey(bg(), "x", &APIKeyOptions{Scopes: []Scope{"ADMIN"}})
			return err
		},
		"authenticated": func() error {
			_, err := c.CreateAPIKey(bg(), "x", &APIKeyOptions{Scopes: []Scope{ScopeAuthenticated}})
			return err
		},
		"negative expiry":  func() error { _, err := c.CreateAPIKey(bg(), "x", &APIKeyOptions{ExpiresInDays: -1}); return err },
		"too long expiry":  func() error { _, err := c.CreateAPIKey(bg(), "x", &APIKeyOptions{ExpiresInDays: 65536}); return err },
		"zero limit":       func() error { _, err := c.SetAPIKeyLimit(bg(), id, LimitDaily, 0); return err },
		"unknown period":   func() error { _, err := c.SetAPIKeyLimit(bg(), id, "HOURLY", 1); return err },
		"remove unknown":   func() error { _, err := c.RemoveAPIKeyLimit(bg(), id, "HOURLY"); return err },
		"bad id":           func() error { _, err := c.SetAPIKeyLimit(bg(), "nope", LimitDaily, 1); return err },
		"bad id on remove": func() error { _, err := c.RemoveAPIKeyLimit(bg(), "", LimitDaily); return err },
	}
	ops := []string{"ApiKeyCreate", "ApiKeySetLimit", "ApiKeyRemoveLimit"}
	count := func() (n int) {
		for _, op := range ops {
			n += srv.Requests(op)
		}
		return n
	}
	before := count()
	for name, call := range calls {
		assert.ErrorIs(t, call(), ErrInvalidInput, name)
	}
	assert.Equal(t, before, count())

	// The server's own refusal of a key that is not the user's.
	_, err := c.SetAPIKeyLimit(bg(), id, LimitDaily, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "API key not found")
}

// The secret of a new key is never printed: not by fmt with any verb, not
// by encoding/json, not by log/slog; Secret alone gives it.
func TestNewAPIKey_SecretNeverPrinted(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	nk, err := alice.Client.CreateAPIKey(bg(), "printme", nil)
	require.NoError(t, err)
	secret := nk.Secret()
	require.NoError(t, checkKey(secret))
	piece := secret[len(secret)-20 : len(secret)-4]

	var outs []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(f, nk), fmt.Sprintf(f, *nk), fmt.Sprintf(f, []*NewAPIKey{nk}), fmt.Sprintf(f, struct{ K NewAPIKey }{*nk}))
	}
	outs = append(outs, fmt.Sprint(nk), fmt.Sprintln(*nk))
	j, err := json.Marshal(nk)
	require.NoError(t, err)
	jv, err := json.Marshal(map[string]any{"k": *nk})
	require.NoError(t, err)
	outs = append(outs, string(j), string(jv))
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("created", "key", nk, "value", *nk)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("created", "key", nk)
	outs = append(outs, buf.String())
	for _, o := range outs {
		assert.NotContains(t, o, piece)
		assert.NotContains(t, o, secret)
	}
	assert.Contains(t, fmt.Sprint(nk), "printme")
	assert.Contains(t, string(j), `"Secret":"galoy_dev_…`)
	assert.Contains(t, fmt.Sprintf("%#v", nk), "blink.NewAPIKey{")
}

// Creating a key is sent at most once (a repeat would mint a second key);
// revoking and the limit calls are idempotent upstream and retried like
// queries.
func TestAPIKeyOperations_RetryClass(t *testing.T) {
	assert.Equal(t, atMostOnce, parseOp("ApiKeyCreate", gen.ApiKeyCreate_Operation).class)
	for name, doc := range map[string]string{
		"ApiKeyRevoke": gen.ApiKeyRevoke_Operation, "ApiKeySetLimit": gen.ApiKeySetLimit_Operation,
		"ApiKeyRemoveLimit": gen.ApiKeyRemoveLimit_Operation, "ApiKeys": gen.ApiKeys_Operation,
	} {
		assert.Equal(t, retrySafe, parseOp(name, doc).class, name)
	}
}
