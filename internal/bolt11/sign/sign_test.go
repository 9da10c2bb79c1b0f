package sign

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	sv "github.com/blink-sdk/blink-go/internal/bolt11/internal/specvectors"
)

// specKey returns the private key that signed the specification's examples.
func specKey(t testing.TB) *secp256k1.PrivateKey {
	t.Helper()
	b, err := hex.DecodeString(sv.PrivKeyHex)
	require.NoError(t, err)
	key := secp256k1.PrivKeyFromBytes(b)
	require.Equal(t, sv.PayeeHex, hex.EncodeToString(key.PubKey().SerializeCompressed()))
	return key
}

// split returns an invoice's human-readable part, its data words without the
// signature, and the 65-byte signature.
func split(t testing.TB, invoice string) (hrp string, words []byte, sig []byte) {
	t.Helper()
	hrp, data, err := bech32.DecodeNoLimit(invoice)
	require.NoError(t, err)
	require.Greater(t, len(data), 104)
	words = data[:len(data)-104]
	sig, err = bech32.ConvertBits(data[len(data)-104:], 5, 8, false)
	require.NoError(t, err)
	require.Len(t, sig, 65)
	return hrp, words, sig
}

// recoverPayee recovers the public key that signed an invoice.
func recoverPayee(t testing.TB, invoice string) (*secp256k1.PublicKey, error) {
	t.Helper()
	hrp, words, sig := split(t, invoice)
	hash := SigningHash(hrp, words)
	compact := make([]byte, 0, 65)
	compact = append(compact, 27+4+sig[64])
	compact = append(compact, sig[:64]...)
	// The specification's high-S examples keep the recovery id of the
	// equivalent low-S signature: normalise S before recovering, as readers
	// that accept high-S signatures do.
	var s secp256k1.ModNScalar
	s.SetByteSlice(sig[32:64])
	if s.IsOverHalfOrder() {
		s.Negate()
		s.PutBytesUnchecked(compact[33:65])
	}
	pub, compressed, err := ecdsa.RecoverCompact(compact, hash[:])
	if err == nil {
		assert.True(t, compressed)
	}
	return pub, err
}

func TestSigningHashSpec(t *testing.T) {
	// "hex of SHA256 of the preimage" from the specification's breakdowns.
	for invoice, want := range map[string]string{
		sv.VDonation:        "6daf4d488be41ce7cbb487cab1ef2975e5efcea879b20d421f0ef86b07cbb987",
		sv.VCoffee:          "047e24bf270b25d42a56d57b2578faa3a10684641bab817c2851a871cb41dbc0",
		sv.VNonsense:        "f140d992ba419578ba9cfe1af85f92df90a76f442fb5e6e09b1f0582534ba87d",
		sv.VHashed:          "e2ffa444e2979edb639fbdaa384638683ba1a5240b14dd7a150e45a04eea261d",
		sv.VTestnetFallback: "33bc6642a336097c74299cadfdfdd2e4884a555cf1b4fda72b095382d473d795",
		sv.VRouting:         "b342d4655b984e53f405fe4d872fb9b7cf54ba538fcd170ed4a5906a9f535064",
		sv.VP2SH:            "9e93321a775f7dffdca03e61d1ac6e0e356cc63cecd3835271200c1e5b499d29",
		sv.VP2WPKH:          "44fbec32cdac99a1a3cd638ec507dad633a1e5bba514832fd3471e663a157f7b",
		sv.VP2WSH:           "865a2cc6730e1eeeacd30e6da8e9ab0e9115828d27953ec0c0f985db05da5027",
		sv.VP2TR:            "116fdb0f18352c886deb263f6466eb40e5e6518b80231a1f9df86088bfa48043",
		sv.VHighS:           "6daf4d488be41ce7cbb487cab1ef2975e5efcea879b20d421f0ef86b07cbb987",
	} {
		hrp, words, _ := split(t, invoice)
		got := SigningHash(hrp, words)
		assert.Equal(t, want, hex.EncodeToString(got[:]), invoice[:20])
	}
}

