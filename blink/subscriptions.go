package blink

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// InvoiceUpdate is one payment status of an invoice, as InvoiceUpdates
// delivers it.
type InvoiceUpdate struct {
	InvoicePaymentStatus
	// Resubscribed is true for the first update after the websocket was
	// lost and the subscription re-sent. The server replays nothing it
	// sent meanwhile; it sends the invoice's status as of the
	// resubscription, which this update is.
	Resubscribed bool
}

// invoiceSubscription starts the status subscription of an invoice given
// by payment hash (64 hex digits) or payment request (a "lightning:"
// prefix removed), with the function that decodes its results.
func (c *Client) invoiceSubscription(op, paymentRequestOrHash string) (*rtSub, func(json.RawMessage) (*InvoicePaymentStatus, error), error) {
	if isHex64(paymentRequestOrHash) {
		hash, _ := checkPaymentHash(op, paymentRequestOrHash)
		sub, err := c.subscribe(op, "InvoiceStatusByHashUpdates", gen.InvoiceStatusByHashUpdates_Operation,
			map[string]any{"input": map[string]any{"paymentHash": hash}})
		return sub, func(p json.RawMessage) (*InvoicePaymentStatus, error) {
			var r gen.InvoiceStatusByHashUpdatesResponse
			if err := decodeNext(op, p, &r, c.HasKey()); err != nil {
				return nil, c.scrub(err)
			}
			x := r.LnInvoicePaymentStatusByHash
			if err := payloadError(c, op, x.Errors); err != nil {
				return nil, err
			}
			return toPaymentStatus(op, x.Status, x.PaymentHash, x.PaymentRequest, x.PaymentPreimage)
		}, err
	}
	pr := stripLightningPrefix(paymentRequestOrHash)
	if pr == "" {
		return nil, nil, invalidInput(op, "the payment request is empty")
	}
	sub, err := c.subscribe(op, "InvoiceStatusByPaymentRequestUpdates", gen.InvoiceStatusByPaymentRequestUpdates_Operation,
		map[string]any{"input": map[string]any{"paymentRequest": pr}})
	return sub, func(p json.RawMessage) (*InvoicePaymentStatus, error) {
		var r gen.InvoiceStatusByPaymentRequestUpdatesResponse
		if err := decodeNext(op, p, &r, c.HasKey()); err != nil {
			return nil, c.scrub(err)
		}
		x := r.LnInvoicePaymentStatusByPaymentRequest
		if err := payloadError(c, op, x.Errors); err != nil {
			return nil, err
		}
		return toPaymentStatus(op, x.Status, x.PaymentHash, x.PaymentRequest, x.PaymentPreimage)
	}, err
}

// InvoiceUpdates streams the payment status of any Blink invoice, given
// by its payment hash (64 hex digits) or its BOLT11 payment request (a
// "lightning:" prefix removed), over the client's websocket
// (subscription lnInvoicePaymentStatusByHash or
// lnInvoicePaymentStatusByPaymentRequest; no key needed).
//
// The server sends the current status right after subscribing, then
// InvoicePaid with the preimage when the invoice is paid, or
// InvoiceExpired about a second after it expires. The sequence ends after
// InvoicePaid or InvoiceExpired (both are final: an InvoiceExpired that
// an older server sends after InvoicePaid is never delivered), when the
// loop breaks, or when ctx ends: then it ends without an error (check
// ctx.Err()). The server never completes the stream on its own and never
// replays what it sent while the websocket was down: the subscription is
// re-sent after every reconnect and its first update, the status as of
// then, has Resubscribed set, so a status may repeat.
//
// An error is yielded once, and ends the sequence, for an invoice the
// server does not know (an *Error from the server), an input refused
// before subscribing (ErrInvalidInput), a websocket the server refuses
// for good (close codes 4400, 4401, 4403, 4406, 4409; the auth ones
// match ErrNotAuthenticated) and a closed Client (ErrClientClosed).
// Network failures are not errors: the client reconnects with backoff.
// A consumer that falls 1,024 results behind loses the ones that follow
// until it catches up; the subscription is then re-sent and its next
// update has Resubscribed set, as after a reconnect.
// WaitForInvoice is the call to use when only the outcome matters: it
// also checks over HTTP and polls while the websocket is down.
func (c *Client) InvoiceUpdates(ctx context.Context, paymentRequestOrHash string) iter.Seq2[InvoiceUpdate, error] {
	const op = "InvoiceUpdates"
	return func(yield func(InvoiceUpdate, error) bool) {
		sub, decode, err := c.invoiceSubscription(op, paymentRequestOrHash)
		if err != nil {
			yield(InvoiceUpdate{}, err)
			return
		}
		defer sub.stop()
		resubscribed := false
		for {
			ev, err := sub.next(ctx)
			if err != nil {
				return
			}
			switch ev.kind {
			case rtSubscribed:
				resubscribed = resubscribed || ev.reconnect
			case rtEnd:
				if ev.err == nil {
					ev.err = &Error{Operation: op, Message: "the server completed the subscription before the invoice was paid or expired", sentinel: ErrServer}
				}
				yield(InvoiceUpdate{}, ev.err)
				return
			case rtNext:
				st, err := decode(ev.payload)
				if err != nil {
					yield(InvoiceUpdate{}, err)
					return
				}
				u := InvoiceUpdate{InvoicePaymentStatus: *st, Resubscribed: resubscribed}
				resubscribed = false
				if !yield(u, nil) || st.Status == InvoicePaid || st.Status == InvoiceExpired {
					return
				}
			}
		}
	}
}

