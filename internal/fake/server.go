package fake

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/blink-sdk/blink-go/internal/bolt11"
)

// LightningAddressDomain is the domain of the fake's lightning addresses
// (username@blinktest.invalid), reported by globals.lightningAddressDomain.
const LightningAddressDomain = "blinktest.invalid"

// Config configures a Server. The zero value of every field means its
// default.
type Config struct {
	// Network is "regtest" (default), "mainnet", "signet" or "testnet".
	Network string
	// InvoiceRateLimit is how many invoices an account (or, for the
	// on-behalf-of-recipient mutations, a recipient) may create a minute;
	// default 60.
	InvoiceRateLimit int
	// USDCentsPerBTC is the BTC price; default 10_000_000 ($100,000/BTC).
	USDCentsPerBTC int64
	// Now is the clock; default time.Now.
	Now func() time.Time
	// KeyPrefix is the prefix of API keys; default "galoy_dev_".
	KeyPrefix string
	// RawAPIErrors answers as the API itself does, without the Apollo
	// router that production requests pass: a reused idempotency key is
	// HTTP 409 {"error":...}, a malformed one 400, the complexity error
	// 500, and top-level errors carry a "code" beside extensions.code. By
	// default (false) the fake answers as production does: those become
	// HTTP 200 with data null and a SUBREQUEST_HTTP_ERROR error, and
	// ordinary top-level errors carry no code (see router.go).
	RawAPIErrors bool
	// PingInterval is how often the server sends a websocket ping frame,
	// and how long it waits for the pong before it terminates the
	// connection; default DefaultPingInterval (12 s).
	PingInterval time.Duration
	// InitTimeout is how long the server waits for connection_init on a
	// new websocket before it closes it with 4408; default
	// DefaultInitTimeout (3 s).
	InitTimeout time.Duration
	// AllowInsecureCallbacks lets callbackEndpointAdd and the invoices'
	// webhookUrl take http URLs of a loopback host (127.0.0.1, ::1,
	// localhost), for tests; by default only https passes, as in
	// production.
	AllowInsecureCallbacks bool
	// WebhookTimeout is how long a delivery attempt waits for its answer;
	// default DefaultWebhookTimeout (15 s, as Svix).
	WebhookTimeout time.Duration
}

// Server is the state of one fake Blink server and its HTTP handler. All
// methods are safe for concurrent use.
type Server struct {
	cfg Config

	mu          sync.Mutex
	accounts    map[string]*account // by account id
	byUsername  map[string]*account
	wallets     map[string]*wallet
	keys        map[string]*apiKey
	keySeq      int                 // API keys created, for their order in me.apiKeys
	invoices    map[string]*invoice // by payment hash
	byRequest   map[string]*invoice
	externalIDs map[extIDKey]struct{}     // external ids of the invoices of Blink wallets
	txs         map[string]*Transaction   // by id
	txsByHash   map[string][]*Transaction // by payment hash, oldest first
	addresses   map[string]string         // on-chain address -> wallet id
	onchainSend map[string][]string       // tx hash -> transaction ids
	idemLocks   map[string]time.Time
	flows       map[flowKey]*paymentFlow
	faults      map[string][]faultSlot
	requests    map[string]int
	executions  map[string]int
	price       int64
	watchers    map[int]chan struct{}
	nextWatcher int

	// ws holds the websocket connections and socket faults (websocket.go).
	ws wsState

	// wh holds the webhook deliveries (webhooks.go).
	wh whState

	// ln holds the LNURL-pay server's state: account kinds, wind-downs,
	// verify faults and counters (lnurlp.go).
	ln lnState

	// opCache holds parsed request documents by query text (http.go).
	opCache *lru.LRU[parsedQuery]

	// persisted holds the automatic persisted queries by hash (apq.go).
	persisted *lru.LRU[string]

	nodeKey     *secp256k1.PrivateKey // Blink's node: signs the fake's invoices
	externalKey *secp256k1.PrivateKey // the outside world's node
}

// NewServer returns a fake server with no accounts.
func NewServer(cfg Config) *Server {
	if cfg.Network == "" {
		cfg.Network = "regtest"
	}
	if cfg.InvoiceRateLimit <= 0 {
		cfg.InvoiceRateLimit = 60
	}
	if cfg.USDCentsPerBTC <= 0 {
		cfg.USDCentsPerBTC = 10_000_000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = "galoy_dev_"
	}
	nodeSeed := sha256.Sum256([]byte("blinktest node"))
	extSeed := sha256.Sum256([]byte("blinktest external node"))
	srv := &Server{
		cfg:         cfg,
		accounts:    map[string]*account{},
		byUsername:  map[string]*account{},
		wallets:     map[string]*wallet{},
		keys:        map[string]*apiKey{},
		invoices:    map[string]*invoice{},
		byRequest:   map[string]*invoice{},
		externalIDs: map[extIDKey]struct{}{},
		txs:         map[string]*Transaction{},
		txsByHash:   map[string][]*Transaction{},
		addresses:   map[string]string{},
		onchainSend: map[string][]string{},
		idemLocks:   map[string]time.Time{},
		flows:       map[flowKey]*paymentFlow{},
		faults:      map[string][]faultSlot{},
		requests:    map[string]int{},
		executions:  map[string]int{},
		watchers:    map[int]chan struct{}{},
		price:       cfg.USDCentsPerBTC,
		opCache:     lru.New[parsedQuery](opCacheSize),
		persisted:   lru.New[string](opCacheSize),
		nodeKey:     secp256k1.PrivKeyFromBytes(nodeSeed[:]),
		externalKey: secp256k1.PrivKeyFromBytes(extSeed[:]),
	}
	srv.ln.init()
	return srv
}

// Network returns the configured network name.
func (s *Server) Network() string { return s.cfg.Network }

func (s *Server) now() time.Time { return s.cfg.Now() }

func (s *Server) bolt11Network() bolt11.Network {
	switch s.cfg.Network {
	case "mainnet":
		return bolt11.Mainnet
	case "signet":
		return bolt11.Signet
	case "testnet":
		return bolt11.Testnet
	}
	return bolt11.Regtest
}

// NodeID returns the hex public key of the fake's lightning node.
func (s *Server) NodeID() string {
	return hexString(s.nodeKey.PubKey().SerializeCompressed())
}

// changed wakes every subscription watcher: some state they may report on
// changed. Callers hold s.mu.
func (s *Server) changed() {
	for _, ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// watch registers a watcher woken by changed; cancel unregisters it.
func (s *Server) watch() (ch <-chan struct{}, cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := make(chan struct{}, 1)
	id := s.nextWatcher
	s.nextWatcher++
	s.watchers[id] = c
	return c, func() {
		s.mu.Lock()
		delete(s.watchers, id)
		s.mu.Unlock()
	}
}
