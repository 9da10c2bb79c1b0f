package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/apperr"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/orders"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
)

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	var req orders.CreateRequest
	if e := decode(w, r, &req); e != nil {
		s.fail(w, r, e)
		return
	}
	o, created, err := s.Orders.Create(r.Context(), t, req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, orders.JSON(o))
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	// The tenant comes from the token, never from the request: another
	// tenant's order id is simply not found.
	o, err := s.Store.Order(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, orders.JSON(o))
}

// checkoutLink answers a signed, short-lived link to the order's hosted
// checkout page: the shop redirects its customer there.
func (s *Server) checkoutLink(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	if s.Checkout == nil {
		s.fail(w, r, apperr.New(501, "checkout_unavailable", "the hosted checkout is not configured on this server"))
		return
	}
	o, err := s.Store.Order(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if o.PaymentRequest == "" {
		s.fail(w, r, apperr.New(409, "order_without_invoice", "the order has no invoice yet: create it again with the same order_id"))
		return
	}
	if o.Status != store.OrderCreated {
		s.fail(w, r, apperr.New(409, "order_settled", "the order is %s already", o.Status))
		return
	}
	path, exp := s.Checkout.Link(t.ID, o.OrderID)
	writeJSON(w, http.StatusCreated, map[string]any{"url": strings.TrimSuffix(s.PublicURL, "/") + path, "path": path, "expires_at": exp.UTC().Format(time.RFC3339)})
}
