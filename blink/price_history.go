package blink

import (
	"context"
	"math"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// PriceRange is a span of price history.
type PriceRange string

// The ranges of Client.PriceHistory, with the spacing of their points on
// the real server (core/api/src/graphql/public/root/query/btc-price-list.ts:34-51
// upstream).
const (
	PriceRangeOneDay    PriceRange = "ONE_DAY"    // hourly points
	PriceRangeOneWeek   PriceRange = "ONE_WEEK"   // every 4 hours
	PriceRangeOneMonth  PriceRange = "ONE_MONTH"  // daily
	PriceRangeOneYear   PriceRange = "ONE_YEAR"   // weekly
	PriceRangeFiveYears PriceRange = "FIVE_YEARS" // monthly
)

// PricePoint is the bitcoin price at one time.
type PricePoint struct {
	// Time is when the price was taken.
	Time time.Time
	// CentsPerBTC is the price of one bitcoin in US cents, as Base /
	// 10^Offset (the API uses offset 4).
	CentsPerBTC Price
}

// USD returns the price in US dollars per bitcoin, as a float for display
// only.
func (p PricePoint) USD() float64 {
	return float64(p.CentsPerBTC.Base) / math.Pow10(p.CentsPerBTC.Offset) / 100
}

// PriceHistory returns the bitcoin price in US dollars over a range,
// oldest first (query btcPriceList; no key needed). The history is in USD
// whatever the account's display currency. An unknown range is refused
// before sending.
func (c *Client) PriceHistory(ctx context.Context, r PriceRange) ([]PricePoint, error) {
	const op = "BtcPriceList"
	switch r {
	case PriceRangeOneDay, PriceRangeOneWeek, PriceRangeOneMonth, PriceRangeOneYear, PriceRangeFiveYears:
	default:
		return nil, invalidInput(op, "price range %q is not one of ONE_DAY, ONE_WEEK, ONE_MONTH, ONE_YEAR, FIVE_YEARS", truncate(string(r), 20))
	}
	resp, err := gen.BtcPriceList(ctx, c.gql, gen.PriceGraphRange(r))
	if err != nil {
		return nil, err
	}
	out := make([]PricePoint, 0, len(resp.BtcPriceList))
	for _, p := range resp.BtcPriceList {
		if p == nil {
			continue
		}
		out = append(out, PricePoint{Time: p.Timestamp.Time(), CentsPerBTC: Price{Base: p.Price.Base, Offset: p.Price.Offset}})
	}
	return out, nil
}

// ConversionEstimate is what an amount of a display currency is worth in
// sats and in US cents at the current price.
type ConversionEstimate struct {
	Sats  Sats
	Cents Cents
	// Time is when the price was taken.
	Time time.Time
}

// EstimateConversion returns what an amount in major units of a display
// currency (12.5 for 12.50 EUR) is worth in sats and US cents (query
// currencyConversionEstimation; no key needed). It is an estimate for
// display: payments convert at the price of the moment. A negative, NaN
// or infinite amount and a malformed currency code are refused before
// sending; a currency the server does not price is an *Error.
func (c *Client) EstimateConversion(ctx context.Context, amount float64, currency string) (*ConversionEstimate, error) {
	const op = "CurrencyConversionEstimation"
	if math.IsNaN(amount) || math.IsInf(amount, 0) || amount < 0 {
		return nil, invalidInput(op, "amount %v is not a finite amount of 0 or more", amount)
	}
	if err := checkDisplayCurrency(op, currency); err != nil {
		return nil, err
	}
	resp, err := gen.CurrencyConversionEstimation(ctx, c.gql, amount, currency)
	if err != nil {
		return nil, err
	}
	e := resp.CurrencyConversionEstimation
	return &ConversionEstimate{Sats: Sats(e.BtcSatAmount), Cents: Cents(e.UsdCentAmount), Time: e.Timestamp.Time()}, nil
}

// PayoutSpeedInfo describes an on-chain payout speed.
type PayoutSpeedInfo struct {
	// Speed is the value to pass as an on-chain send's speed.
	Speed PayoutSpeed
	// DisplayName is a short name, such as "Priority".
	DisplayName string
	// Description says when the payout is broadcast, such as "Estimated
	// broadcast ~10 minutes".
	Description string
}

// PayoutSpeeds returns the on-chain payout speeds the server offers (query
// payoutSpeeds; no key needed).
func (c *Client) PayoutSpeeds(ctx context.Context) ([]PayoutSpeedInfo, error) {
	resp, err := gen.PayoutSpeeds(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	out := make([]PayoutSpeedInfo, 0, len(resp.PayoutSpeeds))
	for _, s := range resp.PayoutSpeeds {
		out = append(out, PayoutSpeedInfo{Speed: PayoutSpeed(s.Speed), DisplayName: s.DisplayName, Description: s.Description})
	}
	return out, nil
}

// UserDefaultWalletID returns the id of a user's default wallet (query
// userDefaultWalletId; no key needed). The server marks the query
// deprecated; AccountDefaultWallet answers the same with the wallet's
// currency and can pick a currency. A malformed username is refused before
// sending; an unknown one is an *Error matching ErrNotFound.
func (c *Client) UserDefaultWalletID(ctx context.Context, username string) (string, error) {
	const op = "UserDefaultWalletId"
	u, err := normalizeUsername(op, username)
	if err != nil {
		return "", err
	}
	resp, err := gen.UserDefaultWalletId(ctx, c.gql, u)
	if err != nil {
		return "", err
	}
	return resp.UserDefaultWalletId, nil
}
