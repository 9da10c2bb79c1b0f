package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/blink"
)

// ErrMalformedEvent: a body is not a JSON object, or an event of a known
// type has a field that cannot be read (a createdAt that is not a time,
// an amount that is not a whole number, no transaction). Match it with
// errors.Is.
var ErrMalformedEvent = errors.New("webhook: malformed event body")

// The event types Blink sends to the account's callback endpoints, and
// the types ParseEvent gives the per-invoice deliveries (whose bodies
// carry no eventType).
const (
	TypeReceiveLightning   = "receive.lightning"
	TypeSendLightning      = "send.lightning"
	TypeReceiveIntraLedger = "receive.intraledger"
	TypeSendIntraLedger    = "send.intraledger"
	TypeReceiveOnChain     = "receive.onchain"
	TypeSendOnChain        = "send.onchain"
	TypeInvoicePaid        = "invoice.paid"
	TypeInvoiceExpired     = "invoice.expired"
)

// Event is one parsed delivery: *ReceiveLightning, *SendLightning,
// *ReceiveIntraLedger, *SendIntraLedger, *ReceiveOnChain, *SendOnChain,
// *InvoicePaid, *InvoiceExpired, or *RawEvent for a type this package
// does not know. Use a type switch, or TransactionOf for what the six
// account events share. Only this package's types implement Event.
//
// An event is a hint, never the truth about money: a delivery can be
// late, repeated, out of order, or (for per-invoice hooks, whose secret
// no API shows) unverifiable. Before shipping an order, ask the ledger:
// Client.WaitForInvoice or Client.ResolvePayment in package blink.
type Event interface {
	// Type is the event type, such as "receive.lightning" or
	// "invoice.paid"; "" for an unknown body without eventType.
	Type() string
	event()
}

// TransactionEvent is what the six account events share: the account,
// the wallet and the ledger transaction the event is about. A
// send.lightning event can come twice for one transaction (when the
// payment is attempted and when a pending payment settles) and
// receive.onchain comes pending then confirmed: key on Transaction.ID
// and Transaction.Status.
type TransactionEvent struct {
	// EventType is the event's type, such as "receive.lightning".
	EventType string
	// AccountID is the Blink account the event belongs to.
	AccountID string
	// WalletID is the wallet of the transaction.
	WalletID string
	// Transaction is the transaction, in the SDK's terms: Direction
	// from the event type; Status TxSuccess, TxPending or TxFailure;
	// Amount and Fee in sats (BTC) or cents (USD), negative for sends;
	// CreatedAt with its milliseconds; Memo "" when null; for lightning
	// Initiation.PaymentHash and Settlement.Preimage (once revealed);
	// for intraledger the counterparty's wallet id and username; for
	// on-chain Initiation.Address, Settlement.TxHash and Settlement.Vout.
	Transaction blink.Transaction
	// Pubkey is the node key of a lightning initiation, as sent.
	Pubkey string
	// WalletCurrency is the walletCurrency of the display price, as sent.
	WalletCurrency string
}

// Type returns the event type, such as "receive.lightning". The six
// account event types inherit it; ParseEvent never returns a bare
// *TransactionEvent.
func (e *TransactionEvent) Type() string { return e.EventType }
func (e *TransactionEvent) event()       {}

// ReceiveLightning is a receive.lightning event: a lightning payment into
// the wallet.
type ReceiveLightning struct{ TransactionEvent }

// SendLightning is a send.lightning event: a lightning payment out of
// the wallet (pending, settled or failed).
type SendLightning struct{ TransactionEvent }

// ReceiveIntraLedger is a receive.intraledger event: a payment from
// another Blink wallet.
type ReceiveIntraLedger struct{ TransactionEvent }

// SendIntraLedger is a send.intraledger event: a payment to another
// Blink wallet.
type SendIntraLedger struct{ TransactionEvent }

// ReceiveOnChain is a receive.onchain event: an on-chain deposit, sent
// once pending and once confirmed.
type ReceiveOnChain struct{ TransactionEvent }

