package fake

import (
	"strings"
	"time"
)

// ExternalLightningFeeSats is the fee of every lightning payment that
// leaves Blink; payments between Blink wallets are free.
const ExternalLightningFeeSats = 2

// Payment results as the API reports them.
const (
	resultSuccess     = "SUCCESS"
	resultFailure     = "FAILURE"
	resultPending     = "PENDING"
	resultAlreadyPaid = "ALREADY_PAID"
)

// PayResult is the outcome of a payment mutation. A nil Status with errors
// is an input validation failure (the real server leaves status null then).
type PayResult struct {
	Status string // "" = null
	Tx     *Transaction
	Errs   []*AppError
}

func failed(e *AppError) PayResult  { return PayResult{Status: resultFailure, Errs: []*AppError{e}} }
func invalid(e *AppError) PayResult { return PayResult{Errs: []*AppError{e}} }

// lnPay describes a lightning payment from a Blink wallet.
type lnPay struct {
	callerID       string
	key            *apiKey
	walletID       string
	paymentRequest string
	noAmount       bool  // lnNoAmount*PaymentSend: the invoice must have no amount
	amount         int64 // for no-amount invoices: sats, or cents if amountInCents
	amountInCents  bool  // lnNoAmountUsdInvoicePaymentSend
	memo           *string
	probe          bool // a fee probe: validate and price, move nothing
	// via overrides the initiation via ("lightning" default), for
	// lightning address and LNURL payments.
	via string
}

