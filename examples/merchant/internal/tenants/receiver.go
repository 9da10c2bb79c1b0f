package tenants

import (
	"context"
	"errors"
	"time"

	"github.com/blink-sdk/blink-go/blink"
)

// Receiver is how the server receives payments for one tenant. A tenant
// holding a key (ModeKey) receives through its own client; a keyless tenant
// (ModeAddress, its lightning address only) will receive through the SDK's
// keyless receive, which plugs in here as another implementation: nothing
// else in the server knows which kind it talks to.
type Receiver interface {
	// CreateInvoice makes the invoice of an order. It is safe to call again
	// after a crash or a lost answer: externalID makes the invoice unique
	// in the account, and a second call returns the first invoice.
	CreateInvoice(ctx context.Context, req InvoiceRequest) (*Invoice, error)
	// InvoiceStatus asks Blink whether the invoice was paid (the truth the
	// reconciler and the webhook hints check against).
	InvoiceStatus(ctx context.Context, inv InvoiceRef) (blink.InvoiceStatus, error)
	// Watcher returns the realtime stream of the tenant's receipts, or nil
	// when the mode has none (keyless tenants are watched by polling).
	Watcher() Watcher
	// Close releases the receiver's connections.
	Close() error
}

// InvoiceRequest is what CreateInvoice needs.
type InvoiceRequest struct {
	ExternalID string
	Sats       blink.Sats  // for a BTC wallet
	Cents      blink.Cents // for a USD wallet
	Memo       string
	ExpiresIn  time.Duration
	// NotBefore is when the order was stored: an invoice found by
	// ExternalID that Blink created before it (less ClockSkew) is another
	// one's, never an earlier attempt of this order. Zero skips the check.
	NotBefore time.Time
}

// ClockSkew is how far Blink's clock may be behind the server's when
// an invoice's creation time is compared with the order's. It is
// generous: the check also runs on invoices just created (the SDK answers
// an identical retry with the existing invoice, as a success), so a Blink
// clock further behind than this would refuse every new order.
const ClockSkew = 10 * time.Minute

// Invoice is an invoice a Receiver made: what the order stores of it.
type Invoice struct {
	PaymentRequest       string
	PaymentHash          string
	Amount               blink.Sats
	CreatedAt, ExpiresAt time.Time
	// VerifyURL, Path and WalletID are a keyless invoice's (LUD-21 verify
	// URL; "lnurl" or "custodial"; the custodial wallet): what checking it
	// later needs.
	VerifyURL, Path, WalletID string
}

// InvoiceRef is a stored invoice, as InvoiceStatus and WatchInvoice take it.
type InvoiceRef struct {
	PaymentRequest, PaymentHash string
	Sats                        int64
	VerifyURL, Path, WalletID   string
	CreatedAt, ExpiresAt        time.Time
}

// InvoiceWatching is implemented by receivers whose invoices are watched
// one by one (keyless tenants, by the SDK's shared InvoiceWatcher) rather
// than by a per-tenant stream.
type InvoiceWatching interface {
	WatchInvoice(inv InvoiceRef) <-chan blink.WatchResult
}

// Watcher streams a tenant's incoming payments.
type Watcher interface {
	// Watch calls paid for every incoming lightning payment until ctx ends
	// or the stream fails for good. since is the last ledger entry handled
	// (resumed across restarts); paid gets the payment hash and the entry id.
	// subscribed is called once the first subscription is live (the
	// server's first answer on it), for a check of the open orders right
	// then: a payment landing while the stream was being set up is seen by
	// that check (resubscriptions are caught up by MyUpdates itself).
	Watch(ctx context.Context, since string, paid func(paymentHash, txID string), subscribed func()) error
}

// Payer is the sending side: only a key tenant with WRITE has one.
type Payer interface {
	Client() *blink.Client
	WalletID() string
}

// keyReceiver receives with the tenant's own API key.
type keyReceiver struct {
	c        *blink.Client
	walletID string
	currency blink.WalletCurrency
}

func (r *keyReceiver) Client() *blink.Client { return r.c }
func (r *keyReceiver) WalletID() string      { return r.walletID }
func (r *keyReceiver) Close() error          { return r.c.Close() }
func (r *keyReceiver) Watcher() Watcher      { return r }

func (r *keyReceiver) CreateInvoice(ctx context.Context, req InvoiceRequest) (*Invoice, error) {
	inv, err := r.createInvoice(ctx, req)
	if err != nil {
		return nil, err
	}
	return &Invoice{PaymentRequest: inv.PaymentRequest, PaymentHash: inv.PaymentHash, Amount: inv.Amount, CreatedAt: inv.CreatedAt}, nil
}

