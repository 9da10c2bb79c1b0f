package lnurl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/lnurl"
)

// sentinels are every error the package returns; each failure wraps exactly
// one of them.
var sentinels = []error{
	lnurl.ErrNotAddress, lnurl.ErrBadUser, lnurl.ErrBadDomain,
	lnurl.ErrNotLNURL, lnurl.ErrChecksum, lnurl.ErrInsecureURL,
}

// assertOneSentinel checks that err wraps want and no other sentinel.
func assertOneSentinel(t *testing.T, err, want error) {
	t.Helper()
	require.Error(t, err)
	for _, s := range sentinels {
		assert.Equal(t, s == want, errors.Is(err, s), "errors.Is(%v, %v)", err, s)
	}
}

// assertEchoAtMost40 checks that an error message quotes no more than the
// first 40 bytes of the input: neither the first 41 bytes nor any 6-byte
// piece of the input that occurs only past byte 40 appear in the message.
func assertEchoAtMost40(t *testing.T, err error, input string) {
	t.Helper()
	msg := err.Error()
	if len(input) <= 40 {
		return
	}
	assert.NotContains(t, msg, input[:41], "error quotes more than 40 bytes")
	const window = 6
	for i := 40; i+window <= len(input); i++ {
		piece := input[i : i+window]
		if strings.Contains(input[:40], piece) {
			continue
		}
		if strings.Contains(msg, piece) {
			t.Errorf("error %q quotes %q, from past the first 40 bytes", msg, piece)
			return
		}
	}
}

func TestParseAddress_AcceptsAndNormalises(t *testing.T) {
	tests := []struct {
		name, in     string
		user, domain string
	}{
		{"plain", "alice@blink.sv", "alice", "blink.sv"},
		{"usd modifier", "alice+usd@blink.sv", "alice+usd", "blink.sv"},
		{"upper case normalised", "Alice@Blink.SV", "alice", "blink.sv"},
		{"all upper", "ALICE+USD@BLINK.SV", "alice+usd", "blink.sv"},
		{"surrounding spaces trimmed", "  alice@blink.sv   ", "alice", "blink.sv"},
		{"every allowed user character", "a-z_0.9+x@blink.sv", "a-z_0.9+x", "blink.sv"},
		{"digits", "1234@pay.example.com", "1234", "pay.example.com"},
		{"single character user", "a@b.co", "a", "b.co"},
		{"hyphen inside label", "bob@my-wallet.example", "bob", "my-wallet.example"},
		{"punycode domain", "bob@xn--bcher-kva.example", "bob", "xn--bcher-kva.example"},
		{"digit-leading label", "bob@1password.com", "bob", "1password.com"},
		{"63-byte label", "bob@" + strings.Repeat("a", 63) + ".com", "bob", strings.Repeat("a", 63) + ".com"},
		{"64-byte user", strings.Repeat("u", 64) + "@blink.sv", strings.Repeat("u", 64), "blink.sv"},
		{"253-byte domain", "bob@" + longDomain(253), "bob", longDomain(253)},
		{"dots in user", ".a..b.@blink.sv", ".a..b.", "blink.sv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := lnurl.ParseAddress(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.user, a.User)
			assert.Equal(t, tt.domain, a.Domain)
			assert.Equal(t, tt.user+"@"+tt.domain, a.String())
			again, err := lnurl.ParseAddress(a.String())
			require.NoError(t, err, "String() must parse again")
			assert.Equal(t, a, again)
		})
	}
}

// longDomain returns a valid domain of exactly n bytes (n >= 54): labels
// of 49 "a" and a last label of "c" that makes up the length.
func longDomain(n int) string {
	s := ""
	for len(s)+50+4 <= n {
		s += strings.Repeat("a", 49) + "."
	}
	return s + strings.Repeat("c", n-len(s))
}

func TestLongDomainHelper(t *testing.T) {
	for _, n := range []int{54, 100, 253, 254} {
		d := longDomain(n)
		assert.Len(t, d, n)
		assert.Contains(t, d, ".")
	}
}

