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
	// PaymentPending: the payment is in flight; the server will settle or
	// revert it later. Never send it again: look it up with ResolvePayment.
	PaymentPending PaymentStatus = "PENDING"
	// PaymentFailed: the server says for certain that nothing was paid.
	PaymentFailed PaymentStatus = "FAILED"
	// PaymentAlreadyPaid: the invoice was paid before (by this wallet or
	// another); nothing was sent now.
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
	// takes one (lightning address and LNURL sends do not).
	Memo string
	// MaxAmount refuses, before sending, an invoice whose amount is above it.
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

// sendCall prepares a send: the idempotency key (PayOptions.IdempotencyKey,
// else the context's from WithIdempotencyKey, else a fresh one), validated,
// in the context.
func sendCall(ctx context.Context, op string, opts *PayOptions) (context.Context, string, error) {
	key := ""
	if opts != nil {
		key = opts.IdempotencyKey
	}
	if key == "" {
		key = idempotencyKeyFrom(ctx) // WithIdempotencyKey
	}
	if key == "" {
		key = NewIdempotencyKey()
	} else if !validIdempotencyKey(key) {
		return ctx, "", &Error{Operation: op, Message: "the idempotency key must be a UUIDv4", sentinel: ErrInvalidIdempotencyKey, also: ErrInvalidInput}
	}
	return WithIdempotencyKey(ctx, key), key, nil
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
		r.Status = PaymentAlreadyPaid
		return r, nil
	case strings.Contains(msg, msgPendingPayment), strings.Contains(msg, msgInTransition):
		r.Status = PaymentPending
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

// sendID is what identifies a send in an outcome-unknown error.
type sendID struct {
	op, walletID, paymentHash, recipient string
	amount                               int64
}

// runSend performs a send: it sets the idempotency key (see sendCall), makes
// the call, and maps every outcome: a result, the server's error beside a
// PaymentFailed result, or an *OutcomeUnknownError carrying id. It is the
// one place a send's outcome is decided.
func runSend[E any, P interface {
	*E
	payloadErr
}](ctx context.Context, id sendID, opts *PayOptions, call func(ctx context.Context) (sendPayload[E], error)) (*PaymentResult, error) {
	ctx, key, err := sendCall(ctx, id.op, opts)
	if err != nil {
		return nil, err
	}
	p, err := call(ctx)
	if err != nil {
		return nil, id.unknown(err)
	}
	res, err := toPaymentResult[E, P](id.op, key, id.paymentHash, p)
	return res, id.unknown(err)
}

// unknown adds what identifies the payment to an outcome-unknown error
// (from the transport, or from a payload whose status is unknown); other
// errors pass through.
func (id sendID) unknown(err error) error {
	var ou *OutcomeUnknownError
	if errors.As(err, &ou) {
		ou.WalletID, ou.PaymentHash, ou.Amount, ou.Recipient = id.walletID, id.paymentHash, id.amount, id.recipient
		if ou.StartedAt.IsZero() {
			// Not from the transport: the call began at most one timeout ago.
			ou.StartedAt = time.Now().Add(-DefaultTimeout)
		}
	}
	return err
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
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	if err := checkMemo(op, o.Memo); err != nil {
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
		if c.walletCurrency(ctx, walletID) == USD {
			probe = c.ProbeInvoiceFeeUSD // both report sats
		}
		f, err := probe(ctx, walletID, inv.PaymentRequest)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, amount: int64(inv.Amount)}
	return runSend(ctx, id, opts, func(ctx context.Context) (sendPayload[gen.LnInvoicePaymentSendLnInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
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
	inv, err := c.prepareNoAmount(ctx, op, walletID, paymentRequest, int64(amount), o)
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
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, amount: int64(amount)}
	return runSend(ctx, id, opts, func(ctx context.Context) (sendPayload[gen.LnNoAmountInvoicePaymentSendLnNoAmountInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
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
	inv, err := c.prepareNoAmount(ctx, op, walletID, paymentRequest, int64(amount), o)
	if err != nil {
		return nil, err
	}
	if err := checkFee(op, o.MaxFee, func() (int64, error) {
		f, err := c.ProbeNoAmountInvoiceFeeUSD(ctx, walletID, inv.PaymentRequest, amount)
		return int64(f), err
	}); err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, paymentHash: inv.PaymentHash, amount: int64(amount)}
	return runSend(ctx, id, opts, func(ctx context.Context) (sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnNoAmountUsdInvoicePaymentSend(ctx, c.gql, gen.LnNoAmountUsdInvoicePaymentInput{WalletId: walletID, PaymentRequest: inv.PaymentRequest, Amount: centAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnNoAmountUsdInvoicePaymentSend
		return sendPayload[gen.LnNoAmountUsdInvoicePaymentSendLnNoAmountUsdInvoicePaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

func (c *Client) prepareNoAmount(ctx context.Context, op, walletID, paymentRequest string, amount int64, o PayOptions) (*DecodedInvoice, error) {
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	if err := checkAmount(op, amount); err != nil {
		return nil, err
	}
	if err := checkMemo(op, o.Memo); err != nil {
		return nil, err
	}
	inv, err := decodeInvoice(op, paymentRequest)
	if err != nil {
		return nil, err
	}
	if err := c.checkPayable(ctx, op, inv, false, 0); err != nil {
		return nil, err
	}
	return inv, nil
}

// PayLightningAddress pays a lightning address (user@domain) an amount in
// sats from a BTC wallet (mutation lnAddressPaymentSend; scope WRITE). The
// server resolves the address and pays the invoice it gets. Outcomes as
// PayInvoice; an outcome-unknown error carries the address as Recipient.
// opts.MaxFee is refused (no probe exists for this send).
func (c *Client) PayLightningAddress(ctx context.Context, walletID, address string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnAddressPaymentSend"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	if err := checkAmount(op, int64(amount)); err != nil {
		return nil, err
	}
	if err := unenforceable(op, opts, true, false); err != nil {
		return nil, err
	}
	address = strings.TrimSpace(address)
	if user, domain, ok := strings.Cut(address, "@"); !ok || user == "" || !strings.Contains(domain, ".") || strings.ContainsAny(address, " /?") {
		return nil, invalidInput(op, "%q is not a lightning address (user@domain)", truncate(address, 100))
	}
	if o := payOpts(opts); o.MaxAmount > 0 && amount > o.MaxAmount {
		return nil, &Error{Operation: op, Message: "amount is above MaxAmount", sentinel: ErrLimitExceeded}
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: address}
	return runSend(ctx, id, opts, func(ctx context.Context) (sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnAddressPaymentSend(ctx, c.gql, gen.LnAddressPaymentSendInput{WalletId: walletID, LnAddress: address, Amount: satAmount(amount)})
		if err != nil {
			return sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnAddressPaymentSend
		return sendPayload[gen.LnAddressPaymentSendLnAddressPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

// PayLNURL pays an LNURL-pay code an amount in sats from a BTC wallet
// (mutation lnurlPaymentSend; scope WRITE). Outcomes as PayInvoice.
func (c *Client) PayLNURL(ctx context.Context, walletID, lnurl string, amount Sats, opts *PayOptions) (*PaymentResult, error) {
	const op = "LnurlPaymentSend"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	if err := checkAmount(op, int64(amount)); err != nil {
		return nil, err
	}
	if err := unenforceable(op, opts, true, false); err != nil {
		return nil, err
	}
	lnurl = stripLightningPrefix(lnurl)
	if lnurl == "" {
		return nil, invalidInput(op, "empty LNURL")
	}
	if o := payOpts(opts); o.MaxAmount > 0 && amount > o.MaxAmount {
		return nil, &Error{Operation: op, Message: "amount is above MaxAmount", sentinel: ErrLimitExceeded}
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: lnurl}
	return runSend(ctx, id, opts, func(ctx context.Context) (sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.LnurlPaymentSend(ctx, c.gql, gen.LnurlPaymentSendInput{WalletId: walletID, Lnurl: lnurl, Amount: satAmount(amount)})
		if err != nil {
			return sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.LnurlPaymentSend
		return sendPayload[gen.LnurlPaymentSendLnurlPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
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
	recipient, err := c.prepareIntraLedger(ctx, op, walletID, to, int64(amount), o, BTC)
	if err != nil {
		return nil, err
	}
	if o.MaxAmount > 0 && amount > o.MaxAmount {
		return nil, &Error{Operation: op, Message: "amount is above MaxAmount", sentinel: ErrLimitExceeded}
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: recipient}
	return runSend(ctx, id, opts, func(ctx context.Context) (sendPayload[gen.IntraLedgerPaymentSendIntraLedgerPaymentSendPaymentSendPayloadErrorsError], error) {
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
	recipient, err := c.prepareIntraLedger(ctx, op, walletID, to, int64(amount), o, USD)
	if err != nil {
		return nil, err
	}
	id := sendID{op: op, walletID: walletID, amount: int64(amount), recipient: recipient}
	return runSend(ctx, id, opts, func(ctx context.Context) (sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError], error) {
		resp, err := gen.IntraLedgerUsdPaymentSend(ctx, c.gql, gen.IntraLedgerUsdPaymentSendInput{WalletId: walletID, RecipientWalletId: recipient, Amount: centAmount(amount), Memo: optString(o.Memo)})
		if err != nil {
			return sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError]{}, err
		}
		p := resp.IntraLedgerUsdPaymentSend
		return sendPayload[gen.IntraLedgerUsdPaymentSendIntraLedgerUsdPaymentSendPaymentSendPayloadErrorsError]{p.Status, p.Errors, p.Transaction}, nil
	})
}

func (c *Client) prepareIntraLedger(ctx context.Context, op, walletID, to string, amount int64, o PayOptions, currency WalletCurrency) (string, error) {
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return "", err
	}
	if err := checkAmount(op, amount); err != nil {
		return "", err
	}
	if err := checkMemo(op, o.Memo); err != nil {
		return "", err
	}
	return c.resolveRecipientWallet(ctx, op, to, currency)
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
