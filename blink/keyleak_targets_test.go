package blink

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/redact"
)

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
