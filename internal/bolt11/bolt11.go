// Package bolt11 decodes BOLT11 Lightning invoices.
//
// The decoder is deliberately light: it checks the bech32 encoding and
// checksum, the human-readable part (network and amount), the timestamp, the
// tagged fields the SDK needs and the shape of the trailing signature. It does
// NOT verify the signature, because that would need a secp256k1
// implementation; the Blink API, which actually routes the payment, does
// that. Callers that need the payee's identity should rely on the server, not
// on the Payee field alone.
//
// The companion package internal/bolt11/sign encodes and signs invoices; it
// is used by the fake server in tests.
package bolt11

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// Network is the Bitcoin network an invoice is for.
type Network string

// The networks an invoice can be for, named after the human-readable prefix
// that selects them.
const (
	// Mainnet is Bitcoin mainnet, human-readable prefix "lnbc".
	Mainnet Network = "mainnet"
	// Testnet is Bitcoin testnet, human-readable prefix "lntb".
	Testnet Network = "testnet"
	// Signet is Bitcoin signet, human-readable prefix "lntbs".
	Signet Network = "signet"
	// Regtest is Bitcoin regtest, human-readable prefix "lnbcrt".
	Regtest Network = "regtest"
)

// Prefix returns the human-readable prefix of invoices for the network
// ("lnbc", "lntb", "lntbs" or "lnbcrt"), or "" for an unknown network.
func (n Network) Prefix() string {
	switch n {
	case Mainnet:
		return "lnbc"
	case Testnet:
		return "lntb"
	case Signet:
		return "lntbs"
	case Regtest:
		return "lnbcrt"
	}
	return ""
}

// networkPrefixes maps human-readable prefixes to networks. The order
// matters: a prefix must come before every shorter prefix it starts with
// ("lnbcrt" before "lnbc", "lntbs" before "lntb").
var networkPrefixes = [...]struct {
	prefix  string
	network Network
}{
	{"lnbcrt", Regtest},
	{"lntbs", Signet},
	{"lnbc", Mainnet},
	{"lntb", Testnet},
}

// Defaults the BOLT11 specification applies when a field is absent.
const (
	// DefaultExpiry is the expiry of an invoice without an x field.
	DefaultExpiry = 3600 * time.Second
	// DefaultMinFinalCLTVExpiry is the min_final_cltv_expiry_delta of an
	// invoice without a c field.
	DefaultMinFinalCLTVExpiry = 18
)

// Errors returned by Decode. Every decoding error satisfies
// errors.Is(err, ErrInvalid); checksum failures also satisfy
// errors.Is(err, ErrChecksum), and unknown human-readable prefixes also
// satisfy errors.Is(err, ErrUnknownNetwork). Error strings never contain the
// invoice being decoded.
var (
	// ErrInvalid reports an invoice that is not a well-formed BOLT11 invoice.
	ErrInvalid = errors.New("invalid invoice")
	// ErrChecksum reports an invoice whose bech32 checksum does not match.
	ErrChecksum = errors.New("bad bech32 checksum")
	// ErrUnknownNetwork reports an invoice whose human-readable prefix names
	// no supported network.
	ErrUnknownNetwork = errors.New("unknown network")
)

// invalidf returns an error wrapping ErrInvalid with a formatted reason.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("bolt11: "+format+": %w", append(args, ErrInvalid)...)
}

// Invoice is a decoded BOLT11 invoice.
type Invoice struct {
	// Network is the Bitcoin network the invoice is for.
	Network Network
	// AmountMsat is the requested amount in millisatoshis, or 0 when the
	// invoice has no amount.
	AmountMsat int64
	// HasAmount reports whether the invoice specifies an amount.
	HasAmount bool
	// Timestamp is the creation time of the invoice, in UTC, to the second.
	Timestamp time.Time
	// Expiry is how long after Timestamp the invoice stays payable;
	// DefaultExpiry (3600s) when the x field is absent. Absurdly large
	// values are capped at the largest time.Duration (about 292 years).
	Expiry time.Duration
	// PaymentHash is the payment hash from the p field, 64 lowercase hex
	// characters.
	PaymentHash string
	// PaymentSecret is the payment secret from the s field, 64 lowercase hex
	// characters, or "" if absent.
	PaymentSecret string
	// Description is the UTF-8 description from the d field, "" if absent.
	Description string
	// DescriptionHash is the SHA-256 of a description from the h field, 64
	// lowercase hex characters, or "" if absent.
	DescriptionHash string
	// Payee is the payee's compressed public key from the n field, 66
	// lowercase hex characters, or "" if absent. It is not checked against
	// the signature.
	Payee string
	// MinFinalCLTVExpiry is the min_final_cltv_expiry_delta from the c
	// field; DefaultMinFinalCLTVExpiry (18) when absent.
	MinFinalCLTVExpiry int64
}

