// Package orders creates orders and their invoices, and moves an order
// from created to paid or expired exactly once, with the outbox event that
// tells the shop, in one transaction; an expired order whose invoice is
// paid after all moves once more, to paid_late (event order.paid_late).
package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/apperr"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

// Receivers gives a tenant's Receiver, and hears whether Blink refused
// the tenant's invoice for a wind-down (a keyless tenant's only way to
// learn of it).
type Receivers interface {
	Receiver(ctx context.Context, tenantID string) (tenants.Receiver, error)
	ReceiveRefused(ctx context.Context, t *store.Tenant, message string)
	ReceiveWorked(ctx context.Context, t *store.Tenant)
}

// Service creates and settles orders.
type Service struct {
	st  store.Store
	rx  Receivers
	log *slog.Logger
	// Notify is called after an event was committed (wakes the outbox).
	Notify func()
	// Settled, when set, is called once per order moved, with the path that
	// moved it (for metrics).
	Settled func(status, via string)
	// Created, when set, is called with each order whose invoice was just
	// stored (keyless orders are then handed to the shared watcher).
	Created func(o *store.Order)
}

// NewService returns a Service.
func NewService(st store.Store, rx Receivers, log *slog.Logger) *Service {
	return &Service{st: st, rx: rx, log: log}
}

// CreateRequest is the body of POST /v1/orders.
type CreateRequest struct {
	OrderID     string `json:"order_id"`
	AmountSats  int64  `json:"amount_sats"`
	AmountCents int64  `json:"amount_cents"`
	Memo        string `json:"memo"`
	// ExpiresIn is in seconds; 0 means one hour (BTC) or five minutes (USD).
	ExpiresIn int64 `json:"expires_in"`
}

var externalIDForm = regexp.MustCompile(`^[a-z0-9_-]{1,100}$`)

// ExternalID maps a shop's order id to the invoice's ExternalID
// (^[a-z0-9_-]{1,100}$): an id already of that form is kept as it is, any
// other becomes "x-" and 40 hex digits of its sha256, so two different
// order ids never share an invoice (lower-casing or replacing characters
// would make "A-1" and "a-1" one).
func ExternalID(orderID string) string {
	if externalIDForm.MatchString(orderID) {
		return orderID
	}
	sum := sha256.Sum256([]byte(orderID))
	return "x-" + hex.EncodeToString(sum[:20])
}

