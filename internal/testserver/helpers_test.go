package testserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// response is a decoded HTTP answer of the fake.
type response struct {
	Status int
	Header http.Header
	Raw    string
	Body   map[string]any
}

// call POSTs one GraphQL request and decodes the answer.
func call(t *testing.T, srv *blinktest.Server, key, query string, vars map[string]any, headers ...string) response {
	t.Helper()
	r, err := try(srv, key, query, vars, headers...)
	require.NoError(t, err)
	return r
}

func try(srv *blinktest.Server, key, query string, vars map[string]any, headers ...string) (response, error) {
	return tryCtx(context.Background(), srv, key, query, vars, headers...)
}

// tryTimeout is try with a client that gives up after d.
func tryTimeout(d time.Duration, srv *blinktest.Server, key, query string, vars map[string]any, headers ...string) (response, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return tryCtx(ctx, srv, key, query, vars, headers...)
}

func tryCtx(ctx context.Context, srv *blinktest.Server, key, query string, vars map[string]any, headers ...string) (response, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL(), bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-API-KEY", key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	res, err := freshClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, err
	}
	out := response{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	_ = json.Unmarshal(raw, &out.Body)
	return out, nil
}

// freshClient opens a connection per request. Go's transport silently
// resends a request carrying X-Idempotency-Key when a reused connection
// dies before the answer; fresh connections keep dropped answers visible.
var freshClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// get walks a decoded JSON value: keys for objects, ints for arrays.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func (r response) get(path ...any) any { return get(r.Body, path...) }

func (r response) str(path ...any) string {
	s, _ := r.get(path...).(string)
	return s
}

func (r response) num(path ...any) int64 {
	f, _ := r.get(path...).(float64)
	return int64(f)
}

// fixture is a server with two funded accounts and all-scope keys.
type fixture struct {
	srv            *blinktest.Server
	alice, bob     blinktest.Account
	aliceK, bobKey string
}

func newFixture(t *testing.T, opts ...blinktest.Option) fixture {
	srv := blinktest.New(t, opts...)
	f := fixture{srv: srv}
	f.alice = srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 1_000_000, USDBalance: 10_000})
	f.bob = srv.CreateAccount(blinktest.AccountOptions{Username: "bob", BTCBalance: 500_000, USDBalance: 5_000})
	f.aliceK = srv.CreateAPIKey(f.alice.ID, blinktest.KeyOptions{})
	f.bobKey = srv.CreateAPIKey(f.bob.ID, blinktest.KeyOptions{})
	return f
}

// Operation documents, as the SDK sends them (trimmed to what the tests read).
const (
	qMe = `query Me { me { id username defaultAccount { id level displayCurrency defaultWallet { id currency } } } }`

	qGlobals = `query Globals { globals { network lightningAddressDomain nodesIds } }`

	mInvoiceCreate = `mutation LnInvoiceCreate($input: LnInvoiceCreateInput!) {
  lnInvoiceCreate(input: $input) { invoice { paymentHash paymentRequest paymentSecret satoshis externalId paymentStatus } errors { code message path } } }`

	mPay = `mutation LnInvoicePaymentSend($input: LnInvoicePaymentInput!) {
  lnInvoicePaymentSend(input: $input) { status errors { code message path }
    transaction { id direction status settlementAmount settlementFee memo
      initiationVia { __typename ... on InitiationViaLn { paymentHash } }
      settlementVia { __typename ... on SettlementViaLn { preImage } ... on SettlementViaIntraLedger { preImage counterPartyWalletId } } } } }`

	qTxsByHash = `query TransactionsByPaymentHash($walletId: WalletId!, $paymentHash: PaymentHash!) {
  me { defaultAccount { walletById(walletId: $walletId) { transactionsByPaymentHash(paymentHash: $paymentHash) { id direction status settlementAmount } } } } }`
)

// mProbe is the BTC wallet's lightning fee probe.
const mProbe = `mutation LnInvoiceFeeProbe($input: LnInvoiceFeeProbeInput!) { lnInvoiceFeeProbe(input: $input) { amount errors { code message } } }`

// probe runs lnInvoiceFeeProbe for a wallet and a payment request.
func probe(t *testing.T, srv *blinktest.Server, key, walletID, pr string) response {
	t.Helper()
	return call(t, srv, key, mProbe, map[string]any{"input": map[string]any{"walletId": walletID, "paymentRequest": pr}})
}

// createInvoice creates a BTC invoice through the API and returns its
// payment request and hash.
func createInvoice(t *testing.T, srv *blinktest.Server, key, walletID string, sats int64) (pr, hash string) {
	t.Helper()
	r := call(t, srv, key, mInvoiceCreate, map[string]any{"input": map[string]any{"walletId": walletID, "amount": sats}})
	require.Equal(t, 200, r.Status, r.Raw)
	require.Empty(t, r.get("data", "lnInvoiceCreate", "errors"), r.Raw)
	return r.str("data", "lnInvoiceCreate", "invoice", "paymentRequest"), r.str("data", "lnInvoiceCreate", "invoice", "paymentHash")
}

func pay(t *testing.T, srv *blinktest.Server, key, walletID, pr string) response {
	t.Helper()
	return call(t, srv, key, mPay, map[string]any{"input": map[string]any{"walletId": walletID, "paymentRequest": pr}})
}

// clock is a settable clock for WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func decodeInvoice(t *testing.T, pr string) *bolt11.Invoice {
	t.Helper()
	inv, err := bolt11.Decode(pr)
	require.NoError(t, err)
	return inv
}
