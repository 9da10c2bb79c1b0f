package blink

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// Prices in the API's form. usd100k is what the real server and blinktest
// answer at $100,000 a bitcoin: 0.1 US cent a sat (offset 12) and 1 US
// cent a US cent (offset 6).
var (
	usd100k = &RealtimePrice{Currency: "USD", FractionDigits: 2,
		SatPrice: Price{Base: 100_000_000_000, Offset: 12}, CentPrice: Price{Base: 1_000_000, Offset: 6}}
	// 0.092123456789 euro cents a sat, 0.921234 euro cents a US cent.
	eur = &RealtimePrice{Currency: "EUR", FractionDigits: 2,
		SatPrice: Price{Base: 92_123_456_789, Offset: 12}, CentPrice: Price{Base: 921_234, Offset: 6}}
	// 0.155 yen a sat, 1.56 yen a US cent; the yen has no minor digits.
	jpy = &RealtimePrice{Currency: "JPY", FractionDigits: 0,
		SatPrice: Price{Base: 155, Offset: 3}, CentPrice: Price{Base: 156, Offset: 2}}
)

// conv names the six conversions so that tables can list them.
type conv int

const (
	satsToDisplay conv = iota
	centsToDisplay
	satsToCents
	centsToSats
	displayToSats
	displayToCents
)

func (c conv) String() string {
	return [...]string{"SatsToDisplay", "CentsToDisplay", "SatsToCents", "CentsToSats", "DisplayToSats", "DisplayToCents"}[c]
}

func (c conv) apply(p *RealtimePrice, v int64) int64 {
	switch c {
	case satsToDisplay:
		return p.SatsToDisplay(Sats(v)).Minor
	case centsToDisplay:
		return p.CentsToDisplay(Cents(v)).Minor
	case satsToCents:
		return int64(p.SatsToCents(Sats(v)))
	case centsToSats:
		return int64(p.CentsToSats(Cents(v)))
	case displayToSats:
		return int64(p.DisplayToSats(v))
	default:
		return int64(p.DisplayToCents(v))
	}
}

