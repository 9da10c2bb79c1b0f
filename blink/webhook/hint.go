package webhook

import "github.com/blink-sdk/blink-go/blink"

// PaymentHashOf returns the payment hash of an invoice that ev says was
// paid: a receive.lightning event's (a payment into one of the account's
// invoices) or an invoice.paid delivery's. It returns false for every
// other event, and for a failed receive.lightning.
//
// Hand the hash to blink.Client.HintInvoice, which makes every
// WaitForInvoice on that invoice check the server at once. The event is
// a hint, never the truth about money: the wait returns only what the
// server's invoice status says.
func PaymentHashOf(ev Event) (string, bool) {
	switch e := ev.(type) {
	case *ReceiveLightning:
		h := e.Transaction.Initiation.PaymentHash
		return h, h != "" && e.Transaction.Status != blink.TxFailure
	case *InvoicePaid:
		return e.PaymentHash, e.PaymentHash != ""
	}
	return "", false
}
