package lnurl

import (
	"errors"
	"fmt"
	"github.com/blink-sdk/blink-go/internal/redact"
)

// Errors returned by ParseAddress, Decode, DecodeWithOptions and Encode.
// Every error wraps exactly one of them, so callers can tell the cases apart
// with errors.Is. An error message quotes at most the first 40 bytes of the
// input (an LNURL can carry a withdraw secret further on) and never the URL
// decoded from a bech32 LNURL.
var (
	// ErrNotAddress reports a string that is not shaped like a lightning
	// address at all: empty, too long, not exactly one "@", or holding a
	// space, control or non-ASCII character anywhere (including zero-width
	// characters and a fullwidth "@").
	ErrNotAddress = errors.New("lnurl: not a lightning address")
	// ErrBadUser reports a lightning address whose local part (before the
	// "@") is empty, longer than 64 bytes or has a character other than
	// a-z, 0-9, "-", "_", "." and "+".
	ErrBadUser = errors.New("lnurl: bad user in lightning address")
	// ErrBadDomain reports a lightning address whose domain is not a DNS
	// host name with at least one dot: an empty or over-long label, a
	// character other than a-z, 0-9 and an inner "-", a trailing dot, or an
	// IP address.
	ErrBadDomain = errors.New("lnurl: bad domain in lightning address")
	// ErrNotLNURL reports a string that is neither a bech32 LNURL, nor an
	// lnurlp:// URL, nor an https:// URL with a proper host, or a bech32
	// LNURL whose content is not such a URL.
	ErrNotLNURL = errors.New("lnurl: not an LNURL")
	// ErrChecksum reports a bech32 LNURL whose checksum does not match, or
	// that mixes upper and lower case (which bech32 forbids, so the checksum
	// cannot be checked). The LNURL was probably mistyped or truncated.
	ErrChecksum = errors.New("lnurl: bad LNURL checksum or mixed case")
	// ErrInsecureURL reports an LNURL that points to a plain http:// URL.
	// Only https is accepted, except for loopback hosts when the caller
	// passes DecodeOptions.AllowLoopbackHTTP.
	ErrInsecureURL = errors.New("lnurl: LNURL is not https")
)

// maxEcho is how many bytes of the input an error message may quote.
const maxEcho = 40

// quote returns the input for an error message (see redact.Quote).
func quote(s string) string { return redact.Quote(s, maxEcho) }

// fail returns an error wrapping sentinel, quoting the input and saying why.
func fail(sentinel error, input, format string, args ...any) error {
	return fmt.Errorf("%w: %s: "+format, append([]any{sentinel, quote(input)}, args...)...)
}

// badByte returns the index of the first byte of s that is not printable
// ASCII (a space, a control character, DEL or any byte of a non-ASCII
// character), or -1 when there is none.
func badByte(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return i
		}
	}
	return -1
}
