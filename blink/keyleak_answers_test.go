package blink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

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
