package api

import (
	"net/http"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/payouts"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
)

// PayoutJSON is a payout as the API shows it.
type PayoutJSON struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Destination string    `json:"destination"`
	AmountSats  int64     `json:"amount_sats"`
	MaxFeeSats  int64     `json:"max_fee_sats"`
	Status      string    `json:"status"`
	Final       bool      `json:"final"`
	FeeSats     int64     `json:"fee_sats"`
	PaymentHash string    `json:"payment_hash,omitempty"`
	Error       string    `json:"error,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

func payoutJSON(p *store.Payout) PayoutJSON {
	return PayoutJSON{ID: p.ID, Kind: p.Kind, Destination: p.Destination, AmountSats: p.AmountSats, MaxFeeSats: p.MaxFeeSats,
		Status: p.Status, Final: p.Status == store.PayoutSucceeded || p.Status == store.PayoutFailed, FeeSats: p.FeeSats,
		PaymentHash: p.PaymentHash, Error: p.Error, CreatedAt: p.CreatedAt.UTC()}
}

func (s *Server) createPayout(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	var req payouts.CreateRequest
	if e := decode(w, r, &req); e != nil {
		s.fail(w, r, e)
		return
	}
	p, created, err := s.Payouts.Create(r.Context(), t, req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusAccepted
	}
	writeJSON(w, status, payoutJSON(p))
}

func (s *Server) getPayout(w http.ResponseWriter, r *http.Request, t *store.Tenant) {
	p, err := s.Store.Payout(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, 200, payoutJSON(p))
}
