// Package scalars holds the Go types that the fake server's gqlgen code binds
// Blink's numeric custom scalars to. Amounts are int64-based. Parsing is
// lenient about range (negative or too-large values are kept) so that the
// resolvers can report range errors inside mutation payloads, as the real
// server does; values of the wrong type are rejected at once.
package scalars

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// SatAmount is the SatAmount scalar: a whole number of satoshis.
type SatAmount int64

// CentAmount is the CentAmount scalar: a whole number of US cents.
type CentAmount int64

// SignedAmount is the SignedAmount scalar: sats or cents, negative for sends.
type SignedAmount int64

// SafeInt is the SafeInt scalar.
type SafeInt int64

// Minutes is the Minutes scalar (invoice expiry).
type Minutes int64

// Seconds is the Seconds scalar.
type Seconds int64

func parseInt(v any, name string) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err != nil {
			return 0, fmt.Errorf("Invalid type for %s", name)
		}
		return truncFloat(f, name)
	case float64:
		return truncFloat(x, name)
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("Invalid value for %s", name)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("Invalid type for %s", name)
	}
}

func truncFloat(f float64, name string) (int64, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<62 {
		return 0, fmt.Errorf("Invalid value for %s", name)
	}
	// The real server truncates fractional amounts.
	return int64(f), nil
}

func writeInt(w io.Writer, n int64) {
	_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
}

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *SatAmount) UnmarshalGQL(v any) error {
	n, err := parseInt(v, "SatAmount")
	*a = SatAmount(n)
	return err
}

// MarshalGQL implements graphql.Marshaler.
func (a SatAmount) MarshalGQL(w io.Writer) { writeInt(w, int64(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *CentAmount) UnmarshalGQL(v any) error {
	n, err := parseInt(v, "CentAmount")
	*a = CentAmount(n)
	return err
}

// MarshalGQL implements graphql.Marshaler.
func (a CentAmount) MarshalGQL(w io.Writer) { writeInt(w, int64(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *SignedAmount) UnmarshalGQL(v any) error {
	n, err := parseInt(v, "SignedAmount")
	*a = SignedAmount(n)
	return err
}

// MarshalGQL implements graphql.Marshaler.
func (a SignedAmount) MarshalGQL(w io.Writer) { writeInt(w, int64(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *SafeInt) UnmarshalGQL(v any) error {
	n, err := parseInt(v, "SafeInt")
	*a = SafeInt(n)
	return err
}

// MarshalGQL implements graphql.Marshaler.
func (a SafeInt) MarshalGQL(w io.Writer) { writeInt(w, int64(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *Minutes) UnmarshalGQL(v any) error {
	n, err := parseInt(v, "Minutes")
	*a = Minutes(n)
	return err
}

// MarshalGQL implements graphql.Marshaler.
func (a Minutes) MarshalGQL(w io.Writer) { writeInt(w, int64(a)) }

// UnmarshalGQL implements graphql.Unmarshaler.
func (a *Seconds) UnmarshalGQL(v any) error {
	n, err := parseInt(v, "Seconds")
	*a = Seconds(n)
	return err
}

// MarshalGQL implements graphql.Marshaler.
func (a Seconds) MarshalGQL(w io.Writer) { writeInt(w, int64(a)) }

// MarshalTimestamp writes a time as the Timestamp scalar: Unix seconds.
func MarshalTimestamp(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { writeInt(w, t.Unix()) })
}

// UnmarshalTimestamp reads the Timestamp scalar (Unix seconds).
func UnmarshalTimestamp(v any) (time.Time, error) {
	n, err := parseInt(v, "Timestamp")
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(n, 0).UTC(), nil
}
