package blink

import (
	"context"
	"errors"
	"sync"
)

// learnt is a value a client learns from the server once (the key's
// scopes, the server's network, the account's wallets) and then keeps.
// Concurrent first callers share one request; a failure is shared with
// those who waited for it but not kept, so a later call asks again. The
// request's cleanup runs on every exit, a panic included, so a panicking
// http.RoundTripper cannot leave later callers waiting forever.
//
// golang.org/x/sync/singleflight would share the request too, but its
// waiters cannot give up when their context ends, and its DoChan turns a
// panic into a crash of the whole program.
type learnt[T any] struct {
	mu     sync.Mutex
	ok     bool
	v      T
	flight *flight[T]
}

type flight[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// errFetchPanicked is what waiters get when the request they waited for
// panicked (the panic itself goes to the caller that made it).
var errFetchPanicked = errors.New("blink: the request this call waited for panicked")

// get returns the kept value, or fetches it. fetch reports whether its
// result is to be kept.
func (l *learnt[T]) get(ctx context.Context, fetch func() (T, bool, error)) (T, error) {
	for {
		l.mu.Lock()
		if l.ok {
			v := l.v
			l.mu.Unlock()
			return v, nil
		}
		f := l.flight
		if f == nil {
			break
		}
		l.mu.Unlock()
		select {
		case <-f.done:
			if f.err != nil && isContextError(f.err) && ctx.Err() == nil {
				continue // the fetcher gave up, not us: ask again
			}
			return f.v, f.err
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
	f := &flight[T]{done: make(chan struct{}), err: errFetchPanicked}
	l.flight = f
	l.mu.Unlock()
	keep := false
	defer func() {
		l.mu.Lock()
		if keep {
			l.ok, l.v = true, f.v
		}
		l.flight = nil
		l.mu.Unlock()
		close(f.done)
	}()
	f.v, keep, f.err = fetch()
	keep = keep && f.err == nil
	return f.v, f.err
}

// set keeps v, as if it had been learnt.
func (l *learnt[T]) set(v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ok, l.v = true, v
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
