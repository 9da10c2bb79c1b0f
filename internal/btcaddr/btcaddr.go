// Package btcaddr validates on-chain Bitcoin addresses for the network a
// Blink endpoint serves (what `query { globals { network } }` reports), so
// that a send to a mistyped address or to an address of another network is
// refused before any request is made.
//
// It implements the rules itself on top of the bech32 and base58 packages
// of btcutil rather than calling btcutil.DecodeAddress, because that
// function does not fit: it refuses valid BIP-350 addresses with witness
// versions 2 to 16 and v1 programs other than 32 bytes (and the 2-byte
// anchor), accepts hex-encoded public keys as pay-to-pubkey "addresses",
// reports a base58 address of another network as an unknown type
// (indistinguishable from garbage). It would also need the chaincfg
// package of the btcd node module, which with its dependencies grows this
// package's build from 96 to 165 packages and adds six modules to go.mod
// (btcd, btcec/v2, chainhash, golang.org/x/crypto, golang.org/x/sys and
// kcalvinalvin/anet). The rules fit in a page and are pinned by the BIP-173
// and BIP-350 test vectors.
package btcaddr

import (
	"errors"
	"fmt"
	"github.com/blink-sdk/blink-go/internal/redact"
	"strings"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"
)

// The networks Validate knows, spelled as Blink's globals.network reports
// them.
const (
	// Mainnet is Bitcoin mainnet: bech32 prefix "bc", base58 addresses
	// starting with 1 (P2PKH) or 3 (P2SH).
	Mainnet = "mainnet"
	// Testnet is Bitcoin testnet: bech32 prefix "tb", base58 addresses
	// starting with m or n (P2PKH) or 2 (P2SH).
	Testnet = "testnet"
	// Signet is Bitcoin signet; its addresses look like testnet's.
	Signet = "signet"
	// Regtest is Bitcoin regtest: bech32 prefix "bcrt", base58 addresses
	// like testnet's.
	Regtest = "regtest"
)

// Errors returned by Validate. Every error wraps exactly one of them. An
// error message quotes at most the first 16 bytes of the address.
var (
	// ErrNotAddress reports a string that is not a Bitcoin address: empty,
	// too long, holding whitespace, control or non-ASCII characters, a URI
	// such as "bitcoin:...", an unknown prefix or version byte, a bad
	// character, witness version or program length, or bad padding.
	ErrNotAddress = errors.New("btcaddr: not a bitcoin address")
	// ErrChecksum reports an address whose checksum does not match (it was
	// probably mistyped), or a segwit address with the wrong checksum
	// variant: bech32 for witness version 0, bech32m (BIP-350) for 1 to 16.
	ErrChecksum = errors.New("btcaddr: bad address checksum")
	// ErrWrongNetwork reports a valid address of another network. The
	// error is a *NetworkError, which names the networks the address is
	// for.
	ErrWrongNetwork = errors.New("btcaddr: address is for another network")
	// ErrMixedCase reports a bech32 address that mixes upper and lower
	// case, which BIP-173 forbids (all upper or all lower is fine).
	ErrMixedCase = errors.New("btcaddr: bech32 address mixes upper and lower case")
	// ErrUnknownNetwork reports a network argument other than "mainnet",
	// "testnet", "signet" and "regtest": a mistake of the caller, not of
	// the address.
	ErrUnknownNetwork = errors.New("btcaddr: unknown network")
)

// NetworkError is the error for a valid address of another network than
// the one asked for. errors.Is(err, ErrWrongNetwork) holds for it.
type NetworkError struct {
	// Want is the network Validate was asked about.
	Want string
	// Networks are the networks the address is valid on, in the order
	// mainnet, testnet, signet, regtest: a "tb1" address is for testnet
	// and signet, a base58 "m..." address for testnet, signet and regtest.
	Networks []string
	// quoted is the address as the message shows it.
	quoted string
}

// Error says which networks the address is for.
func (e *NetworkError) Error() string {
	names := strings.Join(e.Networks, " or ")
	if n := len(e.Networks); n > 2 {
		names = strings.Join(e.Networks[:n-1], ", ") + " or " + e.Networks[n-1]
	}
	return fmt.Sprintf("%v: %s is a %s address, not %s", ErrWrongNetwork, e.quoted, names, e.Want)
}

// Is reports whether target is ErrWrongNetwork.
func (e *NetworkError) Is(target error) bool {
	return target == ErrWrongNetwork
}

// maxLen is the longest address: BIP-173 caps bech32 strings at 90
// characters; base58 addresses have at most 35.
const maxLen = 90

// segwitNetworks maps bech32 human-readable parts to the networks they
// belong to.
var segwitNetworks = map[string][]string{
	"bc":   {Mainnet},
	"tb":   {Testnet, Signet},
	"bcrt": {Regtest},
}

// base58Networks maps base58check version bytes (P2PKH and P2SH) to the
// networks they belong to.
var base58Networks = map[byte][]string{
	0x00: {Mainnet},
	0x05: {Mainnet},
	0x6f: {Testnet, Signet, Regtest},
	0xc4: {Testnet, Signet, Regtest},
}

