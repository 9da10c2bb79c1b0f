package blink

import (
	"context"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scalar"
)

type scalarCent = scalar.CentAmount

// AccountLimits are the account's own sending limits, which come from its
// level (they are not the API key's spending limits). Every amount is in
// US cents, whatever the wallet: the server values sats at the current
// price.
type AccountLimits struct {
	// Withdrawal limits sends that leave Blink (lightning and on-chain).
	Withdrawal []Limit
	// IntraLedger limits sends to other Blink accounts.
	IntraLedger []Limit
	// Conversion limits moves between the account's own BTC and USD wallets.
	Conversion []Limit
}

// Limit is one limit over a rolling window.
type Limit struct {
	// Interval is the window, 24 hours for the limits the API has today; 0
	// when the server does not say.
	Interval time.Duration
	// Total is the limit over the window.
	Total Cents
	// Remaining is what can still be sent in the current window; nil when
	// the server does not report it.
	Remaining *Cents
}

// limitFields is what the generated limit types have in common.
type limitFields interface {
	GetInterval() *int64
	GetTotalLimit() scalarCent
	GetRemainingLimit() *scalarCent
}

func toLimits[T any, P interface {
	*T
	limitFields
}](in []T) []Limit {
	out := make([]Limit, 0, len(in))
	for i := range in {
		l := P(&in[i])
		x := Limit{Total: Cents(l.GetTotalLimit())}
		if iv := l.GetInterval(); iv != nil {
			x.Interval = time.Duration(*iv) * time.Second
		}
		if r := l.GetRemainingLimit(); r != nil {
			c := Cents(*r)
			x.Remaining = &c
		}
		out = append(out, x)
	}
	return out
}

// AccountLimits returns the account's withdrawal, intraledger and
// conversion limits with what remains of each (query
// me.defaultAccount.limits; scope READ). On the real server a send above
// what remains fails with an *Error matching ErrTransactionRestricted.
func (c *Client) AccountLimits(ctx context.Context) (*AccountLimits, error) {
	resp, err := gen.AccountLimits(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, noUser("AccountLimits")
	}
	l := &resp.Me.DefaultAccount.Limits
	return &AccountLimits{
		Withdrawal:  toLimits(l.Withdrawal),
		IntraLedger: toLimits(l.InternalSend),
		Conversion:  toLimits(l.Convert),
	}, nil
}
