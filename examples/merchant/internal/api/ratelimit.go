package api

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/apperr"
)

// limiter is a token bucket per tenant (per process: with several replicas
// each allows the rate, which bounds a tenant's load on each one).
type limiter struct {
	rate  float64 // tokens a second
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{rate: perSecond, burst: float64(max(burst, 1)), buckets: map[string]*bucket{}}
}

// take spends a token of key; when none is left it returns how long until one is.
func (l *limiter) take(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > 100_000 { // forget idle tenants rather than grow without bound
			clear(l.buckets)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// limited answers 429 rate_limited once key has spent its burst.
func (s *Server) limited(w http.ResponseWriter, key string) bool {
	if s.limit == nil {
		return false
	}
	ok, wait := s.limit.take(key, time.Now())
	if ok {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	apperr.Write(w, apperr.New(http.StatusTooManyRequests, "rate_limited", "too many requests for this tenant: retry after %s", wait.Round(time.Millisecond)))
	return true
}

// BySource limits h per source address with the API's rate (the hosted
// checkout's routes, which no token identifies); no limit when the rate is 0.
func (s *Server) BySource(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.limit != nil {
			if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && s.limited(w, "source:"+host) {
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}