// payLightning pays an invoice; with probe set it returns the fee in the
// sender wallet's unit in Tx.Fee instead of paying. It follows the real
// server's steps (core/api/src/app/payments/send-lightning.ts and, for
// probes, get-protocol-fee.ts):
//
//  1. Scalar validation: status null, code null. The LnPaymentRequest
//     scalar is /^ln[a-z0-9]+$/i, so a "lightning:" prefix is refused.
//  2. Decoding, and the invoice's amount: whole sats rounded up from its
//     msat (the invoices library's safe_tokens), so 1 to 999 msat is 1
//     sat and 1001 msat is 2 sats; an invoice of 0 sats has no amount.
//  3. The payment flow (see paymentFlow): a send finds the sender
//     wallet's live flow for the hash and amount, or builds one, which
//     refuses an already paid Blink invoice with "Invoice is already paid"
//     and a payment to oneself. Probes always build.
//  4. Spending limits, then, inside the wallet lock: for a Blink invoice
//     (intraledger), ALREADY_PAID when the hash is in the ledger; for an
//     invoice outside Blink, "There is a pending payment for this
//     invoice" when any wallet's transaction for the hash is pending;
//     then the balance.
//  5. The payment. Paying again an invoice outside Blink that Blink paid
//     is refused by Blink's node as already paid: the attempt is recorded
//     and reverted (a FAILURE SEND and a refund), and the answer is
//     ALREADY_PAID with that SEND.
func (s *Server) payLightning(p lnPay) PayResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := checkWalletID(p.walletID); e != nil {
		return invalid(e)
	}
	if !lnRequestRe.MatchString(p.paymentRequest) {
		return invalid(errInvalidLnRequest)
	}
	if p.noAmount {
		scalar := "SatAmount"
		if p.amountInCents {
			scalar = "CentAmount"
		}
		if e := checkAmountScalar(p.amount, scalar); e != nil {
			return invalid(e)
		}
	}
	if e := checkMemo(p.memo); e != nil {
		return invalid(e)
	}
	sender, ok := s.walletOf(p.callerID, p.walletID)
	if !ok {
		return invalid(errInvalidWalletForAccount)
	}
	dec, inv, e := s.lookupRequest(p.paymentRequest)
	if e != nil {
		return failed(e)
	}
	// The invoice's amount in whole sats, rounded up (ln-invoice.ts).
	invoiceSats, _ := dec.AmountSats()
	if p.noAmount && invoiceSats > 0 {
		return failed(errZeroAmountRequired)
	}
	if !p.noAmount && invoiceSats == 0 {
		return failed(errAmountRequired)
	}
	if p.amountInCents && sender.currency != "USD" || p.noAmount && !p.amountInCents && sender.currency == "USD" {
		return failed(errMismatchedCurrency)
	}
	if p.noAmount && p.amount == 0 {
		if p.amountInCents {
			return failed(errInvalidCents)
		}
		return failed(errInvalidSats)
	}
	internal := inv != nil && !inv.external
	// The payment flow: a send with a live flow skips the builder.
	input := invoiceSats
	if p.noAmount {
		input = p.amount
	}
	fk := flowKey{walletID: sender.id, hash: dec.PaymentHash, input: input}
	fromFlow := !p.probe && s.liveFlow(fk)
	if !fromFlow {
		if internal && inv.paid {
			return failed(errAlreadyPaid) // helpers.ts recipientDetailsFromInvoice
		}
		if internal && inv.walletID == sender.id {
			return failed(errSelfPayment)
		}
	}
	paid := inv != nil && inv.paid
	if !paid && (dec.Expired(s.now()) || inv != nil && inv.status(s.now()) == statusExpired) {
		return failed(errInvoiceExpired)
	}
	// The amount in sats, and what the sender pays in its own unit.
	sats := invoiceSats
	if p.noAmount {
		sats = p.amount
		if p.amountInCents {
			sats = s.satsWorth(p.amount)
		}
	}
	var feeSats int64
	if !internal {
		feeSats = ExternalLightningFeeSats
	}
	debit, fee := sats+feeSats, feeSats
	if sender.currency == "USD" {
		if p.amountInCents {
			debit = p.amount + s.centsToPay(feeSats)
		} else {
			debit = s.centsToPay(sats + feeSats)
		}
		fee = s.centsToPay(feeSats)
	}
	if inv == nil || inv.external && inv.outcome == OutcomeRouteFailure {
		return failed(errRouteNotFound)
	}
	var recipient *wallet
	var credit int64
	if internal && !paid {
		recipient = s.wallets[inv.walletID]
		credit = sats
		if recipient.currency == "USD" {
			credit = s.centsReceived(sats)
			if inv.cents > 0 && sats == inv.sats {
				credit = inv.cents
			}
			if credit == 0 {
				return failed(errSubOneCent)
			}
		}
	}
	if p.probe {
		s.keepFlow(fk)
		return PayResult{Status: resultSuccess, Tx: &Transaction{Fee: fee}}
	}
	s.keepFlow(fk)
	if w := p.key.checkSpend(s.now(), sats+feeSats); w != "" {
		return failed(limitExceeded(w))
	}
	if internal && paid {
		// isLnTxRecorded: the answer for this wallet's own entries.
		return PayResult{Status: resultAlreadyPaid, Tx: snap(s.alreadyPaidTx(sender.id, inv.hash))}
	}
	if !internal && s.hashPending(inv.hash) {
		return failed(errPaymentInTransit)
	}
	unit := "sats"
	if sender.currency == "USD" {
		unit = "cents"
	}
	if debit > sender.balance {
		return failed(insufficientBalance(debit, unit, sender.balance))
	}
	via := p.via
	if via == "" {
		via = "lightning"
	}
	memo := inv.memo
	if p.memo != nil {
		memo = *p.memo
	}
	send := &Transaction{
		WalletID: sender.id, Direction: "SEND", Status: "SUCCESS", Amount: -debit, Fee: fee,
		Via: via, SettledVia: "lightning", PaymentHash: inv.hash, PaymentRequest: inv.request,
		Memo: memo,
	}
	if paid {
		// Blink's node has paid this hash: the attempt is recorded, the
		// node refuses it as already paid, and the entry is reverted.
		send.Status = "FAILURE"
		s.record(send)
		s.record(&Transaction{
			WalletID: sender.id, Direction: "RECEIVE", Status: "SUCCESS", Amount: debit,
			Via: via, SettledVia: "lightning", PaymentHash: inv.hash, PaymentRequest: inv.request,
			Memo: memo, refund: true,
		})
		return PayResult{Status: resultAlreadyPaid, Tx: snap(send)}
	}
	p.key.recordSpend(s.now(), sats+feeSats)
	sender.balance -= debit
	if internal {
		senderAcct, recipientAcct := s.accounts[sender.accountID], s.accounts[recipient.accountID]
		send.SettledVia = "intraledger"
		send.Preimage = inv.preimageHex()
		send.CounterpartyWalletID, send.CounterpartyUsername = recipient.id, recipientAcct.username
		s.record(send)
		recipient.balance += credit
		inv.paid = true
		s.record(&Transaction{
			WalletID: recipient.id, Direction: "RECEIVE", Status: "SUCCESS", Amount: credit,
			Via: via, SettledVia: "intraledger", PaymentHash: inv.hash, PaymentRequest: inv.request,
			Preimage: inv.preimageHex(), CounterpartyWalletID: sender.id, CounterpartyUsername: senderAcct.username,
			Memo: memo, ExternalID: inv.externalID,
		})
		s.invoiceWebhook(inv)
		return PayResult{Status: resultSuccess, Tx: snap(send)}
	}
	switch inv.outcome {
	case OutcomePending:
		send.Status = "PENDING"
		inv.inFlight, inv.payer = true, sender.id
		s.flows[fk].pending = true
		s.record(send)
		return PayResult{Status: resultPending, Tx: snap(send)}
	default:
		send.Preimage = inv.preimageHex()
		inv.paid = true
		s.record(send)
		return PayResult{Status: resultSuccess, Tx: snap(send)}
	}
}

