// Package api is the server's HTTP API: one http.Handler per concern
// (tenants, orders, payouts, Blink webhooks, health), mounted on one
// ServeMux with the standard library's routing patterns. The hosted
// checkout and metrics mount beside them on the *http.ServeMux that
// Handler returns (main.serve takes a func that adds routes).
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/apperr"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/orders"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/payouts"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 64 << 10

// Server holds what the handlers need.
type Server struct {
	Store    store.Store
	Tenants  *tenants.Service
	Orders   *orders.Service
	Payouts  *payouts.Service
	Webhooks http.Handler // Blink's deliveries (payments.Detector.WebhookHandler)
	Log      *slog.Logger
	// RequestTimeout bounds each request's context (default 30s).
	RequestTimeout time.Duration
	// RatePerSecond and RateBurst limit each tenant's authenticated
	// requests (and each source address's connects); 0 means no limit.
	RatePerSecond float64
	RateBurst     int

	// Checkout signs checkout session links (nil: POST
	// /v1/orders/{id}/checkout answers 501); PublicURL is the server's
	// address as payers reach it, put before the link's path.
	Checkout  CheckoutLinks
	PublicURL string

	limit *limiter
}

// CheckoutLinks makes the path of a signed checkout session.
type CheckoutLinks interface {
	Link(tenantID, orderID string) (path string, expires time.Time)
}

// Handler returns the API's routes.
func (s *Server) Handler() *http.ServeMux {
	if s.RatePerSecond > 0 && s.limit == nil {
		s.limit = newLimiter(s.RatePerSecond, s.RateBurst)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/tenants", s.wrap(http.HandlerFunc(s.connect)))
	mux.Handle("GET /v1/tenant", s.wrap(s.auth(s.getTenant)))
	mux.Handle("DELETE /v1/tenant", s.wrap(s.auth(s.disconnect)))
	mux.Handle("PUT /v1/tenant/webhook", s.wrap(s.auth(s.setWebhook)))
	mux.Handle("PUT /v1/tenant/blink-webhook-secret", s.wrap(s.auth(s.setBlinkSecret)))
	mux.Handle("GET /v1/events", s.wrap(s.auth(s.listEvents)))
	mux.Handle("POST /v1/orders", s.wrap(s.auth(s.createOrder)))
	mux.Handle("GET /v1/orders/{id}", s.wrap(s.auth(s.getOrder)))
	mux.Handle("POST /v1/orders/{id}/checkout", s.wrap(s.auth(s.checkoutLink)))
	mux.Handle("POST /v1/payouts", s.wrap(s.auth(s.createPayout)))
	mux.Handle("GET /v1/payouts/{id}", s.wrap(s.auth(s.getPayout)))
	mux.Handle("POST /v1/blink/webhooks/{tenant}", s.wrap(s.Webhooks))
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]string{"status": "ok"}) })
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Store.Ping(ctx); err != nil {
			writeJSON(w, 503, map[string]string{"status": "database unreachable"})
			return
		}
		writeJSON(w, 200, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apperr.Write(w, apperr.New(404, "not_found", "no such endpoint"))
	})
	return mux
}

// wrap adds the request deadline and logs the request (method, route,
// status; never headers or bodies).
func (s *Server) wrap(h http.Handler) http.Handler {
	timeout := s.RequestTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		start := time.Now()
		h.ServeHTTP(sw, r.WithContext(ctx))
		s.Log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", r.Method), slog.String("route", r.Pattern),
			slog.Int("status", sw.status), slog.Duration("took", time.Since(start)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

type tenantKey struct{}

// auth resolves "Authorization: Bearer mt_..." to the tenant.
func (s *Server) auth(h func(http.ResponseWriter, *http.Request, *store.Tenant)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || !strings.HasPrefix(tok, secrets.TokenPrefix) || len(tok) > 200 {
			apperr.Write(w, apperr.New(401, "unauthenticated", "send Authorization: Bearer <the tenant's API token>"))
			return
		}
		t, err := s.Store.TenantByTokenHash(r.Context(), secrets.HashToken(tok))
		if err != nil || !secrets.TokenMatches(tok, t.APITokenHash) {
			apperr.Write(w, apperr.New(401, "unauthenticated", "the API token is not valid"))
			return
		}
		if t.Status != store.StatusActive {
			apperr.Write(w, apperr.New(403, "tenant_disabled", "the tenant is disconnected"))
			return
		}
		if s.limited(w, "tenant:"+t.ID) {
			return
		}
		h(w, r, t)
	})
}

