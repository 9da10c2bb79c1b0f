package blink

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// ExecutionWindow is how long after a request reached the server the SDK
// assumes it can still be executing. Blink executes a send inside a
// wallet lock whose lease is renewed while the work goes on (upstream
// core/api/src/services/lock/index.ts: a 180 s lease, auto-extended), so
// no hard bound exists; sends finish in milliseconds, and a lightning
// payment writes its pending ledger entry before it leaves (it is PENDING
// after 45 s). A ledger look-up that starts this long after the request
// arrived and finds nothing is taken as proof that it was never executed.
const ExecutionWindow = 2 * time.Minute

// idempotencyLockTTL is how long the server keeps an idempotency key
// locked (one hour), less a margin for the clocks.
const idempotencyLockTTL = 55 * time.Minute

type retireKey struct{}

func retireKeyFrom(ctx context.Context) string {
	k, _ := ctx.Value(retireKey{}).(string)
	return k
}

// RetireIdempotencyKey makes sure that no request carrying key can execute
// from now on, and reports whether one had already reached the server.
//
// It sends a query (globals, which moves nothing) with the key as its
// X-Idempotency-Key: the server locks every key it sees for an hour, on
// queries too, before anything runs. If the key was free, this query now
// holds it, so a send that carried it and never arrived (or is still on
// the way) will be refused with a conflict: arrived is false, and the send
// can never be executed. If the key was taken, arrived is true: a request
// with it reached the server, and may have been executed.
//
// A lock lasts an hour; a key first used longer ago than that proves
// nothing either way. The key must be a UUIDv4 (ErrInvalidIdempotencyKey,
// before anything is sent).
func (c *Client) RetireIdempotencyKey(ctx context.Context, key string) (arrived bool, err error) {
	const op = "RetireIdempotencyKey"
	if !validIdempotencyKey(key) {
		return false, &Error{Operation: op, Message: "the idempotency key must be a UUIDv4", sentinel: ErrInvalidIdempotencyKey, also: ErrInvalidInput}
	}
	resp, err := gen.Globals(context.WithValue(ctx, retireKey{}, key), c.gql)
	switch {
	case errors.Is(err, ErrIdempotencyConflict):
		return true, nil
	case err != nil:
		return false, err
	case resp.Globals == nil || resp.Globals.Network == "":
		// Only the query's own answer shows that the server ran it, and
		// so took the key: anything else proves nothing.
		return false, &Error{Operation: op, Message: "the server's answer is not the globals query's, so it does not show the key was taken", HTTPStatus: 200, sentinel: ErrServer}
	}
	return false, nil
}

