package lnurl_test

import (
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/lnurl"
)

// The example of LUD-01 (github.com/lnurl/luds, 01.md), checked against the
// spec text and several independent implementations.
const (
	lud01LNURL = "LNURL1DP68GURN8GHJ7UM9WFMXJCM99E3K7MF0V9CXJ0M385EKVCENXC6R2C35XVUKXEFCV5MKVV34X5EKZD3EV56NYD3HXQURZEPEXEJXXEPNXSCRVWFNV9NXZCN9XQ6XYEFHVGCXXCMYXYMNSERXFQ5FNS"
	lud01URL   = "https://service.com/api?q=3fc3645b439ce8e7f2553a69e5267081d96dcd340693afabe04be7b0ccd178df"
)

// bech32Of encodes arbitrary bytes as bech32 (or bech32m) with the given
// human-readable part, bypassing Encode's checks, to build hostile LNURLs.
func bech32Of(t testing.TB, hrp string, data []byte, m bool) string {
	t.Helper()
	words, err := bech32.ConvertBits(data, 8, 5, true)
	require.NoError(t, err)
	enc := bech32.Encode
	if m {
		enc = bech32.EncodeM
	}
	s, err := enc(hrp, words)
	require.NoError(t, err)
	return s
}

// flip replaces the character at i (counted from the end when negative) by
// another bech32 character.
func flip(s string, i int) string {
	if i < 0 {
		i += len(s)
	}
	c := byte('q')
	if s[i] == 'q' || s[i] == 'Q' {
		c = 'p'
	}
	if s[i] >= 'A' && s[i] <= 'Z' {
		c -= 'a' - 'A'
	}
	return s[:i] + string(c) + s[i+1:]
}

func TestDecode_LUD01Vector(t *testing.T) {
	for _, in := range []string{
		lud01LNURL,
		strings.ToLower(lud01LNURL),
		"lightning:" + lud01LNURL,
		"LIGHTNING:" + lud01LNURL,
		"Lightning:" + strings.ToLower(lud01LNURL),
		"  " + lud01LNURL + " ",
		"  lightning:" + lud01LNURL,
	} {
		u, err := lnurl.Decode(in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, lud01URL, u.String())
		assert.Equal(t, "service.com", u.Host)
		assert.Equal(t, "3fc3645b439ce8e7f2553a69e5267081d96dcd340693afabe04be7b0ccd178df", u.Query().Get("q"))
	}
}

func TestEncode_LUD01Vector(t *testing.T) {
	got, err := lnurl.Encode(lud01URL)
	require.NoError(t, err)
	assert.Equal(t, strings.ToLower(lud01LNURL), got, "Encode gives lower case")
	assert.Equal(t, lud01LNURL, strings.ToUpper(got), "upper-cased, it is the LUD-01 QR form")
	assert.Greater(t, len(got), 90, "longer than bech32's usual limit")
}

func TestEncodeDecode_RoundTrip(t *testing.T) {
	for _, raw := range []string{
		lud01URL,
		"https://blink.sv/.well-known/lnurlp/alice",
		"https://blink.sv/.well-known/lnurlp/alice+usd",
		"https://lnurl.blink.sv/lnurlp/blink.sv/alice/invoice?amount=1000&comment=hi%20there",
		"https://pay.example.com:8443/p?tag=payRequest#frag",
		"https://a.bc",
		"https://" + longDomain(253) + "/" + strings.Repeat("x", 1500),
	} {
		enc, err := lnurl.Encode(raw)
		require.NoError(t, err, raw)
		assert.True(t, strings.HasPrefix(enc, "lnurl1"), enc)
		assert.Equal(t, strings.ToLower(enc), enc)
		for _, in := range []string{enc, strings.ToUpper(enc), "lightning:" + enc} {
			u, err := lnurl.Decode(in)
			require.NoError(t, err)
			assert.Equal(t, raw, u.String())
		}
	}
}