// decode reads one JSON object of at most MaxBody bytes into v (a pointer
// to a struct): a key that appears twice, or that is not exactly one of
// v's JSON field names, is refused (checkKeys), before v is filled.
func decode(w http.ResponseWriter, r *http.Request, v any) *apperr.Error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return apperr.New(415, "unsupported_media_type", "send Content-Type: application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.New(413, "body_too_large", "the body is larger than %d bytes", MaxBody)
		}
		return apperr.New(400, "invalid_body", "the body could not be read")
	}
	if e := checkKeys(body, fieldNames(v)); e != nil {
		return e
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			// ute.Field is a path of v's own field names, not the caller's text.
			return apperr.New(400, "invalid_json", "field %q has the wrong type", ute.Field)
		}
		if strings.HasPrefix(err.Error(), "json: unknown field") {
			return apperr.New(400, "unknown_field", "the body has a field this endpoint does not take")
		}
		return apperr.New(400, "invalid_json", "the body is not a JSON object")
	}
	return nil
}

// checkKeys walks body once, token by token, and refuses it unless it is
// one JSON object (or null) whose keys each appear once and are each
// exactly one of names (nil: any key). encoding/json alone would accept
// {"amount_sats":1,"amount_sats":1000} (it keeps the last duplicate) and
// {"AMOUNT_SATS":1000} (it matches keys to fields case-insensitively,
// with Unicode folding), while a proxy, a log or the shop's own code may
// read the first or only the exact spelling: a payment API refuses such
// an ambiguous body rather than guess. Only the top level is checked
// (the request types are flat); nested objects and arrays are skipped
// whole. The caller's key is never echoed (a secret pasted as a field
// name would come back in the error).
func checkKeys(body []byte, names map[string]bool) *apperr.Error {
	notObject := apperr.New(400, "invalid_json", "the body is not a JSON object")
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // numbers are skipped, not parsed: 1e400 is Decode's to judge
	tok, err := dec.Token()
	if err != nil {
		return notObject
	}
	if tok == nil { // null: Decode leaves v as it is
		return trailing(dec)
	}
	if tok != json.Delim('{') {
		return notObject
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return notObject
		}
		key, _ := tok.(string) // Token returns only strings in key position
		switch {
		case names != nil && !names[key]:
			return apperr.New(400, "unknown_field", "the body has a field this endpoint does not take (field names are lower case and exact: %s)", known(names))
		case seen[key]:
			if names == nil {
				return apperr.New(400, "duplicate_field", "a field appears more than once in the body")
			}
			return apperr.New(400, "duplicate_field", "field %q appears more than once in the body", key)
		}
		seen[key] = true
		if skipValue(dec) != nil {
			return notObject
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return notObject
	}
	return trailing(dec)
}

// skipValue reads one value from dec, a nested object or array whole.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// trailing refuses anything but white space after the body's value.
func trailing(dec *json.Decoder) *apperr.Error {
	if _, err := dec.Token(); err != io.EOF {
		return apperr.New(400, "invalid_json", "the body holds more than one JSON value")
	}
	return nil
}

// fieldNames returns the JSON names of the fields of the struct v points
// to, nil when v is not a pointer to a struct.
func fieldNames(v any) map[string]bool {
	t := reflect.TypeOf(v)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	names := make(map[string]bool)
	for _, f := range reflect.VisibleFields(t.Elem()) {
		if !f.IsExported() || f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names[name] = true
	}
	return names
}

// known lists names, sorted, for an error message.
func known(names map[string]bool) string {
	return strings.Join(slices.Sorted(maps.Keys(names)), ", ")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers err: its own status and code for an *apperr.Error, 404 for
// a missing row, 500 (logged, never shown) for anything else.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := apperr.As(err); ok {
		apperr.Write(w, e)
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		apperr.Write(w, apperr.New(404, "not_found", "no such resource"))
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		apperr.Write(w, apperr.New(504, "timeout", "the request took too long: try again"))
		return
	}
	s.Log.ErrorContext(r.Context(), "internal error", "route", r.Pattern, "err", err)
	apperr.Write(w, apperr.New(500, "internal", "internal error"))
}