// SendOnChain is a send.onchain event: an on-chain payment out.
type SendOnChain struct{ TransactionEvent }

// InvoicePaid is an invoice.paid delivery to an invoice's webhookUrl.
// Check that sha256(Preimage) is PaymentHash, and still confirm with
// Client.WaitForInvoice: no API shows the secret these are signed with.
type InvoicePaid struct {
	// PaymentHash and PaymentRequest identify the invoice.
	PaymentHash, PaymentRequest string
	// Preimage is the invoice's preimage (paymentPreimage).
	Preimage string
	// Status is blink.InvoicePaid.
	Status blink.InvoiceStatus
}

// Type returns "invoice.paid".
func (*InvoicePaid) Type() string { return TypeInvoicePaid }
func (*InvoicePaid) event()       {}

// InvoiceExpired is an invoice.expired delivery to an invoice's
// webhookUrl; it can come up to 5 minutes after the expiry.
type InvoiceExpired struct {
	// PaymentHash and PaymentRequest identify the invoice.
	PaymentHash, PaymentRequest string
	// Status is blink.InvoiceExpired.
	Status blink.InvoiceStatus
}

// Type returns "invoice.expired".
func (*InvoiceExpired) Type() string { return TypeInvoiceExpired }
func (*InvoiceExpired) event()       {}

// RawEvent is an event of a type this package does not know, kept as
// sent so that a new event type never makes a delivery fail.
type RawEvent struct {
	// EventType is the body's eventType, "" when it has none.
	EventType string
	// Body is the whole JSON body.
	Body json.RawMessage
}

// Type returns the body's eventType.
func (e *RawEvent) Type() string { return e.EventType }
func (*RawEvent) event()         {}

// TransactionOf returns the TransactionEvent inside one of the six
// account events, and false for any other event.
func TransactionOf(ev Event) (*TransactionEvent, bool) {
	switch e := ev.(type) {
	case *ReceiveLightning:
		return &e.TransactionEvent, true
	case *SendLightning:
		return &e.TransactionEvent, true
	case *ReceiveIntraLedger:
		return &e.TransactionEvent, true
	case *SendIntraLedger:
		return &e.TransactionEvent, true
	case *ReceiveOnChain:
		return &e.TransactionEvent, true
	case *SendOnChain:
		return &e.TransactionEvent, true
	}
	return nil, false
}

// ConstructEvent verifies payload against h and secret as Verify does,
// then parses it as ParseEvent does. It returns Verify's error for a
// delivery that does not verify, and never parses such a body.
func ConstructEvent(payload []byte, h http.Header, secret string) (Event, error) {
	return ConstructEventWithOptions(payload, h, secret, nil)
}

// ConstructEventWithOptions is ConstructEvent with VerifyOptions; opts
// may be nil.
func ConstructEventWithOptions(payload []byte, h http.Header, secret string, opts *VerifyOptions) (Event, error) {
	if err := VerifyWithOptions(payload, h, secret, opts); err != nil {
		return nil, err
	}
	return ParseEvent(payload)
}

