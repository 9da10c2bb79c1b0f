package blink

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/bolt11/sign"
	"github.com/blink-sdk/blink-go/internal/redact"
)

// TestKeyNeverLeaks_AnyFailurePathAnyPrinterAnyLog drives every failure
// path from a server (or a transport) that echoes the API key back in
// every place a hostile or buggy one could, and searches everything the
// SDK hands back or writes: each error with every fmt verb, each error of
// its Unwrap chain, the exported fields of *Error, *OutcomeUnknownError
// and *ScopeError, OutcomeUnknownError.Lookup, results, the printed Client
// and ConnectionString, JSON encodings, slog records (JSON and text) and
// the request headers other than X-API-KEY. A leak is any 8-byte run of
// the key (redact.Contains). Every leaking path is collected and the test
// fails once with the list.
func TestKeyNeverLeaks_AnyFailurePathAnyPrinterAnyLog(t *testing.T) {
	keys := []struct{ name, key string }{
		{"seeded random key", klRandomKey()},
		{"testKey (repeating pattern)", testKey},
	}
	total, totalPaths := 0, 0
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			a := newKlAudit(k.key)
			rig := newKlRig(t, a)
			rig.targets()
			rig.scopeLearning()
			rig.serverDataInErrors()
			rig.keyInWrongArgument()
			rig.configAndConnectionStrings()
			a.report(t)
			total += a.outputs
			totalPaths += len(a.paths)
		})
	}
	t.Logf("searched %d outputs over %d paths (both keys)", total, totalPaths)
}

// ---------------------------------------------------------------------------
// The audit: every output is searched for the key.

type klAudit struct {
	key     string
	mu      sync.Mutex
	outputs int
	paths   map[string]bool
	leaks   map[string][]string // path → printers that showed the key, with an excerpt
}

func newKlAudit(key string) *klAudit {
	return &klAudit{key: key, paths: map[string]bool{}, leaks: map[string][]string{}}
}

// text searches one output.
func (a *klAudit) text(path, what, s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.outputs++
	a.paths[path] = true
	if redact.Contains(s, a.key) {
		a.leaks[path] = append(a.leaks[path], what+": "+klExcerpt(s, a.key))
	}
}

var klVerbs = []string{"%v", "%+v", "%#v", "%s", "%q"}

// err searches an error with every printer, then each error of its Unwrap
// chain (both forms of Unwrap), and the exported fields of the SDK's own
// error types.
func (a *klAudit) err(path, what string, err error) {
	var walk func(e error, name string, depth int)
	walk = func(e error, name string, depth int) {
		if e == nil || depth > 16 {
			return
		}
		a.text(path, name+".Error()", e.Error())
		for _, verb := range klVerbs {
			a.text(path, name+" "+verb, fmt.Sprintf(verb, e))
		}
		a.errFields(path, name, e)
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for i, x := range u.Unwrap() {
				walk(x, fmt.Sprintf("%s.Unwrap()[%d]", name, i), depth+1)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), name+".Unwrap()", depth+1)
		}
	}
	walk(err, what, 0)
}

// errFields prints every exported field of an *Error, *OutcomeUnknownError
// or *ScopeError with %#v, the error as JSON, and an unknown outcome's
// Lookup.
func (a *klAudit) errFields(path, name string, e error) {
	switch e.(type) {
	case *Error, *OutcomeUnknownError, *ScopeError:
	default:
		return
	}
	v := reflect.ValueOf(e).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Type().Field(i); f.IsExported() {
			a.text(path, name+"."+f.Name+" %#v", fmt.Sprintf("%#v", v.Field(i).Interface()))
		}
	}
	if b, err := json.Marshal(e); err == nil {
		a.text(path, name+" json", string(b))
	}
	if ou, ok := e.(*OutcomeUnknownError); ok {
		a.value(path, name+".Lookup()", ou.Lookup())
	}
}

// value searches a value with every fmt verb, JSON and slog (JSON and text).
func (a *klAudit) value(path, what string, v any) {
	for _, verb := range klVerbs {
		a.text(path, what+" "+verb, fmt.Sprintf(verb, v))
	}
	if b, err := json.Marshal(v); err == nil {
		a.text(path, what+" json", string(b))
	}
	var j, tx bytes.Buffer
	slog.New(slog.NewJSONHandler(&j, nil)).Info("value", "v", v)
	slog.New(slog.NewTextHandler(&tx, nil)).Info("value", "v", v)
	a.text(path, what+" slog JSON", j.String())
	a.text(path, what+" slog text", tx.String())
}

// klHolder holds a Client by value and by pointer, in exported and
// unexported fields, as an application struct might.
type klHolder struct {
	Client  Client
	ClientP *Client
	client  Client
	clientP *Client
}

// klCSHolder does the same for a ConnectionString.
type klCSHolder struct {
	CS  ConnectionString
	CSP *ConnectionString
	cs  ConnectionString
	csP *ConnectionString
}

// client searches every way of printing a Client.
func (a *klAudit) client(path string, c *Client) {
	a.value(path, "*Client", c)
	a.text(path, "Client.String()", c.String())
	a.text(path, "Client.GoString()", c.GoString())
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		a.text(path, "Client value (reflect) "+verb, fmt.Sprintf(verb, reflect.ValueOf(c).Elem()))
	}
	h := &klHolder{ClientP: c, clientP: c}
	// Copied with reflect: a plain copy of a Client is what go vet refuses.
	reflect.ValueOf(&h.Client).Elem().Set(reflect.ValueOf(c).Elem())
	reflect.ValueOf(&h.client).Elem().Set(reflect.ValueOf(c).Elem())
	a.value(path, "struct holding a Client", h)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		a.text(path, "struct holding a Client (value) "+verb, fmt.Sprintf(verb, reflect.ValueOf(h).Elem()))
	}
}

// connString searches every way of printing a ConnectionString but String,
// which is documented to hold the key (it is the form to store).
func (a *klAudit) connString(path string, cs *ConnectionString) {
	a.value(path, "*ConnectionString", cs)
	a.value(path, "ConnectionString", *cs)
	a.text(path, "ConnectionString.Redacted()", cs.Redacted())
	a.text(path, "ConnectionString.GoString()", cs.GoString())
	if b, err := cs.MarshalText(); err == nil {
		a.text(path, "ConnectionString.MarshalText()", string(b))
	}
	h := &klCSHolder{CS: *cs, CSP: cs, cs: *cs, csP: cs}
	a.value(path, "struct holding a ConnectionString", h)
	a.text(path, "struct holding a ConnectionString (value) %+v", fmt.Sprintf("%+v", *h))
}

// report fails once, listing every path on which the key showed.
func (a *klAudit) report(t *testing.T) {
	t.Helper()
	t.Logf("searched %d outputs over %d paths", a.outputs, len(a.paths))
	if len(a.leaks) == 0 {
		return
	}
	paths := make([]string, 0, len(a.leaks))
	for p := range a.leaks {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	fmt.Fprintf(&b, "the API key (or an 8-byte run of it) leaked on %d of %d paths (excerpts show it as %s):\n", len(paths), len(a.paths), redact.Marker)
	for _, p := range paths {
		ws := a.leaks[p]
		fmt.Fprintf(&b, "  LEAK %s\n", p)
		for i, w := range ws {
			if i == 3 {
				fmt.Fprintf(&b, "      ... and %d more printers\n", len(ws)-3)
				break
			}
			fmt.Fprintf(&b, "      %s\n", w)
		}
	}
	t.Error(b.String())
}

// klExcerpt shows where the key sits in s, with the key itself replaced by
// the redaction marker so that the failure output holds no piece of it.
func klExcerpt(s, key string) string {
	r := redact.Secret(s, key)
	i := strings.Index(r, redact.Marker)
	lo, hi := max(i-90, 0), min(i+len(redact.Marker)+90, len(r))
	for lo > 0 && !utf8.RuneStart(r[lo]) {
		lo--
	}
	for hi < len(r) && !utf8.RuneStart(r[hi]) {
		hi++
	}
	return strconv.Quote(r[lo:hi])
}

// klRandomKey is a production-form key of 64 letters and digits from a
// seeded source: no run of 8 repeats, so each found run is a real leak.
func klRandomKey() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	r := rand.New(rand.NewPCG(0x6b65796c65616b, 2026))
	b := make([]byte, keySecretLen)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return "blink_" + string(b)
}

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

// ---------------------------------------------------------------------------
// Answers.

