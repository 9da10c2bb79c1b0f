package testserver

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
	var out []Transaction
	for _, t := range s.fake.Ledger(walletID) {
		out = append(out, Transaction{
			ID: t.ID, WalletID: t.WalletID, Direction: t.Direction, Status: t.Status,
			Amount: t.Amount, Fee: t.Fee, Via: t.Via, SettledVia: t.SettledVia,
			PaymentHash: t.PaymentHash, PaymentRequest: t.PaymentRequest, Preimage: t.Preimage,
			CounterpartyWalletID: t.CounterpartyWalletID, CounterpartyUsername: t.CounterpartyUsername,
			Address: t.Address, TxHash: t.TxHash, Memo: t.Memo, ExternalID: t.ExternalID,
			CreatedAt: t.CreatedAt,
		})
	}
	return out
}
