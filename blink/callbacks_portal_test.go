package blink

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The portal link leads to the page that shows the whsec_ secret which
// signs the account's deliveries (blinktest's stand-in for Svix's portal).
func TestCallbackPortalURL_LeadsToTheAccountsSecret(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	u, err := alice.Client.CallbackPortalURL(bg())
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(u, "http://127.0.0.1:"), u)

	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	var page struct{ Secret string }
	require.NoError(t, json.NewDecoder(res.Body).Decode(&page))
	assert.Equal(t, srv.WebhookSecret(alice.ID), page.Secret)
	assert.True(t, strings.HasPrefix(page.Secret, "whsec_"))
}

// CallbackPortalURL needs READ, checked before anything is sent.
func TestCallbackPortalURL_NeedsReadBeforeSending(t *testing.T) {
	srv := newFake(t)
	recv := newFakeUser(t, srv, "shop", 0, 0, []string{"RECEIVE"})
	before := srv.Requests("CallbackPortalURL")
	_, err := recv.Client.CallbackPortalURL(bg())
	require.ErrorIs(t, err, ErrInsufficientScope)
	var se *ScopeError
	if assert.ErrorAs(t, err, &se) {
		assert.Equal(t, ScopeRead, se.Needed)
	}
	assert.Equal(t, before, srv.Requests("CallbackPortalURL"))
	assert.NotContains(t, err.Error(), "svix-portal")
}
