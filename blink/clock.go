package blink

import (
	"net/http"
	"sync/atomic"
	"time"
)

// serverClock estimates the server's clock from the Date header of its
// answers, so that a look-up in the server's ledger can be bounded by when
// a send could have been executed there, whatever the difference between
// the two clocks.
//
// A Date header names the second (server time) in which the answer was
// made, between the attempt's start S and the answer's arrival R (client
// time). So the server's clock minus the client's lies in (D-R, D+1s-S).
type serverClock struct {
	last atomic.Pointer[clockSample]
}

type clockSample struct {
	date     string        // the raw header, to skip parsing a repeat
	min, max time.Duration // bounds of server minus client
}

// observe records the Date header of an answer to an attempt made from
// sent to received. It parses only when the header changes (once a
// second at most).
func (k *serverClock) observe(date string, sent, received time.Time) {
	if date == "" || sent.IsZero() {
		return
	}
	if l := k.last.Load(); l != nil && l.date == date {
		return
	}
	d, err := http.ParseTime(date)
	if err != nil {
		return
	}
	n := &clockSample{date: date, min: d.Sub(received), max: d.Add(time.Second).Sub(sent)}
	// A sample that agrees with the last narrows it (a slow answer alone
	// would widen it); one that does not replaces it (the clocks moved).
	if l := k.last.Load(); l != nil && n.min <= l.max && l.min <= n.max {
		n.min, n.max = max(n.min, l.min), min(n.max, l.max)
	}
	k.last.Store(n)
}

// unknownSkew is the difference between the clocks assumed, either way,
// when no answer has shown the server's clock (none yet, or a proxy that
// strips Date). It is wide on purpose: every bound built on it errs
// towards a longer look-up and a later proof.
const unknownSkew = 2 * time.Hour

// offset returns the bounds of the server's clock minus the client's.
func (k *serverClock) offset() (min, max time.Duration) {
	if l := k.last.Load(); l != nil {
		return l.min, l.max
	}
	return -unknownSkew, unknownSkew
}

// serverWindow returns the interval of server time that client time t
// falls in.
func (k *serverClock) serverWindow(t time.Time) (earliest, latest time.Time) {
	lo, hi := k.offset()
	return t.Add(lo).UTC(), t.Add(hi).UTC()
}

// known reports whether an answer has shown the server's clock.
func (k *serverClock) known() bool { return k.last.Load() != nil }
