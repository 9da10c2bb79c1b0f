package blink

import (
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// An Option configures a Client. Options validate their input; blink.New
// returns the first error an option reports.
type Option func(*config) error

// config is what the options set.
type config struct {
	env           Environment
	endpoint      string // HTTP GraphQL endpoint
	wsEndpoint    string // websocket endpoint; derived when empty
	httpClient    *http.Client
	timeout       time.Duration
	logger        *slog.Logger
	userAgent     string
	retry         RetryPolicy
	scopes        []Scope
	scopesKnown   bool
	allowInsecure bool
	keyID         string    // WithAPIKeyID
	keyExpiry     time.Time // WithAPIKeyExpiry
}

// RetryPolicy bounds the client's retries. Queries and receive-side
// mutations are retried on network failures, HTTP 429 and 5xx. Sends are
// retried only with the same X-Idempotency-Key, so the server executes them
// at most once.
type RetryPolicy struct {
	// MaxAttempts is the number of HTTP attempts for one call, the first
	// included. 1 disables retries. Default 4.
	MaxAttempts int
	// MinBackoff is the wait before the first retry; later waits double, with
	// jitter. Default 250ms.
	MinBackoff time.Duration
	// MaxBackoff caps the wait between attempts. Default 5s.
	MaxBackoff time.Duration
	// MaxRetryAfter caps how long a Retry-After header may make the client
	// wait before the next attempt: a longer one is honoured only up to this.
	// Default 30s.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns the policy a client uses unless WithRetryPolicy
// says otherwise.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, MinBackoff: 250 * time.Millisecond, MaxBackoff: 5 * time.Second, MaxRetryAfter: 30 * time.Second}
}

// DefaultTimeout bounds one call, its retries included, unless WithTimeout
// says otherwise. It is longer than the 45 seconds a lightning payment may
// take before the server reports it PENDING.
const DefaultTimeout = 90 * time.Second

// WithEnvironment selects a Blink deployment (Production by default). The
// API key's prefix must belong to it.
func WithEnvironment(env Environment) Option {
	return func(c *config) error {
		if _, ok := env.info(); !ok {
			return configError("unknown environment %q: use blink.Production, blink.Staging or blink.Local", truncate(string(env), 20))
		}
		c.env = env
		return nil
	}
}

// WithEndpoint points the client at a custom GraphQL HTTP endpoint, such as
// a blinktest server. Plain http is refused for hosts other than loopback
// unless WithAllowInsecureHTTP is given. The websocket endpoint is derived
// from it (see DeriveWebSocketURL) unless WithWebSocketURL is given.
func WithEndpoint(httpURL string) Option {
	return func(c *config) error {
		if httpURL == "" {
			return configError("empty endpoint")
		}
		c.endpoint = httpURL
		return nil
	}
}

// WithWebSocketURL sets the websocket endpoint for subscriptions explicitly.
func WithWebSocketURL(wsURL string) Option {
	return func(c *config) error {
		if wsURL == "" {
			return configError("empty websocket endpoint")
		}
		c.wsEndpoint = wsURL
		return nil
	}
}

// WithAllowInsecureHTTP allows a plain http:// endpoint on a host that is
// not loopback. The API key then travels unencrypted: use it only inside a
// network you trust.
func WithAllowInsecureHTTP() Option {
	return func(c *config) error {
		c.allowInsecure = true
		return nil
	}
}

// WithHTTPClient sets the *http.Client the requests go through. The client's
// own retries wrap it; do not give it a transport that retries POSTs. The
// SDK uses a copy that never follows redirects (the key would go with them).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return configError("nil *http.Client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each call, its retries included (DefaultTimeout unless
// set). A context deadline that comes earlier wins. 0 means no bound other
// than the context's.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return configError("negative timeout %s", d)
		}
		c.timeout = d
		return nil
	}
}

