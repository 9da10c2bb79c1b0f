package api

import (
	"net/http"

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
