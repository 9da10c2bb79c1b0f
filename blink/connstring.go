package blink

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"github.com/blink-sdk/blink-go/internal/redact"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
)

// ConnectionString is a BTCPay Server style connection string for Blink:
//
//	type=blink;server=https://api.blink.sv/graphql;api-key=blink_...;wallet-id=<uuid>
//
// with the optional keys currency (BTC or USD) and allowinsecure (true or
// false).
//
// The API key is not a field: it sits behind an unexported pointer, read with
// APIKey and set with SetAPIKey (or by ParseConnectionString). That keeps it
// out of every printer: fmt (%v, %+v, %#v, %s, %q), log/slog, encoding/json,
// encoding/xml and anything using encoding.TextMarshaler show the redacted
// form, and fmt printing a struct that holds a ConnectionString, even in an
// unexported field, reaches only the pointer's address. String gives the full
// string, key included, for storing it.
//
// Copies of a ConnectionString share the key until one of them calls
// SetAPIKey. Compare connection strings by their String, not with ==, which
// compares where the keys are held.
type ConnectionString struct {
	// Server is the GraphQL endpoint; empty means production (api.blink.sv).
	Server string
	// WalletID is the wallet the integration receives into and pays from;
	// may be empty.
	WalletID string
	// Currency is the wallet's currency, when given.
	Currency WalletCurrency
	// AllowInsecure allows a plain http:// server that is not loopback.
	AllowInsecure bool

	key *keyText // nil: no key. See keyText.
}

// keyText is an API key held behind a pointer by a ConnectionString. fmt
// prints an unexported field by reflection, without calling its methods; a
// pointer to a struct (such as *apiKey) it then prints as &{...}, contents
// included, for the verbs pointers have no meaning for (%s, %q). A pointer
// to a string it prints as an address for every verb.
type keyText string

// APIKey returns the connection string's API key, or "" when it has none.
// Keep it as secret as the key: it is the one way to read it besides String.
func (cs ConnectionString) APIKey() string {
	if cs.key == nil {
		return ""
	}
	return string(*cs.key)
}

// SetAPIKey sets the API key, after checking its form (a known environment
// prefix and 64 letters and digits). A malformed key is refused with an
// error matching ErrConfig that does not contain the key, and the connection
// string keeps the key it had. Copies of cs made before the call keep the
// old key.
func (cs *ConnectionString) SetAPIKey(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if redact.Contains(cs.Server, key) {
		return configError("the connection string's Server carries the API key: it goes in the key alone")
	}
	kt := keyText(key)
	cs.key = &kt
	return nil
}

// connKeys are the keys a connection string may hold, in String's order.
var connKeys = [...]string{"type", "server", "api-key", "wallet-id", "currency", "allowinsecure"}

// ParseConnectionString parses a connection string. Keys are
// case-insensitive; an unknown key, a missing or foreign type, a repeated
// key, a missing api-key and a malformed value are errors matching
// ErrInvalidInput. The messages name the part by its number (the first part
// before a ";" is part 1) and known keys by name; they never quote the
// input, so an API key never appears in them, not even when a missing or
// wrong separator glued it to its neighbour.
func ParseConnectionString(s string) (*ConnectionString, error) {
	const op = "ParseConnectionString"
	seen := make(map[string]bool, len(connKeys))
	cs := &ConnectionString{}
	for i, part := range strings.Split(s, ";") {
		n := i + 1
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, invalidInput(op, "connection string part %d is not key=value (parts are separated by ;)", n)
		}
		known := false
		for _, ck := range connKeys {
			if k == ck {
				known = true
			}
		}
		if !known {
			// Never quote k: with a missing separator it is the tail of
			// the previous value, the API key perhaps.
			return nil, invalidInput(op, "connection string part %d has an unknown key (the keys are type, server, api-key, wallet-id, currency and allowinsecure, separated by ;)", n)
		}
		if seen[k] {
			return nil, invalidInput(op, "connection string part %d repeats key %s", n, k)
		}
		seen[k] = true
		switch k {
		case "type":
			if !strings.EqualFold(v, "blink") {
				return nil, invalidInput(op, "connection string part %d: type must be blink", n)
			}
		case "server":
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || !validHost(u) {
				return nil, invalidInput(op, "connection string part %d: server must be an http(s) URL with a host name or IP address and without credentials", n)
			}
			if redact.LooksLikeKey(v) {
				return nil, invalidInput(op, "connection string part %d: server must not carry an API key (it goes in api-key)", n)
			}
			cs.Server = v
		case "api-key":
			if err := checkKey(v); err != nil {
				return nil, invalidInput(op, "connection string part %d: api-key is malformed (a known prefix, then 64 letters and digits)", n)
			}
			kt := keyText(v)
			cs.key = &kt
		case "wallet-id":
			if !isUUID(v) {
				return nil, invalidInput(op, "connection string part %d: wallet-id must be a UUID", n)
			}
			cs.WalletID = v
		case "currency":
			c := WalletCurrency(strings.ToUpper(v))
			if c != BTC && c != USD {
				return nil, invalidInput(op, "connection string part %d: currency must be BTC or USD", n)
			}
			cs.Currency = c
		case "allowinsecure":
			switch strings.ToLower(v) {
			case "true":
				cs.AllowInsecure = true
			case "false":
			default:
				return nil, invalidInput(op, "connection string part %d: allowinsecure must be true or false", n)
			}
		}
	}
	if !seen["type"] {
		return nil, invalidInput(op, "connection string has no type=blink")
	}
	if cs.key == nil {
		return nil, invalidInput(op, "connection string has no api-key")
	}
	return cs, nil
}

