package fake

import (
	"context"
	"sort"
	"time"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
)

// The API keys of a user, as the api-keys subgraph serves them
// (core/api-keys/src/graphql/schema.rs). Its refusals are plain
// top-level errors without a code; the messages are the Display texts of
// its error types, which async-graphql passes on.
var (
	// A key without WRITE creating a key or changing a limit
	// (schema.rs:199-201, 229-231, 255-257; the subject may write when its
	// JWT scope holds "write" or is empty, core/api-keys/src/scope.rs:39-41).
	errPermissionDenied = &AppError{Message: "Permission denied"}
	// apiKeyCreate with an empty scope list (core/api-keys/src/app/mod.rs:48-50,
	// core/api-keys/src/app/error.rs:9).
	errMissingScopes = &AppError{Message: "scopes can not be empty"}
	// apiKeyRevoke of an id that is not one of the caller's keys
	// (core/api-keys/src/identity/mod.rs:242, wrapped by app/error.rs:17-18).
	errKeyNotFoundForRevoke = &AppError{Message: "ApplicationError - IdentityError: IdentityError - KeyNotFoundForRevoke"}
	// apiKeySetLimit / apiKeyRemoveLimit of a key that is not the
	// caller's (schema.rs:178-188).
	errKeyNotFound = &AppError{Message: "API key not found"}
	// A limit of 0 or less (core/api-keys/src/limits/mod.rs:318-319 and
	// the other windows; limits/error.rs:8, wrapped by app/error.rs:19-20).
	errInvalidLimit = &AppError{Message: "ApplicationError - LimitError: Invalid limit amount (must be positive)"}
	// An id that is not a UUID: upstream fails to parse it
	// (schema.rs:214, 233, 259); the fake's message is its own.
	errBadKeyID = &AppError{Message: "invalid API key id: not a UUID"}
)

// apiKeyWriteFields are the api-keys mutations that check the subject's
// write permission themselves; apiKeyRevoke checks nothing (schema.rs:208-220).
var apiKeyWriteFields = map[string]bool{"apiKeyCreate": true, "apiKeySetLimit": true, "apiKeyRemoveLimit": true}

// APIKeys is User.apiKeys: every key of the user, revoked and expired
// ones included (identity/mod.rs:140-192 lists them all), oldest first;
// [] when there are none.
func (r *userResolver) APIKeys(_ context.Context, u *model.User) ([]*model.APIKey, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []*apiKey
	for _, k := range s.keys {
		if k.accountID == u.AccountID {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].seq < keys[j].seq })
	out := make([]*model.APIKey, 0, len(keys))
	now := s.now()
	for _, k := range keys {
		out = append(out, k.model(now))
	}
	return out, nil
}

