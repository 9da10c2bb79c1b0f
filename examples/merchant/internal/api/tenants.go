package api

import (
	"net"
	"net/http"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

// TenantJSON is a tenant as its owner sees it: no secret, the key as
// prefix and last four characters.
type TenantJSON struct {
	ID                   string    `json:"id"`
	Name                 string    `json:"name"`
	Mode                 string    `json:"mode"`
	Status               string    `json:"status"`
	Key                  string    `json:"key,omitempty"`
	Scopes               []string  `json:"scopes"`
	WalletID             string    `json:"wallet_id"`
	Currency             string    `json:"currency"`
	PayoutsEnabled       bool      `json:"payouts_enabled"`
	ShopWebhookURL       string    `json:"shop_webhook_url,omitempty"`
	BlinkWebhooksEnabled bool      `json:"blink_webhooks_enabled"`
	BlinkWebhookURL      string    `json:"blink_webhook_path"`
	CreatedAt            time.Time `json:"created_at"`
	// WindDown is the banner: Blink is closing the account (null when not).
	WindDown          *tenants.WindDown `json:"wind_down"`
	WindDownCheckedAt time.Time         `json:"wind_down_checked_at,omitzero"`
	// Restrictions are Blink's custodial restrictions on the account in
	// its region (null when none), read with the wind-down.
	Restrictions *tenants.Restrictions `json:"custodial_restrictions"`
}

func tenantJSON(t *store.Tenant) TenantJSON {
	j := TenantJSON{ID: t.ID, Name: t.Name, Mode: t.Mode, Status: t.Status, Scopes: t.Scopes, WalletID: t.WalletID,
		Currency: t.Currency, PayoutsEnabled: t.PayoutsEnabled, ShopWebhookURL: t.ShopWebhookURL,
		BlinkWebhooksEnabled: !t.Secrets.BlinkWebhook.IsZero(), BlinkWebhookURL: "/v1/blink/webhooks/" + t.ID, CreatedAt: t.CreatedAt.UTC()}
	j.WindDown, j.WindDownCheckedAt = tenants.ParseWindDown(t.WindDown), t.WindDownCheckedAt.UTC()
	j.Restrictions = tenants.ParseRestrictions(t.Restrictions)
	if t.KeyLast4 != "" {
		j.Key = t.KeyPrefix + "..." + t.KeyLast4
	}
	if j.Scopes == nil {
		j.Scopes = []string{}
	}
	return j
}

func (s *Server) connect(w http.ResponseWriter, r *http.Request) {
	// Each connect costs Blink requests: limit them per source address.
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil && s.limited(w, "connect:"+host) {
		return
	}
	var req tenants.ConnectRequest
	if e := decode(w, r, &req); e != nil {
		s.fail(w, r, e)
		return
	}
	c, err := s.Tenants.Connect(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"tenant":              tenantJSON(c.Tenant),
		"api_token":           c.APIToken,
		"shop_webhook_secret": c.ShopWebhookSecret,
		"warnings":            append([]string{}, c.Warnings...),
	})
}

func (s *Server) getTenant(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	writeJSON(w, 200, tenantJSON(t))
}

func (s *Server) disconnect(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	if err := s.Tenants.Disconnect(r.Context(), t.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setWebhook(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	var req struct {
		URL string `json:"url"`
	}
	if e := decode(w, r, &req); e != nil {
		s.fail(w, r, e)
		return
	}
	secret, err := s.Tenants.SetShopWebhook(r.Context(), t.ID, req.URL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, map[string]string{"url": req.URL, "secret": secret})
}

func (s *Server) setBlinkSecret(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	var req struct {
		Secret string `json:"secret"`
	}
	if e := decode(w, r, &req); e != nil {
		s.fail(w, r, e)
		return
	}
	if err := s.Tenants.SetBlinkWebhookSecret(r.Context(), t.ID, req.Secret); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	evs, err := s.Store.Events(r.Context(), t.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type ev struct {
		ID        string    `json:"id"`
		Type      string    `json:"type"`
		OrderID   string    `json:"order_id"`
		Status    string    `json:"status"`
		Attempts  int       `json:"attempts"`
		LastError string    `json:"last_error,omitempty"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := []ev{}
	for _, e := range evs {
		out = append(out, ev{e.ID, e.Type, e.OrderID, e.Status, e.Attempts, e.LastError, e.CreatedAt.UTC()})
	}
	writeJSON(w, 200, map[string]any{"events": out})
}
