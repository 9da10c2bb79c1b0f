package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
)

// TestScrub_RunsOutsideATransactionOnBothDatabases: the WAL checkpoint
// (SQLite) and VACUUM tenants (PostgreSQL) that follow a disconnect work on
// the pool's connections, and the wiped row holds no ciphertext.
func TestScrub_RunsOutsideATransactionOnBothDatabases(t *testing.T) {
	each(t, func(t *testing.T, open func() *store.SQL) {
		s := open()
		ctx := context.Background()
		require.NoError(t, s.CreateTenant(ctx, &store.Tenant{ID: "tn_1", Name: "a", Mode: store.ModeKey, Status: store.StatusActive, APITokenHash: "h1",
			Secrets: store.TenantSecrets{Conn: store.Sealed{Ciphertext: "ct-conn", KeyID: "k1"}}}))
		require.NoError(t, s.DisconnectTenant(ctx, "tn_1"))
		require.NoError(t, s.Scrub(ctx))
		got, err := s.Tenant(ctx, "tn_1")
		require.NoError(t, err)
		require.True(t, got.Secrets.Conn.IsZero())
		require.Equal(t, store.StatusDisabled, got.Status)
	})
}
