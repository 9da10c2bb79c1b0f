package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/stretchr/testify/require"
)

// expireThenPayLate moves order orderID to expired and then to paid_late,
// with events "<orderID>-expired" and "<orderID>-late".
func expireThenPayLate(t *testing.T, s *store.SQL, orderID string) {
	t.Helper()
	ctx := context.Background()
	ok, err := s.SettleOrder(ctx, "tn_1", orderID, store.OrderExpired, "reconciler",
		&store.Event{ID: orderID + "-expired", TenantID: "tn_1", Type: "order.expired", OrderID: orderID, Payload: "{}"})
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.SettleLateOrder(ctx, "tn_1", orderID, "reconciler",
		&store.Event{ID: orderID + "-late", TenantID: "tn_1", Type: "order.paid_late", OrderID: orderID, Payload: "{}"})
	require.NoError(t, err)
	require.True(t, ok)
}

func eventIDs(evs []store.Event) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	return ids
}

// An order's order.paid_late is not claimed while its order.expired is
// pending (in flight, or waiting for a retry after a failed attempt), on
// either replica; once order.expired is delivered it is. Other orders'
// events are not held up.
func TestClaimEvents_AnOrdersLaterEventWaitsUntilTheEarlierIsDelivered(t *testing.T) {
	each(t, func(t *testing.T, open func() *store.SQL) {
		a := open()
		seed(t, a, 2)
		b := open()
		ctx := context.Background()
		expireThenPayLate(t, a, "o0")
		ok, err := a.SettleOrder(ctx, "tn_1", "o1", store.OrderPaid, "stream",
			&store.Event{ID: "o1-paid", TenantID: "tn_1", Type: "order.paid", OrderID: "o1", Payload: "{}"})
		require.NoError(t, err)
		require.True(t, ok)

		evs, err := a.ClaimEvents(ctx, 50, time.Hour)
		require.NoError(t, err)
		require.ElementsMatch(t, []string{"o0-expired", "o1-paid"}, eventIDs(evs), "order.paid_late waits for order.expired")
		evs, err = b.ClaimEvents(ctx, 50, time.Hour)
		require.NoError(t, err)
		require.Empty(t, evs, "the other replica takes nothing while order.expired is in flight")

		// The shop's endpoint was down: order.expired is retried (due now).
		require.NoError(t, a.RetryEvent(ctx, "o0-expired", time.Now().Add(-time.Second), "the shop answered HTTP 503"))
		require.NoError(t, a.MarkDelivered(ctx, "o1-paid"))
		evs, err = b.ClaimEvents(ctx, 50, time.Hour)
		require.NoError(t, err)
		require.Equal(t, []string{"o0-expired"}, eventIDs(evs), "the retry of order.expired comes first")

		require.NoError(t, b.MarkDelivered(ctx, "o0-expired"))
		evs, err = a.ClaimEvents(ctx, 50, time.Hour)
		require.NoError(t, err)
		require.Equal(t, []string{"o0-late"}, eventIDs(evs), "order.paid_late once order.expired is delivered")
	})
}

// Two replicas draining the outbox at once never claim an order's
// order.paid_late before its order.expired was delivered, and claim each
// event once.
func TestClaimEvents_TwoReplicasDeliverEachOrdersEventsInOrder(t *testing.T) {
	each(t, func(t *testing.T, open func() *store.SQL) {
		a := open()
		const n = 60
		seed(t, a, n)
		b := open()
		for i := range n {
			expireThenPayLate(t, a, fmt.Sprint("o", i))
		}
		ctx := context.Background()
		var mu sync.Mutex
		delivered := map[string]bool{}
		claimed := map[string]int{}
		var wg sync.WaitGroup
		for _, s := range []*store.SQL{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					evs, err := s.ClaimEvents(ctx, 7, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					done := len(delivered) == 2*n
					mu.Unlock()
					if len(evs) == 0 && done {
						return
					}
					for _, e := range evs {
						mu.Lock()
						claimed[e.ID]++
						if e.Type == "order.paid_late" && !delivered[e.OrderID+"-expired"] {
							t.Errorf("%s claimed before %s-expired was delivered", e.ID, e.OrderID)
						}
						// Recorded before the row changes: a claim that the
						// change allows sees it.
						delivered[e.ID] = true
						mu.Unlock()
						if err := s.MarkDelivered(ctx, e.ID); err != nil {
							t.Error(err)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		require.Len(t, claimed, 2*n)
		for id, k := range claimed {
			require.Equal(t, 1, k, "event %s claimed %d times", id, k)
		}
	})
}
