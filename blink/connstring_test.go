package blink

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blink-sdk/blink-go/internal/redact"

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
	assert.Equal(t, testKey, cs.APIKey())
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
			assert.False(t, redact.Contains(err.Error(), testKey), "error says part of the key back: %s", err)
			return
		}
		again, err := ParseConnectionString(cs.String())
		if err != nil {
			t.Fatalf("canonical form does not parse: %v", err)
		}
		if again.String() != cs.String() || again.APIKey() != cs.APIKey() {
			t.Fatalf("round trip changed the value")
		}
	})
}

// realLookingKey returns a key of the real form whose 64 characters do not
// repeat (unlike testKey), so that finding any 8 of them in a text means
// they came from the key. It is built at run time from a fixed seed.
func realLookingKey(prefix string) string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	r := rand.New(rand.NewPCG(20260807, uint64(len(prefix))))
	b := make([]byte, keySecretLen)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return prefix + string(b)
}

func TestConnectionString_KeyUnreachableByPrintersOfEnclosingValues(t *testing.T) {
	key := realLookingKey("blink_")
	cs, err := ParseConnectionString("type=blink;server=https://api.blink.sv/graphql;api-key=" + key + ";wallet-id=11111111-1111-4111-8111-111111111111;currency=BTC")
	require.NoError(t, err)
	require.Equal(t, key, cs.APIKey())

	type exported struct{ CS ConnectionString }
	type unexported struct{ cs ConnectionString }
	type pointers struct {
		CS *ConnectionString
		cs *ConnectionString
	}
	type nested struct {
		List  []ConnectionString
		list  []ConnectionString
		PList []*ConnectionString
		Map   map[string]ConnectionString
		mp    map[string]*ConnectionString
		Inner unexported
		inner exported
	}
	values := map[string]any{
		"value":             *cs,
		"pointer":           cs,
		"exported field":    exported{*cs},
		"unexported field":  unexported{*cs},
		"pointer fields":    pointers{cs, cs},
		"pointer to struct": &unexported{*cs},
		"slice":             []ConnectionString{*cs, *cs},
		"slice of pointers": []*ConnectionString{cs},
		"map":               map[string]ConnectionString{"shop": *cs},
		"map of pointers":   map[string]*ConnectionString{"shop": cs},
		"nested": nested{
			List: []ConnectionString{*cs}, list: []ConnectionString{*cs}, PList: []*ConnectionString{cs},
			Map: map[string]ConnectionString{"a": *cs}, mp: map[string]*ConnectionString{"b": cs},
			Inner: unexported{*cs}, inner: exported{*cs},
		},
		"any in a struct": struct{ v any }{*cs},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			outputs := map[string]string{
				"%v":  fmt.Sprintf("%v", v),
				"%+v": fmt.Sprintf("%+v", v),
				"%#v": fmt.Sprintf("%#v", v),
				"%s":  fmt.Sprintf("%s", v),
				"%q":  fmt.Sprintf("%q", v),
				"%x":  fmt.Sprintf("%x", v),
				"%d":  fmt.Sprintf("%d", v),
			}
			if b, err := json.Marshal(v); err == nil {
				outputs["json"] = string(b)
			}
			// encoding/xml refuses maps; what it wrote before failing
			// counts too.
			var xb bytes.Buffer
			_ = xml.NewEncoder(&xb).Encode(struct {
				XMLName xml.Name `xml:"config"`
				V       any
			}{V: v})
			outputs["xml"] = xb.String()
			for _, h := range []func(*bytes.Buffer) slog.Handler{
				func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
				func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
			} {
				var lb bytes.Buffer
				slog.New(h(&lb)).Info("config", "v", v, slog.Group("g", "v", v))
				outputs[fmt.Sprintf("slog %T", h(&lb))] = lb.String()
			}
			for how, out := range outputs {
				assert.False(t, redact.Contains(out, key), "%s printed 8 or more characters of the key: %s", how, out)
				assert.NotContains(t, out, hex.EncodeToString([]byte(key[6:14])), "%s printed the key in hex: %s", how, out)
			}
		})
	}

	b, err := json.Marshal(exported{*cs})
	require.NoError(t, err)
	assert.Contains(t, string(b), RedactKey(key), "the exported field is written redacted")
}

func TestConnectionString_XMLIsRedacted(t *testing.T) {
	key := realLookingKey("blink_")
	cs, err := ParseConnectionString("type=blink;api-key=" + key)
	require.NoError(t, err)
	b, err := xml.Marshal(cs)
	require.NoError(t, err)
	assert.Equal(t, "<ConnectionString>type=blink;api-key="+RedactKey(key)+"</ConnectionString>", string(b))

	b, err = xml.Marshal(struct {
		XMLName xml.Name         `xml:"shop"`
		CS      ConnectionString `xml:"conn,attr"`
	}{CS: *cs})
	require.NoError(t, err, "as an attribute it goes through MarshalText")
	assert.False(t, redact.Contains(string(b), key), string(b))
	assert.Contains(t, string(b), RedactKey(key))
}

