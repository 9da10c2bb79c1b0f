package blinktest

import (
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/internal/testserver"
)

// WindDown is a regional wind-down to give an account (see
// Server.SetWindDown); blink.WindDown is what the SDK reads back.
type WindDown struct {
	// Status is the wind-down's phase.
	Status blink.WindDownStatus
	// ReceiveDisabledAt is when the account stops receiving.
	ReceiveDisabledAt time.Time
	// GateArmsAt is when the closing gate arms.
	GateArmsAt time.Time
	// FinalDeadline is when the account closes.
	FinalDeadline time.Time
	// Timezone is an IANA zone name; "UTC" when empty.
	Timezone string
}

// SetWindDown puts the account under a regional wind-down (nil lifts it),
// so that an integration can test the path where it must warn loudly:
// Client.WindDown then returns it. In the RECEIVE_DISABLED and
// GATED_CLOSED phases the account can no longer receive, as in
// production: creating invoices or on-chain addresses for it, and paying
// it from another account, fail with code RECEIVE_DISABLED. It panics on
// an unknown account or status.
func (s *Server) SetWindDown(accountID string, w *WindDown) {
	if w == nil {
		s.ts.SetWindDown(accountID, nil)
		return
	}
	s.ts.SetWindDown(accountID, &testserver.WindDown{
		Status: string(w.Status), ReceiveDisabledAt: w.ReceiveDisabledAt, GateArmsAt: w.GateArmsAt,
		FinalDeadline: w.FinalDeadline, Timezone: w.Timezone,
	})
}

// SetCustodialRestrictions sets what Client.CustodialRestrictions reads
// for the account (none by default). It panics on an unknown account.
func (s *Server) SetCustodialRestrictions(accountID string, r blink.CustodialRestrictions) {
	s.ts.SetCustodialRestrictions(accountID, testserver.CustodialRestrictions{DollarBalance: r.DollarBalance, Transfer: r.Transfer})
}

// Migration is a migration state to give an account (see
// Server.SetMigration).
type Migration struct {
	// Status is the state; blink.MigrationNotStarted when empty.
	Status blink.MigrationStatus
	// TransferPaymentHash is the transfer's payment hash; "" = none.
	TransferPaymentHash string
	// Fee is the preview's fee.
	Fee blink.Sats
	// FeeCoveredByBlink says Blink pays the fee.
	FeeCoveredByBlink bool
}

// SetMigration sets what Client.Migration reads for the account (the
// preview's balance is the account's balances in sats). It panics on an
// unknown account or status.
func (s *Server) SetMigration(accountID string, m Migration) {
	s.ts.SetMigration(accountID, testserver.Migration{
		Status: string(m.Status), TransferPaymentHash: m.TransferPaymentHash,
		FeeSats: int64(m.Fee), FeeCoveredByBlink: m.FeeCoveredByBlink,
	})
}
