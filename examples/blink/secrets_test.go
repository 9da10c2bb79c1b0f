package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPayConfirm pins the confirmation on a terminal: "n" pays nothing, "y"
// pays once. (With no terminal, pay.txt pins that nothing is paid without
// --yes, even with a "y" piped in.)
func TestPayConfirm(t *testing.T) {
	srv, bob, aliceKey, bobKey := fakeWithAccounts(t)
	orig := stdinIsTerminal
	stdinIsTerminal = func(io.Reader) bool { return true }
	defer func() { stdinIsTerminal = orig }()

	t.Setenv("BLINK_API_KEY", aliceKey)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"pay", "bob", "--amount", "700"}, strings.NewReader("n\n"), &stdout, &stderr)
	assert.Equal(t, exitError, code, stderr.String())
	assert.Contains(t, stderr.String(), "Pay 700 sats to")
	assert.Contains(t, stderr.String(), "not confirmed")
	assert.Equal(t, int64(0), srv.Balance(bob.BTCWalletID).Value)

	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"pay", "bob", "--amount", "700"}, strings.NewReader("y\n"), &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	assert.Contains(t, stdout.String(), "SUCCEEDED")
	assert.Equal(t, int64(700), srv.Balance(bob.BTCWalletID).Value)
	for _, s := range []string{stdout.String(), stderr.String()} {
		assert.NotContains(t, s, aliceKey)
		assert.NotContains(t, s, bobKey)
	}
}

// TestPay_NoTerminalNoYesRefusesBeforeAnyCall: without --yes and with no
// terminal, pay refuses before it talks to the server.
func TestPay_NoTerminalNoYesRefusesBeforeAnyCall(t *testing.T) {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer api.Close()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("BLINK_API_URL", api.URL)
	t.Setenv("BLINK_ENV", "")
	t.Setenv("BLINK_CONNECTION_STRING", "")
	t.Setenv("BLINK_API_KEY", "galoy_dev_"+strings.Repeat("a", 64))
	for _, args := range [][]string{
		{"pay", "bob", "--amount", "10"},
		{"pay", "bob", "--amount", "0", "--yes"},
		{"pay", "bob", "--amount", "-1", "--yes"},
		{"pay", "bob", "--amount", "10", "--max-fee", "-1", "--yes"},
		{"pay", "bob@example.com", "--yes"},
	} {
		var stderr bytes.Buffer
		code := run(context.Background(), args, strings.NewReader("y\n"), io.Discard, &stderr)
		assert.Equal(t, exitUsage, code, "%v: %s", args, stderr.String())
	}
	assert.Zero(t, calls.Load(), "a refused pay made a network call")
}

func TestForwardURL_PlainHTTPOnlyToLoopback(t *testing.T) {
	for _, ok := range []string{"localhost:8080/hook", "http://localhost:8080/hook", "http://127.0.0.1:9/x", "http://[::1]:9/x", "https://example.com/hook"} {
		_, err := forwardURL(ok)
		assert.NoError(t, err, ok)
	}
	for _, bad := range []string{"http://example.com/hook", "example.com:8080/hook", "http://10.0.0.2/hook", "http://localhost.example.com/x", "http://u:secret@localhost:1/x", "ftp://localhost/x"} {
		_, err := forwardURL(bad)
		if assert.Error(t, err, bad) {
			assert.Equal(t, exitUsage, codeOf(err), bad)
			assert.NotContains(t, err.Error(), "secret", bad)
		}
	}
}

// TestForward_FollowsNoRedirect: a delivery goes to the --forward-to URL
// alone; a redirect there is reported, not followed.
func TestForward_FollowsNoRedirect(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/stolen", http.StatusTemporaryRedirect)
	}))
	defer hook.Close()
	status, err := post(context.Background(), forwardClient(), hook.URL, newWebhookSecret(), "msg_1", time.Now(), []byte(`{}`))
	require.NoError(t, err)
	assert.Equal(t, http.StatusTemporaryRedirect, status)
	assert.Zero(t, elsewhere.Load(), "the delivery followed the redirect")
}

// TestHelp_PrintsNoKeyFromTheEnvironment: cobra prints flag defaults in
// --help; the connection string (with its key) must not be one.
func TestHelp_PrintsNoKeyFromTheEnvironment(t *testing.T) {
	key := "galoy_dev_" + strings.Repeat("b", 64)
	cs := blink.ConnectionString{Server: "https://api.example.com/graphql"}
	require.NoError(t, cs.SetAPIKey(key))
	t.Setenv("BLINK_CONNECTION_STRING", cs.String())
	t.Setenv("BLINK_API_KEY", key)
	for _, args := range [][]string{{"--help"}, {"pay", "--help"}, {"login", "--help"}, {"listen", "--help"}, {"help", "fake"}} {
		var stdout, stderr bytes.Buffer
		run(context.Background(), args, nil, &stdout, &stderr)
		assert.NotContains(t, stdout.String()+stderr.String(), strings.Repeat("b", 20), args)
	}
}
