package main

import (
	"fmt"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/spf13/cobra"
)

func (a *app) table() *tabwriter.Writer { return tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0) }

func amountString(x blink.Amount) string {
	if x.Currency == blink.USD {
		return fmt.Sprintf("$%d.%02d", x.Value/100, abs(x.Value%100))
	}
	return fmt.Sprintf("%d sats", x.Value)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

type walletJSON struct {
	ID              string `json:"id"`
	Currency        string `json:"currency"`
	Balance         int64  `json:"balance"`
	PendingIncoming int64  `json:"pendingIncoming"`
	Default         bool   `json:"default"`
}

func (a *app) walletList(cmd *cobra.Command) ([]walletJSON, error) {
	c, err := a.newClient(true)
	if err != nil {
		return nil, err
	}
	ws, err := c.Wallets(cmd.Context())
	if err != nil {
		return nil, err
	}
	def := ""
	if me, err := c.Me(cmd.Context()); err == nil {
		def = me.DefaultWalletID
	}
	out := make([]walletJSON, len(ws))
	for i, w := range ws {
		out[i] = walletJSON{w.ID, string(w.Currency), w.Balance.Value, w.PendingIncoming.Value, w.ID == def}
	}
	return out, nil
}

func (a *app) balanceCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "balance",
		Short: "Show the balance of each wallet (scope READ)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := a.walletList(cmd)
			if err != nil {
				return err
			}
			if a.json {
				out := map[string]any{}
				for _, w := range ws {
					out[w.Currency] = map[string]int64{"balance": w.Balance, "pendingIncoming": w.PendingIncoming}
				}
				return a.printJSON(out)
			}
			t := a.table()
			fmt.Fprintln(t, "CURRENCY\tBALANCE\tPENDING")
			for _, w := range ws {
				cur := blink.WalletCurrency(w.Currency)
				fmt.Fprintf(t, "%s\t%s\t%s\n", w.Currency, amountString(blink.Amount{Value: w.Balance, Currency: cur}),
					amountString(blink.Amount{Value: w.PendingIncoming, Currency: cur}))
			}
			return t.Flush()
		},
	}
}

func (a *app) walletsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "wallets",
		Short: "List the account's wallets with their ids (scope READ)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := a.walletList(cmd)
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(ws)
			}
			t := a.table()
			fmt.Fprintln(t, "ID\tCURRENCY\tBALANCE\tDEFAULT")
			for _, w := range ws {
				d := ""
				if w.Default {
					d = "*"
				}
				fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", w.ID, w.Currency, amountString(blink.Amount{Value: w.Balance, Currency: blink.WalletCurrency(w.Currency)}), d)
			}
			return t.Flush()
		},
	}
}

type txJSON struct {
	ID          string    `json:"id"`
	CreatedAt   time.Time `json:"createdAt"`
	Direction   string    `json:"direction"`
	Status      string    `json:"status"`
	Amount      int64     `json:"amount"`
	Currency    string    `json:"currency"`
	Fee         int64     `json:"fee"`
	Rail        string    `json:"rail"`
	Memo        string    `json:"memo,omitempty"`
	PaymentHash string    `json:"paymentHash,omitempty"`
	Counterpart string    `json:"counterparty,omitempty"`
}

func toTxJSON(t blink.Transaction) txJSON {
	cp := t.Initiation.CounterpartyUsername
	if cp == "" {
		cp = t.Initiation.Address
	}
	return txJSON{t.ID, t.CreatedAt.UTC(), string(t.Direction), string(t.Status), t.Amount.Value, string(t.Amount.Currency),
		t.Fee.Value, string(t.Initiation.Rail), t.Memo, t.Initiation.PaymentHash, cp}
}

