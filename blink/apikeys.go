package blink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scalar"
)

// API keys, for least privilege: an integration can list its user's keys,
// mint a narrower key for each part of itself (a RECEIVE-only key for the
// checkout, a WRITE key with a daily limit for payouts), and revoke them.
//
// The operations are served by Blink's api-keys service
// (core/api-keys/src/graphql/schema.rs upstream). What an API key may do
// there, as upstream decides it:
//   - me.apiKeys needs READ (the core API's me field; a RECEIVE-only key is
//     refused, bats/core/api-keys/api-keys.bats:197-214).
//   - apiKeyCreate, apiKeySetLimit and apiKeyRemoveLimit need WRITE: the
//     service refuses a caller whose scopes lack "write" with "Permission
//     denied" (schema.rs:199-201, 229-231, 255-257; core/api-keys/src/scope.rs:39-41).
//   - apiKeyRevoke needs any valid key: the service checks only that the key
//     to revoke belongs to the caller's user (schema.rs:208-220), so a
//     READ-only key can revoke every key of its user, itself included.
//   - The service does not compare the new key's scopes with the caller's
//     (core/api-keys/src/app/mod.rs:40-66): a WRITE key can create a key with
//     READ and WRITE. Treat WRITE as the power to obtain every scope.
//
// The SDK refuses locally, before sending, what the key's known scopes do
// not allow (a *ScopeError), as for every other operation.

// LimitPeriod is a spending-limit window of an API key. Upstream keeps
// rolling windows (the last 24 hours, 7, 30 and 365 days).
type LimitPeriod string

// The spending-limit windows.
const (
	// LimitDaily is the rolling last 24 hours.
	LimitDaily LimitPeriod = "DAILY"
	// LimitWeekly is the rolling last 7 days.
	LimitWeekly LimitPeriod = "WEEKLY"
	// LimitMonthly is the rolling last 30 days.
	LimitMonthly LimitPeriod = "MONTHLY"
	// LimitAnnual is the rolling last 365 days.
	LimitAnnual LimitPeriod = "ANNUAL"
)

// String returns the period's name.
func (p LimitPeriod) String() string { return string(p) }

func (p LimitPeriod) valid() bool {
	switch p {
	case LimitDaily, LimitWeekly, LimitMonthly, LimitAnnual:
		return true
	}
	return false
}

// SpendingLimit is one window of an API key's spending limit.
type SpendingLimit struct {
	// Limit is the most the key may send in the window; 0 = no limit
	// (upstream accepts only positive limits).
	Limit Sats
	// Spent is what the key sent in the window.
	Spent Sats
}

// Remaining returns what the key may still send in the window, and false
// when the window has no limit.
func (l SpendingLimit) Remaining() (Sats, bool) {
	if l.Limit <= 0 {
		return 0, false
	}
	return max(l.Limit-l.Spent, 0), true
}

// APIKeyLimits are an API key's spending limits. A send that would exceed
// any of them fails with TRANSACTION_RESTRICTED (ErrTransactionRestricted).
type APIKeyLimits struct {
	Daily, Weekly, Monthly, Annual SpendingLimit
}

// For returns the limit of one window (the zero SpendingLimit for an
// unknown period).
func (l APIKeyLimits) For(p LimitPeriod) SpendingLimit {
	switch p {
	case LimitDaily:
		return l.Daily
	case LimitWeekly:
		return l.Weekly
	case LimitMonthly:
		return l.Monthly
	case LimitAnnual:
		return l.Annual
	}
	return SpendingLimit{}
}

// APIKey describes one API key of the user. It never holds the key's
// secret: the server shows that once, when the key is created (NewAPIKey).
type APIKey struct {
	// ID identifies the key in RevokeAPIKey and the limit calls.
	ID string
	// Name is the name given at creation.
	Name string
	// Scopes are the key's scopes.
	Scopes []Scope
	// ReadOnly is the server's flag: the key has READ and nothing else.
	ReadOnly bool
	// Limits are the key's spending limits and what it spent.
	Limits APIKeyLimits
	// CreatedAt is when the key was created.
	CreatedAt time.Time
	// ExpiresAt is when the key stops working; zero = never.
	ExpiresAt time.Time
	// LastUsedAt is when the key last authenticated a request; zero = never.
	LastUsedAt time.Time
	// Revoked is true once the key is revoked.
	Revoked bool
	// Expired is true once ExpiresAt has passed (by the server's clock).
	Expired bool
}

// Active reports whether the key still authenticates: neither revoked nor
// expired, as the server last said.
func (k APIKey) Active() bool { return !k.Revoked && !k.Expired }

// NewAPIKey is a key just created: its description and its secret, which
// the server returns this once. Every way of printing a NewAPIKey (fmt
// with any verb, encoding/json, log/slog) shows the secret redacted, as
// the client's own key is; Secret gives the key itself.
type NewAPIKey struct {
	APIKey
	secret *apiKey // behind a pointer, like Client.key: never printed
}