func TestSigningHashPadding(t *testing.T) {
	// 3 words = 15 bits: one full byte and 7 bits padded with a zero bit.
	got := SigningHash("ln", []byte{0b11111, 0b00001, 0b11111})
	assert.Equal(t, sha256.Sum256([]byte{'l', 'n', 0b11111000, 0b01111110}), got)
	// 8 words = 40 bits: exactly 5 bytes, no padding byte.
	got = SigningHash("", []byte{31, 31, 31, 31, 31, 31, 31, 31})
	assert.Equal(t, sha256.Sum256(bytes.Repeat([]byte{0xff}, 5)), got)
	// The specification's donation example: its full preimage.
	hrp, words, _ := split(t, sv.VDonation)
	pre, err := hex.DecodeString("6c6e62630b25fe64500d04444444444444444444444444444444444444444444444444444444444444444021a00008101820283038404800081018202830384048000810182028303840480810343f506c6561736520636f6e736964657220737570706f7274696e6720746869732070726f6a6563740500e08000")
	require.NoError(t, err)
	assert.Equal(t, sha256.Sum256(pre), SigningHash(hrp, words))
}

func TestSpecSignaturesRecover(t *testing.T) {
	for _, v := range sv.ValidVectors {
		t.Run(v.Name, func(t *testing.T) {
			pub, err := recoverPayee(t, v.Invoice)
			if !v.Recoverable {
				if err == nil {
					assert.NotEqual(t, sv.PayeeHex, hex.EncodeToString(pub.SerializeCompressed()))
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, sv.PayeeHex, hex.EncodeToString(pub.SerializeCompressed()))
		})
	}
}

func TestResignSpecVectors(t *testing.T) {
	// The specification's signatures are deterministic (RFC 6979), so
	// signing the same data with the same key must reproduce them exactly,
	// except where the specification deliberately uses a high-S signature
	// or a corrupted one.
	key := specKey(t)
	n := 0
	for _, v := range sv.ValidVectors {
		_, _, sig := split(t, v.Invoice)
		var s secp256k1.ModNScalar
		s.SetByteSlice(sig[32:64])
		if !v.Recoverable || s.IsOverHalfOrder() {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			hrp, words, _ := split(t, v.Invoice)
			got, err := bech32.Encode(hrp, appendSignature(hrp, words, key))
			require.NoError(t, err)
			assert.Equal(t, strings.ToLower(v.Invoice), got)
		})
		n++
	}
	assert.GreaterOrEqual(t, n, 14)
}

func TestFormatAmount(t *testing.T) {
	for msat, want := range map[int64]string{
		0:               "",
		1:               "10p",
		10:              "100p",
		99:              "990p",
		100:             "1n",
		1000:            "10n",
		100_000:         "1u",
		250_000_000:     "2500u",
		967_878_534:     "9678785340p",
		2_000_000_000:   "20m",
		2_500_000_000:   "25m",
		100_000_000_000: "1",
		150_000_000_000: "1500m",
		math.MaxInt64:   "92233720368547758070p",
	} {
		got, err := FormatAmount(msat)
		require.NoError(t, err)
		assert.Equal(t, want, got, "msat %d", msat)
	}
	_, err := FormatAmount(-1)
	assert.ErrorIs(t, err, ErrParams)
}