func (a *app) txCommand() *cobra.Command {
	var limit int
	var wallet, since string
	cmd := &cobra.Command{
		Use:   "tx",
		Short: "List the latest transactions (scope READ)",
		Long: `tx lists the account's latest transactions, newest first; with --since, the
ones after a transaction id or cursor, oldest first (pass the printed cursor
again to go on).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 1 || limit > 100 {
				return usageErrorf("--limit must be 1 to 100")
			}
			c, err := a.newClient(true)
			if err != nil {
				return err
			}
			opts := &blink.TransactionListOptions{PageSize: limit}
			if wallet != "" {
				opts.WalletIDs = []string{wallet}
			}
			var page *blink.TransactionPage
			if cmd.Flags().Changed("since") {
				page, err = c.TransactionsSincePage(cmd.Context(), since, opts)
			} else {
				page, err = c.TransactionsPage(cmd.Context(), opts)
			}
			if err != nil {
				return err
			}
			txs := make([]txJSON, len(page.Transactions))
			for i, t := range page.Transactions {
				txs[i] = toTxJSON(t)
			}
			if a.json {
				return a.printJSON(map[string]any{"transactions": txs, "endCursor": page.EndCursor, "hasNextPage": page.HasNextPage})
			}
			t := a.table()
			fmt.Fprintln(t, "CREATED\tDIRECTION\tAMOUNT\tFEE\tSTATUS\tRAIL\tMEMO\tID")
			for _, x := range page.Transactions {
				fmt.Fprintf(t, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", x.CreatedAt.UTC().Format(time.DateTime), x.Direction,
					amountString(x.Amount), x.Fee.Value, x.Status, x.Initiation.Rail, x.Memo, x.ID)
			}
			if err := t.Flush(); err != nil {
				return err
			}
			if len(page.Transactions) == 0 {
				a.printf("no transactions\n")
			}
			if page.EndCursor != "" && page.HasNextPage {
				a.info("more: blink tx --since %s\n", page.EndCursor)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 10, "how many transactions (1 to 100)")
	cmd.Flags().StringVar(&wallet, "wallet", "", "only this wallet id")
	cmd.Flags().StringVar(&since, "since", "", "only the transactions after this id or cursor, oldest first")
	return cmd
}

func (a *app) priceCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "price [currency]",
		Short: "Show the price of one bitcoin in a display currency (no key needed)",
		Args:  rangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cur := "USD"
			if len(args) == 1 {
				cur = strings.ToUpper(args[0])
			}
			c, err := a.newClient(false)
			if err != nil {
				return err
			}
			p, err := c.RealtimePrice(cmd.Context(), cur)
			if err != nil {
				return err
			}
			btc := p.SatsToDisplay(100_000_000)
			if a.json {
				return a.printJSON(map[string]any{"currency": p.Currency, "btc": btc.Decimal(), "satPrice": p.SatPrice, "timestamp": p.Timestamp.UTC()})
			}
			a.printf("1 BTC = %s %s (at %s)\n", btc.Decimal(), p.Currency, p.Timestamp.UTC().Format(time.DateTime))
			return nil
		},
	}
}

var hexHash = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)

func (a *app) invoiceStatusCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "status <invoice|payment-hash>",
		Short: "Show whether an invoice is pending, paid or expired (no key needed)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.newClient(false)
			if err != nil {
				return err
			}
			var st *blink.InvoicePaymentStatus
			if hexHash.MatchString(args[0]) {
				st, err = c.InvoiceStatus(cmd.Context(), strings.ToLower(args[0]))
			} else {
				st, err = c.InvoiceStatusByPaymentRequest(cmd.Context(), args[0])
			}
			if err != nil {
				return err
			}
			if a.json {
				return a.printJSON(statusJSON(st))
			}
			a.printf("%s\n", st.Status)
			return nil
		},
	}
}

func statusJSON(st *blink.InvoicePaymentStatus) map[string]any {
	m := map[string]any{"status": st.Status, "paymentHash": st.PaymentHash}
	if st.Preimage != "" {
		m["preimage"] = st.Preimage
	}
	return m
}
