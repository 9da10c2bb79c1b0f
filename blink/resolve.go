package blink

import (
	"context"
	"strings"
	"time"
)

// PaymentLookup identifies a send whose outcome is unknown, for
// ResolvePayment. OutcomeUnknownError.Lookup fills it in.
type PaymentLookup struct {
	// WalletID is the sending wallet. Required.
	WalletID string
	// PaymentHash identifies a lightning payment. When set, it decides
	// which entries are the payment; Since still tells a payment made
	// before the send began (ResolvedAlreadyPaid).
	PaymentHash string
	// Amount is the amount asked, in the wallet's unit; 0 matches any
	// amount (a send-all). Negative is refused.
	Amount int64
	// Recipient is the counterparty: a wallet id, username, on-chain
	// address, lightning address or LNURL; empty matches any. A lightning
	// address matches a payment to that Blink user, or one whose
	// counterparty the ledger does not show; an LNURL matches any payment
	// (the ledger cannot show where one pointed).
	Recipient string
	// Rail, when set, is how the send was initiated: entries initiated
	// otherwise do not match (a lightning address or LNURL send is a
	// lightning payment, never an intraledger or on-chain one).
	Rail Rail
	// Memo, when set, must equal the transaction's memo.
	Memo string
	// UniqueMemo vouches that no other send from the wallet carries Memo,
	// so a match on it is the send whatever its time.
	UniqueMemo bool
	// Since and Until bound the transaction's creation time, by the
	// server's clock: Since is the earliest the send can have been
	// executed. Until zero means no upper bound. Since zero means the 24
	// hours before Until (or before now, by the server's clock).
	// Until before Since is refused.
	Since, Until time.Time
	// SureAfter, when set, is a time (server clock) by which the send had
	// certainly begun. A match created at or before it (the ledger counts
	// whole seconds) may be an identical send made earlier, so without a
	// payment hash or UniqueMemo such a match answers ResolvedAmbiguous,
	// never a guess.
	SureAfter time.Time
}

// Lookup returns the PaymentLookup for this unknown outcome: the payment
// hash when there is one, otherwise the wallet, amount, recipient, memo
// and rail; in every case bounded by when the call began by the server's
// clock (StartedAfter, StartedBefore), so that an earlier payment is never
// taken for this one. The amount of SendOnChainUSDInSats (sats asked of a
// wallet that counts cents) is left out.
func (e *OutcomeUnknownError) Lookup() PaymentLookup {
	l := PaymentLookup{WalletID: e.WalletID, PaymentHash: e.PaymentHash, Amount: e.Amount, Recipient: e.Recipient, Memo: e.Memo,
		UniqueMemo: e.UniqueMemo && e.Memo != "", Since: e.StartedAfter, SureAfter: e.StartedBefore, Rail: railOf(e.Operation)}
	if l.Rail == IntraLedger || l.Rail == OnChain {
		l.PaymentHash = "" // those sends have none: a hash on the error (stored wrongly) would find nothing and prove nothing
	}
	if e.Operation == "OnChainUsdPaymentSendAsBtcDenominated" {
		l.Amount = 0
	}
	if l.Since.IsZero() && !e.StartedAt.IsZero() {
		l.Since, l.SureAfter = e.StartedAt.Add(-unknownSkew), e.StartedAt.Add(unknownSkew)
	}
	if !e.FreshKey && l.PaymentHash == "" && !l.Since.IsZero() {
		// A request with a key the caller gave may have taken it before
		// this call began (the call was then refused with a conflict): its
		// payment is as old as the key's lock allows. A match before
		// SureAfter stays ambiguous without UniqueMemo. (By payment hash,
		// an earlier payment is ResolvedAlreadyPaid: never paid again.)
		l.Since = l.Since.Add(-reusedKeyReach)
	}
	return l
}

