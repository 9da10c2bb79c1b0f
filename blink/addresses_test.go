package blink

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestCreateOnChainAddress_IsANewAddressOfTheServersNetwork(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)

	a1, err := alice.Client.CreateOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(a1, "bcrt1"), "a regtest address: %s", a1)
	a2, err := alice.Client.CreateOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	assert.NotEqual(t, a1, a2, "each call creates a new address")

	cur, err := alice.Client.CurrentOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	assert.Equal(t, a2, cur, "the current address is the newest")

	// Money sent to it arrives in the wallet once confirmed.
	tx, err := srv.ReceiveOnChain(a1, 5_000)
	require.NoError(t, err)
	require.NoError(t, srv.ConfirmOnChain(tx))
	assert.Equal(t, int64(5_000), srv.Balance(alice.BTCWalletID))
}

func TestCreateOnChainAddress_MainnetAddressesStartWithBc1(t *testing.T) {
	srv := newFake(t, blinktest.WithNetwork("mainnet"))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	a, err := alice.Client.CurrentOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(a, "bc1"), a)
}

func TestCurrentOnChainAddress_IsStableAcrossCalls(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	a1, err := alice.Client.CurrentOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	a2, err := alice.Client.CurrentOnChainAddress(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	assert.Equal(t, a1, a2)
}

func TestCreateOnChainAddress_TwentyFirstInAnHourIsTooManyRequests(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	for range 20 {
		_, err := alice.Client.CreateOnChainAddress(bg(), alice.BTCWalletID)
		require.NoError(t, err)
	}
	_, err := alice.Client.CreateOnChainAddress(bg(), alice.BTCWalletID)
	require.ErrorIs(t, err, ErrTooManyRequests)
	assert.True(t, IsTransient(err))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "OnChainAddressCreate", e.Operation)
}

func TestCreateOnChainAddress_USDWalletGetsAnAddress(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	addr, err := alice.Client.CreateOnChainAddress(bg(), alice.USDWalletID)
	require.NoError(t, err)
	assert.NotEmpty(t, addr)
	assert.Equal(t, 1, srv.Requests("OnChainAddressCreate"))
}

func TestOnChainAddress_BadWalletIDIsRefusedBeforeSending(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := alice.Client.CreateOnChainAddress(bg(), "wallet")
	require.ErrorIs(t, err, ErrInvalidInput)
	_, err = alice.Client.CurrentOnChainAddress(bg(), "")
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 0, srv.Requests("OnChainAddressCreate"))
	assert.Equal(t, 0, srv.Requests("OnChainAddressCurrent"))
}

func TestOnChainAddress_ReadOnlyKeyIsRefusedBeforeSending(t *testing.T) {
	srv := newFake(t)
	reader := newFakeUser(t, srv, "alice", 0, 0, []string{"READ"})
	_, err := reader.Client.CreateOnChainAddress(bg(), reader.BTCWalletID)
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ScopeReceive, se.Needed)
	assert.Equal(t, 0, srv.Requests("OnChainAddressCreate"))
}
