package blink

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// Update is one event of MyUpdates: a *LightningReceipt, an
// *IntraLedgerReceipt, an *OnChainUpdate, a *PriceUpdate or a
// *RealtimePriceUpdate. Switch on the type.
type Update interface {
	isUpdate()
}

// LightningReceipt: a lightning payment into one of the account's
// wallets (myUpdates' LnUpdate), including an invoice paid from another
// Blink account.
type LightningReceipt struct {
	// WalletID is the wallet paid.
	WalletID string
	// PaymentHash is the invoice's payment hash.
	PaymentHash string
	// Amount is what the wallet received, in its unit (Sats for a BTC
	// wallet, Cents for a USD wallet), positive.
	Amount Amount
	// Status is the invoice's status (InvoicePaid).
	Status InvoiceStatus
	// Transaction is the RECEIVE entry of the ledger.
	Transaction Transaction
	// CaughtUp is true when the event was missed on the websocket and
	// found in the ledger over HTTP after a reconnect.
	CaughtUp bool
}

// IntraLedgerReceipt: a payment from another Blink wallet into one of the
// account's wallets (myUpdates' IntraLedgerUpdate).
type IntraLedgerReceipt struct {
	// WalletID is the wallet paid.
	WalletID string
	// Amount is what the wallet received, in its unit, positive.
	Amount Amount
	// Transaction is the RECEIVE entry of the ledger.
	Transaction Transaction
	// CaughtUp: see LightningReceipt.CaughtUp.
	CaughtUp bool
}

// OnChainKind tells the on-chain events apart.
type OnChainKind string

// The on-chain events of MyUpdates.
const (
	// OnChainReceiptPending: a deposit seen unconfirmed. Its transaction is
	// not in the ledger (see PendingIncomingTransactions).
	OnChainReceiptPending OnChainKind = "OnchainReceiptPending"
	// OnChainReceipt: a deposit confirmed (a new transaction id).
	OnChainReceipt OnChainKind = "OnchainReceipt"
	// OnChainPayment: an on-chain send from the account.
	OnChainPayment OnChainKind = "OnchainPayment"
)

// OnChainUpdate: an on-chain deposit (once pending, once confirmed) or an
// on-chain send (myUpdates' OnChainUpdate).
type OnChainUpdate struct {
	// Kind is OnChainReceiptPending, OnChainReceipt or OnChainPayment.
	Kind OnChainKind
	// WalletID is the account's wallet.
	WalletID string
	// TxHash is the Bitcoin transaction's hash.
	TxHash string
	// Amount is the amount moved, in the wallet's unit, positive (a send's
	// includes its fee).
	Amount Amount
	// Transaction is the entry (for OnChainReceiptPending, the pending
	// incoming transaction).
	Transaction Transaction
	// CaughtUp: see LightningReceipt.CaughtUp.
	CaughtUp bool
}

// PriceUpdate is myUpdates' Price event, sent only to accounts whose
// display currency is USD: the price of one sat in US cents.
type PriceUpdate struct {
	// Price is base / 10^offset cents per sat.
	Price Price
	// CurrencyUnit is the server's unit name ("USDCENT").
	CurrencyUnit string
	// FormattedAmount is the price as the server formats it.
	FormattedAmount string
}

// RealtimePriceUpdate is myUpdates' RealtimePrice event, in the account's
// display currency.
type RealtimePriceUpdate struct {
	RealtimePrice
}

func (*LightningReceipt) isUpdate()    {}
func (*IntraLedgerReceipt) isUpdate()  {}
func (*OnChainUpdate) isUpdate()       {}
func (*PriceUpdate) isUpdate()         {}
func (*RealtimePriceUpdate) isUpdate() {}