// memoControl reports a control character a memo may not carry: a memo
// is free text shown to payers, so tab and newline are kept.
func memoControl(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' }

// Create stores the order and makes its invoice; calling it again with the
// same order id and amounts returns the same order and invoice (also after
// a crash between the two steps).
func (s *Service) Create(ctx context.Context, t *store.Tenant, req CreateRequest) (*store.Order, bool, error) {
	if req.OrderID == "" || len(req.OrderID) > 200 || !utf8.ValidString(req.OrderID) || strings.ContainsFunc(req.OrderID, unicode.IsControl) {
		return nil, false, apperr.New(400, "invalid_order_id", "order_id must be 1 to 200 bytes of UTF-8 without control characters")
	}
	if req.AmountSats < 0 || req.AmountCents < 0 || (req.AmountSats == 0) == (req.AmountCents == 0) {
		return nil, false, apperr.New(400, "invalid_amount", "give exactly one of amount_sats and amount_cents, above 0")
	}
	if req.AmountSats > blink.MaxAmount || req.AmountCents > blink.MaxAmount {
		return nil, false, apperr.New(400, "invalid_amount", "the amount is above the maximum of %d", int64(blink.MaxAmount))
	}
	usd := t.Currency == string(blink.USD)
	if usd && req.AmountSats != 0 {
		return nil, false, apperr.New(400, "unsupported_amount_unit", "this tenant receives into a USD wallet: give amount_cents")
	}
	if !usd && req.AmountCents != 0 {
		return nil, false, apperr.New(400, "unsupported_amount_unit", "this tenant receives into a BTC wallet: give amount_sats")
	}
	if len(req.Memo) > blink.MaxMemoBytes || !utf8.ValidString(req.Memo) || strings.ContainsFunc(req.Memo, memoControl) {
		return nil, false, apperr.New(400, "invalid_memo", "memo must be at most %d bytes of UTF-8 without control characters (other than tab and newline)", blink.MaxMemoBytes)
	}
	// The range is checked in seconds, before the multiplication into a
	// Duration: a huge value would wrap around to an accepted one.
	const maxExpiresIn = 24 * 60 * 60
	var exp time.Duration
	switch {
	case req.ExpiresIn == 0 && usd:
		exp = 5 * time.Minute
	case req.ExpiresIn == 0:
		exp = time.Hour
	case req.ExpiresIn%60 != 0:
		return nil, false, apperr.New(400, "invalid_expiry", "expires_in must be a whole number of minutes, in seconds")
	case usd && (req.ExpiresIn < 60 || req.ExpiresIn > 300):
		return nil, false, apperr.New(400, "invalid_expiry", "a USD invoice expires in 60 to 300 seconds")
	case !usd && (req.ExpiresIn < 60 || req.ExpiresIn > maxExpiresIn):
		return nil, false, apperr.New(400, "invalid_expiry", "a BTC invoice expires in 60 to %d seconds", maxExpiresIn)
	default:
		exp = time.Duration(req.ExpiresIn) * time.Second
	}
	o := &store.Order{
		TenantID: t.ID, OrderID: req.OrderID, ExternalID: ExternalID(req.OrderID),
		AmountSats: req.AmountSats, AmountCents: req.AmountCents, Memo: req.Memo, ExpiresIn: exp,
	}
	// The order row first: a crash after it and before the invoice leaves
	// an order without invoice, which the next call completes with the same
	// ExternalID (Blink refuses a second invoice for it; the receiver then
	// finds the first).
	ex, created, err := s.st.InsertOrder(ctx, o)
	if errors.Is(err, store.ErrConflict) {
		return nil, false, apperr.New(409, "order_id_conflict", "another order of this tenant maps to the same invoice id")
	}
	if err != nil {
		return nil, false, err
	}
	if !created {
		if ex.AmountSats != o.AmountSats || ex.AmountCents != o.AmountCents || ex.Memo != o.Memo || ex.ExpiresIn != o.ExpiresIn {
			return nil, false, apperr.New(409, "order_exists", "order %q exists with other amounts, memo or expiry", req.OrderID)
		}
		if ex.PaymentHash != "" {
			return ex, false, nil
		}
		o = ex
	}
	rx, err := s.rx.Receiver(ctx, t.ID)
	if err != nil {
		return nil, false, err
	}
	inv, err := rx.CreateInvoice(ctx, tenants.InvoiceRequest{
		ExternalID: o.ExternalID, Sats: blink.Sats(o.AmountSats), Cents: blink.Cents(o.AmountCents), Memo: o.Memo, ExpiresIn: o.ExpiresIn,
		// The row was stored before the first attempt: an invoice Blink
		// made before it is not this order's.
		NotBefore: o.CreatedAt,
	})
	var foreign *tenants.ForeignInvoiceError
	if err != nil {
		switch {
		case errors.As(err, &foreign):
			// A concurrent call may have stored the order's invoice (which
			// may be paid by now): that one stands.
			if ex, err := s.st.Order(ctx, t.ID, o.OrderID); err == nil && ex.PaymentHash != "" {
				return ex, false, nil
			}
			if derr := s.st.DeleteOrderWithoutInvoice(ctx, t.ID, o.OrderID); derr != nil {
				s.log.ErrorContext(ctx, "removing a refused order", "tenant", t.ID, "order", o.OrderID, "err", derr)
			}
			return nil, false, apperr.New(409, "external_id_taken", "the Blink account has an invoice with external id %q that this order cannot use (%s): another integration or an earlier connection of the account made it, or it expired before this order stored it; use another order_id", o.ExternalID, foreign.Reason)
		case errors.Is(err, blink.ErrReceiveDisabled):
			if derr := s.st.DeleteOrderWithoutInvoice(ctx, t.ID, o.OrderID); derr != nil {
				s.log.ErrorContext(ctx, "removing a refused order", "tenant", t.ID, "order", o.OrderID, "err", derr)
			}
			s.rx.ReceiveRefused(ctx, t, safeMessage(err))
			return nil, false, apperr.New(409, "receive_disabled", "Blink says the account can no longer receive (wind-down): %s", safeMessage(err))
		case errors.Is(err, blink.ErrInvalidInput) && !errors.Is(err, blink.ErrExternalIDExists):
			// A definite refusal: no invoice exists, so neither does the order.
			if derr := s.st.DeleteOrderWithoutInvoice(ctx, t.ID, o.OrderID); derr != nil {
				s.log.ErrorContext(ctx, "removing a refused order", "tenant", t.ID, "order", o.OrderID, "err", derr)
			}
			return nil, false, apperr.New(400, "invoice_refused", "Blink refused the invoice: %s", safeMessage(err))
		case blink.IsTransient(err):
			return nil, false, apperr.New(502, "blink_unavailable", "Blink did not answer: call again with the same order_id")
		}
		return nil, false, apperr.New(502, "blink_error", "Blink refused the invoice: %s", safeMessage(err))
	}
	s.rx.ReceiveWorked(ctx, t)
	expiresAt := inv.ExpiresAt
	switch {
	case !expiresAt.IsZero():
	case inv.CreatedAt.IsZero():
		expiresAt = time.Now().Add(o.ExpiresIn)
	default:
		expiresAt = inv.CreatedAt.Add(o.ExpiresIn)
	}
	oi := store.OrderInvoice{PaymentRequest: inv.PaymentRequest, PaymentHash: inv.PaymentHash, InvoiceSats: int64(inv.Amount),
		ExpiresAt: expiresAt, VerifyURL: inv.VerifyURL, ReceivePath: inv.Path}
	if err := s.st.SetOrderInvoice(ctx, t.ID, o.OrderID, oi); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			// A concurrent call for the same order stored its invoice first
			// (a keyless address mints a new one each time): that one is
			// the order's, and this one is never shown.
			if ex, err := s.st.Order(ctx, t.ID, o.OrderID); err == nil && ex.PaymentHash != "" {
				return ex, false, nil
			}
		}
		return nil, false, err
	}
	o.PaymentRequest, o.PaymentHash, o.InvoiceSats, o.ExpiresAt = inv.PaymentRequest, inv.PaymentHash, int64(inv.Amount), expiresAt
	o.VerifyURL, o.ReceivePath = inv.VerifyURL, inv.Path
	if s.Created != nil {
		s.Created(o)
	}
	s.log.InfoContext(ctx, "order created", "tenant", t.ID, "order", o.OrderID, "payment_hash", o.PaymentHash, "sats", o.InvoiceSats)
	return o, created, nil
}