func TestParseAddress_RefusesHostileInput(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", lnurl.ErrNotAddress},
		{"only spaces", "   ", lnurl.ErrNotAddress},
		{"no at", "alice.blink.sv", lnurl.ErrNotAddress},
		{"two at", "alice@bob@blink.sv", lnurl.ErrNotAddress},
		{"at at", "alice@@blink.sv", lnurl.ErrNotAddress},
		{"NUL in user", "ali\x00ce@blink.sv", lnurl.ErrNotAddress},
		{"NUL at end", "alice@blink.sv\x00", lnurl.ErrNotAddress},
		{"inner space", "ali ce@blink.sv", lnurl.ErrNotAddress},
		{"space before at", "alice @blink.sv", lnurl.ErrNotAddress},
		{"tab", "alice\t@blink.sv", lnurl.ErrNotAddress},
		{"leading tab not trimmed", "\talice@blink.sv", lnurl.ErrNotAddress},
		{"trailing newline not trimmed", "alice@blink.sv\n", lnurl.ErrNotAddress},
		{"carriage return", "alice@blink.sv\r", lnurl.ErrNotAddress},
		{"newline inside", "alice@blink\n.sv", lnurl.ErrNotAddress},
		{"DEL", "alice\x7f@blink.sv", lnurl.ErrNotAddress},
		{"escape char", "\x1b[31malice@blink.sv", lnurl.ErrNotAddress},
		{"zero-width space", "ali\u200bce@blink.sv", lnurl.ErrNotAddress},
		{"zero-width space in domain", "alice@blink\u200b.sv", lnurl.ErrNotAddress},
		{"byte-order mark", "\ufeffalice@blink.sv", lnurl.ErrNotAddress},
		{"non-breaking space trim", "\u00a0alice@blink.sv", lnurl.ErrNotAddress},
		{"fullwidth at", "alice\uff20blink.sv", lnurl.ErrNotAddress},
		{"cyrillic a", "\u0430lice@blink.sv", lnurl.ErrNotAddress},
		{"right-to-left override", "alice@\u202evs.knilb", lnurl.ErrNotAddress},
		{"invalid UTF-8", "alice\xff@blink.sv", lnurl.ErrNotAddress},
		{"too long overall", strings.Repeat("a", 64) + "@" + longDomain(254), lnurl.ErrNotAddress},
		{"percent-encoded at", "alice%40blink.sv", lnurl.ErrNotAddress},
		{"empty user", "@blink.sv", lnurl.ErrBadUser},
		{"percent escape in user", "al%69ce@blink.sv", lnurl.ErrBadUser},
		{"slash in user", "../alice@blink.sv", lnurl.ErrBadUser},
		{"question mark in user", "alice?x@blink.sv", lnurl.ErrBadUser},
		{"hash in user", "alice#x@blink.sv", lnurl.ErrBadUser},
		{"quote in user", "\"alice\"@blink.sv", lnurl.ErrBadUser},
		{"colon in user", "alice:pw@blink.sv", lnurl.ErrBadUser},
		{"user too long", strings.Repeat("u", 65) + "@blink.sv", lnurl.ErrBadUser},
		{"empty domain", "alice@", lnurl.ErrBadDomain},
		{"domain without dot", "alice@localhost", lnurl.ErrBadDomain},
		{"trailing dot", "alice@blink.sv.", lnurl.ErrBadDomain},
		{"leading dot", "alice@.blink.sv", lnurl.ErrBadDomain},
		{"double dot", "alice@blink..sv", lnurl.ErrBadDomain},
		{"label too long", "alice@" + strings.Repeat("a", 64) + ".com", lnurl.ErrBadDomain},
		{"domain too long", "a@" + longDomain(254), lnurl.ErrBadDomain},
		{"underscore in domain", "alice@blink_wallet.sv", lnurl.ErrBadDomain},
		{"leading hyphen label", "alice@-blink.sv", lnurl.ErrBadDomain},
		{"trailing hyphen label", "alice@blink-.sv", lnurl.ErrBadDomain},
		{"IPv4 literal", "alice@127.0.0.1", lnurl.ErrBadDomain},
		{"IPv4 public literal", "alice@8.8.8.8", lnurl.ErrBadDomain},
		{"short IPv4 form", "alice@127.1", lnurl.ErrBadDomain},
		{"IPv6 literal", "alice@[::1]", lnurl.ErrBadDomain},
		{"bracketed IPv4", "alice@[127.0.0.1]", lnurl.ErrBadDomain},
		{"path after domain", "a@b.c/x", lnurl.ErrBadDomain},
		{"query after domain", "a@b.c?x", lnurl.ErrBadDomain},
		{"fragment after domain", "a@b.c#x", lnurl.ErrBadDomain},
		{"port", "alice@blink.sv:443", lnurl.ErrBadDomain},
		{"percent escape in domain", "alice@blink%2esv", lnurl.ErrBadDomain},
		{"backslash in domain", "alice@blink.sv\\evil.com", lnurl.ErrBadDomain},
		{"URL instead of address", "https://blink.sv/alice", lnurl.ErrNotAddress},
		{"mailto prefix", "mailto:alice@blink.sv", lnurl.ErrBadUser},
		{"lightning prefix", "lightning:alice@blink.sv", lnurl.ErrBadUser},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := lnurl.ParseAddress(tt.in)
			assertOneSentinel(t, err, tt.want)
			assert.Equal(t, lnurl.Address{}, a)
			assertEchoAtMost40(t, err, tt.in)
		})
	}
}