// Secret returns the key, to pass to blink.New or to store in a secret
// store. Never log it.
func (k *NewAPIKey) Secret() string {
	if k == nil || k.secret == nil {
		return ""
	}
	return k.secret.header()
}

// ClientOptions returns the options that tell a client using this key
// its id and expiry (WithAPIKeyID, WithAPIKeyExpiry), so that once the key
// has expired or been revoked an HTTP 401 matches ErrAPIKeyExpired or
// ErrAPIKeyRevoked.
func (k *NewAPIKey) ClientOptions() []Option {
	opts := []Option{WithAPIKeyID(k.ID)}
	if !k.ExpiresAt.IsZero() {
		opts = append(opts, WithAPIKeyExpiry(k.ExpiresAt))
	}
	return opts
}

func (k NewAPIKey) redactedSecret() string {
	if k.secret == nil {
		return redactKey("")
	}
	return k.secret.String()
}

// String describes the key with its secret redacted.
func (k NewAPIKey) String() string {
	return fmt.Sprintf("NewAPIKey{ID: %s, Name: %q, Scopes: %v, ExpiresAt: %s, Secret: %s}",
		k.ID, k.Name, k.Scopes, fmtTime(k.ExpiresAt), k.redactedSecret())
}

// GoString describes the key with its secret redacted, for %#v.
func (k NewAPIKey) GoString() string {
	return fmt.Sprintf("blink.NewAPIKey{ID: %q, Name: %q, Scopes: %#v, ExpiresAt: %q, Secret: %q}",
		k.ID, k.Name, k.Scopes, fmtTime(k.ExpiresAt), k.redactedSecret())
}

// Format prints String for every verb, GoString for %#v.
func (k NewAPIKey) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		f.Write([]byte(k.GoString()))
		return
	}
	f.Write([]byte(k.String()))
}

// MarshalJSON writes the key's description with the secret redacted.
func (k NewAPIKey) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		APIKey
		Secret string
	}{k.APIKey, k.redactedSecret()})
}

// LogValue describes the key for log/slog, with the secret redacted.
func (k NewAPIKey) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", k.ID), slog.String("name", k.Name),
		slog.Any("scopes", k.Scopes), slog.String("secret", k.redactedSecret()))
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format(time.RFC3339)
}

// APIKeyOptions are the optional settings of a new API key.
type APIKeyOptions struct {
	// Scopes are the new key's scopes; nil = READ and WRITE, the server's
	// default. WRITE grants RECEIVE too; neither grants READ.
	Scopes []Scope
	// ExpiresInDays is the key's lifetime in whole days (the API takes
	// days, 1 to 65535 here); 0 = the key never expires.
	ExpiresInDays int
}

