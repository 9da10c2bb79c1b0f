package blink

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// OnChainOptions are the optional settings of an on-chain send.
type OnChainOptions struct {
	// Speed is the payout priority (Fast by default).
	Speed PayoutSpeed
	// Memo is attached to the payment (at most 639 bytes).
	Memo string
	// UniqueMemo vouches that no other send from this wallet carries Memo;
	// see PayOptions.UniqueMemo.
	UniqueMemo bool
	// MaxFee, when above 0, estimates the fee first and refuses to send
	// when it is above (in the sending wallet's unit).
	MaxFee int64
	// IdempotencyKey is the X-Idempotency-Key to send (a UUIDv4); empty
	// means a fresh one. See PayOptions.IdempotencyKey.
	IdempotencyKey string
}

func (o *OnChainOptions) orZero() OnChainOptions {
	if o == nil {
		return OnChainOptions{}
	}
	return *o
}

// payOptions are the settings PayOptions shares with OnChainOptions.
func (o OnChainOptions) payOptions() PayOptions {
	return PayOptions{Memo: o.Memo, UniqueMemo: o.UniqueMemo, IdempotencyKey: o.IdempotencyKey}
}

// SendOnChain sends amount sats from a BTC wallet to a Bitcoin address
// (mutation onChainPaymentSend; scope WRITE). PaymentSucceeded means the
// payout is queued: the transaction stays pending until confirmed. On-chain
// sends are idempotent only through the X-Idempotency-Key: an
// outcome-unknown error carries that key, the wallet, the amount and the
// address, which ResolvePayment needs. The address's form and network are
// checked before sending.
func (c *Client) SendOnChain(ctx context.Context, walletID, address string, amount Sats, opts *OnChainOptions) (*PaymentResult, error) {
	const op = "OnChainPaymentSend"
	o := opts.orZero()
	key, address, sp, err := c.prepareOnChainSend(ctx, op, walletID, address, amountOf(amount), o, BTC)
	if err != nil {
		return nil, err
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		f, err := c.OnChainFee(ctx, walletID, address, amount, o.Speed)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: address, memo: o.Memo, uniqueMemo: o.UniqueMemo, speed: o.Speed, maxFee: o.MaxFee, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.OnChainPaymentSendOnChainPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.OnChainPaymentSend(ctx, c.gql, gen.OnChainPaymentSendInput{WalletId: walletID, Address: address, Amount: satAmount(amount), Speed: sp, Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.OnChainPaymentSendOnChainPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.OnChainPaymentSend
		return sendPayload[gen.OnChainPaymentSendOnChainPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// SendAllOnChain sends a BTC wallet's whole balance, less the fee, to a
// Bitcoin address (mutation onChainPaymentSendAll; scope WRITE). Otherwise
// as SendOnChain; a MaxFee is refused (the fee depends on the amount the
// server computes).
func (c *Client) SendAllOnChain(ctx context.Context, walletID, address string, opts *OnChainOptions) (*PaymentResult, error) {
	const op = "OnChainPaymentSendAll"
	o := opts.orZero()
	if o.MaxFee > 0 {
		return nil, invalidInput(op, "MaxFee cannot be enforced for a send-all: estimate with OnChainFee and use SendOnChain")
	}
	key, address, sp, err := c.prepareOnChainSend(ctx, op, walletID, address, sendAll, o, BTC)
	if err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, recipient: address, memo: o.Memo, uniqueMemo: o.UniqueMemo, speed: o.Speed, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.OnChainPaymentSendAllOnChainPaymentSendAllPaymentSendPayloadErrorsError], error) {
		resp, err := gen.OnChainPaymentSendAll(ctx, c.gql, gen.OnChainPaymentSendAllInput{WalletId: walletID, Address: address, Speed: sp, Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.OnChainPaymentSendAllOnChainPaymentSendAllPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.OnChainPaymentSendAll
		return sendPayload[gen.OnChainPaymentSendAllOnChainPaymentSendAllPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// SendOnChainUSD sends amount cents from a USD wallet to a Bitcoin address
// (mutation onChainUsdPaymentSend; scope WRITE). Otherwise as SendOnChain;
// MaxFee is in cents.
func (c *Client) SendOnChainUSD(ctx context.Context, walletID, address string, amount Cents, opts *OnChainOptions) (*PaymentResult, error) {
	const op = "OnChainUsdPaymentSend"
	o := opts.orZero()
	key, address, sp, err := c.prepareOnChainSend(ctx, op, walletID, address, amountOf(amount), o, USD)
	if err != nil {
		return nil, err
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		f, err := c.OnChainFeeUSD(ctx, walletID, address, amount, o.Speed)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: address, memo: o.Memo, uniqueMemo: o.UniqueMemo, speed: o.Speed, maxFee: o.MaxFee, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.OnChainUsdPaymentSendOnChainUsdPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.OnChainUsdPaymentSend(ctx, c.gql, gen.OnChainUsdPaymentSendInput{WalletId: walletID, Address: address, Amount: centAmount(amount), Speed: sp, Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.OnChainUsdPaymentSendOnChainUsdPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.OnChainUsdPaymentSend
		return sendPayload[gen.OnChainUsdPaymentSendOnChainUsdPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// SendOnChainUSDInSats sends amount sats' worth from a USD wallet to a
// Bitcoin address (mutation onChainUsdPaymentSendAsBtcDenominated; scope
// WRITE). Otherwise as SendOnChain; MaxFee is in cents.
func (c *Client) SendOnChainUSDInSats(ctx context.Context, walletID, address string, amount Sats, opts *OnChainOptions) (*PaymentResult, error) {
	const op = "OnChainUsdPaymentSendAsBtcDenominated"
	o := opts.orZero()
	key, address, sp, err := c.prepareOnChainSend(ctx, op, walletID, address, amountOf(amount), o, USD)
	if err != nil {
		return nil, err
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		f, err := c.OnChainFeeUSDInSats(ctx, walletID, address, amount, o.Speed)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	// The amount is in sats, of a cents wallet: Lookup leaves it out (it
	// does not compare with the ledger); FinishPayment resends it.
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: address, memo: o.Memo, uniqueMemo: o.UniqueMemo, speed: o.Speed, maxFee: o.MaxFee, givenKey: o.IdempotencyKey != ""}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.OnChainUsdPaymentSendAsBtcDenominatedOnChainUsdPaymentSendAsBtcDenominatedPaymentSendPayloadErrorsError], error) {
		resp, err := gen.OnChainUsdPaymentSendAsBtcDenominated(ctx, c.gql, gen.OnChainUsdPaymentSendAsBtcDenominatedInput{WalletId: walletID, Address: address, Amount: satAmount(amount), Speed: sp, Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.OnChainUsdPaymentSendAsBtcDenominatedOnChainUsdPaymentSendAsBtcDenominatedPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.OnChainUsdPaymentSendAsBtcDenominated
		return sendPayload[gen.OnChainUsdPaymentSendAsBtcDenominatedOnChainUsdPaymentSendAsBtcDenominatedPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// sendAll is prepareOnChainSend's amount for a send of the whole balance.
// It is not an int64, so no amount a caller passes can be taken for it.
var sendAll *int64

// prepareOnChainSend checks an on-chain send before anything is sent and
// returns its idempotency key, the validated address and the speed.
// amount is nil (sendAll) for SendAllOnChain alone.
func (c *Client) prepareOnChainSend(ctx context.Context, op, walletID, address string, amount *int64, o OnChainOptions, currency WalletCurrency) (key, addr string, sp gen.PayoutSpeed, err error) {
	if key, err = c.checkSend(ctx, op, walletID, o.payOptions()); err != nil {
		return "", "", "", err
	}
	if amount != sendAll {
		if err := checkAmount(op, *amount); err != nil {
			return "", "", "", err
		}
	}
	if sp, err = o.Speed.gen(op); err != nil {
		return "", "", "", err
	}
	if addr, err = c.checkOnChainAddress(ctx, op, address); err != nil { // its form first, locally
		return "", "", "", err
	}
	if err := c.checkWalletCurrency(ctx, op, walletID, currency); err != nil {
		return "", "", "", err
	}
	return key, addr, sp, nil
}

func amountOf[T Sats | Cents](a T) *int64 { v := int64(a); return &v }
