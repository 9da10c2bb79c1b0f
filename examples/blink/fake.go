package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/spf13/cobra"
)

const fakeHelp = `fake runs blinktest, the SDK's fake Blink server, as a standalone server on
a loopback port: the stripe-mock of Blink, for tests of services written in any
language. It serves the real public GraphQL schema over HTTP and the websocket
at /graphql (also /graphqlws, so that --env local finds it on the default port
4455), with a real ledger, BOLT11 invoices, API keys and scopes.

THIS IS A TEST SERVER: it prints the API keys and connection strings of the
accounts it creates. They are fake keys that work only against this process,
so printing them is intended.

Accounts come from --accounts (name:sats, comma-separated) and --seed, a JSON
file:

  {"accounts": [{"username": "alice", "btcBalance": 100000, "usdBalance": 0,
                 "scopes": ["READ", "RECEIVE", "WRITE"]}]}

The test controls are an HTTP API under /_blinktest/ on the same port (POST
with a JSON body; answers are JSON, errors {"error": "..."} with status 400):

  GET  /_blinktest/accounts                  the accounts, with keys
  POST /_blinktest/accounts                  {username, btcBalance, usdBalance, scopes}: a new account
  GET  /_blinktest/balance?wallet=ID         {value, currency}
  POST /_blinktest/pay                       {paymentRequest, amount?}: pay an invoice from outside Blink
  POST /_blinktest/expire                    {paymentHash}: the invoice expires now
  POST /_blinktest/external-invoice          {amount, outcome: success|route-failure|pending}: an outside node's invoice
  POST /_blinktest/settle                    {paymentHash}: a pending outgoing payment succeeds
  POST /_blinktest/fail                      {paymentHash}: a pending outgoing payment fails (refunded)
  POST /_blinktest/receive-onchain           {address, amount}: a deposit, pending: {txHash}
  POST /_blinktest/confirm                   {txHash}: the deposit confirms
  POST /_blinktest/advance                   {seconds}: move the server's clock forward: {now}
  POST /_blinktest/fault                     {operation, fault, times}: inject a fault (fields of blinktest.Fault
                                             in camelCase: status, dropBeforeExecute, dropAfterExecute,
                                             statusAfterExecute, truncateAfterExecute, conflict, latencyMs)
  POST /_blinktest/clear-faults              remove every injected fault

The subcommands (blink fake pay, settle, ...) call that API at --control-url.`

// fakeAccount is an account of the standalone fake, as printed.
type fakeAccount struct {
	Username         string   `json:"username"`
	AccountID        string   `json:"accountId"`
	BTCWalletID      string   `json:"btcWalletId"`
	USDWalletID      string   `json:"usdWalletId"`
	APIKey           string   `json:"apiKey"`
	Scopes           []string `json:"scopes"`
	ConnectionString string   `json:"connectionString"`
}

type seedAccount struct {
	Username   string   `json:"username"`
	BTCBalance int64    `json:"btcBalance"`
	USDBalance int64    `json:"usdBalance"`
	Scopes     []string `json:"scopes"`
}

type fakeClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *fakeClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
	return c.now()
}

// fakeServer is blinktest behind a proxy on the chosen address, with the
// control API beside it.
type fakeServer struct {
	srv      *blinktest.Server
	clock    *fakeClock
	base     string // http://addr
	mu       sync.Mutex
	accounts []fakeAccount
}

