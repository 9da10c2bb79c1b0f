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
	// PaymentHash identifies a lightning payment. When set, it alone
	// decides: the other fields are not used.
	PaymentHash string
	// Amount is the amount asked, in the wallet's unit; 0 matches any
	// amount (a send-all).
	Amount int64
	// Recipient is the counterparty: a wallet id, username or on-chain
	// address; empty matches any.
	Recipient string
	// Memo, when set, must equal the transaction's memo. A memo unique to
	// each send makes the match exact.
	Memo string
	// Since and Until bound the transaction's creation time. Until zero
	// means now. Since zero means the last 24 hours.
	Since, Until time.Time
}

// Lookup returns the PaymentLookup for this unknown outcome: the payment
// hash when there is one, otherwise the wallet, amount and recipient, in a
// window that starts a minute before the call (to allow for clock skew).
//
// A lightning address or LNURL recipient is left out: a payment to one
// settles over Lightning (or to a Blink user) without a counterparty the
// ledger can show, so only amount and time can match it.
func (e *OutcomeUnknownError) Lookup() PaymentLookup {
	l := PaymentLookup{WalletID: e.WalletID, PaymentHash: e.PaymentHash, Amount: e.Amount}
	if r := strings.ToLower(e.Recipient); isUUID(r) || !(strings.Contains(r, "@") || strings.HasPrefix(r, "lnurl") || strings.Contains(r, "://")) {
		l.Recipient = e.Recipient // a wallet id or an on-chain address
	}
	if !e.StartedAt.IsZero() {
		l.Since = e.StartedAt.Add(-time.Minute)
	}
	return l
}

// Resolved is what ResolvePayment found.
type Resolved string

// ResolvePayment outcomes.
const (
	// ResolvedSucceeded: a SEND entry for the payment settled.
	ResolvedSucceeded Resolved = "SUCCEEDED"
	// ResolvedPending: the SEND entry is still pending; look again later.
	ResolvedPending Resolved = "PENDING"
	// ResolvedFailed: the SEND entry failed, or was refunded (a RECEIVE for
	// the same payment hash followed it).
	ResolvedFailed Resolved = "FAILED"
	// ResolvedNotFound: the wallet's ledger holds no matching send.
	ResolvedNotFound Resolved = "NOT_FOUND"
	// ResolvedAmbiguous: several sends match a look-up without payment hash;
	// see Resolution.Candidates.
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
// ErrOutcomeUnknown). Scope READ.
//
// With a payment hash it reads transactionsByPaymentHash: a SEND entry
// proves the payment was executed, and its status says how it stands (a
// later RECEIVE for the same hash is a refund: ResolvedFailed). Without a
// hash (intraledger, on-chain, lightning address and LNURL sends) it walks
// the wallet's transactions newest first back to Since and matches SEND
// entries on amount (as asked, or plus the fee), recipient (counterparty
// wallet id or username, or on-chain address) and memo.
//
// What it proves: a found SEND entry proves execution. ResolvedNotFound is
// strong evidence, not proof, that the payment was not executed: the server
// may still be processing a request whose answer was lost, and write the
// entry a moment later. Look up after the call has returned, and again a
// little later. The safe way to try again is to send with the same
// IdempotencyKey (PayOptions.IdempotencyKey or WithIdempotencyKey) within
// the hour the server keeps it: the server then executes at most once
// whatever the look-up missed; a new key risks a second payment. For a
// lightning invoice it says nothing about payments by other wallets
// (InvoiceStatus tells whether the invoice is paid at all). Without a
// payment hash, a match is evidence, not proof: an unrelated send with the
// same amount and recipient in the window looks the same (several are
// reported as ResolvedAmbiguous); a memo unique to each send removes that
// doubt.
func (c *Client) ResolvePayment(ctx context.Context, l PaymentLookup) (*Resolution, error) {
	const op = "ResolvePayment"
	if err := checkWalletID(op, "WalletID", l.WalletID); err != nil {
		return nil, err
	}
	if l.PaymentHash != "" {
		return c.resolveByHash(ctx, l)
	}
	since, until := l.Since, l.Until
	if until.IsZero() {
		until = time.Now().Add(time.Minute)
	}
	if since.IsZero() {
		since = until.Add(-24 * time.Hour)
	}
	recipient := strings.ToLower(strings.TrimSpace(l.Recipient))
	var matches []Transaction
	for tx, err := range c.Transactions(ctx, &TransactionListOptions{WalletIDs: []string{l.WalletID}}) {
		if err != nil {
			return nil, err
		}
		if tx.CreatedAt.Before(since) {
			break // newest first: the rest is older
		}
		if tx.Direction != Send || tx.CreatedAt.After(until) {
			continue
		}
		if l.Amount != 0 {
			amt, fee := abs(tx.Amount.Value), abs(tx.Fee.Value)
			if amt != l.Amount && amt-fee != l.Amount {
				continue
			}
		}
		if recipient != "" && !matchesRecipient(tx, recipient) {
			continue
		}
		if l.Memo != "" && tx.Memo != l.Memo {
			continue
		}
		matches = append(matches, tx)
	}
	switch len(matches) {
	case 0:
		return &Resolution{Outcome: ResolvedNotFound}, nil
	case 1:
		return &Resolution{Outcome: outcomeOf(matches[0].Status), Transaction: &matches[0]}, nil
	}
	return &Resolution{Outcome: ResolvedAmbiguous, Candidates: matches}, nil
}

func (c *Client) resolveByHash(ctx context.Context, l PaymentLookup) (*Resolution, error) {
	txs, err := c.TransactionsByPaymentHash(ctx, l.WalletID, l.PaymentHash)
	if err != nil {
		return nil, err
	}
	r := &Resolution{Outcome: ResolvedNotFound}
	var send *Transaction
	for i := range txs {
		tx := &txs[i]
		switch tx.Direction {
		case Send:
			// Prefer the entry that tells most: settled, then pending.
			if send == nil || rank(tx.Status) > rank(send.Status) {
				send = tx
			}
		case Receive:
			r.Refund = tx
		}
	}
	if send == nil {
		r.Refund = nil // a RECEIVE alone is an incoming payment, not a refund
		return r, nil
	}
	r.Transaction = send
	r.Outcome = outcomeOf(send.Status)
	if r.Refund != nil && r.Refund.CreatedAt.Before(send.CreatedAt) {
		r.Refund = nil
	}
	if r.Refund != nil {
		r.Outcome = ResolvedFailed
	}
	return r, nil
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

func matchesRecipient(tx Transaction, r string) bool {
	if user, _, ok := strings.Cut(r, "@"); ok && user != "" {
		// A lightning address to a Blink user settles with their username.
		if strings.EqualFold(tx.Initiation.CounterpartyUsername, user) || strings.EqualFold(tx.Settlement.CounterpartyUsername, user) {
			return true
		}
	}
	for _, v := range []string{tx.Initiation.CounterpartyWalletID, tx.Initiation.CounterpartyUsername, tx.Initiation.Address,
		tx.Settlement.CounterpartyWalletID, tx.Settlement.CounterpartyUsername} {
		if v != "" && strings.ToLower(v) == r {
			return true
		}
	}
	return false
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
