package blink

import (
	"context"

	"github.com/google/uuid"
)

type idemKey struct{}

// WithIdempotencyKey returns a context whose send carries the given
// X-Idempotency-Key instead of a fresh one (PayOptions.IdempotencyKey, when
// set, wins). Use it to retry a send yourself after a crash, with the key
// the first attempt used: the server executes a key at most once while it
// holds it (one hour), and a reused key ends in ErrOutcomeUnknown, never a
// second payment. After the hour the same key executes again. The key must
// be a UUIDv4.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKey{}, key)
}

func idempotencyKeyFrom(ctx context.Context) string {
	k, _ := ctx.Value(idemKey{}).(string)
	return k
}

// NewIdempotencyKey returns a fresh UUIDv4 for the X-Idempotency-Key header.
func NewIdempotencyKey() string { return uuid.NewString() }

// validIdempotencyKey reports whether k is a UUIDv4, the only form the
// server accepts.
func validIdempotencyKey(k string) bool {
	if len(k) != 36 {
		return false
	}
	u, err := uuid.Parse(k)
	return err == nil && u.Version() == 4 && u.Variant() == uuid.RFC4122
}
