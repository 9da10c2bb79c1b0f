package blink

import (
	"fmt"
	"github.com/blink-sdk/blink-go/internal/redact"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Version is the SDK's version, sent in the User-Agent header.
const Version = "0.2.0"

// Client talks to the Blink GraphQL API with one API key. It is safe for
// concurrent use; create one per key and reuse it.
//
// Printing a Client (with fmt or log/slog) shows its endpoint and the
// redacted key, never the key itself.
type Client struct {
	key              *apiKey     // never nil; behind a pointer so it never prints
	env              Environment // "" for a custom endpoint without an environment
	endpoint         string
	wsEndpoint       string
	timeout          time.Duration
	log              *slog.Logger
	userAgent        string
	retry            RetryPolicy
	http             *retryablehttp.Client
	hc               *http.Client
	ops              opCache
	scopes           learnt[scopeState]
	gql              *gqlClient
	network          learnt[string]
	walletCurrencies learnt[map[string]WalletCurrency]
	clock            serverClock
	rt               realtimeHolder // the websocket for subscriptions (realtime.go)
	hints            hintBoard      // HintInvoice to WaitForInvoice (wait_hints.go)
	own              ownKey         // what is known of the client's own key (apikeys.go)
}

// New returns a client for the given API key. With an empty key the client
// can run the public operations only (prices, globals, invoice status,
// invoices on behalf of a recipient); anything more returns a *ScopeError
// saying the client has no key.
//
// It returns an error matching ErrConfig for a malformed key, a key whose
// prefix belongs to another environment than the one selected, or an
// endpoint that would send the key over plain http to a host that is not
// loopback. The key appears in no error message.
func New(key string, opts ...Option) (*Client, error) {
	cfg := config{
		retry:   DefaultRetryPolicy(),
		timeout: DefaultTimeout,
	}
	envSet := false
	for _, opt := range opts {
		before := cfg.env
		if err := opt(&cfg); err != nil {
			return nil, err
		}
		if cfg.env != before {
			envSet = true
		}
	}
	if cfg.env == "" && cfg.endpoint == "" {
		cfg.env = Production
		envSet = true
	}
	info, _ := cfg.env.info()
	if cfg.endpoint == "" {
		cfg.endpoint = info.httpURL
		if cfg.wsEndpoint == "" {
			cfg.wsEndpoint = info.wsURL
		}
	}
	if err := checkEndpoint(cfg.endpoint, cfg.allowInsecure, false); err != nil {
		return nil, err
	}
	if cfg.wsEndpoint == "" {
		ws, err := DeriveWebSocketURL(cfg.endpoint)
		if err != nil {
			return nil, err
		}
		cfg.wsEndpoint = ws
	}
	if err := checkEndpoint(cfg.wsEndpoint, cfg.allowInsecure, true); err != nil {
		return nil, err
	}
	if key != "" {
		if err := checkKey(key); err != nil {
			return nil, err
		}
		// The key travels in X-API-KEY alone: an endpoint that carries it
		// would print it, log it and send it to proxies.
		if redact.Contains(cfg.endpoint, key) || redact.Contains(cfg.wsEndpoint, key) {
			return nil, configError("the endpoint URL carries the API key: pass the key to blink.New alone")
		}
		if envSet && keyPrefix(key) != info.keyPrefix {
			return nil, configError("API key %s is for another environment than %s (whose keys start with %s)", redactKey(key), cfg.env, info.keyPrefix)
		}
	} else if cfg.scopesKnown && len(cfg.scopes) > 0 {
		return nil, configError("scopes given but no API key: pass the key to blink.New")
	}

	c := &Client{
		key:        (*apiKey)(&key),
		env:        cfg.env,
		endpoint:   cfg.endpoint,
		wsEndpoint: cfg.wsEndpoint,
		timeout:    cfg.timeout,
		log:        cfg.logger,
		retry:      cfg.retry,
		hc:         cfg.httpClient,
	}
	c.own.id, c.own.expiresAt = cfg.keyID, cfg.keyExpiry
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.userAgent = "blink-go/" + Version
	if cfg.userAgent != "" {
		c.userAgent = cfg.userAgent + " " + c.userAgent
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: defaultTransport()}
	} else {
		hc := *c.hc // a copy: the caller's client is left as it is
		c.hc = &hc
	}
	// Never follow a redirect: net/http would forward X-API-KEY to wherever
	// it points, over plain http too.
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if cfg.scopesKnown {
		c.scopes.set(scopeState{bitRead | bitReceive | bitWrite, toSet(cfg.scopes)})
	}
	c.http = c.newRetryClient()
	c.gql = &gqlClient{c: c}
	return c, nil
}

// NewFromEnv returns a client configured from the environment:
// BLINK_API_KEY (required), BLINK_ENV ("production", the default, "staging"
// or "local"), BLINK_API_URL (a custom endpoint) and BLINK_WS_URL. Options
// given here are applied after those variables.
func NewFromEnv(opts ...Option) (*Client, error) {
	key := os.Getenv("BLINK_API_KEY")
	if key == "" {
		return nil, configError("BLINK_API_KEY is not set")
	}
	var envOpts []Option
	if e := os.Getenv("BLINK_ENV"); e != "" {
		envOpts = append(envOpts, WithEnvironment(Environment(e)))
	}
	if u := os.Getenv("BLINK_API_URL"); u != "" {
		envOpts = append(envOpts, WithEndpoint(u))
	}
	if u := os.Getenv("BLINK_WS_URL"); u != "" {
		envOpts = append(envOpts, WithWebSocketURL(u))
	}
	return New(key, append(envOpts, opts...)...)
}

// Endpoint returns the GraphQL HTTP endpoint the client sends to.
func (c *Client) Endpoint() string { return c.endpoint }

// WebSocketURL returns the websocket endpoint for subscriptions.
func (c *Client) WebSocketURL() string { return c.wsEndpoint }

// Environment returns the selected environment, or "" for a custom endpoint
// given without one.
func (c *Client) Environment() Environment { return c.env }

// HasKey reports whether the client has an API key.
func (c *Client) HasKey() bool { return !c.key.empty() }

// String describes the client with its key redacted.
func (c *Client) String() string {
	return fmt.Sprintf("blink.Client{endpoint: %s, key: %s}", c.printableEndpoint(), c.key.String())
}

// GoString describes the client with its key redacted, for %#v.
func (c *Client) GoString() string { return c.String() }

// Format prints the client with its key redacted for every verb (%v, %+v,
// %#v, %s, %q).
func (c *Client) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	f.Write([]byte(c.String()))
}

// LogValue describes the client for log/slog with its key redacted.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("endpoint", c.printableEndpoint()), slog.String("key", c.key.String()))
}

// printableEndpoint is the endpoint without user info, query or fragment,
// and scrubbed of the key.
func (c *Client) printableEndpoint() string { return c.redact(redactURLString(c.endpoint)) }
