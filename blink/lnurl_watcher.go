package blink

import (
	"container/heap"
	"context"
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
	// ErrInvoiceNotFound or ErrPreimageMismatch as Wait's would, or
	// ErrClientClosed once the watcher is closed.
	Err error
}

// InvoiceWatcher waits for many invoices of AddressReceivers at once:
// one goroutine schedules every check (with Wait's intervals, jitter and
// backoff), at most Concurrency checks run at a time, and one invoice
// never has two in flight. Custodial invoices are polled too (no
// websocket). It is safe for concurrent use; Close it when done.
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
}

type watchEntry struct {
	r     *AddressReceiver
	inv   *AddressInvoice
	out   chan WatchResult
	plan  pollPlan
	due   time.Time
	index int // in the heap; -1 while in flight
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
	}
	go w.run()
	return w
}

// Watch adds an invoice made by r and returns a channel that receives
// one WatchResult, then closes. The first check is made at once.
func (w *InvoiceWatcher) Watch(r *AddressReceiver, inv *AddressInvoice) <-chan WatchResult {
	out := make(chan WatchResult, 1)
	e := &watchEntry{r: r, inv: inv, out: out}
	select {
	case w.add <- e:
		w.count.Add(1)
	case <-w.done:
		out <- WatchResult{Invoice: inv, Err: &Error{Operation: "InvoiceWatcher.Watch", Message: "the watcher is closed", sentinel: ErrClientClosed}}
		close(out)
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

func (w *InvoiceWatcher) finish(e *watchEntry, st ReceiveStatus, err error) {
	w.count.Add(-1)
	e.out <- WatchResult{Invoice: e.inv, Status: st, Err: err}
	close(e.out)
}

func (w *InvoiceWatcher) run() {
	defer close(w.done)
	var q watchHeap
	all := map[*watchEntry]struct{}{}
	inFlight := 0
	defer func() {
		// Cancelled: wait for the checks in flight, then answer everyone.
		for inFlight > 0 {
			<-w.results
			inFlight--
		}
		for e := range all {
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
			all[e] = struct{}{}
			e.due = w.clock.Now()
			heap.Push(&q, e)
		case d := <-w.results:
			inFlight--
			e := d.e
			if d.err != nil { // ctx ended: the watcher is closing
				continue
			}
			if done, err := e.r.final(e.inv, d.st); done {
				delete(all, e)
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