// reusedKeyReach is how long before a call began a request carrying the
// same caller-given key can have reached the server and still hold the
// key (its one-hour lock), with a margin for the clocks.
const reusedKeyReach = time.Hour + 5*time.Minute

// railOf is how the SDK's send op is initiated, or "" for another op.
func railOf(op string) Rail {
	switch {
	case strings.HasPrefix(op, "IntraLedger"):
		return IntraLedger
	case strings.HasPrefix(op, "OnChain"):
		return OnChain
	case strings.HasPrefix(op, "Ln"):
		return Lightning
	}
	return ""
}

// Resolved is what ResolvePayment found.
type Resolved string

// ResolvePayment outcomes.
const (
	// ResolvedSucceeded: a SEND entry for the payment settled.
	ResolvedSucceeded Resolved = "SUCCEEDED"
	// ResolvedPending: the SEND entry is still pending; wait for it with
	// WaitForPayment, or look again later.
	ResolvedPending Resolved = "PENDING"
	// ResolvedFailed: the SEND entry failed, or was refunded (a RECEIVE for
	// the same payment hash followed it).
	ResolvedFailed Resolved = "FAILED"
	// ResolvedAlreadyPaid: the wallet paid the invoice (by payment hash)
	// before Since, so not with this send: nothing was sent now.
	ResolvedAlreadyPaid Resolved = "ALREADY_PAID"
	// ResolvedNotFound: the wallet's ledger holds no matching send.
	ResolvedNotFound Resolved = "NOT_FOUND"
	// ResolvedAmbiguous: more than one entry could be the send (several
	// match, or one matches that may predate it); see
	// Resolution.Candidates. The SDK does not guess. By payment hash it
	// means the wallet's one payment of the invoice (Transaction) was made
	// within the second the send began, by this send or an earlier one:
	// either way the invoice is paid or being paid from this wallet, so
	// never pay it again.
	ResolvedAmbiguous Resolved = "AMBIGUOUS"
)

// Resolution is the ledger's answer about a send.
type Resolution struct {
	// Outcome is what the ledger shows.
	Outcome Resolved
	// Transaction is the SEND entry found, if exactly one matched.
	Transaction *Transaction
	// Refund is the RECEIVE entry that reverted a lightning payment, if any.
	Refund *Transaction
	// Candidates are the matching sends when Outcome is ResolvedAmbiguous.
	Candidates []Transaction
}