// Validate checks that addr is a valid Bitcoin address for network
// ("mainnet", "testnet", "signet" or "regtest") and returns it trimmed of
// surrounding ASCII spaces, with a bech32 address in lower case.
//
// It accepts segwit addresses (BIP-173, BIP-350): witness version 0 with a
// bech32 checksum and a 20- or 32-byte program, versions 1 to 16 with a
// bech32m checksum and a 2- to 40-byte program, all upper or all lower
// case, with prefix "bc" on mainnet, "tb" on testnet and signet, "bcrt" on
// regtest; and base58check P2PKH and P2SH addresses with version bytes 0x00
// and 0x05 on mainnet, 0x6f and 0xc4 on testnet, signet and regtest.
//
// Errors wrap ErrNotAddress, ErrChecksum, ErrMixedCase or ErrWrongNetwork
// (then the error is a *NetworkError), or ErrUnknownNetwork for a bad
// network argument. A "bitcoin:" URI is refused: pass the address alone.
func Validate(addr, network string) (string, error) {
	switch network {
	case Mainnet, Testnet, Signet, Regtest:
	default:
		return "", fmt.Errorf("%w %s: want mainnet, testnet, signet or regtest", ErrUnknownNetwork, quote(network))
	}
	s := strings.Trim(addr, " ")
	switch {
	case s == "":
		return "", fail(ErrNotAddress, addr, "empty")
	case len(s) > maxLen:
		return "", fail(ErrNotAddress, addr, "longer than %d characters", maxLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return "", fail(ErrNotAddress, addr,
				"byte %d is a space, a control character or part of a non-ASCII character", i)
		}
	}
	if strings.Contains(s, ":") {
		return "", fail(ErrNotAddress, addr, "looks like a URI (bitcoin:...); pass the address alone")
	}
	lower := strings.ToLower(s)
	if i := strings.LastIndexByte(lower, '1'); i > 0 && segwitNetworks[lower[:i]] != nil {
		return validateSegwit(addr, s, lower, network)
	}
	return validateBase58(addr, s, network)
}

// validateSegwit validates s, a bech32 candidate whose human-readable part
// is known; addr is the input as given, for error messages.
func validateSegwit(addr, s, lower, network string) (string, error) {
	if s != lower && s != strings.ToUpper(s) {
		return "", fail(ErrMixedCase, addr, "use all lower or all upper case")
	}
	hrp, words, variant, err := bech32.DecodeGeneric(lower)
	if err != nil {
		// The library's messages quote the input and the expected
		// checksum: use our own words.
		var checksum bech32.ErrInvalidChecksum
		if errors.As(err, &checksum) {
			return "", fail(ErrChecksum, addr, "the bech32 checksum does not match (mistyped?)")
		}
		return "", fail(ErrNotAddress, addr, "not valid bech32")
	}
	if len(words) == 0 {
		return "", fail(ErrNotAddress, addr, "no witness version")
	}
	version := words[0]
	if version > 16 {
		return "", fail(ErrNotAddress, addr, "witness version %d, want 0 to 16", version)
	}
	program, err := bech32.ConvertBits(words[1:], 5, 8, false)
	if err != nil {
		return "", fail(ErrNotAddress, addr, "bad padding of the witness program")
	}
	switch n := len(program); {
	case n < 2 || n > 40:
		return "", fail(ErrNotAddress, addr, "witness program of %d bytes, want 2 to 40", n)
	case version == 0 && n != 20 && n != 32:
		return "", fail(ErrNotAddress, addr, "witness version 0 program of %d bytes, want 20 or 32", n)
	}
	switch {
	case version == 0 && variant != bech32.Version0:
		return "", fail(ErrChecksum, addr, "witness version 0 needs a bech32 checksum, not bech32m")
	case version != 0 && variant != bech32.VersionM:
		return "", fail(ErrChecksum, addr, "witness version %d needs a bech32m checksum (BIP-350), not bech32", version)
	}
	if err := checkNetwork(addr, network, segwitNetworks[hrp]); err != nil {
		return "", err
	}
	return lower, nil
}

// validateBase58 validates s as a base58check P2PKH or P2SH address; addr is
// the input as given, for error messages.
func validateBase58(addr, s, network string) (string, error) {
	// A P2PKH or P2SH address is 25 bytes: a version byte, a 20-byte hash
	// and a 4-byte checksum. Check the length first, so that short garbage
	// is reported as such rather than as a checksum mismatch.
	switch n := len(base58.Decode(s)); {
	case n == 0:
		return "", fail(ErrNotAddress, addr, "neither a segwit (bc1, tb1, bcrt1) nor a base58 address")
	case n != 25:
		return "", fail(ErrNotAddress, addr, "decodes to %d bytes; a base58 address has 25", n)
	}
	_, version, err := base58.CheckDecode(s)
	if err != nil {
		return "", fail(ErrChecksum, addr, "the base58 checksum does not match (mistyped?)")
	}
	networks := base58Networks[version]
	if networks == nil {
		return "", fail(ErrNotAddress, addr, "unknown base58 version byte 0x%02x", version)
	}
	if err := checkNetwork(addr, network, networks); err != nil {
		return "", err
	}
	return s, nil
}

// checkNetwork returns a *NetworkError unless network is among networks.
func checkNetwork(addr, network string, networks []string) error {
	for _, n := range networks {
		if n == network {
			return nil
		}
	}
	return &NetworkError{Want: network, Networks: append([]string(nil), networks...), quoted: quote(addr)}
}

// maxEcho is how many bytes of the input an error message may quote. It is
// short because users paste the wrong thing into address fields: 16 bytes
// identify an address, but leave too little of a pasted private key (a WIF
// key has 51 or 52 characters) to be of use to whoever reads the logs.
const maxEcho = 16

// quote returns the input for an error message (see redact.Quote).
func quote(s string) string { return redact.Quote(s, maxEcho) }

// fail returns an error wrapping sentinel, quoting the input and saying why.
func fail(sentinel error, input, format string, args ...any) error {
	return fmt.Errorf("%w: %s: "+format, append([]any{sentinel, quote(input)}, args...)...)
}