// MyUpdatesOptions tunes MyUpdates. The zero value (or nil) is the
// default.
type MyUpdatesOptions struct {
	// Since resumes an earlier run: the Transaction.ID of the newest
	// ledger entry the caller handled (the last one it stored). When set,
	// the stream starts by delivering, marked CaughtUp, every receipt and
	// on-chain update of the ledger after it, and also those of the
	// entries created up to about a minute before it (from the newest
	// entry at least a minute older than the entry just before Since;
	// Since itself is not delivered again). The look back is there
	// because entries near the newest handled may not have been handled:
	// live events can arrive slightly out of ledger order, and the ledger
	// writes some entries after newer ones. So across a restart entries
	// up to about a minute before Since may come again: de-duplicate them
	// by Transaction.ID (and Status). Within one stream nothing comes
	// twice. Since must be an ID of the account's ledger (for an unknown
	// ID nothing is looked back at). When empty, the stream delivers what
	// happens from now on.
	Since string
	// NoCatchUp turns the ledger reconciliation off: the stream then only
	// relays the websocket, and what happens while it is down is lost.
	// The key then needs no READ scope.
	NoCatchUp bool
}

// MyUpdates streams the events of the key's account over the client's
// websocket (subscription myUpdates; it needs a key, and the catch-up
// below needs scope READ): incoming lightning payments
// (*LightningReceipt), incoming intraledger payments
// (*IntraLedgerReceipt), on-chain deposits once pending and once
// confirmed, and on-chain sends (*OnChainUpdate), and prices
// (*RealtimePriceUpdate on subscribing and every 30 s; *PriceUpdate as
// well, only for accounts whose display currency is USD).
//
// The server never emits an event for outgoing lightning or intraledger
// payments (follow those with the send's result or the ledger), nor for
// the refund of a failed send, and it never replays what it sent while
// the websocket was down. MyUpdates makes up for the last: after every
// (re)subscription, once the server has answered, it reads the ledger
// over HTTP from the last transaction delivered (TransactionsSince, and
// PendingIncomingTransactions for unconfirmed deposits) and delivers what
// the websocket missed, with CaughtUp set, before going on (when the
// server's first answer takes more than a second, the catch-up runs then
// and once more on that answer). Until a catch-up has succeeded, no
// receipt is delivered live: the catch-up delivers those too, in ledger
// order after what was missed before them, so a receipt never reaches
// the consumer before an older one the websocket missed (prices go on
// flowing). Every receipt is delivered once per transaction ID and
// status, whichever way it came (an on-chain deposit twice: pending, then
// confirmed under a new ID; one confirmed while the websocket was down is
// delivered confirmed only, its pending state being gone). A payment
// between the account's own wallets is a receipt in the wallet paid.
// Prices are not caught up. A failed catch-up, or a failed read when the
// stream starts, is retried, with backoff, until it succeeds. The HTTP
// cost: Wallets and one TransactionsPage when the stream starts (with
// Since, a walk of the ledger older than it, usually one page, instead of
// the TransactionsPage), then per (re)subscription a TransactionsSince
// walk and a PendingIncomingTransactions query, plus a
// TransactionsByPaymentHash lookup per missed lightning receipt (to tell
// it from the refund of a failed send). An entry the ledger writes after
// a newer one was read (see TransactionsSince) is caught up too: each
// catch-up starts from the newest entry created at least a minute before
// the newest one delivered, and skips what it delivered already.
//
// The sequence ends without an error only when ctx ends or the loop
// breaks: it never stops silently while ctx is live. An error is yielded
// last, and ends it, for a key the server refuses (NOT_AUTHENTICATED: it
// matches ErrInvalidAPIKey and ErrNotAuthenticated), a client without a
// key (ErrNotAuthenticated, before subscribing), a key without READ for
// the catch-up (ErrInsufficientScope), a websocket refused for good, a
// subscription the server completes (ErrServer: subscribe again), and a
// closed Client (ErrClientClosed). Network and server failures, on the
// websocket or over HTTP, are not errors: the client reconnects, and the
// reads are retried, with backoff. An error inside one result (its
// payload errors) is yielded and the stream goes on.
func (c *Client) MyUpdates(ctx context.Context, opts *MyUpdatesOptions) iter.Seq2[Update, error] {
	const op = "MyUpdates"
	var o MyUpdatesOptions
	if opts != nil {
		o = *opts
	}
	return func(yield func(Update, error) bool) {
		if !c.HasKey() {
			yield(nil, &Error{Operation: op, Message: "myUpdates needs an API key", sentinel: ErrNotAuthenticated})
			return
		}
		m := &myUpdates{c: c, op: op, cursor: o.Since, since: o.Since, trail: trail{base: o.Since}, seen: newSeenSet(20_000), wallets: map[WalletCurrency]string{}}
		if !o.NoCatchUp {
			// A failure to read the start is retried, with backoff, as a
			// failed catch-up is; only a refused key (or scope), a closed
			// client, an invalid input or ctx end it.
			for retry := 0; ; retry++ {
				err := m.start(ctx, o.Since)
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					return
				}
				if isAuthError(err) || errors.Is(err, ErrInvalidInput) {
					yield(nil, badKey(err))
					return
				}
				if c.rtClosed() {
					yield(nil, &Error{Operation: op, Message: "the client is closed", sentinel: ErrClientClosed})
					return
				}
				c.log.Debug("blink: MyUpdates start failed, retrying", "error", err)
				if !sleepCtx(ctx, catchUpBackoff(retry)) {
					return
				}
			}
		}
		sub, err := c.subscribe(op, "MyUpdates", gen.MyUpdates_Operation, nil)
		if err != nil {
			yield(nil, err)
			return
		}
		defer sub.stop()
		// Every (re)subscription arms a catch-up (m.pending), run as soon
		// as the server answers on it (the subscription is live there:
		// nothing can fall between the ledger read and the stream) and
		// before that answer is delivered, or catchUpWait after it without
		// an answer; a failed one is retried with backoff. One run without
		// an answer leaves it pending: it runs again on the first answer
		// (what was paid between its ledger read and the subscription
		// going live is in no walk otherwise).
		//
		// While a catch-up is pending no receipt is delivered live (nor
		// recorded as seen): the catch-up's walk delivers them, in ledger
		// order, after what was missed before them, so a consumer never
		// handles a receipt before an older one the websocket missed (a
		// Since taken from the newest one handled then misses nothing).
		// Prices flow live. This also keeps the seen set small: it holds
		// what the walks and the live stream delivered, never receipts of
		// a long outage waiting for a catch-up (which, with more than its
		// size of them, could otherwise be forgotten and come twice).
		var catchUpAt time.Time // zero: no timed attempt due
		retry := 0
		answered := false // the server answered since the last (re)subscription
		runCatchUp := func() (stop bool) {
			ok, stop := m.catchUp(ctx, yield)
			switch {
			case ok && answered:
				catchUpAt, m.pending, retry = time.Time{}, false, 0
			case ok:
				catchUpAt, retry = time.Time{}, 0 // again on the first answer
			default:
				catchUpAt = time.Now().Add(catchUpBackoff(retry))
				retry++
			}
			return stop
		}
		for ctx.Err() == nil {
			var wait time.Duration
			if !catchUpAt.IsZero() {
				wait = max(time.Until(catchUpAt), time.Nanosecond)
			}
			ev, timedOut, err := nextWithin(ctx, sub, wait)
			if err != nil {
				return
			}
			if timedOut {
				if runCatchUp() {
					return
				}
				continue
			}
			switch ev.kind {
			case rtSubscribed:
				answered = false
				if !o.NoCatchUp {
					catchUpAt, m.pending, retry = time.Now().Add(catchUpWait), true, 0
				}
			case rtEnd:
				if ev.err == nil {
					// A payment stream never stops silently while ctx is live.
					ev.err = &Error{Operation: op, Message: "the server completed the myUpdates subscription", sentinel: ErrServer}
				}
				yield(nil, ev.err)
				return
			case rtNext:
				if !isErrorResult(ev.payload) {
					answered = true
					if m.pending && retry == 0 {
						// The server answered: catch up first.
						if runCatchUp() {
							return
						}
					}
				}
				u, err := m.decode(ev.payload)
				if err != nil {
					if isAuthError(err) {
						yield(nil, err)
						return
					}
					if !yield(nil, err) {
						return
					}
				} else if u != nil && (!m.pending || !isReceipt(u)) && m.fresh(u, true) {
					if !yield(u, nil) {
						return
					}
				}
			}
		}
	}
}

