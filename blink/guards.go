package blink

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/btcaddr"
)

// DecodedInvoice is what the SDK reads from a BOLT11 payment request
// locally, without asking the server.
type DecodedInvoice struct {
	// PaymentRequest is the invoice without any "lightning:" prefix.
	PaymentRequest string
	// Network is the Bitcoin network the invoice is for.
	Network string
	// Amount is the invoice's amount rounded up to whole sats; 0 when the
	// invoice has no amount.
	Amount Sats
	// AmountMsat is the exact amount in millisatoshis; 0 when none.
	AmountMsat int64
	// PaymentHash identifies the payment (64 hex).
	PaymentHash string
	// Description is the invoice's description (memo).
	Description string
	// CreatedAt is the invoice's timestamp.
	CreatedAt time.Time
	// ExpiresAt is when the invoice stops being payable.
	ExpiresAt time.Time
}

// DecodeInvoice decodes a BOLT11 payment request locally (checksum,
// network, amount, payment hash, expiry, description), stripping a
// "lightning:" prefix. It does not check the signature. A malformed invoice
// gives an error matching ErrInvalidInput and ErrInvoiceDecode.
func DecodeInvoice(paymentRequest string) (*DecodedInvoice, error) {
	return decodeInvoice("DecodeInvoice", paymentRequest)
}

func decodeInvoice(op, pr string) (*DecodedInvoice, error) {
	pr = stripLightningPrefix(pr)
	inv, err := bolt11.Decode(pr)
	if err != nil {
		return nil, &Error{Operation: op, Code: "INVOICE_DECODE_ERROR", Message: "the payment request is not a valid BOLT11 invoice", cause: err, sentinel: ErrInvalidInput}
	}
	sats, _ := inv.AmountSats()
	return &DecodedInvoice{
		PaymentRequest: strings.ToLower(pr),
		Network:        string(inv.Network),
		Amount:         Sats(sats),
		AmountMsat:     inv.AmountMsat,
		PaymentHash:    inv.PaymentHash,
		Description:    inv.Description,
		CreatedAt:      inv.Timestamp,
		ExpiresAt:      inv.ExpiresAt(),
	}, nil
}

// stripLightningPrefix removes a "lightning:" URI prefix in any case and
// surrounding spaces.
func stripLightningPrefix(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 10 && strings.EqualFold(s[:10], "lightning:") {
		s = s[10:]
	}
	return s
}

// Network returns the Bitcoin network of the server the client talks to
// (globals.network, asked once and kept; concurrent first callers share
// one request): "mainnet", "signet", "regtest" or "testnet".
func (c *Client) Network(ctx context.Context) (string, error) {
	return c.network.get(ctx, func() (string, bool, error) {
		g, err := c.Globals(ctx)
		if err != nil {
			return "", false, err
		}
		switch g.Network {
		case "mainnet", "testnet", "signet", "regtest":
			return g.Network, true, nil
		}
		// Never echoed: a server's answer goes into no message unchecked.
		return "", false, &Error{Operation: "Globals", Message: "the server reports a network the SDK does not know", HTTPStatus: 200, sentinel: ErrServer}
	})
}

// checkPayable refuses an invoice that cannot or must not be paid: expired,
// for another network than the server's, with or without an amount against
// what the call expects, or above the caller's MaxAmount.
func (c *Client) checkPayable(ctx context.Context, op string, inv *DecodedInvoice, wantAmount bool, maxAmount Sats) error {
	if now := time.Now(); !now.Before(inv.ExpiresAt) {
		return &Error{Operation: op, Message: "the invoice expired at " + inv.ExpiresAt.UTC().Format(time.RFC3339), sentinel: ErrInvoiceExpired, also: ErrInvalidInput}
	}
	if wantAmount && inv.AmountMsat == 0 {
		return invalidInput(op, "the invoice has no amount: use PayNoAmountInvoice and give the amount")
	}
	if !wantAmount && inv.AmountMsat != 0 {
		return invalidInput(op, "the invoice has an amount (%s): use PayInvoice", inv.Amount)
	}
	if wantAmount {
		if err := checkAmount(op, int64(inv.Amount)); err != nil {
			return err
		}
	}
	if maxAmount > 0 && inv.AmountMsat > int64(maxAmount)*1000 { // exact, to the msat
		return &Error{Operation: op, Message: "the invoice asks " + strconv.FormatInt(inv.AmountMsat, 10) + " msat, above MaxAmount " + maxAmount.String(), sentinel: ErrLimitExceeded}
	}
	if maxAmount > 0 && inv.Amount > maxAmount {
		return &Error{Operation: op, Message: "the invoice asks " + inv.Amount.String() + ", above MaxAmount " + maxAmount.String(), sentinel: ErrLimitExceeded}
	}
	network, err := c.Network(ctx)
	if err != nil {
		return err
	}
	if inv.Network != network {
		return &Error{Operation: op, Message: "the invoice is for " + inv.Network + " but the server runs on " + network, sentinel: ErrWrongNetwork, also: ErrInvalidInput}
	}
	return nil
}

