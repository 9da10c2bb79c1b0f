package lnurl_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/blink-sdk/blink-go/internal/lnurl"
)

// errorCount returns how many of the package's sentinels err wraps.
func errorCount(err error) int {
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	return n
}

// checkEcho fails when err's message is longer than the fixed text plus a
// quoted 40-byte prefix can make it, which is what an echo of more input
// would do (%q spends at most 10 bytes on one input byte).
func checkEcho(t *testing.T, err error) {
	t.Helper()
	if n := len(err.Error()); n > 40*10+200 {
		t.Fatalf("error message of %d bytes: %q", n, err.Error())
	}
}

// FuzzParseAddress checks that ParseAddress never panics, that every error
// wraps exactly one sentinel and echoes little, and that every address it
// returns is lower case, made of the allowed characters only, and parses
// again to itself from its String form.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"alice@blink.sv", "Alice+USD@Blink.SV", " a@b.co ", "a@b", "a@@b.c", "a@b.c.",
		"a@127.0.0.1", "a\u200b@b.c", "a\x00@b.c", "a%40b.c", "a@b.c/x", "@", "",
		"a@" + strings.Repeat("b", 63) + ".c", "a@xn--bcher-kva.ch",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := lnurl.ParseAddress(s)
		if err != nil {
			if n := errorCount(err); n != 1 {
				t.Fatalf("error wraps %d sentinels: %v", n, err)
			}
			checkEcho(t, err)
			if a != (lnurl.Address{}) {
				t.Fatalf("non-zero address %+v with error", a)
			}
			return
		}
		str := a.String()
		if strings.Trim(strings.ToLower(s), " ") != str {
			t.Fatalf("ParseAddress(%q) = %q, want the trimmed lower-case input", s, str)
		}
		for i := 0; i < len(str); i++ {
			c := str[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.+@", c) >= 0) {
				t.Fatalf("address %q holds byte %q", str, c)
			}
		}
		if strings.Count(str, "@") != 1 || a.User == "" || !strings.Contains(a.Domain, ".") {
			t.Fatalf("malformed address %+v", a)
		}
		again, err := lnurl.ParseAddress(str)
		if err != nil || again != a {
			t.Fatalf("ParseAddress(%q) = %+v, %v; want %+v", str, again, err, a)
		}
		u := a.WellKnownURL()
		if got, err := lnurl.Decode(u.String()); err != nil || got.String() != u.String() {
			t.Fatalf("Decode(%q) = %v, %v", u, got, err)
		}
	})
}

// checkURL fails unless u is a URL Decode may return.
func checkURL(t *testing.T, u *url.URL, loopback bool) {
	t.Helper()
	if u == nil {
		t.Fatal("nil URL without error")
	}
	if u.Scheme != "https" && !(loopback && u.Scheme == "http") {
		t.Fatalf("scheme %q in %q", u.Scheme, u)
	}
	if u.Host == "" || u.User != nil || u.Opaque != "" {
		t.Fatalf("bad URL %q", u)
	}
	if u.Host != strings.ToLower(u.Host) {
		t.Fatalf("host %q not lower case", u.Host)
	}
	s := u.String()
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			t.Fatalf("URL %q holds byte %q", s, c)
		}
	}
}

// FuzzDecode checks that Decode and DecodeWithOptions never panic, that
// every error wraps exactly one sentinel and echoes little, that every URL
// they return is https (or loopback http with the option) with a lower-case
// host and no user info, and that a returned URL encodes and decodes back to
// itself.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		lud01LNURL, strings.ToLower(lud01LNURL), "lightning:" + lud01LNURL, lud01URL,
		"lnurlp://blink.sv/.well-known/lnurlp/alice", "http://localhost:4455/x",
		"https://u@a.com/", "https://a.com:0/", "https://[::1]/", "http://127.0.0.1:1/",
		"https://a%2ecom/", "https://a.com\\@b.com/", "LNURL1" + strings.ToLower(lud01LNURL)[6:],
		"lnurl1qqqqqqqq", "",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, allowLoopback bool) {
		u, err := lnurl.DecodeWithOptions(s, &lnurl.DecodeOptions{AllowLoopbackHTTP: allowLoopback})
		if err != nil {
			if n := errorCount(err); n != 1 {
				t.Fatalf("error wraps %d sentinels: %v", n, err)
			}
			checkEcho(t, err)
			if u != nil {
				t.Fatalf("URL %q with error %v", u, err)
			}
			return
		}
		checkURL(t, u, allowLoopback)
		if !allowLoopback {
			if again, err := lnurl.DecodeWithOptions(s, &lnurl.DecodeOptions{AllowLoopbackHTTP: true}); err != nil || again.String() != u.String() {
				t.Fatalf("the option changed an accepted URL: %v, %v", again, err)
			}
		}
		enc, err := lnurl.Encode(u.String())
		if err != nil {
			t.Fatalf("Encode(%q): %v", u, err)
		}
		back, err := lnurl.DecodeWithOptions(strings.ToUpper(enc), &lnurl.DecodeOptions{AllowLoopbackHTTP: true})
		if err != nil || back.String() != u.String() {
			t.Fatalf("Decode(Encode(%q)) = %v, %v", u, back, err)
		}
	})
}

// FuzzDecodeBech32 fuzzes the content of correctly checksummed bech32
// LNURLs, which random strings almost never are: whatever bytes they carry,
// Decode returns either an error or a URL that meets its promises, and an
// accepted content is returned as url.Parse reads it (with the host in lower
// case).
func FuzzDecodeBech32(f *testing.F) {
	for _, s := range []string{
		lud01URL, "http://service.com/", "https://a.com/\x00", "https://a.com/\u200b",
		"https://u:p@a.com/", "HTTPS://A.COM/X", "javascript:alert(1)", "https://a.com:99999/",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		// Long contents only test the length limit, and minimising them
		// (each run encodes them) stalls the fuzzer: keep them short.
		if len(content) > 512 {
			content = content[:512]
		}
		words, err := bech32.ConvertBits(content, 8, 5, true)
		if err != nil {
			t.Fatal(err)
		}
		s, err := bech32.Encode("lnurl", words)
		if err != nil {
			t.Fatal(err)
		}
		u, err := lnurl.Decode(s)
		if err != nil {
			if n := errorCount(err); n != 1 {
				t.Fatalf("error wraps %d sentinels: %v", n, err)
			}
			if errors.Is(err, lnurl.ErrChecksum) {
				t.Fatalf("a valid checksum refused: %v", err)
			}
			checkEcho(t, err)
			return
		}
		checkURL(t, u, false)
		ref, err := url.Parse(string(content))
		if err != nil {
			t.Fatalf("accepted content %q that url.Parse refuses: %v", content, err)
		}
		ref.Host = strings.ToLower(ref.Host)
		if ref.String() != u.String() {
			t.Fatalf("content %q decoded to %q", content, u)
		}
	})
}
