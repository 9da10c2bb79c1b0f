package fake

import (
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// AddressRateLimit is how many on-chain addresses an account may create an
// hour before it is blocked for four hours.
const AddressRateLimit = 20

// On-chain fees in sats by payout speed.
var onChainFees = map[string]int64{"FAST": 2000, "MEDIUM": 1000, "SLOW": 500}

// OnChainFeeSats returns the fake's fee for an on-chain send at a speed
// ("FAST", "MEDIUM" or "SLOW").
func OnChainFeeSats(speed string) int64 {
	if f, ok := onChainFees[speed]; ok {
		return f
	}
	return onChainFees["FAST"]
}

func (s *Server) addressHRP() string {
	switch s.cfg.Network {
	case "mainnet":
		return "bc"
	case "regtest":
		return "bcrt"
	}
	return "tb"
}

// validAddress reports whether addr is a bech32 segwit address of the
// configured network. Callers need not hold s.mu.
func (s *Server) validAddress(addr string) bool {
	hrp, data, err := bech32.Decode(strings.ToLower(addr))
	if err != nil || hrp != s.addressHRP() || len(data) < 1 {
		return false
	}
	prog, err := bech32.ConvertBits(data[1:], 5, 8, false)
	return err == nil && len(prog) >= 2 && len(prog) <= 40
}

// newAddress returns a fresh P2WPKH address of the network.
func (s *Server) newAddress() string {
	prog, _ := bech32.ConvertBits(randomBytes(20), 8, 5, true)
	addr, err := bech32.Encode(s.addressHRP(), append([]byte{0}, prog...))
	if err != nil {
		panic(err)
	}
	return addr
}

// ExternalAddress returns a valid on-chain address of the network that
// belongs to no Blink wallet.
func (s *Server) ExternalAddress() string { return s.newAddress() }

// onChainAddress returns the wallet's current address, or a new one.
func (s *Server) onChainAddress(callerID, walletID string, fresh bool) (string, *AppError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := checkWalletID(walletID); e != nil {
		return "", e
	}
	w, ok := s.walletOf(callerID, walletID)
	if !ok {
		return "", errInvalidWalletForAccount
	}
	if w.currency != "BTC" {
		return "", errMismatchedCurrency
	}
	if fresh || w.currentAddr == "" {
		if !s.accounts[w.accountID].addressRate.take(s.now(), time.Hour, AddressRateLimit, 4*time.Hour) {
			return "", errTooManyAddresses
		}
		w.currentAddr = s.newAddress()
		s.addresses[w.currentAddr] = w.id
	}
	return w.currentAddr, nil
}

// chainPay describes an on-chain send.
type chainPay struct {
	callerID string
	key      *apiKey
	walletID string
	address  string
	amount   int64 // sats, or cents when inCents
	inCents  bool  // onChainUsdPaymentSend
	all      bool  // onChainPaymentSendAll
	speed    string
	memo     *string
	feeOnly  bool // onChainTxFee and friends: only price the send
}

// payOnChain queues an on-chain payout. To an address of a Blink wallet it
// settles at once; otherwise the SEND stays PENDING until ConfirmOnChain.
func (s *Server) payOnChain(p chainPay) PayResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := checkWalletID(p.walletID); e != nil {
		return invalid(e)
	}
	if !s.validAddress(p.address) {
		return invalid(validationError("Invalid value for OnChainAddress"))
	}
	if !p.all {
		scalar := "SatAmount"
		if p.inCents {
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
	usd := sender.currency == "USD"
	if p.inCents && !usd {
		return failed(errMismatchedCurrency)
	}
	recipientID, internal := s.addresses[strings.ToLower(p.address)]
	if recipientID == sender.id {
		return failed(errSelfPayment)
	}
	feeSats := OnChainFeeSats(p.speed)
	if internal {
		feeSats = 0
	}
	var sats, debit, fee int64
	switch {
	case p.all:
		if sender.balance == 0 {
			return failed(errNoBalanceLeft)
		}
		fee = feeSats
		if usd {
			fee = s.centsToPay(feeSats)
		}
		debit = sender.balance
		if debit <= fee {
			return failed(insufficientBalance(fee, unitOf(sender), sender.balance))
		}
		sats = debit - fee
		if usd {
			sats = s.satsWorth(debit - fee)
		}
	case p.inCents:
		sats = s.satsWorth(p.amount)
		fee = s.centsToPay(feeSats)
		debit = p.amount + fee
	case usd:
		fee = s.centsToPay(feeSats)
		debit = s.centsToPay(p.amount) + fee
		sats = p.amount
	default:
		sats, fee, debit = p.amount, feeSats, p.amount+feeSats
	}
	if sats <= 0 && !p.all {
		if p.inCents {
			return failed(errInvalidCents)
		}
		return failed(errInvalidSats)
	}
	if p.feeOnly {
		return PayResult{Status: resultSuccess, Tx: &Transaction{Fee: fee}}
	}
	if debit > sender.balance {
		return failed(insufficientBalance(debit, unitOf(sender), sender.balance))
	}
	if w := p.key.checkSpend(s.now(), sats+feeSats); w != "" {
		return failed(limitExceeded(w))
	}
	p.key.recordSpend(s.now(), sats+feeSats)
	memo := ""
	if p.memo != nil {
		memo = *p.memo
	}
	sender.balance -= debit
	send := &Transaction{
		WalletID: sender.id, Direction: "SEND", Status: "PENDING", Amount: -debit, Fee: fee,
		Via: "onchain", SettledVia: "onchain", Address: p.address, Memo: memo,
	}
	if internal {
		recipient := s.wallets[recipientID]
		ra, sa := s.accounts[recipient.accountID], s.accounts[sender.accountID]
		send.Status, send.SettledVia = "SUCCESS", "intraledger"
		send.CounterpartyWalletID, send.CounterpartyUsername = recipient.id, ra.username
		s.record(send)
		credit := sats
		if recipient.currency == "USD" {
			credit = s.centsReceived(sats)
		}
		recipient.balance += credit
		s.record(&Transaction{
			WalletID: recipient.id, Direction: "RECEIVE", Status: "SUCCESS", Amount: credit,
			Via: "onchain", SettledVia: "intraledger", Address: p.address, Memo: memo,
			CounterpartyWalletID: sender.id, CounterpartyUsername: sa.username,
		})
		return PayResult{Status: resultSuccess, Tx: snap(send)}
	}
	send.TxHash = hexString(randomBytes(32))
	s.record(send)
	s.onchainSend[send.TxHash] = append(s.onchainSend[send.TxHash], send.ID)
	return PayResult{Status: resultSuccess, Tx: snap(send)}
}

func unitOf(w *wallet) string {
	if w.currency == "USD" {
		return "cents"
	}
	return "sats"
}

// ConfirmOnChain confirms an on-chain send: its transaction becomes
// SUCCESS.
func (s *Server) ConfirmOnChain(txHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	txHash = strings.ToLower(txHash)
	if s.confirmIncoming(txHash) {
		return nil
	}
	ids, ok := s.onchainSend[txHash]
	if !ok {
		return &AppError{Code: "NOT_FOUND", Message: "blinktest: no pending on-chain transaction " + txHash}
	}
	for _, id := range ids {
		s.txs[id].Status = "SUCCESS"
		s.emitTx(s.txs[id]) // settle-payout-txn.ts:60: send.onchain again
	}
	delete(s.onchainSend, txHash)
	s.changed()
	return nil
}

// ReceiveOnChain sends sats on-chain from outside Blink to an address of a
// Blink wallet. The transaction is pending incoming (pendingIncomingBalance,
// pendingIncomingTransactions; not in transactions) until ConfirmOnChain,
// which records it in the ledger under a new id. It returns the
// transaction hash.
func (s *Server) ReceiveOnChain(address string, sats int64) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	wid, ok := s.addresses[strings.ToLower(address)]
	if !ok {
		return "", &AppError{Code: "NOT_FOUND", Message: "blinktest: no Blink wallet has address " + address}
	}
	if sats <= 0 {
		return "", inputError("blinktest: amount must be positive")
	}
	w := s.wallets[wid]
	t := &Transaction{
		ID: newTxID(), WalletID: w.id, Direction: "RECEIVE", Status: "PENDING", Amount: sats,
		Currency: w.currency, Via: "onchain", SettledVia: "onchain", Address: address,
		TxHash: hexString(randomBytes(32)), CreatedAt: s.now(), PriceUSDCentsPerBTC: s.price,
		DisplayCurrency: s.accounts[w.accountID].displayCurrency,
	}
	w.pendingIn = append(w.pendingIn, t)
	w.pendingLog = append(w.pendingLog, t)
	s.changed()
	s.emitTx(t) // add-pending-on-chain-transaction.ts:148: receive.onchain, pending
	return t.TxHash, nil
}

// confirmIncoming confirms a pending incoming on-chain transaction, if
// txHash is one. Callers hold s.mu.
func (s *Server) confirmIncoming(txHash string) bool {
	for _, w := range s.wallets {
		for i, t := range w.pendingIn {
			if t.TxHash != txHash {
				continue
			}
			w.pendingIn = append(w.pendingIn[:i], w.pendingIn[i+1:]...)
			w.balance += t.Amount
			s.record(&Transaction{
				WalletID: w.id, Direction: "RECEIVE", Status: "SUCCESS", Amount: t.Amount,
				Via: "onchain", SettledVia: "onchain", Address: t.Address, TxHash: t.TxHash,
			})
			return true
		}
	}
	return false
}

// pendingIncoming returns the pending incoming transactions of wallets,
// newest first. Callers hold s.mu.
func (s *Server) pendingIncoming(walletIDs []string) []*Transaction {
	var out []*Transaction
	for _, id := range walletIDs {
		if w := s.wallets[id]; w != nil {
			for i := len(w.pendingIn) - 1; i >= 0; i-- {
				out = append(out, w.pendingIn[i])
			}
		}
	}
	return out
}
