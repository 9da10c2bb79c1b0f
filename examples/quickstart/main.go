// Command quickstart is the first program to run with blink-go:
//
//	go run ./examples/quickstart
//
// Without BLINK_API_KEY it needs no account and no network: it starts the
// SDK's fake Blink server (package blinktest) in-process, creates two
// accounts, alice with 100,000 sats and bob with none, and has bob create a
// lightning invoice that alice pays, all through the SDK. It prints both
// balances before and after, and the payment's transaction.
//
// With BLINK_API_KEY set (and optionally BLINK_ENV, BLINK_API_URL, see
// blink.NewFromEnv) it reads your own account instead: user, wallets, the
// key's scopes and the server's network. It never moves money.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run runs the quickstart, writing what it does to w: against your account
// (read-only) when BLINK_API_KEY is set, against an embedded fake otherwise.
func run(ctx context.Context, w io.Writer) error {
	if os.Getenv("BLINK_API_KEY") != "" {
		return readAccount(ctx, w)
	}
	return payOnFake(ctx, w)
}

// payOnFake moves 21,000 sats from alice to bob over lightning on an
// in-process blinktest server.
func payOnFake(ctx context.Context, w io.Writer) error {
	srv := blinktest.NewServer()
	defer srv.Close()
	fmt.Fprintf(w, "BLINK_API_KEY is not set: running against the embedded fake Blink server at %s\n", srv.URL())
	fmt.Fprintf(w, "(set BLINK_API_KEY to read your own account instead; that mode never moves money)\n\n")

	aliceAcct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 100_000})
	bobAcct := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})

	// alice's key may do everything; bob's may read and receive, not send.
	alice, err := blink.New(srv.CreateAPIKey(aliceAcct.ID, blinktest.KeyOptions{}),
		blink.WithEndpoint(srv.URL()))
	if err != nil {
		return err
	}
	bob, err := blink.New(srv.CreateAPIKey(bobAcct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeReceive}}),
		blink.WithEndpoint(srv.URL()))
	if err != nil {
		return err
	}

	g, err := alice.Globals(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "server network: %s\n", g.Network)

	aliceWallet, bobWallet, err := printBalances(ctx, w, "before", alice, bob)
	if err != nil {
		return err
	}

	inv, err := bob.CreateInvoice(ctx, bobWallet.ID, 21_000, &blink.InvoiceOptions{Memo: "quickstart coffee"})
	if err != nil {
		return fmt.Errorf("bob creates an invoice: %w", err)
	}
	fmt.Fprintf(w, "\nbob created an invoice for %s: %s\n", inv.Amount, abbrev(inv.PaymentRequest, 40))

	// Bob waits for his invoice to be paid (over the websocket, with
	// polling as the fallback) while alice pays it.
	type waited struct {
		st  *blink.InvoicePaymentStatus
		err error
	}
	paid := make(chan waited, 1)
	go func() {
		st, err := bob.WaitForInvoice(ctx, inv.PaymentRequest, nil)
		paid <- waited{st, err}
	}()
	defer bob.Close()

	res, err := alice.PayInvoice(ctx, aliceWallet.ID, inv.PaymentRequest, nil)
	switch {
	case errors.Is(err, blink.ErrOutcomeUnknown):
		// The answer was lost: never pay again blindly, look it up.
		return fmt.Errorf("alice pays: outcome unknown, look the payment up before retrying: %w", err)
	case err != nil:
		return fmt.Errorf("alice pays: %w", err)
	}
	fmt.Fprintf(w, "alice paid it: %s, fee %s, payment hash %s\n", res.Status, res.Fee, res.PaymentHash)
	if tx := res.Transaction; tx != nil {
		fmt.Fprintf(w, "alice's transaction: %s %s %s via %s (settled %s), memo %q, id %s\n",
			tx.Direction, tx.Amount, tx.Status, tx.Initiation.Rail, tx.Settlement.Rail, tx.Memo, tx.ID)
	}

	wd := <-paid
	if wd.err != nil {
		return fmt.Errorf("bob waits for his invoice: %w", wd.err)
	}
	fmt.Fprintf(w, "bob's wait ended: invoice %s, with its preimage: %t\n", wd.st.Status, len(wd.st.Preimage) == 64)

	if _, _, err := printBalances(ctx, w, "after", alice, bob); err != nil {
		return err
	}
	return nil
}

// printBalances prints alice's and bob's BTC wallets and returns them.
func printBalances(ctx context.Context, w io.Writer, when string, alice, bob *blink.Client) (a, b *blink.Wallet, err error) {
	if a, err = alice.DefaultWallet(ctx, blink.BTC); err != nil {
		return nil, nil, err
	}
	if b, err = bob.DefaultWallet(ctx, blink.BTC); err != nil {
		return nil, nil, err
	}
	fmt.Fprintf(w, "\nbalances %s:\n", when)
	fmt.Fprintf(w, "  alice: %s\n", a.Balance)
	fmt.Fprintf(w, "  bob:   %s\n", b.Balance)
	return a, b, nil
}

// readAccount prints what the key in BLINK_API_KEY can see. It sends
// queries only.
func readAccount(ctx context.Context, w io.Writer) error {
	c, err := blink.NewFromEnv()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "client: %v\n", c) // the key is printed redacted

	g, err := c.Globals(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "network: %s (lightning addresses @%s)\n", g.Network, g.LightningAddressDomain)

	scopes, err := c.Scopes(ctx)
	if errors.Is(err, blink.ErrInsufficientScope) {
		fmt.Fprintln(w, "this key has no READ scope, so it cannot read the account:")
		fmt.Fprintln(w, "create a key with READ to run the quickstart, or pass blink.WithScopes in your own code")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "key scopes: %v\n", scopes)

	me, err := c.Me(ctx)
	if err != nil {
		return err
	}
	name := me.Username
	if name == "" {
		name = "(no username)"
	}
	fmt.Fprintf(w, "user %s, account level %s, display currency %s\n", name, me.Level, me.DisplayCurrency)

	wallets, err := c.Wallets(ctx)
	if err != nil {
		return err
	}
	for _, wl := range wallets {
		def := ""
		if wl.ID == me.DefaultWalletID {
			def = " (default)"
		}
		fmt.Fprintf(w, "  %s wallet %s%s: %s\n", wl.Currency, wl.ID, def, wl.Balance)
	}
	return nil
}

// abbrev shortens s to n bytes and an ellipsis, for printing long strings.
func abbrev(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
