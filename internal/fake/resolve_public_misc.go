package fake

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"math"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

// Public fields that need no key, and account fields the SDK does not
// offer, as the real server answers them.

// BusinessMapMarkers lists the merchants on the map: the fake has none
// (suggestions are never validated).
func (r *queryResolver) BusinessMapMarkers(context.Context) ([]*model.MapMarker, error) {
	return []*model.MapMarker{}, nil
}

// mobileBuild is the real server's default build number for both platforms
// (core/api/src/config/schema.ts:543-548).
const mobileBuild = 362

// MobileVersions answers the build numbers of the default configuration
// (core/api/src/graphql/public/root/query/mobile-versions.ts).
func (r *queryResolver) MobileVersions(context.Context) ([]*model.MobileVersions, error) {
	return []*model.MobileVersions{
		{Platform: "android", CurrentSupported: mobileBuild, MinSupported: mobileBuild},
		{Platform: "ios", CurrentSupported: mobileBuild, MinSupported: mobileBuild},
	}, nil
}

// RegionCheck answers for a caller whose IP has no known country, as every
// loopback client is: no country, not restricted, custodial creation allowed
// (core/api/src/domain/accounts/region-restrictions.ts:52).
func (r *queryResolver) RegionCheck(context.Context) (*model.RegionCheck, error) {
	return &model.RegionCheck{Restricted: false, CustodialCreationAllowed: true}, nil
}

// MerchantMapSuggest records nothing but answers as the real server does:
// the username must be an account's, the coordinates on the globe, and the
// merchant comes back not validated
// (core/api/src/app/merchants/suggest-merchant-map.ts:15-34).
func (r *mutationResolver) MerchantMapSuggest(_ context.Context, in model.MerchantMapSuggestInput) (*model.MerchantPayload, error) {
	s := r.s
	// The checks run in the real order: username, coordinates, title
	// (messages and codes: core/api/src/graphql/error.ts:328,339), then
	// the account.
	if !queryUsernameRe.MatchString(in.Username) {
		return &model.MerchantPayload{Errors: gqlErrors(inputError("Invalid value for Username"))}, nil
	}
	if in.Latitude < -90 || in.Latitude > 90 || in.Longitude < -180 || in.Longitude > 180 {
		return &model.MerchantPayload{Errors: gqlErrors(&AppError{Code: "INVALID_COORDINATES", Message: "Latitude must be between -90 and 90 and longitude between -180 and 180"})}, nil
	}
	if n := len(utf16.Encode([]rune(in.Title))); n < 3 || n > 100 {
		return &model.MerchantPayload{Errors: gqlErrors(&AppError{Code: "INVALID_TITLE", Message: "Title should be between 3 and 100 characters long"})}, nil
	}
	s.mu.Lock()
	a, e := s.accountByUsername(in.Username)
	now := s.now()
	s.mu.Unlock()
	if e != nil {
		return &model.MerchantPayload{Errors: gqlErrors(e)}, nil
	}
	return &model.MerchantPayload{Errors: []model.Error{}, Merchant: &model.Merchant{
		ID:          nameUUID("merchant-" + a.id + "-" + in.Title),
		Title:       in.Title,
		Username:    a.username,
		Coordinates: &model.Coordinates{Latitude: in.Latitude, Longitude: in.Longitude},
		CreatedAt:   now,
		Validated:   false,
	}}, nil
}

// csvHeader is the real export's column list
// (core/api/src/services/ledger/csv-wallet-export.ts:6).
var csvHeader = []string{
	"id", "walletId", "type", "credit", "debit", "fee", "currency", "timestamp",
	"pendingConfirmation", "journalId", "lnMemo", "usd", "feeUsd", "recipientWalletId",
	"username", "memoFromPayer", "paymentHash", "pubkey", "feeKnownInAdvance", "address",
	"txHash", "displayAmount", "displayFee", "displayCurrency",
}

