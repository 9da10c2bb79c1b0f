// Package checkout is the hosted checkout page of an order: GET
// /checkout/{session} (HTML from html/template: the invoice as a QR code,
// the amount in sats and fiat, an expiry countdown) and GET
// /checkout/{session}/events (server-sent events: the status turns to
// "Paid" live), plus GET /checkout/{session}/status (JSON) for a shop's own
// page, the only routes CORS opens to the configured origins. Every route
// is reached only through a signed, short-lived session link (Sessions),
// and checks that the tenant is active and the order is the tenant's. The
// page gets the invoice and nothing else: no key, no token.
package checkout

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	qrcode "github.com/skip2/go-qrcode"
)

//go:embed templates/*.html
var files embed.FS

var (
	pageT  = template.Must(template.ParseFS(files, "templates/checkout.html"))
	errorT = template.Must(template.ParseFS(files, "templates/error.html"))
)

// Prices gives the fiat price of sats (a key-less blink.Client does).
type Prices interface {
	RealtimePrice(ctx context.Context, currency string) (*blink.RealtimePrice, error)
}

// Handler serves the checkout routes.
type Handler struct {
	Store    store.Store
	Sessions *Sessions
	Log      *slog.Logger
	// Prices, when set, shows the amount in FiatCurrency too (default USD).
	Prices       Prices
	FiatCurrency string
	// AllowedOrigins may read the checkout API (status, events) from a
	// browser: exact origins such as "https://shop.example"; none by
	// default. Never "*", and never with credentials.
	AllowedOrigins []string
	// Poll is how often an events stream looks at the order (default 500ms).
	Poll time.Duration
	// MaxStreams caps the event streams open at once (default 1000);
	// past it a stream is refused with 503 (the page still works: a
	// reload shows the status).
	MaxStreams int
	// Updated, when set, is a channel that is closed and replaced whenever
	// an order of this process settles, to wake streams at once.
	Updated func() <-chan struct{}

	streams atomic.Int64

	priceMu sync.Mutex
	price   *blink.RealtimePrice
	priceAt time.Time
}

// Mount adds the routes to mux, each wrapped in wrap (a rate limit by
// source address; nil for none).
func (h *Handler) Mount(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	if wrap == nil {
		wrap = func(h http.Handler) http.Handler { return h }
	}
	mux.Handle("GET /checkout/{session}", wrap(http.HandlerFunc(h.page)))
	mux.Handle("GET /checkout/{session}/events", wrap(h.cors(h.events)))
	mux.Handle("GET /checkout/{session}/status", wrap(h.cors(h.status)))
	mux.Handle("OPTIONS /checkout/{session}/{what}", wrap(h.cors(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
}

// Link returns the path of a checkout session for the tenant's order.
func (h *Handler) Link(tenantID, orderID string) (string, time.Time) {
	tok, exp := h.Sessions.Sign(tenantID, orderID)
	return "/checkout/" + tok, exp
}

// cors lets the configured origins read the checkout API. Credentials are
// never allowed (the API needs none: the session link is the capability).
func (h *Handler) cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Add("Vary", "Origin")
			if slices.Contains(h.AllowedOrigins, o) {
				w.Header().Set("Access-Control-Allow-Origin", o)
				w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
				w.Header().Set("Access-Control-Max-Age", "600")
			}
		}
		next(w, r)
	}
}

type sessionError struct {
	status      int
	code, title string
	message     string
}

// order resolves the session link to its order, or says why not.
func (h *Handler) order(ctx context.Context, token string) (*store.Tenant, *store.Order, *sessionError) {
	tenantID, orderID, err := h.Sessions.Verify(token)
	switch {
	case errors.Is(err, ErrSessionExpired):
		return nil, nil, &sessionError{410, "session_expired", "This checkout link has expired", "Go back to the shop for a new one."}
	case err != nil:
		return nil, nil, &sessionError{403, "session_invalid", "This checkout link is not valid", "Open the link the shop gave you, as it was."}
	}
	t, err := h.Store.Tenant(ctx, tenantID)
	if err != nil || t.Status != store.StatusActive {
		return nil, nil, &sessionError{403, "tenant_inactive", "This shop does not take payments here any more", "Contact the shop."}
	}
	// The order is looked up under the link's tenant only: an order id of
	// another tenant is not found.
	o, err := h.Store.Order(ctx, t.ID, orderID)
	if err != nil || o.PaymentRequest == "" {
		return nil, nil, &sessionError{404, "order_not_found", "This order does not exist", "Go back to the shop."}
	}
	return t, o, nil
}

func securityHeaders(w http.ResponseWriter, csp string) {
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
}