func TestParseAddress_ErrorQuotesAtMost40Bytes(t *testing.T) {
	in := strings.Repeat("a", 40) + "SECRETSECRET" + "@bad_domain.com"
	_, err := lnurl.ParseAddress(in)
	require.ErrorIs(t, err, lnurl.ErrBadDomain)
	assert.Contains(t, err.Error(), `"`+strings.Repeat("a", 40)+`"...`)
	assert.NotContains(t, strings.ToLower(err.Error()), "secret")
	assert.NotContains(t, err.Error(), "bad_domain")
}

func TestAddress_WellKnownURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alice@blink.sv", "https://blink.sv/.well-known/lnurlp/alice"},
		{"Alice+USD@Blink.sv", "https://blink.sv/.well-known/lnurlp/alice+usd"},
		{"a.b-c_d@pay.example.com", "https://pay.example.com/.well-known/lnurlp/a.b-c_d"},
	}
	for _, tt := range tests {
		a, err := lnurl.ParseAddress(tt.in)
		require.NoError(t, err)
		u := a.WellKnownURL()
		assert.Equal(t, tt.want, u.String())
		// The URL must be one Decode accepts as it is.
		got, err := lnurl.Decode(u.String())
		require.NoError(t, err)
		assert.Equal(t, tt.want, got.String())
	}
}

func TestAddress_SplitUserAndUSDModifier(t *testing.T) {
	tests := []struct {
		in             string
		base, modifier string
		usd            bool
	}{
		{"alice@blink.sv", "alice", "", false},
		{"alice+usd@blink.sv", "alice", "usd", true},
		{"ALICE+USD@blink.sv", "alice", "usd", true},
		{"alice+btc@blink.sv", "alice", "btc", false},
		{"alice+usdx@blink.sv", "alice", "usdx", false},
		{"alice+@blink.sv", "alice", "", false},
		{"alice+usd+x@blink.sv", "alice", "usd+x", false},
		{"+usd@blink.sv", "", "usd", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, err := lnurl.ParseAddress(tt.in)
			require.NoError(t, err)
			base, modifier := a.SplitUser()
			assert.Equal(t, tt.base, base)
			assert.Equal(t, tt.modifier, modifier)
			assert.Equal(t, tt.usd, a.HasUSDModifier())
		})
	}
}