// isReceipt: an update the ledger (or PendingIncomingTransactions) holds,
// which a catch-up delivers; prices are not.
func isReceipt(u Update) bool {
	switch u.(type) {
	case *LightningReceipt, *IntraLedgerReceipt, *OnChainUpdate:
		return true
	}
	return false
}

// rtClosed: the Client was closed (its realtime side).
func (c *Client) rtClosed() bool {
	h := &c.rt
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// sleepCtx waits d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// catchUpWait is how long after a (re)subscription the catch-up waits for
// the server's first answer (the prices it sends on subscribing).
const catchUpWait = time.Second

func catchUpBackoff(retry int) time.Duration {
	d := 250 * time.Millisecond
	for i := 0; i < retry && d < 30*time.Second; i++ {
		d *= 2
	}
	return min(d, 30*time.Second)
}

// nextWithin returns the next event; with wait > 0 it gives up after
// wait and reports timedOut.
func nextWithin(ctx context.Context, sub *rtSub, wait time.Duration) (rtEvent, bool, error) {
	if wait <= 0 {
		ev, err := sub.next(ctx)
		return ev, false, err
	}
	if ev, ok := sub.poll(); ok {
		return ev, false, nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return rtEvent{}, false, ctx.Err()
		case <-t.C:
			return rtEvent{}, true, nil
		case <-sub.ready():
			if ev, ok := sub.poll(); ok {
				return ev, false, nil
			}
		}
	}
}