// WithLogger sets the logger the client writes debug records to (one per
// attempt and per retry). The client is silent without it. No record ever
// contains the API key.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return configError("nil *slog.Logger")
		}
		c.logger = l
		return nil
	}
}

// WithUserAgent puts ua in front of the SDK's own token in the User-Agent
// header ("shop/1.2 blink-go/0.2.0"). ua must be printable ASCII (bytes 0x20
// to 0x7E): control characters (CR, LF, NUL, TAB and the rest below 0x20, and
// DEL) could split the header or be refused by net/http on every request, and
// non-ASCII bytes are refused as well, since a User-Agent is product tokens
// and many proxies mangle other bytes. Anything else is an error matching
// ErrConfig, which names the offending byte's position but not the value.
// An empty ua leaves the SDK's token alone.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		for i := 0; i < len(ua); i++ {
			if b := ua[i]; b < 0x20 || b > 0x7e {
				return configError("user agent has a byte that is not printable ASCII at offset %d (of %d bytes): use letters, digits, spaces and punctuation only", i, len(ua))
			}
		}
		c.userAgent = ua
		return nil
	}
}

// WithRetryPolicy replaces the retry limits. Zero fields keep their default.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if p.MaxAttempts < 0 || p.MinBackoff < 0 || p.MaxBackoff < 0 || p.MaxRetryAfter < 0 {
			return configError("retry policy fields must not be negative")
		}
		d := DefaultRetryPolicy()
		if p.MaxAttempts == 0 {
			p.MaxAttempts = d.MaxAttempts
		}
		if p.MinBackoff == 0 {
			p.MinBackoff = d.MinBackoff
		}
		if p.MaxBackoff == 0 {
			p.MaxBackoff = d.MaxBackoff
		}
		if p.MaxRetryAfter == 0 {
			p.MaxRetryAfter = d.MaxRetryAfter
		}
		if p.MaxBackoff < p.MinBackoff {
			return configError("retry policy MaxBackoff %s is below MinBackoff %s", p.MaxBackoff, p.MinBackoff)
		}
		c.retry = p
		return nil
	}
}

// WithScopes tells the client the key's scopes, so it does not ask the
// server (the authorization query needs READ, so a key without READ cannot
// learn its own scopes). Operations beyond them are refused locally.
func WithScopes(scopes ...Scope) Option {
	return func(c *config) error {
		for _, s := range scopes {
			if s != ScopeRead && s != ScopeReceive && s != ScopeWrite {
				return configError("unknown scope %q: use blink.ScopeRead, blink.ScopeReceive or blink.ScopeWrite", truncate(string(s), 20))
			}
		}
		c.scopes = append([]Scope(nil), scopes...)
		c.scopesKnown = true
		return nil
	}
}

// WithAPIKeyID tells the client the id of its own API key (APIKey.ID, as
// CreateAPIKey returned it or APIKeys lists it). The API has no way to
// ask which key a request carries, so this is how the client learns its
// key's expiry and revocation: each APIKeys call notes them, and
// RevokeAPIKey of this id notes the revocation. A later HTTP 401 then
// matches ErrAPIKeyExpired or ErrAPIKeyRevoked as well as
// ErrInvalidAPIKey. An empty id is refused.
func WithAPIKeyID(id string) Option {
	return func(c *config) error {
		if strings.TrimSpace(id) == "" {
			return configError("WithAPIKeyID: the id is empty")
		}
		c.keyID = id
		return nil
	}
}

// WithAPIKeyExpiry tells the client when its own API key expires (as
// NewAPIKey.ExpiresAt or APIKey.ExpiresAt gave it). A later HTTP 401
// that arrives when the server's clock (read from the Date header of its
// answers) is past that time matches ErrAPIKeyExpired as well as
// ErrInvalidAPIKey. A zero time is refused.
func WithAPIKeyExpiry(t time.Time) Option {
	return func(c *config) error {
		if t.IsZero() {
			return configError("WithAPIKeyExpiry: the time is zero")
		}
		c.keyExpiry = t
		return nil
	}
}