// ExpiresAt returns the time at which the invoice expires, Timestamp plus
// Expiry.
func (inv *Invoice) ExpiresAt() time.Time {
	return inv.Timestamp.Add(inv.Expiry)
}

// Expired reports whether the invoice has expired at now, that is whether now
// is at or after ExpiresAt. Paying at the exact expiry instant is treated as
// too late, because the payee may already refuse it.
func (inv *Invoice) Expired(now time.Time) bool {
	return !now.Before(inv.ExpiresAt())
}

// AmountSats returns the amount in satoshis, rounded UP to the next whole
// satoshi, and whether that conversion was exact. Rounding up is deliberate:
// a payer who can only send whole satoshis must send at least the requested
// amount (payees accept overpayment, not underpayment). An invoice without an
// amount returns (0, true); check HasAmount to tell it from a zero amount.
func (inv *Invoice) AmountSats() (sats int64, exact bool) {
	sats = inv.AmountMsat / 1000
	if inv.AmountMsat%1000 != 0 {
		return sats + 1, false
	}
	return sats, true
}

// Layout of the data part, in 5-bit words.
const (
	timestampWords = 7   // 35-bit timestamp
	signatureWords = 104 // 65-byte signature: 520 bits
	hashWords      = 52  // 256 bits plus 4 padding bits
	pubkeyWords    = 53  // 264 bits plus 1 padding bit
	maxFieldWords  = 1023
	maxFieldBytes  = maxFieldWords * 5 / 8 // 639
	uriPrefix      = "lightning:"
)

// Tagged field types, as 5-bit values.
const (
	tagPaymentHash     = 1  // p
	tagPaymentSecret   = 16 // s
	tagDescription     = 13 // d
	tagDescriptionHash = 23 // h
	tagExpiry          = 6  // x
	tagPayee           = 19 // n
	tagMinFinalCLTV    = 24 // c
)

// Decode parses a BOLT11 invoice. It accepts an optional, case-insensitive
// "lightning:" prefix and surrounding white space, and an invoice in all
// lower case or all upper case.
//
// Decode checks the bech32 checksum, the network prefix, the amount, the
// timestamp, the known tagged fields (p, s, d, h, x, n, c; unknown fields are
// skipped, and so are p, s, h and n fields of the wrong length), that exactly
// one payment hash is present, and that the data ends with a 65-byte
// signature whose recovery id is 0 to 3. It does not verify the signature.
// It also rejects x and c fields with leading zero words (non-minimal
// encodings) and a description that is not valid UTF-8.
//
// Decode is lenient where the SDK does not need strictness: it does not
// require an s field, nor exactly one of d and h, and it does not interpret
// the feature bits (9 field). When a field other than p appears more than
// once, the first occurrence wins.
func Decode(s string) (*Invoice, error) {
	s = strings.TrimSpace(s)
	if len(s) >= len(uriPrefix) && strings.EqualFold(s[:len(uriPrefix)], uriPrefix) {
		s = strings.TrimSpace(s[len(uriPrefix):])
	}

	hrp, words, version, err := bech32.DecodeNoLimitWithVersion(s)
	if err != nil {
		return nil, bech32Error(err)
	}
	if version != bech32.Version0 {
		// A bech32m checksum is not a valid bech32 checksum.
		return nil, fmt.Errorf("bolt11: %w (bech32m, not bech32): %w", ErrChecksum, ErrInvalid)
	}

	inv := &Invoice{
		Expiry:             DefaultExpiry,
		MinFinalCLTVExpiry: DefaultMinFinalCLTVExpiry,
	}
	if err := inv.parseHRP(hrp); err != nil {
		return nil, err
	}

	if len(words) < timestampWords+signatureWords {
		return nil, invalidf("data part too short (%d words)", len(words))
	}
	var ts int64
	for _, w := range words[:timestampWords] {
		ts = ts<<5 | int64(w)
	}
	inv.Timestamp = time.Unix(ts, 0).UTC()

	fieldsEnd := len(words) - signatureWords
	var sig [65]byte
	wordsToBytes(sig[:], words[fieldsEnd:])
	if sig[64] > 3 {
		return nil, invalidf("signature recovery id %d out of range", sig[64])
	}

	if err := inv.parseFields(words[timestampWords:fieldsEnd]); err != nil {
		return nil, err
	}
	return inv, nil
}