// The expected values are worked out by hand: the exact product or
// quotient, then rounded half away from zero.
func TestRealtimePrice_ConversionsMatchHandComputedValues(t *testing.T) {
	const M = MaxAmount
	cases := []struct {
		p    *RealtimePrice
		c    conv
		in   int64
		want int64
	}{
		// $100,000: a sat is 0.1 cent, a cent is 10 sats.
		{usd100k, satsToDisplay, 0, 0},
		{usd100k, satsToDisplay, 1, 0},          // 0.1
		{usd100k, satsToDisplay, 4, 0},          // 0.4
		{usd100k, satsToDisplay, 5, 1},          // 0.5, away from zero
		{usd100k, satsToDisplay, -5, -1},        // -0.5, away from zero
		{usd100k, satsToDisplay, 6, 1},          // 0.6
		{usd100k, satsToDisplay, 15, 2},         // 1.5
		{usd100k, satsToDisplay, 25, 3},         // 2.5: not to even
		{usd100k, satsToDisplay, -25, -3},       // -2.5
		{usd100k, satsToDisplay, 12_345, 1_235}, // 1234.5
		{usd100k, satsToDisplay, 100_000_000, 10_000_000},
		{usd100k, satsToDisplay, M, 1_000_000_000_000},
		{usd100k, satsToDisplay, -M, -1_000_000_000_000},
		{usd100k, satsToCents, 12_345, 1_235},
		{usd100k, satsToCents, -12_344, -1_234},
		{usd100k, satsToCents, M, 1_000_000_000_000},
		{usd100k, centsToSats, 1, 10},
		{usd100k, centsToSats, -3, -30},
		{usd100k, centsToSats, M, 100_000_000_000_000},
		{usd100k, centsToDisplay, 1_234, 1_234},
		{usd100k, centsToDisplay, -M, -M},
		{usd100k, displayToSats, 1, 10},
		{usd100k, displayToSats, M, 100_000_000_000_000},
		{usd100k, displayToCents, -99, -99},

		// EUR: 0.092123456789 euro cents a sat, 0.921234 a US cent.
		{eur, satsToDisplay, 1, 0},
		{eur, satsToDisplay, 100_000_000, 9_212_346},   // 9212345.6789
		{eur, satsToDisplay, -100_000_000, -9_212_346}, // mirrored
		{eur, satsToDisplay, 12_345_678, 1_137_327},    // 1137327.0288...
		{eur, satsToDisplay, M, 921_234_567_890},       // exact
		{eur, satsToDisplay, -M, -921_234_567_890},
		{eur, centsToDisplay, 1, 1},       // 0.921234
		{eur, centsToDisplay, 100, 92},    // 92.1234
		{eur, centsToDisplay, -250, -230}, // -230.3085
		{eur, centsToDisplay, M, 9_212_340_000_000},
		{eur, satsToCents, 1, 0},                       // 0.0999...
		{eur, satsToCents, 100_000_000, 10_000_006},    // 10000005.97...
		{eur, satsToCents, 12_345_678, 1_234_569},      // 1234568.52...
		{eur, satsToCents, M, 1_000_000_616_445},       // 1000000616444.64...
		{eur, satsToCents, -M, -1_000_000_616_445},     // mirrored
		{eur, centsToSats, 1, 10},                      // 9.99999...
		{eur, centsToSats, 100, 1_000},                 // 999.99938...
		{eur, centsToSats, -250, -2_500},               // -2499.998...
		{eur, centsToSats, M, 99_999_938_355_548},      // 99999938355547.8...
		{eur, displayToSats, 1, 11},                    // 10.85...
		{eur, displayToSats, 100, 1_085},               // 1085.4998...
		{eur, displayToSats, -5_000, -54_275},          // -54274.99...
		{eur, displayToSats, M, 108_549_986_600_091},   // 108549986600090.7...
		{eur, displayToCents, 100, 109},                // 108.55...
		{eur, displayToCents, -5_000, -5_428},          // -5427.50...
		{eur, displayToCents, M, 10_855_005_351_518},   // 10855005351517.8...
		{eur, displayToCents, -M, -10_855_005_351_518}, // mirrored

		// JPY: 0.155 yen a sat, 1.56 yen a US cent.
		{jpy, satsToDisplay, 10, 2},   // 1.55
		{jpy, satsToDisplay, -10, -2}, // -1.55
		{jpy, satsToDisplay, 100, 16}, // 15.5, away from zero
		{jpy, satsToDisplay, 1_000, 155},
		{jpy, satsToDisplay, M, 1_550_000_000_000},
		{jpy, satsToCents, 10, 1},     // 0.99...
		{jpy, satsToCents, 1_000, 99}, // 99.36
		{jpy, satsToCents, M, 993_589_743_590},
		{jpy, centsToDisplay, 1, 2}, // 1.56
		{jpy, centsToDisplay, 100, 156},
		{jpy, centsToSats, 1, 10},      // 10.06
		{jpy, centsToSats, 100, 1_006}, // 1006.45
		{jpy, centsToSats, M, 100_645_161_290_323},
		{jpy, displayToSats, 1, 6}, // 6.45
		{jpy, displayToSats, 155, 1_000},
		{jpy, displayToSats, M, 64_516_129_032_258},
		{jpy, displayToCents, 155, 99}, // 99.36
		{jpy, displayToCents, M, 6_410_256_410_256},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.c.apply(c.p, c.in), "%s %s(%d)", c.p.Currency, c.c, c.in)
	}
}