// ParseEvent parses a delivery's body. It does not verify it: call
// Verify first, or use ConstructEvent or Handler.
//
// The six account event types come back as their types; a body without
// eventType whose status is "PAID" or "EXPIRED" is an *InvoicePaid or
// *InvoiceExpired; any other JSON object is a *RawEvent. The error, for
// a body that is not a JSON object or a known event with an unreadable
// field, matches ErrMalformedEvent and holds no part of the body.
func ParseEvent(payload []byte) (Event, error) {
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformedEvent)
	}
	var head struct {
		EventType json.RawMessage `json:"eventType"`
		Status    json.RawMessage `json:"status"`
	}
	if err := json.Unmarshal(trimmed, &head); err != nil {
		return nil, malformed(err)
	}
	var eventType string
	if len(head.EventType) > 0 && string(head.EventType) != "null" {
		if err := json.Unmarshal(head.EventType, &eventType); err != nil {
			return nil, fmt.Errorf("%w: eventType is not a string", ErrMalformedEvent)
		}
	}
	raw := func() Event {
		return &RawEvent{EventType: eventType, Body: json.RawMessage(bytes.Clone(trimmed))}
	}

	if eventType == "" {
		var status string
		_ = json.Unmarshal(head.Status, &status) // not a string: not an invoice event
		switch blink.InvoiceStatus(status) {
		case blink.InvoicePaid, blink.InvoiceExpired:
		default:
			return raw(), nil
		}
		var w wireInvoice
		if err := json.Unmarshal(trimmed, &w); err != nil {
			return nil, malformed(err)
		}
		if status == string(blink.InvoicePaid) {
			return &InvoicePaid{PaymentHash: w.PaymentHash, PaymentRequest: w.PaymentRequest,
				Preimage: w.PaymentPreimage, Status: blink.InvoicePaid}, nil
		}
		return &InvoiceExpired{PaymentHash: w.PaymentHash, PaymentRequest: w.PaymentRequest,
			Status: blink.InvoiceExpired}, nil
	}

	var wrap func(TransactionEvent) Event
	dir := blink.Receive
	switch eventType {
	case TypeReceiveLightning:
		wrap = func(t TransactionEvent) Event { return &ReceiveLightning{t} }
	case TypeSendLightning:
		wrap, dir = func(t TransactionEvent) Event { return &SendLightning{t} }, blink.Send
	case TypeReceiveIntraLedger:
		wrap = func(t TransactionEvent) Event { return &ReceiveIntraLedger{t} }
	case TypeSendIntraLedger:
		wrap, dir = func(t TransactionEvent) Event { return &SendIntraLedger{t} }, blink.Send
	case TypeReceiveOnChain:
		wrap = func(t TransactionEvent) Event { return &ReceiveOnChain{t} }
	case TypeSendOnChain:
		wrap, dir = func(t TransactionEvent) Event { return &SendOnChain{t} }, blink.Send
	default:
		return raw(), nil
	}
	var w wireAccountEvent
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return nil, malformed(err)
	}
	if w.Transaction == nil {
		return nil, fmt.Errorf("%w: %s without a transaction", ErrMalformedEvent, eventType)
	}
	te := w.Transaction.toEvent(dir)
	te.EventType, te.AccountID, te.WalletID = eventType, w.AccountID, w.WalletID
	if te.WalletID == "" {
		te.WalletID = w.Transaction.WalletID
	}
	return wrap(te), nil
}

// malformed wraps a JSON error with ErrMalformedEvent, keeping only what
// names the place of the problem (never a value of the body).
func malformed(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%w: %s is not a %s", ErrMalformedEvent, te.Field, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%w: invalid JSON at byte %d", ErrMalformedEvent, se.Offset)
	}
	var pe *time.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: a time is not ISO-8601", ErrMalformedEvent)
	}
	return fmt.Errorf("%w: a field cannot be read", ErrMalformedEvent)
}

// wireInvoice is the body of a per-invoice delivery.
type wireInvoice struct {
	PaymentHash     string `json:"paymentHash"`
	PaymentRequest  string `json:"paymentRequest"`
	PaymentPreimage string `json:"paymentPreimage"`
}

// wireAccountEvent is the body of an account delivery.
type wireAccountEvent struct {
	AccountID   string  `json:"accountId"`
	WalletID    string  `json:"walletId"`
	Transaction *wireTx `json:"transaction"`
}

