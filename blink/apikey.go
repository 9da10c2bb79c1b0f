package blink

import (
	"fmt"
	"log/slog"
	"strings"
)

// keyPrefixes are the API key prefixes of the known environments.
var keyPrefixes = [...]string{"blink_", "galoy_staging_", "galoy_dev_"}

const keySecretLen = 64

// apiKey holds an API key. The Client keeps it behind a pointer, so that even
// printing a Client value field by field shows an address, not the key.
// Every way of printing an apiKey shows the redacted form; only header()
// gives the key itself, for the X-API-KEY header.
//
// It is a string type, not a struct: fmt prints a pointer to a struct
// that it reaches without calling its methods (an unexported field of a
// Client held by value, printed with a verb the pointer does not take) as
// &{...}, contents included, but a pointer to a string as an address.
type apiKey string

// header returns the key for the X-API-KEY header.
func (k *apiKey) header() string { return string(*k) }

// empty reports whether there is no key.
func (k *apiKey) empty() bool { return k == nil || *k == "" }

// String returns the redacted key: its prefix and last 4 characters.
func (k *apiKey) String() string { return redactKey(string(*k)) }

// GoString returns the redacted key, for %#v.
func (k *apiKey) GoString() string { return `"` + redactKey(string(*k)) + `"` }

// Format prints the redacted key for every verb.
func (k *apiKey) Format(f fmt.State, _ rune) { f.Write([]byte(redactKey(string(*k)))) }

// LogValue returns the redacted key, for log/slog.
func (k *apiKey) LogValue() slog.Value { return slog.StringValue(redactKey(string(*k))) }

// MarshalText returns the redacted key, so that encoding/json never writes it.
func (k *apiKey) MarshalText() ([]byte, error) { return []byte(redactKey(string(*k))), nil }

// RedactKey returns the form of an API key that is safe to print: its
// environment prefix and its last 4 characters ("blink_…x9Zq"). An empty key
// gives "(none)".
func RedactKey(key string) string { return redactKey(key) }

func redactKey(k string) string {
	if k == "" {
		return "(none)"
	}
	prefix := ""
	for _, p := range keyPrefixes {
		if strings.HasPrefix(k, p) {
			prefix = p
			break
		}
	}
	rest := k[len(prefix):]
	if len(rest) < 12 {
		// Too short to show any of it without giving much away.
		return prefix + "…"
	}
	return prefix + "…" + rest[len(rest)-4:]
}

// keyPrefix returns the known prefix of k, or "".
func keyPrefix(k string) string {
	for _, p := range keyPrefixes {
		if strings.HasPrefix(k, p) {
			return p
		}
	}
	return ""
}

// checkKey validates an API key's form: a known prefix and 64 letters and
// digits. The error never contains the key.
func checkKey(k string) error {
	p := keyPrefix(k)
	if p == "" {
		return configError("API key %s is malformed: it must start with blink_, galoy_staging_ or galoy_dev_", redactKey(k))
	}
	rest := k[len(p):]
	if len(rest) != keySecretLen {
		return configError("API key %s is malformed: after the prefix it must have %d letters and digits, it has %d characters", redactKey(k), keySecretLen, len(rest))
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return configError("API key %s is malformed: it may contain only letters and digits after the prefix", redactKey(k))
		}
	}
	return nil
}
