package secrets

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeal_OpensOnlyForItsTenantAndField(t *testing.T) {
	k, err := NewKeyring(NewMasterKey())
	require.NoError(t, err)
	ct, kid := k.Seal([]byte("type=blink;api-key=galoy_dev_x"), "tn_a", "connection_string")
	require.NotContains(t, ct, "galoy_dev_x")
	pt, err := k.Open(ct, kid, "tn_a", "connection_string")
	require.NoError(t, err)
	require.Equal(t, "type=blink;api-key=galoy_dev_x", string(pt))
	_, err = k.Open(ct, kid, "tn_b", "connection_string")
	require.ErrorIs(t, err, ErrOpen, "moved to another row")
	_, err = k.Open(ct, kid, "tn_a", "shop_webhook_secret")
	require.ErrorIs(t, err, ErrOpen, "moved to another column")
	tampered := []byte(ct)
	tampered[len(tampered)/2] ^= 1
	_, err = k.Open(string(tampered), kid, "tn_a", "connection_string")
	require.Error(t, err)
	ct2, _ := k.Seal([]byte("type=blink;api-key=galoy_dev_x"), "tn_a", "connection_string")
	require.NotEqual(t, ct, ct2, "a fresh nonce each time")
}

func TestKeyring_RotationOpensOldAndSealsNew(t *testing.T) {
	oldMaster, newMaster := NewMasterKey(), NewMasterKey()
	old, _ := NewKeyring(oldMaster)
	ct, oldID := old.Seal([]byte("s"), "t", "f")
	ring, err := NewKeyring(newMaster, oldMaster)
	require.NoError(t, err)
	pt, err := ring.Open(ct, oldID, "t", "f")
	require.NoError(t, err)
	require.Equal(t, "s", string(pt))
	_, newID := ring.Seal([]byte("s"), "t", "f")
	require.NotEqual(t, oldID, newID)
	fresh, _ := NewKeyring(newMaster)
	_, err = fresh.Open(ct, oldID, "t", "f")
	require.ErrorIs(t, err, ErrUnknownKey)
}

func TestNewKeyring_RefusesABadMasterKey(t *testing.T) {
	for _, k := range []string{"", "short", strings.Repeat("A", 44), "not base64!"} {
		_, err := NewKeyring(k)
		require.ErrorIs(t, err, ErrBadMasterKey, "%q", k)
	}
}

func TestToken_StoredAsHashComparedInConstantTime(t *testing.T) {
	tok, hash := NewToken()
	require.True(t, strings.HasPrefix(tok, TokenPrefix))
	require.NotContains(t, hash, tok)
	require.True(t, TokenMatches(tok, hash))
	require.False(t, TokenMatches(tok+"x", hash))
	require.Len(t, hash, 64)
}