// Payload is the body of order.paid, order.expired and order.paid_late
// deliveries.
type Payload struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      OrderJSON `json:"data"`
}

// OrderJSON is an order as the API and the deliveries show it.
type OrderJSON struct {
	OrderID        string    `json:"order_id"`
	Status         string    `json:"status"`
	AmountSats     int64     `json:"amount_sats,omitempty"`
	AmountCents    int64     `json:"amount_cents,omitempty"`
	InvoiceSats    int64     `json:"invoice_sats"`
	Memo           string    `json:"memo,omitempty"`
	PaymentRequest string    `json:"payment_request,omitempty"`
	PaymentHash    string    `json:"payment_hash,omitempty"`
	ExpiresAt      time.Time `json:"expires_at"`
	CreatedAt      time.Time `json:"created_at"`
	SettledAt      time.Time `json:"settled_at,omitzero"`
	PaidAt         time.Time `json:"paid_at,omitzero"`
	DetectedBy     string    `json:"detected_by,omitempty"`
}

// JSON is the order as the API shows it.
func JSON(o *store.Order) OrderJSON {
	return OrderJSON{
		OrderID: o.OrderID, Status: o.Status, AmountSats: o.AmountSats, AmountCents: o.AmountCents, InvoiceSats: o.InvoiceSats,
		Memo: o.Memo, PaymentRequest: o.PaymentRequest, PaymentHash: o.PaymentHash, ExpiresAt: o.ExpiresAt.UTC(),
		CreatedAt: o.CreatedAt.UTC(), SettledAt: o.SettledAt.UTC(), PaidAt: o.PaidAt.UTC(), DetectedBy: o.PaidVia,
	}
}