// PaymentFlowTTL is how long the real server keeps a payment flow
// (invoice-expiration.ts defaultTimeToExpiryInSeconds, five minutes).
const PaymentFlowTTL = 5 * time.Minute

// flowKey identifies a payment flow as the real server's
// PaymentFlowStateRepository finds one: sender wallet, payment hash and
// input amount (the invoice's sats, or the amount given for a no-amount
// invoice).
type flowKey struct {
	walletID, hash string
	input          int64
}

// paymentFlow is the real server's record of a lightning payment being
// prepared (services/mongoose/payment-flow.ts): a fee probe or a send
// that got past validation persists one, and a send that finds a live one
// for its wallet, hash and amount skips building it, and with that the
// check that a Blink invoice is unpaid. A flow lives PaymentFlowTTL from
// its creation, or as long as its payment is pending.
type paymentFlow struct {
	createdAt time.Time
	pending   bool
}

// liveFlow reports whether a live flow exists for k, forgetting an
// expired one. Callers hold s.mu.
func (s *Server) liveFlow(k flowKey) bool {
	f := s.flows[k]
	if f == nil {
		return false
	}
	if !f.pending && s.now().Sub(f.createdAt) > PaymentFlowTTL {
		delete(s.flows, k)
		return false
	}
	return true
}

// keepFlow makes sure a live flow exists for k. Callers hold s.mu.
func (s *Server) keepFlow(k flowKey) {
	if !s.liveFlow(k) {
		s.flows[k] = &paymentFlow{createdAt: s.now()}
	}
}

// alreadyPaidTx is the transaction an ALREADY_PAID answer carries: the
// wallet's newest entry for the hash with a negative amount, else its
// newest entry for the hash, else none (send-lightning.ts
// getPaymentSendResponse). Callers hold s.mu.
func (s *Server) alreadyPaidTx(walletID, hash string) *Transaction {
	if t := s.firstHashTx(walletID, hash, func(t *Transaction) bool { return t.Amount < 0 }); t != nil {
		return t
	}
	return s.firstHashTx(walletID, hash, func(*Transaction) bool { return true })
}

// hashPending reports whether any wallet has a pending transaction for the
// payment hash (the real server searches the whole ledger). Callers hold
// s.mu.
func (s *Server) hashPending(hash string) bool {
	for _, t := range s.txsByHash[hash] {
		if t.Status == "PENDING" {
			return true
		}
	}
	return false
}

// pendingSend finds the pending SEND for an external invoice in flight.
// Callers hold s.mu.
func (s *Server) pendingSend(paymentHash string) (*invoice, *Transaction, *AppError) {
	inv := s.invoices[strings.ToLower(paymentHash)]
	if inv == nil || !inv.inFlight {
		return nil, nil, &AppError{Code: "NOT_FOUND", Message: "blinktest: no pending payment for hash " + paymentHash}
	}
	if t := s.firstHashTx(inv.payer, inv.hash, func(t *Transaction) bool {
		return t.Direction == "SEND" && t.Status == "PENDING"
	}); t != nil {
		return inv, t, nil
	}
	return nil, nil, &AppError{Code: "NOT_FOUND", Message: "blinktest: no pending payment for hash " + paymentHash}
}

