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
// middleware: a malformed key (or two headers) is refused with 400, a key
// seen in the last hour with 409 (the first response is not replayed),
// otherwise the key is locked before the request executes. ok reports
// whether the request may go on; otherwise refusal is the API's answer.
// The lock is taken on the key followed by suffix (apq.go).
func (s *Server) checkIdempotency(r *http.Request, suffix string) (refusal apiRefusal, ok bool) {
	vals := r.Header.Values("X-Idempotency-Key")
	if len(vals) == 0 || vals[0] == "" {
		return apiRefusal{}, true
	}
	if len(vals) > 1 {
		return apiRefusal{status: http.StatusBadRequest, body: idemNotSingleBody}, false
	}
	key := vals[0]
	if !idempotencyKeyRe.MatchString(key) {
		return apiRefusal{status: http.StatusBadRequest, body: idemNotUUIDBody}, false
	}
	key += suffix
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if until, locked := s.idemLocks[key]; locked && now.Before(until) {
		return conflict, false
	}
	s.idemLocks[key] = now.Add(IdempotencyLockTTL)
	return apiRefusal{}, true
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
