package blink

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// CreateOnChainAddress returns a new on-chain receive address of the
// caller's wallet, for the server's network (mutation onChainAddressCreate;
// scope RECEIVE). Money sent to it shows as pending incoming until
// confirmed. A wallet id that is not a UUID is refused before sending. The
// server allows 20 new addresses an hour per account and then refuses with
// TOO_MANY_REQUEST (an *Error matching ErrTooManyRequests) for 4 hours: use
// CurrentOnChainAddress when a fresh address is not needed.
func (c *Client) CreateOnChainAddress(ctx context.Context, walletID string) (string, error) {
	const op = "OnChainAddressCreate"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return "", err
	}
	resp, err := gen.OnChainAddressCreate(ctx, c.gql, gen.OnChainAddressCreateInput{WalletId: walletID})
	if err != nil {
		return "", err
	}
	p := resp.OnChainAddressCreate
	return toAddress(op, payloadError(c, op, p.Errors), p.Address)
}

// CurrentOnChainAddress returns the wallet's current on-chain receive
// address, creating one only if the wallet has none yet (mutation
// onChainAddressCurrent; scope RECEIVE). A wallet id that is not a UUID is
// refused before sending.
func (c *Client) CurrentOnChainAddress(ctx context.Context, walletID string) (string, error) {
	const op = "OnChainAddressCurrent"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return "", err
	}
	resp, err := gen.OnChainAddressCurrent(ctx, c.gql, gen.OnChainAddressCurrentInput{WalletId: walletID})
	if err != nil {
		return "", err
	}
	p := resp.OnChainAddressCurrent
	return toAddress(op, payloadError(c, op, p.Errors), p.Address)
}

// toAddress maps an address payload: its errors, else its address.
func toAddress(op string, perr error, addr *string) (string, error) {
	if perr != nil {
		return "", perr
	}
	if addr == nil || *addr == "" {
		return "", &Error{Operation: op, Message: "the server returned neither an address nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	return *addr, nil
}
