package blink

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// PaymentStatus is the outcome of a send as the server reported it.
type PaymentStatus string

// Send outcomes. A send whose outcome could not be known returns an error
// matching ErrOutcomeUnknown instead of a status.
const (
	// PaymentSucceeded: the payment settled (for on-chain: the payout is
	// queued; the transaction stays pending until confirmed).
	PaymentSucceeded PaymentStatus = "SUCCEEDED"
	// PaymentPending: the payment left and is in flight (a lightning
	// payment unresolved after 45 s): it is neither done nor failed, and
	// the error is nil. Do not treat it as paid, and never send it again:
	// wait for it with Client.WaitForPayment (or look it up later with
	// ResolvePayment), which reports SUCCEEDED when it settles or FAILED
	// when the server reverts it and refunds the wallet.
	PaymentPending PaymentStatus = "PENDING"
	// PaymentFailed: the server says for certain that this call paid
	// nothing; the error beside it says why.
	PaymentFailed PaymentStatus = "FAILED"
	// PaymentAlreadyPaid: this wallet paid the invoice before; nothing was
	// sent now.
	PaymentAlreadyPaid PaymentStatus = "ALREADY_PAID"
)

// PaymentResult is what every send returns.
type PaymentResult struct {
	// Status is the outcome.
	Status PaymentStatus
	// Transaction is the ledger entry, when the server returned one.
	Transaction *Transaction
	// Fee is the fee paid, in the sending wallet's unit (zero value until known).
	Fee Amount
	// PaymentHash identifies a lightning payment; empty for intraledger and
	// on-chain sends.
	PaymentHash string
	// Preimage proves a settled lightning payment, when the server gave it.
	Preimage string
	// IdempotencyKey is the X-Idempotency-Key the send carried.
	IdempotencyKey string
}

// PayOptions are the optional settings of a send.
type PayOptions struct {
	// Memo is attached to the payment (at most 639 bytes). Not every send
	// takes one (lightning address and LNURL sends do not). A memo unique
	// to each send (an order or payout id) lets ResolvePayment tell this
	// send from an identical one: see UniqueMemo.
	Memo string
	// UniqueMemo vouches that no other send from this wallet carries Memo.
	// An unknown outcome then resolves by the memo whatever the timing;
	// without it a match created within the second the send began is
	// reported as ResolvedAmbiguous (it could be an identical earlier send).
	UniqueMemo bool
	// MaxAmount refuses, before sending, an invoice whose amount is above
	// it (compared exactly, to the millisatoshi).
	MaxAmount Sats
	// MaxFee, when above 0, probes the fee first (a fee probe, scope WRITE)
	// and refuses to send when the probe is above it or fails. It is in
	// cents for PayNoAmountInvoiceUSD and in sats otherwise (PayInvoice from
	// a USD wallet probes with the USD probe, which reports sats).
	MaxFee int64
	// IdempotencyKey is the X-Idempotency-Key to send (a UUIDv4). Empty
	// means a fresh one. Reuse the key of an earlier attempt to make the
	// server refuse a second execution: the call then ends in
	// ErrOutcomeUnknown, never in a second payment.
	IdempotencyKey string
}

// sendPayload is the part every generated PaymentSendPayload shares.
type sendPayload[E any] struct {
	status *gen.PaymentSendResult
	errs   []E
	tx     *gen.TransactionFields
}

// sendKey returns the idempotency key of a send (the given one, else the
// context's from WithIdempotencyKey, else a fresh one), refusing a
// malformed one. Every send calls it first, before any other request.
func sendKey(ctx context.Context, op, key string) (string, error) {
	if key == "" {
		key = idempotencyKeyFrom(ctx) // WithIdempotencyKey
	}
	if key == "" {
		return NewIdempotencyKey(), nil
	}
	if !validIdempotencyKey(key) {
		return "", &Error{Operation: op, Message: "the idempotency key must be a UUIDv4", sentinel: ErrInvalidIdempotencyKey, also: ErrInvalidInput}
	}
	return key, nil
}

