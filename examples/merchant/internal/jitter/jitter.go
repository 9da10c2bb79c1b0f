// Package jitter spreads the server's retry waits, so that many rows
// failing together do not retry together.
package jitter

import (
	"math/rand/v2"
	"time"
)

// Spread returns d moved at random by up to 20% either way.
func Spread(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
