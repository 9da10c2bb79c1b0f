package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// destination is what `blink pay` was given, decoded.
type destination struct {
	Kind    string                `json:"kind"` // invoice, lightning-address, lnurl, username
	Target  string                `json:"target"`
	Invoice *blink.DecodedInvoice `json:"-"`
}

var usernameForm = regexp.MustCompile(`^[0-9a-z_]{3,50}$`)

func parseDestination(s string) (*destination, error) {
	t := strings.TrimSpace(s)
	if len(t) > 10 && strings.EqualFold(t[:10], "lightning:") {
		t = t[10:]
	}
	low := strings.ToLower(t)
	switch {
	case strings.HasPrefix(low, "lnurl") || strings.HasPrefix(low, "lnurlp://"):
		return &destination{Kind: "lnurl", Target: t}, nil
	case strings.HasPrefix(low, "ln"):
		inv, err := blink.DecodeInvoice(t)
		if err != nil {
			return nil, err
		}
		return &destination{Kind: "invoice", Target: t, Invoice: inv}, nil
	case strings.Contains(t, "@"):
		return &destination{Kind: "lightning-address", Target: low}, nil
	case usernameForm.MatchString(low):
		return &destination{Kind: "username", Target: low}, nil
	}
	return nil, usageErrorf("%q is neither a BOLT11 invoice, a lightning address, an LNURL nor a Blink username", short(s))
}