// klJ is s as a JSON string.
func klJ(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// echo is a server message carrying the key whole and in pieces.
func (r *klRig) echo(what string) string {
	k := r.key
	return what + ": request carried X-API-KEY " + k + " (" + k[6:40] + "..." + k[len(k)-20:] + ")"
}

// klRootField is the root field an operation's answer sits under.
func klRootField(op string) string {
	switch op {
	case "Me", "Wallets", "WalletByID", "Transactions", "TransactionsByPaymentHash", "TransactionByID",
		"PendingIncomingTransactions", "Invoices", "InvoiceByPaymentHash", "CallbackEndpoints":
		return "me"
	}
	return strings.ToLower(op[:1]) + op[1:]
}

// benign answers every operation as a healthy server does.
func (r *klRig) benign(w http.ResponseWriter, req wireReq) {
	op := req.OpName
	field := klRootField(op)
	invoice := `{"createdAt":1700000000,"externalId":null,"paymentHash":"` + r.hash + `","paymentRequest":"` + r.inv +
		`","paymentSecret":"` + r.hash + `","paymentStatus":"PENDING","satoshis":1000}`
	var data string
	switch {
	case op == "Globals":
		data = `{"globals":{"network":"mainnet","lightningAddressDomain":"blink.sv","nodesIds":["n1"]}}`
	case op == "Authorization":
		data = `{"authorization":{"scopes":["READ","RECEIVE","WRITE"]}}`
	case op == "Me":
		writeJSON(w, 200, meData)
		return
	case op == "Wallets":
		data = `{"me":{"defaultAccount":{"__typename":"ConsumerAccount","wallets":[` +
			`{"__typename":"BTCWallet","id":"` + klW1 + `","walletCurrency":"BTC","balance":1000000,"pendingIncomingBalance":0},` +
			`{"__typename":"UsdWallet","id":"` + klW2 + `","walletCurrency":"USD","balance":100000,"pendingIncomingBalance":0}]}}}`
	case op == "AccountDefaultWallet":
		data = `{"accountDefaultWallet":{"id":"` + klW3 + `","currency":"BTC"}}`
	case op == "TransactionsByPaymentHash":
		data = `{"me":{"defaultAccount":{"__typename":"ConsumerAccount","walletById":{"__typename":"BTCWallet","transactionsByPaymentHash":[]}}}}`
	case op == "Transactions":
		data = `{"me":{"defaultAccount":{"__typename":"ConsumerAccount","transactions":{"edges":[],"pageInfo":{"hasNextPage":false,"hasPreviousPage":false,"startCursor":null,"endCursor":null}}}}}`
	case op == "Invoices":
		data = `{"me":{"defaultAccount":{"__typename":"ConsumerAccount","invoices":{"edges":[],"pageInfo":{"hasNextPage":false,"hasPreviousPage":false,"startCursor":null,"endCursor":null}}}}}`
	case op == "LnInvoicePaymentStatusByHash":
		data = `{"lnInvoicePaymentStatusByHash":{"paymentHash":"` + r.hash + `","paymentPreimage":null,"paymentRequest":"` + r.inv + `","status":"PENDING"}}`
	case strings.HasSuffix(op, "FeeProbe"), strings.HasSuffix(op, "TxFee"), strings.HasSuffix(op, "TxFeeAsBtcDenominated"):
		data = `{"` + field + `":{"amount":1,"errors":[]}}`
	case strings.Contains(op, "PaymentSend"):
		data = `{"` + field + `":{"status":"SUCCESS","errors":[],"transaction":null}}`
	case strings.Contains(op, "InvoiceCreate") || strings.Contains(op, "CreateOnBehalfOfRecipient"):
		data = `{"` + field + `":{"invoice":` + invoice + `,"errors":[]}}`
	case strings.HasPrefix(op, "OnChainAddress"):
		data = `{"` + field + `":{"address":"` + klAddress + `","errors":[]}}`
	case op == "CallbackEndpointAdd":
		data = `{"callbackEndpointAdd":{"id":"ep_1","errors":[]}}`
	case op == "CallbackEndpointDelete", op == "LnInvoiceCancel":
		data = `{"` + field + `":{"success":true,"errors":[]}}`
	default:
		writeJSON(w, 200, `{"data":null,"errors":[{"message":"the rig has no answer for `+op+`"}]}`)
		return
	}
	writeJSON(w, 200, `{"data":`+data+`}`)
}

// benignAll is benign as a handler.
func (r *klRig) benignAll(w http.ResponseWriter, req wireReq, _ int) { r.benign(w, req) }

// only answers op with answer and everything else benignly.
func (r *klRig) only(op string, answer klHandler) klHandler {
	return func(w http.ResponseWriter, req wireReq, n int) {
		if req.OpName == op {
			answer(w, req, n)
			return
		}
		r.benign(w, req)
	}
}

// klMode is one way for a server or transport to fail while echoing the key.
type klMode struct {
	name      string
	payload   bool // only for operations whose answer has a payload errors list
	core      bool // status × body matrix: only for the core targets
	answer    klHandler
	transport func(inner http.RoundTripper, op string) http.RoundTripper
	// dataEcho: the answer is a success whose data holds the key. What
	// the call returns is then the server's data, handed back as it came,
	// and only errors and logs are searched.
	dataEcho bool
}

func (r *klRig) modes() []klMode {
	k := r.key
	var ms []klMode
	add := func(m klMode) { ms = append(ms, m) }

	// Payload errors[]: code, message and path echo the key.
	payload := func(status string, code bool, msg string) klHandler {
		return func(w http.ResponseWriter, req wireReq, _ int) {
			c := "null"
			if code {
				c = klJ(k)
			}
			st := "null"
			if status != "" {
				st = klJ(status)
			}
			errs := `[{"__typename":"GraphQLApplicationError","code":` + c + `,"message":` + klJ(msg) + `,"path":[` + klJ(k) + `,"input",` + klJ(k[6:30]) + `]},` +
				`{"__typename":"GraphQLApplicationError","code":` + c + `,"message":` + klJ(r.echo("second")) + `,"path":null}]`
			writeJSON(w, 200, `{"data":{`+klJ(klRootField(req.OpName))+`:{"status":`+st+`,"errors":`+errs+
				`,"transaction":null,"invoice":null,"address":null,"id":null,"amount":null,"success":null}}}`)
		}
	}
	add(klMode{name: "payload errors[] (FAILURE) echo the key in code, message and path", payload: true, answer: payload("FAILURE", true, r.echo("payment failed"))})
	add(klMode{name: "payload errors[] without code (validation) echo the key", payload: true, answer: payload("", false, r.echo("Invalid value for WalletId"))})
	add(klMode{name: "payload error 'Invoice is already paid' with the key", payload: true, answer: payload("FAILURE", true, "Invoice is already paid "+k)})
	add(klMode{name: "payload error 'in transition' with the key", payload: true, answer: payload("PENDING", false, "Payment was sent and is still in transition. "+k)})
	add(klMode{name: "payload error 'pending payment' with the key", payload: true, answer: payload("FAILURE", false, "There is a pending payment for this invoice "+k)})

	// Top-level errors.
	top := func(status int, data string, errs ...string) klHandler {
		return func(w http.ResponseWriter, _ wireReq, _ int) {
			writeJSON(w, status, `{"data":`+data+`,"errors":[`+strings.Join(errs, ",")+`]}`)
		}
	}
	full := func(msg string) string {
		return `{"message":` + klJ(msg) + `,"code":` + klJ(k) + `,"extensions":{"code":` + klJ(k) + `},"path":[` + klJ(k) + `,0,"x"]}`
	}
	router := func(msg string) string {
		return `{"message":` + klJ(msg) + `,"extensions":{"code":"SUBREQUEST_HTTP_ERROR"},"path":[` + klJ(k) + `]}`
	}
	add(klMode{name: "top-level error: message, code, extensions.code and path echo the key", answer: top(200, "null", full(r.echo("resolver failed")))})
	add(klMode{name: "top-level error: code only in extensions.code", answer: top(200, "null", `{"message":`+klJ(r.echo("failed"))+`,"extensions":{"code":`+klJ(k)+`}}`)})
	add(klMode{name: "top-level error: message only (router dropped the code)", answer: top(200, "null", `{"message":`+klJ(r.echo("failed"))+`}`)})
	add(klMode{name: "top-level errors: several, each echoing the key", answer: top(200, "null", full(r.echo("one")), full(r.echo("two")), full(r.echo("three")))})
	for _, st := range []string{"409: Conflict", "400: Bad Request", "401: Unauthorized", "500: Internal Server Error", "429: Too Many Requests"} {
		add(klMode{name: "router form 'HTTP fetch failed from 'public': " + st + "' with the key appended",
			answer: top(200, "null", router("HTTP fetch failed from 'public': "+st+" "+k), router(r.echo("second")))})
	}
	add(klMode{name: "top-level error: scope refusal with the key", answer: top(200, "null", full("Unexpected error occurred, please try again or contact support if it persists (code: AuthorizationError: not authorized to execute mutations) "+k))})
	add(klMode{name: "top-level error: 'Not authorized' with the key", answer: top(200, "null", full("Not authorized "+k))})
	add(klMode{name: "top-level errors: complexity refusal with the key", answer: top(200, "null", full("Query too complex "+k), full(r.echo("cost")))})
	add(klMode{name: "top-level errors with HTTP 400", answer: top(400, "null", full(r.echo("Syntax Error")))})
	add(klMode{name: "top-level errors with HTTP 500", answer: top(500, "null", full(r.echo("internal")))})
	add(klMode{name: "top-level errors beside partial data", answer: top(200, "{}", full(r.echo("partial")))})

	// Non-JSON and JSON error bodies, at every status.
	for _, st := range []int{400, 401, 403, 404, 409, 429, 500, 502, 503} {
		for _, b := range r.errorBodies() {
			b, st := b, st
			add(klMode{name: fmt.Sprintf("HTTP %d, %s", st, b.name), core: true, answer: func(w http.ResponseWriter, _ wireReq, _ int) {
				for name, v := range b.headers {
					w.Header().Set(name, v)
				}
				w.Header().Set("Content-Type", b.ctype)
				w.WriteHeader(st)
				_, _ = io.WriteString(w, b.body)
			}})
		}
	}

	// 200 answers the client cannot read.
	body200 := func(ctype, body func(field string) string) klHandler {
		return func(w http.ResponseWriter, req wireReq, _ int) {
			f := klRootField(req.OpName)
			w.Header().Set("Content-Type", ctype(f))
			w.WriteHeader(200)
			_, _ = io.WriteString(w, body(f))
		}
	}
	jsonType := func(string) string { return "application/json" }
	add(klMode{name: "HTTP 200, JSON truncated inside a string holding the key", answer: body200(jsonType, func(f string) string {
		return `{"data":{"` + f + `":{"errors":[{"message":"` + k
	})})
	add(klMode{name: "HTTP 200, invalid JSON with the key as a bare value", answer: body200(jsonType, func(string) string { return `{"data": ` + k + `}` })})
	add(klMode{name: "HTTP 200, HTML body echoing the key", answer: body200(func(string) string { return "text/html" }, func(string) string {
		return "<html><body>proxy echo: X-API-KEY: " + k + "</body></html>"
	})})
	add(klMode{name: "HTTP 200, data of the wrong type (the key as a string)", answer: body200(jsonType, func(f string) string {
		return `{"data":{"` + f + `":` + klJ(k) + `}}`
	})})
	add(klMode{name: "HTTP 200, __typename, enum and scalars are the key", dataEcho: true, answer: body200(jsonType, func(f string) string {
		kj := klJ(k)
		return `{"data":{"` + f + `":{"__typename":` + kj + `,"status":` + kj + `,"errors":[],"amount":` + kj + `,"network":` + kj +
			`,"transaction":{"id":"t","createdAt":` + kj + `,"initiationVia":{"__typename":` + kj + `},"settlementVia":{"__typename":` + kj + `}},` +
			`"defaultAccount":{"__typename":` + kj + `,"wallets":[{"__typename":` + kj + `}]},"walletById":{"__typename":` + kj + `},` +
			`"invoice":{"createdAt":` + kj + `},"scopes":[` + kj + `]}}}`
	})})
	add(klMode{name: "HTTP 200, unknown payment status is the key", payload: true, answer: body200(jsonType, func(f string) string {
		return `{"data":{"` + f + `":{"status":` + klJ(k) + `,"errors":[],"transaction":null}}}`
	})})
	add(klMode{name: "HTTP 200, data null and no errors", answer: body200(jsonType, func(string) string { return `{"data":null}` })})

	// Redirects: the client must not follow them, nor repeat the Location.
	for _, st := range []int{301, 302, 303, 307, 308} {
		st := st
		add(klMode{name: fmt.Sprintf("redirect %d with the key in Location and body", st), answer: func(w http.ResponseWriter, _ wireReq, _ int) {
			w.Header().Set("Location", "https://evil.example/steal?api-key="+k)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(st)
			_, _ = io.WriteString(w, `<a href="https://evil.example/steal?api-key=`+k+`">moved</a>`)
		}})
	}

	// The connection drops after the request was read (for a send: after
	// it may have been executed).
	add(klMode{name: "connection dropped after the request", answer: func(w http.ResponseWriter, _ wireReq, _ int) { dropConnection(w) }})

	// A custom RoundTripper (WithHTTPClient) whose errors hold the key.
	failing := func(mk func() error) func(http.RoundTripper, string) http.RoundTripper {
		return func(inner http.RoundTripper, op string) http.RoundTripper {
			return &klTransport{inner: inner, op: op, fail: mk}
		}
	}
	add(klMode{name: "RoundTripper error text holds the key", transport: failing(func() error {
		return fmt.Errorf("proxy refused the request carrying X-API-KEY %s", k)
	})})
	add(klMode{name: "RoundTripper dial error holds the key", transport: failing(func() error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused " + k)}
	})})
	add(klMode{name: "RoundTripper *url.Error holds the key in URL and cause", transport: failing(func() error {
		return &url.Error{Op: "Post", URL: "https://proxy.example/?api-key=" + k, Err: errors.New("tunnel: " + k)}
	})})
	add(klMode{name: "RoundTripper joined errors hold the key", transport: failing(func() error {
		return errors.Join(errors.New("first attempt failed"), fmt.Errorf("second: %w", errors.New("key "+k)))
	})})
	add(klMode{name: "RoundTripper error wraps a deadline and the key", transport: failing(func() error {
		return fmt.Errorf("%w (X-API-KEY %s)", context.DeadlineExceeded, k)
	})})
	return ms
}

