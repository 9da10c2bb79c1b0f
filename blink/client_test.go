package blink

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNew_InjectsKeyOnlyInHeader(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, 200, meData) })
	c := newTestClient(t, srv.URL+"/graphql", WithScopes(ScopeRead), WithUserAgent("shop/1.2"))

	me, err := c.Me(bg())
	require.NoError(t, err)
	assert.Equal(t, "alice", me.Username)
	assert.Equal(t, "a1", me.AccountID)
	assert.Equal(t, "ONE", me.Level)
	assert.Equal(t, BTC, me.DefaultWalletCurrency)

	reqs := srv.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, testKey, reqs[0].Header.Get("X-API-KEY"))
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	assert.Equal(t, "shop/1.2 blink-go/"+Version, reqs[0].Header.Get("User-Agent"))
	assert.Empty(t, reqs[0].Header.Get("X-Idempotency-Key"), "queries carry no idempotency key")
	assert.Equal(t, "Me", reqs[0].OpName)
	assert.NotContains(t, srv.URL, testKey)
}

func TestNew_WithoutKeySendsNoKeyHeader(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, `{"data":{"globals":{"network":"regtest","lightningAddressDomain":"x.test","nodesIds":["02ab"]}}}`)
	})
	c, err := New("", WithEndpoint(srv.URL))
	require.NoError(t, err)
	g, err := c.Globals(bg())
	require.NoError(t, err)
	assert.Equal(t, "regtest", g.Network)
	_, present := srv.requests()[0].Header["X-Api-Key"]
	assert.False(t, present)
}

func TestNew_EnvironmentsSelectEndpoints(t *testing.T) {
	cases := []struct {
		env     Environment
		key     string
		url, ws string
		network string
	}{
		{Production, testKey, "https://api.blink.sv/graphql", "wss://ws.blink.sv/graphql", "mainnet"},
		{Staging, testStagingKey, "https://api.staging.blink.sv/graphql", "wss://ws.staging.blink.sv/graphql", "signet"},
		{Local, testDevKey, "http://localhost:4455/graphql", "ws://localhost:4455/graphqlws", "regtest"},
	}
	for _, tc := range cases {
		t.Run(string(tc.env), func(t *testing.T) {
			c, err := New(tc.key, WithEnvironment(tc.env))
			require.NoError(t, err)
			assert.Equal(t, tc.url, c.Endpoint())
			assert.Equal(t, tc.ws, c.WebSocketURL())
			assert.Equal(t, tc.network, tc.env.Network())
		})
	}
	c, err := New(testKey)
	require.NoError(t, err)
	assert.Equal(t, Production, c.Environment(), "production is the default")
}

func TestDeriveWebSocketURL(t *testing.T) {
	cases := map[string]string{
		"https://api.blink.sv/graphql":         "wss://ws.blink.sv/graphql",
		"https://api.staging.blink.sv/graphql": "wss://ws.staging.blink.sv/graphql",
		"http://127.0.0.1:8080/graphql":        "ws://127.0.0.1:8080/graphql",
		"https://blink.example.com/gql":        "wss://blink.example.com/gql",
	}
	for in, want := range cases {
		got, err := DeriveWebSocketURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := DeriveWebSocketURL("ftp://x/graphql")
	assert.ErrorIs(t, err, ErrConfig)
}

func TestNew_CustomEndpointDerivesWebSocketUnlessGiven(t *testing.T) {
	c, err := New(testKey, WithEndpoint("https://api.example.com/graphql"))
	require.NoError(t, err)
	assert.Equal(t, "wss://ws.example.com/graphql", c.WebSocketURL())

	c, err = New(testKey, WithEndpoint("https://api.example.com/graphql"), WithWebSocketURL("wss://push.example.com/ws"))
	require.NoError(t, err)
	assert.Equal(t, "wss://push.example.com/ws", c.WebSocketURL())
}

func TestNew_RefusesBadConfiguration(t *testing.T) {
	cases := map[string]struct {
		key  string
		opts []Option
	}{
		"production key against staging":  {testKey, []Option{WithEnvironment(Staging)}},
		"staging key against production":  {testStagingKey, []Option{WithEnvironment(Production)}},
		"staging key against the default": {testStagingKey, nil},
		"dev key against production":      {testDevKey, nil},
		"unknown prefix":                  {"sk_live_" + strings.Repeat("a", 64), nil},
		"short key":                       {"blink_abc123", nil},
		"key with a symbol":               {"blink_" + strings.Repeat("a", 63) + "!", nil},
		"http to a remote host":           {testKey, []Option{WithEndpoint("http://api.example.com/graphql")}},
		"ws to a remote host":             {testKey, []Option{WithEndpoint("https://api.example.com/graphql"), WithWebSocketURL("ws://ws.example.com/graphql")}},
		"endpoint with credentials":       {testKey, []Option{WithEndpoint("https://user:pw@api.example.com/graphql")}},
		"relative endpoint":               {testKey, []Option{WithEndpoint("/graphql")}},
		"unknown environment":             {testKey, []Option{WithEnvironment("moon")}},
		"scopes without key":              {"", []Option{WithScopes(ScopeRead)}},
		"unknown scope":                   {testKey, []Option{WithScopes("ADMIN")}},
		"nil http client":                 {testKey, []Option{WithHTTPClient(nil)}},
		"negative timeout":                {testKey, []Option{WithTimeout(-1)}},
		"backoff max below min":           {testKey, []Option{WithRetryPolicy(RetryPolicy{MinBackoff: 2e9, MaxBackoff: 1e9})}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := New(tc.key, tc.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, ErrConfig)
			if tc.key != "" {
				assert.NotContains(t, err.Error(), tc.key)
			}
		})
	}
}

func TestNew_AllowsLoopbackHTTPAndExplicitInsecure(t *testing.T) {
	for _, u := range []string{"http://localhost:4455/graphql", "http://127.0.0.1:9/graphql", "http://[::1]:9/graphql"} {
		_, err := New(testKey, WithEndpoint(u))
		assert.NoError(t, err, u)
	}
	_, err := New(testKey, WithEndpoint("http://blink.internal/graphql"), WithAllowInsecureHTTP())
	assert.NoError(t, err)
}

func TestNewFromEnv(t *testing.T) {
	t.Setenv("BLINK_API_KEY", testStagingKey)
	t.Setenv("BLINK_ENV", "staging")
	t.Setenv("BLINK_API_URL", "")
	t.Setenv("BLINK_WS_URL", "")
	c, err := NewFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "https://api.staging.blink.sv/graphql", c.Endpoint())

	t.Setenv("BLINK_API_URL", "https://api.example.com/graphql")
	t.Setenv("BLINK_WS_URL", "wss://live.example.com/graphql")
	t.Setenv("BLINK_ENV", "production")
	_, err = NewFromEnv()
	require.ErrorIs(t, err, ErrConfig, "a staging key is checked against BLINK_ENV even with a custom URL")
	t.Setenv("BLINK_ENV", "")
	c, err = NewFromEnv()
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com/graphql", c.Endpoint())
	assert.Equal(t, "wss://live.example.com/graphql", c.WebSocketURL())

	t.Setenv("BLINK_API_KEY", "")
	_, err = NewFromEnv()
	assert.ErrorIs(t, err, ErrConfig)
}