// FinishPayment completes a send that ended in an unknown outcome, and
// never pays twice. It works from the error's exported fields alone, so an
// error stored before a restart (every field but Cause) works too. It does
// not change ou: when the outcome is still unknown it returns an updated
// *OutcomeUnknownError, which is the one to store and pass next time.
//
// It first retires the send's idempotency key (see RetireIdempotencyKey).
// If no attempt had reached the server, none ever can, and the send is
// made again at once with a fresh key. If one had (or the key is older
// than its one-hour lock, so retiring it proves nothing), it looks the
// payment up (ResolvePayment with Lookup):
//
//   - Invoice sends (PayInvoice, PayNoAmountInvoice, PayNoAmountInvoiceUSD)
//     look up by payment hash; the wallet's payment of the invoice is the
//     outcome (PaymentSucceeded or PaymentPending when made since the send
//     began, by whichever attempt; PaymentAlreadyPaid when made before).
//     Otherwise the invoice is paid again with a fresh key at once: an
//     invoice can be paid only once, so the server answers a second
//     payment with ALREADY_PAID. While the first attempt may still
//     execute, a definite failure of that payment is still reported as
//     unknown (the first attempt may yet pay).
//   - Intraledger, on-chain, lightning address and LNURL sends are not
//     idempotent (a lightning address or LNURL yields a fresh invoice each
//     time). A match in the ledger is the outcome; ResolvedAmbiguous is
//     returned as an unknown outcome for the caller to decide; nothing
//     found (or only a failed entry) proves that the send never executed
//     only for a look-up that starts ExecutionWindow after the attempt
//     arrived (ArrivedBy, by the server's clock). Before that it returns
//     the error again, still unknown, saying when to call again; after it,
//     the send is made again with a fresh key. The look-up reaches back
//     to when the call began or, for a key the caller gave (FreshKey
//     false), to an hour before it: the request that holds such a key may
//     be an earlier call's (a retried job, a second worker), executed
//     before this call began.
//
// A send made again applies the original limits again (ou.MaxFee and
// ou.MaxAmount, for the sends that honour them: the invoice sends, and
// the on-chain sends but SendAllOnChain), probing the fee first. A fee
// that rose above MaxFee meanwhile (or a probe that fails) refuses that
// send before it is made: FinishPayment then returns that
// ErrLimitExceeded error, a definite outcome (nothing was paid), when the
// original attempt can no longer execute; while it may, the outcome stays
// unknown, as for any failure of a send made again.
//
// The result is the send's outcome as the original call would have
// returned it (a queued on-chain payout is PaymentSucceeded). It sends
// again at most once per error (ResentWith); that send may itself end in
// an unknown outcome, an error of its own to finish. An invoice's send
// made again that the server refused outright while the first attempt
// could still execute paid nothing and does not count: the call after
// that attempt's window pays the invoice once more, and that answer is
// the outcome (so an invoice Blink cannot route ends in a definite
// failure). Scope READ for the
// look-ups and WRITE for a send made again (and the fee probe).
func (c *Client) FinishPayment(ctx context.Context, ou *OutcomeUnknownError) (*PaymentResult, error) {
	const op = "FinishPayment"
	if ou == nil {
		return nil, invalidInput(op, "no outcome-unknown error given")
	}
	if err := checkWalletID(op, "WalletID", ou.WalletID); err != nil {
		return nil, err
	}
	if !resendable(ou.Operation) {
		return nil, invalidInput(op, "cannot finish operation %q: only the SDK's own sends can be made again (look it up with ResolvePayment)", truncate(ou.Operation, 60))
	}
	if !validIdempotencyKey(ou.IdempotencyKey) {
		return nil, invalidInput(op, "the error carries no valid idempotency key")
	}
	e := *ou // the caller's error stays as it is: others may be reading it
	ou = &e

	if ou.ArrivedBy.IsZero() {
		arrived, err := c.RetireIdempotencyKey(ctx, ou.IdempotencyKey)
		if err != nil {
			return nil, err
		}
		_, now := c.clock.serverWindow(time.Now())
		switch {
		case arrived:
			ou.ArrivedBy = now // the request that took the key may still run
		case c.lockMayHaveLapsed(ou, now):
			// "Free" proves nothing of a lock older than an hour; whatever
			// arrived did so before the call gave up.
			ou.ArrivedBy = ou.StartedBefore.Add(c.callBound())
		default:
			return c.resend(ctx, ou, false)
		}
	}
	if ou.StartedAfter.IsZero() && ou.StartedBefore.IsZero() && !ou.StartedAt.IsZero() {
		// Rebuilt without the server-clock bounds (an integration keeps
		// only its own start time): bound it by this client's estimate of
		// the server's clock, which the answers so far have shown.
		ou.StartedAfter, ou.StartedBefore = c.clock.serverWindow(ou.StartedAt)
	}
	lookup := ou.Lookup()
	invoice := invoiceSend(ou.Operation) && ou.PaymentHash != ""
	if invoice {
		lookup.SureAfter = time.Time{} // which attempt paid does not matter: the invoice is paid once
	}
	before := time.Now()
	r, err := c.ResolvePayment(ctx, lookup)
	if err != nil {
		return nil, err
	}
	if res := resultOf(r, ou); res != nil {
		return res, nil
	}
	lookedAt, _ := c.clock.serverWindow(before)
	conclusive := ou.ArrivedBy.Add(ExecutionWindow)
	mayStillRun := lookedAt.Before(conclusive)
	switch {
	case invoice:
		return c.resend(ctx, ou, mayStillRun)
	case r.Outcome == ResolvedAmbiguous:
		ou.Cause = &Error{Operation: op, Message: "several ledger entries could be this send (ResolvePayment lists them); decide which, or send with a unique memo (PayOptions.UniqueMemo)", sentinel: ErrPaymentAmbiguous}
		return nil, ou
	case mayStillRun:
		ou.Cause = &Error{Operation: op, Message: "the ledger shows no such payment, but the request that reached the server may still be executing: call FinishPayment again after " +
			conclusive.Format(time.RFC3339) + " (server time)"}
		return nil, ou
	}
	return c.resend(ctx, ou, false)
}

