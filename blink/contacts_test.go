package blink

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestContacts_EmptySliceThenAddedByAnIntraledgerPayment(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 10_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	cs, err := alice.Client.Contacts(bg())
	require.NoError(t, err)
	assert.NotNil(t, cs)
	assert.Empty(t, cs)

	_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	cs, err = alice.Client.Contacts(bg())
	require.NoError(t, err)
	assert.Equal(t, []Contact{{Handle: "bob", Alias: "bob", TransactionsCount: 1}}, cs)
	cs, err = bob.Client.Contacts(bg())
	require.NoError(t, err)
	assert.Equal(t, []Contact{{Handle: "alice", Alias: "alice", TransactionsCount: 1}}, cs)

	k, err := alice.Client.SetContactAlias(bg(), "bob", "Bobby")
	require.NoError(t, err)
	assert.Equal(t, &Contact{Handle: "bob", Alias: "Bobby", TransactionsCount: 1}, k)
}

func TestCreateContact_TypeFromHandleAndCountsAgain(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	k, err := alice.Client.CreateContact(bg(), "zed@example.com", &ContactOptions{Alias: "Zedd"})
	require.NoError(t, err)
	assert.Equal(t, ContactLightningAddress, k.Type)
	assert.Equal(t, "Zedd", k.Alias)
	assert.Equal(t, 1, k.TransactionsCount)
	assert.NotEmpty(t, k.ID)
	assert.False(t, k.CreatedAt.IsZero())

	k, err = alice.Client.CreateContact(bg(), "carol", nil)
	require.NoError(t, err)
	assert.Equal(t, ContactIntraLedger, k.Type)
	k, err = alice.Client.CreateContact(bg(), "carol", &ContactOptions{Alias: "Caroline"})
	require.NoError(t, err)
	assert.Equal(t, 2, k.TransactionsCount, "an existing contact counts one more, as upstream's createContact")
	assert.Equal(t, "Caroline", k.Alias)

	cs, err := alice.Client.Contacts(bg())
	require.NoError(t, err)
	assert.Len(t, cs, 2)
}

func TestContacts_ErrorsAndLocalRefusals(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := alice.Client.SetContactAlias(bg(), "nobody", "Someone")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = alice.Client.CreateContact(bg(), "not a handle", nil)
	assert.ErrorIs(t, err, ErrInvalidInput)

	for _, err := range []error{
		func() error { _, err := alice.Client.CreateContact(bg(), " ", nil); return err }(),
		func() error {
			_, err := alice.Client.CreateContact(bg(), "bob", &ContactOptions{Type: "PHONE"})
			return err
		}(),
		func() error { _, err := alice.Client.SetContactAlias(bg(), "3x", "Alias"); return err }(),
		func() error { _, err := alice.Client.SetContactAlias(bg(), "bob", ""); return err }(),
	} {
		assert.ErrorIs(t, err, ErrInvalidInput)
	}
	assert.Equal(t, 1, srv.Requests("UserContactUpdateAlias"), "only the NOT_FOUND alias call was sent")
	assert.Equal(t, 1, srv.Requests("ContactCreate"), "only the bad handle was sent")
}