func TestPrice_EveryOffsetFromZeroToTwelve(t *testing.T) {
	for k := 0; k <= 12; k++ {
		pow := int64(math.Pow10(k))
		// Base 7 at offset k: 10^12 sats are worth 7·10^(12-k), exactly.
		p := &RealtimePrice{SatPrice: Price{Base: 7, Offset: k}, CentPrice: Price{Base: 7, Offset: k}}
		assert.Equal(t, 7*int64(math.Pow10(12-k)), p.SatsToDisplay(1_000_000_000_000).Minor, "offset %d", k)
		assert.Equal(t, Cents(1_000_000_000_000), p.SatsToCents(1_000_000_000_000), "same price: a sat for a cent, offset %d", k)
		// One sat at Base 5: 5 at offset 0, a tie (0.5 → 1) at offset 1,
		// below a half from offset 2 on.
		p5 := &RealtimePrice{SatPrice: Price{Base: 5, Offset: k}, CentPrice: Price{Base: 1, Offset: 0}}
		var want int64
		switch k {
		case 0:
			want = 5
		case 1:
			want = 1
		}
		assert.Equal(t, want, p5.SatsToDisplay(1).Minor, "offset %d", k)
		assert.Equal(t, -want, p5.SatsToDisplay(-1).Minor, "offset %d", k)
		assert.Equal(t, Cents(want), p5.SatsToCents(1), "offset %d", k)
		// One display minor unit at Base 5 buys 10^k/5 sats: 0.2 → 0 at
		// offset 0, then 2·10^(k-1) exactly.
		wantSats := Sats(0)
		if k > 0 {
			wantSats = Sats(2 * pow / 10)
		}
		assert.Equal(t, wantSats, p5.DisplayToSats(1), "offset %d", k)
		assert.Equal(t, -wantSats, p5.DisplayToSats(-1), "offset %d", k)
		// 10^k sats at Base 123 are 123 minor units whatever the offset.
		p123 := &RealtimePrice{SatPrice: Price{Base: 123, Offset: k}, CentPrice: Price{Base: 1, Offset: 0}}
		assert.Equal(t, int64(123), p123.SatsToDisplay(Sats(pow)).Minor, "offset %d", k)
		assert.Equal(t, Sats(pow), p123.DisplayToSats(123), "offset %d", k)
		// Half of 10^k sats at Base 3: 1.5 → 2 (k ≥ 1).
		if k > 0 {
			p3 := &RealtimePrice{SatPrice: Price{Base: 3, Offset: k}, CentPrice: Price{Base: 1, Offset: 0}}
			assert.Equal(t, int64(2), p3.SatsToDisplay(Sats(pow/2)).Minor, "offset %d", k)
			assert.Equal(t, int64(-2), p3.SatsToDisplay(Sats(-pow/2)).Minor, "offset %d", k)
		}
	}
}

func TestPrice_ExtremesSaturateInsteadOfWrapping(t *testing.T) {
	huge := &RealtimePrice{SatPrice: Price{Base: math.MaxInt64, Offset: 0}, CentPrice: Price{Base: 1, Offset: MaxPriceOffset}}
	assert.Equal(t, int64(math.MaxInt64), huge.SatsToDisplay(MaxAmount).Minor)
	assert.Equal(t, int64(math.MinInt64), huge.SatsToDisplay(-MaxAmount).Minor)
	assert.Equal(t, Cents(math.MaxInt64), huge.SatsToCents(1), "a sat worth 10^30·MaxInt64 cents")
	assert.Equal(t, Sats(0), huge.CentsToSats(MaxAmount), "10^13 cents at 10^-30 each are nothing")
	assert.Equal(t, int64(math.MaxInt64), huge.SatsToDisplay(math.MaxInt64).Minor)

	// MaxInt64 / 10^30 per sat: 10^13 sats are 92.23... → 92.
	tiny := &RealtimePrice{SatPrice: Price{Base: math.MaxInt64, Offset: MaxPriceOffset}, CentPrice: Price{Base: 1, Offset: 0}}
	assert.Equal(t, int64(92), tiny.SatsToDisplay(MaxAmount).Minor)
	assert.Equal(t, int64(-92), tiny.SatsToDisplay(-MaxAmount).Minor)
	// MaxInt64 / 10^12 per sat: 10^13 sats overflow int64 tenfold.
	assert.Equal(t, int64(math.MaxInt64), (&RealtimePrice{SatPrice: Price{Base: math.MaxInt64, Offset: 12}}).SatsToDisplay(MaxAmount).Minor)

	// The int64 extremes as inputs do not wrap.
	assert.Equal(t, int64(math.MinInt64), usd100k.CentsToDisplay(math.MinInt64).Minor)
	assert.Equal(t, Sats(math.MinInt64), usd100k.CentsToSats(math.MinInt64), "ten times MinInt64 saturates")
	assert.Equal(t, Cents(-922_337_203_685_477_581), usd100k.SatsToCents(math.MinInt64), "MinInt64/10 = ...580.8, away from zero")
}

