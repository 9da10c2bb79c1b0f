package blink

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestWindDown_NilWhenNoneAndActiveIsNilSafe(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, nil)
	wd, err := u.Client.WindDown(bg())
	require.NoError(t, err)
	assert.Nil(t, wd)
	assert.False(t, wd.Active())
	assert.False(t, wd.ReceiveDisabled(time.Now()))
	assert.Equal(t, "no wind-down", wd.String())
}

func TestWindDown_SetByTheFakeIsReadTyped(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, nil)
	cut := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	srv.SetWindDown(u.ID, &blinktest.WindDown{Status: "PRE_CUTOFF", ReceiveDisabledAt: cut, GateArmsAt: cut.AddDate(0, 0, 30),
		FinalDeadline: cut.AddDate(0, 0, 60), Timezone: "America/El_Salvador"})
	wd, err := u.Client.WindDown(bg())
	require.NoError(t, err)
	require.True(t, wd.Active())
	assert.Equal(t, WindDownPreCutoff, wd.Status)
	assert.True(t, wd.ReceiveDisabledAt.Equal(cut))
	assert.True(t, wd.FinalDeadline.Equal(cut.AddDate(0, 0, 60)))
	assert.False(t, wd.ReceiveDisabled(cut.Add(-time.Second)))
	assert.True(t, wd.ReceiveDisabled(cut))
	assert.Contains(t, wd.String(), "receiving stops 2026-06-01 00:00 CST")

	srv.SetWindDown(u.ID, &blinktest.WindDown{Status: "RECEIVE_DISABLED", ReceiveDisabledAt: cut})
	wd, err = u.Client.WindDown(bg())
	require.NoError(t, err)
	assert.True(t, wd.ReceiveDisabled(cut.AddDate(-1, 0, 0)), "the phase says so whatever the date")
	assert.Equal(t, "UTC", wd.Timezone)
}

func TestCustodialRestrictionsAndMigration_ReadFromTheFake(t *testing.T) {
	srv := newFake(t)
	srv.SetPrice(5_000_000)
	u := newFakeUser(t, srv, "alice", 10_000, 100, nil)
	r, err := u.Client.CustodialRestrictions(bg())
	require.NoError(t, err)
	assert.False(t, r.Restricted())
	m, err := u.Client.Migration(bg())
	require.NoError(t, err)
	assert.Equal(t, &Migration{Status: MigrationNotStarted, Preview: MigrationPreview{Balance: 12_000, Receive: 12_000}}, m)

	srv.SetCustodialRestrictions(u.ID, blinktest.CustodialRestrictions{Transfer: true})
	srv.SetMigration(u.ID, blinktest.Migration{Status: "TRANSFERRING", TransferPaymentHash: "ab", FeeSats: 100, FeeCoveredByBlink: true})
	r, err = u.Client.CustodialRestrictions(bg())
	require.NoError(t, err)
	assert.Equal(t, &CustodialRestrictions{Transfer: true}, r)
	assert.True(t, r.Restricted())
	m, err = u.Client.Migration(bg())
	require.NoError(t, err)
	assert.Equal(t, &Migration{Status: MigrationTransferring, TransferPaymentHash: "ab",
		Preview: MigrationPreview{Balance: 12_000, Fee: 100, FeeCoveredByBlink: true, Receive: 12_000}}, m)
}

func TestWindDown_NeedsREAD(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, []string{"RECEIVE"})
	_, err := u.Client.WindDown(bg())
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ScopeRead, se.Needed)
}

func TestWindDown_ReceiveDisabledFailsCreateInvoiceWithErrReceiveDisabled(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "alice", 0, 0, nil)
	srv.SetWindDown(u.ID, &blinktest.WindDown{Status: "GATED_CLOSED"})
	_, err := u.Client.CreateInvoice(bg(), u.BTCWalletID, 1_000, nil)
	assert.ErrorIs(t, err, ErrReceiveDisabled)
	wd, err := u.Client.WindDown(bg())
	require.NoError(t, err)
	assert.True(t, wd.ReceiveDisabled(time.Now()))
}