// SettlePending settles a PENDING payment to an external invoice: the SEND
// becomes SUCCESS with the preimage.
func (s *Server) SettlePending(paymentHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, t, e := s.pendingSend(paymentHash)
	if e != nil {
		return e
	}
	t.Status, t.Preimage = "SUCCESS", inv.preimageHex()
	inv.inFlight, inv.paid = false, true
	s.changed()
	s.emitTx(t) // update-pending-payments.ts:578: send.lightning again
	return nil
}

// FailPending fails a PENDING payment to an external invoice as the real
// server reverts one: the SEND becomes FAILURE and a RECEIVE entry for the
// same payment hash refunds amount and fee.
func (s *Server) FailPending(paymentHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, t, e := s.pendingSend(paymentHash)
	if e != nil {
		return e
	}
	t.Status = "FAILURE"
	inv.inFlight = false
	s.emitTx(t) // update-pending-payments.ts:578: send.lightning again, failed
	w := s.wallets[t.WalletID]
	w.balance += -t.Amount
	s.record(&Transaction{
		WalletID: w.id, Direction: "RECEIVE", Status: "SUCCESS", Amount: -t.Amount, Fee: 0,
		Via: t.Via, SettledVia: "lightning", PaymentHash: t.PaymentHash, PaymentRequest: t.PaymentRequest,
		Memo: t.Memo, refund: true,
	})
	return nil
}

// intraPay describes an intraledger payment.
type intraPay struct {
	callerID          string
	key               *apiKey
	walletID          string
	recipientWalletID string
	amount            int64
	inCents           bool // intraLedgerUsdPaymentSend
	memo              *string
	via               string // "intraledger" default
}

// payIntraledger moves money between two Blink wallets.
func (s *Server) payIntraledger(p intraPay) PayResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := checkWalletID(p.walletID); e != nil {
		return invalid(e)
	}
	if e := checkWalletID(p.recipientWalletID); e != nil {
		return invalid(e)
	}
	scalar := "SatAmount"
	if p.inCents {
		scalar = "CentAmount"
	}
	if e := checkAmountScalar(p.amount, scalar); e != nil {
		return invalid(e)
	}
	if e := checkMemo(p.memo); e != nil {
		return invalid(e)
	}
	sender, ok := s.walletOf(p.callerID, p.walletID)
	if !ok {
		return invalid(errInvalidWalletForAccount)
	}
	recipient := s.wallets[p.recipientWalletID]
	if recipient == nil {
		return failed(unexpected("CouldNotFindWalletFromIdError"))
	}
	if (sender.currency == "USD") != p.inCents {
		return failed(errMismatchedCurrency)
	}
	if p.amount == 0 {
		if p.inCents {
			return failed(errInvalidCents)
		}
		return failed(errInvalidSats)
	}
	if recipient.id == sender.id {
		return failed(errSelfPayment)
	}
	sats, debit := p.amount, p.amount
	if p.inCents {
		sats = s.satsWorth(p.amount)
	}
	credit := sats
	switch {
	case recipient.currency == sender.currency:
		credit = p.amount
	case recipient.currency == "USD":
		credit = s.centsReceived(sats)
		if credit == 0 {
			return failed(errSubOneCent)
		}
	}
	unit := "sats"
	if p.inCents {
		unit = "cents"
	}
	if debit > sender.balance {
		return failed(insufficientBalance(debit, unit, sender.balance))
	}
	if w := p.key.checkSpend(s.now(), sats); w != "" {
		return failed(limitExceeded(w))
	}
	p.key.recordSpend(s.now(), sats)
	via := p.via
	if via == "" {
		via = "intraledger"
	}
	memo := ""
	if p.memo != nil {
		memo = *p.memo
	}
	sa, ra := s.accounts[sender.accountID], s.accounts[recipient.accountID]
	sender.balance -= debit
	recipient.balance += credit
	send := s.record(&Transaction{
		WalletID: sender.id, Direction: "SEND", Status: "SUCCESS", Amount: -debit,
		Via: via, SettledVia: "intraledger", CounterpartyWalletID: recipient.id, CounterpartyUsername: ra.username,
		Memo: memo,
	})
	s.record(&Transaction{
		WalletID: recipient.id, Direction: "RECEIVE", Status: "SUCCESS", Amount: credit,
		Via: via, SettledVia: "intraledger", CounterpartyWalletID: sender.id, CounterpartyUsername: sa.username,
		Memo: memo,
	})
	return PayResult{Status: resultSuccess, Tx: snap(send)}
}