func short(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// quote is what the command shows before it pays.
type quote struct {
	Destination string `json:"destination"`
	Kind        string `json:"kind"`
	Amount      int64  `json:"amount"`
	Fiat        string `json:"fiat,omitempty"`
	Fee         *int64 `json:"feeProbe,omitempty"`
	FeeNote     string `json:"feeNote,omitempty"`
	Network     string `json:"network"`
	Memo        string `json:"memo,omitempty"`
	WalletID    string `json:"walletId"`
	PaymentHash string `json:"paymentHash,omitempty"`
	ExpiresAt   string `json:"expiresAt,omitempty"`
}

func (a *app) payCommand() *cobra.Command {
	var amount, maxFee int64
	var memo, wallet string
	var yes bool
	cmd := &cobra.Command{
		Use:   "pay <bolt11 | lightning address | LNURL | username>",
		Short: "Pay an invoice, a lightning address, an LNURL or a Blink user (scope WRITE)",
		Long: `pay decodes what it is given and shows what will be paid (amount, its value in
the account's display currency, the probed fee, the destination and the
network), then asks for confirmation on the terminal unless --yes. When
standard input is not a terminal (a script, a pipe) it refuses to pay without
--yes: an answer piped in is no confirmation.

Amounts are in sats, and must be positive; --max-fee cannot be negative.
These, and a missing --amount, are refused before any network call. An invoice carries its own amount; a no-amount invoice, a
lightning address, an LNURL and a username need --amount.

When the outcome is unknown (the answer was lost), it exits 5 and prints the
idempotency key and the ` + "`blink resolve`" + ` command that looks the payment up;
never pay the same thing again before that.`,
		Example: "  blink pay lnbc10u1p... --max-fee 20\n  blink pay bob@blink.sv --amount 1000 --yes\n  blink pay bob --amount 500 --memo lunch",
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			d, err := parseDestination(args[0])
			if err != nil {
				return err
			}
			// Everything that can be refused is refused here, before any
			// network call.
			if err := checkPayArgs(d, amount, maxFee, memo); err != nil {
				return err
			}
			if !yes && !stdinIsTerminal(a.stdin) {
				return usageErrorf("not paid: standard input is not a terminal, so there is no one to confirm; pass --yes to pay without asking")
			}
			c, err := a.newClient(true)
			if err != nil {
				return err
			}
			wid, err := a.walletFor(ctx, c, wallet, blink.BTC)
			if err != nil {
				return err
			}
			q, err := a.quote(ctx, c, d, wid, amount, memo)
			if err != nil {
				return err
			}
			if maxFee > 0 && q.Fee != nil && *q.Fee > maxFee {
				return &cliError{code: exitError, err: fmt.Errorf("the probed fee %d sats is above --max-fee %d", *q.Fee, maxFee), hint: "raise --max-fee or pay later"}
			}
			a.showQuote(q)
			if !yes {
				ok, err := a.confirm(fmt.Sprintf("Pay %d sats to %s? [y/N] ", q.Amount, q.Destination))
				if err != nil {
					return err
				}
				if !ok {
					return &cliError{code: exitError, err: errors.New("not paid: not confirmed"), hint: "answer y, or pass --yes"}
				}
			}
			opts := &blink.PayOptions{Memo: memo}
			if maxFee > 0 {
				opts.MaxFee = maxFee
			}
			var res *blink.PaymentResult
			switch d.Kind {
			case "invoice":
				if d.Invoice.AmountMsat == 0 {
					res, err = c.PayNoAmountInvoice(ctx, wid, d.Target, blink.Sats(amount), opts)
				} else {
					res, err = c.PayInvoice(ctx, wid, d.Target, opts)
				}
			case "lightning-address":
				res, err = c.PayLightningAddress(ctx, wid, d.Target, blink.Sats(amount), opts)
			case "lnurl":
				res, err = c.PayLNURL(ctx, wid, d.Target, blink.Sats(amount), opts)
			case "username":
				res, err = c.SendIntraLedger(ctx, wid, d.Target, blink.Sats(amount), opts)
			}
			var ou *blink.OutcomeUnknownError
			if errors.As(err, &ou) {
				return a.reportUnknown(ou)
			}
			if err != nil {
				return err
			}
			return a.showResult(res)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&amount, "amount", 0, "the amount in sats (for no-amount invoices, addresses, LNURLs and usernames)")
	f.Int64Var(&maxFee, "max-fee", 0, "refuse to pay when the probed fee is above this many sats")
	f.StringVar(&memo, "memo", "", "a memo for the payment (invoices and usernames)")
	f.StringVar(&wallet, "wallet", "", "the wallet id to pay from (default the BTC wallet)")
	f.BoolVarP(&yes, "yes", "y", false, "pay without asking for confirmation")
	return cmd
}

// checkPayArgs refuses the amounts and fee caps no payment can have.
func checkPayArgs(d *destination, amount, maxFee int64, memo string) error {
	if (d.Kind == "lightning-address" || d.Kind == "lnurl") && (maxFee > 0 || memo != "") {
		return usageErrorf("--max-fee and --memo cannot be honoured for a %s: the API has no fee probe and no memo for it", d.Kind)
	}
	if amount < 0 {
		return usageErrorf("--amount %d: an amount must be positive", amount)
	}
	if maxFee < 0 {
		return usageErrorf("--max-fee %d: a fee cap cannot be negative", maxFee)
	}
	switch {
	case d.Kind == "invoice" && d.Invoice.AmountMsat > 0:
		if amount != 0 && amount != int64(d.Invoice.Amount) {
			return usageErrorf("the invoice is for %d sats; --amount %d differs", d.Invoice.Amount, amount)
		}
	case d.Kind == "invoice":
		if amount == 0 {
			return usageErrorf("the invoice has no amount: pass --amount")
		}
	case d.Kind == "username":
		if amount == 0 {
			return usageErrorf("a payment to a username needs --amount")
		}
	default:
		if amount == 0 {
			return usageErrorf("a %s needs --amount", d.Kind)
		}
	}
	return nil
}

// stdinIsTerminal says whether r is a terminal, where someone can answer
// the confirmation. A variable for the tests.
var stdinIsTerminal = func(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (a *app) quote(ctx context.Context, c *blink.Client, d *destination, wid string, amount int64, memo string) (*quote, error) {
	q := &quote{Kind: d.Kind, WalletID: wid, Memo: memo, Destination: d.Target}
	network, err := c.Network(ctx)
	if err != nil {
		return nil, err
	}
	q.Network = network
	switch d.Kind {
	case "invoice":
		inv := d.Invoice
		q.PaymentHash, q.ExpiresAt = inv.PaymentHash, inv.ExpiresAt.UTC().Format(time.RFC3339)
		q.Destination = "invoice " + short(inv.PaymentHash)
		if inv.Description != "" {
			q.Destination += " (" + inv.Description + ")"
		}
		if inv.Network != network {
			return nil, &cliError{code: exitError, err: fmt.Errorf("%w: the invoice is for %s, the server is on %s", blink.ErrWrongNetwork, inv.Network, network), hint: "check --env"}
		}
		if inv.AmountMsat > 0 {
			if amount != 0 && amount != int64(inv.Amount) {
				return nil, usageErrorf("the invoice is for %d sats; --amount %d differs", inv.Amount, amount)
			}
			q.Amount = int64(inv.Amount)
			if fee, err := c.ProbeInvoiceFee(ctx, wid, d.Target); err == nil {
				q.Fee = &[]int64{int64(fee)}[0]
			} else {
				q.FeeNote = "fee probe failed: " + err.Error()
			}
		} else {
			if amount <= 0 {
				return nil, usageErrorf("the invoice has no amount: pass --amount")
			}
			q.Amount = amount
			if fee, err := c.ProbeNoAmountInvoiceFee(ctx, wid, d.Target, blink.Sats(amount)); err == nil {
				q.Fee = &[]int64{int64(fee)}[0]
			} else {
				q.FeeNote = "fee probe failed: " + err.Error()
			}
		}
	case "lightning-address", "lnurl":
		if amount <= 0 {
			return nil, usageErrorf("a %s needs --amount", d.Kind)
		}
		q.Amount = amount
		q.FeeNote = "no fee probe exists for this kind of send; the server caps the fee"
		if d.Kind == "lnurl" {
			if u, err := blink.DecodeLNURL(d.Target); err == nil {
				if pu, err := url.Parse(u); err == nil {
					q.Destination = "LNURL-pay at " + pu.Host
				}
			}
		}
	case "username":
		if amount <= 0 {
			return nil, usageErrorf("a payment to a username needs --amount")
		}
		q.Amount = amount
		zero := int64(0)
		q.Fee, q.Destination = &zero, "Blink user "+d.Target+" (intraledger)"
	}
	cur := "USD"
	if me, err := c.Me(ctx); err == nil && me.DisplayCurrency != "" {
		cur = me.DisplayCurrency
	}
	if p, err := c.RealtimePrice(ctx, cur); err == nil {
		q.Fiat = p.SatsToDisplay(blink.Sats(q.Amount)).Decimal() + " " + p.Currency
	}
	return q, nil
}

func (a *app) showQuote(q *quote) {
	if a.json {
		b, _ := json.Marshal(map[string]any{"quote": q})
		fmt.Fprintln(a.stderr, string(b))
		return
	}
	w := a.stderr
	fmt.Fprintf(w, "Destination:  %s\n", q.Destination)
	if q.Fiat != "" {
		fmt.Fprintf(w, "Amount:       %d sats (%s)\n", q.Amount, q.Fiat)
	} else {
		fmt.Fprintf(w, "Amount:       %d sats\n", q.Amount)
	}
	if q.Fee != nil {
		fmt.Fprintf(w, "Fee (probe):  %d sats\n", *q.Fee)
	} else {
		fmt.Fprintf(w, "Fee:          %s\n", q.FeeNote)
	}
	fmt.Fprintf(w, "Network:      %s\n", q.Network)
	fmt.Fprintf(w, "From wallet:  %s\n", q.WalletID)
	if q.Memo != "" {
		fmt.Fprintf(w, "Memo:         %s\n", q.Memo)
	}
}

// confirm asks on stderr and reads one line from stdin.
func (a *app) confirm(prompt string) (bool, error) {
	fmt.Fprint(a.stderr, prompt)
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(a.stderr)
		return false, nil
	}
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "y" || ans == "yes", nil
}

func (a *app) showResult(res *blink.PaymentResult) error {
	out := map[string]any{"status": res.Status, "fee": res.Fee.Value, "idempotencyKey": res.IdempotencyKey}
	if res.PaymentHash != "" {
		out["paymentHash"] = res.PaymentHash
	}
	if res.Preimage != "" {
		out["preimage"] = res.Preimage
	}
	if res.Transaction != nil {
		out["transactionId"] = res.Transaction.ID
	}
	if a.json {
		return a.printJSON(out)
	}
	a.printf("%s  fee: %s\n", res.Status, amountString(res.Fee))
	if res.Transaction != nil {
		a.printf("transaction: %s\n", res.Transaction.ID)
	}
	if res.Preimage != "" {
		a.printf("preimage: %s\n", res.Preimage)
	}
	if res.Status == blink.PaymentPending {
		a.info("The payment is in flight, not paid yet: do not pay again; follow it with `blink tx`.\n")
	}
	return nil
}

// pendingRecord is an OutcomeUnknownError as `blink resolve` reads it back:
// every exported field FinishPayment needs, and the cause as text.
type pendingRecord struct {
	Operation      string            `json:"operation"`
	IdempotencyKey string            `json:"idempotencyKey"`
	PaymentHash    string            `json:"paymentHash,omitempty"`
	PaymentRequest string            `json:"paymentRequest,omitempty"`
	WalletID       string            `json:"walletId"`
	Amount         int64             `json:"amount"`
	Recipient      string            `json:"recipient,omitempty"`
	Memo           string            `json:"memo,omitempty"`
	UniqueMemo     bool              `json:"uniqueMemo,omitempty"`
	Speed          blink.PayoutSpeed `json:"speed,omitempty"`
	Attempts       int               `json:"attempts"`
	StartedAt      time.Time         `json:"startedAt"`
	StartedAfter   time.Time         `json:"startedAfter"`
	StartedBefore  time.Time         `json:"startedBefore"`
	ArrivedBy      time.Time         `json:"arrivedBy"`
	ResentWith     string            `json:"resentWith,omitempty"`
	Cause          string            `json:"cause,omitempty"`
	FreshKey       bool              `json:"freshKey,omitempty"`
	MaxFee         int64             `json:"maxFee,omitempty"`
	MaxAmount      blink.Sats        `json:"maxAmount,omitempty"`
}

func recordOf(ou *blink.OutcomeUnknownError) pendingRecord {
	r := pendingRecord{ou.Operation, ou.IdempotencyKey, ou.PaymentHash, ou.PaymentRequest, ou.WalletID, ou.Amount,
		ou.Recipient, ou.Memo, ou.UniqueMemo, ou.Speed, ou.Attempts, ou.StartedAt, ou.StartedAfter, ou.StartedBefore,
		ou.ArrivedBy, ou.ResentWith, "", ou.FreshKey, ou.MaxFee, ou.MaxAmount}
	if ou.Cause != nil {
		r.Cause = ou.Cause.Error()
	}
	return r
}

func (r pendingRecord) outcomeUnknown() *blink.OutcomeUnknownError {
	ou := &blink.OutcomeUnknownError{Operation: r.Operation, IdempotencyKey: r.IdempotencyKey, PaymentHash: r.PaymentHash,
		PaymentRequest: r.PaymentRequest, WalletID: r.WalletID, Amount: r.Amount, Recipient: r.Recipient, Memo: r.Memo,
		UniqueMemo: r.UniqueMemo, Speed: r.Speed, Attempts: r.Attempts, StartedAt: r.StartedAt, StartedAfter: r.StartedAfter,
		StartedBefore: r.StartedBefore, ArrivedBy: r.ArrivedBy, ResentWith: r.ResentWith, FreshKey: r.FreshKey, MaxFee: r.MaxFee, MaxAmount: r.MaxAmount}
	if r.Cause != "" {
		ou.Cause = errors.New(r.Cause)
	}
	return ou
}

var keyForm = regexp.MustCompile(`^[0-9a-fA-F-]{36}$`)

func pendingPath(key string) (string, error) {
	if !keyForm.MatchString(key) {
		return "", usageErrorf("%q is not an idempotency key (a UUID)", short(key))
	}
	d, err := configDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "pending", strings.ToLower(key)+".json"), nil
}

