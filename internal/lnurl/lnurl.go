// Package lnurl parses the two ways a payer names an LNURL-pay recipient: a
// lightning address (LUD-16, "alice@blink.sv") and an LNURL (LUD-01 bech32
// "lnurl1...", LUD-17 "lnurlp://..." or a plain https URL).
//
// Everything here is a pure function: nothing touches the network. The
// parsers are strict on purpose, because their input comes from strangers
// (QR codes, pasted text, web forms) and their output becomes a URL the SDK
// fetches: look-alike and invisible characters, percent escapes, user info,
// IP literals and plain http are refused rather than repaired.
package lnurl

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// hrp is the human-readable part of a bech32 LNURL (LUD-01).
const hrp = "lnurl"

// maxLen bounds the input of Decode and Encode, in bytes. LUD-01 LNURLs are
// longer than bech32's usual 90 characters; 4096 leaves room for a URL of
// about 2,500 bytes, more than any QR code a phone reads comfortably.
const maxLen = 4096

// DecodeOptions changes what DecodeWithOptions accepts. The zero value (or
// nil) accepts what Decode accepts.
type DecodeOptions struct {
	// AllowLoopbackHTTP accepts a URL whose host is literally "localhost",
	// an IPv4 address in 127.0.0.0/8 or the IPv6 address ::1, over http as
	// well as https. It is meant for tests and local development stacks
	// (httptest servers listen on http://127.0.0.1:port); plain http to any
	// other host is still refused with ErrInsecureURL.
	AllowLoopbackHTTP bool
}

// Decode returns the https URL an LNURL points to. It accepts, after
// trimming surrounding ASCII spaces:
//
//   - a bech32 LNURL (LUD-01) with human-readable part "lnurl", all lower or
//     all upper case (upper case is what QR codes carry), of any length up to
//     4096 bytes, optionally behind a "lightning:" prefix in any case;
//   - an LUD-17 "lnurlp://host/path" URL, which becomes https://host/path;
//   - an "https://" URL.
//
// The URL (decoded, for a bech32 LNURL) must be https, have a DNS host name
// with at least one dot (no IP address, no trailing dot) and an optional
// numeric port, and hold no user info, percent escape in the host,
// backslash, whitespace, control or non-ASCII character. The scheme and host
// are returned in lower case; the path and query are kept as they are.
//
// Errors wrap ErrNotLNURL, ErrChecksum (bad checksum or mixed case) or
// ErrInsecureURL (plain http). Use DecodeWithOptions to accept http on
// loopback hosts.
func Decode(s string) (*url.URL, error) {
	return DecodeWithOptions(s, nil)
}

// DecodeWithOptions is Decode with options; a nil opts behaves as Decode.
func DecodeWithOptions(s string, opts *DecodeOptions) (*url.URL, error) {
	if opts == nil {
		opts = &DecodeOptions{}
	}
	in := s
	s = strings.Trim(s, " ")
	if err := checkInput(in, s); err != nil {
		return nil, err
	}
	lower := strings.ToLower(s)
	const lightning = "lightning:"
	prefixed := strings.HasPrefix(lower, lightning)
	if prefixed {
		s, lower = s[len(lightning):], lower[len(lightning):]
	}
	switch {
	case strings.HasPrefix(lower, hrp+"1"):
		raw, err := decodeBech32(in, s)
		if err != nil {
			return nil, err
		}
		lowerRaw := strings.ToLower(raw)
		if !strings.HasPrefix(lowerRaw, "https://") && !strings.HasPrefix(lowerRaw, "http://") {
			return nil, fail(ErrNotLNURL, in, "the bech32 content is not an https:// URL")
		}
		return checkURL(in, raw, opts)
	case prefixed:
		return nil, fail(ErrNotLNURL, in, "after \"lightning:\" comes no bech32 LNURL")
	case strings.HasPrefix(lower, "lnurlp://"):
		return checkURL(in, "https://"+s[len("lnurlp://"):], opts)
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
		return checkURL(in, s, opts)
	}
	return nil, fail(ErrNotLNURL, in, "want a bech32 LNURL (lnurl1...), an lnurlp:// or an https:// URL")
}

// Encode returns the bech32 LNURL (LUD-01) of an https URL, in lower case.
// Upper-casing the whole string is fine, and is what QR codes should carry
// (their alphanumeric mode holds upper case only); Decode accepts both.
//
// The URL must be one that DecodeWithOptions accepts with
// AllowLoopbackHTTP, given exactly (no surrounding spaces) and starting with
// "https://" or, for a loopback host, "http://". It is encoded byte for
// byte, so decoding the result gives the same URL as decoding rawURL itself.
// Errors wrap ErrNotLNURL or ErrInsecureURL.
func Encode(rawURL string) (string, error) {
	if err := checkInput(rawURL, rawURL); err != nil {
		return "", err
	}
	lower := strings.ToLower(rawURL)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return "", fail(ErrNotLNURL, rawURL, "want an https:// URL")
	}
	if _, err := checkURL(rawURL, rawURL, &DecodeOptions{AllowLoopbackHTTP: true}); err != nil {
		return "", err
	}
	words, err := bech32.ConvertBits([]byte(rawURL), 8, 5, true)
	if err != nil {
		return "", fail(ErrNotLNURL, rawURL, "cannot convert to bech32")
	}
	enc, err := bech32.Encode(hrp, words)
	if err != nil {
		return "", fail(ErrNotLNURL, rawURL, "cannot encode as bech32")
	}
	return enc, nil
}

