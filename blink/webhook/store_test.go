package webhook_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink/webhook"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func claim(t *testing.T, s webhook.Store, id string) webhook.ClaimResult {
	t.Helper()
	r, err := s.Claim(context.Background(), id)
	require.NoError(t, err)
	return r
}

func TestMemoryStore_ClaimCompleteRelease(t *testing.T) {
	ctx := context.Background()
	s := webhook.NewMemoryStore(nil)
	assert.Equal(t, webhook.Claimed, claim(t, s, "a"))
	assert.Equal(t, webhook.InProgress, claim(t, s, "a"))
	require.NoError(t, s.Release(ctx, "a"))
	assert.Equal(t, webhook.Claimed, claim(t, s, "a"), "released: claimable again")
	require.NoError(t, s.Complete(ctx, "a"))
	assert.Equal(t, webhook.AlreadyDone, claim(t, s, "a"))
	require.NoError(t, s.Release(ctx, "a"))
	assert.Equal(t, webhook.AlreadyDone, claim(t, s, "a"), "a release never undoes a completion")
	require.NoError(t, s.Complete(ctx, "a"))
	assert.Equal(t, 1, s.Len())
}

func TestMemoryStore_ForgetsHandledIDsAfterTheTTL(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	s := webhook.NewMemoryStore(&webhook.MemoryStoreOptions{Now: clk.now})
	claim(t, s, "a")
	require.NoError(t, s.Complete(ctx, "a"))
	// Svix's whole retry schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
	clk.add(5*time.Second + 5*time.Minute + 30*time.Minute + 2*time.Hour + 5*time.Hour + 20*time.Hour)
	assert.Equal(t, webhook.AlreadyDone, claim(t, s, "a"), "still known at Svix's last retry")
	clk.t = testNow.Add(webhook.DefaultTTL)
	assert.Equal(t, webhook.AlreadyDone, claim(t, s, "a"))
	clk.add(time.Second)
	assert.Equal(t, webhook.Claimed, claim(t, s, "a"), "forgotten after 72 h")
}

func TestMemoryStore_BoundedOldestFirstAndClaimsInProgressStay(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	s := webhook.NewMemoryStore(&webhook.MemoryStoreOptions{MaxIDs: 3, Now: clk.now})
	assert.Equal(t, webhook.Claimed, claim(t, s, "busy"))
	for i := range 5 {
		id := strconv.Itoa(i)
		claim(t, s, id)
		require.NoError(t, s.Complete(ctx, id))
		clk.add(time.Second)
	}
	assert.Equal(t, 4, s.Len(), "3 handled ids and the claim in progress")
	assert.Equal(t, webhook.Claimed, claim(t, s, "0"), "the oldest were forgotten")
	assert.Equal(t, webhook.Claimed, claim(t, s, "1"))
	assert.Equal(t, webhook.AlreadyDone, claim(t, s, "2"))
	assert.Equal(t, webhook.AlreadyDone, claim(t, s, "4"))
	assert.Equal(t, webhook.InProgress, claim(t, s, "busy"))
}

func TestMemoryStore_ManyIDsStayBounded(t *testing.T) {
	ctx := context.Background()
	s := webhook.NewMemoryStore(&webhook.MemoryStoreOptions{MaxIDs: 100})
	for i := range 10_000 {
		id := strconv.Itoa(i)
		claim(t, s, id)
		require.NoError(t, s.Complete(ctx, id))
	}
	assert.Equal(t, 100, s.Len())
	assert.Equal(t, webhook.AlreadyDone, claim(t, s, "9999"))
	assert.Equal(t, webhook.Claimed, claim(t, s, "9899"))
}