// PriceUpdates streams the price of one sat and one US cent in a display
// currency ("USD" when empty) over the client's websocket (subscription
// realtimePrice; no key needed). The server sends the current price on
// subscribing and a new one when the price changes; it never completes
// the stream, and sends the current price again after every reconnect
// (what changed meanwhile is not replayed), or after a consumer fell
// 1,024 results behind. A currency code that is not 2
// to 10 ASCII letters or digits is refused before subscribing.
//
// The sequence ends when ctx ends or the loop breaks, without an error.
// An error the server puts in a price result (such as
// PRICE_SERVICE_OFFLINE) is yielded and the stream goes on; an error that
// ends the subscription (a websocket refused for good, a closed Client, a
// server that completes the subscription, which matches ErrServer) is
// yielded last.
func (c *Client) PriceUpdates(ctx context.Context, currency string) iter.Seq2[*RealtimePrice, error] {
	const op = "PriceUpdates"
	return func(yield func(*RealtimePrice, error) bool) {
		input := map[string]any{}
		if currency != "" {
			if err := checkDisplayCurrency(op, currency); err != nil {
				yield(nil, err)
				return
			}
			input["currency"] = currency
		}
		sub, err := c.subscribe(op, "RealtimePriceUpdates", gen.RealtimePriceUpdates_Operation, map[string]any{"input": input})
		if err != nil {
			yield(nil, err)
			return
		}
		defer sub.stop()
		for {
			ev, err := sub.next(ctx)
			if err != nil {
				return
			}
			switch ev.kind {
			case rtEnd:
				if ev.err == nil {
					if ctx.Err() != nil {
						return
					}
					// The server completed it: say so, as InvoiceUpdates
					// does, rather than end as if ctx had ended.
					ev.err = &Error{Operation: op, Message: "the server completed the price subscription", sentinel: ErrServer}
				}
				yield(nil, ev.err)
				return
			case rtNext:
				var r gen.RealtimePriceUpdatesResponse
				if err := decodeNext(op, ev.payload, &r, c.HasKey()); err != nil {
					if !yield(nil, c.scrub(err)) {
						return
					}
					continue
				}
				x := r.RealtimePrice
				if err := payloadError(c, op, x.Errors); err != nil {
					if !yield(nil, c.scrub(err)) {
						return
					}
					continue
				}
				if x.RealtimePrice == nil {
					continue
				}
				if !yield(toRealtimePriceFields(&x.RealtimePrice.PriceFields), nil) {
					return
				}
			}
		}
	}
}

// toRealtimePriceFields maps a price selected with PriceFields.
func toRealtimePriceFields(p *gen.PriceFields) *RealtimePrice {
	return &RealtimePrice{
		Currency:       p.DenominatorCurrencyDetails.Id,
		Symbol:         p.DenominatorCurrencyDetails.Symbol,
		FractionDigits: p.DenominatorCurrencyDetails.FractionDigits,
		SatPrice:       Price{Base: p.BtcSatPrice.Base, Offset: p.BtcSatPrice.Offset},
		CentPrice:      Price{Base: p.UsdCentPrice.Base, Offset: p.UsdCentPrice.Offset},
		Timestamp:      p.Timestamp.Time(),
	}
}
