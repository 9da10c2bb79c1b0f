package tenants

import (
	"context"
	"encoding/json"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
)

// WindDown is a tenant's account wind-down as stored and shown in its
// dashboard (GET /v1/tenant): Blink is closing custodial accounts in the
// account's region, and payments to it will start failing on these dates.
type WindDown struct {
	Status            string    `json:"status"`
	ReceiveDisabledAt time.Time `json:"receive_disabled_at,omitzero"`
	GateArmsAt        time.Time `json:"gate_arms_at,omitzero"`
	FinalDeadline     time.Time `json:"final_deadline,omitzero"`
	Timezone          string    `json:"timezone,omitempty"`
	// ReceiveDisabled is true once the account can no longer receive.
	ReceiveDisabled bool `json:"receive_disabled"`
	// Message is the SDK's sentence for the operator: what happens, when.
	Message string `json:"message"`
}

// ParseWindDown reads a stored wind-down (nil when none).
func ParseWindDown(stored string) *WindDown {
	if stored == "" {
		return nil
	}
	var w WindDown
	if json.Unmarshal([]byte(stored), &w) != nil {
		return nil
	}
	w.ReceiveDisabled = w.ReceiveDisabled || (!w.ReceiveDisabledAt.IsZero() && !timeNow().Before(w.ReceiveDisabledAt))
	return &w
}

func encodeWindDown(w *blink.WindDown) string {
	if !w.Active() {
		return ""
	}
	b, _ := json.Marshal(WindDown{
		Status: string(w.Status), ReceiveDisabledAt: w.ReceiveDisabledAt.UTC(), GateArmsAt: w.GateArmsAt.UTC(),
		FinalDeadline: w.FinalDeadline.UTC(), Timezone: w.Timezone, ReceiveDisabled: w.ReceiveDisabled(timeNow()), Message: w.String(),
	})
	return string(b)
}

// CheckWindDown asks Blink (query windDown, scope READ) whether the key
// tenant's account is being wound down and records the answer; an active
// one is logged at error level, since payments to the account will stop.
// Keyless tenants have no key to ask with (their invoices fail with
// receive_disabled instead).
func (s *Service) CheckWindDown(ctx context.Context, tenantID string) error {
	r, err := s.keyReceiver(ctx, tenantID)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	w, err := r.c.WindDown(ctx)
	if err != nil {
		return err
	}
	s.recordWindDown(ctx, tenantID, w)
	return nil
}

func (s *Service) recordWindDown(ctx context.Context, tenantID string, w *blink.WindDown) {
	if w.Active() {
		s.log.ErrorContext(ctx, "tenant account wind-down", "tenant", tenantID, "status", string(w.Status), "message", w.String())
	}
	if err := s.st.SetWindDown(ctx, tenantID, encodeWindDown(w), timeNow()); err != nil {
		s.log.ErrorContext(ctx, "recording a wind-down", "tenant", tenantID, "err", err)
	}
}

// CheckWindDowns checks every active key tenant (the periodic pass).
func (s *Service) CheckWindDowns(ctx context.Context) {
	ts, err := s.st.ActiveTenants(ctx)
	if err != nil {
		return
	}
	for _, t := range ts {
		if t.Mode != store.ModeKey || ctx.Err() != nil {
			continue
		}
		if err := s.CheckWindDown(ctx, t.ID); err != nil {
			s.log.WarnContext(ctx, "checking the wind-down", "tenant", t.ID, "err", err)
		}
	}
}
