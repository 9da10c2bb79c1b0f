package blink

import (
	"container/heap"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// WatcherOptions tunes an InvoiceWatcher. The zero value is ready to use.
type WatcherOptions struct {
	// Concurrency is how many checks may be in flight at once, over all
	// invoices; default 8. One invoice never has more than one.
	Concurrency int
}

// WatchResult is how watching one invoice ended.
type WatchResult struct {
	// Invoice is the invoice watched.
	Invoice *AddressInvoice
	// Status is the last check's answer: ReceivePaid, with the preimage,
	// when Err is nil.
	Status ReceiveStatus
	// Err is nil when paid; it matches ErrInvoiceExpired,
	// ErrInvoiceNotFound or ErrPreimageMismatch as Wait's would,
	// ErrInvalidInput for an invoice that cannot be checked (no receiver,
	// no payment hash, no verify URL on the LNURL path), or
	// ErrClientClosed once the watcher is closed.
	Err error
}

// InvoiceWatcher waits for many invoices of AddressReceivers at once:
// one goroutine schedules every check (with Wait's intervals, jitter and
// backoff), at most Concurrency checks run at a time, and one invoice
// never has two in flight. Invoices are keyed by payment hash: watching
// one that is already watched attaches another channel to the same
// schedule (one request at a time, one "Not found" count). Custodial
// invoices are polled too (no websocket). It is safe for concurrent use;
// Close it when done.
type InvoiceWatcher struct {
	clock   rxClock
	conc    int
	add     chan *watchEntry
	results chan watchDone
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	closing sync.Once
	count   atomic.Int64

	mu      sync.Mutex
	entries map[string]*watchEntry // by lower-case payment hash
}

type watchEntry struct {
	key   string // lower-case payment hash
	r     *AddressReceiver
	inv   *AddressInvoice
	outs  []watchOut // nil once finished (under InvoiceWatcher.mu)
	plan  pollPlan
	due   time.Time
	index int // in the heap; -1 while in flight
}

// watchOut is one Watch call's channel, with the invoice it passed.
type watchOut struct {
	ch  chan WatchResult
	inv *AddressInvoice
}

type watchDone struct {
	e   *watchEntry
	st  ReceiveStatus
	err error
}

// NewInvoiceWatcher starts a watcher.
func NewInvoiceWatcher(opts *WatcherOptions) *InvoiceWatcher {
	return newInvoiceWatcher(opts, realClock{})
}

func newInvoiceWatcher(opts *WatcherOptions, clock rxClock) *InvoiceWatcher {
	conc := 8
	if opts != nil && opts.Concurrency > 0 {
		conc = opts.Concurrency
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &InvoiceWatcher{
		clock: clock, conc: conc,
		add: make(chan *watchEntry), results: make(chan watchDone),
		ctx: ctx, cancel: cancel, done: make(chan struct{}),
		entries: map[string]*watchEntry{},
	}
	go w.run()
	return w
}

// Watch adds an invoice made by r and returns a channel that receives
// one WatchResult, then closes. The first check is made at once. An
// invoice that cannot be checked (nil, no payment hash, no verify URL on
// the LNURL path) is answered at once with an error matching
// ErrInvalidInput. An invoice whose payment hash is already watched is
// not scheduled again: the channel is attached to the watch in progress
// (its checks use the receiver and invoice of the first Watch) and gets
// the same outcome, with its own invoice in WatchResult.Invoice.
func (w *InvoiceWatcher) Watch(r *AddressReceiver, inv *AddressInvoice) <-chan WatchResult {
	const op = "InvoiceWatcher.Watch"
	out := make(chan WatchResult, 1)
	var bad error
	switch {
	case r == nil:
		bad = invalidInput(op, "no receiver")
	case inv == nil || !isHex64(inv.PaymentHash):
		bad = invalidInput(op, "no invoice, or one without a payment hash")
	case inv.Path != ReceiveCustodial && inv.VerifyURL == "":
		bad = invalidInput(op, "the invoice has no verify URL")
	}
	if bad != nil {
		out <- WatchResult{Invoice: inv, Err: bad}
		close(out)
		return out
	}
	key := strings.ToLower(inv.PaymentHash)
	w.mu.Lock()
	if e, ok := w.entries[key]; ok {
		e.outs = append(e.outs, watchOut{ch: out, inv: inv})
		w.mu.Unlock()
		return out
	}
	e := &watchEntry{key: key, r: r, inv: inv, outs: []watchOut{{ch: out, inv: inv}}}
	w.entries[key] = e
	w.count.Add(1)
	w.mu.Unlock()
	select {
	case w.add <- e:
	case <-w.done:
		w.finish(e, ReceiveStatus{}, &Error{Operation: op, Message: "the watcher is closed", sentinel: ErrClientClosed})
	}
	return out
}

// Watching returns how many invoices are being watched.
func (w *InvoiceWatcher) Watching() int { return int(w.count.Load()) }

// Close stops the watcher: checks in flight are cancelled and every
// invoice still watched gets a WatchResult matching ErrClientClosed.
func (w *InvoiceWatcher) Close() {
	w.closing.Do(func() {
		w.cancel()
		<-w.done
	})
}

// finish answers every channel of e, once: a second call does nothing.
func (w *InvoiceWatcher) finish(e *watchEntry, st ReceiveStatus, err error) {
	w.mu.Lock()
	if w.entries[e.key] == e {
		delete(w.entries, e.key)
	}
	outs := e.outs
	e.outs = nil
	w.mu.Unlock()
	if outs == nil {
		return
	}
	w.count.Add(-1)
	for _, o := range outs {
		o.ch <- WatchResult{Invoice: o.inv, Status: st, Err: err}
		close(o.ch)
	}
}

func (w *InvoiceWatcher) run() {
	defer close(w.done)
	var q watchHeap
	inFlight := 0
	defer func() {
		// Cancelled: wait for the checks in flight, then answer everyone
		// (an entry whose Watch is still handing it over included).
		for inFlight > 0 {
			<-w.results
			inFlight--
		}
		w.mu.Lock()
		all := make([]*watchEntry, 0, len(w.entries))
		for _, e := range w.entries {
			all = append(all, e)
		}
		w.mu.Unlock()
		for _, e := range all {
			w.finish(e, ReceiveStatus{}, &Error{Operation: "InvoiceWatcher", Message: "the watcher is closed", sentinel: ErrClientClosed})
		}
	}()
	for {
		now := w.clock.Now()
		for inFlight < w.conc && q.Len() > 0 && !q[0].due.After(now) {
			e := heap.Pop(&q).(*watchEntry)
			inFlight++
			go w.check(e)
		}
		var fire <-chan time.Time
		if inFlight < w.conc && q.Len() > 0 {
			fire = w.clock.After(q[0].due.Sub(now))
		}
		select {
		case <-w.ctx.Done():
			return
		case e := <-w.add:
			e.due = w.clock.Now()
			heap.Push(&q, e)
		case d := <-w.results:
			inFlight--
			e := d.e
			if d.err != nil {
				if w.ctx.Err() != nil { // the watcher is closing: the defer answers
					continue
				}
				// Check refused the invoice: it can never be checked.
				w.finish(e, ReceiveStatus{}, d.err)
				continue
			}
			if done, err := e.r.final(e.inv, d.st); done {
				w.finish(e, d.st, err)
				continue
			}
			e.due = w.clock.Now().Add(e.plan.next(e.r, e.inv, d.st))
			heap.Push(&q, e)
		case <-fire:
		}
	}
}

// check runs one check of e; the scheduler made sure it is e's only one.
func (w *InvoiceWatcher) check(e *watchEntry) {
	st, err := e.r.Check(w.ctx, e.inv)
	w.results <- watchDone{e: e, st: st, err: err}
}

// watchHeap orders the invoices waiting for a check by due time.
type watchHeap []*watchEntry

func (h watchHeap) Len() int           { return len(h) }
func (h watchHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h watchHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *watchHeap) Push(x any) {
	e := x.(*watchEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *watchHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*h = old[:len(old)-1]
	return e
}
