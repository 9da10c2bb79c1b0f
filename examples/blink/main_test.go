package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes the test binary also the blink command, so that the scripts
// run it as a separate process, exactly as a user runs the built binary.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"blink": func() { os.Exit(Main()) }})
}

// TestScripts runs testdata/script/*.txt, each against a fresh blinktest
// server started here: $BLINK_API_URL is its endpoint, $ALICE_KEY (100,000
// sats, every scope), $BOB_KEY (READ and RECEIVE) and $CAROL_KEY (READ
// only) its accounts' keys, $ALICE_CS alice's connection string.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               setupFake,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fakepay":    cmdFakePay,
			"fakeexpire": cmdFakeExpire,
			"extinvoice": cmdExtInvoice,
			"fault":      cmdFault,
			"jsonget":    cmdJSONGet,
			"balance":    cmdBalance,
			"hexlen":     cmdHexLen,
			"writeenv":   cmdWriteEnv,
			"checkperm":  cmdCheckPerm,
		},
	})
}

func setupFake(env *testscript.Env) error {
	srv := blinktest.NewServer()
	env.Defer(srv.Close)
	alice := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 100_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	carol := srv.CreateAccount(blinktest.AccountOptions{Username: "carol"})
	aliceKey := srv.CreateAPIKey(alice.ID, blinktest.KeyOptions{})
	env.Values["srv"] = srv
	env.Values["accounts"] = map[string]blinktest.Account{"alice": alice, "bob": bob, "carol": carol}
	env.Setenv("BLINK_API_URL", srv.URL())
	env.Setenv("FAKE_URL", srv.URL())
	env.Setenv("LNDOMAIN", blinktest.LightningAddressDomain)
	env.Setenv("ALICE_KEY", aliceKey)
	env.Setenv("BOB_KEY", srv.CreateAPIKey(bob.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeReceive}}))
	env.Setenv("CAROL_KEY", srv.CreateAPIKey(carol.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead}}))
	env.Setenv("RECEIVE_ONLY_KEY", srv.CreateAPIKey(carol.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeReceive}}))
	env.Setenv("ALICE_BTC_WALLET", alice.BTCWalletID)
	env.Setenv("BOB_BTC_WALLET", bob.BTCWalletID)
	cs := blink.ConnectionString{Server: srv.URL(), WalletID: alice.BTCWalletID}
	if err := cs.SetAPIKey(aliceKey); err != nil {
		return err
	}
	env.Setenv("ALICE_CS", cs.String())
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "config"))
	env.Setenv("BLINK_API_KEY", "")
	env.Setenv("BLINK_ENV", "")
	return nil
}

func server(ts *testscript.TestScript) *blinktest.Server { return ts.Value("srv").(*blinktest.Server) }

// fakepay <invoice>: someone outside Blink pays the invoice.
func cmdFakePay(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: fakepay <invoice>")
	}
	err := server(ts).PayInvoice(args[0])
	if neg != (err != nil) {
		ts.Fatalf("fakepay: %v", err)
	}
}

// fakeexpire <payment-hash>: the invoice expires now.
func cmdFakeExpire(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: fakeexpire <payment-hash>")
	}
	server(ts).ExpireInvoice(args[0])
}

// extinvoice <sats> success|fail|pending <VAR>: an invoice of an outside node.
func cmdExtInvoice(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: extinvoice <sats> success|fail|pending <VAR>")
	}
	n, err := strconv.ParseInt(args[0], 10, 64)
	ts.Check(err)
	o := map[string]blinktest.Outcome{"success": blinktest.OutcomeSuccess, "fail": blinktest.OutcomeRouteFailure, "pending": blinktest.OutcomePending}[args[1]]
	ts.Setenv(args[2], server(ts).ExternalInvoice(blink.Sats(n), o))
}

// fault <operation> drop-after|status-after <times>: injects a fault.
func cmdFault(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: fault <operation> drop-after|status-after <times>")
	}
	n, err := strconv.Atoi(args[2])
	ts.Check(err)
	var f blinktest.Fault
	switch args[1] {
	case "drop-after":
		f.DropAfterExecute = true
	case "status-after":
		f.StatusAfterExecute = 502
	default:
		ts.Fatalf("unknown fault %q", args[1])
	}
	server(ts).InjectFault(args[0], f, n)
}

// jsonget <file> <field> <VAR>: sets VAR to a top-level string field of a
// JSON file (stdout, say).
func cmdJSONGet(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: jsonget <file> <field> <VAR>")
	}
	var m map[string]any
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &m))
	v, ok := m[args[1]]
	if !ok {
		ts.Fatalf("%s has no field %q", args[0], args[1])
	}
	ts.Setenv(args[2], fmt.Sprint(v))
}

// balance <account> <sats>: the account's BTC balance on the fake is sats.
func cmdBalance(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: balance <account> <sats>")
	}
	acc := ts.Value("accounts").(map[string]blinktest.Account)[args[0]]
	got := server(ts).Balance(acc.BTCWalletID).Value
	if (strconv.FormatInt(got, 10) == args[1]) == neg {
		ts.Fatalf("%s's balance is %d", args[0], got)
	}
}

// hexlen <VAR> <n>: VAR holds n hex digits.
func cmdHexLen(ts *testscript.TestScript, _ bool, args []string) {
	v := ts.Getenv(args[0])
	if n, _ := strconv.Atoi(args[1]); len(v) != n || strings.Trim(v, "0123456789abcdef") != "" {
		ts.Fatalf("%s = %q is not %s hex digits", args[0], v, args[1])
	}
}

// writeenv <file> <VAR>: writes VAR's value and a newline to file.
func cmdWriteEnv(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: writeenv <file> <VAR>")
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(ts.Getenv(args[1])+"\n"), 0o600))
}

// checkperm <octal> <path>: the file's permission bits are exactly these.
func cmdCheckPerm(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: checkperm <octal> <path>")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if got := fi.Mode().Perm(); uint64(got) != want {
		ts.Fatalf("%s has mode %o, want %o", args[1], got, want)
	}
}
