package blink

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConnectionString_RoundTrips(t *testing.T) {
	canonical := []string{
		"type=blink;server=https://api.blink.sv/graphql;api-key=" + testKey + ";wallet-id=11111111-1111-4111-8111-111111111111",
		"type=blink;api-key=" + testKey,
		"type=blink;server=http://10.0.0.5:4455/graphql;api-key=" + testDevKey + ";wallet-id=11111111-1111-4111-8111-111111111111;currency=USD;allowinsecure=true",
	}
	for _, s := range canonical {
		cs, err := ParseConnectionString(s)
		require.NoError(t, err)
		assert.Equal(t, s, cs.String())
		again, err := ParseConnectionString(cs.String())
		require.NoError(t, err)
		assert.Equal(t, cs, again)
	}
}

func TestConnectionString_AcceptsLooseForms(t *testing.T) {
	cs, err := ParseConnectionString(" Type=Blink ; API-KEY=" + testKey + "; currency=usd; allowinsecure=FALSE;")
	require.NoError(t, err)
	assert.Equal(t, testKey, cs.APIKey)
	assert.Equal(t, USD, cs.Currency)
	assert.False(t, cs.AllowInsecure)
}

func TestConnectionString_RefusesMalformed(t *testing.T) {
	bad := map[string]string{
		"missing type":       "api-key=" + testKey,
		"other type":         "type=lnbits;api-key=" + testKey,
		"unknown key":        "type=blink;api-key=" + testKey + ";walletid=x",
		"duplicate key":      "type=blink;api-key=" + testKey + ";API-KEY=" + testKey,
		"no api key":         "type=blink;server=https://api.blink.sv/graphql",
		"malformed key":      "type=blink;api-key=blink_short",
		"bad server":         "type=blink;server=ftp://x;api-key=" + testKey,
		"server with creds":  "type=blink;server=https://a:b@x/graphql;api-key=" + testKey,
		"bad wallet":         "type=blink;api-key=" + testKey + ";wallet-id=123",
		"bad currency":       "type=blink;api-key=" + testKey + ";currency=EUR",
		"bad allowinsecure":  "type=blink;api-key=" + testKey + ";allowinsecure=yes",
		"part without equal": "type=blink;" + testKey,
	}
	for name, s := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConnectionString(s)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.NotContains(t, err.Error(), testKey)
			assert.NotContains(t, err.Error(), testKey[6:])
		})
	}
}

func TestConnectionString_BuildsClient(t *testing.T) {
	c, cs, err := NewFromConnectionString("type=blink;server=https://api.staging.blink.sv/graphql;api-key=" + testStagingKey + ";wallet-id=11111111-1111-4111-8111-111111111111")
	require.NoError(t, err)
	assert.Equal(t, "https://api.staging.blink.sv/graphql", c.Endpoint())
	assert.Equal(t, "wss://ws.staging.blink.sv/graphql", c.WebSocketURL())
	assert.Equal(t, "11111111-1111-4111-8111-111111111111", cs.WalletID)

	_, _, err = NewFromConnectionString("type=blink;server=http://remote.example/graphql;api-key=" + testKey)
	assert.ErrorIs(t, err, ErrConfig, "plain http to a remote host needs allowinsecure=true")
	_, _, err = NewFromConnectionString("type=blink;server=http://remote.example/graphql;api-key=" + testKey + ";allowinsecure=true")
	assert.NoError(t, err)
}

func FuzzParseConnectionString(f *testing.F) {
	f.Add("type=blink;server=https://api.blink.sv/graphql;api-key=" + testKey + ";wallet-id=11111111-1111-4111-8111-111111111111")
	f.Add("type=blink;api-key=" + testKey + ";currency=USD;allowinsecure=true")
	f.Add("type=blink;;api-key==;")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParseConnectionString(s)
		if err != nil {
			if len(testKey) > 0 {
				assert.NotContains(t, err.Error(), testKey)
			}
			return
		}
		again, err := ParseConnectionString(cs.String())
		if err != nil {
			t.Fatalf("canonical form does not parse: %v", err)
		}
		if *again != *cs {
			t.Fatalf("round trip changed the value")
		}
	})
}
