package blink

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsLoopback_OnlyLocalhostAndLoopbackAddresses(t *testing.T) {
	loopback := []string{"localhost", "LocalHost", "127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1"}
	for _, h := range loopback {
		assert.True(t, isLoopback(h), h)
	}
	notLoopback := []string{
		"evil.localhost", "a.b.localhost", "localhost.", "localhost.example", "localhostx", "",
		"128.0.0.1", "10.0.0.1", "0.0.0.0", "::", "::ffff:127.0.0.1", "::1%lo", "127.1", "0127.0.0.1",
		"api.blink.sv",
	}
	for _, h := range notLoopback {
		assert.False(t, isLoopback(h), h)
	}
}

func TestEndpoint_PlainHTTPOnlyToLoopback(t *testing.T) {
	allowed := []string{
		"http://localhost:4455/graphql", "http://127.0.0.1:8080/graphql", "http://127.9.9.9/graphql", "http://[::1]:4455/graphql",
	}
	for _, u := range allowed {
		_, err := New(testDevKey, WithEndpoint(u))
		assert.NoError(t, err, u)
	}
	refused := []string{
		"http://evil.localhost:4455/graphql", // goes to DNS, like any name
		"http://localhost.:4455/graphql",     // a fully qualified name: DNS too
		"http://api.localhost/graphql",
		"http://[::ffff:127.0.0.1]:4455/graphql",
		"http://192.168.1.10/graphql",
		"http://api.blink.sv/graphql",
	}
	for _, u := range refused {
		_, err := New(testDevKey, WithEndpoint(u))
		assert.ErrorIs(t, err, ErrConfig, u)
		_, err = New(testDevKey, WithEndpoint(u), WithAllowInsecureHTTP())
		assert.NoError(t, err, "%s with WithAllowInsecureHTTP", u)
	}
	_, err := New(testDevKey, WithEndpoint("https://api.blink.sv/graphql"), WithWebSocketURL("ws://evil.localhost/graphql"))
	assert.ErrorIs(t, err, ErrConfig, "the websocket endpoint follows the same rule")
}

func TestDeriveWebSocketURL_StaysWithinTheRegistrableDomain(t *testing.T) {
	cases := map[string]string{
		// api. is a label below a registrable domain: rewritten.
		"https://api.blink.sv/graphql":           "wss://ws.blink.sv/graphql",
		"https://api.staging.blink.sv/graphql":   "wss://ws.staging.blink.sv/graphql",
		"https://API.Blink.sv/graphql":           "wss://ws.Blink.sv/graphql",
		"https://api.blink.sv:8443/graphql?x=1":  "wss://ws.blink.sv:8443/graphql?x=1",
		"https://api.example.co.uk/graphql":      "wss://ws.example.co.uk/graphql",
		"https://api.shop.github.io/graphql":     "wss://ws.shop.github.io/graphql",
		"http://api.example.internal:80/graphql": "ws://ws.example.internal:80/graphql",
		// ws.X would be another party's host (X is a public suffix): kept.
		"https://api.github.io/graphql": "wss://api.github.io/graphql",
		"https://api.co.uk/graphql":     "wss://api.co.uk/graphql",
		"https://api.sv/graphql":        "wss://api.sv/graphql",
		"https://api.com/graphql":       "wss://api.com/graphql",
		"https://api.blink.sv./graphql": "wss://api.blink.sv./graphql",
		// IP literals and localhost: never rewritten.
		"http://127.0.0.1:8080/graphql":     "ws://127.0.0.1:8080/graphql",
		"http://[::1]:4455/graphql":         "ws://[::1]:4455/graphql",
		"http://localhost:4455/graphqlws":   "ws://localhost:4455/graphqlws",
		"http://api.localhost:4455/graphql": "ws://api.localhost:4455/graphql",
		"http://api.x.localhost/graphql":    "ws://api.x.localhost/graphql",
		"http://api.127.0.0.1/graphql":      "ws://api.127.0.0.1/graphql",
		// Hosts not starting with "api.": only the scheme changes.
		"https://blink.example.com/gql":  "wss://blink.example.com/gql",
		"https://myapi.example.com/gql":  "wss://myapi.example.com/gql",
		"https://apix.blink.sv/graphql":  "wss://apix.blink.sv/graphql",
		"https://x.api.blink.sv/graphql": "wss://x.api.blink.sv/graphql",
	}
	for in, want := range cases {
		got, err := DeriveWebSocketURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"ftp://x/graphql", "/graphql", "wss://ws.blink.sv/graphql"} {
		_, err := DeriveWebSocketURL(bad)
		assert.ErrorIs(t, err, ErrConfig, bad)
	}
}

func TestEndpoint_NewDerivesWebSocketOnlyOnTheSameSite(t *testing.T) {
	c, err := New(testKey, WithEndpoint("https://api.github.io/graphql"))
	require.NoError(t, err)
	assert.Equal(t, "wss://api.github.io/graphql", c.WebSocketURL(), "never ws.github.io, another party's host")

	c, err = New(testKey, WithEndpoint("https://api.shop.example/graphql"))
	require.NoError(t, err)
	assert.Equal(t, "wss://ws.shop.example/graphql", c.WebSocketURL())
}

func TestEnvironment_EndpointsAreTheDocumentedOnes(t *testing.T) {
	for env, want := range map[Environment][4]string{
		Production: {"https://api.blink.sv/graphql", "wss://ws.blink.sv/graphql", "mainnet", "blink_"},
		Staging:    {"https://api.staging.blink.sv/graphql", "wss://ws.staging.blink.sv/graphql", "signet", "galoy_staging_"},
		Local:      {"http://localhost:4455/graphql", "ws://localhost:4455/graphqlws", "regtest", "galoy_dev_"},
		"other":    {"", "", "", ""},
	} {
		assert.Equal(t, want, [4]string{env.URL(), env.WebSocketURL(), env.Network(), env.KeyPrefix()}, string(env))
	}
}