// lockMayHaveLapsed reports whether the server's lock on ou's key may
// have lapsed by server time now: when the send began longer ago than the
// lock lasts by this machine's clocks (the monotonic one, which skips a
// suspend, and the wall clock, which does not), or by the server's clock
// when an answer has shown it.
func (c *Client) lockMayHaveLapsed(ou *OutcomeUnknownError, now time.Time) bool {
	age := time.Now().Round(0).Sub(ou.StartedAt.Round(0)) // wall clock
	if mono := time.Since(ou.StartedAt); mono > age {
		age = mono // the same as wall, unless StartedAt carries a monotonic reading
	}
	if age > idempotencyLockTTL {
		return true
	}
	return c.clock.known() && !ou.StartedAfter.IsZero() && now.Sub(ou.StartedAfter) > idempotencyLockTTL
}

// resultOf turns a resolution that found the payment into the send's
// result, or nil when it did not.
func resultOf(r *Resolution, ou *OutcomeUnknownError) *PaymentResult {
	res := &PaymentResult{PaymentHash: ou.PaymentHash, IdempotencyKey: ou.IdempotencyKey, Transaction: r.Transaction}
	switch r.Outcome {
	case ResolvedSucceeded:
		res.Status = PaymentSucceeded
	case ResolvedPending:
		res.Status = PaymentPending
		if strings.HasPrefix(ou.Operation, "OnChain") {
			res.Status = PaymentSucceeded // a queued payout, as the send reports it
		}
	case ResolvedAlreadyPaid:
		res.Status = PaymentAlreadyPaid
	default:
		return nil
	}
	if tx := r.Transaction; tx != nil {
		res.Fee, res.Preimage = tx.Fee, tx.Settlement.Preimage
		if res.PaymentHash == "" && tx.Initiation.Rail == Lightning {
			res.PaymentHash = tx.Initiation.PaymentHash // a lightning address or LNURL send
		}
	}
	return res
}

// invoiceSend reports whether op pays a given invoice, which the server
// never pays twice: only these are made again while the first attempt
// may still execute. (A lightning address or LNURL send with a known
// payment hash is not one: a send made again gets a new invoice.)
func invoiceSend(op string) bool {
	switch op {
	case "LnInvoicePaymentSend", "LnNoAmountInvoicePaymentSend", "LnNoAmountUsdInvoicePaymentSend":
		return true
	}
	return false
}

func resendable(op string) bool {
	switch op {
	case "LnInvoicePaymentSend", "LnNoAmountInvoicePaymentSend", "LnNoAmountUsdInvoicePaymentSend",
		"LnAddressPaymentSend", "LnurlPaymentSend", "IntraLedgerPaymentSend", "IntraLedgerUsdPaymentSend",
		"OnChainPaymentSend", "OnChainPaymentSendAll", "OnChainUsdPaymentSend", "OnChainUsdPaymentSendAsBtcDenominated":
		return true
	}
	return false
}

