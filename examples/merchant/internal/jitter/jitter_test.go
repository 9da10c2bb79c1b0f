package jitter

import (
	"testing"
	"time"
)

func TestSpread_StaysWithinTwentyPercent(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := Spread(10 * time.Second)
		if d < 8*time.Second || d > 12*time.Second {
			t.Fatalf("Spread(10s) = %v", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Fatalf("only %d distinct waits in 1000", len(seen))
	}
}
