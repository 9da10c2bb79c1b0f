package testserver

import (
	"time"

	"github.com/blink-sdk/blink-go/internal/fake"
)

// WindDown is a regional wind-down of an account, as the windDown query
// returns it.
type WindDown struct {
	// Status is "PRE_CUTOFF", "RECEIVE_DISABLED" or "GATED_CLOSED".
	Status string
	// ReceiveDisabledAt is when the account stops receiving.
	ReceiveDisabledAt time.Time
	// GateArmsAt is when the closing gate arms.
	GateArmsAt time.Time
	// FinalDeadline is when the account closes.
	FinalDeadline time.Time
	// Timezone is an IANA zone name; "UTC" when empty.
	Timezone string
}

// SetWindDown sets (or, with nil, clears) what windDown answers for the
// account. It panics on an unknown account or status.
func (s *Server) SetWindDown(accountID string, w *WindDown) {
	if w == nil {
		s.fake.SetWindDown(accountID, nil)
		return
	}
	fw := fake.WindDown(*w)
	s.fake.SetWindDown(accountID, &fw)
}

// CustodialRestrictions are what custodialRestrictions answers.
type CustodialRestrictions struct {
	// DollarBalance: the account may not hold a USD balance.
	DollarBalance bool
	// Transfer: the account may not transfer.
	Transfer bool
}

// SetCustodialRestrictions sets what custodialRestrictions answers for the
// account (none by default). It panics on an unknown account.
func (s *Server) SetCustodialRestrictions(accountID string, r CustodialRestrictions) {
	s.fake.SetCustodialRestrictions(accountID, fake.CustodialRestrictions(r))
}

// Migration is what the migration query answers; the zero value is
// NOT_STARTED with a preview of the account's balances.
type Migration struct {
	// Status is "NOT_STARTED" (when empty), "IN_PROGRESS",
	// "TRANSFERRING", "COMPLETED" or "FAILED".
	Status string
	// TransferPaymentHash is the transfer's payment hash; "" = null.
	TransferPaymentHash string
	// FeeSats is the preview's fee in sats.
	FeeSats int64
	// FeeCoveredByBlink says Blink pays the fee.
	FeeCoveredByBlink bool
}

// SetMigration sets what migration answers for the account. It panics on
// an unknown account or status.
func (s *Server) SetMigration(accountID string, m Migration) {
	s.fake.SetMigration(accountID, fake.Migration(m))
}
