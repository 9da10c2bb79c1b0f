package blink

import (
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// Direction says whether a transaction sent or received money.
type Direction string

// Transaction directions.
const (
	Send    Direction = "SEND"
	Receive Direction = "RECEIVE"
)

// TxStatus is a transaction's state in the ledger.
type TxStatus string

// Transaction states.
const (
	TxSuccess TxStatus = "SUCCESS"
	TxPending TxStatus = "PENDING"
	TxFailure TxStatus = "FAILURE"
)

// Rail is the way a transaction was initiated or settled.
type Rail string

// The three rails of a Blink transaction.
const (
	// Lightning: a BOLT11 payment over the Lightning Network.
	Lightning Rail = "lightning"
	// IntraLedger: between two Blink wallets, inside Blink's ledger.
	IntraLedger Rail = "intraledger"
	// OnChain: a Bitcoin transaction.
	OnChain Rail = "onchain"
)

// Transaction is one entry of a wallet's ledger.
type Transaction struct {
	// ID is the transaction id; it is also the pagination cursor.
	ID string
	// CreatedAt is when the transaction was created.
	CreatedAt time.Time
	// Direction is Send or Receive.
	Direction Direction
	// Status is TxSuccess, TxPending or TxFailure.
	Status TxStatus
	// Amount is the settled amount in the wallet's unit, negative for a
	// send; it includes the fee.
	Amount Amount
	// Fee is the fee paid, in the wallet's unit.
	Fee Amount
	// DisplayAmount and DisplayFee are decimal strings in DisplayCurrency
	// (such as "-0.47"), as the server computed them.
	DisplayAmount, DisplayFee string
	// DisplayCurrency is the account's display currency at the time.
	DisplayCurrency string
	// Price is the price of one minor unit of the wallet's currency in minor
	// units of DisplayCurrency when the transaction settled.
	Price Price
	// Memo is the transaction's memo, if any.
	Memo string
	// ExternalID is the caller-chosen id given when the invoice was created.
	ExternalID string
	// Initiation tells how the transaction was initiated.
	Initiation Initiation
	// Settlement tells how it was settled.
	Settlement Settlement
}

// Initiation describes how a transaction was initiated. Only the fields of
// its Rail are set.
type Initiation struct {
	// Rail is Lightning, IntraLedger or OnChain.
	Rail Rail
	// PaymentHash and PaymentRequest identify a lightning payment.
	PaymentHash, PaymentRequest string
	// CounterpartyUsername and CounterpartyWalletID identify the other side
	// of an intraledger transaction.
	CounterpartyUsername, CounterpartyWalletID string
	// Address is the on-chain address.
	Address string
}

// Settlement describes how a transaction was settled. Only the fields of
// its Rail are set.
type Settlement struct {
	// Rail is Lightning, IntraLedger or OnChain. A lightning invoice paid by
	// another Blink user settles IntraLedger.
	Rail Rail
	// Preimage proves a lightning payment; empty until it settles.
	Preimage string
	// CounterpartyUsername and CounterpartyWalletID identify the other side
	// of an intraledger settlement.
	CounterpartyUsername, CounterpartyWalletID string
	// TxHash and Vout identify the on-chain output.
	TxHash string
	Vout   int
	// ArrivalInMempoolEstimatedAt is when an on-chain send is expected in
	// the mempool, if known.
	ArrivalInMempoolEstimatedAt time.Time
}

// toTransaction maps the generated TransactionFields; it is the one place
// where transactions are mapped.
func toTransaction(t *gen.TransactionFields) Transaction {
	cur := WalletCurrency(t.SettlementCurrency)
	tx := Transaction{
		ID:              t.Id,
		CreatedAt:       t.CreatedAt.Time(),
		Direction:       Direction(t.Direction),
		Status:          TxStatus(t.Status),
		Amount:          Amount{Value: int64(t.SettlementAmount), Currency: cur},
		Fee:             Amount{Value: int64(t.SettlementFee), Currency: cur},
		DisplayAmount:   t.SettlementDisplayAmount,
		DisplayFee:      t.SettlementDisplayFee,
		DisplayCurrency: t.SettlementDisplayCurrency,
		Price:           Price{Base: t.SettlementPrice.Base, Offset: t.SettlementPrice.Offset},
		Memo:            deref(t.Memo),
		ExternalID:      deref(t.ExternalId),
	}
	switch v := t.InitiationVia; v.Typename {
	case "InitiationViaLn":
		tx.Initiation = Initiation{Rail: Lightning, PaymentHash: v.PaymentHash, PaymentRequest: v.PaymentRequest}
	case "InitiationViaIntraLedger":
		tx.Initiation = Initiation{Rail: IntraLedger, CounterpartyUsername: deref(v.CounterPartyUsername), CounterpartyWalletID: deref(v.CounterPartyWalletId)}
	case "InitiationViaOnChain":
		tx.Initiation = Initiation{Rail: OnChain, Address: v.Address}
	}
	switch v := t.SettlementVia; v.Typename {
	case "SettlementViaLn":
		tx.Settlement = Settlement{Rail: Lightning, Preimage: deref(v.PreImage)}
	case "SettlementViaIntraLedger":
		tx.Settlement = Settlement{Rail: IntraLedger, Preimage: deref(v.PreImage), CounterpartyUsername: deref(v.CounterPartyUsername), CounterpartyWalletID: deref(v.CounterPartyWalletId)}
	case "SettlementViaOnChain":
		tx.Settlement = Settlement{Rail: OnChain, TxHash: deref(v.TransactionHash)}
		if v.Vout != nil {
			tx.Settlement.Vout = *v.Vout
		}
		if v.ArrivalInMempoolEstimatedAt != nil {
			tx.Settlement.ArrivalInMempoolEstimatedAt = v.ArrivalInMempoolEstimatedAt.Time()
		}
	}
	return tx
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
