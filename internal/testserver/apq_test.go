package testserver_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// postAPQ sends a request with a persisted query extension; query may be
// "" (hash only).
func postAPQ(t *testing.T, srv *blinktest.Server, key, query, hash string, vars map[string]any, headers ...string) response {
	t.Helper()
	body := map[string]any{"variables": vars, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		body["query"] = query
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, srv.URL(), bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-KEY", key)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := freshClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestAPQ_HashOnlyIsNotFoundWithoutTakingTheIdempotencyLockAndTheResendRuns(t *testing.T) {
	f := newFixture(t)
	vars := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 10}}
	hash := sha(mInvoiceCreate)

	miss := postAPQ(t, f.srv, f.aliceK, "", hash, vars, "X-Idempotency-Key", idemKey)
	assert.Equal(t, 200, miss.Status)
	assert.Equal(t, "PersistedQueryNotFound", miss.str("errors", 0, "message"), miss.Raw)
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", miss.str("errors", 0, "extensions", "code"), "the router's own error keeps its code")
	assert.Equal(t, 0, f.srv.Executions("lnInvoiceCreate"))

	resend := postAPQ(t, f.srv, f.aliceK, mInvoiceCreate, hash, vars, "X-Idempotency-Key", idemKey)
	assert.Equal(t, 200, resend.Status)
	assert.NotEmpty(t, resend.str("data", "lnInvoiceCreate", "invoice", "paymentRequest"), "the key was not locked: %s", resend.Raw)
	assert.Equal(t, 1, f.srv.Executions("lnInvoiceCreate"))

	again := postAPQ(t, f.srv, f.aliceK, mInvoiceCreate, hash, vars, "X-Idempotency-Key", idemKey)
	assert.True(t, isRouterConflict(again), "the resend locked the key: %s", again.Raw)

	hit := postAPQ(t, f.srv, f.aliceK, "", hash, vars)
	assert.NotEmpty(t, hit.str("data", "lnInvoiceCreate", "invoice", "paymentRequest"), "a known hash runs: %s", hit.Raw)
	assert.Equal(t, 2, f.srv.Executions("lnInvoiceCreate"))
}

func TestAPQ_AWrongHashIsRefused(t *testing.T) {
	f := newFixture(t)
	r := postAPQ(t, f.srv, f.aliceK, qMe, sha("something else"), nil)
	assert.Equal(t, 400, r.Status)
	assert.Equal(t, "PERSISTED_QUERY_HASH_MISMATCH", r.str("errors", 0, "extensions", "code"), r.Raw)
	miss := postAPQ(t, f.srv, f.aliceK, "", sha("something else"), nil)
	assert.Equal(t, "PersistedQueryNotFound", miss.str("errors", 0, "message"), "nothing was remembered")
}

// Without the router, the API's middleware locks the key before Apollo
// Server's APQ, and locks the resend's key with a suffix.
func TestAPQ_RawAPILocksTheHashOnlyRequestAndTheResendSeparately(t *testing.T) {
	f := newFixture(t, blinktest.WithRawAPIErrors())
	vars := map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "amount": 10}}
	hash := sha(mInvoiceCreate)

	miss := postAPQ(t, f.srv, f.aliceK, "", hash, vars, "X-Idempotency-Key", idemKey)
	assert.Equal(t, 200, miss.Status)
	assert.Equal(t, "PERSISTED_QUERY_NOT_FOUND", miss.str("errors", 0, "code"), miss.Raw)

	resend := postAPQ(t, f.srv, f.aliceK, mInvoiceCreate, hash, vars, "X-Idempotency-Key", idemKey)
	assert.NotEmpty(t, resend.str("data", "lnInvoiceCreate", "invoice", "paymentRequest"), resend.Raw)

	plain := call(t, f.srv, f.aliceK, mInvoiceCreate, vars, "X-Idempotency-Key", idemKey)
	assert.Equal(t, 409, plain.Status, "the hash-only request locked the bare key: %s", plain.Raw)
}