func savePending(ou *blink.OutcomeUnknownError) (string, error) {
	p, err := pendingPath(ou.IdempotencyKey)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(recordOf(ou), "", "  ")
	if err != nil {
		return "", err
	}
	return p, os.WriteFile(p, b, 0o600)
}

// reportUnknown stores the send for `blink resolve` and exits 5.
func (a *app) reportUnknown(ou *blink.OutcomeUnknownError) error {
	p, serr := savePending(ou)
	look, finish := "blink resolve "+ou.IdempotencyKey, "blink resolve --finish "+ou.IdempotencyKey
	if a.json {
		m := map[string]any{"status": "UNKNOWN", "idempotencyKey": ou.IdempotencyKey, "resolve": look, "finish": finish, "record": p}
		if ou.PaymentHash != "" {
			m["paymentHash"] = ou.PaymentHash
		}
		_ = a.printJSON(m)
	} else {
		a.printf("UNKNOWN: the payment may or may not have been made.\n")
		a.printf("idempotency key: %s\n", ou.IdempotencyKey)
		if ou.PaymentHash != "" {
			a.printf("payment hash:    %s\n", ou.PaymentHash)
		}
		a.printf("look it up:      %s\n", look)
		a.printf("finish it:       %s   (pays at most once)\n", finish)
	}
	hint := "do not pay again: run `" + look + "`"
	if serr != nil {
		hint += " (the record could not be stored: " + serr.Error() + ")"
	}
	return &cliError{code: exitUnknown, err: ou, hint: hint}
}

