package blink

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestCallbackEndpoints_AddListDelete(t *testing.T) {
	// Loopback http is allowed for tests; production takes https only.
	srv := newFake(t, blinktest.WithLoopbackWebhooks())
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)

	eps, err := alice.Client.CallbackEndpoints(bg())
	require.NoError(t, err)
	assert.Empty(t, eps)
	assert.NotNil(t, eps, "an empty slice, not nil")

	id1, err := alice.Client.AddCallbackEndpoint(bg(), "https://merchant.example/blink")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(id1, "ep_"), id1)
	id2, err := alice.Client.AddCallbackEndpoint(bg(), "http://localhost:8080/hook")
	require.NoError(t, err)

	eps, err = alice.Client.CallbackEndpoints(bg())
	require.NoError(t, err)
	assert.ElementsMatch(t, []CallbackEndpoint{
		{ID: id1, URL: "https://merchant.example/blink"},
		{ID: id2, URL: "http://localhost:8080/hook"},
	}, eps)

	require.NoError(t, alice.Client.DeleteCallbackEndpoint(bg(), id1))
	eps, err = alice.Client.CallbackEndpoints(bg())
	require.NoError(t, err)
	assert.Equal(t, []CallbackEndpoint{{ID: id2, URL: "http://localhost:8080/hook"}}, eps)

	err = alice.Client.DeleteCallbackEndpoint(bg(), id1)
	var e *Error
	require.ErrorAs(t, err, &e, "an unknown endpoint is the server's error")
	assert.Equal(t, "CallbackEndpointDelete", e.Operation)
}

func TestAddCallbackEndpoint_BadURLIsRefusedBeforeSending(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	for _, u := range []string{"", "merchant.example/blink", "/hook", "ftp://merchant.example/x", "https://", "https:///path", "https://exa mple.com/", "javascript:alert(1)"} {
		_, err := alice.Client.AddCallbackEndpoint(bg(), u)
		require.ErrorIs(t, err, ErrInvalidInput, "%q", u)
	}
	err := alice.Client.DeleteCallbackEndpoint(bg(), " ")
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 0, srv.Requests("CallbackEndpointAdd"))
	assert.Equal(t, 0, srv.Requests("CallbackEndpointDelete"))
}

func TestCallbackEndpoints_ScopesAreCheckedBeforeSending(t *testing.T) {
	srv := newFake(t)
	recv := newFakeUser(t, srv, "alice", 0, 0, []string{"READ", "RECEIVE"})
	_, err := recv.Client.AddCallbackEndpoint(bg(), "https://merchant.example/blink")
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ScopeWrite, se.Needed)
	require.ErrorIs(t, recv.Client.DeleteCallbackEndpoint(bg(), "ep_x"), ErrInsufficientScope)
	_, err = recv.Client.CallbackEndpoints(bg())
	require.NoError(t, err, "listing needs READ only")

	writer := newFakeUser(t, srv, "bob", 0, 0, []string{"WRITE"})
	_, err = writer.Client.CallbackEndpoints(bg())
	require.ErrorIs(t, err, ErrInsufficientScope, "WRITE does not imply READ")
	assert.Equal(t, 0, srv.Requests("CallbackEndpointAdd"))
	assert.Equal(t, 0, srv.Requests("CallbackEndpointDelete"))
	assert.Equal(t, 1, srv.Requests("CallbackEndpoints"))
}
