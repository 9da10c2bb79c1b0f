package api

import (
	"testing"
	"time"
)

func TestLimiter_BurstThenRate(t *testing.T) {
	l := newLimiter(2, 3)
	now := time.Unix(1000, 0)
	for i := range 3 {
		if ok, _ := l.take("a", now); !ok {
			t.Fatalf("request %d of the burst refused", i)
		}
	}
	ok, wait := l.take("a", now)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("fourth: ok=%v wait=%v, want refused for 500ms", ok, wait)
	}
	if ok, _ := l.take("b", now); !ok {
		t.Fatal("another tenant's bucket is its own")
	}
	if ok, _ := l.take("a", now.Add(500*time.Millisecond)); !ok {
		t.Fatal("a token back after 1/rate")
	}
}