// checkInput checks the length and bytes of the (trimmed) input s; in is
// the input as given, for the error message.
func checkInput(in, s string) error {
	switch {
	case s == "":
		return fail(ErrNotLNURL, in, "empty")
	case len(s) > maxLen:
		return fail(ErrNotLNURL, in, "longer than %d bytes", maxLen)
	}
	if i := badByte(s); i >= 0 {
		return fail(ErrNotLNURL, in, "byte %d is a space, a control character or part of a non-ASCII character", i)
	}
	return nil
}

// decodeBech32 decodes a bech32 LNURL s (without a "lightning:" prefix) and
// returns its content; in is the input as given, for error messages, which
// never include the content.
func decodeBech32(in, s string) (string, error) {
	gotHRP, words, version, err := bech32.DecodeNoLimitWithVersion(s)
	if err != nil {
		// The library's messages quote characters of the input (and the
		// checksum it expected): say what went wrong in our own words.
		var (
			mixed    bech32.ErrMixedCase
			checksum bech32.ErrInvalidChecksum
			length   bech32.ErrInvalidLength
			sep      bech32.ErrInvalidSeparatorIndex
		)
		switch {
		case errors.As(err, &mixed):
			return "", fail(ErrChecksum, in, "mixes upper and lower case; a bech32 LNURL is all one case")
		case errors.As(err, &checksum):
			return "", fail(ErrChecksum, in, "the bech32 checksum does not match (mistyped or truncated?)")
		case errors.As(err, &length), errors.As(err, &sep):
			return "", fail(ErrNotLNURL, in, "too short for a bech32 LNURL")
		}
		return "", fail(ErrNotLNURL, in, "holds a character outside the bech32 alphabet")
	}
	if gotHRP != hrp {
		return "", fail(ErrNotLNURL, in, "the bech32 human-readable part is not %q", hrp)
	}
	if version != bech32.Version0 {
		return "", fail(ErrChecksum, in, "a bech32m checksum; LNURLs use bech32")
	}
	data, err := bech32.ConvertBits(words, 5, 8, false)
	if err != nil {
		return "", fail(ErrNotLNURL, in, "bad bech32 padding")
	}
	raw := string(data)
	if badByte(raw) >= 0 {
		return "", fail(ErrNotLNURL, in, "the decoded URL holds a space, a control or a non-ASCII character")
	}
	return raw, nil
}

// checkURL parses and checks raw, a URL starting with "http://" or
// "https://" (in any case) made only of printable ASCII. in is the input as
// given, for error messages.
func checkURL(in, raw string, opts *DecodeOptions) (*url.URL, error) {
	if strings.Contains(raw, `\`) {
		return nil, fail(ErrNotLNURL, in, "the URL holds a backslash")
	}
	// The authority runs from "//" to the first "/", "?" or "#". Refuse
	// percent escapes there: url.Parse would unescape them in the host.
	authority := raw[strings.Index(raw, "//")+2:]
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if strings.Contains(authority, "%") {
		return nil, fail(ErrNotLNURL, in, "the URL's host holds a percent escape")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fail(ErrNotLNURL, in, "not a valid URL")
	}
	if u.User != nil {
		return nil, fail(ErrNotLNURL, in, "the URL holds user info (\"...@\" before the host)")
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, fail(ErrNotLNURL, in, "the URL has no host")
	}
	u.Host = strings.ToLower(u.Host)
	host := u.Hostname()
	loopback := opts.AllowLoopbackHTTP && isLoopback(host)
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback {
			return nil, fail(ErrInsecureURL, in, "plain http; an LNURL must be https")
		}
	default:
		return nil, fail(ErrNotLNURL, in, "the URL is not https")
	}
	if !loopback {
		if reason := checkHostname(host); reason != "" {
			return nil, fail(ErrNotLNURL, in, "the URL's host %s", reason)
		}
	}
	if strings.HasSuffix(u.Host, ":") {
		return nil, fail(ErrNotLNURL, in, "the URL has an empty port")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fail(ErrNotLNURL, in, "the URL's port is not a number from 1 to 65535")
		}
	}
	return u, nil
}

// isLoopback reports whether host (lower case, without brackets or port) is
// literally "localhost", an IPv4 address in 127.0.0.0/8 or the IPv6 address
// ::1. Names that merely resolve to a loopback address do not count.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return false
	}
	return a.Is4() && a.IsLoopback() || a == netip.IPv6Loopback()
}