// Settle moves the order to status ('paid' or 'expired'), recording via
// (which path saw it), with its outbox event, exactly once: it returns
// false when the order had moved already.
func (s *Service) Settle(ctx context.Context, o *store.Order, status, via string) (bool, error) {
	ev := &store.Event{ID: secrets.NewID("evt"), TenantID: o.TenantID, Type: "order." + status, OrderID: o.OrderID}
	snap := *o
	snap.Status, snap.PaidVia, snap.SettledAt = status, via, time.Now()
	if status == store.OrderPaid {
		snap.PaidAt = snap.SettledAt
	}
	body, err := json.Marshal(Payload{ID: ev.ID, Type: ev.Type, CreatedAt: snap.SettledAt.UTC(), Data: JSON(&snap)})
	if err != nil {
		return false, err
	}
	ev.Payload = string(body)
	moved, err := s.st.SettleOrder(ctx, o.TenantID, o.OrderID, status, via, ev)
	if err != nil {
		return false, err
	}
	if moved {
		s.log.InfoContext(ctx, "order "+status, "tenant", o.TenantID, "order", o.OrderID, "via", via, "event", ev.ID)
		if s.Settled != nil {
			s.Settled(status, via)
		}
		if s.Notify != nil {
			s.Notify()
		}
	}
	return moved, nil
}

// SettleLate moves an expired order to paid_late, recording via, with its
// order.paid_late event, exactly once: it returns false when the order is
// not expired (paid already, or paid_late already). The shop was told
// order.expired, but the money is in its wallet: this is logged at error
// level, for an operator to settle with the shop.
func (s *Service) SettleLate(ctx context.Context, o *store.Order, via string) (bool, error) {
	ev := &store.Event{ID: secrets.NewID("evt"), TenantID: o.TenantID, Type: "order." + store.OrderPaidLate, OrderID: o.OrderID}
	snap := *o
	snap.Status, snap.PaidVia, snap.PaidAt = store.OrderPaidLate, via, time.Now()
	body, err := json.Marshal(Payload{ID: ev.ID, Type: ev.Type, CreatedAt: snap.PaidAt.UTC(), Data: JSON(&snap)})
	if err != nil {
		return false, err
	}
	ev.Payload = string(body)
	moved, err := s.st.SettleLateOrder(ctx, o.TenantID, o.OrderID, via, ev)
	if err != nil {
		return false, err
	}
	if moved {
		s.log.ErrorContext(ctx, "order paid after it expired: the shop was told order.expired, the payment is in its wallet",
			"tenant", o.TenantID, "order", o.OrderID, "payment_hash", o.PaymentHash, "sats", o.InvoiceSats, "via", via, "event", ev.ID)
		if s.Settled != nil {
			s.Settled(store.OrderPaidLate, via)
		}
		if s.Notify != nil {
			s.Notify()
		}
	}
	return moved, nil
}

// RecordPayment records that the order's invoice was paid (Blink's word,
// or a receipt for its hash): created → paid, or, when the order expired
// in the meantime (here or on another path or replica), expired →
// paid_late. It returns the status it moved the order to, or "" when the
// payment was recorded already (paid or paid_late).
func (s *Service) RecordPayment(ctx context.Context, o *store.Order, via string) (string, error) {
	if o.Status == store.OrderCreated {
		moved, err := s.Settle(ctx, o, store.OrderPaid, via)
		if err != nil {
			return "", err
		}
		if moved {
			return store.OrderPaid, nil
		}
		// It left 'created' since it was read: expired (then this is a late
		// payment) or paid (then the second UPDATE changes nothing either).
		cur, err := s.st.Order(ctx, o.TenantID, o.OrderID)
		if err != nil {
			return "", err
		}
		o = cur
	}
	if o.Status != store.OrderExpired {
		return "", nil
	}
	moved, err := s.SettleLate(ctx, o, via)
	if err != nil || !moved {
		return "", err
	}
	return store.OrderPaidLate, nil
}

// MarkPaidByHash records the payment of the tenant's order whose invoice
// has the hash (RecordPayment): paid, or paid_late for an expired order.
func (s *Service) MarkPaidByHash(ctx context.Context, tenantID, hash, via string) (bool, error) {
	o, err := s.st.OrderByPaymentHash(ctx, tenantID, hash)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // a payment that is no order of ours
	}
	if err != nil {
		return false, err
	}
	st, err := s.RecordPayment(ctx, o, via)
	return st != "", err
}

// safeMessage is the SDK's message of err: it never holds a key.
func safeMessage(err error) string {
	var be *blink.Error
	if errors.As(err, &be) && be.Message != "" {
		return be.Message
	}
	return "see the server log"
}
