package blink

import (
	"context"
	"fmt"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// WindDownStatus is the phase of a regional wind-down of custodial
// accounts.
type WindDownStatus string

// The phases of a wind-down, in order.
const (
	// WindDownPreCutoff: the account still works; receiving stops at
	// ReceiveDisabledAt.
	WindDownPreCutoff WindDownStatus = "PRE_CUTOFF"
	// WindDownReceiveDisabled: the account can no longer receive (invoice
	// creation and incoming payments fail with RECEIVE_DISABLED); the user
	// must move the funds out before FinalDeadline.
	WindDownReceiveDisabled WindDownStatus = "RECEIVE_DISABLED"
	// WindDownGatedClosed: the account is closed behind a gate.
	WindDownGatedClosed WindDownStatus = "GATED_CLOSED"
)

// WindDown is a regional wind-down of the account: Blink is closing
// custodial accounts in the account's region, and the account will stop
// receiving, then close. An integration that holds an API key must
// surface it loudly to its operator (a log line at error level, an alert,
// a banner): payments to the account will start failing on the dates
// below, and the user has to migrate the funds with the Blink app (the
// API does not migrate; API keys are refused by the migration mutations).
type WindDown struct {
	// Status is the current phase.
	Status WindDownStatus
	// ReceiveDisabledAt is when the account stops receiving.
	ReceiveDisabledAt time.Time
	// GateArmsAt is when the closing gate arms.
	GateArmsAt time.Time
	// FinalDeadline is when the account closes.
	FinalDeadline time.Time
	// Timezone is the region's IANA time zone, such as "America/El_Salvador".
	Timezone string
}

// Active reports whether a wind-down is under way. It is false for a nil
// *WindDown (Client.WindDown returns nil when the account is not wound
// down), so `if wd.Active()` needs no nil check.
func (w *WindDown) Active() bool { return w != nil && w.Status != "" }

// ReceiveDisabled reports whether the account can no longer receive at
// the given time: the phase is past PRE_CUTOFF, or ReceiveDisabledAt has
// passed.
func (w *WindDown) ReceiveDisabled(now time.Time) bool {
	if !w.Active() {
		return false
	}
	return w.Status != WindDownPreCutoff || (!w.ReceiveDisabledAt.IsZero() && !now.Before(w.ReceiveDisabledAt))
}

// String is a message fit for an operator: what happens and when.
func (w *WindDown) String() string {
	if !w.Active() {
		return "no wind-down"
	}
	const layout = "2006-01-02 15:04 MST"
	loc := time.UTC
	if l, err := time.LoadLocation(w.Timezone); err == nil {
		loc = l
	}
	return fmt.Sprintf("Blink account wind-down (%s): receiving stops %s; the account closes %s; migrate the funds with the Blink app",
		w.Status, w.ReceiveDisabledAt.In(loc).Format(layout), w.FinalDeadline.In(loc).Format(layout))
}

// WindDown returns the account's regional wind-down, or nil when there is
// none (query windDown; scope READ). Check it at start-up and
// periodically, and surface an active one loudly (see WindDown): it means
// the account will stop receiving. Use (*WindDown).Active, which is false
// for nil.
func (c *Client) WindDown(ctx context.Context) (*WindDown, error) {
	resp, err := gen.WindDown(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	w := resp.WindDown
	if w == nil {
		return nil, nil
	}
	return &WindDown{
		Status:            WindDownStatus(w.Status),
		ReceiveDisabledAt: w.ReceiveDisabledAt.Time(),
		GateArmsAt:        w.GateArmsAt.Time(),
		FinalDeadline:     w.FinalDeadline.Time(),
		Timezone:          w.Timezone,
	}, nil
}

// CustodialRestrictions are the restrictions on a custodial account in
// the user's region.
type CustodialRestrictions struct {
	// DollarBalance is true when the account may not hold a USD (Stablesats)
	// balance.
	DollarBalance bool
	// Transfer is true when the account may not transfer.
	Transfer bool
}

// Restricted reports whether any restriction applies.
func (r CustodialRestrictions) Restricted() bool { return r.DollarBalance || r.Transfer }

// CustodialRestrictions returns the restrictions on the account in the
// user's region (query custodialRestrictions; scope READ). Surface any
// restriction to the operator as loudly as a wind-down.
func (c *Client) CustodialRestrictions(ctx context.Context) (*CustodialRestrictions, error) {
	resp, err := gen.CustodialRestrictions(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	r := resp.CustodialRestrictions
	return &CustodialRestrictions{DollarBalance: r.DollarBalance, Transfer: r.Transfer}, nil
}

// MigrationStatus is the state of the move of a custodial account to a
// self-custodial wallet.
type MigrationStatus string

// The migration states.
const (
	MigrationNotStarted   MigrationStatus = "NOT_STARTED"
	MigrationInProgress   MigrationStatus = "IN_PROGRESS"
	MigrationTransferring MigrationStatus = "TRANSFERRING"
	MigrationCompleted    MigrationStatus = "COMPLETED"
	MigrationFailed       MigrationStatus = "FAILED"
)

// Migration is the account's migration to a self-custodial wallet. It is
// read only here: the migration runs in the Blink app, and the server
// refuses API keys on the migration mutations. After COMPLETED the account
// has no API key, websocket or webhooks; payments reach the user through
// the lightning address.
type Migration struct {
	// Status is the current state.
	Status MigrationStatus
	// TransferPaymentHash is the hash of the payment that moves the funds;
	// empty until the transfer starts.
	TransferPaymentHash string
	// Preview is what the migration would move.
	Preview MigrationPreview
}

// MigrationPreview is what a migration would move, in sats.
type MigrationPreview struct {
	Balance           Sats
	Fee               Sats
	FeeCoveredByBlink bool
	Receive           Sats
}

// Migration returns the account's migration status (query migration; scope
// READ); NOT_STARTED when the user never began one.
func (c *Client) Migration(ctx context.Context) (*Migration, error) {
	resp, err := gen.Migration(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	m := resp.Migration
	if m == nil {
		return &Migration{Status: MigrationNotStarted}, nil
	}
	out := &Migration{
		Status: MigrationStatus(m.Status),
		Preview: MigrationPreview{
			Balance: Sats(m.Preview.BalanceSats), Fee: Sats(m.Preview.FeeSats),
			FeeCoveredByBlink: m.Preview.FeeCoveredByBlink, Receive: Sats(m.Preview.ReceiveSats),
		},
	}
	if m.TransferPaymentHash != nil {
		out.TransferPaymentHash = *m.TransferPaymentHash
	}
	return out, nil
}