type klBody struct {
	name, ctype, body string
	headers           map[string]string
}

// errorBodies are error bodies with the key at many offsets, around byte
// 200 (where the message is cut) and around 16 KiB (where reading stops).
func (r *klRig) errorBodies() []klBody {
	k := r.key
	pad := func(n int) string { return strings.Repeat(".", n) }
	html := "<html><head><title>" + k + "</title></head><body>" + pad(120) + k + pad(40) + "<p>" + k[10:50] + "</p>" + pad(300) + k + "</body></html>"
	return []klBody{
		{name: "HTML, key at byte 0 and at many offsets", ctype: "text/html", body: k + html},
		{name: "text, key across the 200-byte cut", ctype: "text/plain", body: pad(190) + k + " tail"},
		{name: "text, key starting at byte 195", ctype: "text/plain", body: pad(195) + k},
		{name: "text, key starting at byte 200", ctype: "text/plain", body: pad(200) + k},
		{name: "text, key ending at byte 200", ctype: "text/plain", body: pad(200-len(k)) + k + pad(50)},
		{name: "text, a 30-byte piece of the key across the cut", ctype: "text/plain", body: pad(185) + k[10:40] + pad(20)},
		{name: "text, multi-byte characters before the key near the cut", ctype: "text/plain", body: strings.Repeat("é", 97) + k},
		{name: "text, key repeated past the 16 KiB read limit", ctype: "text/plain", body: strings.Repeat(k+" ", 300)},
		{name: "text, key across the 16 KiB read limit", ctype: "text/plain", body: pad(16<<10-20) + k},
		{name: `JSON {"error": string} with the key`, ctype: "application/json", body: `{"error":` + klJ("denied for "+k) + `}`},
		{name: `JSON {"error":{"message"}} with the key`, ctype: "application/json", body: `{"error":{"code":401,"status":"Unauthorized","message":` + klJ("Access credentials "+k+" are invalid") + `}}`},
		{name: "JSON GraphQL errors with the key", ctype: "application/json", body: `{"data":null,"errors":[{"message":` + klJ(r.echo("bad")) + `,"code":` + klJ(k) + `,"extensions":{"code":` + klJ(k) + `},"path":[` + klJ(k) + `]}]}`},
		{name: "response headers echo the key", ctype: "text/plain", body: "denied",
			headers: map[string]string{"Retry-After": k, "Date": k, "Www-Authenticate": `Bearer realm="` + k + `"`, "X-Echo-Api-Key": k, "Set-Cookie": "k=" + k}},
	}
}

// klTransport fails the requests of one operation and passes the rest on.
type klTransport struct {
	inner http.RoundTripper
	op    string
	fail  func() error
}