// bech32Error translates an error from the bech32 library into this
// package's errors, without echoing the input.
func bech32Error(err error) error {
	var (
		checksum  bech32.ErrInvalidChecksum
		mixedCase bech32.ErrMixedCase
		length    bech32.ErrInvalidLength
		separator bech32.ErrInvalidSeparatorIndex
	)
	switch {
	case errors.As(err, &checksum):
		return fmt.Errorf("bolt11: %w: %w", ErrChecksum, ErrInvalid)
	case errors.As(err, &mixedCase):
		return invalidf("mixed upper and lower case")
	case errors.As(err, &length):
		return invalidf("too short for bech32 (%d characters)", int(length))
	case errors.As(err, &separator):
		return invalidf("missing or misplaced bech32 separator")
	default:
		// The remaining library errors name at most one offending
		// character, never the whole string.
		return invalidf("malformed bech32: %v", err)
	}
}

// parseHRP fills Network, AmountMsat and HasAmount from the human-readable
// part, which the bech32 library has already lower-cased.
func (inv *Invoice) parseHRP(hrp string) error {
	amount := ""
	for _, np := range networkPrefixes {
		if strings.HasPrefix(hrp, np.prefix) {
			inv.Network = np.network
			amount = hrp[len(np.prefix):]
			break
		}
	}
	if inv.Network == "" {
		return fmt.Errorf("bolt11: %w: %w", ErrUnknownNetwork, ErrInvalid)
	}
	if amount == "" {
		return nil
	}
	msat, err := ParseAmount(amount)
	if err != nil {
		return err
	}
	inv.AmountMsat = msat
	inv.HasAmount = true
	return nil
}

// Amount multipliers, in millisatoshis per unit (1 BTC = 1e11 msat).
const (
	msatPerBTC   = 100_000_000_000
	msatPerMilli = 100_000_000
	msatPerMicro = 100_000
	msatPerNano  = 100
)

// ParseAmount parses the amount of a human-readable part, such as "2500u" or
// "9678785340p", and returns it in millisatoshis. The amount must be a
// positive decimal integer without leading zeros, optionally followed by one
// of the multipliers m, u, n or p; with p it must end in 0 (no
// sub-millisatoshi amounts). Amounts that do not fit an int64 of
// millisatoshis are rejected.
func ParseAmount(a string) (int64, error) {
	if a == "" {
		return 0, invalidf("empty amount")
	}
	digits, unit := a[:len(a)-1], int64(0)
	pico := false
	switch c := a[len(a)-1]; {
	case c == 'm':
		unit = msatPerMilli
	case c == 'u':
		unit = msatPerMicro
	case c == 'n':
		unit = msatPerNano
	case c == 'p':
		pico = true
	case c >= '0' && c <= '9':
		digits, unit = a, msatPerBTC
	default:
		return 0, invalidf("invalid amount multiplier %q", c)
	}
	if digits == "" {
		return 0, invalidf("amount has no digits")
	}
	if digits[0] == '0' {
		return 0, invalidf("amount has a leading zero")
	}
	if pico {
		// 10 pico-BTC is 1 msat: the last digit must be 0 and the others
		// are the amount in msat. Parsing them directly also avoids
		// overflowing on the extra digit.
		if digits[len(digits)-1] != '0' {
			return 0, invalidf("pico amount is not a whole number of millisatoshis")
		}
		digits, unit = digits[:len(digits)-1], 1
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, invalidf("amount contains a non-digit")
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, invalidf("amount overflows")
		}
		n = n*10 + d
	}
	if n > math.MaxInt64/unit {
		return 0, invalidf("amount overflows")
	}
	return n * unit, nil
}

