package blink

import (
	"context"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scalar"
)

type scalarSigned = scalar.SignedAmount

// Globals describes the Blink deployment an endpoint serves.
type Globals struct {
	// Network is the Bitcoin network: "mainnet", "signet", "regtest" or "testnet".
	Network string
	// LightningAddressDomain is the domain of the deployment's lightning
	// addresses, such as "blink.sv".
	LightningAddressDomain string
	// NodeIDs are the public keys of the deployment's lightning nodes.
	NodeIDs []string
}

// Globals returns the deployment's network and lightning address domain
// (query globals; no key needed). Check Network before paying.
func (c *Client) Globals(ctx context.Context) (*Globals, error) {
	resp, err := gen.Globals(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	if resp.Globals == nil {
		return nil, &Error{Operation: "Globals", Message: "the server returned no globals", sentinel: ErrServer}
	}
	g := resp.Globals
	return &Globals{Network: string(g.Network), LightningAddressDomain: g.LightningAddressDomain, NodeIDs: g.NodesIds}, nil
}

// PublicWallet identifies a wallet that can receive, without its balance.
type PublicWallet struct {
	// ID is the wallet id.
	ID string
	// Currency is the wallet's currency.
	Currency WalletCurrency
}

// AccountDefaultWallet returns a user's default wallet, or their wallet in
// the given currency when currency is not empty (query
// accountDefaultWallet; no key needed). Use the id to create an invoice on
// the user's behalf. A malformed username is refused before sending; an
// answer without a wallet id is an error matching ErrServer.
func (c *Client) AccountDefaultWallet(ctx context.Context, username string, currency WalletCurrency) (*PublicWallet, error) {
	u, err := normalizeUsername("AccountDefaultWallet", username)
	if err != nil {
		return nil, err
	}
	var cur *gen.WalletCurrency
	if currency != "" {
		if err := checkCurrency("AccountDefaultWallet", currency); err != nil {
			return nil, err
		}
		gc := gen.WalletCurrency(currency)
		cur = &gc
	}
	resp, err := gen.AccountDefaultWallet(ctx, c.gql, u, cur)
	if err != nil {
		return nil, err
	}
	w := resp.AccountDefaultWallet
	if w.Id == "" {
		return nil, &Error{Operation: "AccountDefaultWallet", Message: "the server answered a wallet without an id", sentinel: ErrServer}
	}
	return &PublicWallet{ID: w.Id, Currency: WalletCurrency(w.Currency)}, nil
}

// Price is an exchange rate in the integer form the API uses: Base / 10^Offset
// minor units of the display currency for one sat (or one US cent).
type Price struct {
	Base   int64
	Offset int
}

// RealtimePrice is the current price of one sat and of one US cent in a
// display currency.
type RealtimePrice struct {
	// Currency is the display currency's code, such as "USD" or "EUR".
	Currency string
	// Symbol is the display currency's symbol, such as "$".
	Symbol string
	// FractionDigits is the number of minor-unit digits of the currency (2 for USD).
	FractionDigits int
	// SatPrice is the price of one sat in minor units of Currency.
	SatPrice Price
	// CentPrice is the price of one US cent in minor units of Currency.
	CentPrice Price
	// Timestamp is when the price was taken.
	Timestamp time.Time
}

// RealtimePrice returns the current price in a display currency ("USD" when
// empty) (query realtimePrice; no key needed). A currency code that is not
// 2 to 10 ASCII letters or digits is refused before anything is sent.
func (c *Client) RealtimePrice(ctx context.Context, currency string) (*RealtimePrice, error) {
	var cur *string
	if currency != "" {
		if err := checkDisplayCurrency("RealtimePrice", currency); err != nil {
			return nil, err
		}
		cur = &currency
	}
	resp, err := gen.RealtimePrice(ctx, c.gql, cur)
	if err != nil {
		return nil, err
	}
	p := resp.RealtimePrice
	return &RealtimePrice{
		Currency:       p.DenominatorCurrencyDetails.Id,
		Symbol:         p.DenominatorCurrencyDetails.Symbol,
		FractionDigits: p.DenominatorCurrencyDetails.FractionDigits,
		SatPrice:       Price{Base: p.BtcSatPrice.Base, Offset: p.BtcSatPrice.Offset},
		CentPrice:      Price{Base: p.UsdCentPrice.Base, Offset: p.UsdCentPrice.Offset},
		Timestamp:      p.Timestamp.Time(),
	}, nil
}