func (t *klTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	var v struct {
		OperationName string `json:"operationName"`
	}
	_ = json.Unmarshal(body, &v)
	if v.OperationName == t.op {
		return nil, t.fail()
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return t.inner.RoundTrip(req)
}

// ---------------------------------------------------------------------------
// Targets: the calls each failure mode is applied to.

type klTarget struct {
	name    string
	op      string // the operation whose answer fails
	payload bool
	core    bool
	noScope bool // the client does not know its scopes (they are learnt)
	call    func(x klRec)
}

func (r *klRig) targetList() []klTarget {
	w := klW1
	pay := func(name string, f func(x klRec) (*PaymentResult, error)) func(x klRec) {
		return func(x klRec) { res, err := f(x); x.result(name, res, err) }
	}
	return []klTarget{
		{name: "PayInvoice", op: "LnInvoicePaymentSend", payload: true, core: true, call: pay("PayInvoice", func(x klRec) (*PaymentResult, error) {
			return x.c.PayInvoice(x.ctx, w, r.inv, nil)
		})},
		{name: "PayInvoice with MaxFee (fee probe)", op: "LnInvoiceFeeProbe", payload: true, call: pay("PayInvoice", func(x klRec) (*PaymentResult, error) {
			return x.c.PayInvoice(x.ctx, w, r.inv, &PayOptions{MaxFee: 10})
		})},
		{name: "PayNoAmountInvoice", op: "LnNoAmountInvoicePaymentSend", payload: true, call: pay("PayNoAmountInvoice", func(x klRec) (*PaymentResult, error) {
			return x.c.PayNoAmountInvoice(x.ctx, w, r.noAmount, 100, nil)
		})},
		{name: "PayNoAmountInvoiceUSD", op: "LnNoAmountUsdInvoicePaymentSend", payload: true, call: pay("PayNoAmountInvoiceUSD", func(x klRec) (*PaymentResult, error) {
			return x.c.PayNoAmountInvoiceUSD(x.ctx, klW2, r.noAmount, 100, nil)
		})},
		{name: "SendIntraLedger", op: "IntraLedgerPaymentSend", payload: true, core: true, call: pay("SendIntraLedger", func(x klRec) (*PaymentResult, error) {
			return x.c.SendIntraLedger(x.ctx, w, klW3, 100, &PayOptions{Memo: "order 1"})
		})},
		{name: "SendIntraLedgerUSD", op: "IntraLedgerUsdPaymentSend", payload: true, call: pay("SendIntraLedgerUSD", func(x klRec) (*PaymentResult, error) {
			return x.c.SendIntraLedgerUSD(x.ctx, klW2, klW3, 100, nil)
		})},
		{name: "SendOnChain", op: "OnChainPaymentSend", payload: true, core: true, call: pay("SendOnChain", func(x klRec) (*PaymentResult, error) {
			return x.c.SendOnChain(x.ctx, w, klAddress, 10_000, nil)
		})},
		{name: "SendAllOnChain", op: "OnChainPaymentSendAll", payload: true, call: pay("SendAllOnChain", func(x klRec) (*PaymentResult, error) {
			return x.c.SendAllOnChain(x.ctx, w, klAddress, nil)
		})},
		{name: "SendOnChainUSD", op: "OnChainUsdPaymentSend", payload: true, call: pay("SendOnChainUSD", func(x klRec) (*PaymentResult, error) {
			return x.c.SendOnChainUSD(x.ctx, klW2, klAddress, 500, nil)
		})},
		{name: "PayLightningAddress", op: "LnAddressPaymentSend", payload: true, call: pay("PayLightningAddress", func(x klRec) (*PaymentResult, error) {
			return x.c.PayLightningAddress(x.ctx, w, "alice@blink.sv", 100, nil)
		})},
		{name: "PayLNURL", op: "LnurlPaymentSend", payload: true, call: pay("PayLNURL", func(x klRec) (*PaymentResult, error) {
			return x.c.PayLNURL(x.ctx, w, klLNURL, 100, nil)
		})},
		{name: "ProbeInvoiceFee", op: "LnInvoiceFeeProbe", payload: true, core: true, call: func(x klRec) {
			f, err := x.c.ProbeInvoiceFee(x.ctx, w, r.inv)
			x.result("ProbeInvoiceFee", f, err)
		}},
		{name: "ProbeInvoiceFeeUSD", op: "LnUsdInvoiceFeeProbe", payload: true, call: func(x klRec) {
			f, err := x.c.ProbeInvoiceFeeUSD(x.ctx, klW2, r.inv)
			x.result("ProbeInvoiceFeeUSD", f, err)
		}},
		{name: "ProbeNoAmountInvoiceFee", op: "LnNoAmountInvoiceFeeProbe", payload: true, call: func(x klRec) {
			f, err := x.c.ProbeNoAmountInvoiceFee(x.ctx, w, r.noAmount, 100)
			x.result("ProbeNoAmountInvoiceFee", f, err)
		}},
		{name: "OnChainFee", op: "OnChainTxFee", call: func(x klRec) {
			f, err := x.c.OnChainFee(x.ctx, w, klAddress, 10_000, Fast)
			x.result("OnChainFee", f, err)
		}},
		{name: "CreateInvoice", op: "LnInvoiceCreate", payload: true, core: true, call: func(x klRec) {
			inv, err := x.c.CreateInvoice(x.ctx, w, 1000, &InvoiceOptions{Memo: "order 1"})
			x.result("CreateInvoice", inv, err)
		}},
		{name: "CreateUSDInvoice", op: "LnUsdInvoiceCreate", payload: true, call: func(x klRec) {
			inv, err := x.c.CreateUSDInvoice(x.ctx, klW2, 100, nil)
			x.result("CreateUSDInvoice", inv, err)
		}},
		{name: "CreateNoAmountInvoice", op: "LnNoAmountInvoiceCreate", payload: true, call: func(x klRec) {
			inv, err := x.c.CreateNoAmountInvoice(x.ctx, w, nil)
			x.result("CreateNoAmountInvoice", inv, err)
		}},
		{name: "CreateInvoiceForRecipient", op: "LnInvoiceCreateOnBehalfOfRecipient", payload: true, call: func(x klRec) {
			inv, err := x.c.CreateInvoiceForRecipient(x.ctx, RecipientWallet(klW3), 1000, nil)
			x.result("CreateInvoiceForRecipient", inv, err)
		}},
		{name: "CreateOnChainAddress", op: "OnChainAddressCreate", payload: true, core: true, call: func(x klRec) {
			a, err := x.c.CreateOnChainAddress(x.ctx, w)
			x.result("CreateOnChainAddress", a, err)
		}},
		{name: "CurrentOnChainAddress", op: "OnChainAddressCurrent", payload: true, call: func(x klRec) {
			a, err := x.c.CurrentOnChainAddress(x.ctx, w)
			x.result("CurrentOnChainAddress", a, err)
		}},
		{name: "AddCallbackEndpoint", op: "CallbackEndpointAdd", payload: true, core: true, call: func(x klRec) {
			id, err := x.c.AddCallbackEndpoint(x.ctx, "https://merchant.example/hooks")
			x.result("AddCallbackEndpoint", id, err)
		}},
		{name: "DeleteCallbackEndpoint", op: "CallbackEndpointDelete", payload: true, call: func(x klRec) {
			x.result("DeleteCallbackEndpoint", nil, x.c.DeleteCallbackEndpoint(x.ctx, "ep_1"))
		}},
		{name: "CancelInvoice", op: "LnInvoiceCancel", payload: true, call: func(x klRec) {
			x.result("CancelInvoice", nil, x.c.CancelInvoice(x.ctx, w, r.hash))
		}},
		{name: "Me", op: "Me", core: true, call: func(x klRec) {
			me, err := x.c.Me(x.ctx)
			x.result("Me", me, err)
		}},
		{name: "Wallets", op: "Wallets", call: func(x klRec) {
			ws, err := x.c.Wallets(x.ctx)
			x.result("Wallets", ws, err)
		}},
		{name: "Globals", op: "Globals", call: func(x klRec) {
			g, err := x.c.Globals(x.ctx)
			x.result("Globals", g, err)
		}},
		{name: "AccountDefaultWallet", op: "AccountDefaultWallet", call: func(x klRec) {
			pw, err := x.c.AccountDefaultWallet(x.ctx, "alice", BTC)
			x.result("AccountDefaultWallet", pw, err)
		}},
		{name: "InvoiceStatus", op: "LnInvoicePaymentStatusByHash", call: func(x klRec) {
			st, err := x.c.InvoiceStatus(x.ctx, r.hash)
			x.result("InvoiceStatus", st, err)
		}},
		{name: "TransactionsPage", op: "Transactions", call: func(x klRec) {
			p, err := x.c.TransactionsPage(x.ctx, nil)
			x.result("TransactionsPage", p, err)
		}},
		{name: "InvoicesPage", op: "Invoices", call: func(x klRec) {
			p, err := x.c.InvoicesPage(x.ctx, nil)
			x.result("InvoicesPage", p, err)
		}},
		{name: "Scopes (authorization query fails; then a send)", op: "Authorization", noScope: true, core: true, call: func(x klRec) {
			s, err := x.c.Scopes(x.ctx)
			x.result("Scopes", s, err)
			res, err := x.c.SendIntraLedger(x.ctx, w, klW3, 100, nil)
			x.result("SendIntraLedger while scopes unknown", res, err)
		}},
		{name: "ResolvePayment by payment hash", op: "TransactionsByPaymentHash", core: true, call: func(x klRec) {
			res, err := x.c.ResolvePayment(x.ctx, PaymentLookup{WalletID: w, PaymentHash: r.hash, Since: time.Now().Add(-time.Minute)})
			x.result("ResolvePayment", res, err)
		}},
		{name: "ResolvePayment in the ledger", op: "Transactions", call: func(x klRec) {
			res, err := x.c.ResolvePayment(x.ctx, PaymentLookup{WalletID: w, Amount: 100, Recipient: klW3, Memo: "order 1"})
			x.result("ResolvePayment", res, err)
		}},
		{name: "WaitForPayment", op: "TransactionsByPaymentHash", call: func(x klRec) {
			ctx, cancel := context.WithTimeout(x.ctx, 100*time.Millisecond)
			defer cancel()
			res, err := x.c.WaitForPayment(ctx, w, r.hash, &WaitOptions{Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond})
			x.result("WaitForPayment", res, err)
		}},
		{name: "RetireIdempotencyKey", op: "Globals", core: true, call: func(x klRec) {
			arrived, err := x.c.RetireIdempotencyKey(x.ctx, NewIdempotencyKey())
			x.result("RetireIdempotencyKey", arrived, err)
		}},
		{name: "FinishPayment of an intraledger send (retires the key)", op: "Globals", call: func(x klRec) {
			now := time.Now()
			ou := &OutcomeUnknownError{Operation: "IntraLedgerPaymentSend", IdempotencyKey: NewIdempotencyKey(), WalletID: w, Amount: 100,
				Recipient: klW3, StartedAt: now, StartedAfter: now.Add(-time.Second), StartedBefore: now.Add(time.Second)}
			res, err := x.c.FinishPayment(x.ctx, ou)
			x.result1("FinishPayment", res, err, false)
			x.err("the OutcomeUnknownError after FinishPayment", ou)
		}},
		{name: "FinishPayment of an intraledger send that arrived (ledger look-up)", op: "Transactions", call: func(x klRec) {
			now := time.Now()
			ou := &OutcomeUnknownError{Operation: "IntraLedgerPaymentSend", IdempotencyKey: NewIdempotencyKey(), WalletID: w, Amount: 100,
				Recipient: klW3, StartedAt: now, StartedAfter: now.Add(-time.Second), StartedBefore: now.Add(time.Second), ArrivedBy: now}
			res, err := x.c.FinishPayment(x.ctx, ou)
			x.result1("FinishPayment", res, err, false)
			x.err("the OutcomeUnknownError after FinishPayment", ou)
		}},
		{name: "FinishPayment of an invoice send", op: "TransactionsByPaymentHash", call: func(x klRec) {
			now := time.Now()
			ou := &OutcomeUnknownError{Operation: "LnInvoicePaymentSend", IdempotencyKey: NewIdempotencyKey(), WalletID: w, PaymentHash: r.hash,
				PaymentRequest: r.inv, StartedAt: now, StartedAfter: now.Add(-time.Second), StartedBefore: now.Add(time.Second)}
			res, err := x.c.FinishPayment(x.ctx, ou)
			x.result1("FinishPayment", res, err, false)
		}},
	}
}

var klAllScopes = WithScopes(ScopeRead, ScopeReceive, ScopeWrite)

// targets applies every failure mode to every target it fits, after a
// benign run that proves the target reaches the server and succeeds.
func (r *klRig) targets() {
	modes := r.modes()
	for _, tg := range r.targetList() {
		opts := []Option{klAllScopes}
		if tg.noScope {
			opts = nil
		}
		var benignErr error
		r.run("benign / "+tg.name, r.benignAll, opts, func(x klRec) {
			tg.call(x)
			benignErr = r.benignCheck(tg, x)
		})
		if benignErr != nil {
			r.t.Errorf("rig: %s does not succeed against the benign server: %s", tg.name, redact.Secret(benignErr.Error(), r.key))
		}
		for _, m := range modes {
			if (m.payload && !tg.payload) || (m.core && !tg.core) {
				continue
			}
			h := r.only(tg.op, m.answer)
			o := opts
			if m.transport != nil {
				h = r.benignAll
				o = append(append([]Option(nil), opts...), WithHTTPClient(&http.Client{Transport: m.transport(r.inner, tg.op)}))
			}
			r.dataEcho = m.dataEcho
			logs := r.run(m.name+" / "+tg.name, h, o, tg.call)
			r.dataEcho = false
			if tg.noScope && strings.Contains(logs, "could not learn the key's scopes") {
				r.learnLogs++
			}
		}
	}
}

// benignCheck runs the target's call once more, unaudited, for its error.
func (r *klRig) benignCheck(tg klTarget, x klRec) error {
	var got error
	switch tg.name {
	case "Me":
		_, got = x.c.Me(x.ctx)
	case "SendIntraLedger":
		_, got = x.c.SendIntraLedger(x.ctx, klW1, klW3, 100, nil)
	case "PayInvoice":
		_, got = x.c.PayInvoice(x.ctx, klW1, r.inv, nil)
	case "PayLNURL":
		_, got = x.c.PayLNURL(x.ctx, klW1, klLNURL, 100, nil)
	case "PayLightningAddress":
		_, got = x.c.PayLightningAddress(x.ctx, klW1, "alice@blink.sv", 100, nil)
	case "SendOnChain":
		_, got = x.c.SendOnChain(x.ctx, klW1, klAddress, 10_000, nil)
	case "CreateInvoice":
		_, got = x.c.CreateInvoice(x.ctx, klW1, 1000, nil)
	case "ProbeInvoiceFee":
		_, got = x.c.ProbeInvoiceFee(x.ctx, klW1, r.inv)
	}
	return got
}

// ---------------------------------------------------------------------------
// The scope-learning path, with debug logs, and its concurrent first use.

func (r *klRig) scopeLearning() {
	if r.learnLogs == 0 {
		r.t.Errorf("rig: no scope-learning run wrote the \"could not learn the key's scopes\" record: the path was not exercised")
	}
	// Concurrent first calls share one failing authorization query and its
	// error: each scrubs and logs it.
	slow := func(w http.ResponseWriter, req wireReq, n int) {
		if req.OpName == "Authorization" {
			time.Sleep(30 * time.Millisecond)
			writeJSON(w, 200, `{"data":null,"errors":[{"message":`+klJ(r.echo("authorization failed"))+`,"extensions":{"code":`+klJ(r.key)+`},"path":[`+klJ(r.key)+`]}]}`)
			return
		}
		r.benign(w, req)
	}
	logs := r.run("scope learning: 8 concurrent first calls while the authorization query fails echoing the key", slow, nil, func(x klRec) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				var err error
				if i%2 == 0 {
					_, err = x.c.Me(x.ctx)
				} else {
					_, err = x.c.SendIntraLedger(x.ctx, klW1, klW3, 100, nil)
				}
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			x.err(fmt.Sprintf("call %d err", i), err)
		}
	})
	if !strings.Contains(logs, "could not learn the key's scopes") {
		r.t.Errorf("rig: the concurrent scope-learning run wrote no \"could not learn the key's scopes\" record")
	}
}