// badKey makes an HTTP 401 for the key (ErrInvalidAPIKey) match
// ErrNotAuthenticated too, as the websocket's NOT_AUTHENTICATED does, so
// that a bad key ends MyUpdates with the same error whichever way the
// server said it.
func badKey(err error) error {
	var e *Error
	if errors.As(err, &e) && e.sentinel == ErrInvalidAPIKey && e.also == nil {
		c := *e
		c.also = ErrNotAuthenticated
		return &c
	}
	return err
}

// isErrorResult: a result with top-level errors (a bad key's
// NOT_AUTHENTICATED), which must end the stream before any catch-up.
func isErrorResult(payload json.RawMessage) bool {
	var r struct {
		Errors []json.RawMessage `json:"errors"`
	}
	return json.Unmarshal(payload, &r) == nil && len(r.Errors) > 0
}

// isAuthError: an error after which no request with this key can work.
func isAuthError(err error) bool {
	return errors.Is(err, ErrNotAuthenticated) || errors.Is(err, ErrInvalidAPIKey) || errors.Is(err, ErrInsufficientScope)
}

// myUpdates is the state of one MyUpdates stream.
type myUpdates struct {
	c      *Client
	op     string
	cursor string // the newest ledger entry delivered or walked past
	// trail is where a catch-up starts: a little before the cursor
	// (catchUpOverlap), for entries written to the ledger after a newer
	// one was read; seen skips what was delivered already.
	trail trail
	seen  *seenSet
	// since is MyUpdatesOptions.Since: the caller handled it, so the
	// walks never deliver it (they start before it, see lookback).
	since string
	// pending: a catch-up is due; live receipts are not delivered
	// meanwhile (the catch-up delivers them in ledger order).
	pending bool
	// wallets maps a currency to the account's wallet of it (a ledger
	// entry names its currency, not its wallet).
	wallets map[WalletCurrency]string
}

// start reads the account's wallets and where the first catch-up starts:
// with since empty, the newest entry of the ledger (what comes after it
// is new); else an entry about a minute older than since (lookback).
func (m *myUpdates) start(ctx context.Context, since string) error {
	ws, err := m.c.Wallets(ctx)
	if err != nil {
		return err
	}
	for _, w := range ws {
		m.wallets[w.Currency] = w.ID
	}
	if since != "" {
		base, err := m.lookback(ctx, since)
		if err != nil {
			return err
		}
		m.trail.base = base
		return nil
	}
	page, err := m.c.TransactionsPage(ctx, &TransactionListOptions{PageSize: 1})
	if err != nil {
		return err
	}
	if len(page.Transactions) > 0 {
		m.cursor = page.Transactions[0].ID
		m.trail.base = m.cursor
	}
	return nil
}

