package redact

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// key is built at run time, so that nothing resembling a real key is
// committed; its 64 characters do not repeat.
var key = "blink_" + "Q7fLx2RmZp9KcV4t" + "Wn8YbH3sJd6GaE1u" + "Ty5XoNi0Mk7PvCr2" + "BhLq9FzSe4Dw" + "aAbB"

func TestSecret_ReplacesWholeKey(t *testing.T) {
	got := Secret("bad key "+key+" sent", key)
	if want := "bad key " + Marker + " sent"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSecret_ReplacesAnyRunOfEightOrMore(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"eight":            {"x" + key[10:18] + "y", "x" + Marker + "y"},
		"seven stays":      {"x" + key[10:17] + "y", "x" + key[10:17] + "y"},
		"longest wins":     {"a" + key[3:40] + "b", "a" + Marker + "b"},
		"two apart":        {key[0:9] + " and " + key[30:42], Marker + " and " + Marker},
		"adjacent merge":   {key[20:30] + key[0:10], Marker},
		"overlap merge":    {key[5:20] + key[12:30], Marker},
		"at the very ends": {key[50:], Marker},
		"case-sensitive":   {strings.ToUpper(key[6:30]), strings.ToUpper(key[6:30])},
		"truncated echo":   {`unknown key "` + key[:24] + `"`, `unknown key "` + Marker + `"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Secret(tc.in, key); got != tc.want {
				t.Fatalf("Secret(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSecret_ShortOrEmptySecretChangesNothing(t *testing.T) {
	for _, secret := range []string{"", "a", "1234567"} {
		s := "text with 1234567 and a in it"
		if got := Secret(s, secret); got != s {
			t.Fatalf("secret %q: got %q", secret, got)
		}
		if Contains(s, secret) {
			t.Fatalf("secret %q: Contains is true", secret)
		}
	}
}

func TestSecret_KeepsUTF8Whole(t *testing.T) {
	secret := "päßwörd-é-geheim"
	// "ßwörd-é" starts inside no sequence; cut the window so that it would.
	s := "→" + secret[2:12] + "←"
	got := Secret(s, secret)
	if !utf8.ValidString(got) {
		t.Fatalf("result is not valid UTF-8: %q", got)
	}
	if Contains(strings.ReplaceAll(got, Marker, "\x00"), secret) {
		t.Fatalf("a run survived: %q", got)
	}
}

func TestContains(t *testing.T) {
	if !Contains("prefix "+key[33:41]+" suffix", key) {
		t.Fatal("an 8-byte run was not found")
	}
	if Contains("prefix "+key[33:40]+" suffix", key) {
		t.Fatal("a 7-byte run was found")
	}
	if Contains("short", key) {
		t.Fatal("a text shorter than 8 bytes cannot hold a run")
	}
}

func TestSecret_AllocatesNothingWithoutMatch(t *testing.T) {
	s := strings.Repeat("the server said no; ", 800) // 16 KB
	if n := testing.AllocsPerRun(20, func() { _ = Secret(s, key) }); n != 0 {
		t.Fatalf("%v allocations for a text without the key", n)
	}
	if n := testing.AllocsPerRun(20, func() { _ = Contains(s, key) }); n != 0 {
		t.Fatalf("Contains: %v allocations", n)
	}
}

func BenchmarkSecret_16KiBNoMatch(b *testing.B) {
	s := strings.Repeat("x", 16<<10)
	for b.Loop() {
		_ = Secret(s, key)
	}
}

func BenchmarkSecret_16KiBWithMatches(b *testing.B) {
	s := strings.Repeat("error "+key[:20]+" ", (16<<10)/27)
	for b.Loop() {
		_ = Secret(s, key)
	}
}

// FuzzSecret checks the promise: outside the Markers, no window of MinRun
// bytes of the secret survives, and a text that holds none comes back
// unchanged.
func FuzzSecret(f *testing.F) {
	f.Add("bad key "+key+" sent", key)
	f.Add(key[20:30]+key[0:10]+"tail", key)
	f.Add("→"+"päßwörd-é"+"←", "päßwörd-é-geheim")
	f.Add("[REDACTED]abcdefgh", "D]abcdefgh")
	f.Add("aaaaaaaaaaaaaaaa", "aaaaaaaa")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, s, secret string) {
		out := Secret(s, secret)
		if !Contains(s, secret) {
			if out != s {
				t.Fatalf("no run in %q, yet it changed to %q", s, out)
			}
			return
		}
		for _, piece := range strings.Split(out, Marker) {
			if Contains(piece, secret) {
				t.Fatalf("Secret(%q, %q) = %q: piece %q holds a run of the secret", s, secret, out, piece)
			}
		}
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 %q became invalid %q", s, out)
		}
		if len(out) > len(s)+len(Marker)*(len(s)/(MinRun+1)+1) {
			t.Fatalf("result too long: %d bytes from %d", len(out), len(s))
		}
	})
}

func TestLooksLikeKey_APrefixFollowedByEightLettersOrDigits(t *testing.T) {
	for s, want := range map[string]bool{
		"blink_" + strings.Repeat("a1", 32):    true,
		"x galoy_staging_ABCDEFGH y":           true,
		"galoy_dev_12345678":                   true,
		"https://blink_proxy.internal/graphql": false,
		"blink_1234567":                        false,
		"no prefix ABCDEFGHIJKL":               false,
	} {
		if got := LooksLikeKey(s); got != want {
			t.Errorf("LooksLikeKey(%q) = %v, want %v", s, got, want)
		}
	}
}
