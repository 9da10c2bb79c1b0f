package blink

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ---------------------------------------------------------------------------
// The scope-learning path, with debug logs, and its concurrent first use.

func (r *klRig) scopeLearning() {
	if r.learnLogs == 0 {
		r.t.Errorf("rig: no scope-learning run wrote the \"could not learn the key's scopes\" record: the path was not exercised")
	}
	// Concurrent first calls share one failing authorization query and its
	// error: each scrubs and logs it. The first query is answered once the
	// eight callers are inside learnt.get (the fetcher and its waiters).
	var auths atomic.Int64
	slow := func(w http.ResponseWriter, req wireReq, n int) {
		if req.OpName == "Authorization" {
			if auths.Add(1) == 1 {
				queued := time.NewTicker(time.Millisecond)
				deadline := time.After(3 * time.Second)
			wait:
				for goroutinesIn(learntGet) < 8 {
					select {
					case <-queued.C:
					case <-deadline:
						r.t.Errorf("rig: the 8 concurrent first calls did not queue behind one authorization query")
						break wait
					}
				}
				queued.Stop()
			}
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
