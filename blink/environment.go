package blink

import (
	"github.com/blink-sdk/blink-go/internal/redact"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Environment selects a Blink deployment: its HTTP and websocket endpoints,
// its Bitcoin network and the prefix its API keys carry.
type Environment string

// The Blink deployments the SDK knows.
const (
	// Production is api.blink.sv (mainnet, keys start with "blink_").
	Production Environment = "production"
	// Staging is api.staging.blink.sv (signet, keys start with "galoy_staging_").
	Staging Environment = "staging"
	// Local is the local development stack on localhost:4455 (regtest, keys
	// start with "galoy_dev_").
	Local Environment = "local"
)

type envInfo struct {
	httpURL, wsURL, keyPrefix, network string
}

func (e Environment) info() (envInfo, bool) {
	switch e {
	case Production:
		return envInfo{"https://api.blink.sv/graphql", "wss://ws.blink.sv/graphql", "blink_", "mainnet"}, true
	case Staging:
		return envInfo{"https://api.staging.blink.sv/graphql", "wss://ws.staging.blink.sv/graphql", "galoy_staging_", "signet"}, true
	case Local:
		return envInfo{"http://localhost:4455/graphql", "ws://localhost:4455/graphqlws", "galoy_dev_", "regtest"}, true
	}
	return envInfo{}, false
}

// URL returns the environment's GraphQL HTTP endpoint, or "" for an unknown
// environment.
func (e Environment) URL() string { i, _ := e.info(); return i.httpURL }

// WebSocketURL returns the environment's GraphQL websocket endpoint, or ""
// for an unknown environment.
func (e Environment) WebSocketURL() string { i, _ := e.info(); return i.wsURL }

// Network returns the Bitcoin network the environment serves ("mainnet",
// "signet", "regtest"), or "" for an unknown environment.
func (e Environment) Network() string { i, _ := e.info(); return i.network }

// KeyPrefix returns the prefix of the environment's API keys, including the
// trailing underscore, or "" for an unknown environment.
func (e Environment) KeyPrefix() string { i, _ := e.info(); return i.keyPrefix }

// DeriveWebSocketURL returns the websocket endpoint that belongs to a GraphQL
// HTTP endpoint: https becomes wss and http becomes ws, and the path, port
// and query are kept.
//
// A host "api.X" becomes "ws.X" (api.blink.sv → ws.blink.sv,
// api.staging.blink.sv → ws.staging.blink.sv) only when X is a registrable
// domain or a name below one, by the Public Suffix List. When X is itself a
// public suffix (api.github.io, api.co.uk), "ws.X" would belong to another
// party than "api.X", who would receive the API key; the host then stays as
// it is. IP addresses, localhost and hosts not starting with "api." are
// never rewritten. Give WithWebSocketURL when the derived URL is not the
// right one.
func DeriveWebSocketURL(httpURL string) (string, error) {
	u, err := url.Parse(httpURL)
	if err != nil || u.Host == "" {
		return "", configError("endpoint %q is not an absolute URL", redactURLString(httpURL))
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	case "http":
		u.Scheme = "ws"
	default:
		return "", configError("endpoint scheme %q is neither http nor https", u.Scheme)
	}
	if rest, ok := wsSibling(u.Hostname()); ok {
		u.Host = "ws." + rest + u.Host[len(u.Hostname()):]
	}
	return u.String(), nil
}

// wsSibling returns X for a host "api.X" whose "ws.X" belongs to the same
// registrable domain: X is not a public suffix, an IP address or localhost.
func wsSibling(host string) (string, bool) {
	if len(host) <= len("api.") || !strings.EqualFold(host[:len("api.")], "api.") {
		return "", false
	}
	rest := host[len("api."):]
	if _, err := netip.ParseAddr(rest); err == nil {
		return "", false
	}
	lower := strings.ToLower(rest)
	if lower == "localhost" || strings.HasSuffix(lower, ".localhost") {
		return "", false
	}
	// An error means rest is a public suffix itself (github.io, co.uk, sv)
	// or malformed (empty label, trailing dot).
	if _, err := publicsuffix.EffectiveTLDPlusOne(lower); err != nil {
		return "", false
	}
	return rest, true
}

// isLoopback reports whether host (as url.URL.Hostname gives it, without
// port or brackets) certainly names this machine: the name localhost (in any
// case, without a trailing dot), an IPv4 address in 127.0.0.0/8 or the IPv6
// address ::1. Other names, "*.localhost" and "localhost." included, go to
// the resolver, which may answer with any address; IPv4-mapped and zoned
// IPv6 forms are refused too.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return false
	}
	if a.Is4() {
		return a.IsLoopback()
	}
	return a == netip.IPv6Loopback()
}

// checkEndpoint refuses a URL that is not absolute http(s), and plain http
// to a host that is not loopback (see isLoopback) unless allowInsecure is
// set.
func checkEndpoint(raw string, allowInsecure bool, wantWS bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return configError("endpoint %q is not an absolute URL", redactURLString(raw))
	}
	if u.User != nil {
		return configError("endpoint must not carry credentials; pass the API key to blink.New")
	}
	secure, plain := "https", "http"
	if wantWS {
		secure, plain = "wss", "ws"
	}
	switch u.Scheme {
	case secure:
		return nil
	case plain:
		if allowInsecure || isLoopback(u.Hostname()) {
			return nil
		}
		return configError("endpoint %s uses plain %s to a host that is not loopback: the API key would travel in clear; use %s or blink.WithAllowInsecureHTTP", redactURLString(raw), plain, secure)
	}
	return configError("endpoint scheme %q is not %s", truncate(u.Scheme, 10), secure)
}

// redactURLString drops anything that could carry a secret (user info,
// query) from a URL string before it goes into an error message.
// A string that is not an absolute URL, or that holds an API key prefix,
// is not echoed at all.
func redactURLString(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.Scheme == "" || u.Host == "" {
		return "(not an absolute URL)"
	}
	u.User = nil
	u.RawQuery = ""
	u.ForceQuery = false
	u.Fragment = ""
	if s := u.String(); !redact.LooksLikeKey(s) {
		return s
	}
	return u.Scheme + "://(withheld: the URL holds an API key prefix)"
}
