package fake

import (
	"strings"
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
// sender wallet's unit in Tx.Fee instead of paying.
func (s *Server) payLightning(p lnPay) PayResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := checkWalletID(p.walletID); e != nil {
		return invalid(e)
	}
	if !lnRequestRe.MatchString(strings.TrimPrefix(p.paymentRequest, "lightning:")) {
		return invalid(validationError("Invalid value for LnPaymentRequest"))
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
	if inv != nil && inv.paid {
		if p.probe {
			return failed(errAlreadyPaid)
		}
		return PayResult{Status: resultAlreadyPaid, Tx: snap(s.firstHashTx(sender.id, inv.hash, func(t *Transaction) bool {
			return t.Direction == "SEND"
		}))}
	}
	if p.noAmount && dec.HasAmount {
		return failed(errZeroAmountRequired)
	}
	if !p.noAmount && (!dec.HasAmount || dec.AmountMsat < 1000) {
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
	if inv != nil && inv.inFlight {
		return failed(errPaymentInTransit)
	}
	if dec.Expired(s.now()) || inv != nil && inv.status(s.now()) == statusExpired {
		return failed(errInvoiceExpired)
	}
	if inv != nil && !inv.external && inv.walletID == sender.id {
		return failed(errSelfPayment)
	}
	// The amount in sats, and what the sender pays in its own unit.
	sats, _ := dec.AmountSats()
	if p.noAmount {
		sats = p.amount
		if p.amountInCents {
			sats = s.satsWorth(p.amount)
		}
	}
	internal := inv != nil && !inv.external
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
	if internal {
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
		return PayResult{Status: resultSuccess, Tx: &Transaction{Fee: fee}}
	}
	unit := "sats"
	if sender.currency == "USD" {
		unit = "cents"
	}
	if debit > sender.balance {
		return failed(insufficientBalance(debit, unit, sender.balance))
	}
	if w := p.key.checkSpend(s.now(), sats+feeSats); w != "" {
		return failed(limitExceeded(w))
	}
	p.key.recordSpend(s.now(), sats+feeSats)
	via := p.via
	if via == "" {
		via = "lightning"
	}
	memo := inv.memo
	if p.memo != nil {
		memo = *p.memo
	}
	sender.balance -= debit
	send := &Transaction{
		WalletID: sender.id, Direction: "SEND", Status: "SUCCESS", Amount: -debit, Fee: fee,
		Via: via, SettledVia: "lightning", PaymentHash: inv.hash, PaymentRequest: inv.request,
		Memo: memo,
	}
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
		return PayResult{Status: resultSuccess, Tx: snap(send)}
	}
	switch inv.outcome {
	case OutcomePending:
		send.Status = "PENDING"
		inv.inFlight, inv.payer = true, sender.id
		s.record(send)
		return PayResult{Status: resultPending, Tx: snap(send)}
	default:
		send.Preimage = inv.preimageHex()
		inv.paid = true
		s.record(send)
		return PayResult{Status: resultSuccess, Tx: snap(send)}
	}
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