func TestEncode_LoopbackHTTPNeedsTheOptionToDecode(t *testing.T) {
	raw := "http://127.0.0.1:4455/lnurlp/alice"
	enc, err := lnurl.Encode(raw)
	require.NoError(t, err)

	_, err = lnurl.Decode(enc)
	assertOneSentinel(t, err, lnurl.ErrInsecureURL)

	u, err := lnurl.DecodeWithOptions(enc, &lnurl.DecodeOptions{AllowLoopbackHTTP: true})
	require.NoError(t, err)
	assert.Equal(t, raw, u.String())
}

func TestEncode_Refuses(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", lnurl.ErrNotLNURL},
		{"plain http", "http://service.com/api", lnurl.ErrInsecureURL},
		{"lnurlp scheme", "lnurlp://service.com/api", lnurl.ErrNotLNURL},
		{"already an LNURL", strings.ToLower(lud01LNURL), lnurl.ErrNotLNURL},
		{"surrounding space", " https://service.com/api", lnurl.ErrNotLNURL},
		{"user info", "https://u:p@service.com/", lnurl.ErrNotLNURL},
		{"newline", "https://service.com/\n", lnurl.ErrNotLNURL},
		{"no dot", "https://intranet/api", lnurl.ErrNotLNURL},
		{"too long", "https://service.com/" + strings.Repeat("x", 4096), lnurl.ErrNotLNURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := lnurl.Encode(tt.in)
			assertOneSentinel(t, err, tt.want)
			assert.Empty(t, got)
		})
	}
}

func TestDecode_AcceptsURLForms(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"https", "https://service.com/api?q=1", "https://service.com/api?q=1"},
		{"scheme and host lower-cased", "HTTPS://Service.COM/Api?Q=1", "https://service.com/Api?Q=1"},
		{"lnurlp becomes https", "lnurlp://blink.sv/.well-known/lnurlp/alice", "https://blink.sv/.well-known/lnurlp/alice"},
		{"LNURLP upper case", "LNURLP://Blink.SV/x", "https://blink.sv/x"},
		{"port kept", "https://service.com:8443/api", "https://service.com:8443/api"},
		{"trimmed", "  https://service.com/  ", "https://service.com/"},
		{"no path", "https://service.com", "https://service.com"},
		{"punycode host", "https://xn--e1afmkfd.xn--p1ai/pay", "https://xn--e1afmkfd.xn--p1ai/pay"},
		{"percent escape in path kept", "https://service.com/a%20b?x=%2F", "https://service.com/a%20b?x=%2F"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := lnurl.Decode(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, u.String())
			assert.Equal(t, "https", u.Scheme)
			assert.Nil(t, u.User)
		})
	}
}

func TestDecodeWithOptions_LoopbackHTTP(t *testing.T) {
	allow := &lnurl.DecodeOptions{AllowLoopbackHTTP: true}
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"localhost", "http://localhost:4455/lnurlp/alice", true},
		{"LOCALHOST upper case", "http://LOCALHOST/x", true},
		{"127.0.0.1", "http://127.0.0.1:8080/x", true},
		{"elsewhere in 127/8", "http://127.255.255.254/x", true},
		{"IPv6 loopback", "http://[::1]:8080/x", true},
		{"https to localhost", "https://localhost:8443/x", true},
		{"lnurlp to localhost", "lnurlp://localhost:8443/x", true},
		{"localhost subdomain of another host", "http://localhost.evil.com/x", false},
		{"name resolving to loopback", "http://127.0.0.1.nip.io/x", false},
		{"IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]/x", false},
		{"hex IPv4", "http://0x7f000001/x", false},
		{"decimal IPv4", "http://2130706433/x", false},
		{"octal IPv4", "http://0177.0.0.1/x", false},
		{"zoned IPv6", "http://[::1%25lo]/x", false},
		{"private address", "http://192.168.1.1/x", false},
		{"any address", "http://0.0.0.0/x", false},
		{"public host", "http://service.com/x", false},
		{"trailing dot localhost", "http://localhost./x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := lnurl.DecodeWithOptions(tt.in, allow)
			if tt.ok {
				require.NoError(t, err)
				assert.NotEmpty(t, u.Host)
			} else {
				require.Error(t, err)
				assert.Nil(t, u)
			}
			// Without the option, none of them is accepted.
			_, err = lnurl.Decode(tt.in)
			require.Error(t, err)
		})
	}
}

