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

// Restrictions are a tenant's custodial restrictions as stored and shown
// in its dashboard (GET /v1/tenant) beside the wind-down banner.
type Restrictions struct {
	// DollarBalance is true when the account may not hold a USD balance.
	DollarBalance bool `json:"dollar_balance"`
	// Transfer is true when the account may not transfer.
	Transfer bool `json:"transfer"`
	// Message says what it means for the shop.
	Message string `json:"message"`
}

// ParseRestrictions reads stored restrictions (nil when none).
func ParseRestrictions(stored string) *Restrictions {
	if stored == "" {
		return nil
	}
	var r Restrictions
	if json.Unmarshal([]byte(stored), &r) != nil {
		return nil
	}
	return &r
}

func encodeRestrictions(r *blink.CustodialRestrictions) string {
	if r == nil || !r.Restricted() {
		return ""
	}
	out := Restrictions{DollarBalance: r.DollarBalance, Transfer: r.Transfer}
	switch {
	case r.DollarBalance && r.Transfer:
		out.Message = "Blink restricts this account in its region: it may not hold a dollar balance nor transfer"
	case r.Transfer:
		out.Message = "Blink restricts this account in its region: it may not transfer (payouts will fail)"
	default:
		out.Message = "Blink restricts this account in its region: it may not hold a dollar balance (USD wallets will not receive)"
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// receiveDisabledWindDown is the banner of an account whose invoice Blink
// refused with RECEIVE_DISABLED: a keyless tenant has no key to read the
// wind-down with, so the refusal is all it learns (message is Blink's).
func receiveDisabledWindDown(message string) string {
	b, _ := json.Marshal(WindDown{Status: string(blink.WindDownReceiveDisabled), ReceiveDisabled: true, Message: message})
	return string(b)
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

// CheckWindDown asks Blink (queries windDown and custodialRestrictions,
// scope READ) whether the key tenant's account is being wound down or is
// restricted, and records the answers; either is logged at error level,
// since payments to the account will stop. Keyless tenants have no key to
// ask with: a RECEIVE_DISABLED refusal of their invoice is recorded
// instead (see [Service.ReceiveRefused]).
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
	cr, err := r.c.CustodialRestrictions(ctx)
	if err != nil {
		return err
	}
	s.recordNotices(ctx, tenantID, w, cr)
	return nil
}

func (s *Service) recordNotices(ctx context.Context, tenantID string, w *blink.WindDown, cr *blink.CustodialRestrictions) {
	n := store.AccountNotices{WindDown: encodeWindDown(w), Restrictions: encodeRestrictions(cr), CheckedAt: timeNow()}
	s.logNotices(ctx, tenantID, w, n)
	if err := s.st.SetAccountNotices(ctx, tenantID, n); err != nil {
		s.log.ErrorContext(ctx, "recording a wind-down", "tenant", tenantID, "err", err)
	}
}

func (s *Service) logNotices(ctx context.Context, tenantID string, w *blink.WindDown, n store.AccountNotices) {
	if w.Active() {
		s.log.ErrorContext(ctx, "tenant account wind-down", "tenant", tenantID, "status", string(w.Status), "message", w.String())
	}
	if r := ParseRestrictions(n.Restrictions); r != nil {
		s.log.ErrorContext(ctx, "tenant account restricted", "tenant", tenantID, "message", r.Message)
	}
}

// ReceiveRefused records that Blink refused the tenant's invoice with
// RECEIVE_DISABLED (message is Blink's), so a keyless tenant's dashboard
// shows the wind-down it cannot read; a key tenant's next periodic check
// replaces it with the dates.
func (s *Service) ReceiveRefused(ctx context.Context, t *store.Tenant, message string) {
	if ParseWindDown(t.WindDown) != nil && ParseWindDown(t.WindDown).ReceiveDisabled {
		return
	}
	s.log.ErrorContext(ctx, "tenant account wind-down", "tenant", t.ID, "status", string(blink.WindDownReceiveDisabled), "message", message)
	n := store.AccountNotices{WindDown: receiveDisabledWindDown(message), Restrictions: t.Restrictions, CheckedAt: timeNow()}
	if err := s.st.SetAccountNotices(ctx, t.ID, n); err != nil {
		s.log.ErrorContext(ctx, "recording a wind-down", "tenant", t.ID, "err", err)
	}
}

// ReceiveWorked clears a keyless tenant's RECEIVE_DISABLED banner once
// Blink gives it an invoice again (a key tenant's is the periodic
// check's to clear).
func (s *Service) ReceiveWorked(ctx context.Context, t *store.Tenant) {
	if t.Mode != store.ModeAddress || t.WindDown == "" {
		return
	}
	if err := s.st.SetAccountNotices(ctx, t.ID, store.AccountNotices{Restrictions: t.Restrictions, CheckedAt: timeNow()}); err != nil {
		s.log.ErrorContext(ctx, "clearing a wind-down", "tenant", t.ID, "err", err)
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
