package blink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/bolt11/sign"
	"github.com/blink-sdk/blink-go/internal/redact"
)

// ---------------------------------------------------------------------------
// The rig: one wire server whose handler each path replaces.

const (
	klW1      = "11111111-1111-4111-8111-111111111111" // BTC wallet
	klW2      = "22222222-2222-4222-8222-222222222222" // USD wallet
	klW3      = "33333333-3333-4333-8333-333333333333" // a recipient's wallet
	klAddress = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
	klLNURL   = "https://pay.example.com/.well-known/lnurlp/alice"
)

type klHandler func(w http.ResponseWriter, r wireReq, n int)

type klRig struct {
	t        *testing.T
	a        *klAudit
	key      string
	srv      *wireServer
	inner    *http.Transport
	inv      string // a BOLT11 invoice for 1000 sats on mainnet
	noAmount string // one without an amount
	hash     string // inv's payment hash

	mu        sync.Mutex
	path      string
	h         klHandler
	bodyClean bool // the path passes no piece of the key in any argument
	n         atomic.Int64
	learnLogs int  // scope-learning runs whose log has the "could not learn" record
	dataEcho  bool // the current path's answers are data holding the key (see klMode)
}

func newKlRig(t *testing.T, a *klAudit) *klRig {
	r := &klRig{t: t, a: a, key: a.key, inner: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(r.inner.CloseIdleConnections)
	r.inv, r.hash = klInvoice(t, 1_000_000)
	r.noAmount, _ = klInvoice(t, 0)
	r.srv = newWireServer(t, func(w http.ResponseWriter, req wireReq, _ int) {
		r.mu.Lock()
		h, path, clean := r.h, r.path, r.bodyClean
		r.mu.Unlock()
		r.auditRequest(path, req, clean)
		h(w, req, int(r.n.Add(1)))
	})
	return r
}

// auditRequest searches what the client sent besides X-API-KEY: the other
// headers always, the variables when no argument carried the key.
func (r *klRig) auditRequest(path string, req wireReq, clean bool) {
	if got := req.Header.Get("X-Api-Key"); got != r.key {
		r.a.text(path, "request X-API-KEY is not the client's key", "(wrong key)")
		r.t.Errorf("%s: the request did not carry the client's key in X-API-KEY", path)
	}
	for name, vs := range req.Header {
		if http.CanonicalHeaderKey(name) == "X-Api-Key" {
			continue
		}
		r.a.text(path, "request header "+name, strings.Join(vs, ", "))
	}
	if clean {
		b, _ := json.Marshal(req.Variables)
		r.a.text(path, "request variables", string(b)+" "+req.Query)
	}
}

// klInvoice signs a mainnet invoice (amount 0: none) valid for a day.
func klInvoice(t *testing.T, msat int64) (pr, hash string) {
	t.Helper()
	priv := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{7}, 32))
	h := sha256.Sum256([]byte("keyleak preimage " + strconv.FormatInt(msat, 10)))
	pr, err := sign.Encode(sign.Params{Network: bolt11.Mainnet, AmountMsat: msat, PaymentHash: h, PaymentSecret: h,
		Expiry: 24 * time.Hour, Timestamp: time.Now().Add(-time.Minute)}, priv)
	if err != nil {
		t.Fatal(err)
	}
	return pr, hex.EncodeToString(h[:])
}

type klRec struct {
	r    *klRig
	path string
	c    *Client
	ctx  context.Context
}

func (x klRec) err(what string, err error) {
	if err != nil {
		x.r.a.err(x.path, what, err)
	}
}

func (x klRec) value(what string, v any) { x.r.a.value(x.path, what, v) }

// result searches a call's result and error. An unknown outcome is also
// looked up and finished against the same server, and searched again.
func (x klRec) result(what string, v any, err error) { x.result1(what, v, err, true) }

func (x klRec) result1(what string, v any, err error, follow bool) {
	if rv := reflect.ValueOf(v); v != nil && !(rv.Kind() == reflect.Pointer && rv.IsNil()) && !x.r.dataEcho {
		x.value(what+" result", v)
	}
	x.err(what+" err", err)
	var ou *OutcomeUnknownError
	if follow && errors.As(err, &ou) && ou.WalletID != "" {
		res, rerr := x.c.ResolvePayment(x.ctx, ou.Lookup())
		x.result1(what+" → ResolvePayment(Lookup())", res, rerr, false)
		fres, ferr := x.c.FinishPayment(x.ctx, ou)
		x.result1(what+" → FinishPayment", fres, ferr, false)
		x.err(what+" err after FinishPayment", err)
	}
	if p, ok := v.(*PaymentResult); ok && follow && p != nil && p.Status == PaymentPending && p.PaymentHash != "" {
		ctx, cancel := context.WithTimeout(x.ctx, 100*time.Millisecond)
		res, werr := x.c.WaitForPayment(ctx, klW1, p.PaymentHash, &WaitOptions{Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond})
		cancel()
		x.result1(what+" → WaitForPayment", res, werr, false)
	}
}

// run makes a client for the path (debug logs to a JSON and a text
// handler), serves h, acts, and searches the logs and the printed client.
func (r *klRig) run(path string, h klHandler, opts []Option, act func(x klRec)) (logs string) {
	return r.runKey(path, r.key, true, h, opts, act)
}

func (r *klRig) runKey(path, key string, clean bool, h klHandler, opts []Option, act func(x klRec)) (logs string) {
	r.mu.Lock()
	r.path, r.h, r.bodyClean = path, h, clean
	r.mu.Unlock()
	r.n.Store(0)
	jl, tl := &klBuf{}, &klBuf{}
	logger := slog.New(slog.NewMultiHandler(
		slog.NewJSONHandler(jl, &slog.HandlerOptions{Level: slog.LevelDebug}),
		slog.NewTextHandler(tl, &slog.HandlerOptions{Level: slog.LevelDebug})))
	base := []Option{WithEndpoint(r.srv.URL), fastRetry, WithLogger(logger), WithTimeout(5 * time.Second)}
	c, err := New(key, append(base, opts...)...)
	if err != nil {
		r.t.Fatalf("%s: New: %s", path, redact.Secret(err.Error(), r.key))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	act(klRec{r: r, path: path, c: c, ctx: ctx})
	r.a.text(path, "slog JSON records", jl.String())
	r.a.text(path, "slog text records", tl.String())
	r.a.client(path, c)
	return jl.String() + tl.String()
}

// setHandler replaces the handler in the middle of a path.
func (r *klRig) setHandler(h klHandler) {
	r.mu.Lock()
	r.h = h
	r.mu.Unlock()
}

// klBuf is a bytes.Buffer safe for the concurrent writes of slog handlers.
type klBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *klBuf) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *klBuf) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