func TestPrice_InvalidPricesConvertToZeroAndFailValidate(t *testing.T) {
	for name, pr := range map[string]Price{
		"zero base":     {Base: 0, Offset: 2},
		"negative base": {Base: -5, Offset: 2},
		"offset -1":     {Base: 5, Offset: -1},
		"offset 31":     {Base: 5, Offset: 31},
	} {
		t.Run(name, func(t *testing.T) {
			assert.False(t, pr.Valid())
			badSat := &RealtimePrice{Currency: "EUR", FractionDigits: 2, SatPrice: pr, CentPrice: eur.CentPrice}
			require.ErrorIs(t, badSat.Validate(), ErrInvalidInput)
			assert.Equal(t, DisplayAmount{Currency: "EUR", FractionDigits: 2}, badSat.SatsToDisplay(1_000))
			assert.Equal(t, Cents(0), badSat.SatsToCents(1_000))
			assert.Equal(t, Sats(0), badSat.CentsToSats(1_000))
			assert.Equal(t, Sats(0), badSat.DisplayToSats(1_000))
			assert.Equal(t, int64(921), badSat.CentsToDisplay(1_000).Minor, "the cent price is still good")
			assert.Equal(t, Cents(1_086), badSat.DisplayToCents(1_000), "1085.5001...")

			badCent := &RealtimePrice{Currency: "EUR", FractionDigits: 2, SatPrice: eur.SatPrice, CentPrice: pr}
			require.ErrorIs(t, badCent.Validate(), ErrInvalidInput)
			assert.Equal(t, int64(0), badCent.CentsToDisplay(1_000).Minor)
			assert.Equal(t, Cents(0), badCent.DisplayToCents(1_000))
			assert.Equal(t, Cents(0), badCent.SatsToCents(1_000))
			assert.Equal(t, Sats(0), badCent.CentsToSats(1_000))
			assert.Equal(t, int64(92), badCent.SatsToDisplay(1_000).Minor, "the sat price is still good")
		})
	}
	assert.NoError(t, usd100k.Validate())
	assert.True(t, Price{Base: 1, Offset: MaxPriceOffset}.Valid())
}

// exactRat is the exact value of v × from / to.
func exactRat(v int64, from, to Price) *big.Rat {
	r := new(big.Rat).SetInt64(v)
	r.Mul(r, big.NewRat(from.Base, 1))
	r.Quo(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(from.Offset)), nil)))
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(to.Offset)), nil)))
	return r.Quo(r, big.NewRat(to.Base, 1))
}

// randomPrice returns a valid price with a base of up to 15 digits.
func randomPrice(r *rand.Rand) Price {
	return Price{Base: 1 + r.Int64N(int64(math.Pow10(1+r.IntN(15)))), Offset: r.IntN(13)}
}

// The rounding rule, checked against its definition on many deterministic
// random prices and amounts: the result is within half a unit of the exact
// value, a tie goes away from zero, and f(-x) = -f(x).
func TestPrice_RoundsHalfAwayFromZeroByDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	half := big.NewRat(1, 2)
	one := Price{Base: 1}
	for range 5_000 {
		p := &RealtimePrice{SatPrice: randomPrice(r), CentPrice: randomPrice(r)}
		v := r.Int64N(MaxAmount + 1)
		if r.IntN(4) == 0 {
			v = r.Int64N(1_000) // small amounts make ties and zeros likely
		}
		for _, c := range []struct {
			c        conv
			from, to Price
		}{
			{satsToDisplay, p.SatPrice, one}, {centsToDisplay, p.CentPrice, one},
			{satsToCents, p.SatPrice, p.CentPrice}, {centsToSats, p.CentPrice, p.SatPrice},
			{displayToSats, one, p.SatPrice}, {displayToCents, one, p.CentPrice},
		} {
			exact := exactRat(v, c.from, c.to)
			if exact.Cmp(new(big.Rat).SetInt64(math.MaxInt64)) > 0 {
				assert.Equal(t, int64(math.MaxInt64), c.c.apply(p, v))
				continue
			}
			got := c.c.apply(p, v)
			diff := new(big.Rat).Sub(new(big.Rat).SetInt64(got), exact)
			switch diff.Abs(diff).Cmp(half) {
			case 1:
				t.Fatalf("%s(%d) at %+v = %d, more than half away from %s", c.c, v, p, got, exact.FloatString(3))
			case 0:
				if new(big.Rat).SetInt64(got).Cmp(exact) < 0 {
					t.Fatalf("%s(%d) at %+v = %d: the tie %s went towards zero", c.c, v, p, got, exact.FloatString(3))
				}
			}
			require.Equal(t, -got, c.c.apply(p, -v), "%s is odd: f(-x) = -f(x)", c.c)
		}
	}
}