// toPaymentResult maps a payment payload to a result. It is the one place
// where the server's variants become statuses; see the PaymentStatus
// constants. It returns the server's error beside a PaymentFailed result.
func toPaymentResult[E any, P interface {
	*E
	payloadErr
}](op, idemKey, paymentHash string, p sendPayload[E]) (*PaymentResult, error) {
	r := &PaymentResult{PaymentHash: paymentHash, IdempotencyKey: idemKey}
	if p.tx != nil {
		tx := toTransaction(p.tx)
		r.Transaction = &tx
		r.Fee = tx.Fee
		if tx.Settlement.Preimage != "" {
			r.Preimage = tx.Settlement.Preimage
		}
		if r.PaymentHash == "" && tx.Initiation.Rail == Lightning {
			r.PaymentHash = tx.Initiation.PaymentHash
		}
	}
	perr := payloadError[E, P](nil, op, p.errs) // runSend scrubs the outcome
	var e *Error
	errors.As(perr, &e)
	msg := ""
	if e != nil {
		msg = e.Message
	}
	switch {
	case strings.Contains(msg, msgAlreadyPaid):
		// Paid, but not by this call; runSend asks the ledger whose.
		e.sentinel = ErrInvoiceAlreadyPaid
		r.Status = PaymentFailed
		return r, e
	case strings.Contains(msg, msgPendingPayment):
		// Someone's payment of the invoice is in flight (the server looks
		// at every wallet); runSend asks the ledger whose.
		e.sentinel, e.also = ErrInvoicePaymentInFlight, ErrInvalidInput
		r.Status = PaymentFailed
		return r, e
	case strings.Contains(msg, msgInTransition):
		r.Status = PaymentPending // this payment, sent and unresolved
		return r, nil
	}
	if p.status == nil {
		if perr != nil {
			// Refused before execution (validation): nothing was paid.
			r.Status = PaymentFailed
			return r, perr
		}
		return nil, &OutcomeUnknownError{Operation: op, IdempotencyKey: idemKey, PaymentHash: r.PaymentHash,
			Cause: &Error{Operation: op, Message: "the server returned neither a status nor an error", sentinel: ErrServer}}
	}
	switch *p.status {
	case gen.PaymentSendResultSuccess:
		r.Status = PaymentSucceeded
	case gen.PaymentSendResultPending:
		r.Status = PaymentPending
	case gen.PaymentSendResultAlreadyPaid:
		r.Status = PaymentAlreadyPaid
		if tx := r.Transaction; tx == nil || tx.Direction != Send || tx.Status == TxFailure {
			// The server answers ALREADY_PAID to a wallet that only probed
			// the invoice, and to any Blink payer of an outside invoice
			// Blink's node paid, with no SEND of this wallet or a voided
			// one: runSend asks the ledger whether this wallet paid it.
			r.Status = PaymentFailed
			return r, &Error{Operation: op, Code: "LIGHTNING_PAYMENT_ERROR", Message: msgAlreadyPaid + " (the server answered ALREADY_PAID without this wallet's payment)", HTTPStatus: 200, sentinel: ErrInvoiceAlreadyPaid}
		}
	case gen.PaymentSendResultFailure:
		r.Status = PaymentFailed
		if perr == nil {
			perr = &Error{Operation: op, Message: "the payment failed", HTTPStatus: 200}
		}
		return r, perr
	default:
		return nil, &OutcomeUnknownError{Operation: op, IdempotencyKey: idemKey, PaymentHash: r.PaymentHash,
			Cause: &Error{Operation: op, Message: "unknown payment status " + string(*p.status), sentinel: ErrServer}}
	}
	return r, nil
}

// sendID is what identifies a send, for an outcome-unknown error and for
// FinishPayment to send it again.
type sendID struct {
	op, walletID, paymentHash, paymentRequest, recipient, memo string
	amount                                                     int64
	uniqueMemo                                                 bool
	speed                                                      PayoutSpeed
	// maxFee and maxAmount are the limits the send honoured, for
	// FinishPayment to apply them again.
	maxFee    int64
	maxAmount Sats
	// givenKey: the caller gave the idempotency key (PayOptions or
	// OnChainOptions); runSend adds WithIdempotencyKey's.
	givenKey bool
}

// sendRecord is what the transport tells runSend about its call.
type sendRecord struct{ state *callState }

type sendRecordKey struct{}

func sendRecordFrom(ctx context.Context) *sendRecord {
	r, _ := ctx.Value(sendRecordKey{}).(*sendRecord)
	return r
}

// runSend performs a send with the idempotency key key, and maps every
// outcome: a result, the server's error beside a PaymentFailed result, or
// an *OutcomeUnknownError carrying id. It is the one place a send's
// outcome is decided:
//   - an answer that is not a definite, parsed payload outcome is unknown
//     (the transport decides, see settle);
//   - after an attempt that may have been executed, a failure is unknown
//     too: the balance may be gone because that attempt paid;
//   - "already paid" and "a payment is in flight" are about the invoice,
//     not this wallet: the wallet's own ledger says whether they are its
//     payment (PaymentAlreadyPaid, PaymentPending) or another's (a
//     definite failure).
func runSend[E any, P interface {
	*E
	payloadErr
}](ctx context.Context, c *Client, id sendID, key string, call func(ctx context.Context) (sendPayload[E], error)) (*PaymentResult, error) {
	id.givenKey = id.givenKey || idempotencyKeyFrom(ctx) != ""
	rec := &sendRecord{}
	p, err := call(context.WithValue(WithIdempotencyKey(ctx, key), sendRecordKey{}, rec))
	if err != nil {
		return nil, id.unknown(c, err)
	}
	res, err := toPaymentResult[E, P](id.op, key, id.paymentHash, p)
	var ou *OutcomeUnknownError
	if err != nil && !errors.As(err, &ou) {
		ambiguous := rec.state != nil && rec.state.ambiguous.Load()
		if errors.Is(err, ErrInvoiceAlreadyPaid) || errors.Is(err, ErrInvoicePaymentInFlight) {
			r, ok, lerr := c.ownInvoicePayment(ctx, id, key)
			if ok {
				return r, nil
			}
			var se *ScopeError
			if lerr != nil && !errors.As(lerr, &se) {
				// Whose payment it is cannot be told now: it may be this
				// wallet's (an earlier attempt in flight), so the outcome
				// is unknown, for FinishPayment to look up. (A key without
				// READ can never look: it gets the server's answer.)
				ou := &OutcomeUnknownError{Operation: id.op, IdempotencyKey: key, Cause: err}
				if rec.state != nil {
					ou = c.unknown(rec.state, err).(*OutcomeUnknownError)
				}
				return nil, id.unknown(c, ou)
			}
		}
		if ambiguous {
			return nil, id.unknown(c, c.unknown(rec.state, err))
		}
	}
	return res, c.scrub(id.unknown(c, err))
}

