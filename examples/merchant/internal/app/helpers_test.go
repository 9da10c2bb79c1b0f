package app_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/stretchr/testify/require"
)

func blinktestAllScopes() blinktest.KeyOptions { return blinktest.KeyOptions{} }

var masterKeys = map[*secrets.Keyring]string{}

func masterOf(t *testing.T, k *secrets.Keyring) string {
	t.Helper()
	m, ok := masterKeys[k]
	if !ok {
		t.Fatal("keyring not made by the rig")
	}
	return m
}

func openStore(r *rig) (*store.SQL, error) {
	return store.Open(context.Background(), r.dbURL, r.dbPath())
}

func jsonUnmarshal(b []byte, v any) { json.Unmarshal(b, v) }

// queuedRow is the stored payout as a claim would hand it to the worker,
// with the operation its send uses (for tests that play the worker).
func queuedRow(r *rig, tenantID, id, operation string) *store.Payout {
	r.t.Helper()
	p, err := r.st.Payout(context.Background(), tenantID, id)
	require.NoError(r.t, err)
	p.Operation = operation
	return p
}