// validHost reports whether u's host is an IP literal or a name of letters,
// digits, '-', '_' and '.': url.Parse lets through hosts such as
// "x,api-key=blink_..." that a mistyped separator produces.
func validHost(u *url.URL) bool {
	h := u.Hostname()
	if h == "" {
		return false
	}
	if strings.HasPrefix(u.Host, "[") {
		a, err := netip.ParseAddr(h)
		return err == nil && a.Is6() && a.Zone() == ""
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// String returns the connection string in canonical form, API key
// included: ParseConnectionString(cs.String()) gives cs back. Keep the
// result as secret as the key.
func (cs ConnectionString) String() string { return cs.build(cs.APIKey()) }

func (cs ConnectionString) build(key string) string {
	var b strings.Builder
	b.WriteString("type=blink")
	if cs.Server != "" {
		b.WriteString(";server=" + cs.Server)
	}
	b.WriteString(";api-key=" + key)
	if cs.WalletID != "" {
		b.WriteString(";wallet-id=" + cs.WalletID)
	}
	if cs.Currency != "" {
		b.WriteString(";currency=" + string(cs.Currency))
	}
	if cs.AllowInsecure {
		b.WriteString(";allowinsecure=true")
	}
	return b.String()
}

// Redacted returns the connection string with the API key redacted: its
// prefix and last 4 characters ("blink_…x9Zq"), or "(none)".
//
// A server URL that carries a piece of the key (in its path or query)
// is scrubbed of it too.
func (cs ConnectionString) Redacted() string {
	r := cs
	r.Server = redact.Secret(cs.Server, cs.APIKey())
	return r.build(redactKey(cs.APIKey()))
}

// Format prints the connection string with the API key redacted, for every
// verb: fmt.Print(cs) and fmt.Printf("%+v", cs) never show the key.
func (cs ConnectionString) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", cs.Redacted())
		return
	}
	f.Write([]byte(cs.Redacted()))
}

// GoString returns the redacted form, for %#v.
func (cs ConnectionString) GoString() string { return cs.Redacted() }

// LogValue returns the redacted form, for log/slog.
func (cs ConnectionString) LogValue() slog.Value { return slog.StringValue(cs.Redacted()) }

// MarshalJSON writes the redacted form as a JSON string, so that JSON
// loggers never write the key. Use String to store the connection string.
func (cs ConnectionString) MarshalJSON() ([]byte, error) { return json.Marshal(cs.Redacted()) }

// MarshalXML writes the redacted form as the element's character data, so
// that encoding/xml never writes the key. Use String to store the connection
// string.
func (cs ConnectionString) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(cs.Redacted(), start)
}

// MarshalText returns the redacted form, for the encoders that use
// encoding.TextMarshaler (XML attributes, YAML and TOML libraries, map keys).
// Use String to store the connection string.
func (cs ConnectionString) MarshalText() ([]byte, error) { return []byte(cs.Redacted()), nil }

// NewFromConnectionString returns a client for a BTCPay-style connection
// string. Options given here are applied after those the string implies.
func NewFromConnectionString(s string, opts ...Option) (*Client, *ConnectionString, error) {
	cs, err := ParseConnectionString(s)
	if err != nil {
		return nil, nil, err
	}
	c, err := cs.NewClient(opts...)
	if err != nil {
		return nil, nil, err
	}
	return c, cs, nil
}

// NewClient returns a client for the connection string's server and key
// (without a key, a client for the public operations only). It fails as New
// does.
func (cs *ConnectionString) NewClient(opts ...Option) (*Client, error) {
	var base []Option
	if cs.Server != "" {
		base = append(base, WithEndpoint(cs.Server))
	}
	if cs.AllowInsecure {
		base = append(base, WithAllowInsecureHTTP())
	}
	return New(cs.APIKey(), append(base, opts...)...)
}