// lookback is where the walk from since starts, for what the caller may
// have missed just before it (live events arrive slightly out of ledger
// order, and the ledger writes some entries after newer ones): the newest
// entry older than since created at least catchUpOverlap before the
// entry just older than since ("" for the ledger's start when every older
// entry is that recent), at most maxTrail entries back. It is since
// itself when nothing is older (since is the oldest entry, or unknown).
func (m *myUpdates) lookback(ctx context.Context, since string) (string, error) {
	var ref time.Time
	n := 0
	for tx, err := range m.c.Transactions(ctx, &TransactionListOptions{After: since}) {
		if err != nil {
			return "", err
		}
		if n == 0 {
			ref = tx.CreatedAt
		}
		n++
		if !tx.CreatedAt.After(ref.Add(-catchUpOverlap)) && n > 1 || n > maxTrail {
			return tx.ID, nil
		}
	}
	if n == 0 {
		return since, nil
	}
	return "", nil
}

// fresh records a receipt's transaction id and status and says whether it
// is new; with move it moves the cursor to a ledger entry. Prices are
// always fresh.
func (m *myUpdates) fresh(u Update, move bool) bool {
	var tx *Transaction
	inLedger := true
	switch v := u.(type) {
	case *LightningReceipt:
		tx = &v.Transaction
	case *IntraLedgerReceipt:
		tx = &v.Transaction
	case *OnChainUpdate:
		tx = &v.Transaction
		inLedger = v.Kind != OnChainReceiptPending
	default:
		return true
	}
	if tx.ID == "" {
		return true
	}
	if !m.seen.add(tx.ID + "/" + string(tx.Status)) {
		return false
	}
	if inLedger && move {
		m.cursor = tx.ID
		m.trail.add(tx.ID, tx.CreatedAt)
	}
	return true
}

// catchUp walks the ledger from the cursor and delivers what was missed.
// ok is false after a failure to retry; stop is true when the stream is
// to end (the consumer stopped, ctx ended, or an auth failure was
// yielded).
func (m *myUpdates) catchUp(ctx context.Context, yield func(Update, error) bool) (ok, stop bool) {
	c := m.c
	// The walk from base lists again every entry the trail holds.
	cursor, trail := m.cursor, trail{base: m.trail.base}
	// sendHashes: the lightning and intraledger sends walked past, by
	// currency (wallet) and hash; a RECEIVE of one in the same wallet is
	// its refund. The same hash in the other wallet is a payment between
	// the account's own wallets: a receipt.
	sendHashes := map[string]bool{}
	var missed []Update
	for tx, err := range c.TransactionsSince(ctx, m.trail.base, nil) {
		if err != nil {
			return m.catchUpFailed(ctx, err, yield)
		}
		cursor = tx.ID
		trail.add(tx.ID, tx.CreatedAt)
		if tx.Direction == Send && tx.Initiation.Rail != OnChain {
			sendHashes[refundKey(tx)] = true
			continue
		}
		if tx.ID == m.since {
			continue // handled by the caller
		}
		if tx.Direction == Receive && tx.Initiation.Rail == Lightning && tx.Initiation.PaymentHash != "" {
			refund, err := m.isRefund(ctx, &tx, sendHashes)
			if err != nil {
				return m.catchUpFailed(ctx, err, yield)
			}
			if refund {
				continue
			}
		}
		if u := updateOfTransaction(tx, m.walletOf(tx)); u != nil {
			missed = append(missed, u)
		}
	}
	pending, err := c.PendingIncomingTransactions(ctx)
	if err != nil {
		return m.catchUpFailed(ctx, err, yield)
	}
	for _, tx := range pending {
		missed = append(missed, &OnChainUpdate{Kind: OnChainReceiptPending, WalletID: m.walletOf(tx), TxHash: tx.Settlement.TxHash,
			Amount: absAmount(tx.Amount), Transaction: tx, CaughtUp: true})
	}
	m.cursor, m.trail = cursor, trail
	for _, u := range missed {
		if m.fresh(u, false) && !yield(u, nil) {
			return true, true
		}
	}
	return true, false
}