// parseFields walks the tagged fields between the timestamp and the
// signature.
func (inv *Invoice) parseFields(words []byte) error {
	var (
		seen   uint32 // bit t set once a field of type t has been taken
		buf    [maxFieldBytes + 1]byte
		hexBuf [2 * 33]byte
	)
	for len(words) > 0 {
		if len(words) < 3 {
			return invalidf("truncated tagged field header")
		}
		typ := words[0]
		n := int(words[1])<<5 | int(words[2])
		if len(words)-3 < n {
			return invalidf("tagged field %q overruns the data", tagChar(typ))
		}
		data := words[3 : 3+n]
		words = words[3+n:]

		switch typ {
		case tagPaymentHash:
			if n != hashWords {
				continue // wrong length: skipped, as the spec's vectors do
			}
			if seen&(1<<typ) != 0 {
				return invalidf("more than one payment hash")
			}
			inv.PaymentHash = hexString(hexBuf[:], buf[:wordsToBytes(buf[:], data)][:32])
		case tagPaymentSecret, tagDescriptionHash:
			if n != hashWords || seen&(1<<typ) != 0 {
				continue
			}
			h := hexString(hexBuf[:], buf[:wordsToBytes(buf[:], data)][:32])
			if typ == tagPaymentSecret {
				inv.PaymentSecret = h
			} else {
				inv.DescriptionHash = h
			}
		case tagPayee:
			if n != pubkeyWords || seen&(1<<typ) != 0 {
				continue
			}
			inv.Payee = hexString(hexBuf[:], buf[:wordsToBytes(buf[:], data)][:33])
		case tagDescription:
			if seen&(1<<typ) != 0 {
				continue
			}
			b := buf[:wordsToBytes(buf[:], data)]
			if !utf8.Valid(b) {
				return invalidf("description is not valid UTF-8")
			}
			inv.Description = string(b)
		case tagExpiry:
			if seen&(1<<typ) != 0 {
				continue
			}
			v, ok, err := uintField(typ, data)
			if err != nil {
				return err
			}
			if !ok || v > uint64(math.MaxInt64/int64(time.Second)) {
				inv.Expiry = time.Duration(math.MaxInt64)
			} else {
				inv.Expiry = time.Duration(v) * time.Second
			}
		case tagMinFinalCLTV:
			if seen&(1<<typ) != 0 {
				continue
			}
			v, ok, err := uintField(typ, data)
			if err != nil {
				return err
			}
			if !ok || v > math.MaxInt64 {
				return invalidf("min_final_cltv_expiry_delta out of range")
			}
			inv.MinFinalCLTVExpiry = int64(v)
		default:
			continue // unknown or uninterpreted field
		}
		seen |= 1 << typ
	}
	if seen&(1<<tagPaymentHash) == 0 {
		return invalidf("missing payment hash")
	}
	return nil
}

// uintField decodes a variable-length big-endian unsigned field. It rejects
// non-minimal encodings (leading zero words) and reports ok=false when the
// value does not fit in 64 bits.
func uintField(typ byte, data []byte) (v uint64, ok bool, err error) {
	if len(data) > 0 && data[0] == 0 {
		return 0, false, invalidf("tagged field %q is not minimally encoded", tagChar(typ))
	}
	for _, w := range data {
		if v > math.MaxUint64>>5 {
			return 0, false, nil
		}
		v = v<<5 | uint64(w)
	}
	return v, true, nil
}

// bech32Charset is the bech32 alphabet; charset[i] is the character for the
// 5-bit value i.
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// tagChar returns the bech32 character naming a tagged field type.
func tagChar(typ byte) byte {
	return bech32Charset[typ&31]
}

// wordsToBytes packs 5-bit words into dst, most significant bit first, and
// returns the number of whole bytes written. Trailing bits that do not fill a
// byte (the padding) are dropped. dst must hold len(words)*5/8 bytes.
func wordsToBytes(dst []byte, words []byte) int {
	var (
		acc  uint32
		bits uint
		n    int
	)
	for _, w := range words {
		acc = acc<<5 | uint32(w&31)
		bits += 5
		if bits >= 8 {
			bits -= 8
			dst[n] = byte(acc >> bits)
			n++
		}
		acc &= 1<<bits - 1
	}
	return n
}

// hexString returns the lowercase hex encoding of b, using scratch (which
// must hold 2*len(b) bytes) so that the only allocation is the string.
func hexString(scratch, b []byte) string {
	const digits = "0123456789abcdef"
	for i, c := range b {
		scratch[2*i] = digits[c>>4]
		scratch[2*i+1] = digits[c&15]
	}
	return string(scratch[:2*len(b)])
}
