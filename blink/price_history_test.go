package blink

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPriceHistory_OldestFirstAtTheRangesInterval(t *testing.T) {
	srv := newFake(t)
	srv.SetPrice(5_000_000)
	c := noKeyClient(t, srv.URL())
	for r, step := range map[PriceRange]time.Duration{PriceRangeOneDay: time.Hour, PriceRangeOneWeek: 4 * time.Hour, PriceRangeOneMonth: 24 * time.Hour} {
		pts, err := c.PriceHistory(bg(), r)
		require.NoError(t, err, r)
		require.Greater(t, len(pts), 2, r)
		assert.Equal(t, step, pts[1].Time.Sub(pts[0].Time), r)
		last := pts[len(pts)-1]
		assert.Equal(t, Price{Base: 5_000_000 * 10_000, Offset: 4}, last.CentsPerBTC)
		assert.InDelta(t, 50_000.0, last.USD(), 1e-9)
	}
	_, err := c.PriceHistory(bg(), "ONE_HOUR")
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 3, srv.Requests("BtcPriceList"))
}

func TestEstimateConversion_SatsAndCentsOfADisplayAmount(t *testing.T) {
	srv := newFake(t)
	srv.SetPrice(5_000_000)
	c := noKeyClient(t, srv.URL())
	e, err := c.EstimateConversion(bg(), 4.6, "EUR")
	require.NoError(t, err)
	assert.Equal(t, Cents(500), e.Cents)
	assert.Equal(t, Sats(10_000), e.Sats)
	assert.False(t, e.Time.IsZero())

	_, err = c.EstimateConversion(bg(), 1, "XYZ")
	assert.ErrorContains(t, err, "Invalid currency.")
	_, err = c.EstimateConversion(bg(), -1, "USD")
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestPayoutSpeeds_AsUpstreamConfigures(t *testing.T) {
	srv := newFake(t)
	c := noKeyClient(t, srv.URL())
	s, err := c.PayoutSpeeds(bg())
	require.NoError(t, err)
	require.Len(t, s, 3)
	assert.Equal(t, PayoutSpeedInfo{Speed: Fast, DisplayName: "Priority", Description: "Estimated broadcast ~10 minutes"}, s[0])
	assert.Equal(t, Medium, s[1].Speed)
}

func TestUserDefaultWalletID_UnknownUserIsNotFound(t *testing.T) {
	srv := newFake(t)
	c := noKeyClient(t, srv.URL())
	_, err := c.UserDefaultWalletID(bg(), "nobody")
	assert.ErrorIs(t, err, ErrNotFound)
}

// noKeyClient is a client without a key: these queries need none.
func noKeyClient(t *testing.T, url string) *Client {
	t.Helper()
	c, err := New("", WithEndpoint(url))
	require.NoError(t, err)
	return c
}