// ---------------------------------------------------------------------------
// Server data that the SDK puts into its own errors and logs.

func (r *klRig) serverDataInErrors() {
	k := r.key
	w := klW1
	with := func(op, data string) klHandler {
		return r.only(op, func(rw http.ResponseWriter, _ wireReq, _ int) { writeJSON(rw, 200, `{"data":`+data+`}`) })
	}

	// globals.network is the key: the network guards quote it.
	network := with("Globals", `{"globals":{"network":`+klJ(k)+`,"lightningAddressDomain":`+klJ(k)+`,"nodesIds":[`+klJ(k)+`]}}`)
	for _, c := range []struct {
		name string
		call func(x klRec)
	}{
		{"PayInvoice", func(x klRec) { res, err := x.c.PayInvoice(x.ctx, w, r.inv, nil); x.result("PayInvoice", res, err) }},
		{"PayNoAmountInvoice", func(x klRec) {
			res, err := x.c.PayNoAmountInvoice(x.ctx, w, r.noAmount, 100, nil)
			x.result("PayNoAmountInvoice", res, err)
		}},
		{"SendOnChain", func(x klRec) {
			res, err := x.c.SendOnChain(x.ctx, w, klAddress, 10_000, nil)
			x.result("SendOnChain", res, err)
		}},
		{"OnChainFee", func(x klRec) {
			f, err := x.c.OnChainFee(x.ctx, w, klAddress, 10_000, Fast)
			x.result("OnChainFee", f, err)
		}},
	} {
		r.run("globals.network is the key / "+c.name, network, []Option{klAllScopes}, c.call)
	}

	// wallets[].walletCurrency is the key: the currency guard quotes it.
	currency := with("Wallets", `{"me":{"defaultAccount":{"__typename":"ConsumerAccount","wallets":[`+
		`{"__typename":"BTCWallet","id":"`+w+`","walletCurrency":`+klJ(k)+`,"balance":1000,"pendingIncomingBalance":0}]}}}`)
	for _, c := range []struct {
		name string
		call func(x klRec)
	}{
		{"SendIntraLedger", func(x klRec) {
			res, err := x.c.SendIntraLedger(x.ctx, w, klW3, 100, nil)
			x.result("SendIntraLedger", res, err)
		}},
		{"PayNoAmountInvoice", func(x klRec) {
			res, err := x.c.PayNoAmountInvoice(x.ctx, w, r.noAmount, 100, nil)
			x.result("PayNoAmountInvoice", res, err)
		}},
		{"SendOnChain", func(x klRec) {
			res, err := x.c.SendOnChain(x.ctx, w, klAddress, 10_000, nil)
			x.result("SendOnChain", res, err)
		}},
		{"PayLightningAddress", func(x klRec) {
			res, err := x.c.PayLightningAddress(x.ctx, w, "alice@blink.sv", 100, nil)
			x.result("PayLightningAddress", res, err)
		}},
	} {
		r.run("wallets[].walletCurrency is the key / "+c.name, currency, []Option{klAllScopes}, c.call)
	}

	// accountDefaultWallet.id is the key and the send's answer is lost: the
	// unknown outcome carries the server's wallet id as Recipient.
	for _, send := range []struct {
		name, op string
		call     func(x klRec) (*PaymentResult, error)
	}{
		{"SendIntraLedger", "IntraLedgerPaymentSend", func(x klRec) (*PaymentResult, error) {
			return x.c.SendIntraLedger(x.ctx, w, "bob", 100, nil)
		}},
		{"SendIntraLedgerUSD", "IntraLedgerUsdPaymentSend", func(x klRec) (*PaymentResult, error) {
			return x.c.SendIntraLedgerUSD(x.ctx, klW2, "bob", 100, nil)
		}},
	} {
		h := func(rw http.ResponseWriter, req wireReq, n int) {
			switch req.OpName {
			case "AccountDefaultWallet":
				writeJSON(rw, 200, `{"data":{"accountDefaultWallet":{"id":`+klJ(k)+`,"currency":"BTC"}}}`)
			case send.op:
				writeJSON(rw, 503, `busy`)
			default:
				r.benign(rw, req)
			}
		}
		r.runKey("accountDefaultWallet.id is the key, the send answers 503 / "+send.name, k, false, h, []Option{klAllScopes}, func(x klRec) {
			res, err := send.call(x)
			x.result(send.name, res, err)
		})
	}

	// A duplicate external id: the invoice the SDK finds carries the key
	// as its payment hash.
	dupCreate := func(rw http.ResponseWriter) {
		writeJSON(rw, 200, `{"data":{"lnInvoiceCreate":{"invoice":null,"errors":[{"__typename":"GraphQLApplicationError","code":"INVALID_INPUT",`+
			`"message":"External id for invoice or transaction already exists","path":["input","externalId"]}]}}}`)
	}
	listed := func(sats int) string {
		return `{"data":{"me":{"defaultAccount":{"__typename":"ConsumerAccount","invoices":{"edges":[{"cursor":"c1","node":{"__typename":"LnInvoice",` +
			`"createdAt":1700000000,"externalId":"order-1","paymentHash":` + klJ(k) + `,"paymentRequest":"` + r.inv + `","paymentSecret":"` + r.hash +
			`","paymentStatus":"PENDING","satoshis":` + strconv.Itoa(sats) + `}}],"pageInfo":{"hasNextPage":false,"hasPreviousPage":false,"startCursor":null,"endCursor":"c1"}}}}}}`
	}
	for _, c := range []struct {
		name, invoices string
	}{
		{"its amount differs (error names the invoice)", listed(999)},
		{"it matches (debug record names the invoice)", listed(1000)},
		{"the invoice list fails echoing the key", `{"data":null,"errors":[` + `{"message":` + klJ(r.echo("list failed")) + `,"extensions":{"code":` + klJ(k) + `}}]}`},
	} {
		h := func(rw http.ResponseWriter, req wireReq, n int) {
			switch req.OpName {
			case "LnInvoiceCreate":
				dupCreate(rw)
			case "Invoices":
				writeJSON(rw, 200, c.invoices)
			default:
				r.benign(rw, req)
			}
		}
		r.run("duplicate external id, the listed invoice's paymentHash is the key, "+c.name+" / CreateInvoice", h, []Option{klAllScopes}, func(x klRec) {
			inv, err := x.c.CreateInvoice(x.ctx, w, 1000, &InvoiceOptions{ExternalID: "order-1"})
			_ = inv // the invoice the server returned is its data, the key included
			x.err("CreateInvoice err", err)
		})
	}

	// authorization.scopes holds the key: it is not a scope.
	r.run("authorization.scopes holds the key / Scopes", with("Authorization", `{"authorization":{"scopes":["READ",`+klJ(k)+`]}}`), nil, func(x klRec) {
		s, err := x.c.Scopes(x.ctx)
		x.result("Scopes", s, err)
		res, err := x.c.SendIntraLedger(x.ctx, w, klW3, 100, nil)
		x.result("SendIntraLedger", res, err)
	})
}