// resend makes the send of ou again, with a fresh idempotency key, once:
// ou.ResentWith records the key, and a later call only looks the payment
// up. With originalMayRun (an invoice whose first attempt may still
// execute), a definite failure of the new send is not the send's outcome:
// the error stays unknown, and since the new send paid nothing (the
// server refused it outright) it does not count as the one resend, so a
// call after the first attempt's window pays the invoice again (once
// more; the invoice can be paid only once) and its answer is the outcome.
func (c *Client) resend(ctx context.Context, ou *OutcomeUnknownError, originalMayRun bool) (*PaymentResult, error) {
	res, err := c.resendOnce(ctx, ou)
	var nu *OutcomeUnknownError
	if originalMayRun && err != nil && !errors.As(err, &nu) {
		ou.ResentWith = ""
		ou.Cause = &Error{Operation: "FinishPayment", Message: "paying the invoice again failed, but the first attempt may still execute until " +
			ou.ArrivedBy.Add(ExecutionWindow).Format(time.RFC3339) + " (server time): call FinishPayment again then", cause: err, sentinel: ErrOutcomeUnknown}
		return nil, ou
	}
	return res, err
}

func (c *Client) resendOnce(ctx context.Context, ou *OutcomeUnknownError) (*PaymentResult, error) {
	res, err := c.resendWithFreshKey(ctx, ou)
	var nu *OutcomeUnknownError
	if ou.ResentWith != "" && errors.As(err, &nu) && nu.IdempotencyKey == ou.ResentWith {
		nu.FreshKey = true // made here for this send alone
	}
	return res, err
}

func (c *Client) resendWithFreshKey(ctx context.Context, ou *OutcomeUnknownError) (*PaymentResult, error) {
	if ou.ResentWith != "" {
		ou.Cause = &Error{Operation: "FinishPayment", Message: "the payment was already sent again (idempotency key " + ou.ResentWith +
			") and the ledger does not show it as this send: finish that send's own error, or look it up with ResolvePayment", sentinel: ErrOutcomeUnknown}
		return nil, ou
	}
	ou.ResentWith = NewIdempotencyKey()
	po := &PayOptions{Memo: ou.Memo, UniqueMemo: ou.UniqueMemo, IdempotencyKey: ou.ResentWith}
	// The sends that honour a limit get the original one again: a fee
	// probed above MaxFee now is refused (ErrLimitExceeded) before sending.
	// The others never had one (they refuse it), so a limit an
	// integration stored for them anyway is left out.
	inv := &PayOptions{Memo: ou.Memo, UniqueMemo: ou.UniqueMemo, MaxFee: ou.MaxFee, MaxAmount: ou.MaxAmount, IdempotencyKey: ou.ResentWith}
	usd := &PayOptions{Memo: ou.Memo, UniqueMemo: ou.UniqueMemo, MaxFee: ou.MaxFee, IdempotencyKey: ou.ResentWith}
	oo := &OnChainOptions{Memo: ou.Memo, UniqueMemo: ou.UniqueMemo, Speed: ou.Speed, MaxFee: ou.MaxFee, IdempotencyKey: ou.ResentWith}
	all := &OnChainOptions{Memo: ou.Memo, UniqueMemo: ou.UniqueMemo, Speed: ou.Speed, IdempotencyKey: ou.ResentWith}
	w := ou.WalletID
	switch ou.Operation {
	case "LnInvoicePaymentSend":
		return c.PayInvoice(ctx, w, ou.PaymentRequest, inv)
	case "LnNoAmountInvoicePaymentSend":
		return c.PayNoAmountInvoice(ctx, w, ou.PaymentRequest, Sats(ou.Amount), inv)
	case "LnNoAmountUsdInvoicePaymentSend":
		return c.PayNoAmountInvoiceUSD(ctx, w, ou.PaymentRequest, Cents(ou.Amount), usd)
	case "LnAddressPaymentSend":
		return c.PayLightningAddress(ctx, w, ou.Recipient, Sats(ou.Amount), &PayOptions{IdempotencyKey: ou.ResentWith})
	case "LnurlPaymentSend":
		return c.PayLNURL(ctx, w, ou.Recipient, Sats(ou.Amount), &PayOptions{IdempotencyKey: ou.ResentWith})
	case "IntraLedgerPaymentSend":
		return c.SendIntraLedger(ctx, w, ou.Recipient, Sats(ou.Amount), po)
	case "IntraLedgerUsdPaymentSend":
		return c.SendIntraLedgerUSD(ctx, w, ou.Recipient, Cents(ou.Amount), po)
	case "OnChainPaymentSend":
		return c.SendOnChain(ctx, w, ou.Recipient, Sats(ou.Amount), oo)
	case "OnChainPaymentSendAll":
		return c.SendAllOnChain(ctx, w, ou.Recipient, all)
	case "OnChainUsdPaymentSend":
		return c.SendOnChainUSD(ctx, w, ou.Recipient, Cents(ou.Amount), oo)
	case "OnChainUsdPaymentSendAsBtcDenominated":
		return c.SendOnChainUSDInSats(ctx, w, ou.Recipient, Sats(ou.Amount), oo)
	}
	return nil, invalidInput("FinishPayment", "cannot finish operation %q", truncate(ou.Operation, 60))
}

