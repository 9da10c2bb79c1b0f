package blink

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// InvoicePaymentStatus is the payment state of an invoice as anyone can
// see it, knowing its payment hash or payment request.
type InvoicePaymentStatus struct {
	// Status is InvoicePending, InvoicePaid or InvoiceExpired.
	Status InvoiceStatus
	// PaymentHash identifies the payment.
	PaymentHash string
	// PaymentRequest is the invoice's BOLT11 string.
	PaymentRequest string
	// Preimage proves the payment (64 hex digits); set once Status is
	// InvoicePaid.
	Preimage string
}

// InvoiceStatus returns the payment status of any Blink invoice by its
// payment hash (query lnInvoicePaymentStatusByHash; no key needed), with
// the preimage once paid. A hash that is not 64 hex digits is refused
// before sending; an unknown hash is an *Error from the server.
func (c *Client) InvoiceStatus(ctx context.Context, paymentHash string) (*InvoicePaymentStatus, error) {
	const op = "LnInvoicePaymentStatusByHash"
	hash, err := checkPaymentHash(op, paymentHash)
	if err != nil {
		return nil, err
	}
	resp, err := gen.LnInvoicePaymentStatusByHash(ctx, c.gql, gen.LnInvoicePaymentStatusByHashInput{PaymentHash: hash})
	if err != nil {
		return nil, err
	}
	r := resp.LnInvoicePaymentStatusByHash
	return toPaymentStatus(op, r.Status, r.PaymentHash, r.PaymentRequest, r.PaymentPreimage)
}

// InvoiceStatusByPaymentRequest returns the payment status of any Blink
// invoice by its BOLT11 payment request, a "lightning:" prefix removed
// (query lnInvoicePaymentStatusByPaymentRequest; no key needed). An empty
// request is refused before sending; one the server cannot decode or does
// not know is an *Error from the server.
func (c *Client) InvoiceStatusByPaymentRequest(ctx context.Context, paymentRequest string) (*InvoicePaymentStatus, error) {
	const op = "LnInvoicePaymentStatusByPaymentRequest"
	pr := stripLightningPrefix(paymentRequest)
	if pr == "" {
		return nil, invalidInput(op, "the payment request is empty")
	}
	resp, err := gen.LnInvoicePaymentStatusByPaymentRequest(ctx, c.gql, gen.LnInvoicePaymentStatusByPaymentRequestInput{PaymentRequest: pr})
	if err != nil {
		return nil, err
	}
	r := resp.LnInvoicePaymentStatusByPaymentRequest
	return toPaymentStatus(op, r.Status, r.PaymentHash, r.PaymentRequest, r.PaymentPreimage)
}

// toPaymentStatus maps the two status queries' answer.
func toPaymentStatus(op string, st *gen.InvoicePaymentStatus, hash, pr, preimage *string) (*InvoicePaymentStatus, error) {
	if st == nil {
		return nil, &Error{Operation: op, Message: "the server returned no status", HTTPStatus: 200, sentinel: ErrServer}
	}
	return &InvoicePaymentStatus{Status: InvoiceStatus(*st), PaymentHash: deref(hash), PaymentRequest: deref(pr), Preimage: deref(preimage)}, nil
}

// Invoice returns an invoice of the caller's wallet by payment hash (query
// me.defaultAccount.walletById.invoiceByPaymentHash; scope READ). A wallet
// id that is not a UUID or a hash that is not 64 hex digits is refused
// before sending; an invoice the wallet does not have is an *Error
// matching ErrNotFound.
func (c *Client) Invoice(ctx context.Context, walletID, paymentHash string) (*Invoice, error) {
	const op = "InvoiceByPaymentHash"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	hash, err := checkPaymentHash(op, paymentHash)
	if err != nil {
		return nil, err
	}
	resp, err := gen.InvoiceByPaymentHash(ctx, c.gql, walletID, hash)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	g := resp.Me.DefaultAccount.WalletById.InvoiceByPaymentHash
	if g == nil {
		return nil, &Error{Operation: op, Code: "NOT_FOUND", Message: "the wallet has no invoice with this payment hash", HTTPStatus: 200}
	}
	inv := toInvoice(g)
	return &inv, nil
}