// ---------------------------------------------------------------------------
// A caller who passes the key itself in a wrong argument.

func (r *klRig) keyInWrongArgument() {
	k := r.key
	w := klW1
	type call struct {
		name string
		f    func(x klRec)
	}
	pay := func(name string, f func(x klRec) (*PaymentResult, error)) call {
		return call{name, func(x klRec) { res, err := f(x); x.result(name, res, err) }}
	}
	one := func(name string, f func(x klRec) (any, error)) call {
		return call{name, func(x klRec) { v, err := f(x); x.result(name, v, err) }}
	}
	now := time.Now()
	ouFor := func(op, recipient string) *OutcomeUnknownError {
		return &OutcomeUnknownError{Operation: op, IdempotencyKey: NewIdempotencyKey(), WalletID: w, Amount: 100, Recipient: recipient,
			StartedAt: now, StartedAfter: now.Add(-time.Second), StartedBefore: now.Add(time.Second)}
	}
	calls := []call{
		// The key as a wallet id.
		pay("walletID: PayInvoice", func(x klRec) (*PaymentResult, error) { return x.c.PayInvoice(x.ctx, k, r.inv, nil) }),
		pay("walletID: PayNoAmountInvoice", func(x klRec) (*PaymentResult, error) { return x.c.PayNoAmountInvoice(x.ctx, k, r.noAmount, 1, nil) }),
		pay("walletID: PayNoAmountInvoiceUSD", func(x klRec) (*PaymentResult, error) {
			return x.c.PayNoAmountInvoiceUSD(x.ctx, k, r.noAmount, 1, nil)
		}),
		pay("walletID: PayLightningAddress", func(x klRec) (*PaymentResult, error) {
			return x.c.PayLightningAddress(x.ctx, k, "alice@blink.sv", 1, nil)
		}),
		pay("walletID: PayLNURL", func(x klRec) (*PaymentResult, error) { return x.c.PayLNURL(x.ctx, k, klLNURL, 1, nil) }),
		pay("walletID: SendIntraLedger", func(x klRec) (*PaymentResult, error) { return x.c.SendIntraLedger(x.ctx, k, klW3, 1, nil) }),
		pay("walletID: SendIntraLedgerUSD", func(x klRec) (*PaymentResult, error) { return x.c.SendIntraLedgerUSD(x.ctx, k, klW3, 1, nil) }),
		pay("walletID: SendOnChain", func(x klRec) (*PaymentResult, error) { return x.c.SendOnChain(x.ctx, k, klAddress, 1000, nil) }),
		pay("walletID: SendAllOnChain", func(x klRec) (*PaymentResult, error) { return x.c.SendAllOnChain(x.ctx, k, klAddress, nil) }),
		pay("walletID: SendOnChainUSD", func(x klRec) (*PaymentResult, error) { return x.c.SendOnChainUSD(x.ctx, k, klAddress, 100, nil) }),
		pay("walletID: SendOnChainUSDInSats", func(x klRec) (*PaymentResult, error) {
			return x.c.SendOnChainUSDInSats(x.ctx, k, klAddress, 1000, nil)
		}),
		one("walletID: ProbeInvoiceFee", func(x klRec) (any, error) { return x.c.ProbeInvoiceFee(x.ctx, k, r.inv) }),
		one("walletID: ProbeInvoiceFeeUSD", func(x klRec) (any, error) { return x.c.ProbeInvoiceFeeUSD(x.ctx, k, r.inv) }),
		one("walletID: ProbeNoAmountInvoiceFee", func(x klRec) (any, error) { return x.c.ProbeNoAmountInvoiceFee(x.ctx, k, r.noAmount, 1) }),
		one("walletID: ProbeNoAmountInvoiceFeeUSD", func(x klRec) (any, error) {
			return x.c.ProbeNoAmountInvoiceFeeUSD(x.ctx, k, r.noAmount, 1)
		}),
		one("walletID: OnChainFee", func(x klRec) (any, error) { return x.c.OnChainFee(x.ctx, k, klAddress, 1000, Fast) }),
		one("walletID: OnChainFeeUSD", func(x klRec) (any, error) { return x.c.OnChainFeeUSD(x.ctx, k, klAddress, 100, Fast) }),
		one("walletID: OnChainFeeUSDInSats", func(x klRec) (any, error) { return x.c.OnChainFeeUSDInSats(x.ctx, k, klAddress, 1000, Fast) }),
		one("walletID: CreateInvoice", func(x klRec) (any, error) { return x.c.CreateInvoice(x.ctx, k, 1, nil) }),
		one("walletID: CreateUSDInvoice", func(x klRec) (any, error) { return x.c.CreateUSDInvoice(x.ctx, k, 1, nil) }),
		one("walletID: CreateNoAmountInvoice", func(x klRec) (any, error) { return x.c.CreateNoAmountInvoice(x.ctx, k, nil) }),
		one("walletID: CreateInvoiceForRecipient", func(x klRec) (any, error) {
			return x.c.CreateInvoiceForRecipient(x.ctx, RecipientWallet(k), 1, nil)
		}),
		one("walletID: CreateOnChainAddress", func(x klRec) (any, error) { return x.c.CreateOnChainAddress(x.ctx, k) }),
		one("walletID: CurrentOnChainAddress", func(x klRec) (any, error) { return x.c.CurrentOnChainAddress(x.ctx, k) }),
		one("walletID: CancelInvoice", func(x klRec) (any, error) { return nil, x.c.CancelInvoice(x.ctx, k, r.hash) }),
		one("walletID: Invoice", func(x klRec) (any, error) { return x.c.Invoice(x.ctx, k, r.hash) }),
		one("walletID: InvoicesPage", func(x klRec) (any, error) {
			return x.c.InvoicesPage(x.ctx, &InvoiceListOptions{WalletIDs: []string{k}})
		}),
		one("walletID: TransactionsPage", func(x klRec) (any, error) {
			return x.c.TransactionsPage(x.ctx, &TransactionListOptions{WalletIDs: []string{k}})
		}),
		one("walletID: TransactionsByPaymentHash", func(x klRec) (any, error) { return x.c.TransactionsByPaymentHash(x.ctx, k, r.hash) }),
		one("walletID: Transaction", func(x klRec) (any, error) { return x.c.Transaction(x.ctx, k, "tx1") }),
		one("walletID: PendingIncomingTransactions", func(x klRec) (any, error) { return x.c.PendingIncomingTransactions(x.ctx, k) }),
		one("walletID: Wallet", func(x klRec) (any, error) { return x.c.Wallet(x.ctx, k) }),
		one("walletID: ResolvePayment", func(x klRec) (any, error) { return x.c.ResolvePayment(x.ctx, PaymentLookup{WalletID: k}) }),
		one("walletID: WaitForPayment", func(x klRec) (any, error) { return x.c.WaitForPayment(x.ctx, k, r.hash, nil) }),
		one("walletID: FinishPayment", func(x klRec) (any, error) {
			ou := ouFor("IntraLedgerPaymentSend", klW3)
			ou.WalletID = k
			return x.c.FinishPayment(x.ctx, ou)
		}),
		// The key as a payment request.
		pay("payment request: PayInvoice", func(x klRec) (*PaymentResult, error) { return x.c.PayInvoice(x.ctx, w, k, nil) }),
		pay("payment request: PayInvoice with lightning: prefix", func(x klRec) (*PaymentResult, error) {
			return x.c.PayInvoice(x.ctx, w, "lightning:"+k, nil)
		}),
		pay("payment request: PayNoAmountInvoice", func(x klRec) (*PaymentResult, error) { return x.c.PayNoAmountInvoice(x.ctx, w, k, 1, nil) }),
		pay("payment request: PayNoAmountInvoiceUSD", func(x klRec) (*PaymentResult, error) {
			return x.c.PayNoAmountInvoiceUSD(x.ctx, klW2, k, 1, nil)
		}),
		one("payment request: DecodeInvoice", func(x klRec) (any, error) { return DecodeInvoice(k) }),
		// The key as a lightning address or LNURL.
		pay("lightning address: PayLightningAddress(key)", func(x klRec) (*PaymentResult, error) {
			return x.c.PayLightningAddress(x.ctx, w, k, 1, nil)
		}),
		pay("lightning address: PayLightningAddress(key@blink.sv)", func(x klRec) (*PaymentResult, error) {
			return x.c.PayLightningAddress(x.ctx, w, k+"@blink.sv", 1, nil)
		}),
		pay("lightning address: PayLightningAddress(alice@key)", func(x klRec) (*PaymentResult, error) {
			return x.c.PayLightningAddress(x.ctx, w, "alice@"+k, 1, nil)
		}),
		pay("LNURL: PayLNURL(key)", func(x klRec) (*PaymentResult, error) { return x.c.PayLNURL(x.ctx, w, k, 1, nil) }),
		pay("LNURL: PayLNURL(lightning:key)", func(x klRec) (*PaymentResult, error) { return x.c.PayLNURL(x.ctx, w, "lightning:"+k, 1, nil) }),
		pay("LNURL: PayLNURL(lnurlp://key)", func(x klRec) (*PaymentResult, error) { return x.c.PayLNURL(x.ctx, w, "lnurlp://"+k, 1, nil) }),
		pay("LNURL: PayLNURL(https://host/?key)", func(x klRec) (*PaymentResult, error) {
			return x.c.PayLNURL(x.ctx, w, "http://pay.example.com/?api-key="+k, 1, nil)
		}),
		// The key as an on-chain address.
		pay("on-chain address: SendOnChain", func(x klRec) (*PaymentResult, error) { return x.c.SendOnChain(x.ctx, w, k, 1000, nil) }),
		pay("on-chain address: SendAllOnChain", func(x klRec) (*PaymentResult, error) { return x.c.SendAllOnChain(x.ctx, w, k, nil) }),
		pay("on-chain address: SendOnChain(bitcoin:key)", func(x klRec) (*PaymentResult, error) {
			return x.c.SendOnChain(x.ctx, w, "bitcoin:"+k, 1000, nil)
		}),
		one("on-chain address: OnChainFee", func(x klRec) (any, error) { return x.c.OnChainFee(x.ctx, w, k, 1000, Fast) }),
		// The key as a recipient or username.
		pay("recipient: SendIntraLedger", func(x klRec) (*PaymentResult, error) { return x.c.SendIntraLedger(x.ctx, w, k, 1, nil) }),
		pay("recipient: SendIntraLedgerUSD", func(x klRec) (*PaymentResult, error) { return x.c.SendIntraLedgerUSD(x.ctx, klW2, k, 1, nil) }),
		one("username: AccountDefaultWallet", func(x klRec) (any, error) { return x.c.AccountDefaultWallet(x.ctx, k, "") }),
		one("username: CreateInvoiceForRecipient", func(x klRec) (any, error) {
			return x.c.CreateInvoiceForRecipient(x.ctx, RecipientUser(k), 1, nil)
		}),
		// The key as a payment hash.
		one("payment hash: CancelInvoice", func(x klRec) (any, error) { return nil, x.c.CancelInvoice(x.ctx, w, k) }),
		one("payment hash: InvoiceStatus", func(x klRec) (any, error) { return x.c.InvoiceStatus(x.ctx, k) }),
		one("payment hash: Invoice", func(x klRec) (any, error) { return x.c.Invoice(x.ctx, w, k) }),
		one("payment hash: WaitForPayment", func(x klRec) (any, error) { return x.c.WaitForPayment(x.ctx, w, k, nil) }),
		one("payment hash: ResolvePayment", func(x klRec) (any, error) {
			return x.c.ResolvePayment(x.ctx, PaymentLookup{WalletID: w, PaymentHash: k})
		}),
		// The key as an idempotency key.
		pay("idempotency key: PayOptions.IdempotencyKey", func(x klRec) (*PaymentResult, error) {
			return x.c.SendIntraLedger(x.ctx, w, klW3, 1, &PayOptions{IdempotencyKey: k})
		}),
		pay("idempotency key: WithIdempotencyKey", func(x klRec) (*PaymentResult, error) {
			return x.c.SendIntraLedger(WithIdempotencyKey(x.ctx, k), w, klW3, 1, nil)
		}),
		pay("idempotency key: OnChainOptions.IdempotencyKey", func(x klRec) (*PaymentResult, error) {
			return x.c.SendOnChain(x.ctx, w, klAddress, 1000, &OnChainOptions{IdempotencyKey: k})
		}),
		one("idempotency key: RetireIdempotencyKey", func(x klRec) (any, error) { return x.c.RetireIdempotencyKey(x.ctx, k) }),
		one("idempotency key: FinishPayment", func(x klRec) (any, error) {
			ou := ouFor("IntraLedgerPaymentSend", klW3)
			ou.IdempotencyKey = k
			return x.c.FinishPayment(x.ctx, ou)
		}),
		// The key in the other arguments.
		one("operation: FinishPayment", func(x klRec) (any, error) { return x.c.FinishPayment(x.ctx, ouFor(k, klW3)) }),
		one("recipient: FinishPayment of a lightning address send", func(x klRec) (any, error) {
			return x.c.FinishPayment(x.ctx, ouFor("LnAddressPaymentSend", k))
		}),
		one("recipient: FinishPayment of an on-chain send", func(x klRec) (any, error) {
			return x.c.FinishPayment(x.ctx, ouFor("OnChainPaymentSend", k))
		}),
		one("external id: CreateInvoice", func(x klRec) (any, error) {
			return x.c.CreateInvoice(x.ctx, w, 1, &InvoiceOptions{ExternalID: k})
		}),
		one("webhook URL: CreateInvoiceForRecipient", func(x klRec) (any, error) {
			return x.c.CreateInvoiceForRecipient(x.ctx, RecipientWallet(klW3), 1, &RecipientInvoiceOptions{WebhookURL: k})
		}),
		one("description hash: CreateInvoiceForRecipient", func(x klRec) (any, error) {
			return x.c.CreateInvoiceForRecipient(x.ctx, RecipientWallet(klW3), 1, &RecipientInvoiceOptions{DescriptionHash: k})
		}),
		one("callback URL: AddCallbackEndpoint(key)", func(x klRec) (any, error) { return x.c.AddCallbackEndpoint(x.ctx, k) }),
		one("callback URL: AddCallbackEndpoint(key with a space)", func(x klRec) (any, error) { return x.c.AddCallbackEndpoint(x.ctx, k+" x") }),
		one("callback URL: AddCallbackEndpoint(ftp://key)", func(x klRec) (any, error) { return x.c.AddCallbackEndpoint(x.ctx, "ftp://"+k) }),
		one("display currency: RealtimePrice", func(x klRec) (any, error) { return x.c.RealtimePrice(x.ctx, k) }),
		one("wallet currency: DefaultWallet", func(x klRec) (any, error) { return x.c.DefaultWallet(x.ctx, WalletCurrency(k)) }),
		one("wallet currency: AccountDefaultWallet", func(x klRec) (any, error) {
			return x.c.AccountDefaultWallet(x.ctx, "alice", WalletCurrency(k))
		}),
		pay("payout speed: SendOnChain", func(x klRec) (*PaymentResult, error) {
			return x.c.SendOnChain(x.ctx, w, klAddress, 1000, &OnChainOptions{Speed: PayoutSpeed(k)})
		}),
		one("payout speed: OnChainFee", func(x klRec) (any, error) { return x.c.OnChainFee(x.ctx, w, klAddress, 1000, PayoutSpeed(k)) }),
	}
	for _, c := range calls {
		// The request body may carry the argument: the caller put it there.
		r.runKey("key as "+c.name, k, false, r.benignAll, []Option{klAllScopes}, c.f)
	}
}

