package app_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
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
