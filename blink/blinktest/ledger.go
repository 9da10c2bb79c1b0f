package blinktest

import "time"

// Transaction is one entry of a wallet's ledger.
type Transaction struct {
	// ID is the transaction id (24 hex digits), also the pagination cursor.
	ID       string
	WalletID string
	// Direction is "SEND" or "RECEIVE".
	Direction string
	// Status is "PENDING", "SUCCESS" or "FAILURE".
	Status string
	// Amount is signed, in the wallet's unit (sats or cents): negative for
	// sends, which include the fee.
	Amount int64
	// Fee is in the wallet's unit.
	Fee int64
	// Via is how the payment was initiated: "lightning", "intraledger" or
	// "onchain".
	Via string
	// SettledVia is how it settled; lightning payments between two Blink
	// wallets settle "intraledger".
	SettledVia           string
	PaymentHash          string
	PaymentRequest       string
	Preimage             string
	CounterpartyWalletID string
	CounterpartyUsername string
	Address              string
	TxHash               string
	Memo                 string
	ExternalID           string
	CreatedAt            time.Time
}

// Ledger returns a wallet's transactions, newest first.
func (s *Server) Ledger(walletID string) []Transaction {
	in := s.ts.Ledger(walletID)
	out := make([]Transaction, len(in))
	for i, t := range in {
		out[i] = Transaction(t)
	}
	return out
}
