package blinktest

import (
	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/internal/testserver"
)

// Outcome is how paying an ExternalInvoice from a Blink wallet ends.
type Outcome int

const (
	// OutcomeSuccess settles the payment at once (SUCCESS, preimage known).
	OutcomeSuccess Outcome = Outcome(testserver.OutcomeSuccess)
	// OutcomeRouteFailure fails it: FAILURE with ROUTE_FINDING_ERROR, and
	// nothing is debited.
	OutcomeRouteFailure Outcome = Outcome(testserver.OutcomeRouteFailure)
	// OutcomePending leaves it PENDING, amount and fee debited, until the
	// test calls SettlePending or FailPending.
	OutcomePending Outcome = Outcome(testserver.OutcomePending)
)

// PaymentFlowTTL is how long the server remembers a wallet's payment flow
// for a lightning invoice (five minutes, as the real server): a fee probe or
// a send creates one, and a send by the same wallet for the same invoice
// and amount within that time skips the check that a Blink invoice is
// unpaid, so that paying again answers ALREADY_PAID instead of FAILURE
// "Invoice is already paid". A flow whose payment is pending does not
// expire.
const PaymentFlowTTL = testserver.PaymentFlowTTL

// PayInvoice pays one of the fake's invoices from outside Blink, as a remote
// lightning node would: the wallet gets a RECEIVE and the invoice is PAID.
// A no-amount invoice needs PayInvoiceAmount.
func (s *Server) PayInvoice(paymentRequest string) error { return s.ts.PayInvoice(paymentRequest) }

// PayInvoiceAmount is PayInvoice for a no-amount invoice, paying
// amountSats.
func (s *Server) PayInvoiceAmount(paymentRequest string, amount blink.Sats) error {
	return s.ts.PayInvoiceAmount(paymentRequest, int64(amount))
}

// ExternalInvoice returns a BOLT11 invoice of a node outside Blink for
// amountSats (0 = no amount), valid for an hour; paying it from a Blink
// wallet ends per outcome.
func (s *Server) ExternalInvoice(amount blink.Sats, outcome Outcome) string {
	return s.ts.ExternalInvoice(int64(amount), testserver.Outcome(outcome))
}

// ExternalInvoiceMsat is ExternalInvoice for an amount in millisatoshis,
// which need not be a whole number of sats (0 = no amount). Blink pays such
// an invoice as its amount rounded up to whole sats, as the real server
// does: 1 to 999 msat cost 1 sat, 1001 msat cost 2 (plus the fee).
func (s *Server) ExternalInvoiceMsat(amountMsat int64, outcome Outcome) string {
	return s.ts.ExternalInvoiceMsat(amountMsat, testserver.Outcome(outcome))
}

// SettlePending settles a PENDING payment to an ExternalInvoice: the SEND
// becomes SUCCESS with the preimage, the invoice is paid.
func (s *Server) SettlePending(paymentHash string) error { return s.ts.SettlePending(paymentHash) }

// FailPending fails a PENDING payment to an ExternalInvoice the way the real
// server reverts one: the SEND becomes FAILURE and a RECEIVE entry for the
// same payment hash refunds amount and fee.
func (s *Server) FailPending(paymentHash string) error { return s.ts.FailPending(paymentHash) }

// ConfirmOnChain confirms an on-chain transaction by its hash: a send's
// SEND, PENDING since the send, becomes SUCCESS; a pending incoming
// transaction (ReceiveOnChain) is credited and enters the ledger.
func (s *Server) ConfirmOnChain(txHash string) error { return s.ts.ConfirmOnChain(txHash) }

// ExternalAddress returns an on-chain address of the server's network that
// belongs to no Blink wallet.
func (s *Server) ExternalAddress() string { return s.ts.ExternalAddress() }

// ReceiveOnChain sends sats on-chain from outside Blink to an address of a
// Blink wallet (see onChainAddressCreate). Until ConfirmOnChain(txHash) the
// transaction is pending incoming: it shows in pendingIncomingBalance and
// pendingIncomingTransactions but not in transactions, and the balance is
// unchanged. Once confirmed it is credited and recorded under a new id, as
// on the real server.
func (s *Server) ReceiveOnChain(address string, amount blink.Sats) (txHash string, err error) {
	return s.ts.ReceiveOnChain(address, int64(amount))
}