// WaitOptions tune WaitForPayment.
type WaitOptions struct {
	// Interval is the wait before the first look-up and the start of the
	// backoff; default 2 s.
	Interval time.Duration
	// MaxInterval caps the wait between look-ups; default 1 minute.
	MaxInterval time.Duration
}

// WaitForPayment waits for a lightning payment from walletID that is
// pending (PaymentPending, or ResolvedPending) to settle or revert. It
// looks the payment up by its hash in the wallet's ledger (as
// ResolvePayment does, scope READ), first after Interval and then with
// exponential backoff and ±20% jitter up to MaxInterval, one request at a
// time, until the SEND entry is no longer pending or ctx ends.
//
// It returns the resolution that ended the wait: ResolvedSucceeded (with
// the preimage in Transaction.Settlement), ResolvedFailed (reverted: the
// wallet was refunded; nothing was paid), or ResolvedNotFound (the wallet
// has no such payment). When ctx ends first it returns the last
// resolution seen (nil if none) and ctx's error.
func (c *Client) WaitForPayment(ctx context.Context, walletID, paymentHash string, opts *WaitOptions) (*Resolution, error) {
	const op = "WaitForPayment"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	hash, err := checkPaymentHash(op, paymentHash)
	if err != nil {
		return nil, err
	}
	var o WaitOptions
	if opts != nil {
		o = *opts
	}
	if o.Interval < 0 || o.MaxInterval < 0 {
		return nil, invalidInput(op, "negative interval")
	}
	if o.Interval == 0 {
		o.Interval = 2 * time.Second
	}
	if o.MaxInterval == 0 {
		o.MaxInterval = time.Minute
	}
	o.MaxInterval = max(o.MaxInterval, o.Interval)
	wait := o.Interval
	var last *Resolution
	t := time.NewTimer(jitter(wait))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-t.C:
		}
		r, err := c.resolveByHash(ctx, PaymentLookup{WalletID: walletID, PaymentHash: hash})
		switch {
		case err != nil && ctx.Err() != nil:
			return last, ctx.Err()
		case err != nil && !IsTransient(err):
			return last, err
		case err == nil:
			last = r
			if r.Outcome != ResolvedPending {
				return r, nil
			}
		}
		wait = min(wait*2, o.MaxInterval)
		t.Reset(jitter(wait))
	}
}

// jitter spreads d by ±20%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d - d/5 + time.Duration(rand.Int64N(int64(2*d/5)+1))
}
