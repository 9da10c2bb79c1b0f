package blink

import (
	"context"
	"net/url"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/lnurl"
)

// PayLightningAddress pays a lightning address (user@domain) an amount in
// sats from a BTC wallet (mutation lnAddressPaymentSend; scope WRITE). The
// server resolves the address and pays the invoice it gets. The address
// is checked against LUD-16 before anything is sent (one @, a local part
// of a-z 0-9 - _ . +, a valid host name; no spaces, control or zero-width
// characters, percent escapes) and sent lower-cased. Outcomes as
// PayInvoice; an outcome-unknown error carries the address as Recipient.
// opts.MaxFee and opts.Memo are refused: the API has no fee probe and no
// memo for this send.
func (c *Client) PayLightningAddress(ctx context.Context, walletID, address string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnAddressPaymentSend"
	o := payOpts(opts)
	key, err := c.prepareLNURLPay(ctx, op, walletID, amount, o)
	if err != nil {
		return nil, err
	}
	addr, err := lnurl.ParseAddress(address)
	if err != nil {
		return nil, &Error{Operation: op, Message: "not a lightning address (user@domain, LUD-16)", cause: err, sentinel: ErrInvalidInput}
	}
	address = addr.String()
	if err := c.checkWalletCurrency(ctx, op, walletID, BTC); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: address, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnAddressPaymentSend(ctx, c.gql, gen.LnAddressPaymentSendInput{WalletId: walletID, LnAddress: address, Amount: satAmount(amount)})
		if err != nil {
			return sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnAddressPaymentSend
		return sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// PayLNURL pays an LNURL-pay code an amount in sats from a BTC wallet
// (mutation lnurlPaymentSend; scope WRITE). The code is decoded before
// anything is sent: a bech32 "lnurl1..." (one case; a "lightning:" prefix
// is stripped), or an "lnurlp://" or "https://" URL, which must name a
// host over https. Outcomes and refused options as PayLightningAddress.
func (c *Client) PayLNURL(ctx context.Context, walletID, code string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnurlPaymentSend"
	o := payOpts(opts)
	key, err := c.prepareLNURLPay(ctx, op, walletID, amount, o)
	if err != nil {
		return nil, err
	}
	code = stripLightningPrefix(code)
	if _, err := lnurl.DecodeWithOptions(code, &lnurl.DecodeOptions{AllowLoopbackHTTP: c.allowLoopbackLNURL()}); err != nil {
		return nil, &Error{Operation: op, Message: "not an LNURL-pay code (lnurl1..., lnurlp:// or https://)", cause: err, sentinel: ErrInvalidInput}
	}
	if err := c.checkWalletCurrency(ctx, op, walletID, BTC); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: code, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnurlPaymentSend(ctx, c.gql, gen.LnurlPaymentSendInput{WalletId: walletID, Lnurl: code, Amount: satAmount(amount)})
		if err != nil {
			return sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnurlPaymentSend
		return sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// allowLoopbackLNURL reports whether an LNURL may name a plain-http
// loopback host: only when the client itself talks to a loopback server
// (a local stack or blinktest), whose LNURL servers are local too.
func (c *Client) allowLoopbackLNURL() bool {
	u, err := url.Parse(c.endpoint)
	return err == nil && u.Scheme == "http" && isLoopback(u.Hostname())
}

// prepareLNURLPay does the local checks of the lightning address and
// LNURL sends and returns the idempotency key.
func (c *Client) prepareLNURLPay(ctx context.Context, op, walletID string, amount Sats, o PayOptions) (string, error) {
	key, err := sendKey(ctx, op, o.IdempotencyKey)
	if err != nil {
		return "", err
	}
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return "", err
	}
	if err := checkAmount(op, int64(amount)); err != nil {
		return "", err
	}
	if o.MaxFee > 0 {
		return "", invalidInput(op, "MaxFee cannot be enforced here: the API has no fee probe for this kind of send")
	}
	if o.Memo != "" || o.UniqueMemo {
		return "", invalidInput(op, "this send carries no memo (the API takes none)")
	}
	if o.MaxAmount > 0 && amount > o.MaxAmount {
		return "", &Error{Operation: op, Message: "amount is above MaxAmount", sentinel: ErrLimitExceeded}
	}
	return key, nil
}