// isRefund says whether a lightning RECEIVE is the refund of a failed
// send of the same hash (the server emits no event for those).
func (m *myUpdates) isRefund(ctx context.Context, tx *Transaction, sendHashes map[string]bool) (bool, error) {
	if sendHashes[refundKey(*tx)] {
		return true, nil
	}
	if m.seen.has(tx.ID + "/" + string(tx.Status)) {
		return false, nil // delivered live: a receipt
	}
	w := m.walletOf(*tx)
	if w == "" {
		return false, nil
	}
	txs, err := m.c.TransactionsByPaymentHash(ctx, w, tx.Initiation.PaymentHash)
	if err != nil {
		return false, err
	}
	for _, t := range txs {
		if t.Direction == Send {
			return true, nil
		}
	}
	return false, nil
}

// refundKey is a lightning entry's wallet (by currency) and payment hash.
func refundKey(tx Transaction) string {
	return string(tx.Amount.Currency) + "/" + tx.Initiation.PaymentHash
}

func (m *myUpdates) catchUpFailed(ctx context.Context, err error, yield func(Update, error) bool) (ok, stop bool) {
	if ctx.Err() != nil {
		return false, true
	}
	if isAuthError(err) {
		yield(nil, badKey(err))
		return false, true
	}
	m.c.log.Debug("blink: MyUpdates catch-up failed, retrying", "error", err)
	return false, false
}

// catchUpOverlap is how far before the newest entry delivered a catch-up
// starts reading the ledger again, by the entries' creation times.
const catchUpOverlap = time.Minute

// maxTrail bounds the marks a trail keeps; beyond it the overlap shrinks.
const maxTrail = 4096

// trail follows the ledger entries walked past and keeps base, the
// newest of them created at least catchUpOverlap before the newest.
type trail struct {
	base  string // where a catch-up starts ("" for the ledger's start)
	marks []trailMark
}

type trailMark struct {
	id string
	at time.Time
}

// add records an entry walked past, in ledger order.
func (t *trail) add(id string, at time.Time) {
	t.marks = append(t.marks, trailMark{id, at})
	cut := 0
	for cut < len(t.marks)-1 && (!t.marks[cut].at.After(at.Add(-catchUpOverlap)) || len(t.marks)-cut > maxTrail) {
		cut++
	}
	if cut > 0 {
		t.base = t.marks[cut-1].id
		t.marks = append(t.marks[:0], t.marks[cut:]...)
	}
}

// walletOf is a ledger entry's wallet, by its currency (an account has
// one wallet of each).
func (m *myUpdates) walletOf(tx Transaction) string { return m.wallets[tx.Amount.Currency] }

// updateOfTransaction is the event the server sends for a ledger entry,
// or nil for an entry it sends none for (lightning and intraledger sends).
func updateOfTransaction(tx Transaction, walletID string) Update {
	amount := absAmount(tx.Amount)
	switch {
	case tx.Initiation.Rail == OnChain || tx.Settlement.Rail == OnChain:
		kind := OnChainPayment
		if tx.Direction == Receive {
			kind = OnChainReceipt
		}
		return &OnChainUpdate{Kind: kind, WalletID: walletID, TxHash: tx.Settlement.TxHash, Amount: amount, Transaction: tx, CaughtUp: true}
	case tx.Direction != Receive:
		return nil
	case tx.Initiation.Rail == Lightning:
		return &LightningReceipt{WalletID: walletID, PaymentHash: tx.Initiation.PaymentHash, Amount: amount,
			Status: InvoicePaid, Transaction: tx, CaughtUp: true}
	default:
		return &IntraLedgerReceipt{WalletID: walletID, Amount: amount, Transaction: tx, CaughtUp: true}
	}
}

