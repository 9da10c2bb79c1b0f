package checkout

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Session errors: a link that does not verify, and one past its expiry.
var (
	ErrSessionInvalid = errors.New("checkout: the session link is not valid")
	ErrSessionExpired = errors.New("checkout: the session link has expired")
)

// Sessions signs and verifies checkout session links: the token is
// base64url(JSON {tenant, order, expiry}) "." base64url(HMAC-SHA256), keyed
// with SESSION_SECRET, so a link is bound to one tenant's order and stops
// working after a few minutes. It holds no key and names no secret.
type Sessions struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// MinSecretBytes is the shortest SESSION_SECRET accepted.
const MinSecretBytes = 32

// NewSessions returns Sessions keyed with secret (at least 32 bytes), whose
// links live ttl (default 15 minutes).
func NewSessions(secret []byte, ttl time.Duration) (*Sessions, error) {
	if len(secret) < MinSecretBytes {
		return nil, errors.New("checkout: SESSION_SECRET must be at least 32 bytes (openssl rand -base64 32)")
	}
	if ttl <= 0 {
		ttl = 15 * time.Minute
	}
	// A key of its own, derived for this use only.
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("blink-go merchant checkout session v1"))
	return &Sessions{key: m.Sum(nil), ttl: ttl, now: time.Now}, nil
}

// TTL is how long a link lives.
func (s *Sessions) TTL() time.Duration { return s.ttl }

type claims struct {
	Tenant string `json:"t"`
	Order  string `json:"o"`
	Exp    int64  `json:"e"`
}

// Sign returns a token for the tenant's order and when it expires (TTL
// from now).
func (s *Sessions) Sign(tenantID, orderID string) (string, time.Time) {
	exp := s.now().Add(s.ttl).Truncate(time.Second)
	return s.SignUntil(tenantID, orderID, exp), exp
}

// SignUntil returns a token for the tenant's order that expires at exp.
func (s *Sessions) SignUntil(tenantID, orderID string, exp time.Time) string {
	body, _ := json.Marshal(claims{Tenant: tenantID, Order: orderID, Exp: exp.Unix()})
	p := base64.RawURLEncoding.EncodeToString(body)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac(p))
}

func (s *Sessions) mac(payload string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Verify returns the tenant and order of a token: ErrSessionInvalid when
// it was not signed with this secret (or was altered), ErrSessionExpired
// once past its expiry.
func (s *Sessions) Verify(token string) (tenantID, orderID string, err error) {
	if len(token) > 1024 {
		return "", "", ErrSessionInvalid
	}
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", "", ErrSessionInvalid
	}
	// The signature is compared as the string Sign writes, not decoded:
	// a decoder ignores the spare low bits of the last character of
	// unpadded base64 (unless strict) and line breaks (even when strict),
	// so one MAC would have several spellings. A link has exactly one (a
	// capability token must not be malleable: a list of revoked or used
	// links keyed by it would be bypassed). The payload needs no such
	// care: the MAC is over its exact characters.
	want := base64.RawURLEncoding.EncodeToString(s.mac(p))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return "", "", ErrSessionInvalid
	}
	body, err := base64.RawURLEncoding.Strict().DecodeString(p)
	if err != nil {
		return "", "", ErrSessionInvalid
	}
	var c claims
	if json.Unmarshal(body, &c) != nil || c.Tenant == "" || c.Order == "" {
		return "", "", ErrSessionInvalid
	}
	if !s.now().Before(time.Unix(c.Exp, 0)) {
		return "", "", ErrSessionExpired
	}
	return c.Tenant, c.Order, nil
}
