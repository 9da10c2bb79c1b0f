package bolt11_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	sv "github.com/blink-sdk/blink-go/internal/bolt11/internal/specvectors"
)

// checkInvoice compares a decoded invoice with the expected values.
func checkInvoice(t *testing.T, want sv.Want, got *bolt11.Invoice) {
	t.Helper()
	assert.Equal(t, bolt11.Network(want.Network), got.Network, "network")
	assert.Equal(t, want.AmountMsat, got.AmountMsat, "amount")
	assert.Equal(t, want.HasAmount, got.HasAmount, "has amount")
	assert.True(t, time.Unix(want.Timestamp, 0).Equal(got.Timestamp), "timestamp %v", got.Timestamp)
	assert.Equal(t, time.UTC, got.Timestamp.Location(), "timestamp location")
	assert.Equal(t, time.Duration(want.ExpirySeconds)*time.Second, got.Expiry, "expiry")
	assert.Equal(t, want.PaymentHash, got.PaymentHash, "payment hash")
	assert.Equal(t, want.PaymentSecret, got.PaymentSecret, "payment secret")
	assert.Equal(t, want.Description, got.Description, "description")
	assert.Equal(t, want.DescriptionHash, got.DescriptionHash, "description hash")
	assert.Equal(t, want.Payee, got.Payee, "payee")
	assert.Equal(t, want.MinFinalCLTVExpiry, got.MinFinalCLTVExpiry, "min final cltv expiry")
}

func TestDecodeSpecValid(t *testing.T) {
	for _, v := range sv.ValidVectors {
		t.Run(v.Name, func(t *testing.T) {
			if v.SpecInvalid != "" {
				t.Logf("the specification rejects this invoice; accepted here because %s", v.SpecInvalid)
			}
			inv, err := bolt11.Decode(v.Invoice)
			require.NoError(t, err)
			checkInvoice(t, v.Want, inv)
		})
	}
}

func TestDecodeSpecInvalid(t *testing.T) {
	for _, v := range sv.InvalidVectors {
		t.Run(v.Name, func(t *testing.T) {
			inv, err := bolt11.Decode(v.Invoice)
			require.Error(t, err)
			t.Logf("error: %v", err)
			assert.Nil(t, inv)
			assert.ErrorIs(t, err, bolt11.ErrInvalid)
			assert.Equal(t, v.Checksum, errors.Is(err, bolt11.ErrChecksum), "ErrChecksum: %v", err)
			assert.NotErrorIs(t, err, bolt11.ErrUnknownNetwork)
			assertNoEcho(t, err, v.Invoice)
		})
	}
}

// assertNoEcho checks that an error message does not reproduce the invoice,
// nor any long piece of it.
func assertNoEcho(t *testing.T, err error, invoice string) {
	t.Helper()
	const window = 16
	msg := strings.ToLower(err.Error())
	inv := strings.ToLower(invoice)
	if len(inv) < window {
		return
	}
	assert.NotContains(t, msg, inv)
	for i := 0; i+window <= len(inv); i++ {
		if strings.Contains(msg, inv[i:i+window]) {
			t.Errorf("error %q contains invoice fragment %q", msg, inv[i:i+window])
			return
		}
	}
}

func TestDecodeWrappingAndCase(t *testing.T) {
	coffee := sv.ValidVectors[1]
	require.Equal(t, sv.VCoffee, coffee.Invoice)
	for name, in := range map[string]string{
		"spaces":           "  \t" + sv.VCoffee + "\r\n",
		"lightning: lower": "lightning:" + sv.VCoffee,
		"LIGHTNING: upper": "LIGHTNING:" + strings.ToUpper(sv.VCoffee),
		"Lightning: mixed": " Lightning:" + sv.VCoffee + " ",
		"upper":            strings.ToUpper(sv.VCoffee),
	} {
		t.Run(name, func(t *testing.T) {
			inv, err := bolt11.Decode(in)
			require.NoError(t, err)
			checkInvoice(t, coffee.Want, inv)
		})
	}

	for name, in := range map[string]string{
		"mixed case":        strings.ToUpper(sv.VCoffee[:10]) + sv.VCoffee[10:],
		"prefix twice":      "lightning:lightning:" + sv.VCoffee,
		"lightning://":      "lightning://" + sv.VCoffee,
		"inner space":       sv.VCoffee[:50] + " " + sv.VCoffee[50:],
		"empty":             "",
		"only prefix":       "lightning:",
		"truncated":         sv.VCoffee[:len(sv.VCoffee)-1],
		"non-charset char":  sv.VCoffee[:50] + "b" + sv.VCoffee[51:],
		"non-ASCII":         sv.VCoffee[:50] + "é" + sv.VCoffee[52:],
		"trailing garbage":  sv.VCoffee + "q",
		"one char flipped":  sv.VCoffee[:100] + "q" + sv.VCoffee[101:],
		"bitcoin: URI only": "bitcoin:" + sv.VCoffee,
	} {
		t.Run("reject "+name, func(t *testing.T) {
			_, err := bolt11.Decode(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, bolt11.ErrInvalid)
			assertNoEcho(t, err, in)
		})
	}
}