func (f *fakeServer) addAccount(s seedAccount) (fakeAccount, error) {
	if s.BTCBalance < 0 || s.USDBalance < 0 {
		return fakeAccount{}, errors.New("balances cannot be negative")
	}
	var scopes []blink.Scope
	for _, x := range s.Scopes {
		sc := blink.Scope(strings.ToUpper(x))
		switch sc {
		case blink.ScopeRead, blink.ScopeReceive, blink.ScopeWrite:
		default:
			return fakeAccount{}, fmt.Errorf("scope %q is not READ, RECEIVE or WRITE", x)
		}
		scopes = append(scopes, sc)
	}
	if s.Username != "" && !usernameForm.MatchString(s.Username) {
		return fakeAccount{}, fmt.Errorf("username %q is not 3 to 50 of [0-9a-z_]", s.Username)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.accounts {
		if s.Username != "" && a.Username == s.Username {
			return fakeAccount{}, fmt.Errorf("username %q is taken", s.Username)
		}
	}
	acc := f.srv.CreateAccount(blinktest.AccountOptions{Username: s.Username, BTCBalance: blink.Sats(s.BTCBalance), USDBalance: blink.Cents(s.USDBalance)})
	key := f.srv.CreateAPIKey(acc.ID, blinktest.KeyOptions{Scopes: scopes})
	cs := blink.ConnectionString{Server: f.base + "/graphql", WalletID: acc.BTCWalletID}
	if err := cs.SetAPIKey(key); err != nil {
		return fakeAccount{}, err
	}
	if len(scopes) == 0 {
		scopes = []blink.Scope{blink.ScopeRead, blink.ScopeReceive, blink.ScopeWrite}
	}
	fa := fakeAccount{acc.Username, acc.ID, acc.BTCWalletID, acc.USDWalletID, key, scopeNames(scopes), cs.String()}
	f.accounts = append(f.accounts, fa)
	return fa, nil
}

func parseAccountsFlag(s string) ([]seedAccount, error) {
	var out []seedAccount
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, bal, _ := strings.Cut(part, ":")
		n := int64(0)
		if bal != "" {
			var err error
			if n, err = strconv.ParseInt(bal, 10, 64); err != nil || n < 0 {
				return nil, usageErrorf("--accounts: %q is not name:sats", part)
			}
		}
		out = append(out, seedAccount{Username: name, BTCBalance: n})
	}
	return out, nil
}

func (a *app) fakeCommand() *cobra.Command {
	var addr, seed, accounts, controlURL string
	cmd := &cobra.Command{
		Use:   "fake",
		Short: "Run the fake Blink server (blinktest) standalone, for tests in any language",
		Long:  fakeHelp,
		Example: "  blink fake --accounts alice:100000,bob:0\n  blink fake --addr 127.0.0.1:0 --seed accounts.json --json\n" +
			"  blink fake pay lnbcrt1...      # from another shell: someone outside Blink pays",
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var seeds []seedAccount
			if seed != "" {
				b, err := os.ReadFile(seed)
				if err != nil {
					return usageErrorf("--seed: %v", err)
				}
				var file struct {
					Accounts []seedAccount `json:"accounts"`
				}
				dec := json.NewDecoder(bytes.NewReader(b))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&file); err != nil {
					return usageErrorf("--seed %s: %v", seed, err)
				}
				seeds = append(seeds, file.Accounts...)
			}
			if accounts == "" && seed == "" {
				accounts = "alice:100000,bob:0"
			}
			more, err := parseAccountsFlag(accounts)
			if err != nil {
				return err
			}
			seeds = append(seeds, more...)
			return a.runFake(cmd.Context(), addr, seeds)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:4455", "the loopback address to listen on (port 0: any free port)")
	cmd.Flags().StringVar(&seed, "seed", "", "a JSON file of accounts to create")
	cmd.Flags().StringVar(&accounts, "accounts", "", "accounts to create, name:sats,... (default alice:100000,bob:0 without --seed)")
	def := os.Getenv("BLINK_FAKE_URL")
	if def == "" {
		def = "http://127.0.0.1:4455"
	}
	cmd.PersistentFlags().StringVar(&controlURL, "control-url", def, "the fake's base URL, for the subcommands ($BLINK_FAKE_URL)")
	cmd.AddCommand(a.fakeControlCommands(&controlURL)...)
	return cmd
}