func (a *app) resolveCommand() *cobra.Command {
	var finish bool
	cmd := &cobra.Command{
		Use:   "resolve <idempotency-key>",
		Short: "Look up a send whose outcome was unknown, or finish it (scope READ; WRITE with --finish)",
		Long: `resolve reads the send that ` + "`blink pay`" + ` stored when its outcome was unknown
and asks the ledger what happened (ResolvePayment). With --finish it completes
the send without ever paying twice (FinishPayment): it pays again only when the
ledger proves the first attempt was not executed.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := pendingPath(args[0])
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return &cliError{code: exitError, err: fmt.Errorf("no stored send with key %s", args[0]), hint: "resolve reads what `blink pay` stored on this machine"}
			}
			var r pendingRecord
			if err := json.Unmarshal(b, &r); err != nil {
				return err
			}
			c, err := a.newClient(true)
			if err != nil {
				return err
			}
			ou := r.outcomeUnknown()
			if finish {
				res, err := c.FinishPayment(cmd.Context(), ou)
				var again *blink.OutcomeUnknownError
				if errors.As(err, &again) {
					return a.reportUnknown(again)
				}
				if err != nil {
					return err
				}
				_ = os.Remove(p)
				return a.showResult(res)
			}
			res, err := c.ResolvePayment(cmd.Context(), ou.Lookup())
			if err != nil {
				return err
			}
			out := map[string]any{"outcome": res.Outcome, "candidates": len(res.Candidates)}
			if res.Transaction != nil {
				out["transaction"] = toTxJSON(*res.Transaction)
			}
			if a.json {
				return a.printJSON(out)
			}
			a.printf("%s\n", res.Outcome)
			if res.Transaction != nil {
				a.printf("transaction: %s (%s)\n", res.Transaction.ID, res.Transaction.Status)
			}
			switch res.Outcome {
			case blink.ResolvedNotFound:
				a.info("Not found (yet): `blink resolve --finish %s` pays only if it was never executed.\n", r.IdempotencyKey)
			case blink.ResolvedAmbiguous:
				a.info("Ambiguous: %d ledger candidate(s) could be this send (several entries match, or the look-up came within the second the send began): check them with `blink tx`, or look again.\n", len(res.Candidates))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&finish, "finish", false, "complete the send (FinishPayment) instead of only looking")
	return cmd
}
