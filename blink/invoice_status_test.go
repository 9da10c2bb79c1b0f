package blink

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestInvoice_PaidFromOutsideReportsPaidWithThePreimage(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 2_000, nil)
	require.NoError(t, err)

	st, err := alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePending, st.Status)
	assert.Empty(t, st.Preimage)

	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))

	st, err = alice.Client.InvoiceStatus(bg(), strings.ToUpper(inv.PaymentHash))
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, st.Status)
	assert.Equal(t, inv.PaymentHash, st.PaymentHash)
	assert.Equal(t, inv.PaymentRequest, st.PaymentRequest)
	assert.True(t, rcvPreimageMatches(st.Preimage, inv.PaymentHash), "the preimage hashes to the payment hash")

	st2, err := alice.Client.InvoiceStatusByPaymentRequest(bg(), "lightning:"+inv.PaymentRequest)
	require.NoError(t, err)
	assert.Equal(t, *st, *st2)

	got, err := alice.Client.Invoice(bg(), alice.BTCWalletID, inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, got.Status)
	assert.Equal(t, inv.PaymentRequest, got.PaymentRequest)
	assert.Equal(t, Sats(2_000), got.Amount)
	assert.Equal(t, int64(2_000), srv.Balance(alice.BTCWalletID))
}

func TestInvoiceStatus_NeedsNoKey(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 5, nil)
	require.NoError(t, err)

	anon, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)
	st, err := anon.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePending, st.Status)
}

func TestInvoiceStatus_ExpiredOnceTheExpiryHasPassed(t *testing.T) {
	clk := newRcvClock()
	srv := newFake(t, blinktest.WithClock(clk.Now))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{ExpiresIn: time.Minute})
	require.NoError(t, err)

	clk.Advance(59 * time.Second)
	st, err := alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePending, st.Status)

	clk.Advance(time.Second)
	st, err = alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoiceExpired, st.Status)
	got, err := alice.Client.Invoice(bg(), alice.BTCWalletID, inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoiceExpired, got.Status)
	assert.Error(t, srv.PayInvoice(inv.PaymentRequest), "an expired invoice cannot be paid")
}

func TestInvoice_UnknownHashIsNotFound(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := alice.Client.Invoice(bg(), alice.BTCWalletID, strings.Repeat("0", 64))
	require.ErrorIs(t, err, ErrNotFound)
}

func TestInvoice_PaidByAnotherBlinkAccountReportsPaid(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	bob := newFakeUser(t, srv, "bob", 10_000, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 2_500, &InvoiceOptions{Memo: "rent"})
	require.NoError(t, err)

	_, err = bob.Client.PayInvoice(bg(), bob.BTCWalletID, inv.PaymentRequest, nil)
	require.NoError(t, err)

	st, err := alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, st.Status)
	assert.True(t, rcvPreimageMatches(st.Preimage, inv.PaymentHash))
	got, err := alice.Client.Invoice(bg(), alice.BTCWalletID, inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, got.Status)
	assert.Equal(t, int64(2_500), srv.Balance(alice.BTCWalletID))
	assert.Equal(t, int64(7_500), srv.Balance(bob.BTCWalletID))
}
