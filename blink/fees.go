package blink

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scalar"
)

func satAmount(s Sats) scalar.SatAmount    { return scalar.SatAmount(s) }
func centAmount(c Cents) scalar.CentAmount { return scalar.CentAmount(c) }

// feeResult maps a fee probe's payload: the amount, or the server's error.
func feeResult[E any, P interface {
	*E
	payloadErr
}](c *Client, op string, amount *int64, errs []E) (int64, error) {
	if err := payloadError[E, P](c, op, errs); err != nil {
		return 0, err
	}
	if amount == nil {
		return 0, &Error{Operation: op, Message: "the server returned no fee", sentinel: ErrServer}
	}
	return *amount, nil
}

func satPtr(p *scalar.SatAmount) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

func centPtr(p *scalar.CentAmount) *int64 {
	if p == nil {
		return nil
	}
	v := int64(*p)
	return &v
}

// ProbeInvoiceFee estimates the fee in sats of paying an invoice with an
// amount from a BTC wallet, without paying (mutation lnInvoiceFeeProbe;
// scope WRITE). Paying another Blink user costs 0.
func (c *Client) ProbeInvoiceFee(ctx context.Context, walletID, paymentRequest string) (Sats, error) {
	const op = "LnInvoiceFeeProbe"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return 0, err
	}
	pr := stripLightningPrefix(paymentRequest)
	resp, err := gen.LnInvoiceFeeProbe(ctx, c.gql, gen.LnInvoiceFeeProbeInput{WalletId: walletID, PaymentRequest: pr})
	if err != nil {
		return 0, err
	}
	p := resp.LnInvoiceFeeProbe
	v, err := feeResult(c, op, satPtr(p.Amount), p.Errors)
	return Sats(v), err
}

// ProbeInvoiceFeeUSD estimates the fee of paying an invoice with an amount
// from a USD wallet (mutation lnUsdInvoiceFeeProbe; scope WRITE). The API
// reports this fee in sats.
func (c *Client) ProbeInvoiceFeeUSD(ctx context.Context, walletID, paymentRequest string) (Sats, error) {
	const op = "LnUsdInvoiceFeeProbe"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return 0, err
	}
	resp, err := gen.LnUsdInvoiceFeeProbe(ctx, c.gql, gen.LnUsdInvoiceFeeProbeInput{WalletId: walletID, PaymentRequest: stripLightningPrefix(paymentRequest)})
	if err != nil {
		return 0, err
	}
	p := resp.LnUsdInvoiceFeeProbe
	v, err := feeResult(c, op, satPtr(p.Amount), p.Errors)
	return Sats(v), err
}

// ProbeNoAmountInvoiceFee estimates the fee in sats of paying a no-amount
// invoice the given amount from a BTC wallet (mutation
// lnNoAmountInvoiceFeeProbe; scope WRITE).
func (c *Client) ProbeNoAmountInvoiceFee(ctx context.Context, walletID, paymentRequest string, amount Sats) (Sats, error) {
	const op = "LnNoAmountInvoiceFeeProbe"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return 0, err
	}
	if err := checkAmount(op, int64(amount)); err != nil {
		return 0, err
	}
	resp, err := gen.LnNoAmountInvoiceFeeProbe(ctx, c.gql, gen.LnNoAmountInvoiceFeeProbeInput{WalletId: walletID, PaymentRequest: stripLightningPrefix(paymentRequest), Amount: satAmount(amount)})
	if err != nil {
		return 0, err
	}
	p := resp.LnNoAmountInvoiceFeeProbe
	v, err := feeResult(c, op, satPtr(p.Amount), p.Errors)
	return Sats(v), err
}

