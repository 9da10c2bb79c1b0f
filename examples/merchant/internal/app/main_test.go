package app_test

import (
	"testing"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func pgDatabase(t *testing.T) string { return pgtest.Database(t) }