// A round trip through a finer unit comes back exactly: when one cent is
// worth more than one sat, cents → sats → cents is the identity (the sats
// step errs by at most half a sat, which is less than half a cent).
func TestPrice_RoundTripsThroughTheFinerUnitAreExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for range 5_000 {
		p := &RealtimePrice{SatPrice: randomPrice(r), CentPrice: randomPrice(r)}
		v := r.Int64N(MaxAmount/1_000_000 + 1)
		if exactRat(1, p.CentPrice, p.SatPrice).Cmp(big.NewRat(1, 1)) > 0 && exactRat(v, p.CentPrice, p.SatPrice).Cmp(big.NewRat(math.MaxInt64, 1)) < 0 {
			require.Equal(t, Cents(v), p.SatsToCents(p.CentsToSats(Cents(v))), "%+v", p)
			checked++
		}
		if exactRat(1, Price{Base: 1}, p.SatPrice).Cmp(big.NewRat(1, 1)) > 0 && exactRat(v, Price{Base: 1}, p.SatPrice).Cmp(big.NewRat(math.MaxInt64, 1)) < 0 {
			require.Equal(t, v, p.SatsToDisplay(p.DisplayToSats(v)).Minor, "%+v", p)
			checked++
		}
	}
	assert.Greater(t, checked, 1_000)

	// At $100,000 a cent is 10 sats, so every amount of cents survives,
	// and every multiple of 10 sats survives the other way.
	for _, c := range []Cents{0, 1, -1, 99, 12_345, MaxAmount, -MaxAmount} {
		assert.Equal(t, c, usd100k.SatsToCents(usd100k.CentsToSats(c)))
		assert.Equal(t, Sats(c)*10, usd100k.CentsToSats(usd100k.SatsToCents(Sats(c)*10)))
	}
	// A sat is not worth a cent: 14 sats → 1 cent → 10 sats.
	assert.Equal(t, Sats(10), usd100k.CentsToSats(usd100k.SatsToCents(14)))
}

func TestDisplayAmount_FormatsMajorUnitsAndCode(t *testing.T) {
	for _, c := range []struct {
		d    DisplayAmount
		want string
	}{
		{DisplayAmount{1_234, "EUR", 2}, "12.34 EUR"},
		{DisplayAmount{-5, "USD", 2}, "-0.05 USD"},
		{DisplayAmount{5, "USD", 2}, "0.05 USD"},
		{DisplayAmount{-100, "USD", 2}, "-1.00 USD"},
		{DisplayAmount{0, "EUR", 2}, "0.00 EUR"},
		{DisplayAmount{1_234, "JPY", 0}, "1234 JPY"},
		{DisplayAmount{-7, "JPY", 0}, "-7 JPY"},
		{DisplayAmount{1, "BTC", 8}, "0.00000001 BTC"},
		{DisplayAmount{12_345, "KWD", 3}, "12.345 KWD"},
		{DisplayAmount{1_234, "", 2}, "12.34"},
		{DisplayAmount{5, "XXX", -1}, "5 XXX"},
		{DisplayAmount{math.MaxInt64, "USD", 2}, "92233720368547758.07 USD"},
		{DisplayAmount{math.MinInt64, "USD", 2}, "-92233720368547758.08 USD"},
	} {
		assert.Equal(t, c.want, c.d.String())
		assert.Equal(t, c.want, fmt.Sprint(c.d))
	}
	assert.Equal(t, "-0.47", DisplayAmount{Minor: -47, FractionDigits: 2}.Decimal())
	assert.Equal(t, "92123.46 EUR", eur.SatsToDisplay(100_000_000).String())
	assert.Equal(t, "16 JPY", jpy.SatsToDisplay(100).String())
}