func TestFormatAmountShortestAndParseable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	suffixes := []struct {
		unit   int64
		suffix string
	}{{100_000_000_000, ""}, {100_000_000, "m"}, {100_000, "u"}, {100, "n"}}
	for i := 0; i < 2000; i++ {
		msat := r.Int64N(1 << uint(1+r.IntN(62)))
		if i%2 == 0 { // favour round numbers too
			msat -= msat % []int64{1, 100, 100_000, 100_000_000}[r.IntN(4)]
		}
		if msat == 0 {
			continue
		}
		got, err := FormatAmount(msat)
		require.NoError(t, err)
		back, err := bolt11.ParseAmount(got)
		require.NoError(t, err, got)
		require.Equal(t, msat, back, got)
		// No other exact representation is shorter.
		for _, s := range suffixes {
			if msat%s.unit == 0 {
				alt := len(strconv.FormatInt(msat/s.unit, 10)) + len(s.suffix)
				require.LessOrEqual(t, len(got), alt, "msat %d: %q vs %d%s", msat, got, msat/s.unit, s.suffix)
			}
		}
		require.LessOrEqual(t, len(got), len(strconv.FormatInt(msat, 10))+2)
	}
}

func testParams(network bolt11.Network, msat int64) Params {
	var p Params
	p.Network = network
	p.AmountMsat = msat
	for i := range p.PaymentHash {
		p.PaymentHash[i] = byte(i)
		p.PaymentSecret[i] = byte(0xff - i)
	}
	p.Description = "Blink test invoice ⚡ " + string(network)
	p.Expiry = 15 * time.Minute
	p.Timestamp = time.Date(2026, 11, 23, 12, 34, 56, 789, time.FixedZone("CET", 3600))
	p.MinFinalCLTVExpiry = 40
	return p
}

func TestEncodeRoundTrip(t *testing.T) {
	key, err := secp256k1.GeneratePrivateKey()
	require.NoError(t, err)
	pubHex := hex.EncodeToString(key.PubKey().SerializeCompressed())

	networks := []bolt11.Network{bolt11.Mainnet, bolt11.Testnet, bolt11.Signet, bolt11.Regtest}
	amounts := []int64{0, 1, 999, 1000, 123_456_789, 250_000_000, 100_000_000_000, math.MaxInt64}
	for _, network := range networks {
		for _, msat := range amounts {
			p := testParams(network, msat)
			name := string(network) + "/" + strconv.FormatInt(msat, 10)
			t.Run(name, func(t *testing.T) {
				s, err := Encode(p, key)
				require.NoError(t, err)
				assert.True(t, strings.HasPrefix(s, network.Prefix()))
				assert.Equal(t, strings.ToLower(s), s)

				for _, in := range []string{s, strings.ToUpper(s), "lightning:" + s} {
					inv, err := bolt11.Decode(in)
					require.NoError(t, err)
					assert.Equal(t, network, inv.Network)
					assert.Equal(t, msat, inv.AmountMsat)
					assert.Equal(t, msat != 0, inv.HasAmount)
					assert.True(t, p.Timestamp.Truncate(time.Second).Equal(inv.Timestamp))
					assert.Equal(t, p.Expiry, inv.Expiry)
					assert.Equal(t, hex.EncodeToString(p.PaymentHash[:]), inv.PaymentHash)
					assert.Equal(t, hex.EncodeToString(p.PaymentSecret[:]), inv.PaymentSecret)
					assert.Equal(t, p.Description, inv.Description)
					assert.Equal(t, "", inv.DescriptionHash)
					assert.Equal(t, "", inv.Payee)
					assert.Equal(t, p.MinFinalCLTVExpiry, inv.MinFinalCLTVExpiry)
				}

				pub, err := recoverPayee(t, s)
				require.NoError(t, err)
				assert.Equal(t, pubHex, hex.EncodeToString(pub.SerializeCompressed()))
				assert.True(t, pub.IsEqual(key.PubKey()))
			})
		}
	}
}

