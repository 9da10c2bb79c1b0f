package store

import (
	"context"
	"time"
)

// Store is what the server's packages need of the database. *SQL
// implements it for SQLite and PostgreSQL; a test can put another
// implementation behind it.
type Store interface {
	Ping(ctx context.Context) error
	Close() error

	CreateTenant(ctx context.Context, t *Tenant) error
	Tenant(ctx context.Context, id string) (*Tenant, error)
	TenantByTokenHash(ctx context.Context, tokenHash string) (*Tenant, error)
	ActiveTenants(ctx context.Context) ([]Tenant, error)
	AllTenants(ctx context.Context) ([]Tenant, error)
	SetShopWebhook(ctx context.Context, tenantID, url string, secret Sealed) error
	SetBlinkWebhookSecret(ctx context.Context, tenantID string, secret Sealed) error
	SetLastTransaction(ctx context.Context, tenantID, txID string) error
	// SetAccountNotices records what Blink says of the account's future
	// (wind-down, custodial restrictions).
	SetAccountNotices(ctx context.Context, tenantID string, n AccountNotices) error
	// DisconnectTenant marks the tenant disabled and wipes every ciphertext.
	DisconnectTenant(ctx context.Context, tenantID string) error
	// ReplaceSealed swaps a tenant's ciphertexts for re-encrypted ones, but
	// only where the row still holds the old ones (a concurrent disconnect
	// wins).
	ReplaceSealed(ctx context.Context, tenantID string, old, new TenantSecrets) (bool, error)

	// InsertOrder stores a new order; when the tenant has an order of that id
	// already it returns that one and created false.
	InsertOrder(ctx context.Context, o *Order) (existing *Order, created bool, err error)
	// DeleteOrderWithoutInvoice removes an order Blink refused an invoice
	// for (nothing of it exists at Blink).
	DeleteOrderWithoutInvoice(ctx context.Context, tenantID, orderID string) error
	// SetOrderInvoice records the order's invoice, unless the order has
	// another one already (ErrNotFound).
	SetOrderInvoice(ctx context.Context, tenantID, orderID string, inv OrderInvoice) error
	Order(ctx context.Context, tenantID, orderID string) (*Order, error)
	OrderByPaymentHash(ctx context.Context, tenantID, paymentHash string) (*Order, error)
	// SettleOrder moves an order from 'created' to status ('paid' or
	// 'expired') and enqueues ev, in one transaction; moved is false (and
	// nothing is written) when the order had left 'created' already.
	SettleOrder(ctx context.Context, tenantID, orderID, status, via string, ev *Event) (moved bool, err error)
	// SettleLateOrder moves an order from 'expired' to 'paid_late' (its
	// invoice was paid after the shop was told it expired) and enqueues
	// ev, in one transaction; moved is false (and nothing is written) when
	// the order is not in 'expired' (never from 'paid', never twice).
	SettleLateOrder(ctx context.Context, tenantID, orderID, via string, ev *Event) (moved bool, err error)
	// ClaimOpenOrders takes up to limit orders in 'created' whose check is
	// due, and moves their next check to now+lease.
	ClaimOpenOrders(ctx context.Context, limit int, lease time.Duration) ([]Order, error)
	// ClaimExpiredOrders takes up to limit orders in 'expired' whose
	// invoice expired at or after since and whose check is due, and moves
	// their next check to now+lease (the same claim as ClaimOpenOrders).
	ClaimExpiredOrders(ctx context.Context, since time.Time, limit int, lease time.Duration) ([]Order, error)
	// OpenOrders lists a tenant's orders in 'created', for a reconcile
	// right after a (re)subscribe.
	OpenOrders(ctx context.Context, tenantID string, limit int) ([]Order, error)
	// ExpiredOrders lists a tenant's orders in 'expired' whose invoice
	// expired at or after since, most recent first (a late payment can
	// still settle them).
	ExpiredOrders(ctx context.Context, tenantID string, since time.Time, limit int) ([]Order, error)

	ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]Event, error)
	MarkDelivered(ctx context.Context, eventID string) error
	RetryEvent(ctx context.Context, eventID string, next time.Time, lastError string) error
	Events(ctx context.Context, tenantID string) ([]Event, error)

	// InsertPayout stores a queued payout; when the tenant has one with the
	// same request key it returns that one and created false; when another
	// of its payouts that has not failed pays the same invoice (payment
	// hash), ErrInvoiceInPayout.
	InsertPayout(ctx context.Context, p *Payout) (existing *Payout, created bool, err error)
	Payout(ctx context.Context, tenantID, id string) (*Payout, error)
	// ClaimPayouts takes up to limit payouts that are not final and whose
	// lease is over, and moves their lease to now+lease.
	ClaimPayouts(ctx context.Context, limit int, lease time.Duration) ([]Payout, error)
	// SetPayoutInvoice commits p.Invoice and p.PaymentHash, the invoice a
	// queued lightning-address payout will pay, only while p's claim holds
	// (false when the payout is no longer queued or was claimed again).
	SetPayoutInvoice(ctx context.Context, p *Payout) (bool, error)
	// MarkSending moves a claimed payout from 'queued' to 'sending' with its
	// operation, invoice and payment hash and the time the send starts:
	// committed before the send, and only while p's claim holds.
	MarkSending(ctx context.Context, p *Payout, startedAt time.Time) (bool, error)
	// UpdatePayout writes a claimed payout's outcome; ErrStale when the
	// claim no longer holds or the payout is final.
	UpdatePayout(ctx context.Context, p *Payout) error
}