func TestDecode_RefusesHostileInput(t *testing.T) {
	lower := strings.ToLower(lud01LNURL)
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", lnurl.ErrNotLNURL},
		{"spaces", "    ", lnurl.ErrNotLNURL},
		{"mixed case", "LNURL1" + lower[6:], lnurl.ErrChecksum},
		{"one lower character", lud01LNURL[:20] + "q" + lud01LNURL[21:], lnurl.ErrChecksum},
		{"changed character", flip(lower, 30), lnurl.ErrChecksum},
		{"changed checksum", flip(lower, -1), lnurl.ErrChecksum},
		{"truncated", lower[:len(lower)-1], lnurl.ErrChecksum},
		{"bech32m checksum", bech32Of(t, "lnurl", []byte(lud01URL), true), lnurl.ErrChecksum},
		{"other hrp", bech32Of(t, "lnurlx", []byte(lud01URL), false), lnurl.ErrNotLNURL},
		{"hrp with a 1", bech32Of(t, "lnurl1x", []byte(lud01URL), false), lnurl.ErrNotLNURL},
		{"non-bech32 character", "lnurl1bio" + lower[9:], lnurl.ErrNotLNURL},
		{"no data", "lnurl1", lnurl.ErrNotLNURL},
		{"lightning prefix twice", "lightning:lightning:" + lower, lnurl.ErrNotLNURL},
		{"lightning prefix on https", "lightning:" + lud01URL, lnurl.ErrNotLNURL},
		{"lightning prefix on address", "lightning:alice@blink.sv", lnurl.ErrNotLNURL},
		{"lightning double slash", "lightning://" + lower, lnurl.ErrNotLNURL},
		{"NUL", lower + "\x00", lnurl.ErrNotLNURL},
		{"inner space", lower[:20] + " " + lower[20:], lnurl.ErrNotLNURL},
		{"tab", "\t" + lower, lnurl.ErrNotLNURL},
		{"trailing newline", lower + "\n", lnurl.ErrNotLNURL},
		{"zero-width space", "\u200b" + lower, lnurl.ErrNotLNURL},
		{"byte-order mark", "\ufeff" + lud01URL, lnurl.ErrNotLNURL},
		{"zero-width in host", "https://serv\u200bice.com/", lnurl.ErrNotLNURL},
		{"cyrillic s in host", "https://\u0455ervice.com/", lnurl.ErrNotLNURL},
		{"fullwidth dot", "https://service\uff0ecom/", lnurl.ErrNotLNURL},
		{"space in path", "https://service.com/a b", lnurl.ErrNotLNURL},
		{"too long", "https://service.com/" + strings.Repeat("a", 4096), lnurl.ErrNotLNURL},
		{"plain http", "http://service.com/api", lnurl.ErrInsecureURL},
		{"plain http upper", "HTTP://SERVICE.COM/api", lnurl.ErrInsecureURL},
		{"plain http localhost without option", "http://localhost:4455/x", lnurl.ErrInsecureURL},
		{"http onion", "http://" + strings.Repeat("a", 56) + ".onion/x", lnurl.ErrInsecureURL},
		{"bech32 of http", bech32Of(t, "lnurl", []byte("http://service.com/api"), false), lnurl.ErrInsecureURL},
		{"bech32 of lnurlp", bech32Of(t, "lnurl", []byte("lnurlp://service.com/api"), false), lnurl.ErrNotLNURL},
		{"bech32 of javascript", bech32Of(t, "lnurl", []byte("javascript:alert(1)"), false), lnurl.ErrNotLNURL},
		{"bech32 of nested lnurl", bech32Of(t, "lnurl", []byte(lower), false), lnurl.ErrNotLNURL},
		{"bech32 with newline", bech32Of(t, "lnurl", []byte("https://service.com/\nx"), false), lnurl.ErrNotLNURL},
		{"bech32 with NUL", bech32Of(t, "lnurl", []byte("https://service.com\x00.evil.com/"), false), lnurl.ErrNotLNURL},
		{"bech32 with non-ASCII", bech32Of(t, "lnurl", []byte("https://serv\u200bice.com/"), false), lnurl.ErrNotLNURL},
		{"bech32 of empty", bech32Of(t, "lnurl", nil, false), lnurl.ErrNotLNURL},
		{"https IPv4 literal", "https://127.0.0.1/api", lnurl.ErrNotLNURL},
		{"https IPv6 literal", "https://[::1]/api", lnurl.ErrNotLNURL},
		{"https public IP", "https://8.8.8.8/api", lnurl.ErrNotLNURL},
		{"user info", "https://user:pw@service.com/api", lnurl.ErrNotLNURL},
		{"user info hiding the host", "https://service.com@evil.com/api", lnurl.ErrNotLNURL},
		{"empty user info", "https://@service.com/api", lnurl.ErrNotLNURL},
		{"percent escape in host", "https://servic%65.com/api", lnurl.ErrNotLNURL},
		{"percent-encoded at in host", "https://service.com%40evil.com/", lnurl.ErrNotLNURL},
		{"backslash", "https://evil.com\\@service.com/", lnurl.ErrNotLNURL},
		{"backslash in path", "https://service.com/a\\b", lnurl.ErrNotLNURL},
		{"no host", "https:///api", lnurl.ErrNotLNURL},
		{"scheme only", "https://", lnurl.ErrNotLNURL},
		{"host without dot", "https://intranet/api", lnurl.ErrNotLNURL},
		{"trailing dot host", "https://service.com./api", lnurl.ErrNotLNURL},
		{"underscore host", "https://ser_vice.com/api", lnurl.ErrNotLNURL},
		{"empty port", "https://service.com:/api", lnurl.ErrNotLNURL},
		{"port zero", "https://service.com:0/api", lnurl.ErrNotLNURL},
		{"port too big", "https://service.com:65536/api", lnurl.ErrNotLNURL},
		{"non-numeric port", "https://service.com:https/api", lnurl.ErrNotLNURL},
		{"ftp", "ftp://service.com/api", lnurl.ErrNotLNURL},
		{"no scheme", "service.com/api", lnurl.ErrNotLNURL},
		{"single slash", "https:/service.com/api", lnurl.ErrNotLNURL},
		{"lnurlw is not lnurlp", "lnurlw://service.com/withdraw", lnurl.ErrNotLNURL},
		{"lightning address", "alice@blink.sv", lnurl.ErrNotLNURL},
		{"BOLT11 invoice", "lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq", lnurl.ErrNotLNURL},
		{"lnurlp with user info", "lnurlp://u@service.com/x", lnurl.ErrNotLNURL},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := lnurl.Decode(tt.in)
			assertOneSentinel(t, err, tt.want)
			assert.Nil(t, u)
			assertEchoAtMost40(t, err, tt.in)
		})
	}
}

// A bech32 LNURL-withdraw carries a secret k1: neither the string past its
// first 40 bytes nor the decoded URL may appear in an error.
func TestDecode_ErrorsDoNotLeakTheDecodedURL(t *testing.T) {
	secret := "k1=6d7f6a1e0c0b5d8e8f7a0b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3"
	in := bech32Of(t, "lnurl", []byte("http://withdraw.example.com/w?tag=withdrawRequest&"+secret), false)
	_, err := lnurl.Decode(in)
	require.ErrorIs(t, err, lnurl.ErrInsecureURL)
	assert.NotContains(t, err.Error(), "withdraw.example.com")
	assert.NotContains(t, err.Error(), "6d7f6a1e")
	assertEchoAtMost40(t, err, in)

	_, err = lnurl.Decode("http://withdraw.example.com/w?tag=withdrawRequest&" + secret)
	require.ErrorIs(t, err, lnurl.ErrInsecureURL)
	assert.NotContains(t, err.Error(), "6d7f6a1e")
}
