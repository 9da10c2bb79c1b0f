package blink

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// resolveRecipientWallet turns a wallet id or a username into a wallet id
// of the given currency (a username is looked up with accountDefaultWallet).
func (c *Client) resolveRecipientWallet(ctx context.Context, op, to string, currency WalletCurrency) (string, error) {
	if isUUID(to) {
		return to, nil
	}
	u, err := normalizeUsername(op, to)
	if err != nil {
		return "", invalidInput(op, "recipient %q is neither a wallet id nor a username", truncate(to, 60))
	}
	w, err := c.AccountDefaultWallet(ctx, u, currency)
	if err != nil {
		return "", err
	}
	if !isUUID(w.ID) {
		return "", &Error{Operation: op, Message: "the server answered the username's wallet with something that is not a wallet id", HTTPStatus: 200, sentinel: ErrServer}
	}
	return w.ID, nil
}

// SendIntraLedger sends sats from a BTC wallet to another Blink wallet,
// given by wallet id or by username (whose BTC wallet then receives)
// (mutation intraLedgerPaymentSend; scope WRITE). Intraledger sends are
// idempotent only through the X-Idempotency-Key: an outcome-unknown error
// carries that key, the wallet, the amount and the recipient wallet, which
// ResolvePayment needs.
func (c *Client) SendIntraLedger(ctx context.Context, walletID, to string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "IntraLedgerPaymentSend"
	o := payOpts(opts)
	if o.MaxAmount > 0 && amount > o.MaxAmount {
		return nil, &Error{Operation: op, Message: "amount is above MaxAmount", sentinel: ErrLimitExceeded}
	}
	key, recipient, err := c.prepareIntraLedger(ctx, op, walletID, to, int64(amount), o, BTC)
	if err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: recipient, memo: o.Memo, uniqueMemo: o.UniqueMemo, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.IntraLedgerPaymentSendIntraLedgerPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.IntraLedgerPaymentSend(ctx, c.gql, gen.IntraLedgerPaymentSendInput{WalletId: walletID, RecipientWalletId: recipient, Amount: satAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.IntraLedgerPaymentSendIntraLedgerPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.IntraLedgerPaymentSend
		return sendPayload[gen.IntraLedgerPaymentSendIntraLedgerPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// SendIntraLedgerUSD sends cents from a USD wallet to another Blink wallet,
// given by wallet id or by username (whose USD wallet then receives)
// (mutation intraLedgerUsdPaymentSend; scope WRITE). Otherwise as
// SendIntraLedger; MaxAmount does not apply (it is in sats).
func (c *Client) SendIntraLedgerUSD(ctx context.Context, walletID, to string, amount Cents, opts *PayOptions) (*PaymentResult, error) {
	const op = "IntraLedgerUsdPaymentSend"
	if err := unenforceable(op, opts, false, true); err != nil {
		return nil, err
	}
	o := payOpts(opts)
	key, recipient, err := c.prepareIntraLedger(ctx, op, walletID, to, int64(amount), o, USD)
	if err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: recipient, memo: o.Memo, uniqueMemo: o.UniqueMemo, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.IntraLedgerUsdPaymentSend(ctx, c.gql, gen.IntraLedgerUsdPaymentSendInput{WalletId: walletID, RecipientWalletId: recipient, Amount: centAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.IntraLedgerUsdPaymentSend
		return sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

func (c *Client) prepareIntraLedger(ctx context.Context, op, walletID, to string, amount int64, o PayOptions, currency WalletCurrency) (key, recipient string, err error) {
	if key, err = c.checkSend(ctx, op, walletID, o); err != nil {
		return "", "", err
	}
	if err := checkAmount(op, amount); err != nil {
		return "", "", err
	}
	if !isUUID(to) {
		if _, err := normalizeUsername(op, to); err != nil {
			return "", "", invalidInput(op, "recipient %q is neither a wallet id nor a username", truncate(to, 60))
		}
	}
	if err := c.checkWalletCurrency(ctx, op, walletID, currency); err != nil {
		return "", "", err
	}
	recipient, err = c.resolveRecipientWallet(ctx, op, to, currency)
	return key, recipient, err
}
