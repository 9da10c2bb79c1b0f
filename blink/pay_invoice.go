package blink

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// PayInvoice pays a BOLT11 invoice that carries an amount, from a BTC or
// USD wallet (mutation lnInvoicePaymentSend; scope WRITE).
//
// Before anything is sent it strips a "lightning:" prefix, decodes the
// invoice locally and refuses (ErrInvalidInput and a more precise sentinel)
// an undecodable, expired or no-amount invoice, one for another network
// than the server's, one above opts.MaxAmount, and, with opts.MaxFee, one
// whose probed fee is above the limit.
//
// It returns a PaymentResult with PaymentSucceeded, PaymentPending or
// PaymentAlreadyPaid and a nil error; PaymentFailed with the server's error
// (such as ErrInsufficientBalance or ErrRouteFinding) when the server says
// nothing was paid; or a nil result and an *OutcomeUnknownError (matching
// ErrOutcomeUnknown, carrying the payment hash) when the answer was lost:
// then call ResolvePayment, never PayInvoice again with a new key.
func (c *Client) PayInvoice(ctx context.Context, walletID, paymentRequest string, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnInvoicePaymentSend"
	o := payOpts(opts)
	key, err := c.checkSend(ctx, op, walletID, o)
	if err != nil {
		return nil, err
	}
	inv, err := decodeInvoice(op, paymentRequest)
	if err != nil {
		return nil, err
	}
	if err := c.checkPayable(ctx, op, inv, true, o.MaxAmount); err != nil {
		return nil, err
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		probe := c.ProbeInvoiceFee
		if cur, _ := c.walletCurrency(ctx, walletID); cur == USD {
			probe = c.ProbeInvoiceFeeUSD // both report sats
		}
		f, err := probe(ctx, walletID, inv.PaymentRequest)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, paymentRequest: inv.PaymentRequest, memo: o.Memo, uniqueMemo: o.UniqueMemo, maxFee: o.MaxFee, maxAmount: o.MaxAmount, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnInvoicePaymentSendLnInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnInvoicePaymentSend(ctx, c.gql, gen.LnInvoicePaymentInput{WalletId: walletID, PaymentRequest: inv.PaymentRequest, Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.LnInvoicePaymentSendLnInvoicePaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnInvoicePaymentSend
		return sendPayload[gen.LnInvoicePaymentSendLnInvoicePaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// PayNoAmountInvoice pays an invoice without an amount, choosing the amount
// in sats, from a BTC wallet (mutation lnNoAmountInvoicePaymentSend; scope
// WRITE). The guards and outcomes are PayInvoice's; an invoice that carries
// an amount is refused (use PayInvoice).
func (c *Client) PayNoAmountInvoice(ctx context.Context, walletID, paymentRequest string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnNoAmountInvoicePaymentSend"
	o := payOpts(opts)
	key, inv, err := c.prepareNoAmount(ctx, op, walletID, paymentRequest, int64(amount), o, BTC)
	if err != nil {
		return nil, err
	}
	if o.MaxAmount > 0 && amount > o.MaxAmount {
		return nil, &Error{Operation: op, Message: "amount " + amount.String() + " is above MaxAmount " + o.MaxAmount.String(), sentinel: ErrLimitExceeded}
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		f, err := c.ProbeNoAmountInvoiceFee(ctx, walletID, inv.PaymentRequest, amount)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, paymentRequest: inv.PaymentRequest, amount: int64(amount), memo: o.Memo, uniqueMemo: o.UniqueMemo, maxFee: o.MaxFee, maxAmount: o.MaxAmount, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnNoAmountInvoicePaymentSendLnNoAmountInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnNoAmountInvoicePaymentSend(ctx, c.gql, gen.LnNoAmountInvoicePaymentInput{WalletId: walletID, PaymentRequest: inv.PaymentRequest, Amount: satAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.LnNoAmountInvoicePaymentSendLnNoAmountInvoicePaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnNoAmountInvoicePaymentSend
		return sendPayload[gen.LnNoAmountInvoicePaymentSendLnNoAmountInvoicePaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// PayNoAmountInvoiceUSD pays an invoice without an amount from a USD
// wallet, the amount given in cents (mutation
// lnNoAmountUsdInvoicePaymentSend; scope WRITE). opts.MaxFee is in cents;
// opts.MaxAmount does not apply (the amount is yours). Otherwise as
// PayNoAmountInvoice.
func (c *Client) PayNoAmountInvoiceUSD(ctx context.Context, walletID, paymentRequest string, amount Cents, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnNoAmountUsdInvoicePaymentSend"
	if err := unenforceable(op, opts, false, true); err != nil {
		return nil, err
	}
	o := payOpts(opts)
	key, inv, err := c.prepareNoAmount(ctx, op, walletID, paymentRequest, int64(amount), o, USD)
	if err != nil {
		return nil, err
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		f, err := c.ProbeNoAmountInvoiceFeeUSD(ctx, walletID, inv.PaymentRequest, amount)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, paymentRequest: inv.PaymentRequest, amount: int64(amount), memo: o.Memo, uniqueMemo: o.UniqueMemo, maxFee: o.MaxFee, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnNoAmountUsdInvoicePaymentSend(ctx, c.gql, gen.LnNoAmountUsdInvoicePaymentInput{WalletId: walletID, PaymentRequest: inv.PaymentRequest, Amount: centAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnNoAmountUsdInvoicePaymentSend
		return sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

func (c *Client) prepareNoAmount(ctx context.Context, op, walletID, paymentRequest string, amount int64, o PayOptions, currency WalletCurrency) (string, *DecodedInvoice, error) {
	if err := checkAmount(op, amount); err != nil {
		return "", nil, err
	}
	key, err := c.checkSend(ctx, op, walletID, o)
	if err != nil {
		return "", nil, err
	}
	inv, err := decodeInvoice(op, paymentRequest)
	if err != nil {
		return "", nil, err
	}
	if err := c.checkPayable(ctx, op, inv, false, 0); err != nil { // its local checks first
		return "", nil, err
	}
	if err := c.checkWalletCurrency(ctx, op, walletID, currency); err != nil {
		return "", nil, err
	}
	return key, inv, nil
}
