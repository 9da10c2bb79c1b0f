// Package scalar holds the Go types that the generated GraphQL code binds
// Blink's custom scalars to (see genqlient.yaml). Amounts are int64-based so
// that no money ever passes through a float64.
package scalar

import (
	"strconv"
	"time"
)

// SatAmount is the SatAmount scalar: a non-negative whole number of satoshis.
type SatAmount int64

// CentAmount is the CentAmount scalar: a non-negative whole number of US cents.
type CentAmount int64

// SignedAmount is the SignedAmount scalar: sats for a BTC wallet, cents for a
// USD wallet, negative for sends.
type SignedAmount int64

// MarshalTimestamp writes a time as the Timestamp scalar (Unix seconds).
func MarshalTimestamp(t *time.Time) ([]byte, error) {
	return strconv.AppendInt(nil, t.Unix(), 10), nil
}

// UnmarshalTimestamp reads the Timestamp scalar (Unix seconds) into a time.
func UnmarshalTimestamp(b []byte, t *time.Time) error {
	if string(b) == "null" {
		*t = time.Time{}
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		// Some servers send fractional seconds; accept them, dropping the fraction.
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil {
			return err
		}
		n = int64(f)
	}
	*t = time.Unix(n, 0).UTC()
	return nil
}
