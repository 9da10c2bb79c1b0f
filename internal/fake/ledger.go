package fake

import (
	"fmt"
	"sort"
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
	w.txIDs = append(w.txIDs, t.ID)
	s.changed()
	return t
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

// walletTxs returns the transactions of the wallets, newest first.
// Callers hold s.mu.
func (s *Server) walletTxs(walletIDs []string) []*Transaction {
	var out []*Transaction
	for _, id := range walletIDs {
		if w, ok := s.wallets[id]; ok {
			for _, tid := range w.txIDs {
				out = append(out, s.txs[tid])
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
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
