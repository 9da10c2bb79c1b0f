package blink

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrail_BaseIsTheNewestEntryAMinuteOlderThanTheNewest(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	tr := trail{base: "start"}
	tr.add("a", t0)
	tr.add("b", t0.Add(30*time.Second))
	assert.Equal(t, "start", tr.base, "nothing is a minute older than the newest yet")
	tr.add("c", t0.Add(60*time.Second))
	assert.Equal(t, "a", tr.base, "a is exactly a minute older than c")
	tr.add("d", t0.Add(89*time.Second))
	assert.Equal(t, "a", tr.base)
	tr.add("e", t0.Add(10*time.Minute))
	assert.Equal(t, "d", tr.base)
	require.Len(t, tr.marks, 1)
	tr.add("f", t0.Add(10*time.Minute)) // same second
	assert.Equal(t, "d", tr.base)
}

func TestTrail_StaysBounded(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	tr := trail{}
	for i := range 3 * maxTrail {
		tr.add(fmt.Sprint(i), t0) // a burst within one second
	}
	assert.LessOrEqual(t, len(tr.marks), maxTrail)
	assert.Equal(t, fmt.Sprint(3*maxTrail-maxTrail-1), tr.base, "the overlap shrinks to the bound")
}

// A catch-up reads again the minute before the newest entry delivered
// (where an entry written late to the ledger would hide; the trail tests
// pin the window) and delivers only what is new.
func TestMyUpdates_CatchUpStartsAMinuteBackAndDeliversOnlyTheNew(t *testing.T) {
	noLeaks(t)
	srv := newFake(t)
	alice := newFakeKeyUser(t, srv, "alice", 0)
	uc := collectMyUpdates(t, alice.Client, nil)
	uc.waitPrice(t)
	first := payOutside(t, srv, alice, 10)
	uc.waitFor(t, 5*time.Second, "the first receipt", func(rs []Update) bool { return receiptHashes(rs)[first] == 1 })
	before := srv.Requests("TransactionsSince")
	srv.DropWebSockets()
	second := payOutside(t, srv, alice, 20)
	rs := uc.waitFor(t, 5*time.Second, "the second receipt", func(rs []Update) bool { return receiptHashes(rs)[second] == 1 })
	assert.Equal(t, 1, receiptHashes(rs)[first], "read again by the catch-up, not delivered again")
	assert.Greater(t, srv.Requests("TransactionsSince"), before)
}
