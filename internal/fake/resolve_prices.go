package fake

import (
	"context"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

// Prices in display currencies, price history, conversion estimates and
// payout speeds.

// rate is how many minor units of a display currency one US cent is
// worth: num/den.
type rate struct{ num, den int64 }

// displayRates are the fake's fixed rates of the currencies of
// currencyList to the US dollar (the real server asks its price service).
var displayRates = map[string]rate{
	"USD": {1, 1},
	"EUR": {92, 100},  // 1 USD = 0.92 EUR
	"JPY": {150, 100}, // 1 USD = 150 JPY (no minor digits: 1 cent = 1.5 yen)
}

// displayRate is a currency's rate; USD's for an unknown one.
func displayRate(cur string) rate {
	if r, ok := displayRates[cur]; ok {
		return r
	}
	return rate{1, 1}
}

// applyInt converts an amount of US cents (or any quantity priced in
// them) to the currency, rounded to the nearest integer.
func (r rate) applyInt(x int64) int64 {
	if r.num == r.den {
		return x
	}
	n := new(big.Int).Mul(big.NewInt(x), big.NewInt(2*r.num))
	n.Add(n, big.NewInt(r.den))
	return n.Quo(n, big.NewInt(2*r.den)).Int64() // half up, for x >= 0
}

// currencyByCode is the currencyList entry of a code, or nil.
func currencyByCode(cur string) *model.Currency {
	for _, c := range currencies {
		if c.ID == cur {
			return c
		}
	}
	return nil
}

// displayMajor formats an amount of US cents in major units of a display
// currency, with the currency's fraction digits.
func displayMajor(cents *big.Rat, cur string) string {
	r := displayRate(cur)
	fd := 2
	if c := currencyByCode(cur); c != nil {
		fd = c.FractionDigits
	}
	v := new(big.Rat).Mul(cents, new(big.Rat).SetFrac(big.NewInt(r.num), big.NewInt(r.den)))
	v.Quo(v, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(fd)), nil)))
	return v.FloatString(fd)
}

// btcPricePrecisionOffset is the offset of btcPriceList's prices
// (core/api/src/domain/fiat/display-currency.ts:9 upstream).
const btcPricePrecisionOffset = 4

// priceHistory is the number of points and their spacing for each range,
// as upstream's intervals (btc-price-list.ts:34-51).
var priceHistory = map[model.PriceGraphRange]struct {
	n    int
	step time.Duration
}{
	model.PriceGraphRangeOneDay:    {24, time.Hour},
	model.PriceGraphRangeOneWeek:   {42, 4 * time.Hour},
	model.PriceGraphRangeOneMonth:  {30, 24 * time.Hour},
	model.PriceGraphRangeOneYear:   {52, 7 * 24 * time.Hour},
	model.PriceGraphRangeFiveYears: {60, 30 * 24 * time.Hour},
}

// BtcPriceList is the price of a bitcoin in US cents over the range,
// oldest first: the fake has no history, so every point is the current
// price, at the range's interval ending now. Like upstream, the price is
// in US cents whatever the currency (currencyUnit USDCENT, offset 4).
func (r *queryResolver) BtcPriceList(_ context.Context, rng model.PriceGraphRange) ([]*model.PricePoint, error) {
	h, ok := priceHistory[rng]
	if !ok {
		return nil, inputError("Invalid value for 'range'.")
	}
	s := r.s
	s.mu.Lock()
	cents, now := s.price, s.now().Truncate(h.step)
	s.mu.Unlock()
	out := make([]*model.PricePoint, 0, h.n)
	for i := h.n - 1; i >= 0; i-- {
		out = append(out, &model.PricePoint{
			Timestamp: now.Add(-time.Duration(i) * h.step),
			Price: &model.Price{
				Base: scalars.SafeInt(cents * 10_000), Offset: btcPricePrecisionOffset,
				CurrencyUnit: "USDCENT", FormattedAmount: strconv.FormatInt(cents, 10),
			},
		})
	}
	return out, nil
}

// CurrencyConversionEstimation converts an amount in major units of a
// display currency into sats and US cents at the current price, as
// upstream's estimateWalletsAmounts
// (core/api/src/app/prices/estimate-wallets-amounts.ts): an unknown
// currency is a top-level INVALID_INPUT "Invalid currency.".
func (r *queryResolver) CurrencyConversionEstimation(_ context.Context, amount float64, currency string) (*model.CurrencyConversionEstimation, error) {
	if n := len(currency); n < 3 || n > 4 {
		return nil, validationError("Invalid value for DisplayCurrency")
	}
	cur := toUpper(currency)
	details := currencyByCode(cur)
	if details == nil {
		return nil, inputError("Invalid currency.")
	}
	if math.IsNaN(amount) || math.IsInf(amount, 0) || amount < 0 {
		return nil, inputError("Invalid amount")
	}
	minor := new(big.Rat)
	minor.SetFloat64(amount * math.Pow10(details.FractionDigits))
	rt := displayRate(cur)
	// US cents = minor / rate.
	cents := new(big.Rat).Mul(minor, new(big.Rat).SetFrac(big.NewInt(rt.den), big.NewInt(rt.num)))
	s := r.s
	s.mu.Lock()
	price, now := s.price, s.now()
	s.mu.Unlock()
	sats := new(big.Rat).Mul(cents, new(big.Rat).SetFrac(big.NewInt(satsPerBTC), big.NewInt(price)))
	return &model.CurrencyConversionEstimation{
		ID:            nameUUID("estimate-" + itoa(now.Unix()) + "-" + cur + "-" + strconv.FormatFloat(amount, 'g', -1, 64)),
		Timestamp:     now,
		BtcSatAmount:  scalars.SatAmount(roundRat(sats)),
		UsdCentAmount: scalars.CentAmount(roundRat(cents)),
	}, nil
}

func roundRat(r *big.Rat) int64 {
	f, _ := r.Float64()
	return int64(math.Round(f))
}

func toUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// payoutSpeeds are upstream's default payout queues
// (core/api/src/config/schema.ts:466-485).
var payoutSpeeds = []*model.PayoutSpeeds{
	{Speed: model.PayoutSpeedFast, DisplayName: "Priority", Description: "Estimated broadcast ~10 minutes"},
	{Speed: model.PayoutSpeedMedium, DisplayName: "Standard", Description: "Estimated broadcast ~1 hour"},
	{Speed: model.PayoutSpeedSlow, DisplayName: "Flexible", Description: "Estimated broadcast ~24 hours"},
}

func (r *queryResolver) PayoutSpeeds(context.Context) ([]*model.PayoutSpeeds, error) {
	return payoutSpeeds, nil
}
