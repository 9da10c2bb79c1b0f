package testserver_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestDateHeaderComesFromTheFakesClock(t *testing.T) {
	clk := newClock()
	f := newFixture(t, blinktest.WithClock(clk.Now))
	date := func(r response) time.Time {
		t.Helper()
		d, err := http.ParseTime(r.Header.Get("Date"))
		require.NoError(t, err, r.Header)
		return d
	}
	assert.Equal(t, clk.Now(), date(call(t, f.srv, f.aliceK, qGlobals, nil)))
	clk.Advance(-90 * time.Minute) // a fake running behind the machine
	assert.Equal(t, clk.Now(), date(call(t, f.srv, f.aliceK, qMe, nil)))
	assert.Equal(t, clk.Now(), date(call(t, f.srv, "galoy_dev_nope", qGlobals, nil)), "401")
	assert.Equal(t, clk.Now(), date(call(t, f.srv, f.aliceK, qGlobals, nil, "X-Idempotency-Key", "bad")), "refused key")
	f.srv.InjectFault("Globals", blinktest.Fault{Status: 503}, 1)
	assert.Equal(t, clk.Now(), date(call(t, f.srv, f.aliceK, qGlobals, nil)), "edge status")
	f.srv.InjectFault("Globals", blinktest.Fault{LatencyAfterExecute: time.Millisecond}, 1)
	assert.Equal(t, clk.Now(), date(call(t, f.srv, f.aliceK, qGlobals, nil)), "recorded answer")
}