func TestConnectionString_SetAPIKeyValidatesAndLeavesCopiesAlone(t *testing.T) {
	key, other := realLookingKey("blink_"), realLookingKey("galoy_staging_")
	cs := ConnectionString{Server: "https://api.blink.sv/graphql"}
	assert.Equal(t, "", cs.APIKey(), "the zero value has no key")
	assert.Equal(t, "type=blink;server=https://api.blink.sv/graphql;api-key=(none)", cs.Redacted())

	require.NoError(t, cs.SetAPIKey(key))
	assert.Equal(t, key, cs.APIKey())
	assert.Equal(t, "type=blink;server=https://api.blink.sv/graphql;api-key="+key, cs.String())

	copied := cs
	require.NoError(t, cs.SetAPIKey(other))
	assert.Equal(t, other, cs.APIKey())
	assert.Equal(t, key, copied.APIKey(), "a copy made before keeps its key")

	for _, bad := range []string{"", key[:len(key)-1], key + "x", "blinkx" + key[6:], key[:20] + "-" + key[21:]} {
		err := cs.SetAPIKey(bad)
		require.ErrorIs(t, err, ErrConfig)
		assert.False(t, redact.Contains(err.Error(), key), err.Error())
		assert.Equal(t, other, cs.APIKey(), "a refused key leaves the old one")
	}
}

func TestConnectionString_NewClientUsesTheKey(t *testing.T) {
	key := realLookingKey("galoy_dev_")
	cs := &ConnectionString{Server: "http://localhost:4455/graphql"}
	require.NoError(t, cs.SetAPIKey(key))
	c, err := cs.NewClient()
	require.NoError(t, err)
	assert.True(t, c.HasKey())
	assert.Equal(t, "ws://localhost:4455/graphql", c.WebSocketURL())

	c, err = (&ConnectionString{}).NewClient()
	require.NoError(t, err)
	assert.False(t, c.HasKey(), "no key: a client for the public operations")
}

// A mistyped separator glues the key to a neighbouring part; no error says
// any of it back, before or after the "=".
func TestConnectionString_ParseErrorsNeverEchoTheInput(t *testing.T) {
	key := realLookingKey("blink_")
	wallet := "11111111-1111-4111-8111-111111111111"
	bad := []string{
		"type=blink;server=https://x;" + key,
		"type=blink;server=https://x;" + key + ";wallet-id=" + wallet,
		"type=blink;server=https://x;" + key[:30] + "=" + key[30:],
		"type=blink," + "api-key=" + key,
		"type=blink;server=https://api.blink.sv/graphql,api-key=" + key,
		"type=blink;server=https://api.blink.sv/graphql,api-key=" + key + ",wallet-id=" + wallet,
		"type=blink;api-key=" + key + ",wallet-id=" + wallet,
		"type=blink;api-key=" + key + " wallet-id=" + wallet,
		"type=blink;api-key:" + key,
		"type=blink;apikey=" + key,
		"type=blink;api_key=" + key,
		"type=blink;" + key + "=x",
		"type=blink;" + strings.ToUpper(key) + "=x",
		"type=blink;x" + key + "=" + key,
		"type=blink;api-key=" + key + ";api-key=" + key,
		"type=blink;api-key=" + key + "x",
		"type=blink;api-key=" + key[:40],
		"type=blink;api-key=\"" + key + "\"",
		"type=blink;wallet-id=" + key + ";api-key=" + key,
		"type=blink;currency=" + key + ";api-key=" + key,
		"type=blink;allowinsecure=" + key + ";api-key=" + key,
		"type=" + key + ";api-key=" + key,
		"type=blink;server=" + key + ";api-key=" + key,
		"type=blink;server=https://" + key + ".example,api-key=x;api-key=" + key,
		"type=blink;server=https://user:" + key + "@api.blink.sv/graphql;api-key=" + key,
		"type=blink;server=https://api.blink.sv/" + key + "\x00;api-key=" + key,
		"api-key=" + key,
		key,
		"type=blink\n" + "api-key=" + key,
	}
	for i, s := range bad {
		_, err := ParseConnectionString(s)
		require.ErrorIs(t, err, ErrInvalidInput, "case %d", i)
		for _, out := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), fmt.Sprintf("%v", []error{err})} {
			assert.False(t, redact.Contains(out, key), "case %d: %s", i, out)
			assert.False(t, redact.Contains(strings.ToLower(out), strings.ToLower(key)), "case %d (lowercased): %s", i, out)
		}
	}

	_, err := ParseConnectionString("type=blink;server=https://x;" + key[:30] + "=" + key[30:])
	assert.Contains(t, err.Error(), "part 3 has an unknown key", "the part is named by its number")
	_, err = ParseConnectionString("type=blink;;server=https://x;" + key)
	assert.Contains(t, err.Error(), "part 4 is not key=value", "empty parts count")
}

func TestConnectionString_ServerHostMustBeANameOrAddress(t *testing.T) {
	for _, server := range []string{"https://api.blink.sv/graphql", "http://127.0.0.1:4455/graphql", "http://[::1]:4455/graphql", "https://blink_proxy.internal/gql"} {
		_, err := ParseConnectionString("type=blink;server=" + server + ";api-key=" + testKey)
		assert.NoError(t, err, server)
	}
	for _, server := range []string{"https://x,api-key=y/graphql", "https://a=b/graphql", "https:///graphql", "https://[fe80::1%25eth0]/graphql"} {
		_, err := ParseConnectionString("type=blink;server=" + server + ";api-key=" + testKey)
		assert.ErrorIs(t, err, ErrInvalidInput, server)
	}
}
