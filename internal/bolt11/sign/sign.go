// Package sign encodes and signs BOLT11 invoices.
//
// It is the counterpart of package bolt11 and exists so that the fake Blink
// server used in tests can mint real, correctly signed invoices. Production
// code of the SDK only decodes invoices and should not import this package.
package sign

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/blink-sdk/blink-go/internal/bolt11"
)

// Params describes the invoice to encode.
type Params struct {
	// Network selects the human-readable prefix; it must be one of the four
	// networks defined by package bolt11.
	Network bolt11.Network
	// AmountMsat is the requested amount in millisatoshis; 0 encodes an
	// invoice without an amount. It must not be negative.
	AmountMsat int64
	// PaymentHash is the SHA-256 of the payment preimage (the p field).
	PaymentHash [32]byte
	// PaymentSecret is the payment secret (the s field). It is always
	// encoded, as the specification requires, even when all zero.
	PaymentSecret [32]byte
	// Description is the UTF-8 description (the d field), always encoded,
	// possibly empty, and at most 639 bytes long.
	Description string
	// DescriptionHash, when not all zero, is the SHA-256 of a description
	// (the h field), written instead of the d field (LNURL-pay invoices
	// commit to the metadata this way).
	DescriptionHash [32]byte
	// Expiry is the x field, a whole number of seconds; 0 omits the field,
	// which means the default of 3600 seconds.
	Expiry time.Duration
	// Timestamp is the creation time; it is encoded to the second and must
	// lie between the Unix epoch and 2^35 seconds after it.
	Timestamp time.Time
	// MinFinalCLTVExpiry is the c field; 0 omits it, which means the
	// default of 18 blocks. It must not be negative.
	MinFinalCLTVExpiry int64
}

// ErrParams reports Params that cannot be encoded.
var ErrParams = errors.New("bolt11/sign: invalid parameters")

// Tagged field types, as 5-bit values.
const (
	tagPaymentHash   = 1  // p
	tagPaymentSecret = 16 // s
	tagDescription   = 13 // d
	tagDescHash      = 23 // h
	tagExpiry        = 6  // x
	tagMinFinalCLTV  = 24 // c

	maxFieldWords  = 1023
	maxTimestamp   = 1<<35 - 1
	signatureBytes = 65
)

// Encode builds the invoice described by p, signs it with key and returns it
// in lower case. The fields are written in the order p, s, d, x, c; the
// payee (n field) is not included, so readers recover it from the
// signature. The amount uses the largest multiplier that represents it
// exactly, which gives the shortest form. The signature is a compact,
// deterministic (RFC 6979), low-S ECDSA signature over the SHA-256 of the
// human-readable part followed by the data part, packed into bytes and
// padded with zero bits.
func Encode(p Params, key *secp256k1.PrivateKey) (string, error) {
	if key == nil {
		return "", fmt.Errorf("%w: nil private key", ErrParams)
	}
	prefix := p.Network.Prefix()
	if prefix == "" {
		return "", fmt.Errorf("%w: %w %q", ErrParams, bolt11.ErrUnknownNetwork, string(p.Network))
	}
	amount, err := FormatAmount(p.AmountMsat)
	if err != nil {
		return "", err
	}
	hrp := prefix + amount

	ts := p.Timestamp.Unix()
	if p.Timestamp.IsZero() || ts < 0 || ts > maxTimestamp {
		return "", fmt.Errorf("%w: timestamp out of range", ErrParams)
	}
	if p.Expiry < 0 || p.Expiry%time.Second != 0 {
		return "", fmt.Errorf("%w: expiry must be a non-negative whole number of seconds", ErrParams)
	}
	if p.MinFinalCLTVExpiry < 0 {
		return "", fmt.Errorf("%w: negative min_final_cltv_expiry", ErrParams)
	}
	if !utf8.ValidString(p.Description) {
		return "", fmt.Errorf("%w: description is not valid UTF-8", ErrParams)
	}
	if n := len(p.Description); (n*8+4)/5 > maxFieldWords {
		return "", fmt.Errorf("%w: description is %d bytes, at most 639 fit", ErrParams, n)
	}

	words := make([]byte, 0, 7+3*5+2*52+(len(p.Description)*8+4)/5+2*13+104)
	words = appendUint(words, uint64(ts), 7)
	words = appendField(words, tagPaymentHash, bytesToWords(nil, p.PaymentHash[:]))
	words = appendField(words, tagPaymentSecret, bytesToWords(nil, p.PaymentSecret[:]))
	if p.DescriptionHash != ([32]byte{}) {
		words = appendField(words, tagDescHash, bytesToWords(nil, p.DescriptionHash[:]))
	} else {
		words = appendField(words, tagDescription, bytesToWords(nil, []byte(p.Description)))
	}
	if p.Expiry != 0 {
		words = appendField(words, tagExpiry, minimalUint(uint64(p.Expiry/time.Second)))
	}
	if p.MinFinalCLTVExpiry != 0 {
		words = appendField(words, tagMinFinalCLTV, minimalUint(uint64(p.MinFinalCLTVExpiry)))
	}

	words = appendSignature(hrp, words, key)

	s, err := bech32.Encode(hrp, words)
	if err != nil {
		return "", fmt.Errorf("bolt11/sign: bech32: %w", err)
	}
	return s, nil
}