// CSVTransactions answers the account's ledger as base64 CSV, with the real
// export's columns, every wallet of the account (whatever walletIds says,
// as the real resolver ignores it: types/object/consumer-account.ts:169),
// oldest entry first. The timestamp is ISO-8601 (the real export prints
// JavaScript's Date string).
func (r *accountResolver) CSVTransactions(_ context.Context, acct *model.ConsumerAccount, _ []string) (string, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader)
	a := s.accounts[acct.AccountID]
	if a != nil {
		for _, id := range []string{a.btcWallet, a.usdWallet} {
			wl := s.wallets[id]
			if wl == nil {
				continue
			}
			for _, t := range wl.txs {
				_ = w.Write(csvRow(t))
			}
		}
	}
	w.Flush()
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// csvRow is one ledger entry as an export row: credit and debit are the
// amount before the fee.
func csvRow(t *Transaction) []string {
	credit, debit := int64(0), int64(0)
	if t.Amount >= 0 {
		credit = t.Amount
	} else {
		debit = -t.Amount - t.Fee
	}
	typ := "on_us"
	switch {
	case t.Via == "lightning" && t.SettledVia == "intraledger":
		typ = "ln_on_us"
	case t.Via == "onchain" && t.SettledVia == "intraledger":
		typ = "onchain_on_us"
	case t.Via == "lightning" && t.Direction == "RECEIVE":
		typ = "invoice"
	case t.Via == "lightning":
		typ = "payment"
	case t.Via == "onchain" && t.Direction == "RECEIVE":
		typ = "onchain_receipt"
	case t.Via == "onchain":
		typ = "onchain_payment"
	}
	recipient := ""
	if t.Direction == "SEND" {
		recipient = t.CounterpartyWalletID
	}
	return []string{
		t.ID, t.WalletID, typ, itoa(credit), itoa(debit), itoa(t.Fee), t.Currency,
		t.CreatedAt.UTC().Format(time.RFC3339Nano), strconv.FormatBool(t.Status == "PENDING"), t.ID,
		t.Memo, "", "", recipient, t.CounterpartyUsername, "", t.PaymentHash, "", "", t.Address,
		t.TxHash, "", "", t.DisplayCurrency,
	}
}

// maxPriceAmount is the price subscription's amount limit
// (core/api/src/graphql/public/root/subscription/price.ts: "Unsupported
// exchange amount" from 1,000,000 on).
const maxPriceAmount = 1_000_000

// Price is the deprecated price subscription: the price of an amount of
// sats in US cents, at subscribe and again whenever the price changes (or
// every PriceUpdateInterval); an amount or unit it does not support gets
// one payload error, as root/subscription/price.ts answers. Only USD has a
// price in the fake.
func (r *subscriptionResolver) Price(ctx context.Context, in model.PriceInput) (<-chan *model.PricePayload, error) {
	var refusal string
	switch {
	case in.AmountCurrencyUnit != model.ExchangeCurrencyUnitBtcsat || in.PriceCurrencyUnit != model.ExchangeCurrencyUnitUsdcent:
		refusal = "Unsupported exchange unit"
	case int64(in.Amount) >= maxPriceAmount:
		refusal = "Unsupported exchange amount"
	case in.Amount < 0:
		refusal = "Invalid value for SatAmount"
	}
	sent := false
	var last int64 = -1
	var lastAt time.Time
	return stream(ctx, r.s, func() (*model.PricePayload, bool, time.Duration) {
		if refusal != "" {
			if sent {
				return nil, false, 0
			}
			sent = true
			return &model.PricePayload{Errors: gqlErrors(validationError(refusal))}, true, 0
		}
		r.s.mu.Lock()
		price, now := r.s.price, r.s.now()
		r.s.mu.Unlock()
		if price == last && now.Before(lastAt.Add(PriceUpdateInterval)) {
			return nil, false, max(lastAt.Add(PriceUpdateInterval).Sub(now), time.Millisecond)
		}
		last, lastAt = price, now
		return &model.PricePayload{Errors: []model.Error{}, Price: satsInCents(int64(in.Amount), price)}, true, PriceUpdateInterval
	}), nil
}

// satsInCents is the price subscription's Price of sats at a price in
// cents per BTC: the amount in cents as JavaScript prints the number, and
// base / 10^12 of it.
func satsInCents(sats, centsPerBTC int64) *model.Price {
	cents := float64(sats) * float64(centsPerBTC) / satsPerBTC
	return &model.Price{
		FormattedAmount: strconv.FormatFloat(cents, 'f', -1, 64),
		Base:            scalars.SafeInt(math.Round(cents * 1e12)),
		Offset:          PriceOffset,
		CurrencyUnit:    "USDCENT",
	}
}