// checkFee probes the fee and refuses when it is above maxFee (in the
// sending wallet's unit). A failed probe refuses too: with a limit set,
// paying without knowing the fee is not allowed. A probe that could not
// be made (a network error, a 5xx, a rate limit, a service of Blink's
// offline) answers that error, so that IsTransient tells the caller to
// try the send again later, and so does one refused for reasons not about
// the fee (a payment of the invoice in flight, a refused key, a missing
// scope); one that found no route refuses (the fee cannot be known).
// Nothing was sent either way.
func checkFee(op string, maxFee int64, probe func() (int64, error)) error {
	if maxFee <= 0 {
		return nil
	}
	fee, err := probe()
	if err != nil {
		var e *Error
		if errors.As(err, &e) && strings.Contains(e.Message, msgAlreadyPaid) {
			return nil // the send will answer PaymentAlreadyPaid without paying
		}
		var se *ScopeError
		switch {
		case IsTransient(err) && !errors.Is(err, ErrRouteFinding),
			// Not about the fee: a payment of the invoice is in flight
			// (whose is for the caller to find out), or the key cannot
			// probe at all.
			errors.Is(err, ErrInvoicePaymentInFlight), errors.Is(err, ErrInvalidAPIKey), errors.As(err, &se):
			return err
		}
		return &Error{Operation: op, Message: "MaxFee is set but the fee probe failed, so the fee is unknown; nothing was sent", cause: err, sentinel: ErrLimitExceeded}
	}
	if fee > maxFee {
		return &Error{Operation: op, Message: "the probed fee is above MaxFee; nothing was sent", sentinel: ErrLimitExceeded}
	}
	return nil
}

// checkOnChainAddress validates an on-chain address in full (bech32 and
// bech32m checksums and witness rules, base58check versions, one case)
// and for the server's network, and returns the form to send: trimmed,
// bech32 in lower case. A malformed address is refused before any
// request; only the network check asks the server (globals, once).
func (c *Client) checkOnChainAddress(ctx context.Context, op, addr string) (string, error) {
	if _, err := btcaddr.Validate(addr, btcaddr.Mainnet); err != nil && !errors.Is(err, btcaddr.ErrWrongNetwork) {
		return "", &Error{Operation: op, Message: "not a Bitcoin address (pass the bare address, not a bitcoin: URI)", cause: err, sentinel: ErrInvalidInput}
	}
	network, err := c.Network(ctx)
	if err != nil {
		return "", err
	}
	valid, err := btcaddr.Validate(addr, network)
	if errors.Is(err, btcaddr.ErrWrongNetwork) {
		return "", &Error{Operation: op, Message: "the address is for another network than the server's (" + network + ")", cause: err, sentinel: ErrWrongNetwork, also: ErrInvalidInput}
	}
	if err != nil {
		return "", &Error{Operation: op, Message: "not a Bitcoin address for " + network, cause: err, sentinel: ErrInvalidInput}
	}
	return valid, nil
}

// walletCurrency returns a wallet's currency, learnt once from the
// wallets query (concurrent first callers share one request), and false
// when it cannot be learnt (a key without READ, a wallet of another
// account): the server then judges.
func (c *Client) walletCurrency(ctx context.Context, walletID string) (WalletCurrency, bool) {
	m, err := c.walletCurrencies.get(ctx, func() (map[string]WalletCurrency, bool, error) {
		ws, err := c.Wallets(ctx)
		if err != nil {
			return nil, false, err
		}
		m := make(map[string]WalletCurrency, len(ws))
		for _, w := range ws {
			if w.Currency == BTC || w.Currency == USD {
				m[w.ID] = w.Currency // anything else: the server judges
			}
		}
		return m, true, nil
	})
	if err != nil {
		return "", false
	}
	cur, ok := m[walletID]
	return cur, ok
}