// ownInvoicePayment looks for this wallet's payment of the invoice, when
// the server said the invoice is paid or has a payment in flight: a
// settled SEND entry is PaymentAlreadyPaid, a pending one PaymentPending.
// The error is the look-up's, when it failed.
func (c *Client) ownInvoicePayment(ctx context.Context, id sendID, key string) (*PaymentResult, bool, error) {
	if id.paymentHash == "" {
		return nil, false, nil
	}
	r, err := c.resolveByHash(ctx, PaymentLookup{WalletID: id.walletID, PaymentHash: id.paymentHash})
	if err != nil {
		return nil, false, err
	}
	if r.Transaction == nil {
		return nil, false, nil
	}
	res := &PaymentResult{Transaction: r.Transaction, Fee: r.Transaction.Fee, PaymentHash: id.paymentHash,
		Preimage: r.Transaction.Settlement.Preimage, IdempotencyKey: key}
	switch r.Outcome {
	case ResolvedSucceeded:
		res.Status = PaymentAlreadyPaid
	case ResolvedPending:
		res.Status = PaymentPending
	default:
		return nil, false, nil
	}
	return res, true, nil
}

// unknown adds what identifies the payment to an outcome-unknown error
// (from the transport, or from a payload whose status is unknown); other
// errors pass through.
func (id sendID) unknown(c *Client, err error) error {
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		ou.WalletID, ou.PaymentHash, ou.PaymentRequest, ou.Amount, ou.Recipient = id.walletID, id.paymentHash, id.paymentRequest, id.amount, id.recipient
		ou.Memo, ou.UniqueMemo, ou.Speed = id.memo, id.uniqueMemo, id.speed
		ou.MaxFee, ou.MaxAmount = id.maxFee, id.maxAmount
		ou.FreshKey = !id.givenKey
		if ou.StartedAt.IsZero() {
			// Not from the transport: the call began at most one timeout ago.
			ou.StartedAt = time.Now().Add(-c.callBound())
			ou.StartedAfter, _ = c.clock.serverWindow(ou.StartedAt)
			_, ou.StartedBefore = c.clock.serverWindow(time.Now())
		}
	}
	return c.scrub(err)
}

// callBound is the longest one call can take.
func (c *Client) callBound() time.Duration {
	if c.timeout > 0 {
		return c.timeout
	}
	return DefaultTimeout
}

// checkSend does the checks every send starts with, before any request:
// the idempotency key, the wallet id and the memo. It returns the key.
func (c *Client) checkSend(ctx context.Context, op, walletID string, o PayOptions) (string, error) {
	key, err := sendKey(ctx, op, o.IdempotencyKey)
	if err != nil {
		return "", err
	}
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return "", err
	}
	if err := checkMemo(op, o.Memo); err != nil {
		return "", err
	}
	if o.UniqueMemo && o.Memo == "" {
		return "", invalidInput(op, "UniqueMemo is set but there is no Memo")
	}
	return key, nil
}

// checkWalletCurrency refuses a send from a wallet of the other currency
// than the call's, where the client can know it (the wallets query, asked
// once, needs READ); otherwise the server judges. Call it after the local
// checks: it may make a request.
func (c *Client) checkWalletCurrency(ctx context.Context, op, walletID string, currency WalletCurrency) error {
	if cur, ok := c.walletCurrency(ctx, walletID); ok && cur != currency {
		return invalidInput(op, "wallet %s holds %s; this call sends from a %s wallet", walletID, cur, currency)
	}
	return nil
}

func payOpts(o *PayOptions) PayOptions {
	if o == nil {
		return PayOptions{}
	}
	return *o
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// unenforceable refuses a MaxFee or MaxAmount the call cannot enforce,
// rather than ignore a limit the caller relies on.
func unenforceable(op string, opts *PayOptions, maxFee, maxAmount bool) error {
	if opts == nil {
		return nil
	}
	if maxFee && opts.MaxFee > 0 {
		return invalidInput(op, "MaxFee cannot be enforced here: the API has no fee probe for this kind of send")
	}
	if maxAmount && opts.MaxAmount > 0 {
		return invalidInput(op, "MaxAmount is in sats and this send is in cents: check the amount yourself")
	}
	return nil
}