// wireTx is the server's internal transaction record, as deliveries
// carry it (not the GraphQL Transaction type).
type wireTx struct {
	ID                      string    `json:"id"`
	WalletID                string    `json:"walletId"`
	Status                  string    `json:"status"`
	Memo                    *string   `json:"memo"`
	CreatedAt               time.Time `json:"createdAt"`
	SettlementAmount        int64     `json:"settlementAmount"`
	SettlementFee           int64     `json:"settlementFee"`
	SettlementCurrency      string    `json:"settlementCurrency"`
	SettlementDisplayAmount string    `json:"settlementDisplayAmount"`
	SettlementDisplayFee    string    `json:"settlementDisplayFee"`
	SettlementDisplayPrice  struct {
		Base            flexInt `json:"base"`
		Offset          flexInt `json:"offset"`
		DisplayCurrency string  `json:"displayCurrency"`
		WalletCurrency  string  `json:"walletCurrency"`
	} `json:"settlementDisplayPrice"`
	ExternalID    *string `json:"externalId"`
	InitiationVia struct {
		Type                 string  `json:"type"`
		PaymentHash          string  `json:"paymentHash"`
		Pubkey               string  `json:"pubkey"`
		CounterPartyWalletID string  `json:"counterPartyWalletId"`
		CounterPartyUsername *string `json:"counterPartyUsername"`
		Address              string  `json:"address"`
	} `json:"initiationVia"`
	SettlementVia struct {
		Type                 string  `json:"type"`
		RevealedPreImage     *string `json:"revealedPreImage"`
		CounterPartyWalletID string  `json:"counterPartyWalletId"`
		CounterPartyUsername *string `json:"counterPartyUsername"`
		TransactionHash      string  `json:"transactionHash"`
		Vout                 *int    `json:"vout"`
	} `json:"settlementVia"`
}

// toEvent maps the wire record to the SDK's Transaction; it is the one
// place where delivered transactions are mapped.
func (w *wireTx) toEvent(dir blink.Direction) TransactionEvent {
	cur := blink.WalletCurrency(w.SettlementCurrency)
	tx := blink.Transaction{
		ID:              w.ID,
		CreatedAt:       w.CreatedAt,
		Direction:       dir,
		Status:          blink.TxStatus(strings.ToUpper(w.Status)),
		Amount:          blink.Amount{Value: w.SettlementAmount, Currency: cur},
		Fee:             blink.Amount{Value: w.SettlementFee, Currency: cur},
		DisplayAmount:   w.SettlementDisplayAmount,
		DisplayFee:      w.SettlementDisplayFee,
		DisplayCurrency: w.SettlementDisplayPrice.DisplayCurrency,
		Price:           blink.Price{Base: int64(w.SettlementDisplayPrice.Base), Offset: int(w.SettlementDisplayPrice.Offset)},
		Memo:            deref(w.Memo),
		ExternalID:      deref(w.ExternalID),
	}
	switch v := w.InitiationVia; blink.Rail(v.Type) {
	case blink.Lightning:
		tx.Initiation = blink.Initiation{Rail: blink.Lightning, PaymentHash: v.PaymentHash}
	case blink.IntraLedger:
		tx.Initiation = blink.Initiation{Rail: blink.IntraLedger, CounterpartyWalletID: v.CounterPartyWalletID, CounterpartyUsername: deref(v.CounterPartyUsername)}
	case blink.OnChain:
		tx.Initiation = blink.Initiation{Rail: blink.OnChain, Address: v.Address}
	default:
		tx.Initiation.Rail = blink.Rail(v.Type)
	}
	switch v := w.SettlementVia; blink.Rail(v.Type) {
	case blink.Lightning:
		tx.Settlement = blink.Settlement{Rail: blink.Lightning, Preimage: deref(v.RevealedPreImage)}
	case blink.IntraLedger:
		tx.Settlement = blink.Settlement{Rail: blink.IntraLedger, CounterpartyWalletID: v.CounterPartyWalletID, CounterpartyUsername: deref(v.CounterPartyUsername)}
	case blink.OnChain:
		tx.Settlement = blink.Settlement{Rail: blink.OnChain, TxHash: v.TransactionHash}
		if v.Vout != nil {
			tx.Settlement.Vout = *v.Vout
		}
	default:
		tx.Settlement.Rail = blink.Rail(v.Type)
	}
	return TransactionEvent{
		Transaction:    tx,
		Pubkey:         w.InitiationVia.Pubkey,
		WalletCurrency: w.SettlementDisplayPrice.WalletCurrency,
	}
}

// flexInt reads an integer sent as a JSON number or as a string of one
// (the display price's base and offset come as strings).
type flexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: a display price field is not an integer", ErrMalformedEvent)
	}
	*f = flexInt(n)
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
