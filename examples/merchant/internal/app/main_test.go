package app_test

import (
	"testing"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func pgDatabase(t testing.TB) string { return pgtest.Database(t) }

// eachDB runs fn on SQLite and on PostgreSQL.
func eachDB(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
	t.Run("postgres", func(t *testing.T) { fn(t, pgDatabase(t)) })
}