func (a *app) runFake(ctx context.Context, addr string, seeds []seedAccount) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("--addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return usageErrorf("--addr must be a loopback address: the fake prints its keys and has no security")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	clock := &fakeClock{}
	srv := blinktest.NewServer(blinktest.WithClock(clock.now))
	defer srv.Close()
	f := &fakeServer{srv: srv, clock: clock, base: "http://" + ln.Addr().String()}
	for _, s := range seeds {
		if _, err := f.addAccount(s); err != nil {
			ln.Close()
			return usageErrorf("account %q: %v", s.Username, err)
		}
	}
	backend, err := url.Parse(srv.URL())
	if err != nil {
		return err
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: backend.Scheme, Host: backend.Host})
			if r.Out.URL.Path == "/graphqlws" {
				r.Out.URL.Path = "/graphql"
			}
		},
		FlushInterval: -1,
	}
	mux := http.NewServeMux()
	f.routes(mux)
	mux.Handle("/", proxy)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	if a.json {
		a.jsonLine(map[string]any{"url": f.base + "/graphql", "websocketUrl": "ws://" + ln.Addr().String() + "/graphql",
			"controlUrl": f.base + "/_blinktest", "network": srv.Network(), "accounts": f.accounts})
	} else {
		a.printf("Fake Blink server (blinktest) on %s/graphql, network %s\n", f.base, srv.Network())
		a.printf("Test controls: %s/_blinktest (see blink fake --help). A test server: the keys below are its own fake keys.\n\n", f.base)
		t := a.table()
		fmt.Fprintln(t, "USERNAME\tSCOPES\tBTC WALLET\tAPI KEY")
		for _, x := range f.accounts {
			fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", x.Username, strings.Join(x.Scopes, ","), x.BTCWalletID, x.APIKey)
		}
		t.Flush()
		a.printf("\nConnection strings:\n")
		for _, x := range f.accounts {
			a.printf("  %s: %s\n", x.Username, x.ConnectionString)
		}
		a.printf("\nTry: BLINK_API_KEY=<key> blink --endpoint %s/graphql balance   (^C to stop)\n", f.base)
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	return nil
}

// faultJSON is blinktest.Fault as the control API reads it.
type faultJSON struct {
	LatencyMs            int64  `json:"latencyMs"`
	Status               int    `json:"status"`
	RetryAfter           string `json:"retryAfter"`
	DropBeforeExecute    bool   `json:"dropBeforeExecute"`
	DropAfterExecute     bool   `json:"dropAfterExecute"`
	StatusAfterExecute   int    `json:"statusAfterExecute"`
	TruncateAfterExecute bool   `json:"truncateAfterExecute"`
	Conflict             bool   `json:"conflict"`
}

