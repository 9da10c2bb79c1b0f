package blink

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// ConnectionString is a BTCPay Server style connection string for Blink:
//
//	type=blink;server=https://api.blink.sv/graphql;api-key=blink_...;wallet-id=<uuid>
//
// with the optional keys currency (BTC or USD) and allowinsecure (true or
// false). Printing it with fmt or log/slog shows the key redacted; String
// gives the full string, key included, for storing it.
type ConnectionString struct {
	// Server is the GraphQL endpoint; empty means production (api.blink.sv).
	Server string
	// APIKey is the Blink API key.
	APIKey string
	// WalletID is the wallet the integration receives into and pays from;
	// may be empty.
	WalletID string
	// Currency is the wallet's currency, when given.
	Currency WalletCurrency
	// AllowInsecure allows a plain http:// server that is not loopback.
	AllowInsecure bool
}

// connKeys are the keys a connection string may hold, in String's order.
var connKeys = [...]string{"type", "server", "api-key", "wallet-id", "currency", "allowinsecure"}

// ParseConnectionString parses a connection string. Keys are
// case-insensitive; an unknown key, a missing or foreign type, a repeated
// key, a missing api-key and a malformed value are errors matching
// ErrInvalidInput. The messages name keys, never values, so the API key
// never appears in them.
func ParseConnectionString(s string) (*ConnectionString, error) {
	const op = "ParseConnectionString"
	seen := make(map[string]bool, len(connKeys))
	cs := &ConnectionString{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, invalidInput(op, "connection string has a part without key=value")
		}
		known := false
		for _, ck := range connKeys {
			if k == ck {
				known = true
			}
		}
		if !known {
			return nil, invalidInput(op, "connection string has unknown key %q", truncate(k, 30))
		}
		if seen[k] {
			return nil, invalidInput(op, "connection string repeats key %q", k)
		}
		seen[k] = true
		switch k {
		case "type":
			if !strings.EqualFold(v, "blink") {
				return nil, invalidInput(op, "connection string type must be blink")
			}
		case "server":
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
				return nil, invalidInput(op, "connection string server must be an http(s) URL without credentials")
			}
			cs.Server = v
		case "api-key":
			if err := checkKey(v); err != nil {
				return nil, invalidInput(op, "connection string api-key is malformed")
			}
			cs.APIKey = v
		case "wallet-id":
			if !isUUID(v) {
				return nil, invalidInput(op, "connection string wallet-id must be a UUID")
			}
			cs.WalletID = v
		case "currency":
			c := WalletCurrency(strings.ToUpper(v))
			if c != BTC && c != USD {
				return nil, invalidInput(op, "connection string currency must be BTC or USD")
			}
			cs.Currency = c
		case "allowinsecure":
			switch strings.ToLower(v) {
			case "true":
				cs.AllowInsecure = true
			case "false":
			default:
				return nil, invalidInput(op, "connection string allowinsecure must be true or false")
			}
		}
	}
	if !seen["type"] {
		return nil, invalidInput(op, "connection string has no type=blink")
	}
	if cs.APIKey == "" {
		return nil, invalidInput(op, "connection string has no api-key")
	}
	return cs, nil
}

// String returns the connection string in canonical form, API key
// included: ParseConnectionString(cs.String()) gives cs back. Keep the
// result as secret as the key.
func (cs ConnectionString) String() string { return cs.build(cs.APIKey) }

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

// Redacted returns the connection string with the API key redacted.
func (cs ConnectionString) Redacted() string { return cs.build(redactKey(cs.APIKey)) }

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

// MarshalJSON writes the redacted form, so that JSON loggers never write the
// key. Use String to store the connection string.
func (cs ConnectionString) MarshalJSON() ([]byte, error) { return json.Marshal(cs.Redacted()) }

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

// NewClient returns a client for the connection string's server and key.
func (cs *ConnectionString) NewClient(opts ...Option) (*Client, error) {
	var base []Option
	if cs.Server != "" {
		base = append(base, WithEndpoint(cs.Server))
	}
	if cs.AllowInsecure {
		base = append(base, WithAllowInsecureHTTP())
	}
	return New(cs.APIKey, append(base, opts...)...)
}