func TestCurrencies_ListedWithoutAKey(t *testing.T) {
	srv := newFake(t)
	c, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)
	cs, err := c.Currencies(bg())
	require.NoError(t, err)
	require.NotEmpty(t, cs)
	byID := map[string]Currency{}
	for _, x := range cs {
		byID[x.ID] = x
	}
	assert.Equal(t, Currency{ID: "USD", Name: "US Dollar", Symbol: "$", Flag: "🇺🇸", FractionDigits: 2}, byID["USD"])
	assert.Equal(t, 0, byID["JPY"].FractionDigits)
	assert.Equal(t, 1, srv.Requests("CurrencyList"))
}

func TestRealtimePrice_ServerPriceConvertsExactly(t *testing.T) {
	srv := newFake(t, blinktest.WithPrice(6_543_210)) // $65,432.10 a bitcoin
	c, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)
	p, err := c.RealtimePrice(bg(), "USD")
	require.NoError(t, err)
	require.NoError(t, p.Validate())

	assert.Equal(t, Cents(6_543_210), p.SatsToCents(100_000_000), "one bitcoin")
	assert.Equal(t, "65432.10 USD", p.SatsToDisplay(100_000_000).String())
	assert.Equal(t, Sats(100_000_000), p.CentsToSats(6_543_210))
	assert.Equal(t, Cents(65), p.SatsToCents(1_000), "65.4321 cents")
	assert.Equal(t, Sats(15), p.CentsToSats(1), "15.283 sats")
	assert.Equal(t, Sats(1_528_302), p.DisplayToSats(100_000), "a thousand dollars: 1528301.86 sats")
	assert.Equal(t, "1.00 USD", p.CentsToDisplay(100).String(), "a US cent is a US cent")

	srv.SetPrice(10_000_000)
	p, err = c.RealtimePrice(bg(), "")
	require.NoError(t, err)
	assert.Equal(t, usd100k.SatPrice, p.SatPrice, "the test's usd100k is what the server answers at $100,000")
	assert.Equal(t, usd100k.CentPrice, p.CentPrice)
}

// Converting a transaction's amount at its settlement price gives the
// server's display amount: the server rounds that half away from zero too.
func TestRealtimePrice_SettlementPriceReproducesTheDisplayAmount(t *testing.T) {
	srv := newFake(t, blinktest.WithPrice(6_543_210))
	alice := newFakeUser(t, srv, "alice", 1_000_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	for _, sats := range []int64{1, 7, 12_345, 99_999} {
		txSendIntraLedger(t, alice, bob.BTCWalletID, sats, "")
	}
	txSendIntraLedger(t, alice, bob.USDWalletID, 50_000, "")
	page, err := alice.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	bobPage, err := bob.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	for _, tx := range append(page.Transactions, bobPage.Transactions...) {
		at := &RealtimePrice{Currency: tx.DisplayCurrency, FractionDigits: 2, SatPrice: tx.Price, CentPrice: tx.Price}
		var d DisplayAmount
		if tx.Amount.Currency == BTC {
			d = at.SatsToDisplay(Sats(tx.Amount.Value))
		} else {
			d = at.CentsToDisplay(Cents(tx.Amount.Value))
		}
		want := tx.DisplayAmount
		if want == "-0.00" {
			want = "0.00" // the fake prints a send worth less than half a cent as -0.00; DisplayAmount has no negative zero
		}
		assert.Equal(t, want, d.Decimal(), "%s %s", tx.Direction, tx.Amount)
	}
}