// ProbeNoAmountInvoiceFeeUSD estimates the fee in cents of paying a
// no-amount invoice the given cents from a USD wallet (mutation
// lnNoAmountUsdInvoiceFeeProbe; scope WRITE).
func (c *Client) ProbeNoAmountInvoiceFeeUSD(ctx context.Context, walletID, paymentRequest string, amount Cents) (Cents, error) {
	const op = "LnNoAmountUsdInvoiceFeeProbe"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return 0, err
	}
	if err := checkAmount(op, int64(amount)); err != nil {
		return 0, err
	}
	resp, err := gen.LnNoAmountUsdInvoiceFeeProbe(ctx, c.gql, gen.LnNoAmountUsdInvoiceFeeProbeInput{WalletId: walletID, PaymentRequest: stripLightningPrefix(paymentRequest), Amount: centAmount(amount)})
	if err != nil {
		return 0, err
	}
	p := resp.LnNoAmountUsdInvoiceFeeProbe
	v, err := feeResult(c, op, centPtr(p.Amount), p.Errors)
	return Cents(v), err
}

// PayoutSpeed is the priority of an on-chain payout.
type PayoutSpeed string

// On-chain payout speeds; Fast is the default.
const (
	Fast   PayoutSpeed = "FAST"
	Medium PayoutSpeed = "MEDIUM"
	Slow   PayoutSpeed = "SLOW"
)

func (s PayoutSpeed) gen(op string) (gen.PayoutSpeed, error) {
	switch s {
	case "":
		return gen.PayoutSpeedFast, nil
	case Fast, Medium, Slow:
		return gen.PayoutSpeed(s), nil
	}
	return "", invalidInput(op, "payout speed %q is not FAST, MEDIUM or SLOW", truncate(string(s), 10))
}

// OnChainFee estimates the fee in sats of sending amount sats on-chain from
// a BTC wallet to address (query onChainTxFee; scope READ).
func (c *Client) OnChainFee(ctx context.Context, walletID, address string, amount Sats, speed PayoutSpeed) (Sats, error) {
	const op = "OnChainTxFee"
	address, sp, err := c.prepareOnChain(ctx, op, walletID, address, int64(amount), speed)
	if err != nil {
		return 0, err
	}
	resp, err := gen.OnChainTxFee(ctx, c.gql, walletID, address, satAmount(amount), sp)
	if err != nil {
		return 0, err
	}
	return Sats(resp.OnChainTxFee.Amount), nil
}

// OnChainFeeUSD estimates the fee in cents of sending amount cents on-chain
// from a USD wallet (query onChainUsdTxFee; scope READ).
func (c *Client) OnChainFeeUSD(ctx context.Context, walletID, address string, amount Cents, speed PayoutSpeed) (Cents, error) {
	const op = "OnChainUsdTxFee"
	address, sp, err := c.prepareOnChain(ctx, op, walletID, address, int64(amount), speed)
	if err != nil {
		return 0, err
	}
	resp, err := gen.OnChainUsdTxFee(ctx, c.gql, walletID, address, centAmount(amount), sp)
	if err != nil {
		return 0, err
	}
	return Cents(resp.OnChainUsdTxFee.Amount), nil
}

// OnChainFeeUSDInSats estimates the fee in cents of sending amount sats
// on-chain from a USD wallet (query onChainUsdTxFeeAsBtcDenominated; scope
// READ).
func (c *Client) OnChainFeeUSDInSats(ctx context.Context, walletID, address string, amount Sats, speed PayoutSpeed) (Cents, error) {
	const op = "OnChainUsdTxFeeAsBtcDenominated"
	address, sp, err := c.prepareOnChain(ctx, op, walletID, address, int64(amount), speed)
	if err != nil {
		return 0, err
	}
	resp, err := gen.OnChainUsdTxFeeAsBtcDenominated(ctx, c.gql, walletID, address, satAmount(amount), sp)
	if err != nil {
		return 0, err
	}
	return Cents(resp.OnChainUsdTxFeeAsBtcDenominated.Amount), nil
}

// prepareOnChain checks a fee estimate's arguments before anything is
// sent and returns the validated address and the speed.
func (c *Client) prepareOnChain(ctx context.Context, op, walletID, address string, amount int64, speed PayoutSpeed) (string, gen.PayoutSpeed, error) {
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return "", "", err
	}
	if err := checkAmount(op, amount); err != nil {
		return "", "", err
	}
	sp, err := speed.gen(op)
	if err != nil {
		return "", "", err
	}
	addr, err := c.checkOnChainAddress(ctx, op, address)
	if err != nil {
		return "", "", err
	}
	return addr, sp, nil
}