// ResolvePayment looks a send up in the sending wallet's ledger, to decide
// an outcome the send call could not know (an error matching
// ErrOutcomeUnknown). Scope READ. Client.FinishPayment builds on it to
// complete the send.
//
// With a payment hash it reads transactionsByPaymentHash: a SEND entry
// created since Since proves the payment was executed, and its status says
// how it stands (a later RECEIVE for the same hash is a refund:
// ResolvedFailed); one created before Since is an earlier payment of the
// same invoice (ResolvedAlreadyPaid). Without a hash (intraledger,
// on-chain, lightning address and LNURL sends) it walks the wallet's
// transactions newest first back to Since and matches SEND entries on
// amount (as asked, or plus the fee), recipient (counterparty wallet id or
// username, or on-chain address) and memo. Exactly one match created after
// SureAfter, or exactly one match at all with UniqueMemo, is the send;
// none is ResolvedNotFound; anything else is ResolvedAmbiguous.
//
// What it proves: a found SEND entry proves execution. ResolvedNotFound
// proves that the send was not executed only once no request of it can
// still be executing: FinishPayment knows when that is. A look-up made
// right after the call may miss an execution that lands a moment later.
func (c *Client) ResolvePayment(ctx context.Context, l PaymentLookup) (*Resolution, error) {
	const op = "ResolvePayment"
	if err := checkWalletID(op, "WalletID", l.WalletID); err != nil {
		return nil, err
	}
	if l.Amount < 0 {
		return nil, invalidInput(op, "negative amount %d", l.Amount)
	}
	if !l.Until.IsZero() && !l.Since.IsZero() && l.Until.Before(l.Since) {
		return nil, invalidInput(op, "Until is before Since")
	}
	if l.PaymentHash != "" {
		h, err := checkPaymentHash(op, l.PaymentHash)
		if err != nil {
			return nil, err
		}
		l.PaymentHash = h
		return c.resolveByHash(ctx, l)
	}
	since, until := l.Since, l.Until
	if since.IsZero() {
		end := until
		if end.IsZero() {
			_, end = c.clock.serverWindow(time.Now())
		}
		since = end.Add(-24 * time.Hour)
	}
	// The ledger counts whole seconds: an entry made after Since may show
	// the second Since falls in.
	since = since.Truncate(time.Second)
	recipient := strings.ToLower(strings.TrimSpace(l.Recipient))
	var matches []Transaction
	early, untied := 0, 0 // matches that may predate the send, or not be to its recipient
	for tx, err := range c.Transactions(ctx, &TransactionListOptions{WalletIDs: []string{l.WalletID}}) {
		if err != nil {
			return nil, err
		}
		if tx.CreatedAt.Before(since) {
			break // newest first: the rest is older
		}
		// Without Until nothing is too new: the ledger's clock need not be
		// the one that writes Date headers, and whatever came after Since
		// can only be this send or a later one.
		if tx.Direction != Send || !until.IsZero() && tx.CreatedAt.After(until) || l.Rail != "" && tx.Initiation.Rail != l.Rail {
			continue
		}
		if l.Amount != 0 {
			amt, fee := abs(tx.Amount.Value), abs(tx.Fee.Value)
			if amt != l.Amount && amt-fee != l.Amount {
				continue
			}
		}
		tied := true
		if recipient != "" {
			var ok bool
			if ok, tied = matchesRecipient(tx, recipient); !ok {
				continue
			}
		}
		if l.Memo != "" && tx.Memo != l.Memo {
			continue
		}
		if !tied {
			untied++ // it could be a payment to someone else
		} else if !l.SureAfter.IsZero() && !tx.CreatedAt.After(l.SureAfter) {
			early++ // it could be an identical earlier send
		}
		matches = append(matches, tx)
	}
	unique := l.UniqueMemo && l.Memo != ""
	switch {
	case len(matches) == 0:
		return &Resolution{Outcome: ResolvedNotFound}, nil
	case len(matches) == 1 && untied == 0 && (early == 0 || unique):
		return &Resolution{Outcome: outcomeOf(matches[0].Status), Transaction: &matches[0]}, nil
	}
	return &Resolution{Outcome: ResolvedAmbiguous, Candidates: matches}, nil
}

func (c *Client) resolveByHash(ctx context.Context, l PaymentLookup) (*Resolution, error) {
	txs, err := c.TransactionsByPaymentHash(ctx, l.WalletID, l.PaymentHash)
	if err != nil {
		return nil, err
	}
	refunds := pairRefunds(txs)
	r := &Resolution{Outcome: ResolvedNotFound}
	since := l.Since.Truncate(time.Second)
	var send, earlier *Transaction
	for i := range txs {
		tx := &txs[i]
		if tx.Direction != Send {
			continue
		}
		better := func(cur *Transaction) bool { return cur == nil || rankOf(tx, refunds) > rankOf(cur, refunds) }
		if !l.Since.IsZero() && tx.CreatedAt.Before(since) {
			if better(earlier) { // made before this send began: an earlier payment
				earlier = tx
			}
		} else if better(send) { // prefer the entry that tells most: settled, then pending
			send = tx
		}
	}
	if send == nil {
		if earlier != nil {
			switch rankOf(earlier, refunds) {
			case 3:
				r.Transaction, r.Outcome = earlier, ResolvedAlreadyPaid
			case 2:
				r.Transaction, r.Outcome = earlier, ResolvedPending // that payment is still in flight
			}
		}
		return r, nil
	}
	r.Transaction = send
	r.Outcome = outcomeOf(send.Status)
	if rf, ok := refunds[send]; ok {
		r.Refund, r.Outcome = rf, ResolvedFailed
	}
	if r.Outcome != ResolvedFailed && !l.SureAfter.IsZero() && !send.CreatedAt.After(l.SureAfter) {
		// Made within the second the send began: this send, or an earlier
		// payment of the same invoice from this wallet. Either way the
		// invoice is paid (or being paid) from this wallet.
		r.Outcome, r.Candidates = ResolvedAmbiguous, []Transaction{*send}
	}
	return r, nil
}