// field is a tagged field given as 5-bit words.
type field struct {
	typ   byte
	words []byte
}

// toWords converts bytes to 5-bit words, padding with zero bits.
func toWords(t testing.TB, b []byte) []byte {
	t.Helper()
	w, err := bech32.ConvertBits(b, 8, 5, true)
	require.NoError(t, err)
	return w
}

// bytesField returns a field holding b.
func bytesField(t testing.TB, typ byte, b []byte) field {
	return field{typ, toWords(t, b)}
}

// hash32 returns 32 bytes all equal to v.
func hash32(v byte) []byte {
	return bytes.Repeat([]byte{v}, 32)
}

// Tagged field types.
const (
	tP = 1
	tS = 16
	tD = 13
	tH = 23
	tX = 6
	tN = 19
	tC = 24
	tF = 9
	tR = 3
)

// build assembles an invoice with a dummy signature (all zero, recovery id
// recid). The decoder does not verify signatures, so this is enough to
// exercise it.
func build(t testing.TB, hrp string, ts uint64, recid byte, fields ...field) string {
	t.Helper()
	var words []byte
	for i := 6; i >= 0; i-- {
		words = append(words, byte(ts>>(5*uint(i)))&31)
	}
	for _, f := range fields {
		words = append(words, f.typ, byte(len(f.words)>>5), byte(len(f.words)&31))
		words = append(words, f.words...)
	}
	sig := make([]byte, 65)
	sig[64] = recid
	words = append(words, toWords(t, sig)...)
	s, err := bech32.Encode(hrp, words)
	require.NoError(t, err)
	return s
}

// minimal returns v as minimal big-endian 5-bit words.
func minimal(v uint64) []byte {
	var w []byte
	for ; v != 0; v >>= 5 {
		w = append([]byte{byte(v & 31)}, w...)
	}
	return w
}