func (f *fakeServer) routes(mux *http.ServeMux) {
	type req struct {
		PaymentRequest string          `json:"paymentRequest"`
		PaymentHash    string          `json:"paymentHash"`
		TxHash         string          `json:"txHash"`
		Address        string          `json:"address"`
		Amount         int64           `json:"amount"`
		Outcome        string          `json:"outcome"`
		Seconds        float64         `json:"seconds"`
		Operation      string          `json:"operation"`
		Fault          faultJSON       `json:"fault"`
		Times          int             `json:"times"`
		Account        json.RawMessage `json:"-"`
	}
	handle := func(path string, fn func(r req) (any, error)) {
		mux.HandleFunc("POST /_blinktest/"+path, func(w http.ResponseWriter, hr *http.Request) {
			var r req
			dec := json.NewDecoder(io.LimitReader(hr.Body, 1<<20))
			if err := dec.Decode(&r); err != nil && !errors.Is(err, io.EOF) {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body is not JSON: " + err.Error()})
				return
			}
			out, err := fn(r)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			if out == nil {
				out = map[string]bool{"ok": true}
			}
			writeJSON(w, http.StatusOK, out)
		})
	}
	need := func(name, v string) error {
		if v == "" {
			return fmt.Errorf("%s is required", name)
		}
		return nil
	}
	handle("pay", func(r req) (any, error) {
		if err := need("paymentRequest", r.PaymentRequest); err != nil {
			return nil, err
		}
		if r.Amount > 0 {
			return nil, f.srv.PayInvoiceAmount(r.PaymentRequest, blink.Sats(r.Amount))
		}
		return nil, f.srv.PayInvoice(r.PaymentRequest)
	})
	handle("expire", func(r req) (any, error) {
		if err := need("paymentHash", r.PaymentHash); err != nil {
			return nil, err
		}
		f.srv.ExpireInvoice(r.PaymentHash)
		return nil, nil
	})
	handle("settle", func(r req) (any, error) {
		if err := need("paymentHash", r.PaymentHash); err != nil {
			return nil, err
		}
		return nil, f.srv.SettlePending(r.PaymentHash)
	})
	handle("fail", func(r req) (any, error) {
		if err := need("paymentHash", r.PaymentHash); err != nil {
			return nil, err
		}
		return nil, f.srv.FailPending(r.PaymentHash)
	})
	handle("confirm", func(r req) (any, error) {
		if err := need("txHash", r.TxHash); err != nil {
			return nil, err
		}
		return nil, f.srv.ConfirmOnChain(r.TxHash)
	})
	handle("receive-onchain", func(r req) (any, error) {
		if err := need("address", r.Address); err != nil {
			return nil, err
		}
		if r.Amount <= 0 {
			return nil, errors.New("amount (sats) must be positive")
		}
		h, err := f.srv.ReceiveOnChain(r.Address, blink.Sats(r.Amount))
		if err != nil {
			return nil, err
		}
		return map[string]string{"txHash": h}, nil
	})
	handle("external-invoice", func(r req) (any, error) {
		if r.Amount <= 0 {
			return nil, errors.New("amount (sats) must be positive")
		}
		o, ok := map[string]blinktest.Outcome{"": blinktest.OutcomeSuccess, "success": blinktest.OutcomeSuccess,
			"route-failure": blinktest.OutcomeRouteFailure, "pending": blinktest.OutcomePending}[r.Outcome]
		if !ok {
			return nil, fmt.Errorf("outcome %q is not success, route-failure or pending", r.Outcome)
		}
		return map[string]string{"paymentRequest": f.srv.ExternalInvoice(blink.Sats(r.Amount), o)}, nil
	})
	handle("advance", func(r req) (any, error) {
		if r.Seconds <= 0 {
			return nil, errors.New("seconds must be positive")
		}
		now := f.clock.advance(time.Duration(r.Seconds * float64(time.Second)))
		f.srv.Tick()
		return map[string]string{"now": now.UTC().Format(time.RFC3339Nano)}, nil
	})
	handle("fault", func(r req) (any, error) {
		if err := need("operation", r.Operation); err != nil {
			return nil, err
		}
		if r.Times <= 0 {
			r.Times = 1
		}
		x := r.Fault
		f.srv.InjectFault(r.Operation, blinktest.Fault{Latency: time.Duration(x.LatencyMs) * time.Millisecond, Status: x.Status,
			RetryAfter: x.RetryAfter, DropBeforeExecute: x.DropBeforeExecute, DropAfterExecute: x.DropAfterExecute,
			StatusAfterExecute: x.StatusAfterExecute, TruncateAfterExecute: x.TruncateAfterExecute, Conflict: x.Conflict}, r.Times)
		return nil, nil
	})
	handle("clear-faults", func(req) (any, error) { f.srv.ClearFaults(); return nil, nil })
	mux.HandleFunc("POST /_blinktest/accounts", func(w http.ResponseWriter, hr *http.Request) {
		var s seedAccount
		if err := json.NewDecoder(io.LimitReader(hr.Body, 1<<20)).Decode(&s); err != nil && !errors.Is(err, io.EOF) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body is not JSON: " + err.Error()})
			return
		}
		acc, err := f.addAccount(s)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, acc)
	})
	mux.HandleFunc("GET /_blinktest/accounts", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"accounts": f.accounts})
	})
	mux.HandleFunc("GET /_blinktest/balance", func(w http.ResponseWriter, hr *http.Request) {
		id := hr.URL.Query().Get("wallet")
		if id == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "wallet is required"})
			return
		}
		b := f.srv.Balance(id)
		writeJSON(w, http.StatusOK, map[string]any{"value": b.Value, "currency": b.Currency})
	})
	mux.HandleFunc("GET /_blinktest/{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, fakeHelp+"\n")
	})
	mux.HandleFunc("/_blinktest/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such control; GET /_blinktest/ lists them"})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// control POSTs body to the fake's control API and returns its answer.
