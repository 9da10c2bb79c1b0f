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

// Timestamp is the Timestamp scalar: Unix seconds. It decodes itself
// (json.Unmarshaler), so the generated types that hold one need no
// decoding pass of their own.
type Timestamp int64

// Time returns the timestamp as a time in UTC; the zero Timestamp gives
// the zero time.
func (t Timestamp) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).UTC()
}

// MarshalJSON writes the timestamp as Unix seconds.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(t), 10), nil
}

// UnmarshalJSON reads Unix seconds; null is the zero Timestamp, and
// fractional seconds (which some servers send) lose their fraction.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = 0
		return nil
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil {
			return err
		}
		n = int64(f)
	}
	*t = Timestamp(n)
	return nil
}

// Via is how a transaction was initiated (InitiationVia) or settled
// (SettlementVia): the union's members as one struct, Typename telling
// which. Only the member's own fields are set.
type Via struct {
	Typename string `json:"__typename"`
	// InitiationViaIntraLedger, SettlementViaIntraLedger.
	CounterPartyUsername *string `json:"counterPartyUsername"`
	CounterPartyWalletId *string `json:"counterPartyWalletId"`
	// InitiationViaLn.
	PaymentHash    string `json:"paymentHash"`
	PaymentRequest string `json:"paymentRequest"`
	// InitiationViaOnChain.
	Address string `json:"address"`
	// SettlementViaLn, SettlementViaIntraLedger.
	PreImage *string `json:"preImage"`
	// SettlementViaOnChain.
	TransactionHash             *string    `json:"transactionHash"`
	Vout                        *int       `json:"vout"`
	ArrivalInMempoolEstimatedAt *Timestamp `json:"arrivalInMempoolEstimatedAt"`
}
