package blinktest

import (
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/internal/testserver"
)

// Server is a running fake Blink API server.
type Server struct {
	ts *testserver.Server

	mu       sync.Mutex
	currency map[string]blink.WalletCurrency // wallet id → its currency, for Balance
}

// Option configures a Server.
type Option func(*[]testserver.Option)

func with(o testserver.Option) Option {
	return func(os *[]testserver.Option) { *os = append(*os, o) }
}

// WithNetwork sets the network the server reports and mints invoices and
// addresses for: "regtest" (default), "mainnet", "signet" or "testnet".
func WithNetwork(n string) Option { return with(testserver.WithNetwork(n)) }

// WithInvoiceRateLimit sets how many invoices an account (or a recipient,
// for the on-behalf-of-recipient mutations) may create a minute before it
// gets TOO_MANY_REQUEST for five minutes; default 60.
func WithInvoiceRateLimit(perMinute int) Option {
	return with(testserver.WithInvoiceRateLimit(perMinute))
}

// WithPrice sets the initial BTC price in US cents per bitcoin; default
// 10_000_000 ($100,000).
func WithPrice(perBTC blink.Cents) Option { return with(testserver.WithPrice(int64(perBTC))) }

// WithClock sets the server's clock, used for invoice expiry, rate limits,
// idempotency locks, spending limits, timestamps and the Date header of
// every answer, and myUpdates' price every 30 s (call Tick after moving
// it, for subscriptions to notice); default time.Now. Webhook deliveries
// are signed with this clock's time too: give a webhook.Handler the same
// clock (HandlerOptions.Now), or it refuses them as too old or too new.
func WithClock(now func() time.Time) Option { return with(testserver.WithClock(now)) }

// WithKeyPrefix sets the prefix of API keys; default "galoy_dev_".
func WithKeyPrefix(prefix string) Option { return with(testserver.WithKeyPrefix(prefix)) }

// WithRawAPIErrors makes the server answer as the Blink API itself does,
// without the router that production clients talk through: a reused
// idempotency key is HTTP 409, a malformed one HTTP 400, the complexity
// limit HTTP 500, and top-level errors carry their code. By default the
// server answers as production does (see the package documentation).
func WithRawAPIErrors() Option { return with(testserver.WithRawAPIErrors()) }

// WithPingInterval sets how often the server sends a websocket ping frame
// and how long it then waits for the pong before it terminates the
// connection (without a close frame); default 12 s, as the real server.
func WithPingInterval(d time.Duration) Option { return with(testserver.WithPingInterval(d)) }

// WithInitTimeout sets how long the server waits for connection_init on a
// new websocket before it closes it with 4408 "Connection initialisation
// timeout"; default 3 s, as the real server.
func WithInitTimeout(d time.Duration) Option { return with(testserver.WithInitTimeout(d)) }

// NewServer starts a fake server listening on 127.0.0.1 at a random port.
// The caller must Close it.
func NewServer(opts ...Option) *Server {
	var os []testserver.Option
	for _, o := range opts {
		o(&os)
	}
	return &Server{ts: testserver.NewServer(os...), currency: map[string]blink.WalletCurrency{}}
}

// New starts a fake server that closes itself when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := NewServer(opts...)
	tb.Cleanup(s.Close)
	return s
}

// URL returns the GraphQL HTTP endpoint, "http://127.0.0.1:PORT/graphql".
func (s *Server) URL() string { return s.ts.URL() }

// WebSocketURL returns the graphql-transport-ws endpoint,
// "ws://127.0.0.1:PORT/graphql".
func (s *Server) WebSocketURL() string { return s.ts.WebSocketURL() }

// Close shuts the server down, closing open connections, and waits for
// the requests still being handled.
func (s *Server) Close() { s.ts.Close() }

// Network returns the network the server serves.
func (s *Server) Network() string { return s.ts.Network() }

// LightningAddressDomain is the domain of the fake's lightning addresses:
// an account "alice" is alice@blinktest.invalid.
const LightningAddressDomain = testserver.LightningAddressDomain

// ExternalLightningFee is the fee of every lightning payment that leaves
// Blink (to an ExternalInvoice); payments between Blink wallets are free.
const ExternalLightningFee = blink.Sats(testserver.ExternalLightningFeeSats)

// OnChainFee returns the fee of an on-chain send to an address outside
// Blink at a payout speed.
func OnChainFee(speed blink.PayoutSpeed) blink.Sats {
	if speed == "" {
		speed = blink.Fast
	}
	return blink.Sats(testserver.OnChainFeeSats(string(speed)))
}

// NodeID returns the public key of the fake's lightning node, as reported
// by globals.nodesIds.
func (s *Server) NodeID() string { return s.ts.NodeID() }

// SetPrice sets the BTC price in US cents per bitcoin. Later conversions,
// price queries and subscriptions use it.
func (s *Server) SetPrice(perBTC blink.Cents) { s.ts.SetPrice(int64(perBTC)) }

// Price returns the BTC price in US cents per bitcoin.
func (s *Server) Price() blink.Cents { return blink.Cents(s.ts.Price()) }

// Tick makes the server look at its clock again, so that subscriptions
// send what is due by it: myUpdates' Price and RealtimePrice every
// PriceUpdateInterval, an invoice's EXPIRED. Call it after moving a
// WithClock clock; with the real clock it is never needed.
func (s *Server) Tick() { s.ts.Tick() }

// PriceUpdateInterval is how often, by the server's clock, myUpdates sends
// the price again (30 s, as the real server).
const PriceUpdateInterval = testserver.PriceUpdateInterval
