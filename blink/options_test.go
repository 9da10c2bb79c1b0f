package blink

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithUserAgent_ControlCharactersAreRefusedBeforeAnyRequest(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()

	evil := "x\r\nX-Evil: 1"
	c, err := New(testKey, WithEndpoint(srv.URL), WithUserAgent(evil))
	require.ErrorIs(t, err, ErrConfig)
	assert.Nil(t, c)
	assert.NotContains(t, err.Error(), "X-Evil", "the value is not echoed")

	for _, ua := range []string{"a\nb", "a\rb", "a\x00b", "a\tb", "a\x1bb", "a\x7fb", "shop\u00e9/1", "shop/1\u2028", "\x85"} {
		_, err := New(testKey, WithEndpoint(srv.URL), WithUserAgent(ua))
		require.ErrorIs(t, err, ErrConfig, "%q", ua)
		assert.NotContains(t, err.Error(), ua)
	}
	assert.Zero(t, hits.Load(), "no request was made")
}

func TestWithUserAgent_PrintableASCIIIsSent(t *testing.T) {
	var got atomic.Value
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		got.Store(r.Header.Get("User-Agent"))
		writeJSON(w, 200, meData)
	})
	ua := "shop/1.2 (+https://shop.example; ops@shop.example) ~!@#$%^&*()_={}[]|\\:\"'<>,.?`"
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead), WithUserAgent(ua))
	_, err := c.Me(bg())
	require.NoError(t, err)
	assert.Equal(t, ua+" blink-go/"+Version, got.Load())

	_, err = New(testKey, WithUserAgent(""))
	assert.NoError(t, err, "empty keeps the SDK's token alone")
	assert.False(t, strings.ContainsAny(ua, "\r\n"))
}
