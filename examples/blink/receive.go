package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/mdp/qrterminal/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func (a *app) invoiceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "invoice",
		Short: "Create invoices, wait for them and check their status",
		Args:  exactArgs(0),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.invoiceCreateCommand(), a.invoiceStatusCommand(), a.invoiceWaitCommand())
	return cmd
}

// walletFor picks the wallet to use: --wallet, the connection string's
// wallet-id, or the account's wallet of the currency.
func (a *app) walletFor(ctx context.Context, c *blink.Client, flag string, cur blink.WalletCurrency) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if a.cs != nil && a.cs.WalletID != "" && (a.cs.Currency == "" || a.cs.Currency == cur) {
		return a.cs.WalletID, nil
	}
	w, err := c.DefaultWallet(ctx, cur)
	if err != nil {
		return "", err
	}
	return w.ID, nil
}

func (a *app) invoiceCreateCommand() *cobra.Command {
	var usd, wait, noQR bool
	var memo, wallet string
	var expiry time.Duration
	cmd := &cobra.Command{
		Use:   "create <amount>",
		Short: "Create a lightning invoice and show it with a QR code (scope RECEIVE)",
		Long: `create makes a BOLT11 invoice for an amount in sats (in cents with --usd) and
prints it with a QR code. With --wait it then shows a live status line until the
invoice is paid (exit 0) or expires (exit 1).`,
		Example: "  blink invoice create 1000 --memo coffee --wait\n  blink invoice create 250 --usd --json",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			amount, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || amount <= 0 {
				return usageErrorf("amount %q is not a positive whole number", args[0])
			}
			c, err := a.newClient(true)
			if err != nil {
				return err
			}
			cur := blink.BTC
			if usd {
				cur = blink.USD
			}
			wid, err := a.walletFor(cmd.Context(), c, wallet, cur)
			if err != nil {
				return err
			}
			opts := &blink.InvoiceOptions{Memo: memo, ExpiresIn: expiry}
			var inv *blink.Invoice
			if usd {
				inv, err = c.CreateUSDInvoice(cmd.Context(), wid, blink.Cents(amount), opts)
			} else {
				inv, err = c.CreateInvoice(cmd.Context(), wid, blink.Sats(amount), opts)
			}
			if err != nil {
				return err
			}
			dec, _ := blink.DecodeInvoice(inv.PaymentRequest)
			if a.json {
				m := map[string]any{"paymentRequest": inv.PaymentRequest, "paymentHash": inv.PaymentHash, "amount": inv.Amount,
					"walletId": wid, "status": inv.Status}
				if dec != nil {
					m["expiresAt"] = dec.ExpiresAt.UTC()
				}
				if err := a.printJSON(m); err != nil {
					return err
				}
			} else {
				if !noQR {
					// Upper case makes the QR code use its alphanumeric
					// mode, a smaller code that wallets read the same.
					qrterminal.GenerateHalfBlock(strings.ToUpper(inv.PaymentRequest), qrterminal.L, a.stdout)
				}
				a.printf("%s\n", inv.PaymentRequest)
				a.printf("amount: %d sats  hash: %s\n", inv.Amount, inv.PaymentHash)
			}
			if !wait {
				return nil
			}
			return a.waitInvoice(cmd.Context(), c, inv.PaymentRequest)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&usd, "usd", false, "the amount is in US cents, received into the USD wallet")
	f.StringVar(&memo, "memo", "", "the invoice's description")
	f.DurationVar(&expiry, "expiry", 0, "how long the invoice is valid (e.g. 10m; default the server's)")
	f.BoolVar(&wait, "wait", false, "wait until the invoice is paid or expires")
	f.StringVar(&wallet, "wallet", "", "the wallet id to receive into")
	f.BoolVar(&noQR, "no-qr", false, "do not print the QR code")
	return cmd
}

func (a *app) invoiceWaitCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "wait <invoice>",
		Short: "Wait until an invoice is paid (exit 0) or expires (exit 1); no key needed",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.newClient(false)
			if err != nil {
				return err
			}
			return a.waitInvoice(cmd.Context(), c, args[0])
		},
	}
}

var spinner = []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

// waitInvoice waits with WaitForInvoice, drawing a status line (spinner and
// countdown to expiry) on a terminal, and one line otherwise.
func (a *app) waitInvoice(ctx context.Context, c *blink.Client, pr string) error {
	var expires time.Time
	if dec, err := blink.DecodeInvoice(pr); err == nil {
		expires = dec.ExpiresAt
	}
	live := false
	if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && !a.json {
		live = true
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	if live {
		go func() {
			defer close(stopped)
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for i := 0; ; i++ {
				left := time.Until(expires).Truncate(time.Second)
				if left < 0 {
					left = 0
				}
				fmt.Fprintf(a.stderr, "\r\033[K%c waiting for payment · expires in %s", spinner[i%len(spinner)], left)
				select {
				case <-done:
					fmt.Fprint(a.stderr, "\r\033[K")
					return
				case <-t.C:
				}
			}
		}()
	} else {
		close(stopped)
		if !a.json {
			a.info("waiting for payment (the invoice expires at %s)\n", expires.UTC().Format(time.DateTime))
		}
	}
	st, err := c.WaitForInvoice(ctx, pr, nil)
	close(done)
	<-stopped
	switch {
	case errors.Is(err, blink.ErrInvoiceExpired):
		if a.json {
			_ = a.printJSON(map[string]any{"status": blink.InvoiceExpired})
		}
		return &cliError{code: exitError, err: errors.New("the invoice expired unpaid"), hint: "create a new one"}
	case err != nil:
		return err
	}
	if a.json {
		return a.printJSON(statusJSON(st))
	}
	a.printf("PAID  preimage: %s\n", st.Preimage)
	return nil
}
