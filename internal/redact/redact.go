// Package redact removes pieces of a secret from text before it is shown:
// error messages, log lines, server answers echoed back.
//
// A piece is a run of MinRun or more bytes of the text that also occurs,
// byte for byte, somewhere in the secret. Shorter runs are left alone: they
// give too little away to be worth the false positives (every secret shares
// single letters with every text). Matching is case-sensitive.
//
// The functions are meant for error paths, on texts of up to some tens of
// KiB: they take O(len(s)·len(secret)) time, and allocate nothing when the
// text holds no piece of the secret.
package redact

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// MinRun is the length, in bytes, of the shortest run of a secret that is
// redacted. A secret shorter than MinRun is never found.
const MinRun = 8

// Marker replaces each redacted run.
const Marker = "[REDACTED]"

// Contains reports whether s holds a run of MinRun bytes that also occurs in
// secret. It is false for a secret shorter than MinRun.
func Contains(s, secret string) bool {
	if len(secret) < MinRun || len(s) < MinRun {
		return false
	}
	for j := 0; j+MinRun <= len(secret); j++ {
		if strings.Contains(s, secret[j:j+MinRun]) {
			return true
		}
	}
	return false
}

// Secret returns s with every run of MinRun or more bytes that also occurs
// in secret replaced by Marker. Runs that overlap or touch become one
// Marker, so the longest match is always replaced whole; a run that would
// end or start inside a multi-byte UTF-8 sequence is widened to the whole
// sequence, so that the result stays valid UTF-8 where s was. s comes back
// unchanged (and without an allocation) when it holds no such run, and for a
// secret shorter than MinRun.
//
// Every window of MinRun bytes of the result that lies outside the Markers
// is absent from secret.
func Secret(s, secret string) string {
	if !Contains(s, secret) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0            // s[last:] is not yet written
	start, end := -1, -1 // the run being collected, s[start:end]
	for i := 0; i+MinRun <= len(s); i++ {
		if !strings.Contains(secret, s[i:i+MinRun]) {
			continue
		}
		// The window, widened to whole UTF-8 sequences.
		ws, we := i, i+MinRun
		for ws > 0 && !utf8.RuneStart(s[ws]) {
			ws--
		}
		for we < len(s) && !utf8.RuneStart(s[we]) {
			we++
		}
		if start >= 0 && ws <= end {
			end = max(end, we) // overlapping or adjacent: one run
			continue
		}
		if start >= 0 {
			b.WriteString(s[last:start])
			b.WriteString(Marker)
			last = end
		}
		start, end = ws, we
	}
	b.WriteString(s[last:start])
	b.WriteString(Marker)
	b.WriteString(s[end:])
	return b.String()
}

// keyPrefixes are the prefixes of Blink API keys (production, staging, a
// local stack).
var keyPrefixes = [...]string{"blink_", "galoy_staging_", "galoy_dev_"}

// LooksLikeKey reports whether s holds what looks like a Blink API key: a
// key prefix followed by at least MinRun letters or digits. An input that
// does is never echoed in an error (a key passed in the wrong argument
// must not end up in a message); "blink_proxy.internal" does not.
func LooksLikeKey(s string) bool {
	for _, p := range keyPrefixes {
		for rest := s; ; {
			i := strings.Index(rest, p)
			if i < 0 {
				break
			}
			rest = rest[i+len(p):]
			n := 0
			for n < len(rest) && isAlnum(rest[n]) {
				n++
			}
			if n >= MinRun {
				return true
			}
		}
	}
	return false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Quote returns an input for an error message: its first max bytes, quoted
// with %q, followed by "..." when it was longer; nothing of it when it
// looks like an API key (LooksLikeKey).
func Quote(s string, max int) string {
	if LooksLikeKey(s) {
		return "(input withheld: it holds an API key prefix)"
	}
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