func TestDecodeNetworks(t *testing.T) {
	ph := bytesField(t, tP, hash32(0xab))
	for _, tc := range []struct {
		hrp     string
		network bolt11.Network
		msat    int64
	}{
		{"lnbc", bolt11.Mainnet, 0},
		{"lnbc2500u", bolt11.Mainnet, 250_000_000},
		{"lntb", bolt11.Testnet, 0},
		{"lntb1", bolt11.Testnet, 100_000_000_000},
		{"lntbs", bolt11.Signet, 0},
		{"lntbs10n", bolt11.Signet, 1000},
		{"lnbcrt", bolt11.Regtest, 0},
		{"lnbcrt1m", bolt11.Regtest, 100_000_000},
		{"lnbcrt10p", bolt11.Regtest, 1},
	} {
		t.Run(tc.hrp, func(t *testing.T) {
			inv, err := bolt11.Decode(build(t, tc.hrp, 1_700_000_000, 0, ph))
			require.NoError(t, err)
			assert.Equal(t, tc.network, inv.Network)
			assert.Equal(t, tc.msat, inv.AmountMsat)
			assert.Equal(t, tc.msat != 0, inv.HasAmount)
			assert.Equal(t, strings.Repeat("ab", 32), inv.PaymentHash)
			assert.Equal(t, tc.network.Prefix(), tc.hrp[:len(tc.network.Prefix())])
		})
	}
	for _, hrp := range []string{"ln", "lnxy", "lnsb", "bc", "tb", "lnbtc", "lntx2500u", "xlnbc", "lnb"} {
		t.Run("unknown "+hrp, func(t *testing.T) {
			_, err := bolt11.Decode(build(t, hrp, 1_700_000_000, 0, ph))
			require.Error(t, err)
			assert.ErrorIs(t, err, bolt11.ErrUnknownNetwork)
			assert.ErrorIs(t, err, bolt11.ErrInvalid)
			assert.NotErrorIs(t, err, bolt11.ErrChecksum)
		})
	}
	for _, hrp := range []string{"lntbsx", "lnbcr", "lnbcrt0", "lntbs1x", "lnbc1pp", "lntb0u"} {
		t.Run("bad amount "+hrp, func(t *testing.T) {
			_, err := bolt11.Decode(build(t, hrp, 1_700_000_000, 0, ph))
			require.Error(t, err)
			assert.ErrorIs(t, err, bolt11.ErrInvalid)
		})
	}
	assert.Equal(t, "", bolt11.Network("bogus").Prefix())
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]int64{
		"1":                     100_000_000_000,
		"20":                    2_000_000_000_000,
		"20m":                   2_000_000_000,
		"2500u":                 250_000_000,
		"1n":                    100,
		"10p":                   1,
		"9678785340p":           967_878_534,
		"92233720":              9_223_372_000_000_000_000,
		"92233720368547758n":    9_223_372_036_854_775_800,
		"92233720368547758070p": math.MaxInt64,
	} {
		got, err := bolt11.ParseAmount(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{
		"", "0", "00", "0m", "01m", "0p", "2500x", "m", "u", "n", "p", "11p",
		"2500000001p", "1.5m", "-1m", "+1m", "1mm", "1 m", "1M",
		"92233721", "92233720368547759", "92233720368547758080p",
		"99999999999999999999", "999999999999999999999999999999m",
	} {
		_, err := bolt11.ParseAmount(in)
		assert.ErrorIs(t, err, bolt11.ErrInvalid, "%q", in)
	}
}

func TestDecodeFields(t *testing.T) {
	const ts = 1_700_000_000
	p := bytesField(t, tP, hash32(0x01))
	s := bytesField(t, tS, hash32(0x02))
	h := bytesField(t, tH, hash32(0x03))
	payee := append([]byte{0x02}, hash32(0x04)...)
	n := bytesField(t, tN, payee)
	d := bytesField(t, tD, []byte("hello"))

	t.Run("all known fields", func(t *testing.T) {
		inv, err := bolt11.Decode(build(t, "lnbc1m", ts, 3,
			s, d, h, field{tX, minimal(86400)}, field{tC, minimal(144)}, n,
			field{tF, toWords(t, []byte{17, 1, 2})}, field{tR, toWords(t, make([]byte, 51))},
			field{31, nil}, p))
		require.NoError(t, err)
		assert.Equal(t, strings.Repeat("01", 32), inv.PaymentHash)
		assert.Equal(t, strings.Repeat("02", 32), inv.PaymentSecret)
		assert.Equal(t, strings.Repeat("03", 32), inv.DescriptionHash)
		assert.Equal(t, "02"+strings.Repeat("04", 32), inv.Payee)
		assert.Equal(t, "hello", inv.Description)
		assert.Equal(t, 24*time.Hour, inv.Expiry)
		assert.Equal(t, int64(144), inv.MinFinalCLTVExpiry)
		assert.Equal(t, time.Unix(ts, 0).UTC(), inv.Timestamp)
	})
	t.Run("defaults", func(t *testing.T) {
		inv, err := bolt11.Decode(build(t, "lnbc", ts, 0, p))
		require.NoError(t, err)
		assert.Equal(t, bolt11.DefaultExpiry, inv.Expiry)
		assert.Equal(t, int64(bolt11.DefaultMinFinalCLTVExpiry), inv.MinFinalCLTVExpiry)
		assert.Equal(t, "", inv.PaymentSecret)
		assert.Equal(t, "", inv.Description)
		assert.Equal(t, "", inv.DescriptionHash)
		assert.Equal(t, "", inv.Payee)
		assert.False(t, inv.HasAmount)
	})
	t.Run("first of repeated fields wins", func(t *testing.T) {
		inv, err := bolt11.Decode(build(t, "lnbc", ts, 0, p,
			d, bytesField(t, tD, []byte("second")),
			s, bytesField(t, tS, hash32(0x22)),
			field{tX, minimal(60)}, field{tX, minimal(120)},
			field{tC, minimal(40)}, field{tC, minimal(80)}))
		require.NoError(t, err)
		assert.Equal(t, "hello", inv.Description)
		assert.Equal(t, strings.Repeat("02", 32), inv.PaymentSecret)
		assert.Equal(t, time.Minute, inv.Expiry)
		assert.Equal(t, int64(40), inv.MinFinalCLTVExpiry)
	})
	t.Run("wrong-length fixed fields are skipped", func(t *testing.T) {
		inv, err := bolt11.Decode(build(t, "lnbc", ts, 0,
			field{tP, make([]byte, 51)}, field{tP, make([]byte, 53)},
			field{tS, make([]byte, 51)}, field{tH, make([]byte, 53)},
			field{tN, make([]byte, 52)}, field{tN, make([]byte, 54)}, p))
		require.NoError(t, err)
		assert.Equal(t, strings.Repeat("01", 32), inv.PaymentHash)
		assert.Equal(t, "", inv.PaymentSecret)
		assert.Equal(t, "", inv.DescriptionHash)
		assert.Equal(t, "", inv.Payee)
	})
	t.Run("empty and zero-valued fields", func(t *testing.T) {
		inv, err := bolt11.Decode(build(t, "lnbc", ts, 0, p, field{tD, nil}, field{tX, nil}, field{tC, nil}))
		require.NoError(t, err)
		assert.Equal(t, "", inv.Description)
		assert.Equal(t, time.Duration(0), inv.Expiry)
		assert.Equal(t, int64(0), inv.MinFinalCLTVExpiry)
		assert.True(t, inv.Expired(inv.Timestamp))
	})
	t.Run("huge expiry is capped", func(t *testing.T) {
		big := append([]byte{1}, make([]byte, 12)...) // 2^60 seconds
		inv, err := bolt11.Decode(build(t, "lnbc", ts, 0, p, field{tX, big}))
		require.NoError(t, err)
		assert.Equal(t, time.Duration(math.MaxInt64), inv.Expiry)
		inv, err = bolt11.Decode(build(t, "lnbc", ts, 0, p, field{tX, minimal(1 << 40)}))
		require.NoError(t, err)
		assert.Equal(t, time.Duration(math.MaxInt64), inv.Expiry)
		assert.False(t, inv.Expired(time.Now()))
	})
	t.Run("largest c", func(t *testing.T) {
		inv, err := bolt11.Decode(build(t, "lnbc", ts, 0, p, field{tC, minimal(math.MaxInt64)}))
		require.NoError(t, err)
		assert.Equal(t, int64(math.MaxInt64), inv.MinFinalCLTVExpiry)
	})
	t.Run("maximal timestamp and description", func(t *testing.T) {
		long := strings.Repeat("é", 319) + "x" // 639 bytes, the most a field holds
		inv, err := bolt11.Decode(build(t, "lnbc", 1<<35-1, 0, p, bytesField(t, tD, []byte(long))))
		require.NoError(t, err)
		assert.Equal(t, long, inv.Description)
		assert.Equal(t, int64(1<<35-1), inv.Timestamp.Unix())
	})

	for name, in := range map[string]string{
		"no payment hash":            build(t, "lnbc", ts, 0, s, d),
		"only wrong-length p":        build(t, "lnbc", ts, 0, field{tP, make([]byte, 53)}),
		"two payment hashes":         build(t, "lnbc", ts, 0, p, bytesField(t, tP, hash32(0x09))),
		"recovery id 4":              build(t, "lnbc", ts, 4, p),
		"recovery id 255":            build(t, "lnbc", ts, 255, p),
		"non-minimal x":              build(t, "lnbc", ts, 0, p, field{tX, []byte{0, 1}}),
		"non-minimal c":              build(t, "lnbc", ts, 0, p, field{tC, []byte{0, 18}}),
		"c beyond 64 bits":           build(t, "lnbc", ts, 0, p, field{tC, append([]byte{1}, make([]byte, 13)...)}),
		"c of 2^63":                  build(t, "lnbc", ts, 0, p, field{tC, minimal(1 << 63)}),
		"description not UTF-8":      build(t, "lnbc", ts, 0, p, bytesField(t, tD, []byte{0xff, 0xfe})),
		"no fields, no signature":    mustEncode(t, "lnbc", make([]byte, 7)),
		"signature only":             mustEncode(t, "lnbc", make([]byte, 104)),
		"one word short":             mustEncode(t, "lnbc", make([]byte, 110)),
		"truncated field header":     mustEncode(t, "lnbc", append(make([]byte, 7), append([]byte{tP, 0}, make([]byte, 104)...)...)),
		"field overruns signature":   mustEncode(t, "lnbc", append(append(make([]byte, 7), tD, 1, 0), make([]byte, 104)...)),
		"bech32m checksum":           mustEncodeM(t, "lnbc", tail(t, build(t, "lnbc", ts, 0, p))),
		"bech32m checksum, no field": mustEncodeM(t, "lnbc", make([]byte, 111)),
	} {
		t.Run("reject "+name, func(t *testing.T) {
			_, err := bolt11.Decode(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, bolt11.ErrInvalid)
			assertNoEcho(t, err, in)
			if strings.HasPrefix(name, "bech32m") {
				assert.ErrorIs(t, err, bolt11.ErrChecksum)
			}
		})
	}
}

// tail returns the data words of a bech32 string, without the checksum.
func tail(t testing.TB, s string) []byte {
	t.Helper()
	_, words, err := bech32.DecodeNoLimit(s)
	require.NoError(t, err)
	return words
}

func mustEncode(t testing.TB, hrp string, words []byte) string {
	t.Helper()
	s, err := bech32.Encode(hrp, words)
	require.NoError(t, err)
	return s
}

func mustEncodeM(t testing.TB, hrp string, words []byte) string {
	t.Helper()
	s, err := bech32.EncodeM(hrp, words)
	require.NoError(t, err)
	return s
}

func TestExpiry(t *testing.T) {
	inv, err := bolt11.Decode(sv.VCoffee)
	require.NoError(t, err)
	created := time.Unix(sv.Timestamp, 0)
	assert.True(t, created.Add(time.Minute).Equal(inv.ExpiresAt()))
	assert.False(t, inv.Expired(created))
	assert.False(t, inv.Expired(created.Add(59*time.Second)))
	assert.True(t, inv.Expired(created.Add(time.Minute)), "expired at the exact instant")
	assert.True(t, inv.Expired(time.Now()))

	inv, err = bolt11.Decode(sv.VDonation)
	require.NoError(t, err)
	assert.True(t, created.Add(time.Hour).Equal(inv.ExpiresAt()), "default expiry")
}

func TestAmountSats(t *testing.T) {
	for _, tc := range []struct {
		msat  int64
		sats  int64
		exact bool
	}{
		{0, 0, true},
		{1, 1, false},
		{999, 1, false},
		{1000, 1, true},
		{1001, 2, false},
		{250_000_000, 250_000, true},
		{967_878_534, 967_879, false},
		{math.MaxInt64, math.MaxInt64/1000 + 1, false},
	} {
		inv := bolt11.Invoice{AmountMsat: tc.msat, HasAmount: tc.msat != 0}
		sats, exact := inv.AmountSats()
		assert.Equal(t, tc.sats, sats, "msat %d", tc.msat)
		assert.Equal(t, tc.exact, exact, "msat %d", tc.msat)
	}
}

func TestDecodeBech32MatchesLibrary(t *testing.T) {
	// The decoder relies on the library's bech32 decoding; this pins the
	// library's behaviour that the decoder's data-part parsing assumes:
	// lower-cased HRP, 5-bit words and the checksum stripped.
	for _, v := range sv.ValidVectors {
		hrp, words, err := bech32.DecodeNoLimit(v.Invoice)
		require.NoError(t, err, v.Name)
		assert.Equal(t, strings.ToLower(hrp), hrp)
		for _, w := range words {
			require.Less(t, w, byte(32))
		}
		assert.Equal(t, len(v.Invoice)-len(hrp)-1-6, len(words))
	}
}

// maxDecodeAllocs is the allocation budget of one Decode of a typical
// invoice.
const maxDecodeAllocs = 10

func TestDecodeAllocs(t *testing.T) {
	for name, in := range map[string]string{
		"lower": sv.VCoffee,
		"upper": strings.ToUpper(sv.VCoffee),
		"long":  sv.VPico,
	} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := bolt11.Decode(in); err != nil {
				panic(err)
			}
		})
		t.Logf("%s: %.0f allocs per Decode", name, allocs)
		assert.LessOrEqual(t, allocs, float64(maxDecodeAllocs), name)
	}
}

func BenchmarkDecode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bolt11.Decode(sv.VCoffee); err != nil {
			b.Fatal(err)
		}
	}
}