// appendSignature signs the human-readable part and data words with key and
// appends the 65-byte signature (R, S, recovery id) as 104 words.
func appendSignature(hrp string, words []byte, key *secp256k1.PrivateKey) []byte {
	hash := SigningHash(hrp, words)
	compact := ecdsa.SignCompact(key, hash[:], true)
	// SignCompact returns <27+4+recid><R><S>; BOLT11 wants <R><S><recid>.
	var sig [signatureBytes]byte
	copy(sig[:64], compact[1:])
	sig[64] = compact[0] - 27 - 4
	return bytesToWords(words, sig[:])
}

// Amount multipliers, in millisatoshis per unit (1 BTC = 1e11 msat), largest
// first.
var multipliers = [...]struct {
	msat   int64
	suffix string
}{
	{100_000_000_000, ""},
	{100_000_000, "m"},
	{100_000, "u"},
	{100, "n"},
}

// FormatAmount returns the amount part of a human-readable part for msat
// millisatoshis, using the largest multiplier that represents it exactly:
// 250000000 gives "2500u", 1 gives "10p", 0 gives "" (no amount). Negative
// amounts are rejected.
func FormatAmount(msat int64) (string, error) {
	switch {
	case msat < 0:
		return "", fmt.Errorf("%w: negative amount", ErrParams)
	case msat == 0:
		return "", nil
	}
	for _, m := range multipliers {
		if msat%m.msat == 0 {
			return strconv.FormatInt(msat/m.msat, 10) + m.suffix, nil
		}
	}
	// 1 msat is 10 pico-BTC. Appending the digit avoids overflowing int64.
	return strconv.FormatInt(msat, 10) + "0p", nil
}

// SigningHash returns the hash a BOLT11 signature commits to: the SHA-256 of
// the human-readable part as bytes, followed by the data part (without the
// signature) packed from 5-bit words into bytes, most significant bit first,
// with zero bits appended to reach a byte boundary.
func SigningHash(hrp string, words []byte) [32]byte {
	msg := make([]byte, 0, len(hrp)+(len(words)*5+7)/8)
	msg = append(msg, hrp...)
	var (
		acc  uint32
		bits uint
	)
	for _, w := range words {
		acc = acc<<5 | uint32(w&31)
		bits += 5
		if bits >= 8 {
			bits -= 8
			msg = append(msg, byte(acc>>bits))
		}
		acc &= 1<<bits - 1
	}
	if bits > 0 {
		msg = append(msg, byte(acc<<(8-bits)))
	}
	return sha256.Sum256(msg)
}

// bytesToWords appends b to dst as 5-bit words, most significant bit first,
// padding the last word with zero bits.
func bytesToWords(dst, b []byte) []byte {
	var (
		acc  uint32
		bits uint
	)
	for _, c := range b {
		acc = acc<<8 | uint32(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			dst = append(dst, byte(acc>>bits)&31)
		}
		acc &= 1<<bits - 1
	}
	if bits > 0 {
		dst = append(dst, byte(acc<<(5-bits))&31)
	}
	return dst
}

// appendUint appends v as exactly n big-endian 5-bit words.
func appendUint(dst []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(5*uint(i)))&31)
	}
	return dst
}

// minimalUint returns v as big-endian 5-bit words without leading zero
// words (no words at all for 0).
func minimalUint(v uint64) []byte {
	n := 0
	for x := v; x != 0; x >>= 5 {
		n++
	}
	return appendUint(nil, v, n)
}

// appendField appends a tagged field: its type, its 10-bit length and data.
func appendField(dst []byte, typ byte, data []byte) []byte {
	dst = append(dst, typ, byte(len(data)>>5)&31, byte(len(data))&31)
	return append(dst, data...)
}