func TestEncodeDefaultsAndLimits(t *testing.T) {
	key := specKey(t)

	p := testParams(bolt11.Mainnet, 0)
	p.Expiry, p.MinFinalCLTVExpiry, p.Description = 0, 0, ""
	s, err := Encode(p, key)
	require.NoError(t, err)
	inv, err := bolt11.Decode(s)
	require.NoError(t, err)
	assert.Equal(t, bolt11.DefaultExpiry, inv.Expiry)
	assert.Equal(t, int64(bolt11.DefaultMinFinalCLTVExpiry), inv.MinFinalCLTVExpiry)
	assert.Equal(t, "", inv.Description)
	hrp, words, _ := split(t, s)
	assert.Equal(t, "lnbc", hrp)
	assert.NotContains(t, fieldTypes(words), byte(6), "no x field")
	assert.NotContains(t, fieldTypes(words), byte(24), "no c field")
	assert.Contains(t, fieldTypes(words), byte(13), "d field, even empty")

	// Deterministic signatures: the same parameters give the same invoice.
	again, err := Encode(p, key)
	require.NoError(t, err)
	assert.Equal(t, s, again)

	// Largest fields.
	p = testParams(bolt11.Regtest, 1)
	p.Description = strings.Repeat("€", 213) // 639 bytes
	p.Expiry = time.Duration(math.MaxInt64) / time.Second * time.Second
	p.MinFinalCLTVExpiry = math.MaxInt64
	p.Timestamp = time.Unix(1<<35-1, 0)
	s, err = Encode(p, key)
	require.NoError(t, err)
	inv, err = bolt11.Decode(s)
	require.NoError(t, err)
	assert.Equal(t, p.Description, inv.Description)
	assert.Equal(t, p.Expiry, inv.Expiry)
	assert.Equal(t, p.MinFinalCLTVExpiry, inv.MinFinalCLTVExpiry)
	assert.Equal(t, int64(1<<35-1), inv.Timestamp.Unix())
	assert.Greater(t, len(s), 1000, "far beyond BIP-173's 90 characters")

	p.Timestamp = time.Unix(0, 0)
	s, err = Encode(p, key)
	require.NoError(t, err)
	inv, err = bolt11.Decode(s)
	require.NoError(t, err)
	assert.Equal(t, int64(0), inv.Timestamp.Unix())
}

// fieldTypes lists the tagged field types in data words (without the
// signature).
func fieldTypes(words []byte) []byte {
	var types []byte
	for w := words[7:]; len(w) >= 3; {
		n := int(w[1])<<5 | int(w[2])
		types = append(types, w[0])
		w = w[min(len(w), 3+n):]
	}
	return types
}

func TestEncodeErrors(t *testing.T) {
	key := specKey(t)
	for name, mutate := range map[string]func(*Params){
		"unknown network":        func(p *Params) { p.Network = "simnet" },
		"empty network":          func(p *Params) { p.Network = "" },
		"negative amount":        func(p *Params) { p.AmountMsat = -1 },
		"zero timestamp":         func(p *Params) { p.Timestamp = time.Time{} },
		"timestamp before 1970":  func(p *Params) { p.Timestamp = time.Unix(-1, 0) },
		"timestamp beyond 2^35":  func(p *Params) { p.Timestamp = time.Unix(1<<35, 0) },
		"negative expiry":        func(p *Params) { p.Expiry = -time.Second },
		"sub-second expiry":      func(p *Params) { p.Expiry = 1500 * time.Millisecond },
		"negative cltv":          func(p *Params) { p.MinFinalCLTVExpiry = -1 },
		"description not UTF-8":  func(p *Params) { p.Description = "\xff" },
		"description 640 bytes":  func(p *Params) { p.Description = strings.Repeat("a", 640) },
		"description 1000 bytes": func(p *Params) { p.Description = strings.Repeat("a", 1000) },
	} {
		t.Run(name, func(t *testing.T) {
			p := testParams(bolt11.Mainnet, 1000)
			mutate(&p)
			s, err := Encode(p, key)
			assert.ErrorIs(t, err, ErrParams)
			assert.Empty(t, s)
		})
	}
	_, err := Encode(testParams(bolt11.Mainnet, 1000), nil)
	assert.ErrorIs(t, err, ErrParams)
	_, err = Encode(Params{Network: "simnet", Timestamp: time.Now()}, key)
	assert.ErrorIs(t, err, bolt11.ErrUnknownNetwork)
}