func (h *Handler) fail(w http.ResponseWriter, e *sessionError) {
	securityHeaders(w, "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(e.status)
	errorT.Execute(w, map[string]string{"Title": e.title, "Message": e.message, "Code": e.code})
}

var statusText = map[string]string{store.OrderCreated: "Waiting for payment", store.OrderPaid: "Paid", store.OrderExpired: "Expired",
	store.OrderPaidLate: "Paid (after the invoice expired)"}

// lateWatch is how long after an invoice's expiry an expired order's page
// still listens for a late payment (paid_late: a payment accepted before
// the expiry that settled after it, e.g. a held HTLC).
const lateWatch = 10 * time.Minute

// final says whether the order's page will not change any more: paid,
// paid_late, or expired for longer than lateWatch.
func final(o *store.Order) bool {
	switch o.Status {
	case store.OrderCreated:
		return false
	case store.OrderExpired:
		return !time.Now().Before(o.ExpiresAt.Add(lateWatch))
	}
	return true
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	t, o, e := h.order(ctx, r.PathValue("session"))
	if e != nil {
		h.fail(w, e)
		return
	}
	// Upper case: the QR code's alphanumeric mode, smaller and what
	// wallets expect of a BOLT11 QR.
	png, err := qrcode.Encode("LIGHTNING:"+strings.ToUpper(o.PaymentRequest), qrcode.Medium, 320)
	if err != nil {
		h.Log.ErrorContext(ctx, "checkout: QR code", "order", o.OrderID, "err", err)
		h.fail(w, &sessionError{500, "internal", "The checkout page failed", "Try again."})
		return
	}
	nonce := make([]byte, 16)
	rand.Read(nonce)
	n := base64.RawStdEncoding.EncodeToString(nonce)
	left := max(0, time.Until(o.ExpiresAt).Truncate(time.Second))
	data := map[string]any{
		"Shop": t.Name, "Memo": o.Memo, "Sats": formatSats(o.InvoiceSats), "Fiat": h.fiat(ctx, o.InvoiceSats),
		"PaymentRequest": o.PaymentRequest, "QR": template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)),
		"ExpiresUnix": o.ExpiresAt.Unix(), "ExpiresIn": fmt.Sprintf("%d:%02d", int(left.Minutes()), int(left.Seconds())%60),
		"Status": o.Status, "StatusText": statusText[o.Status], "Final": final(o), "Nonce": n,
	}
	var buf bytes.Buffer
	if err := pageT.Execute(&buf, data); err != nil {
		h.Log.ErrorContext(ctx, "checkout: template", "err", err)
		h.fail(w, &sessionError{500, "internal", "The checkout page failed", "Try again."})
		return
	}
	securityHeaders(w, "default-src 'none'; img-src data:; style-src 'nonce-"+n+"'; script-src 'nonce-"+n+"'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// statusJSON is what the status API and each event say. Final is true
// once the status will not change (the page stops listening).
type statusJSON struct {
	Status    string    `json:"status"`
	OrderID   string    `json:"order_id"`
	Sats      int64     `json:"amount_sats"`
	ExpiresAt time.Time `json:"expires_at"`
	Final     bool      `json:"final"`
}

func jsonOf(o *store.Order) []byte {
	b, _ := json.Marshal(statusJSON{Status: o.Status, OrderID: o.OrderID, Sats: o.InvoiceSats, ExpiresAt: o.ExpiresAt.UTC(), Final: final(o)})
	return b
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	_, o, e := h.order(ctx, r.PathValue("session"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if e != nil {
		w.WriteHeader(e.status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": e.code, "message": e.title}})
		return
	}
	w.Write(jsonOf(o))
}

// events streams the order's status (event "status") at once and on every
// change, until the order is final (an expired order is watched for
// lateWatch after its expiry, for a late payment), its invoice has expired
// for a minute (the browser then reconnects), the tenant is disconnected,
// or the client goes. Each write extends the write deadline, so the
// server's WriteTimeout does not cut the stream.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, o, e := h.order(ctx, r.PathValue("session"))
	if e != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": e.code, "message": e.title}})
		return
	}
	limit := h.MaxStreams
	if limit <= 0 {
		limit = 1000
	}
	if h.streams.Add(1) > int64(limit) {
		h.streams.Add(-1)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many live checkouts: retry", http.StatusServiceUnavailable)
		return
	}
	defer h.streams.Add(-1)
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	send := func(event string, data []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	poll := h.Poll
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	last := o.Status
	if !send("status", jsonOf(o)) || final(o) {
		return
	}
	endAt := o.ExpiresAt.Add(time.Minute)
	if o.Status == store.OrderExpired {
		endAt = o.ExpiresAt.Add(lateWatch)
	}
	end := time.NewTimer(max(time.Until(endAt), time.Minute))
	defer end.Stop()
	tick := time.NewTicker(poll)
	defer tick.Stop()
	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	for {
		var wake <-chan struct{}
		if h.Updated != nil {
			wake = h.Updated()
		}
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-beat.C:
			rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			continue
		case <-tick.C:
		case <-wake:
		}
		// The stream is a session too: it lasts while the tenant is active,
		// as a new request would (one read by primary key per poll).
		t, err := h.Store.Tenant(ctx, o.TenantID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && t.Status != store.StatusActive) {
			return
		}
		cur, err := h.Store.Order(ctx, o.TenantID, o.OrderID)
		if err != nil || cur.Status == last {
			continue
		}
		last = cur.Status
		if !send("status", jsonOf(cur)) || final(cur) {
			return
		}
	}
}

// fiat is the amount in the fiat currency ("" when the price is unknown),
// with a price at most a minute old.
func (h *Handler) fiat(ctx context.Context, sats int64) string {
	if h.Prices == nil {
		return ""
	}
	h.priceMu.Lock()
	p, at := h.price, h.priceAt
	h.priceMu.Unlock()
	if p == nil || time.Since(at) > time.Minute {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		np, err := h.Prices.RealtimePrice(pctx, h.FiatCurrency)
		cancel()
		if err != nil {
			h.Log.WarnContext(ctx, "checkout: price", "err", err)
		} else {
			p = np
			h.priceMu.Lock()
			h.price, h.priceAt = np, time.Now()
			h.priceMu.Unlock()
		}
	}
	if p == nil {
		return ""
	}
	minor := float64(sats) * float64(p.SatPrice.Base) / math.Pow10(p.SatPrice.Offset)
	major := minor / math.Pow10(p.FractionDigits)
	sym := p.Symbol
	if sym == "" {
		sym = p.Currency + " "
	}
	return fmt.Sprintf("%s%.*f %s", sym, p.FractionDigits, major, p.Currency)
}

func formatSats(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