func (r *mutationResolver) APIKeyCreate(ctx context.Context, in model.APIKeyCreateInput) (*model.APIKeyCreatePayload, error) {
	s := r.s
	c := callerFrom(ctx)
	if len(in.Scopes) == 0 {
		return nil, errMissingScopes
	}
	scopes := make([]string, 0, len(in.Scopes))
	for _, sc := range in.Scopes {
		scopes = append(scopes, string(sc))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var exp time.Time
	if in.ExpireInDays != nil {
		// expire_in_days is a u16 (schema.rs:151): out of range fails
		// input coercion upstream; the message here is the fake's own.
		if *in.ExpireInDays < 0 || *in.ExpireInDays > 65535 {
			return nil, &AppError{Message: "expireInDays must be an integer from 0 to 65535"}
		}
		exp = now.Add(time.Duration(*in.ExpireInDays) * 24 * time.Hour) // app/mod.rs:57-59
	}
	k := s.newKey(c.accountID(), in.Name, scopes, exp)
	return &model.APIKeyCreatePayload{APIKey: k.model(now), APIKeySecret: k.key}, nil
}

func (r *mutationResolver) APIKeyRevoke(ctx context.Context, in model.APIKeyRevokeInput) (*model.APIKeyRevokePayload, error) {
	s := r.s
	if !uuidRe.MatchString(in.ID) {
		return nil, errBadKeyID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyByID(callerFrom(ctx).accountID(), in.ID)
	if k == nil {
		return nil, errKeyNotFoundForRevoke
	}
	// Revoking a revoked key succeeds again (identity/mod.rs:199-221 has
	// no revoked = false condition).
	k.revoked = true
	return &model.APIKeyRevokePayload{APIKey: k.model(s.now())}, nil
}

func (r *mutationResolver) APIKeySetLimit(ctx context.Context, in model.APIKeySetLimitInput) (*model.APIKeySetLimitPayload, error) {
	return r.changeLimit(ctx, in.ID, in.LimitTimeWindow, int64(in.LimitSats), true)
}

func (r *mutationResolver) APIKeyRemoveLimit(ctx context.Context, in model.APIKeyRemoveLimitInput) (*model.APIKeySetLimitPayload, error) {
	return r.changeLimit(ctx, in.ID, in.LimitTimeWindow, 0, false)
}

// changeLimit sets or removes one limit window of one of the caller's
// keys, revoked or not (schema.rs:222-272 checks only ownership).
func (r *mutationResolver) changeLimit(ctx context.Context, id string, w model.LimitTimeWindow, sats int64, set bool) (*model.APIKeySetLimitPayload, error) {
	s := r.s
	if !uuidRe.MatchString(id) {
		return nil, errBadKeyID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyByID(callerFrom(ctx).accountID(), id)
	if k == nil {
		return nil, errKeyNotFound
	}
	i := windowIndex(w)
	if set {
		if sats <= 0 {
			return nil, errInvalidLimit
		}
		k.limits[i] = sats
	} else {
		k.limits[i] = 0
	}
	return &model.APIKeySetLimitPayload{APIKey: k.model(s.now())}, nil
}

func windowIndex(w model.LimitTimeWindow) int {
	switch w {
	case model.LimitTimeWindowWeekly:
		return 1
	case model.LimitTimeWindowMonthly:
		return 2
	case model.LimitTimeWindowAnnual:
		return 3
	}
	return 0
}

// keyByID returns the account's key with that id, or nil. Callers hold s.mu.
func (s *Server) keyByID(accountID, id string) *apiKey {
	for _, k := range s.keys {
		if k.id == id && k.accountID == accountID {
			return k
		}
	}
	return nil
}

// model is the key as the schema's ApiKey. Callers hold s.mu.
func (k *apiKey) model(now time.Time) *model.APIKey {
	m := &model.APIKey{
		ID: k.id, Name: k.name, CreatedAt: k.createdAt,
		Revoked: k.revoked,
		// expired = expires_at < NOW() (identity/mod.rs:153).
		Expired: !k.expiresAt.IsZero() && k.expiresAt.Before(now),
		// read_only: the scopes are exactly [READ] (core/api-keys/src/scope.rs:35-37).
		ReadOnly: len(k.scopes) == 1 && k.scopes[0] == "READ",
		Scopes:   make([]model.Scope, 0, len(k.scopes)),
		Limits:   &model.APIKeyLimits{},
	}
	for _, sc := range k.scopes {
		m.Scopes = append(m.Scopes, model.Scope(sc))
	}
	if !k.lastUsedAt.IsZero() {
		t := k.lastUsedAt
		m.LastUsedAt = &t
	}
	if !k.expiresAt.IsZero() {
		t := k.expiresAt
		m.ExpiresAt = &t
	}
	l := m.Limits
	for i, p := range [4]**int{&l.DailyLimitSats, &l.WeeklyLimitSats, &l.MonthlyLimitSats, &l.AnnualLimitSats} {
		if k.limits[i] > 0 {
			v := int(k.limits[i])
			*p = &v
		}
	}
	l.DailySpentSats = int(k.spentWithin(now, limitWindows[0].d))
	l.WeeklySpentSats = int(k.spentWithin(now, limitWindows[1].d))
	l.MonthlySpentSats = int(k.spentWithin(now, limitWindows[2].d))
	l.AnnualSpentSats = int(k.spentWithin(now, limitWindows[3].d))
	return m
}
