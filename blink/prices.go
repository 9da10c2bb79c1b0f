package blink

import (
	"context"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// Currency is a display currency the API can price in.
type Currency struct {
	// ID is the currency's code, such as "USD" or "EUR"; pass it to
	// Client.RealtimePrice.
	ID string
	// Name is the currency's English name, such as "Euro".
	Name string
	// Symbol is the currency's symbol, such as "€".
	Symbol string
	// Flag is an emoji flag of the currency's country; may be empty.
	Flag string
	// FractionDigits is the number of minor-unit digits (2 for EUR, 0 for JPY).
	FractionDigits int
}

// Currencies returns the display currencies the API prices in (query
// currencyList; no key needed).
func (c *Client) Currencies(ctx context.Context) ([]Currency, error) {
	resp, err := gen.CurrencyList(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	out := make([]Currency, 0, len(resp.CurrencyList))
	for _, x := range resp.CurrencyList {
		out = append(out, Currency{ID: x.Id, Name: x.Name, Symbol: x.Symbol, Flag: x.Flag, FractionDigits: x.FractionDigits})
	}
	return out, nil
}

// DisplayAmount is an amount of a display currency, counted in its minor
// unit (cents for EUR, yen for JPY).
type DisplayAmount struct {
	// Minor is the amount in minor units; negative for a send.
	Minor int64
	// Currency is the currency's code, such as "EUR".
	Currency string
	// FractionDigits is the number of minor-unit digits of the currency.
	FractionDigits int
}

// Decimal formats the amount in major units without the currency, as
// "12.34", "-0.05" or, for a currency without minor digits, "1234": the
// form of Transaction.DisplayAmount.
func (d DisplayAmount) Decimal() string {
	neg := d.Minor < 0
	abs := uint64(d.Minor)
	if neg {
		abs = -abs // two's complement: also right for math.MinInt64
	}
	digits := strconv.FormatUint(abs, 10)
	if fd := d.FractionDigits; fd > 0 {
		if len(digits) <= fd {
			digits = strings.Repeat("0", fd-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-fd] + "." + digits[len(digits)-fd:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// String formats the amount in major units followed by the currency code,
// as "12.34 EUR" or "-0.05 USD".
func (d DisplayAmount) String() string {
	if d.Currency == "" {
		return d.Decimal()
	}
	return d.Decimal() + " " + d.Currency
}

// MaxPriceOffset is the largest Price.Offset the conversions accept. The API
// uses 12 for sat prices and 6 for cent prices.
const MaxPriceOffset = 30

// Valid reports whether the price can be used for conversions: Base above
// 0 and Offset from 0 to MaxPriceOffset.
func (p Price) Valid() bool { return p.Base > 0 && p.Offset >= 0 && p.Offset <= MaxPriceOffset }

// Validate returns an error matching ErrInvalidInput when a price of p
// cannot be used for conversions (see Price.Valid); a conversion that needs
// such a price returns 0. Prices the API returns are valid.
func (p *RealtimePrice) Validate() error {
	if !p.SatPrice.Valid() {
		return invalidInput("RealtimePrice", "sat price %d/10^%d is not a positive price with an offset from 0 to %d", p.SatPrice.Base, p.SatPrice.Offset, MaxPriceOffset)
	}
	if !p.CentPrice.Valid() {
		return invalidInput("RealtimePrice", "cent price %d/10^%d is not a positive price with an offset from 0 to %d", p.CentPrice.Base, p.CentPrice.Offset, MaxPriceOffset)
	}
	return nil
}

// SatsToDisplay returns what sats are worth in the display currency, at
// SatPrice. It returns a zero amount (with the currency) when SatPrice is
// not valid.
//
// This and the other conversions of RealtimePrice are exact integer
// arithmetic on the Base/Offset form (math/big, no floating point): the
// exact rational result is rounded once, half away from zero, to a whole
// minor unit, sat or cent. Half away from zero is symmetric, so converting
// a send (negative) gives the negative of converting the same receive, and
// it is the rule a person applies by hand. The server rounds on its own
// terms when it settles a payment that converts between sats and cents, so
// a quote may differ by a cent or a sat from what a wallet is debited or
// credited. A result beyond the int64 range saturates at math.MaxInt64 or
// math.MinInt64, which real prices and amounts up to MaxAmount never reach.
func (p *RealtimePrice) SatsToDisplay(s Sats) DisplayAmount {
	d := DisplayAmount{Currency: p.Currency, FractionDigits: p.FractionDigits}
	if p.SatPrice.Valid() {
		d.Minor = convert(int64(s), p.SatPrice, Price{Base: 1})
	}
	return d
}

// CentsToDisplay returns what US cents are worth in the display currency,
// at CentPrice. It returns a zero amount (with the currency) when CentPrice
// is not valid. It rounds as SatsToDisplay does.
func (p *RealtimePrice) CentsToDisplay(c Cents) DisplayAmount {
	d := DisplayAmount{Currency: p.Currency, FractionDigits: p.FractionDigits}
	if p.CentPrice.Valid() {
		d.Minor = convert(int64(c), p.CentPrice, Price{Base: 1})
	}
	return d
}

// SatsToCents returns what sats are worth in US cents:
// s × SatPrice / CentPrice (both prices are in minor units of the display
// currency, so the display currency cancels out). It returns 0 when either
// price is not valid. It rounds as SatsToDisplay does.
func (p *RealtimePrice) SatsToCents(s Sats) Cents {
	if !p.SatPrice.Valid() || !p.CentPrice.Valid() {
		return 0
	}
	return Cents(convert(int64(s), p.SatPrice, p.CentPrice))
}

// CentsToSats returns what US cents are worth in sats:
// c × CentPrice / SatPrice. It returns 0 when either price is not valid.
// It rounds as SatsToDisplay does.
func (p *RealtimePrice) CentsToSats(c Cents) Sats {
	if !p.SatPrice.Valid() || !p.CentPrice.Valid() {
		return 0
	}
	return Sats(convert(int64(c), p.CentPrice, p.SatPrice))
}

// DisplayToSats returns what an amount in minor units of the display
// currency (p.Currency) is worth in sats: minor / SatPrice. It returns 0
// when SatPrice is not valid. It rounds as SatsToDisplay does.
func (p *RealtimePrice) DisplayToSats(minor int64) Sats {
	if !p.SatPrice.Valid() {
		return 0
	}
	return Sats(convert(minor, Price{Base: 1}, p.SatPrice))
}

// DisplayToCents returns what an amount in minor units of the display
// currency (p.Currency) is worth in US cents: minor / CentPrice. It returns
// 0 when CentPrice is not valid. It rounds as SatsToDisplay does.
func (p *RealtimePrice) DisplayToCents(minor int64) Cents {
	if !p.CentPrice.Valid() {
		return 0
	}
	return Cents(convert(minor, Price{Base: 1}, p.CentPrice))
}

var bigTen = big.NewInt(10)

// ratio returns a price as numerator and denominator: Base / 10^Offset.
func ratio(p Price) (num, den *big.Int) {
	return big.NewInt(p.Base), new(big.Int).Exp(bigTen, big.NewInt(int64(p.Offset)), nil)
}

// convert returns amount × from / to, rounded half away from zero and
// saturated to int64. Both prices must be valid.
func convert(amount int64, from, to Price) int64 {
	fn, fd := ratio(from)
	tn, td := ratio(to)
	num := new(big.Int).Mul(big.NewInt(amount), fn)
	num.Mul(num, td)
	den := fd.Mul(fd, tn)
	return saturate(divRoundHalfAway(num, den))
}

// divRoundHalfAway returns num/den rounded to the nearest integer, ties
// away from zero. den must be positive.
func divRoundHalfAway(num, den *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int)) // q truncated toward zero; r has num's sign
	r.Abs(r)
	r.Lsh(r, 1)
	if r.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

var (
	bigMaxInt64 = big.NewInt(math.MaxInt64)
	bigMinInt64 = big.NewInt(math.MinInt64)
)

func saturate(x *big.Int) int64 {
	switch {
	case x.Cmp(bigMaxInt64) > 0:
		return math.MaxInt64
	case x.Cmp(bigMinInt64) < 0:
		return math.MinInt64
	}
	return x.Int64()
}
