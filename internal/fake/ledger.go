package fake

import (
	"fmt"
	"time"
)

// Transaction is one ledger entry of one wallet.
type Transaction struct {
	ID       string
	WalletID string
	// Direction is "SEND" or "RECEIVE".
	Direction string
	// Status is "PENDING", "SUCCESS" or "FAILURE".
	Status string
	// Amount is the signed settlement amount in the wallet's unit (sats or
	// cents); sends are negative and include the fee.
	Amount int64
	// Fee is the fee in the wallet's unit.
	Fee int64
	// Currency is the wallet's currency, "BTC" or "USD".
	Currency string
	// Via is how the payment was initiated: "lightning", "intraledger" or
	// "onchain".
	Via string
	// SettledVia is how it settled: "lightning", "intraledger" or
	// "onchain". Invoices paid between two Blink accounts settle
	// intraledger.
	SettledVia           string
	PaymentHash          string
	PaymentRequest       string
	Preimage             string
	CounterpartyWalletID string
	CounterpartyUsername string
	Address              string
	TxHash               string
	Vout                 int
	Memo                 string
	ExternalID           string
	CreatedAt            time.Time
	// PriceUSDCentsPerBTC is the price at settlement.
	PriceUSDCentsPerBTC int64
	// DisplayCurrency is the account's display currency at settlement.
	DisplayCurrency string

	seq    int64 // insertion order, for stable newest-first sorting
	refund bool  // a revert of a failed payment: no myUpdates event
}

// record adds a transaction to its wallet's ledger. Callers hold s.mu.
func (s *Server) record(t *Transaction) *Transaction {
	t.ID = newTxID()
	t.CreatedAt = s.now()
	t.PriceUSDCentsPerBTC = s.price
	w := s.wallets[t.WalletID]
	t.Currency = w.currency
	if a := s.accounts[w.accountID]; a != nil {
		t.DisplayCurrency = a.displayCurrency
	}
	t.seq = int64(len(s.txs)) + 1
	s.txs[t.ID] = t
	w.txs = append(w.txs, t)
	if t.PaymentHash != "" {
		s.txsByHash[t.PaymentHash] = append(s.txsByHash[t.PaymentHash], t)
	}
	s.changed()
	if t.Status != "FAILURE" {
		// A send refused at once (ALREADY_PAID) is reverted without a
		// callback; every other entry has one (webhooks.go).
		s.emitTx(t)
	}
	return t
}

// hashTxs returns the transactions of a wallet for a payment hash that
// keep reports true for, newest first, from the payment hash index: the
// cost does not depend on the size of the ledger. Callers hold s.mu.
func (s *Server) hashTxs(walletID, hash string, keep func(*Transaction) bool) []*Transaction {
	var out []*Transaction
	ts := s.txsByHash[hash]
	for i := len(ts) - 1; i >= 0; i-- {
		if t := ts[i]; t.WalletID == walletID && (keep == nil || keep(t)) {
			out = append(out, t)
		}
	}
	return out
}

// firstHashTx is the newest transaction of hashTxs, or nil.
func (s *Server) firstHashTx(walletID, hash string, keep func(*Transaction) bool) *Transaction {
	ts := s.txsByHash[hash]
	for i := len(ts) - 1; i >= 0; i-- {
		if t := ts[i]; t.WalletID == walletID && keep(t) {
			return t
		}
	}
	return nil
}

// Balance returns a wallet's balance in sats (BTC wallet) or cents (USD
// wallet). It panics if the wallet does not exist.
func (s *Server) Balance(walletID string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.wallets[walletID]
	if !ok {
		panic(fmt.Sprintf("blinktest: no wallet %q", walletID))
	}
	return w.balance
}

// Ledger returns copies of a wallet's transactions, newest first.
func (s *Server) Ledger(walletID string) []Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Transaction
	for _, t := range s.walletTxs([]string{walletID}) {
		out = append(out, *t)
	}
	return out
}

// walletTxs returns the transactions of the wallets, newest first: a merge
// of the wallets' ledgers, each already in order. Callers hold s.mu.
func (s *Server) walletTxs(walletIDs []string) []*Transaction {
	return s.walletTxsSince(walletIDs, 0)
}

// walletTxsSince returns the transactions of the wallets with a seq above
// seen, newest first; its cost is in the number it returns. Callers hold
// s.mu.
func (s *Server) walletTxsSince(walletIDs []string, seen int64) []*Transaction {
	var lists [][]*Transaction // each oldest first, only seq > seen
	n := 0
	for _, id := range walletIDs {
		if w, ok := s.wallets[id]; ok {
			ts := w.txs
			i := len(ts)
			for i > 0 && ts[i-1].seq > seen {
				i--
			}
			if ts = ts[i:]; len(ts) > 0 {
				lists = append(lists, ts)
				n += len(ts)
			}
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]*Transaction, 0, n)
	for len(out) < n {
		best := -1
		for i, l := range lists {
			if len(l) > 0 && (best < 0 || l[len(l)-1].seq > lists[best][len(lists[best])-1].seq) {
				best = i
			}
		}
		l := lists[best]
		out = append(out, l[len(l)-1])
		lists[best] = l[:len(l)-1]
	}
	return out
}

// Page is one page of a Relay connection.
type Page[T any] struct {
	Items       []T
	HasNext     bool
	HasPrevious bool
}

// MaxPageSize is the largest and the default page size of transaction
// connections.
const MaxPageSize = 100

// paginate applies Relay arguments to items sorted newest first, with the
// real server's validation messages. cursor gives an item's cursor (the
// transaction id, the invoice's payment hash).
func paginate[T any](items []T, cursor func(T) string, first, last *int, after, before *string) (Page[T], error) {
	if first != nil && last != nil && *first != 0 && *last != 0 {
		return Page[T]{}, inputError(`Cannot use both "first" and "last".`)
	}
	n, fromEnd := MaxPageSize, false
	switch {
	case first != nil:
		if *first > MaxPageSize {
			return Page[T]{}, inputError(fmt.Sprintf("Requested page size (%d) is greater than max allowed page size %d.", *first, MaxPageSize))
		}
		if *first <= 0 {
			return Page[T]{}, inputError(fmt.Sprintf("Requested page size (%d) must be greater than 0.", *first))
		}
		n = *first
	case last != nil:
		if *last > MaxPageSize {
			return Page[T]{}, inputError(fmt.Sprintf("Requested page size (%d) is greater than max allowed page size %d.", *last, MaxPageSize))
		}
		if *last <= 0 {
			return Page[T]{}, inputError(fmt.Sprintf("Requested page size (%d) must be greater than 0.", *last))
		}
		n, fromEnd = *last, true
	}
	lo, hi := 0, len(items)
	if after != nil {
		lo = len(items)
		for i, t := range items {
			if cursor(t) == *after {
				lo = i + 1
				break
			}
		}
	}
	if before != nil {
		for i, t := range items {
			if cursor(t) == *before {
				hi = i
				break
			}
		}
	}
	if lo > hi {
		lo = hi
	}
	window := items[lo:hi]
	p := Page[T]{}
	if fromEnd {
		if len(window) > n {
			p.HasPrevious = true
			window = window[len(window)-n:]
		}
		p.HasNext = hi < len(items)
	} else {
		if len(window) > n {
			p.HasNext = true
			window = window[:n]
		}
		p.HasPrevious = lo > 0
	}
	p.Items = window
	return p, nil
}

// snap copies a transaction so that it can be read without s.mu.
func snap(t *Transaction) *Transaction {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}
