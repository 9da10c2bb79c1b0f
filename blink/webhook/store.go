package webhook

import (
	"context"
	"sync"
	"time"
)

// ClaimResult is what Store.Claim found for a message id.
type ClaimResult int

// The three answers of Store.Claim.
const (
	// Claimed: the id is new (or its earlier delivery was released); the
	// caller now holds it and must Complete or Release it.
	Claimed ClaimResult = iota + 1
	// AlreadyDone: a delivery of this id was handled; answer 2xx and do
	// nothing.
	AlreadyDone
	// InProgress: another delivery of this id holds the claim right now;
	// answer non-2xx so that Svix tries again later.
	InProgress
)

// Store remembers which message ids a Handler has handled, so that
// Svix's retries and redeliveries (which keep the message id) reach the
// handler's function once. Implementations must be safe for concurrent
// use. A store shared by several servers (a database table keyed by id)
// makes the de-duplication hold across them; such a store should let an
// InProgress claim lapse after a while (longer than the handler's
// timeout) so that a server that died holding it does not block the id
// for good.
type Store interface {
	// Claim reserves id for one delivery and reports Claimed, or reports
	// AlreadyDone or InProgress and reserves nothing.
	Claim(ctx context.Context, id string) (ClaimResult, error)
	// Complete marks a claimed id as handled for good.
	Complete(ctx context.Context, id string) error
	// Release gives a claimed id up after a failed delivery, so that the
	// next delivery of it is handled again.
	Release(ctx context.Context, id string) error
}

// Defaults of MemoryStoreOptions.
const (
	// DefaultMaxIDs is how many handled ids a MemoryStore keeps.
	DefaultMaxIDs = 100_000
	// DefaultTTL is how long a MemoryStore keeps a handled id: well past
	// Svix's last retry, about a day and a half after the first attempt.
	DefaultTTL = 72 * time.Hour
)

// MemoryStoreOptions tunes NewMemoryStore. The zero value is ready to use.
type MemoryStoreOptions struct {
	// MaxIDs bounds the handled ids kept; beyond it the oldest are
	// forgotten first. Default DefaultMaxIDs.
	MaxIDs int
	// TTL is how long a handled id is kept. Default DefaultTTL.
	TTL time.Duration
	// Now is the store's clock: default time.Now.
	Now func() time.Time
}

// MemoryStore is the Store a Handler uses by default: in memory, bounded
// in size and age, and lost when the process ends (a restart may then
// hand a redelivery to the function again; that is the at-least-once
// contract). Claims in progress are never evicted.
type MemoryStore struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu    sync.Mutex
	ids   map[string]memEntry
	order []memOrder // handled ids, oldest first, from head on
	head  int
}

type memEntry struct {
	done bool
	at   time.Time
}

type memOrder struct {
	id string
	at time.Time
}

// NewMemoryStore returns an empty MemoryStore; opts may be nil.
func NewMemoryStore(opts *MemoryStoreOptions) *MemoryStore {
	var o MemoryStoreOptions
	if opts != nil {
		o = *opts
	}
	if o.MaxIDs <= 0 {
		o.MaxIDs = DefaultMaxIDs
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &MemoryStore{max: o.MaxIDs, ttl: o.TTL, now: o.Now, ids: map[string]memEntry{}}
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, id string) (ClaimResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evict(s.now())
	if e, ok := s.ids[id]; ok {
		if e.done {
			return AlreadyDone, nil
		}
		return InProgress, nil
	}
	s.ids[id] = memEntry{}
	return Claimed, nil
}

// Complete implements Store. Completing an id already done changes
// nothing.
func (s *MemoryStore) Complete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.ids[id]; ok && e.done {
		return nil
	}
	now := s.now()
	s.ids[id] = memEntry{done: true, at: now}
	s.order = append(s.order, memOrder{id: id, at: now})
	s.evict(now)
	return nil
}

// Release implements Store. It forgets a claim in progress and leaves a
// handled id handled.
func (s *MemoryStore) Release(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.ids[id]; ok && !e.done {
		delete(s.ids, id)
	}
	return nil
}

// Len returns how many ids the store holds, handled or in progress.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.evict(s.now())
	return len(s.ids)
}

// evict forgets handled ids beyond max or older than ttl, oldest first.
// Every entry of order from head on is a handled id of ids: handled ids
// leave ids only here.
func (s *MemoryStore) evict(now time.Time) {
	for s.head < len(s.order) {
		o := s.order[s.head]
		if len(s.order)-s.head <= s.max && now.Sub(o.at) <= s.ttl {
			break
		}
		delete(s.ids, o.id)
		s.order[s.head] = memOrder{}
		s.head++
	}
	if s.head > 1024 && s.head*2 > len(s.order) {
		s.order = append(s.order[:0:0], s.order[s.head:]...)
		s.head = 0
	}
}
