package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/pgtest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// each runs fn on SQLite and on PostgreSQL.
func each(t *testing.T, fn func(t *testing.T, open func() *store.SQL)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "m.db")
		fn(t, func() *store.SQL {
			s, err := store.Open(context.Background(), "", path)
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		url := pgtest.Database(t)
		fn(t, func() *store.SQL {
			s, err := store.Open(context.Background(), url, "")
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}

func seed(t *testing.T, s *store.SQL, orders int) {
	ctx := context.Background()
	require.NoError(t, s.CreateTenant(ctx, &store.Tenant{ID: "tn_1", Name: "a", Mode: store.ModeKey, Status: store.StatusActive, APITokenHash: "h1"}))
	for i := range orders {
		o := &store.Order{TenantID: "tn_1", OrderID: fmt.Sprint("o", i), ExternalID: fmt.Sprint("o", i), AmountSats: 1, ExpiresIn: time.Hour}
		_, created, err := s.InsertOrder(ctx, o)
		require.NoError(t, err)
		require.True(t, created)
		require.NoError(t, s.SetOrderInvoice(ctx, "tn_1", o.OrderID, store.OrderInvoice{PaymentRequest: "lnbc1", PaymentHash: fmt.Sprintf("%064d", i), InvoiceSats: 1, ExpiresAt: time.Now().Add(time.Hour)}))
	}
}

func TestOpen_MigrationsApplyOnceAcrossReopens(t *testing.T) {
	each(t, func(t *testing.T, open func() *store.SQL) {
		a := open()
		seed(t, a, 1)
		b := open() // a second process on the same database
		var n int
		require.NoError(t, b.DB().QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n))
		files, err := filepath.Glob("migrations/*.sql")
		require.NoError(t, err)
		require.Len(t, files, n, "each of migrations/*.sql once")
		o, err := b.Order(context.Background(), "tn_1", "o0")
		require.NoError(t, err)
		require.Equal(t, store.OrderCreated, o.Status)
	})
}

func TestSettleOrder_ConcurrentPathsMoveItOnceWithOneEvent(t *testing.T) {
	each(t, func(t *testing.T, open func() *store.SQL) {
		a := open()
		seed(t, a, 20)
		b := open()
		ctx := context.Background()
		var moved atomic.Int64
		var wg sync.WaitGroup
		for i := range 20 {
			for j, s := range []*store.SQL{a, b, a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ev := &store.Event{ID: fmt.Sprintf("evt_%d_%d", i, j), TenantID: "tn_1", Type: "order.paid", OrderID: fmt.Sprint("o", i), Payload: "{}"}
					ok, err := s.SettleOrder(ctx, "tn_1", fmt.Sprint("o", i), store.OrderPaid, fmt.Sprint("path", j), ev)
					if err != nil {
						t.Error(err)
					}
					if ok {
						moved.Add(1)
					}
				}()
			}
		}
		wg.Wait()
		require.Equal(t, int64(20), moved.Load())
		evs, err := a.Events(ctx, "tn_1")
		require.NoError(t, err)
		require.Len(t, evs, 20)
	})
}

func TestClaims_TwoReplicasNeverClaimTheSameRow(t *testing.T) {
	each(t, func(t *testing.T, open func() *store.SQL) {
		a := open()
		seed(t, a, 200)
		b := open()
		ctx := context.Background()
		var mu sync.Mutex
		claimed := map[string]int{}
		var wg sync.WaitGroup
		for _, s := range []*store.SQL{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					os, err := s.ClaimOpenOrders(ctx, 7, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(os) == 0 {
						return
					}
					mu.Lock()
					for _, o := range os {
						claimed[o.OrderID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.Len(t, claimed, 200)
		for id, n := range claimed {
			require.Equal(t, 1, n, "order %s claimed %d times", id, n)
		}
	})
}

// A worker whose claim ran out and was claimed again by another writes
// nothing: neither the move to 'sending' (so it never sends) nor an
// outcome (the new holder's row stands).
func TestPayoutClaims_AWorkerPastItsLeaseWritesNothing(t *testing.T) {
	each(t, func(t *testing.T, open func() *store.SQL) {
		s := open()
		seed(t, s, 0)
		ctx := context.Background()
		_, created, err := s.InsertPayout(ctx, &store.Payout{TenantID: "tn_1", ID: "po_1", RequestKey: "k1", IdempotencyKey: "8a4c5f0e-1d2b-4c3a-9e8f-7a6b5c4d3e2f",
			Kind: store.PayoutUsername, Destination: "bob", AmountSats: 5})
		require.NoError(t, err)
		require.True(t, created)

		stale, err := s.ClaimPayouts(ctx, 10, -time.Second) // a lease that is over at once
		require.NoError(t, err)
		require.Len(t, stale, 1)
		fresh, err := s.ClaimPayouts(ctx, 10, time.Hour) // another worker claims it
		require.NoError(t, err)
		require.Len(t, fresh, 1)

		a := stale[0]
		a.Operation = "IntraLedgerPaymentSend"
		ok, err := s.MarkSending(ctx, &a, time.Now())
		require.NoError(t, err)
		require.False(t, ok, "the stale worker may not start the send")
		a.Status, a.Error = store.PayoutFailed, "stale"
		require.ErrorIs(t, s.UpdatePayout(ctx, &a), store.ErrStale)

		b := fresh[0]
		b.Operation = "IntraLedgerPaymentSend"
		ok, err = s.MarkSending(ctx, &b, time.Now())
		require.NoError(t, err)
		require.True(t, ok, "the holder starts it")
		b.Status = store.PayoutSucceeded
		require.NoError(t, s.UpdatePayout(ctx, &b))
		require.ErrorIs(t, s.UpdatePayout(ctx, &b), store.ErrStale, "final: never changed again")
		got, err := s.Payout(ctx, "tn_1", "po_1")
		require.NoError(t, err)
		require.Equal(t, store.PayoutSucceeded, got.Status)
	})
}
