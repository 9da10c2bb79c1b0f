package blink

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestCreateInvoice_ExternalIDRetryReturnsTheCreatedInvoice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil) // the default retry policy
	srv.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)

	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, &InvoiceOptions{Memo: "order 42", ExternalID: "order-42"})
	require.NoError(t, err)
	assert.Equal(t, "order-42", inv.ExternalID)
	assert.Equal(t, Sats(1_000), inv.Amount)
	assert.Equal(t, 2, srv.Requests("LnInvoiceCreate"), "the lost answer was retried")
	assert.Equal(t, 2, srv.Executions("LnInvoiceCreate"), "the retry executed and met the duplicate external id")

	same := rcvInvoicesWithExternalID(t, alice, alice.BTCWalletID, "order-42")
	require.Len(t, same, 1, "exactly one invoice carries the external id")
	assert.Equal(t, same[0].PaymentHash, inv.PaymentHash)
	assert.Equal(t, inv.PaymentRequest, same[0].PaymentRequest)

	// The returned invoice is the real one: paying it credits the wallet.
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	assert.Equal(t, int64(1_000), srv.Balance(alice.BTCWalletID))
	var received int
	for _, tx := range srv.Ledger(alice.BTCWalletID) {
		if tx.ExternalID == "order-42" {
			received++
			assert.Equal(t, inv.PaymentHash, tx.PaymentHash)
		}
	}
	assert.Equal(t, 1, received, "one ledger entry carries the external id")
}

func TestCreateInvoice_ExternalIDRetryOnAReusedConnectionReturnsTheCreatedInvoice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, fastRetry)
	// Warm a keep-alive connection up, so the dropped request went over a
	// reused connection (where net/http itself may resend).
	_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, nil)
	require.NoError(t, err)
	srv.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)

	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 500, &InvoiceOptions{ExternalID: "order-43"})
	require.NoError(t, err)
	same := rcvInvoicesWithExternalID(t, alice, alice.BTCWalletID, "order-43")
	require.Len(t, same, 1)
	assert.Equal(t, same[0].PaymentHash, inv.PaymentHash)
}

func TestCreateInvoice_ExternalIDCallerRetryAfterALostAnswerReturnsTheCreatedInvoice(t *testing.T) {
	srv := newFake(t)
	// No transport retry: the lost answer surfaces as a network failure and
	// the caller calls again with the same ExternalID.
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond, MaxRetryAfter: time.Millisecond}))
	srv.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)
	opts := &InvoiceOptions{Memo: "m", ExpiresIn: 10 * time.Minute, ExternalID: "order-44"}

	_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 700, opts)
	require.ErrorIs(t, err, ErrTransport)
	assert.True(t, IsTransient(err))

	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 700, opts)
	require.NoError(t, err)
	same := rcvInvoicesWithExternalID(t, alice, alice.BTCWalletID, "order-44")
	require.Len(t, same, 1)
	assert.Equal(t, same[0].PaymentHash, inv.PaymentHash)
	assert.Equal(t, 2, srv.Executions("LnInvoiceCreate"))
}

func TestCreateInvoice_SameExternalIDAndArgumentsReturnsTheSameInvoice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	for i, create := range []func(o *InvoiceOptions) (*Invoice, error){
		func(o *InvoiceOptions) (*Invoice, error) {
			return alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 99, o)
		},
		func(o *InvoiceOptions) (*Invoice, error) {
			return alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, 99, o)
		},
		func(o *InvoiceOptions) (*Invoice, error) {
			return alice.Client.CreateNoAmountInvoice(bg(), alice.BTCWalletID, o)
		},
	} {
		o := &InvoiceOptions{Memo: "same", ExternalID: "same-" + strings.Repeat("x", i+1)}
		first, err := create(o)
		require.NoError(t, err)
		again, err := create(o)
		require.NoError(t, err)
		assert.Equal(t, first.PaymentHash, again.PaymentHash)
	}
}

func TestCreateInvoice_ExternalIDReusedForAnotherInvoiceIsRefused(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{Memo: "a", ExternalID: "dup"})
	require.NoError(t, err)

	for name, call := range map[string]func() error{
		"other amount": func() error {
			_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 101, &InvoiceOptions{Memo: "a", ExternalID: "dup"})
			return err
		},
		"other memo": func() error {
			_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{Memo: "b", ExternalID: "dup"})
			return err
		},
		"other expiry": func() error {
			_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{Memo: "a", ExpiresIn: time.Hour, ExternalID: "dup"})
			return err
		},
		"no amount": func() error {
			_, err := alice.Client.CreateNoAmountInvoice(bg(), alice.BTCWalletID, &InvoiceOptions{Memo: "a", ExternalID: "dup"})
			return err
		},
		"other wallet": func() error {
			_, err := alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, 100, &InvoiceOptions{Memo: "a", ExternalID: "dup"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, ErrExternalIDExists)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.False(t, IsTransient(err))
			assert.Contains(t, err.Error(), "already exists")
			assert.NotContains(t, err.Error(), "may have created")
		})
	}
	assert.Len(t, rcvInvoicesWithExternalID(t, alice, alice.BTCWalletID, "dup"), 1)
}

func TestCreateInvoice_ExternalIDRetryWithoutReadSaysTheInvoiceMayExist(t *testing.T) {
	srv := newFake(t)
	recv := newFakeUser(t, srv, "alice", 0, 0, []string{"RECEIVE"}, fastRetry)
	srv.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)

	_, err := recv.Client.CreateInvoice(bg(), recv.BTCWalletID, 100, &InvoiceOptions{ExternalID: "order-7"})
	require.ErrorIs(t, err, ErrExternalIDExists)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.False(t, errors.Is(err, ErrInsufficientScope), "the creation was not refused for scope")
	assert.Contains(t, err.Error(), "may have created the invoice")
	assert.Contains(t, err.Error(), "READ")
	assert.Equal(t, 0, srv.Requests("Invoices"), "the look-up was refused before sending")
}

func TestCreateInvoiceForRecipient_ExternalIDRetryWithoutAKeySaysTheInvoiceMayExist(t *testing.T) {
	srv := newFake(t)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	anon, err := New("", WithEndpoint(srv.URL()), fastRetry)
	require.NoError(t, err)
	srv.InjectFault("LnInvoiceCreateOnBehalfOfRecipient", blinktest.Fault{DropAfterExecute: true}, 1)

	_, err = anon.CreateInvoiceForRecipient(bg(), RecipientWallet(bob.BTCWalletID), 100, &RecipientInvoiceOptions{InvoiceOptions: InvoiceOptions{ExternalID: "r-1"}})
	require.ErrorIs(t, err, ErrExternalIDExists)
	assert.Contains(t, err.Error(), "may have created the invoice")

	// The recipient's own key finds it.
	inv, err := bob.Client.CreateInvoiceForRecipient(bg(), RecipientWallet(bob.BTCWalletID), 100, &RecipientInvoiceOptions{InvoiceOptions: InvoiceOptions{ExternalID: "r-1"}})
	require.NoError(t, err)
	assert.Equal(t, "r-1", inv.ExternalID)
	assert.Len(t, rcvInvoicesWithExternalID(t, bob, bob.BTCWalletID, "r-1"), 1)
}
