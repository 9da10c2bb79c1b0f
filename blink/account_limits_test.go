package blink

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestAccountLimits_RemainingFallsWithSends(t *testing.T) {
	srv := newFake(t)
	srv.SetPrice(5_000_000) // 2,000 sats a dollar
	alice := newFakeUser(t, srv, "alice", 100_000, 10_000, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	l, err := alice.Client.AccountLimits(bg())
	require.NoError(t, err)
	require.Len(t, l.Withdrawal, 1)
	assert.Equal(t, 24*time.Hour, l.Withdrawal[0].Interval)
	assert.Equal(t, Cents(100_000), l.Withdrawal[0].Total)
	assert.Equal(t, Cents(200_000), *l.IntraLedger[0].Remaining)
	assert.Equal(t, Cents(5_000_000), *l.Conversion[0].Remaining)

	_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 20_000, nil) // 10 USD
	require.NoError(t, err)
	inv, err := bob.Client.CreateInvoice(bg(), bob.BTCWalletID, 2_000, nil) // 1 USD, settles intraledger
	require.NoError(t, err)
	_, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, inv.PaymentRequest, nil)
	require.NoError(t, err)
	_, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(4_000, blinktest.OutcomeSuccess), nil) // 2 USD leaves Blink
	require.NoError(t, err)

	l, err = alice.Client.AccountLimits(bg())
	require.NoError(t, err)
	assert.Equal(t, Cents(200_000-1_100), *l.IntraLedger[0].Remaining)
	assert.Equal(t, Cents(100_000-200), *l.Withdrawal[0].Remaining)
	assert.Equal(t, Cents(5_000_000), *l.Conversion[0].Remaining)
}
