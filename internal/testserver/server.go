package testserver

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/internal/fake"
)

// Server is a running fake Blink API server.
type Server struct {
	fake *fake.Server
	http *httptest.Server
	// wellKnown serves the lightning address domain, lnurl the LNURL-pay
	// callback host (lnurlp.go).
	wellKnown, lnurl *httptest.Server
}

// Option configures a Server.
type Option func(*options)

// options is what the Options set.
type options struct{ cfg fake.Config }

// WithNetwork sets the network the server reports and mints invoices and
// addresses for: "regtest" (default), "mainnet", "signet" or "testnet".
func WithNetwork(n string) Option { return func(o *options) { o.cfg.Network = n } }

// WithInvoiceRateLimit sets how many invoices an account (or a recipient,
// for the on-behalf-of-recipient mutations) may create a minute before it
// gets TOO_MANY_REQUEST for five minutes; default 60.
func WithInvoiceRateLimit(perMinute int) Option {
	return func(o *options) { o.cfg.InvoiceRateLimit = perMinute }
}

// WithPrice sets the initial BTC price in US cents per bitcoin; default
// 10_000_000 ($100,000).
func WithPrice(usdCentsPerBTC int64) Option {
	return func(o *options) { o.cfg.USDCentsPerBTC = usdCentsPerBTC }
}

// WithClock sets the server's clock, used for invoice expiry, rate limits,
// idempotency locks, spending limits, payment flows, timestamps and the
// Date header of every HTTP response, and myUpdates' price every 30 s (call
// Tick after moving it, for subscriptions to notice); default time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.cfg.Now = now } }

// WithKeyPrefix sets the prefix of API keys; default "galoy_dev_".
func WithKeyPrefix(prefix string) Option { return func(o *options) { o.cfg.KeyPrefix = prefix } }

// WithRawAPIErrors makes the server answer as the Blink API does when a
// client talks to it directly, instead of as production does through
// Blink's Apollo router (the default):
//
//   - a reused X-Idempotency-Key is HTTP 409 {"error":"the idempotency key
//     already exist"} (router: HTTP 200, data null, one error
//     "HTTP fetch failed from 'public': 409: Conflict" with
//     extensions.code SUBREQUEST_HTTP_ERROR);
//   - a malformed key, or two key headers, is HTTP 400 {"error":"..."}
//     (router: the same with "400: Bad Request");
//   - a mutation over the complexity limit is HTTP 500 with a GraphQL
//     error "Query too complex. ..." (router: HTTP 200 with the
//     "500: Internal Server Error" error, then the API's message);
//   - top-level GraphQL errors carry a "code" beside extensions.code
//     (router: message, path and locations only).
//
// Nothing executes in any of these cases, in either form.
func WithRawAPIErrors() Option { return func(o *options) { o.cfg.RawAPIErrors = true } }

// WithPingInterval sets how often the server sends a websocket ping frame
// and how long it then waits for the pong before it terminates the
// connection (without a close frame); default 12 s, as the real server.
func WithPingInterval(d time.Duration) Option { return func(o *options) { o.cfg.PingInterval = d } }

// WithInitTimeout sets how long the server waits for connection_init on a
// new websocket before it closes it with 4408 "Connection initialisation
// timeout"; default 3 s, as the real server.
func WithInitTimeout(d time.Duration) Option { return func(o *options) { o.cfg.InitTimeout = d } }

// NewServer starts a fake server listening on 127.0.0.1 at a random port.
// The caller must Close it.
func NewServer(opts ...Option) *Server {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	f := fake.NewServer(o.cfg)
	h := httptest.NewUnstartedServer(f.Handler())
	h.Config.ErrorLog = log.New(io.Discard, "", 0)
	h.Start()
	f.SetBaseURL(h.URL)
	srv := &Server{fake: f, http: h}
	srv.startLNURL()
	return srv
}

// New starts a fake server that closes itself when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := NewServer(opts...)
	tb.Cleanup(s.Close)
	return s
}

// URL returns the GraphQL HTTP endpoint, "http://127.0.0.1:PORT/graphql".
func (s *Server) URL() string { return s.http.URL + "/graphql" }

// WebSocketURL returns the graphql-transport-ws endpoint,
// "ws://127.0.0.1:PORT/graphql".
func (s *Server) WebSocketURL() string {
	return "ws://" + strings.TrimPrefix(s.http.URL, "http://") + "/graphql"
}

// Close shuts the server down, closing open connections (websockets
// included) and ending webhook deliveries (running attempts are
// cancelled, retries dropped).
func (s *Server) Close() {
	s.fake.StopWebhooks()
	s.fake.DropWebSockets()
	s.http.CloseClientConnections()
	s.http.Close()
	s.closeLNURL()
}

// Network returns the network the server serves.
func (s *Server) Network() string { return s.fake.Network() }

// LightningAddressDomain is the domain of the fake's lightning addresses:
// an account "alice" is alice@blinktest.invalid.
const LightningAddressDomain = fake.LightningAddressDomain

// ExternalLightningFeeSats is the fee of every lightning payment that leaves
// Blink (to an ExternalInvoice); payments between Blink wallets are free.
const ExternalLightningFeeSats = fake.ExternalLightningFeeSats

// OnChainFeeSats returns the fee of an on-chain send to an address outside
// Blink at a payout speed ("FAST", "MEDIUM" or "SLOW").
func OnChainFeeSats(speed string) int64 { return fake.OnChainFeeSats(speed) }

// NodeID returns the public key of the fake's lightning node, as reported
// by globals.nodesIds.
func (s *Server) NodeID() string { return s.fake.NodeID() }

// SetPrice sets the BTC price in US cents per bitcoin. Later conversions,
// price queries and subscriptions use it.
func (s *Server) SetPrice(usdCentsPerBTC int64) { s.fake.SetPrice(usdCentsPerBTC) }

// Price returns the BTC price in US cents per bitcoin.
func (s *Server) Price() int64 { return s.fake.Price() }

// Tick makes the server look at its clock again, so that subscriptions
// send what is due by it: myUpdates' Price and RealtimePrice every
// PriceUpdateInterval, an invoice's EXPIRED. Call it after moving a
// WithClock clock; with the real clock it is never needed.
func (s *Server) Tick() { s.fake.Tick() }

// PriceUpdateInterval is how often, by the server's clock, myUpdates sends
// the price again (30 s, as the real server).
const PriceUpdateInterval = fake.PriceUpdateInterval
