package fake

import (
	"net/http"
	"regexp"
	"time"
)

// idempotencyKeyRe is the real server's UuidRegex: versions 1 to 5 pass,
// although the error message asks for a UUID-v4.
var idempotencyKeyRe = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// IdempotencyLockTTL is how long an idempotency key stays locked.
const IdempotencyLockTTL = time.Hour

// checkIdempotency applies the X-Idempotency-Key rules of the real
// middleware: a malformed key is 400, a key seen in the last hour is 409
// (the first response is not replayed), otherwise the key is locked before
// the request executes. It reports whether the request may go on.
func (s *Server) checkIdempotency(w http.ResponseWriter, r *http.Request) bool {
	vals := r.Header.Values("X-Idempotency-Key")
	if len(vals) == 0 || vals[0] == "" {
		return true
	}
	if len(vals) > 1 {
		writeJSON(w, http.StatusBadRequest, `{"error":"X-Idempotency-Key header must be a single string"}`)
		return false
	}
	key := vals[0]
	if !idempotencyKeyRe.MatchString(key) {
		writeJSON(w, http.StatusBadRequest, `{"error":"X-Idempotency-Key header must be a UUID-v4"}`)
		return false
	}
	s.mu.Lock()
	now := s.now()
	until, locked := s.idemLocks[key]
	if locked && now.Before(until) {
		s.mu.Unlock()
		writeJSON(w, http.StatusConflict, `{"error":"the idempotency key already exist"}`)
		return false
	}
	s.idemLocks[key] = now.Add(IdempotencyLockTTL)
	s.mu.Unlock()
	return true
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
