package blink

import (
	"strings"
	"sync"
)

// hintBoard routes HintInvoice calls to the client's WaitForInvoice calls
// waiting on the same payment hash. The zero value is ready to use.
type hintBoard struct {
	mu    sync.Mutex
	waits map[string]map[chan struct{}]struct{} // payment hash -> waits

	// checked, set by tests only, runs after each HTTP check of a wait,
	// with whether the wait's subscription was live.
	checked func(wsUp bool)
}

// watch registers a wait on hash and returns its channel (one slot: hints
// that arrive while a check is planned collapse into one) and the
// function that removes it.
func (b *hintBoard) watch(hash string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	if b.waits == nil {
		b.waits = map[string]map[chan struct{}]struct{}{}
	}
	set := b.waits[hash]
	if set == nil {
		set = map[chan struct{}]struct{}{}
		b.waits[hash] = set
	}
	set[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(set, ch)
		if len(set) == 0 {
			delete(b.waits, hash)
		}
		b.mu.Unlock()
	}
}

// HintInvoice tells every WaitForInvoice of this client that waits on
// the invoice with this payment hash to check it over HTTP now (or a
// second after its previous check; see WaitInvoiceOptions.Hint). Call it from a webhook handler on a
// verified receive.lightning or invoice.paid delivery: the delivery is a
// hint and never proof, so the wait still returns only what the server's
// invoice status says. It sends nothing itself, never blocks, and
// reports how many waits it woke (0 when none waits on the hash, or the
// hash is not 64 hex digits).
func (c *Client) HintInvoice(paymentHash string) int {
	hash := strings.ToLower(paymentHash)
	if !isHex64(hash) {
		return 0
	}
	b := &c.hints
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for ch := range b.waits[hash] {
		select {
		case ch <- struct{}{}:
		default: // a hint is already pending
		}
		n++
	}
	return n
}