func (r *keyReceiver) createInvoice(ctx context.Context, req InvoiceRequest) (*blink.Invoice, error) {
	opts := &blink.InvoiceOptions{Memo: req.Memo, ExpiresIn: req.ExpiresIn, ExternalID: req.ExternalID}
	var inv *blink.Invoice
	var err error
	if r.currency == blink.USD {
		inv, err = r.c.CreateUSDInvoice(ctx, r.walletID, req.Cents, opts)
	} else {
		inv, err = r.c.CreateInvoice(ctx, r.walletID, req.Sats, opts)
	}
	if errors.Is(err, blink.ErrExternalIDExists) {
		// An earlier attempt (before a crash, or whose answer was lost)
		// made the invoice: find it, and take it only if it is what this
		// order would have made and nobody can have paid it.
		found, err := r.c.InvoiceByExternalID(ctx, r.walletID, req.ExternalID)
		if err != nil {
			return nil, err
		}
		if why := notThisOrders(found, req); why != "" {
			return nil, &ForeignInvoiceError{Reason: why}
		}
		if r.currency == blink.USD {
			// Blink's invoice says its sats, not the cents it was made
			// for: compare them with the order's cents at the price now.
			why, err := r.notTheseCents(ctx, found, req.Cents)
			if err != nil {
				return nil, err
			}
			if why != "" {
				return nil, &ForeignInvoiceError{Reason: why}
			}
		}
		return found, nil
	}
	if err != nil {
		return nil, err
	}
	// The SDK answers an invoice of the ExternalID that an earlier attempt
	// made as its own when it matches the request (amount in sats, memo,
	// expiry), whatever its status and age: the order takes it only if it
	// is still open and was made for this order's row. A new invoice is
	// both.
	if why := notOpenSinceTheOrder(inv, req); why != "" {
		return nil, &ForeignInvoiceError{Reason: why}
	}
	return inv, nil
}

// ForeignInvoiceError is CreateInvoice's answer when the account holds an
// invoice with the order's ExternalID that this order did not make: one of
// another integration, or of a tenant connected to the account before.
type ForeignInvoiceError struct{ Reason string }

// Error implements error.
func (e *ForeignInvoiceError) Error() string {
	return "the account has another invoice with this external id: " + e.Reason
}

// notThisOrders says why an invoice found by the order's ExternalID is not
// one an earlier attempt for this order made ("" when it can be): it must
// pass notOpenSinceTheOrder and ask the order's amount (a sats order's; a
// cents order's is checked by notTheseCents) with the order's memo.
func notThisOrders(inv *blink.Invoice, req InvoiceRequest) string {
	if why := notOpenSinceTheOrder(inv, req); why != "" {
		return why
	}
	if req.Sats > 0 && inv.Amount != req.Sats {
		return "it asks another amount"
	}
	d, err := blink.DecodeInvoice(inv.PaymentRequest)
	if err != nil {
		return "it does not decode"
	}
	if d.Description != req.Memo {
		return "it carries another memo"
	}
	return ""
}

// notOpenSinceTheOrder says why an invoice with the order's ExternalID
// cannot be the order's ("" when it can be). The order's invoice was never
// shown to anyone before the order stored it (its answer was lost, or the
// process died first), so it cannot have been paid or have expired yet;
// and it was made after the order's row was stored (req.NotBefore, less
// ClockSkew): an older one is another integration's, or an earlier
// connection's of the account, whatever it asks.
func notOpenSinceTheOrder(inv *blink.Invoice, req InvoiceRequest) string {
	switch {
	case inv.Status != blink.InvoicePending:
		return "it is " + string(inv.Status)
	case !req.NotBefore.IsZero() && inv.CreatedAt.Before(req.NotBefore.Add(-ClockSkew)):
		return "it was created before the order"
	}
	return ""
}

// centsTolerance is how far (a fraction either way) a USD invoice's sats
// may be from the order's cents at the current price. A found invoice is
// pending, and a USD invoice expires within 5 minutes: it was priced
// minutes ago at most, and the price moves far less than this in that
// time, while another integration's invoice for another amount is off by
// more (the SDK's own look, within one call, allows 2%).
const centsTolerance = 0.2

// notTheseCents says why a pending USD invoice cannot have been made for
// cents ("" when it can): its sats are not within centsTolerance (and 2
// sats of rounding) of what cents are worth now (query realtimePrice). An
// error is the price query's.
func (r *keyReceiver) notTheseCents(ctx context.Context, inv *blink.Invoice, cents blink.Cents) (string, error) {
	price, err := r.c.RealtimePrice(ctx, "USD")
	if err != nil {
		return "", err
	}
	want := float64(price.CentsToSats(cents))
	if want <= 0 {
		return "", errors.New("blink: the USD price is not valid")
	}
	if got := float64(inv.Amount); got < want*(1-centsTolerance)-2 || got > want*(1+centsTolerance)+2 {
		return "it asks another amount", nil
	}
	return "", nil
}

func (r *keyReceiver) InvoiceStatus(ctx context.Context, ref InvoiceRef) (blink.InvoiceStatus, error) {
	inv, err := r.c.Invoice(ctx, r.walletID, ref.PaymentHash)
	if err != nil {
		return "", err
	}
	return inv.Status, nil
}

func (r *keyReceiver) Watch(ctx context.Context, since string, paid func(hash, txID string), subscribed func()) error {
	// MyUpdates yields an error inside one result and goes on, or yields
	// one last error and ends: either way the last error seen is the answer.
	var last error
	for u, err := range r.c.MyUpdates(ctx, &blink.MyUpdatesOptions{Since: since}) {
		if err != nil {
			last = err
			continue
		}
		switch u := u.(type) {
		case *blink.LightningReceipt:
			if u.WalletID == r.walletID && u.Status == blink.InvoicePaid {
				paid(u.PaymentHash, u.Transaction.ID)
			}
		case *blink.RealtimePriceUpdate, *blink.PriceUpdate:
			// Sent on every subscribe, then every 30 s: the first one
			// says the subscription is live.
			if subscribed != nil {
				subscribed()
				subscribed = nil
			}
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if last == nil {
		last = errors.New("the stream ended")
	}
	return last
}
