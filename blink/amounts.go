package blink

import (
	"strconv"
)

// MaxAmount is the largest amount the API accepts (10^13 sats or cents).
const MaxAmount = 10_000_000_000_000

// Sats is an amount of satoshis.
type Sats int64

// String formats the amount as "1234 sats".
func (s Sats) String() string {
	if s == 1 || s == -1 {
		return strconv.FormatInt(int64(s), 10) + " sat"
	}
	return strconv.FormatInt(int64(s), 10) + " sats"
}

// Cents is an amount of US cents.
type Cents int64

// String formats the amount in dollars, as "$12.34" or "-$0.05".
func (c Cents) String() string {
	v := int64(c)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	frac := v % 100
	f := strconv.FormatInt(frac, 10)
	if frac < 10 {
		f = "0" + f
	}
	return sign + "$" + strconv.FormatInt(v/100, 10) + "." + f
}

// WalletCurrency is the currency a wallet holds.
type WalletCurrency string

// The two wallet currencies of a Blink account.
const (
	// BTC wallets hold satoshis.
	BTC WalletCurrency = "BTC"
	// USD wallets (Stablesats) hold US cents.
	USD WalletCurrency = "USD"
)

// Amount is an amount in a wallet's unit: sats for BTC, cents for USD.
type Amount struct {
	// Value is the number of sats or cents; negative for a send.
	Value int64
	// Currency says which unit Value counts.
	Currency WalletCurrency
}

// String formats the amount in its unit ("1234 sats" or "$12.34").
func (a Amount) String() string {
	if a.Currency == USD {
		return Cents(a.Value).String()
	}
	return Sats(a.Value).String()
}

// Sats returns the amount as sats, and false when it is not in sats.
func (a Amount) Sats() (Sats, bool) { return Sats(a.Value), a.Currency == BTC }

// Cents returns the amount as cents, and false when it is not in cents.
func (a Amount) Cents() (Cents, bool) { return Cents(a.Value), a.Currency == USD }

// checkAmount refuses an amount outside (0, MaxAmount].
func checkAmount(op string, v int64) error {
	if v <= 0 {
		return invalidInput(op, "amount must be above 0, got %d", v)
	}
	if v > MaxAmount {
		return invalidInput(op, "amount %d is above the maximum of %d", v, int64(MaxAmount))
	}
	return nil
}