func (a *app) control(ctx context.Context, base, path string, body any) (map[string]any, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	u := strings.TrimRight(base, "/")
	u = strings.TrimSuffix(u, "/_blinktest")
	u = strings.TrimSuffix(u, "/graphql")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u+"/_blinktest/"+path, bytes.NewReader(b))
	if err != nil {
		return nil, usageErrorf("--control-url %q: %v", base, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return nil, &cliError{code: exitError, err: err, hint: "is `blink fake` running at --control-url (or $BLINK_FAKE_URL)?"}
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return nil, fmt.Errorf("the control API answered HTTP %d without JSON", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		msg, _ := out["error"].(string)
		return nil, fmt.Errorf("fake: %s", msg)
	}
	return out, nil
}

func (a *app) fakeControlCommands(controlURL *string) []*cobra.Command {
	simple := func(use, short, path string, argNames []string, build func(args []string) (any, error)) *cobra.Command {
		return &cobra.Command{
			Use:   use,
			Short: short,
			Args:  exactArgs(len(argNames)),
			RunE: func(cmd *cobra.Command, args []string) error {
				body, err := build(args)
				if err != nil {
					return err
				}
				out, err := a.control(cmd.Context(), *controlURL, path, body)
				if err != nil {
					return err
				}
				if a.json {
					return a.printJSON(out)
				}
				if len(out) == 1 && out["ok"] == true {
					a.printf("ok\n")
					return nil
				}
				for k, v := range out {
					a.printf("%s: %v\n", k, v)
				}
				return nil
			},
		}
	}
	posInt := func(s, what string) (int64, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return 0, usageErrorf("%s %q is not a positive whole number", what, s)
		}
		return n, nil
	}
	var payAmount int64
	pay := simple("pay <invoice>", "Pay an invoice of the fake from outside Blink", "pay", []string{"invoice"}, func(args []string) (any, error) {
		return map[string]any{"paymentRequest": args[0], "amount": payAmount}, nil
	})
	pay.Flags().Int64Var(&payAmount, "amount", 0, "the amount in sats, for a no-amount invoice")
	var outcome string
	inv := simple("invoice <sats>", "Mint an invoice of an outside node (to pay from a fake account)", "external-invoice", []string{"sats"}, func(args []string) (any, error) {
		n, err := posInt(args[0], "sats")
		return map[string]any{"amount": n, "outcome": outcome}, err
	})
	inv.Flags().StringVar(&outcome, "outcome", "success", "how paying it ends: success, route-failure or pending")
	var times, status int
	fault := simple("fault <operation> <kind>", "Inject a fault: kind is drop-before, drop-after, status, status-after, truncate-after or conflict", "fault",
		[]string{"operation", "kind"}, func(args []string) (any, error) {
			var f faultJSON
			switch args[1] {
			case "drop-before":
				f.DropBeforeExecute = true
			case "drop-after":
				f.DropAfterExecute = true
			case "status":
				f.Status = status
			case "status-after":
				f.StatusAfterExecute = status
			case "truncate-after":
				f.TruncateAfterExecute = true
			case "conflict":
				f.Conflict = true
			default:
				return nil, usageErrorf("fault kind %q is not drop-before, drop-after, status, status-after, truncate-after or conflict", args[1])
			}
			return map[string]any{"operation": args[0], "fault": f, "times": times}, nil
		})
	fault.Flags().IntVar(&times, "times", 1, "how many requests it applies to")
	fault.Flags().IntVar(&status, "status", 502, "the HTTP status for status and status-after")
	return []*cobra.Command{
		pay, inv, fault,
		simple("expire <payment-hash>", "Expire an invoice now", "expire", []string{"hash"}, func(args []string) (any, error) {
			return map[string]string{"paymentHash": args[0]}, nil
		}),
		simple("settle <payment-hash>", "Settle a pending outgoing payment", "settle", []string{"hash"}, func(args []string) (any, error) {
			return map[string]string{"paymentHash": args[0]}, nil
		}),
		simple("fail <payment-hash>", "Fail a pending outgoing payment (the wallet is refunded)", "fail", []string{"hash"}, func(args []string) (any, error) {
			return map[string]string{"paymentHash": args[0]}, nil
		}),
		simple("receive-onchain <address> <sats>", "Send an on-chain deposit to an address (pending until confirm)", "receive-onchain", []string{"address", "sats"}, func(args []string) (any, error) {
			n, err := posInt(args[1], "sats")
			return map[string]any{"address": args[0], "amount": n}, err
		}),
		simple("confirm <tx-hash>", "Confirm an on-chain deposit", "confirm", []string{"txhash"}, func(args []string) (any, error) {
			return map[string]string{"txHash": args[0]}, nil
		}),
		simple("advance <duration>", "Move the fake's clock forward (e.g. 90s, 2h)", "advance", []string{"duration"}, func(args []string) (any, error) {
			d, err := time.ParseDuration(args[0])
			if err != nil || d <= 0 {
				return nil, usageErrorf("duration %q is not positive (e.g. 90s)", args[0])
			}
			return map[string]any{"seconds": d.Seconds()}, nil
		}),
		simple("clear-faults", "Remove every injected fault", "clear-faults", nil, func([]string) (any, error) { return map[string]any{}, nil }),
	}
}