// pairRefunds matches each RECEIVE of a payment hash that gives back a
// SEND's whole debit (amount and fee) to that SEND: the refund of a
// payment that failed. A smaller RECEIVE is a fee reimbursement of a
// payment that stands, and refunds nothing. RECEIVEs are taken oldest
// first, each to the oldest unpaired SEND made before it with that debit.
func pairRefunds(txs []Transaction) map[*Transaction]*Transaction {
	var m map[*Transaction]*Transaction
	byAge := func(i int) *Transaction { return &txs[len(txs)-1-i] } // txs are newest first
	for i := range txs {
		rf := byAge(i)
		if rf.Direction != Receive {
			continue
		}
		for j := range txs {
			s := byAge(j)
			if s.Direction != Send || s.CreatedAt.After(rf.CreatedAt) || m[s] != nil || abs(s.Amount.Value) != abs(rf.Amount.Value) {
				continue
			}
			if m == nil {
				m = make(map[*Transaction]*Transaction)
			}
			m[s] = rf
			break
		}
	}
	return m
}

// rankOf orders SEND entries by how much they tell: settled (3), pending
// (2), failed or refunded (1).
func rankOf(tx *Transaction, refunds map[*Transaction]*Transaction) int {
	if refunds[tx] != nil {
		return 1
	}
	return rank(tx.Status)
}

func rank(s TxStatus) int {
	switch s {
	case TxSuccess:
		return 3
	case TxPending:
		return 2
	}
	return 1
}

func outcomeOf(s TxStatus) Resolved {
	switch s {
	case TxSuccess:
		return ResolvedSucceeded
	case TxPending:
		return ResolvedPending
	}
	return ResolvedFailed
}

// matchesRecipient reports whether tx can be a send to recipient r (in
// lower case), and whether the ledger ties it to r. A wallet id, username
// or on-chain address either matches, tied, or does not. A lightning
// address is tied to a payment to that Blink user (without a modifier such
// as +usd), and matches untied a payment whose counterparty the ledger
// does not show (a node outside Blink). An LNURL matches every payment,
// untied (the ledger cannot show where it pointed). An untied match is
// never taken for the send.
func matchesRecipient(tx Transaction, r string) (match, tied bool) {
	if user, _, ok := strings.Cut(r, "@"); ok {
		user, _, _ = strings.Cut(user, "+")
		seen := false
		for _, n := range []string{tx.Initiation.CounterpartyUsername, tx.Settlement.CounterpartyUsername} {
			if n != "" {
				seen = true
				if strings.EqualFold(n, user) {
					return true, true
				}
			}
		}
		return !seen && tx.Initiation.CounterpartyWalletID == "" && tx.Settlement.CounterpartyWalletID == "", false
	}
	if strings.HasPrefix(r, "lnurl") || strings.Contains(r, "://") {
		return true, false
	}
	for _, v := range []string{tx.Initiation.CounterpartyWalletID, tx.Initiation.CounterpartyUsername, tx.Initiation.Address,
		tx.Settlement.CounterpartyWalletID, tx.Settlement.CounterpartyUsername} {
		if v != "" && strings.ToLower(v) == r {
			return true, true
		}
	}
	return false, false
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
