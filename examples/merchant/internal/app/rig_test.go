package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
	"github.com/stretchr/testify/require"
)

// rig is one fake Blink, one shop endpoint and a server (App) that can be
// stopped and started again on the same database, as a process restarts.
type rig struct {
	t     testing.TB
	fake  *blinktest.Server
	shop  *shop
	keys  *secrets.Keyring
	dbURL string // "" = SQLite at dbPath
	dir   string
	logs  *syncBuffer

	st     *store.SQL
	app    *app.App
	http   *httptest.Server
	cancel context.CancelFunc
	opts   app.Config
	// wrapStore, when set, wraps the store the server is given (tests
	// that need the database to answer otherwise at one moment).
	wrapStore func(store.Store) store.Store
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newRig(t testing.TB, dbURL string, fakeOpts ...blinktest.Option) *rig {
	t.Helper()
	master := secrets.NewMasterKey()
	keys, err := secrets.NewKeyring(master)
	require.NoError(t, err)
	masterKeys[keys] = master
	r := &rig{t: t, fake: blinktest.New(t, append([]blinktest.Option{blinktest.WithLoopbackWebhooks()}, fakeOpts...)...), keys: keys, dbURL: dbURL, dir: t.TempDir(), logs: &syncBuffer{}}
	r.shop = newShop(t)
	t.Cleanup(r.stop)
	t.Cleanup(func() {
		if t.Failed() && os.Getenv("MERCHANT_TEST_LOGS") != "" {
			t.Logf("server log:\n%s", r.logs.String())
		}
	})
	return r
}

func (r *rig) dbPath() string { return filepath.Join(r.dir, "merchant.db") }

// start opens the database and starts a server with cfg's knobs.
func (r *rig) start(cfg app.Config) *rig {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, r.dbURL, r.dbPath())
	require.NoError(r.t, err)
	cfg.Store, cfg.Keys = st, r.keys
	if r.wrapStore != nil {
		cfg.Store = r.wrapStore(st)
	}
	cfg.Log = slog.New(slog.NewJSONHandler(r.logs, nil))
	cfg.Tenants = tenants.Config{Endpoint: r.fake.URL(), KeyPrefix: "galoy_dev_", AllowLoopbackWebhooks: true, Keyless: cfg.Tenants.Keyless}
	if cfg.KeylessOptions.HTTPClient == nil {
		cfg.KeylessOptions.HTTPClient = r.fake.LNURLHTTPClient() // the fake's LNURL-pay hosts
	}
	if cfg.ReconcileInterval == 0 {
		cfg.ReconcileInterval = time.Hour // passes are asked for explicitly
	}
	a := app.New(cfg)
	r.st, r.app, r.cancel, r.opts = st, a, cancel, cfg
	r.http = httptest.NewServer(a.Handler())
	a.Run(ctx)
	return r
}

// stop stops the server as a crash would leave it: workers stopped, the
// database closed, nothing flushed beyond what was committed.
func (r *rig) stop() {
	if r.app == nil {
		return
	}
	r.cancel()
	r.http.Close()
	r.app.Wait()
	r.st.Close()
	r.app = nil
}

func (r *rig) restart(cfg app.Config) { r.stop(); r.start(cfg) }

// do sends a JSON request to the server and decodes the answer into out.
func (r *rig) do(method, path, token string, body any, out any) int {
	r.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(r.t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, r.http.URL+path, rd)
	require.NoError(r.t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		require.NoError(r.t, json.Unmarshal(raw, out), "body %s", raw)
	}
	return resp.StatusCode
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type connected struct {
	Tenant struct {
		ID string `json:"id"`
	} `json:"tenant"`
	APIToken          string   `json:"api_token"`
	ShopWebhookSecret string   `json:"shop_webhook_secret"`
	Warnings          []string `json:"warnings"`
}

type tenantFixture struct {
	acct   blinktest.Account
	key    string
	connS  string
	id     string
	token  string
	secret string // the shop's
}

// connect makes an account with a key of scopes and connects it as a tenant
// whose shop endpoint is the rig's shop.
func (r *rig) connect(scopes []blink.Scope, payouts bool, balance blink.Sats) *tenantFixture {
	r.t.Helper()
	f := &tenantFixture{acct: r.fake.CreateAccount(blinktest.AccountOptions{BTCBalance: balance})}
	f.key = r.fake.CreateAPIKey(f.acct.ID, blinktest.KeyOptions{Scopes: scopes})
	f.connS = fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s", r.fake.URL(), f.key, f.acct.BTCWalletID)
	var c connected
	code := r.do("POST", "/v1/tenants", "", map[string]any{"name": "Shop " + f.acct.Username, "connection_string": f.connS,
		"enable_payouts": payouts, "shop_webhook_url": r.shop.srv.URL + "/hook"}, &c)
	require.Equal(r.t, 201, code)
	f.id, f.token, f.secret = c.Tenant.ID, c.APIToken, c.ShopWebhookSecret
	r.shop.setSecret(f.id, f.secret)
	return f
}

type orderJSON struct {
	OrderID        string `json:"order_id"`
	Status         string `json:"status"`
	PaymentRequest string `json:"payment_request"`
	PaymentHash    string `json:"payment_hash"`
	InvoiceSats    int64  `json:"invoice_sats"`
	DetectedBy     string `json:"detected_by"`
}

func (r *rig) order(f *tenantFixture, id string, sats int64) orderJSON {
	r.t.Helper()
	var o orderJSON
	code := r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": id, "amount_sats": sats, "memo": "order " + id}, &o)
	require.Contains(r.t, []int{200, 201}, code, "order %s", id)
	return o
}

// shop is the shop's webhook endpoint: it verifies every delivery with
// the tenant's secret and counts deliveries per order and per event id.
type shop struct {
	t   testing.TB
	srv *httptest.Server

	mu      sync.Mutex
	secrets map[string]string // tenant id → secret
	byOrder map[string][]string
	events  map[string]int
	at      map[string]time.Time // first delivery per key
	bad     int
	fail    bool
	notify  chan string
}

type delivery struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		OrderID    string `json:"order_id"`
		Status     string `json:"status"`
		DetectedBy string `json:"detected_by"`
	} `json:"data"`
}