// Sealed is a ciphertext with the id of the master key that sealed it.
type Sealed struct {
	Ciphertext string
	KeyID      string
}

// IsZero reports an absent ciphertext.
func (s Sealed) IsZero() bool { return s.Ciphertext == "" }

// TenantSecrets are a tenant's three ciphertexts.
type TenantSecrets struct {
	Conn, BlinkWebhook, ShopWebhook Sealed
}

// Tenant is a shop connected to the server.
type Tenant struct {
	ID               string
	Name             string
	Mode             string // ModeKey or ModeAddress
	Status           string // StatusActive or StatusDisabled
	KeyPrefix        string
	KeyLast4         string
	LightningAddress string
	Scopes           []string
	AccountID        string
	WalletID         string
	Currency         string
	PayoutsEnabled   bool
	ShopWebhookURL   string
	Secrets          TenantSecrets
	APITokenHash     string
	LastTxID         string
	// WindDown is the account's wind-down as last read ("" when none: JSON
	// of blink.WindDown), WindDownCheckedAt when it was read.
	WindDown          string
	WindDownCheckedAt time.Time
	// Restrictions are the account's custodial restrictions as last read
	// ("" when none: JSON), read with the wind-down.
	Restrictions string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AccountNotices are what Blink says of an account's future, as stored:
// the wind-down and the custodial restrictions (JSON, "" when none) and
// when they were read.
type AccountNotices struct {
	WindDown     string
	Restrictions string
	CheckedAt    time.Time
}

// Tenant modes and statuses.
const (
	ModeKey        = "key"
	ModeAddress    = "address"
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// Order is one order of a tenant and its invoice.
type Order struct {
	TenantID       string
	OrderID        string
	ExternalID     string
	AmountSats     int64
	AmountCents    int64
	InvoiceSats    int64
	Memo           string
	ExpiresIn      time.Duration
	Status         string
	PaymentRequest string
	PaymentHash    string
	ExpiresAt      time.Time
	PaidVia        string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SettledAt      time.Time // when it left 'created'
	PaidAt         time.Time // when its payment was recorded ('paid', 'paid_late')
	VerifyURL      string    // a keyless invoice's LUD-21 verify URL
	ReceivePath    string    // a keyless invoice's path: "lnurl" or "custodial"
}

// OrderInvoice is what SetOrderInvoice records.
type OrderInvoice struct {
	PaymentRequest, PaymentHash string
	InvoiceSats                 int64
	ExpiresAt                   time.Time
	VerifyURL, ReceivePath      string
}

// Order statuses: created → paid or expired, once; expired → paid_late,
// once, when the invoice is paid after all (a payment accepted before the
// expiry that settled after it).
const (
	OrderCreated  = "created"
	OrderPaid     = "paid"
	OrderExpired  = "expired"
	OrderPaidLate = "paid_late"
)

// Event is an outbox row: a notification to the shop.
type Event struct {
	ID            string
	TenantID      string
	Type          string
	OrderID       string
	Payload       string
	Status        string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   time.Time
}

// Event statuses.
const (
	EventPending   = "pending"
	EventDelivered = "delivered"
)

// Payout is one send of a tenant.
type Payout struct {
	TenantID       string
	ID             string
	RequestKey     string
	IdempotencyKey string
	Kind           string // PayoutBOLT11, PayoutAddress, PayoutUsername
	Destination    string
	// Invoice is the BOLT11 a lightning-address payout pays, fetched from
	// the address and committed before the send ("" until then).
	Invoice     string
	AmountSats  int64
	MaxFeeSats  int64
	Status      string
	Operation   string
	PaymentHash string
	StartedAt   time.Time
	CurrentKey  string
	ArrivedBy   time.Time
	ResentWith  string
	FeeSats     int64
	Error       string
	Attempts    int
	LeaseUntil  time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Payout kinds and statuses. 'sending' means the send may have reached
// Blink: it is never made again blindly, only finished (FinishPayment).
// 'unknown' is an outcome the SDK could not know; 'in_flight' a payment
// Blink reports PENDING. 'succeeded' and 'failed' are final.
const (
	PayoutBOLT11   = "bolt11"
	PayoutAddress  = "address"
	PayoutUsername = "username"

	PayoutQueued    = "queued"
	PayoutSending   = "sending"
	PayoutUnknown   = "unknown"
	PayoutInFlight  = "in_flight"
	PayoutSucceeded = "succeeded"
	PayoutFailed    = "failed"
)

var _ Store = (*SQL)(nil)
