package blink

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestParseLightningAddress_NormalisesPerLUD16(t *testing.T) {
	for in, want := range map[string]string{
		"Alice@Blink.SV":              "alice@blink.sv",
		"  lightning:bob@blink.sv ":   "bob@blink.sv",
		"alice":                       "alice@blink.sv",
		"Alice+USD":                   "alice+usd@blink.sv",
		"carol.x-y_z@pay.example.com": "carol.x-y_z@pay.example.com",
	} {
		a, err := ParseLightningAddress(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, a.String(), in)
	}
	a, err := ParseLightningAddress("alice+usd@blink.sv")
	require.NoError(t, err)
	assert.True(t, a.USD())
	assert.Equal(t, "alice", a.Username())
	assert.Equal(t, "https://blink.sv/.well-known/lnurlp/alice+usd", a.WellKnownURL())

	for _, bad := range []string{"", "@blink.sv", "a@b@blink.sv", "alice@127.0.0.1", "al ice@blink.sv", "alice@blink", "ａlice@blink.sv", "alice@blink.sv\u200b"} {
		_, err := ParseLightningAddress(bad)
		assert.ErrorIs(t, err, ErrInvalidInput, "%q", bad)
	}
}

func TestClientParseLightningAddress_BareUsernameTakesTheServersDomain(t *testing.T) {
	srv := newFake(t)
	c, err := New("", WithEndpoint(srv.URL()), fastRetry)
	require.NoError(t, err)
	a, err := c.ParseLightningAddress(bg(), "Shop")
	require.NoError(t, err)
	assert.Equal(t, "shop@"+blinktest.LightningAddressDomain, a.String())
	p, err := New("")
	require.NoError(t, err)
	a, err = p.ParseLightningAddress(bg(), "shop")
	require.NoError(t, err, "production's domain is known without asking")
	assert.Equal(t, "shop@blink.sv", a.String())
}

func TestLNURL_EncodesUpperCaseAndRoundTrips(t *testing.T) {
	a, err := ParseLightningAddress("alice@blink.sv")
	require.NoError(t, err)
	s, err := a.LNURL()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(s, "LNURL1"))
	assert.Equal(t, strings.ToUpper(s), s, "upper case, for QR codes")
	for _, in := range []string{s, strings.ToLower(s), "lightning:" + s} {
		u, err := DecodeLNURL(in)
		require.NoError(t, err)
		assert.Equal(t, "https://blink.sv/.well-known/lnurlp/alice", u)
	}
	mixed := s[:10] + strings.ToLower(s[10:])
	_, err = DecodeLNURL(mixed)
	assert.ErrorIs(t, err, ErrInvalidInput, "one case only")
	_, err = EncodeLNURL("http://blink.sv/x")
	assert.ErrorIs(t, err, ErrInvalidInput, "plain http")
	_, err = DecodeLNURL("https://blink.sv/x")
	assert.NoError(t, err)
}