func newShop(t testing.TB) *shop {
	s := &shop{t: t, secrets: map[string]string{}, byOrder: map[string][]string{}, events: map[string]int{}, at: map[string]time.Time{}, notify: make(chan string, 10000)}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.fail {
			w.WriteHeader(503)
			return
		}
		ok := false
		for _, sec := range s.secrets {
			if webhook.Verify(body, r.Header, sec) == nil {
				ok = true
			}
		}
		var d delivery
		if !ok || json.Unmarshal(body, &d) != nil || r.Header.Get("svix-id") != d.ID {
			s.bad++
			w.WriteHeader(401)
			return
		}
		key := d.Type + " " + d.Data.OrderID
		if _, ok := s.at[key]; !ok {
			s.at[key] = time.Now()
		}
		s.byOrder[key] = append(s.byOrder[key], d.ID)
		s.events[d.ID]++
		s.notify <- key
		w.WriteHeader(204)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shop) setSecret(tenant, secret string) {
	s.mu.Lock()
	s.secrets[tenant] = secret
	s.mu.Unlock()
}

func (s *shop) setFailing(f bool) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// waitFor waits until the shop has seen every key ("order.paid <id>").
func (s *shop) waitFor(keys []string, timeout time.Duration) {
	s.t.Helper()
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	s.mu.Lock()
	for k := range s.byOrder {
		delete(want, k)
	}
	s.mu.Unlock()
	deadline := time.After(timeout)
	for len(want) > 0 {
		select {
		case k := <-s.notify:
			delete(want, k)
		case <-deadline:
			s.t.Fatalf("the shop did not receive %d of %d events within %v (e.g. %v)", len(want), len(keys), timeout, first(want))
		}
	}
}

func (s *shop) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byOrder[key])
}

func first(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

// startNoWorkers starts the HTTP side only: requests are taken and
// committed, nothing in the background runs (a process about to die).
func (r *rig) startNoWorkers() {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, r.dbURL, r.dbPath())
	require.NoError(r.t, err)
	cfg := app.Config{Store: st, Keys: r.keys, Log: slog.New(slog.NewJSONHandler(r.logs, nil)),
		Tenants: tenants.Config{Endpoint: r.fake.URL(), KeyPrefix: "galoy_dev_", AllowLoopbackWebhooks: true}}
	a := app.New(cfg)
	r.st, r.app, r.cancel = st, a, cancel
	r.http = httptest.NewServer(a.Handler())
}

// replica is a second server process on the same database.
type replica struct {
	app    *app.App
	st     *store.SQL
	http   *httptest.Server
	cancel context.CancelFunc
}

// replica starts another server on the rig's database, as a second
// process would; it stops when the test ends.
func (r *rig) replica(cfg app.Config) *replica {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, r.dbURL, r.dbPath())
	require.NoError(r.t, err)
	cfg.Store, cfg.Keys = st, r.keys
	cfg.Log = slog.New(slog.NewJSONHandler(r.logs, nil))
	cfg.Tenants = tenants.Config{Endpoint: r.fake.URL(), KeyPrefix: "galoy_dev_", AllowLoopbackWebhooks: true}
	if cfg.ReconcileInterval == 0 {
		cfg.ReconcileInterval = time.Hour
	}
	a := app.New(cfg)
	rp := &replica{app: a, st: st, http: httptest.NewServer(a.Handler()), cancel: cancel}
	a.Run(ctx)
	r.t.Cleanup(func() { cancel(); rp.http.Close(); a.Wait(); st.Close() })
	return rp
}

// doWithHeader is do with one extra header; it decodes a 2xx into out and
// anything else into e.
func (r *rig) doWithHeader(method, path, token, hk, hv string, body any, out any, e *apiError) int {
	r.t.Helper()
	j, err := json.Marshal(body)
	require.NoError(r.t, err)
	req, err := http.NewRequest(method, r.http.URL+path, bytes.NewReader(j))
	require.NoError(r.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(hk, hv)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 300 {
		json.Unmarshal(raw, out)
	} else {
		json.Unmarshal(raw, e)
	}
	return resp.StatusCode
}