func absAmount(a Amount) Amount {
	if a.Value < 0 {
		a.Value = -a.Value
	}
	return a
}

// myUpdatesKinds are the update kinds the document selects.
var myUpdatesKinds = map[string]bool{"LnUpdate": true, "IntraLedgerUpdate": true, "OnChainUpdate": true, "Price": true, "RealtimePrice": true}

// decode maps one myUpdates result; nil for an update of a kind the
// document does not select.
func (m *myUpdates) decode(payload json.RawMessage) (Update, error) {
	op := m.op
	var peek struct {
		Data struct {
			MyUpdates struct {
				Update *struct {
					Typename string `json:"__typename"`
				} `json:"update"`
			} `json:"myUpdates"`
		} `json:"data"`
	}
	if json.Unmarshal(payload, &peek) == nil && peek.Data.MyUpdates.Update != nil && !myUpdatesKinds[peek.Data.MyUpdates.Update.Typename] {
		// Check for errors first, then skip the unknown kind.
		var r struct {
			Errors []wireError `json:"errors"`
		}
		if json.Unmarshal(payload, &r) == nil && len(r.Errors) > 0 {
			return nil, m.c.scrub(topLevelError(op, r.Errors, true))
		}
		return nil, nil
	}
	var r gen.MyUpdatesResponse
	if err := decodeNext(op, payload, &r, true); err != nil {
		return nil, m.c.scrub(err)
	}
	x := r.MyUpdates
	if err := payloadError(m.c, op, x.Errors); err != nil {
		return nil, err
	}
	if x.Update == nil {
		return nil, nil
	}
	switch v := (*x.Update).(type) {
	case *gen.MyUpdatesMyUpdatesMyUpdatesPayloadUpdateLnUpdate:
		tx := toTransaction(&v.Transaction.TransactionFields)
		return &LightningReceipt{WalletID: v.WalletId, PaymentHash: v.PaymentHash, Amount: absAmount(tx.Amount),
			Status: InvoiceStatus(v.Status), Transaction: tx}, nil
	case *gen.MyUpdatesMyUpdatesMyUpdatesPayloadUpdateIntraLedgerUpdate:
		tx := toTransaction(&v.Transaction.TransactionFields)
		return &IntraLedgerReceipt{WalletID: v.WalletId, Amount: absAmount(tx.Amount), Transaction: tx}, nil
	case *gen.MyUpdatesMyUpdatesMyUpdatesPayloadUpdateOnChainUpdate:
		tx := toTransaction(&v.Transaction.TransactionFields)
		return &OnChainUpdate{Kind: OnChainKind(v.TxNotificationType), WalletID: v.WalletId, TxHash: v.TxHash,
			Amount: absAmount(tx.Amount), Transaction: tx}, nil
	case *gen.MyUpdatesMyUpdatesMyUpdatesPayloadUpdatePrice:
		return &PriceUpdate{Price: Price{Base: v.Base, Offset: v.Offset}, CurrencyUnit: v.CurrencyUnit, FormattedAmount: v.FormattedAmount}, nil
	case *gen.MyUpdatesMyUpdatesMyUpdatesPayloadUpdateRealtimePrice:
		return &RealtimePriceUpdate{RealtimePrice: *toRealtimePriceFields(&v.PriceFields)}, nil
	}
	return nil, nil
}

// seenSet remembers the last n keys.
type seenSet struct {
	n    int
	keys map[string]struct{}
	fifo []string
}

func newSeenSet(n int) *seenSet { return &seenSet{n: n, keys: map[string]struct{}{}} }

func (s *seenSet) has(k string) bool { _, ok := s.keys[k]; return ok }

// add records k; false when it was there.
func (s *seenSet) add(k string) bool {
	if s.has(k) {
		return false
	}
	s.keys[k] = struct{}{}
	s.fifo = append(s.fifo, k)
	if len(s.fifo) > s.n {
		delete(s.keys, s.fifo[0])
		s.fifo = s.fifo[1:]
	}
	return true
}
