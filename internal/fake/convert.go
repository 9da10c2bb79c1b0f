package fake

import (
	"math/big"
	"strings"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// displayAmount converts an amount of a wallet's unit into the display
// currency's major units at the transaction's price, in the display
// currency the account had when the transaction was recorded.
func displayAmount(t *Transaction, amount int64) string {
	cents := new(big.Rat).SetInt64(amount)
	if t.Currency != "USD" {
		cents.Mul(cents, new(big.Rat).SetFrac(big.NewInt(t.PriceUSDCentsPerBTC), big.NewInt(satsPerBTC)))
	}
	return displayMajor(cents, txDisplayCurrency(t))
}

// txDisplayCurrency is a transaction's display currency, USD by default.
func txDisplayCurrency(t *Transaction) string {
	if t.DisplayCurrency == "" {
		return "USD"
	}
	return t.DisplayCurrency
}

// toModelTx converts a ledger entry into the GraphQL Transaction.
func toModelTx(t *Transaction) *model.Transaction {
	if t == nil {
		return nil
	}
	mt := &model.Transaction{
		ID:                        t.ID,
		CreatedAt:                 t.CreatedAt,
		Direction:                 model.TxDirection(t.Direction),
		Status:                    model.TxStatus(t.Status),
		Memo:                      strPtr(t.Memo),
		ExternalID:                strPtr(t.ExternalID),
		SettlementAmount:          scalars.SignedAmount(t.Amount),
		SettlementFee:             scalars.SignedAmount(t.Fee),
		SettlementCurrency:        model.WalletCurrency(t.Currency),
		SettlementDisplayAmount:   displayAmount(t, t.Amount),
		SettlementDisplayFee:      displayAmount(t, t.Fee),
		SettlementDisplayCurrency: txDisplayCurrency(t),
		SettlementPrice:           settlementPrice(t),
	}
	switch t.Via {
	case "lightning":
		mt.InitiationVia = &model.InitiationViaLn{PaymentHash: t.PaymentHash, PaymentRequest: t.PaymentRequest}
	case "onchain":
		mt.InitiationVia = &model.InitiationViaOnChain{Address: t.Address}
	default:
		mt.InitiationVia = &model.InitiationViaIntraLedger{
			CounterPartyUsername: strPtr(t.CounterpartyUsername), CounterPartyWalletID: strPtr(t.CounterpartyWalletID),
		}
	}
	switch t.SettledVia {
	case "lightning":
		mt.SettlementVia = &model.SettlementViaLn{PreImage: strPtr(t.Preimage)}
	case "onchain":
		vout := t.Vout
		sv := &model.SettlementViaOnChain{TransactionHash: strPtr(t.TxHash)}
		if t.TxHash != "" {
			sv.Vout = &vout
		}
		mt.SettlementVia = sv
	default:
		mt.SettlementVia = &model.SettlementViaIntraLedger{
			CounterPartyUsername: strPtr(t.CounterpartyUsername), CounterPartyWalletID: strPtr(t.CounterpartyWalletID),
			PreImage: strPtr(t.Preimage),
		}
	}
	return mt
}

// settlementPrice is the price of one minor unit of the wallet's currency
// in display minor units, as base / 10^12.
func settlementPrice(t *Transaction) *model.PriceOfOneSettlementMinorUnitInDisplayMinorUnit {
	base := int64(1_000_000_000_000)
	if t.Currency == "BTC" {
		base = t.PriceUSDCentsPerBTC * 10_000
	}
	base = displayRate(txDisplayCurrency(t)).applyInt(base)
	r := new(big.Rat).SetFrac(big.NewInt(base), new(big.Int).Exp(big.NewInt(10), big.NewInt(PriceOffset), nil))
	return &model.PriceOfOneSettlementMinorUnitInDisplayMinorUnit{
		Base: scalars.SafeInt(base), Offset: PriceOffset, CurrencyUnit: "MINOR",
		FormattedAmount: strings.TrimRight(strings.TrimRight(r.FloatString(12), "0"), "."),
	}
}

func toModelTxs(ts []*Transaction) []*model.Transaction {
	out := make([]*model.Transaction, 0, len(ts))
	for _, t := range ts {
		out = append(out, toModelTx(t))
	}
	return out
}

// toModelInvoice converts an invoice into LnInvoice or LnNoAmountInvoice.
// Callers hold s.mu.
func (s *Server) toModelInvoice(inv *invoice) model.Invoice {
	st := model.InvoicePaymentStatus(inv.status(s.now()))
	if inv.sats == 0 {
		return s.toNoAmountInvoice(inv)
	}
	return &model.LnInvoice{
		CreatedAt: inv.createdAt, ExternalID: inv.externalID, PaymentHash: inv.hash,
		PaymentRequest: inv.request, PaymentSecret: inv.secretHex(), PaymentStatus: st,
		Satoshis: scalars.SatAmount(inv.sats),
	}
}

func (s *Server) toNoAmountInvoice(inv *invoice) *model.LnNoAmountInvoice {
	return &model.LnNoAmountInvoice{
		CreatedAt: inv.createdAt, ExternalID: inv.externalID, PaymentHash: inv.hash,
		PaymentRequest: inv.request, PaymentSecret: inv.secretHex(),
		PaymentStatus: model.InvoicePaymentStatus(inv.status(s.now())),
	}
}

func toTxConnection(p Page[*Transaction]) *model.TransactionConnection {
	// edges is a nullable list, but the real server's connections always
	// have one: [] when empty.
	c := &model.TransactionConnection{
		PageInfo: &model.PageInfo{HasNextPage: p.HasNext, HasPreviousPage: p.HasPrevious},
		Edges:    make([]*model.TransactionEdge, 0, len(p.Items)),
	}
	for _, t := range p.Items {
		c.Edges = append(c.Edges, &model.TransactionEdge{Cursor: t.ID, Node: toModelTx(t)})
	}
	if n := len(p.Items); n > 0 {
		c.PageInfo.StartCursor = &p.Items[0].ID
		c.PageInfo.EndCursor = &p.Items[n-1].ID
	}
	return c
}

func payPayload(r PayResult) *model.PaymentSendPayload {
	p := &model.PaymentSendPayload{Errors: gqlErrors(r.Errs...), Transaction: toModelTx(r.Tx)}
	if r.Status != "" {
		st := model.PaymentSendResult(r.Status)
		p.Status = &st
	}
	return p
}

func abs(n int64) scalars.SatAmount {
	if n < 0 {
		n = -n
	}
	return scalars.SatAmount(n)
}
