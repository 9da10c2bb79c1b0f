package blink

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/lnurl"
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
	perr := payloadError[E, P](op, p.errs)
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
			if r, ok := c.ownInvoicePayment(ctx, id, key); ok {
				return r, nil
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
func (c *Client) ownInvoicePayment(ctx context.Context, id sendID, key string) (*PaymentResult, bool) {
	if id.paymentHash == "" {
		return nil, false
	}
	r, err := c.resolveByHash(ctx, PaymentLookup{WalletID: id.walletID, PaymentHash: id.paymentHash})
	if err != nil || r.Transaction == nil {
		return nil, false
	}
	res := &PaymentResult{Transaction: r.Transaction, Fee: r.Transaction.Fee, PaymentHash: id.paymentHash,
		Preimage: r.Transaction.Settlement.Preimage, IdempotencyKey: key}
	switch r.Outcome {
	case ResolvedSucceeded:
		res.Status = PaymentAlreadyPaid
	case ResolvedPending:
		res.Status = PaymentPending
	default:
		return nil, false
	}
	return res, true
}

// unknown adds what identifies the payment to an outcome-unknown error
// (from the transport, or from a payload whose status is unknown); other
// errors pass through.
func (id sendID) unknown(c *Client, err error) error {
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		ou.WalletID, ou.PaymentHash, ou.PaymentRequest, ou.Amount, ou.Recipient = id.walletID, id.paymentHash, id.paymentRequest, id.amount, id.recipient
		ou.Memo, ou.UniqueMemo, ou.Speed = id.memo, id.uniqueMemo, id.speed
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

// PayInvoice pays a BOLT11 invoice that carries an amount, from a BTC or
// USD wallet (mutation lnInvoicePaymentSend; scope WRITE).
//
// Before anything is sent it strips a "lightning:" prefix, decodes the
// invoice locally and refuses (ErrInvalidInput and a more precise sentinel)
// an undecodable, expired or no-amount invoice, one for another network
// than the server's, one above opts.MaxAmount, and, with opts.MaxFee, one
// whose probed fee is above the limit.
//
// It returns a PaymentResult with PaymentSucceeded, PaymentPending or
// PaymentAlreadyPaid and a nil error; PaymentFailed with the server's error
// (such as ErrInsufficientBalance or ErrRouteFinding) when the server says
// nothing was paid; or a nil result and an *OutcomeUnknownError (matching
// ErrOutcomeUnknown, carrying the payment hash) when the answer was lost:
// then call ResolvePayment, never PayInvoice again with a new key.
func (c *Client) PayInvoice(ctx context.Context, walletID, paymentRequest string, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnInvoicePaymentSend"
	o := payOpts(opts)
	key, err := c.checkSend(ctx, op, walletID, o)
	if err != nil {
		return nil, err
	}
	inv, err := decodeInvoice(op, paymentRequest)
	if err != nil {
		return nil, err
	}
	if err := c.checkPayable(ctx, op, inv, true, o.MaxAmount); err != nil {
		return nil, err
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		probe := c.ProbeInvoiceFee
		if cur, _ := c.walletCurrency(ctx, walletID); cur == USD {
			probe = c.ProbeInvoiceFeeUSD // both report sats
		}
		f, err := probe(ctx, walletID, inv.PaymentRequest)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, paymentRequest: inv.PaymentRequest, memo: o.Memo}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnInvoicePaymentSendLnInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnInvoicePaymentSend(ctx, c.gql, gen.LnInvoicePaymentInput{WalletId: walletID, PaymentRequest: inv.PaymentRequest, Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.LnInvoicePaymentSendLnInvoicePaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnInvoicePaymentSend
		return sendPayload[gen.LnInvoicePaymentSendLnInvoicePaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// PayNoAmountInvoice pays an invoice without an amount, choosing the amount
// in sats, from a BTC wallet (mutation lnNoAmountInvoicePaymentSend; scope
// WRITE). The guards and outcomes are PayInvoice's; an invoice that carries
// an amount is refused (use PayInvoice).
func (c *Client) PayNoAmountInvoice(ctx context.Context, walletID, paymentRequest string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnNoAmountInvoicePaymentSend"
	o := payOpts(opts)
	key, inv, err := c.prepareNoAmount(ctx, op, walletID, paymentRequest, int64(amount), o, BTC)
	if err != nil {
		return nil, err
	}
	if o.MaxAmount > 0 && amount > o.MaxAmount {
		return nil, &Error{Operation: op, Message: "amount " + amount.String() + " is above MaxAmount " + o.MaxAmount.String(), sentinel: ErrLimitExceeded}
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		f, err := c.ProbeNoAmountInvoiceFee(ctx, walletID, inv.PaymentRequest, amount)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, paymentRequest: inv.PaymentRequest, amount: int64(amount), memo: o.Memo}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnNoAmountInvoicePaymentSendLnNoAmountInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnNoAmountInvoicePaymentSend(ctx, c.gql, gen.LnNoAmountInvoicePaymentInput{WalletId: walletID, PaymentRequest: inv.PaymentRequest, Amount: satAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.LnNoAmountInvoicePaymentSendLnNoAmountInvoicePaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnNoAmountInvoicePaymentSend
		return sendPayload[gen.LnNoAmountInvoicePaymentSendLnNoAmountInvoicePaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// PayNoAmountInvoiceUSD pays an invoice without an amount from a USD
// wallet, the amount given in cents (mutation
// lnNoAmountUsdInvoicePaymentSend; scope WRITE). opts.MaxFee is in cents;
// opts.MaxAmount does not apply (the amount is yours). Otherwise as
// PayNoAmountInvoice.
func (c *Client) PayNoAmountInvoiceUSD(ctx context.Context, walletID, paymentRequest string, amount Cents, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnNoAmountUsdInvoicePaymentSend"
	if err := unenforceable(op, opts, false, true); err != nil {
		return nil, err
	}
	o := payOpts(opts)
	key, inv, err := c.prepareNoAmount(ctx, op, walletID, paymentRequest, int64(amount), o, USD)
	if err != nil {
		return nil, err
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		f, err := c.ProbeNoAmountInvoiceFeeUSD(ctx, walletID, inv.PaymentRequest, amount)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, paymentRequest: inv.PaymentRequest, amount: int64(amount), memo: o.Memo}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnNoAmountUsdInvoicePaymentSend(ctx, c.gql, gen.LnNoAmountUsdInvoicePaymentInput{WalletId: walletID, PaymentRequest: inv.PaymentRequest, Amount: centAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnNoAmountUsdInvoicePaymentSend
		return sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

func (c *Client) prepareNoAmount(ctx context.Context, op, walletID, paymentRequest string, amount int64, o PayOptions, currency WalletCurrency) (string, *DecodedInvoice, error) {
	if err := checkAmount(op, amount); err != nil {
		return "", nil, err
	}
	key, err := c.checkSend(ctx, op, walletID, o)
	if err != nil {
		return "", nil, err
	}
	inv, err := decodeInvoice(op, paymentRequest)
	if err != nil {
		return "", nil, err
	}
	if err := c.checkPayable(ctx, op, inv, false, 0); err != nil { // its local checks first
		return "", nil, err
	}
	if err := c.checkWalletCurrency(ctx, op, walletID, currency); err != nil {
		return "", nil, err
	}
	return key, inv, nil
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

// PayLightningAddress pays a lightning address (user@domain) an amount in
// sats from a BTC wallet (mutation lnAddressPaymentSend; scope WRITE). The
// server resolves the address and pays the invoice it gets. The address
// is checked against LUD-16 before anything is sent (one @, a local part
// of a-z 0-9 - _ . +, a valid host name; no spaces, control or zero-width
// characters, percent escapes) and sent lower-cased. Outcomes as
// PayInvoice; an outcome-unknown error carries the address as Recipient.
// opts.MaxFee and opts.Memo are refused: the API has no fee probe and no
// memo for this send.
func (c *Client) PayLightningAddress(ctx context.Context, walletID, address string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnAddressPaymentSend"
	o := payOpts(opts)
	key, err := c.prepareLNURLPay(ctx, op, walletID, amount, o)
	if err != nil {
		return nil, err
	}
	addr, err := lnurl.ParseAddress(address)
	if err != nil {
		return nil, &Error{Operation: op, Message: "not a lightning address (user@domain, LUD-16)", cause: err, sentinel: ErrInvalidInput}
	}
	address = addr.String()
	if err := c.checkWalletCurrency(ctx, op, walletID, BTC); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: address}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnAddressPaymentSend(ctx, c.gql, gen.LnAddressPaymentSendInput{WalletId: walletID, LnAddress: address, Amount: satAmount(amount)})
		if err != nil {
			return sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnAddressPaymentSend
		return sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// PayLNURL pays an LNURL-pay code an amount in sats from a BTC wallet
// (mutation lnurlPaymentSend; scope WRITE). The code is decoded before
// anything is sent: a bech32 "lnurl1..." (one case; a "lightning:" prefix
// is stripped), or an "lnurlp://" or "https://" URL, which must name a
// host over https. Outcomes and refused options as PayLightningAddress.
func (c *Client) PayLNURL(ctx context.Context, walletID, code string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnurlPaymentSend"
	o := payOpts(opts)
	key, err := c.prepareLNURLPay(ctx, op, walletID, amount, o)
	if err != nil {
		return nil, err
	}
	code = stripLightningPrefix(code)
	if _, err := lnurl.DecodeWithOptions(code, &lnurl.DecodeOptions{AllowLoopbackHTTP: c.allowLoopbackLNURL()}); err != nil {
		return nil, &Error{Operation: op, Message: "not an LNURL-pay code (lnurl1..., lnurlp:// or https://)", cause: err, sentinel: ErrInvalidInput}
	}
	if err := c.checkWalletCurrency(ctx, op, walletID, BTC); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: code}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnurlPaymentSend(ctx, c.gql, gen.LnurlPaymentSendInput{WalletId: walletID, Lnurl: code, Amount: satAmount(amount)})
		if err != nil {
			return sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnurlPaymentSend
		return sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// allowLoopbackLNURL reports whether an LNURL may name a plain-http
// loopback host: only when the client itself talks to a loopback server
// (a local stack or blinktest), whose LNURL servers are local too.
func (c *Client) allowLoopbackLNURL() bool {
	u, err := url.Parse(c.endpoint)
	return err == nil && u.Scheme == "http" && isLoopback(u.Hostname())
}

// prepareLNURLPay does the local checks of the lightning address and
// LNURL sends and returns the idempotency key.
func (c *Client) prepareLNURLPay(ctx context.Context, op, walletID string, amount Sats, o PayOptions) (string, error) {
	key, err := sendKey(ctx, op, o.IdempotencyKey)
	if err != nil {
		return "", err
	}
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return "", err
	}
	if err := checkAmount(op, int64(amount)); err != nil {
		return "", err
	}
	if o.MaxFee > 0 {
		return "", invalidInput(op, "MaxFee cannot be enforced here: the API has no fee probe for this kind of send")
	}
	if o.Memo != "" || o.UniqueMemo {
		return "", invalidInput(op, "this send carries no memo (the API takes none)")
	}
	if o.MaxAmount > 0 && amount > o.MaxAmount {
		return "", &Error{Operation: op, Message: "amount is above MaxAmount", sentinel: ErrLimitExceeded}
	}
	return key, nil
}

// resolveRecipientWallet turns a wallet id or a username into a wallet id
// of the given currency (a username is looked up with accountDefaultWallet).
func (c *Client) resolveRecipientWallet(ctx context.Context, op, to string, currency WalletCurrency) (string, error) {
	if isUUID(to) {
		return to, nil
	}
	u, err := normalizeUsername(op, to)
	if err != nil {
		return "", invalidInput(op, "recipient %q is neither a wallet id nor a username", truncate(to, 60))
	}
	w, err := c.AccountDefaultWallet(ctx, u, currency)
	if err != nil {
		return "", err
	}
	if !isUUID(w.ID) {
		return "", &Error{Operation: op, Message: "the server answered the username's wallet with something that is not a wallet id", HTTPStatus: 200, sentinel: ErrServer}
	}
	return w.ID, nil
}

// SendIntraLedger sends sats from a BTC wallet to another Blink wallet,
// given by wallet id or by username (whose BTC wallet then receives)
// (mutation intraLedgerPaymentSend; scope WRITE). Intraledger sends are
// idempotent only through the X-Idempotency-Key: an outcome-unknown error
// carries that key, the wallet, the amount and the recipient wallet, which
// ResolvePayment needs.
func (c *Client) SendIntraLedger(ctx context.Context, walletID, to string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "IntraLedgerPaymentSend"
	o := payOpts(opts)
	if o.MaxAmount > 0 && amount > o.MaxAmount {
		return nil, &Error{Operation: op, Message: "amount is above MaxAmount", sentinel: ErrLimitExceeded}
	}
	key, recipient, err := c.prepareIntraLedger(ctx, op, walletID, to, int64(amount), o, BTC)
	if err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: recipient, memo: o.Memo, uniqueMemo: o.UniqueMemo}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.IntraLedgerPaymentSendIntraLedgerPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.IntraLedgerPaymentSend(ctx, c.gql, gen.IntraLedgerPaymentSendInput{WalletId: walletID, RecipientWalletId: recipient, Amount: satAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.IntraLedgerPaymentSendIntraLedgerPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.IntraLedgerPaymentSend
		return sendPayload[gen.IntraLedgerPaymentSendIntraLedgerPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// SendIntraLedgerUSD sends cents from a USD wallet to another Blink wallet,
// given by wallet id or by username (whose USD wallet then receives)
// (mutation intraLedgerUsdPaymentSend; scope WRITE). Otherwise as
// SendIntraLedger; MaxAmount does not apply (it is in sats).
func (c *Client) SendIntraLedgerUSD(ctx context.Context, walletID, to string, amount Cents, opts *PayOptions) (*PaymentResult, error) {
	const op = "IntraLedgerUsdPaymentSend"
	if err := unenforceable(op, opts, false, true); err != nil {
		return nil, err
	}
	o := payOpts(opts)
	key, recipient, err := c.prepareIntraLedger(ctx, op, walletID, to, int64(amount), o, USD)
	if err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: recipient, memo: o.Memo, uniqueMemo: o.UniqueMemo}
	return runSend(ctx, c, id, key, func(ctx context.Context) (sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.IntraLedgerUsdPaymentSend(ctx, c.gql, gen.IntraLedgerUsdPaymentSendInput{WalletId: walletID, RecipientWalletId: recipient, Amount: centAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.IntraLedgerUsdPaymentSend
		return sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

func (c *Client) prepareIntraLedger(ctx context.Context, op, walletID, to string, amount int64, o PayOptions, currency WalletCurrency) (key, recipient string, err error) {
	if key, err = c.checkSend(ctx, op, walletID, o); err != nil {
		return "", "", err
	}
	if err := checkAmount(op, amount); err != nil {
		return "", "", err
	}
	if !isUUID(to) {
		if _, err := normalizeUsername(op, to); err != nil {
			return "", "", invalidInput(op, "recipient %q is neither a wallet id nor a username", truncate(to, 60))
		}
	}
	if err := c.checkWalletCurrency(ctx, op, walletID, currency); err != nil {
		return "", "", err
	}
	recipient, err = c.resolveRecipientWallet(ctx, op, to, currency)
	return key, recipient, err
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