// ---------------------------------------------------------------------------
// Configuration and connection strings.

func (r *klRig) configAndConnectionStrings() {
	k := r.key
	path := func(s string) string { return "config: " + s }
	newErr := func(name string, opts ...Option) {
		c, err := New(k, opts...)
		r.a.err(path(name), "New err", err)
		if c != nil {
			r.a.client(path(name), c)
		}
	}
	newErr("New(key, WithEnvironment(Staging))", WithEnvironment(Staging))
	newErr("New(key, WithEnvironment(Environment(key)))", WithEnvironment(Environment(k)))
	newErr("New(key, WithScopes(Scope(key)))", WithScopes(Scope(k)))
	newErr("New(key, WithEndpoint(key))", WithEndpoint(k))
	newErr("New(key, WithEndpoint(http remote with the key in its query))", WithEndpoint("http://remote.example/graphql?api-key="+k))
	newErr("New(key, WithEndpoint(https with the key as user info))", WithEndpoint("https://"+k+"@api.example.com/graphql"))
	newErr("New(key, WithEndpoint(https with the key as password))", WithEndpoint("https://u:"+k+"@api.example.com/graphql"))
	newErr("New(key, WithEndpoint(scheme-less with the key))", WithEndpoint("api.example.com/graphql?k="+k))
	newErr("New(key, WithWebSocketURL(ws remote with the key in its query))", WithWebSocketURL("ws://remote.example/graphql?api-key="+k))
	newErr("New(key, WithUserAgent(key and a newline))", WithUserAgent(k+"\n"))
	newErr("New(key, WithEndpoint(https with the key in its query)) prints", WithEndpoint("https://api.example.com/graphql?api-key="+k))
	newErr("New(key, WithEndpoint(https with the key in its path)) prints", WithEndpoint("https://api.example.com/"+k+"/graphql"))
	for _, bad := range []struct{ name, key string }{
		{"key with a trailing !", k + "!"},
		{"key one short", k[:len(k)-1]},
		{"key with a doubled prefix", "blink_" + k},
		{"key without its prefix", k[len("blink_"):]},
		{"key with a staging prefix", "galoy_staging_" + k[len("blink_"):]},
		{"key with a space", k[:30] + " " + k[30:]},
	} {
		c, err := New(bad.key)
		r.a.err(path("New("+bad.name+")"), "New err", err)
		if c != nil {
			r.a.client(path("New("+bad.name+")"), c)
		}
		cs := &ConnectionString{}
		r.a.err(path("SetAPIKey("+bad.name+")"), "SetAPIKey err", cs.SetAPIKey(bad.key))
	}
	for _, env := range []struct{ name, key, env, url string }{
		{"BLINK_API_KEY malformed", k + "x", "", ""},
		{"BLINK_ENV is the key", k, k, ""},
		{"BLINK_API_URL http remote with the key", k, "", "http://remote.example/?api-key=" + k},
	} {
		r.t.Setenv("BLINK_API_KEY", env.key)
		r.t.Setenv("BLINK_ENV", env.env)
		r.t.Setenv("BLINK_API_URL", env.url)
		c, err := NewFromEnv()
		r.a.err(path("NewFromEnv("+env.name+")"), "NewFromEnv err", err)
		if c != nil {
			r.a.client(path("NewFromEnv("+env.name+")"), c)
		}
	}

	// Malformed connection strings that hold the key.
	for _, s := range []struct{ name, cs string }{
		{"wallet-id malformed", "type=blink;api-key=" + k + ";wallet-id=not-a-uuid"},
		{"missing separator after the key", "type=blink;api-key=" + k + "wallet-id=" + klW1},
		{"comma for a separator", "type=blink,api-key=" + k},
		{"key repeated", "type=blink;api-key=" + k + ";api-key=" + k},
		{"key with a trailing =", "type=blink;api-key=" + k + "="},
		{"key as a part of its own", "type=blink;" + k},
		{"key as a key name", "type=blink;api-key=" + k + ";" + k + "=1"},
		{"foreign type", "type=lnbits;api-key=" + k},
		{"no type", "api-key=" + k},
		{"server with the key as user info", "type=blink;server=https://" + k + "@api.example.com/graphql;api-key=" + k},
		{"server not a URL", "type=blink;server=" + k + ";api-key=" + k},
		{"server with a glued part", "type=blink;server=https://api.blink.sv/graphql,api-key=" + k},
		{"currency malformed", "type=blink;api-key=" + k + ";currency=" + k},
		{"allowinsecure malformed", "type=blink;api-key=" + k + ";allowinsecure=" + k},
		{"key malformed", "type=blink;api-key=" + k + "!;wallet-id=" + klW1},
		{"http remote server", "type=blink;server=http://remote.example/graphql;api-key=" + k},
	} {
		p := path("ParseConnectionString(" + s.name + ")")
		cs, err := ParseConnectionString(s.cs)
		r.a.err(p, "ParseConnectionString err", err)
		if cs != nil {
			r.a.connString(p, cs)
			c, err := cs.NewClient()
			r.a.err(p, "NewClient err", err)
			if c != nil {
				r.a.client(p, c)
			}
		}
		c, cs2, err := NewFromConnectionString(s.cs)
		r.a.err(p, "NewFromConnectionString err", err)
		if cs2 != nil {
			r.a.connString(p, cs2)
		}
		if c != nil {
			r.a.client(p, c)
		}
	}

	// Well-formed connection strings: printing them and their clients.
	for _, s := range []struct{ name, cs string }{
		{"minimal", "type=blink;api-key=" + k},
		{"full", "type=blink;server=https://api.blink.sv/graphql;api-key=" + k + ";wallet-id=" + klW1 + ";currency=BTC;allowinsecure=false"},
		{"server with the key in its query", "type=blink;server=https://api.example.com/graphql?api-key=" + k + ";api-key=" + k},
	} {
		p := path("connection string (" + s.name + ") printed")
		c, cs, err := NewFromConnectionString(s.cs)
		r.a.err(p, "NewFromConnectionString err", err)
		if cs != nil {
			r.a.connString(p, cs)
		}
		if c != nil {
			r.a.client(p, c)
		}
	}
}