// APIKeys returns every API key of the key's user, revoked and expired
// ones included, with their scopes, limits, expiry and last use (query
// me.apiKeys; scope READ, checked before sending); an empty slice when
// there are none. With WithAPIKeyID, the client also notes its own key's
// expiry and revocation from the answer (see ErrAPIKeyExpired).
func (c *Client) APIKeys(ctx context.Context) ([]APIKey, error) {
	const op = "ApiKeys"
	resp, err := gen.ApiKeys(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	out := make([]APIKey, 0, len(resp.Me.ApiKeys))
	for _, k := range resp.Me.ApiKeys {
		out = append(out, fromGenAPIKey(&k.ApiKeyFields))
	}
	c.own.note(out...)
	return out, nil
}

// CreateAPIKey creates an API key for the key's user and returns it with
// its secret, which the server shows only this once (mutation
// apiKeyCreate; scope WRITE, checked before sending). The new key works
// at once.
//
// Refused before sending with ErrInvalidInput: an empty name, an empty
// (non-nil) or unknown scope list, ExpiresInDays out of range. Note that
// the server lets a WRITE key create a key with more scopes than its own.
// A lost answer is an error matching ErrOutcomeUnknown: the key may exist
// (its secret is then lost), so list the keys with APIKeys and revoke the
// stray one rather than creating another blindly. RevokeAPIKey,
// SetAPIKeyLimit and RemoveAPIKeyLimit are idempotent and retried like
// queries.
func (c *Client) CreateAPIKey(ctx context.Context, name string, opts *APIKeyOptions) (*NewAPIKey, error) {
	const op = "ApiKeyCreate"
	if opts == nil {
		opts = &APIKeyOptions{}
	}
	if strings.TrimSpace(name) == "" {
		return nil, invalidInput(op, "the key's name is empty")
	}
	scopes := []gen.Scope{gen.ScopeRead, gen.ScopeWrite} // the schema's default, sent explicitly
	if opts.Scopes != nil {
		if len(opts.Scopes) == 0 {
			return nil, invalidInput(op, "the scope list is empty: give at least one of READ, RECEIVE, WRITE (or nil for READ and WRITE)")
		}
		scopes = scopes[:0]
		seen := map[Scope]bool{}
		for _, s := range opts.Scopes {
			if s != ScopeRead && s != ScopeReceive && s != ScopeWrite {
				return nil, invalidInput(op, "unknown scope %q: use blink.ScopeRead, blink.ScopeReceive or blink.ScopeWrite", truncate(string(s), 20))
			}
			if !seen[s] {
				seen[s] = true
				scopes = append(scopes, gen.Scope(s))
			}
		}
	}
	in := gen.ApiKeyCreateInput{Name: name, Scopes: scopes}
	if opts.ExpiresInDays != 0 {
		if opts.ExpiresInDays < 1 || opts.ExpiresInDays > 65535 {
			return nil, invalidInput(op, "ExpiresInDays is %d: it must be from 1 to 65535 (0 = never expires)", opts.ExpiresInDays)
		}
		d := opts.ExpiresInDays
		in.ExpireInDays = &d
	}
	resp, err := gen.ApiKeyCreate(ctx, c.gql, in)
	if err != nil {
		return nil, c.permissionDenied(ctx, op, err)
	}
	p := resp.ApiKeyCreate
	if p.ApiKeySecret == "" {
		return nil, &Error{Operation: op, Message: "the server returned no key secret", HTTPStatus: 200, sentinel: ErrServer}
	}
	secret := apiKey(p.ApiKeySecret)
	return &NewAPIKey{APIKey: fromGenAPIKey(&p.ApiKey.ApiKeyFields), secret: &secret}, nil
}

// RevokeAPIKey revokes one of the user's API keys by id (mutation
// apiKeyRevoke; any valid key may call it, the client's own included).
// From then on the key gets HTTP 401. Revoking a revoked key succeeds
// again. It returns the key as the server describes it after the revocation;
// an id that is not a UUID is refused before sending, and one that is not
// the user's is an *Error from the server. Revoking the client's own key
// (WithAPIKeyID) makes its later 401s match ErrAPIKeyRevoked.
func (c *Client) RevokeAPIKey(ctx context.Context, id string) (*APIKey, error) {
	const op = "ApiKeyRevoke"
	if err := checkKeyID(op, id); err != nil {
		return nil, err
	}
	resp, err := gen.ApiKeyRevoke(ctx, c.gql, gen.ApiKeyRevokeInput{Id: id})
	if err != nil {
		return nil, err
	}
	k := fromGenAPIKey(&resp.ApiKeyRevoke.ApiKey.ApiKeyFields)
	c.own.note(k)
	return &k, nil
}

// SetAPIKeyLimit sets one spending-limit window of one of the user's API
// keys, replacing the window's earlier limit (mutation apiKeySetLimit;
// scope WRITE, checked before sending). Sends by that key that would go
// over the limit then fail with TRANSACTION_RESTRICTED. A limit of 0 or
// less, an unknown period or an id that is not a UUID is refused before
// sending; a key that is not the user's is an *Error from the server.
func (c *Client) SetAPIKeyLimit(ctx context.Context, id string, period LimitPeriod, limit Sats) (*APIKey, error) {
	const op = "ApiKeySetLimit"
	if err := checkKeyID(op, id); err != nil {
		return nil, err
	}
	if !period.valid() {
		return nil, invalidInput(op, "unknown limit period %q: use blink.LimitDaily, LimitWeekly, LimitMonthly or LimitAnnual", truncate(string(period), 20))
	}
	if limit <= 0 {
		return nil, invalidInput(op, "the limit is %d sats: it must be positive (RemoveAPIKeyLimit removes a limit)", limit)
	}
	resp, err := gen.ApiKeySetLimit(ctx, c.gql, gen.ApiKeySetLimitInput{Id: id, LimitTimeWindow: gen.LimitTimeWindow(period), LimitSats: int(limit)})
	if err != nil {
		return nil, c.permissionDenied(ctx, op, err)
	}
	k := fromGenAPIKey(&resp.ApiKeySetLimit.ApiKey.ApiKeyFields)
	return &k, nil
}

// RemoveAPIKeyLimit removes one spending-limit window of one of the
// user's API keys (mutation apiKeyRemoveLimit; scope WRITE, checked before
// sending); removing a window without a limit succeeds. An unknown period
// or an id that is not a UUID is refused before sending.
func (c *Client) RemoveAPIKeyLimit(ctx context.Context, id string, period LimitPeriod) (*APIKey, error) {
	const op = "ApiKeyRemoveLimit"
	if err := checkKeyID(op, id); err != nil {
		return nil, err
	}
	if !period.valid() {
		return nil, invalidInput(op, "unknown limit period %q: use blink.LimitDaily, LimitWeekly, LimitMonthly or LimitAnnual", truncate(string(period), 20))
	}
	resp, err := gen.ApiKeyRemoveLimit(ctx, c.gql, gen.ApiKeyRemoveLimitInput{Id: id, LimitTimeWindow: gen.LimitTimeWindow(period)})
	if err != nil {
		return nil, c.permissionDenied(ctx, op, err)
	}
	k := fromGenAPIKey(&resp.ApiKeyRemoveLimit.ApiKey.ApiKeyFields)
	return &k, nil
}

// checkKeyID refuses an API key id that is not a UUID (upstream's ids
// are, core/api-keys/src/identity/mod.rs:12), before sending. A secret
// passed by mistake is never echoed.
func checkKeyID(op, id string) error {
	if !isUUID(id) {
		if keyPrefix(id) != "" {
			return invalidInput(op, "the API key id is a key secret, not an id: pass APIKey.ID")
		}
		return invalidInput(op, "%q is not an API key id (a UUID)", truncate(id, 40))
	}
	return nil
}

// msgPermissionDenied is how the api-keys service refuses a caller without
// WRITE (core/api-keys/src/graphql/schema.rs:199-201), a top-level error
// without a code.
const msgPermissionDenied = "Permission denied"

// permissionDenied turns the api-keys service's refusal into the
// *ScopeError every other scope refusal is, with the scopes the client
// believes its key holds (it sent the request, so it did not know better).
func (c *Client) permissionDenied(ctx context.Context, op string, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Message != msgPermissionDenied {
		return err
	}
	se := &ScopeError{Operation: op, Needed: ScopeWrite}
	if _, held, lerr := c.learnScopes(withoutScopeCheck(ctx)); lerr == nil {
		se.Held = held.list()
	}
	return se
}

func fromGenAPIKey(k *gen.ApiKeyFields) APIKey {
	l := k.Limits
	return APIKey{
		ID: k.Id, Name: k.Name, Scopes: fromGenScopes(k.Scopes), ReadOnly: k.ReadOnly,
		Limits: APIKeyLimits{
			Daily:   SpendingLimit{Limit: optSats(l.DailyLimitSats), Spent: Sats(l.DailySpentSats)},
			Weekly:  SpendingLimit{Limit: optSats(l.WeeklyLimitSats), Spent: Sats(l.WeeklySpentSats)},
			Monthly: SpendingLimit{Limit: optSats(l.MonthlyLimitSats), Spent: Sats(l.MonthlySpentSats)},
			Annual:  SpendingLimit{Limit: optSats(l.AnnualLimitSats), Spent: Sats(l.AnnualSpentSats)},
		},
		CreatedAt: k.CreatedAt.Time(), ExpiresAt: optTime(k.ExpiresAt), LastUsedAt: optTime(k.LastUsedAt),
		Revoked: k.Revoked, Expired: k.Expired,
	}
}

func optSats(v *int) Sats {
	if v == nil {
		return 0
	}
	return Sats(*v)
}

func optTime(t *scalar.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Time()
}

// ownKey is what the client knows of its own API key beyond the secret:
// its id (WithAPIKeyID), expiry and revocation. The API cannot say which
// key a request carries, so without an id the client learns nothing from
// APIKeys.
type ownKey struct {
	mu        sync.Mutex
	id        string
	expiresAt time.Time // zero = unknown or never
	revoked   bool
}

// note records what a listing or a revocation says of the client's own key.
func (o *ownKey) note(keys ...APIKey) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.id == "" {
		return
	}
	for _, k := range keys {
		if k.ID == o.id {
			o.expiresAt, o.revoked = k.ExpiresAt, k.Revoked
		}
	}
}

// explain adds what the client knows to an HTTP 401 for its key: a key it
// knew revoked matches ErrAPIKeyRevoked, a key whose known expiry has passed
// by the server's clock (the earliest the Date headers allow) matches
// ErrAPIKeyExpired. Anything else stays ErrInvalidAPIKey alone.
func (o *ownKey) explain(err error, clk *serverClock) {
	var e *Error
	if err == nil || !errors.As(err, &e) || e.sentinel != ErrInvalidAPIKey || e.also != nil {
		return
	}
	o.mu.Lock()
	revoked, exp := o.revoked, o.expiresAt
	o.mu.Unlock()
	switch {
	case revoked:
		e.also = ErrAPIKeyRevoked
		e.Message += " (this key was revoked: create a new one)"
	case !exp.IsZero():
		if earliest, _ := clk.serverWindow(time.Now()); !earliest.Before(exp) {
			e.also = ErrAPIKeyExpired
			e.Message += " (this key expired at " + fmtTime(exp) + ": create a new one)"
		}
	}
}
