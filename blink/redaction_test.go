package blink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedaction_PrintingClientAndConnectionStringHidesKey(t *testing.T) {
	c, err := New(testKey)
	require.NoError(t, err)
	cs := &ConnectionString{WalletID: "11111111-1111-4111-8111-111111111111"}
	require.NoError(t, cs.SetAPIKey(testKey))
	redacted := "blink_…" + testKey[len(testKey)-4:]

	var logBuf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Info("client", "client", c, "conn", cs)
	jsonOut, _ := json.Marshal(struct{ K *apiKey }{c.key})

	outputs := []string{
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c), fmt.Sprintf("%q", c), c.String(),
		fmt.Sprintf("%v", reflect.ValueOf(c).Elem()), fmt.Sprintf("%+v", reflect.ValueOf(c).Elem()), fmt.Sprintf("%#v", reflect.ValueOf(c).Elem()), fmt.Sprintf("%v", *cs), fmt.Sprintf("%+v", *cs), fmt.Sprintf("%#v", *cs), fmt.Sprintf("%+v", struct{ C *Client }{c}),
		fmt.Sprintf("%v", cs), fmt.Sprintf("%+v", cs), fmt.Sprintf("%#v", cs), fmt.Sprintf("%s", cs), cs.Redacted(),
		fmt.Sprintf("%+v", struct{ CS *ConnectionString }{cs}),
		fmt.Sprintf("%v %+v %#v", c.key, c.key, c.key),
		logBuf.String(), string(jsonOut),
	}
	for _, out := range outputs {
		assert.NotContains(t, out, testKey)
		assert.NotContains(t, out, testKey[6:20])
	}
	assert.Contains(t, c.String(), redacted)
	assert.Contains(t, logBuf.String(), redacted)
	assert.Contains(t, cs.String(), testKey, "String is the round-trippable form")
}

// A whole run through every failure path: no log record and no error
// string contains the key.
func TestRedaction_KeyNeverInLogsOrErrors(t *testing.T) {
	var logBuf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		switch n % 6 {
		case 1:
			writeJSON(w, 401, `{"error":{"code":401,"status":"Unauthorized","message":"Access credentials are invalid"}}`)
		case 2:
			writeJSON(w, 503, `busy`)
		case 3:
			dropConnection(w)
		case 4:
			writeJSON(w, 200, `{"data":null,"errors":[{"message":"Key is not authorized to read data"}]}`)
		case 5:
			writeJSON(w, 409, `{"error":"the idempotency key already exist"}`)
		default:
			writeJSON(w, 200, meData)
		}
	})
	var errs []error
	record := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	c, err := New(testKey, WithEndpoint(srv.URL), WithLogger(logger), fastRetry)
	require.NoError(t, err)
	for i := 0; i < 6; i++ {
		_, err := c.Me(bg())
		record(err)
		record(rawSend(bg(), c))
		_, err = c.Scopes(bg())
		record(err)
	}
	_, err = New(testKey, WithEnvironment(Staging))
	record(err)
	_, err = New(testKey + "x")
	record(err)
	_, err = New(testKey, WithEndpoint("http://remote.example/graphql"))
	record(err)
	_, err = ParseConnectionString("type=blink;api-key=" + testKey + ";api-key=" + testKey)
	record(err)
	_, err = ParseConnectionString("type=blink;api-key=" + testKey + "!;wallet-id=x")
	record(err)
	_, err = ParseConnectionString("type=blink;apikey=" + testKey)
	record(err)
	_, err = ParseConnectionString("type=lnbits;api-key=" + testKey)
	record(err)

	require.GreaterOrEqual(t, len(errs), 10)
	require.NotEmpty(t, logBuf.String(), "the debug log was written")
	for _, e := range errs {
		assert.NotContains(t, e.Error(), testKey)
		assert.NotContains(t, fmt.Sprintf("%+v", e), testKey)
		assert.NotContains(t, fmt.Sprintf("%#v", e), testKey[6:])
	}
	assert.NotContains(t, logBuf.String(), testKey)
	assert.False(t, strings.Contains(logBuf.String(), testKey[6:30]))
}

func TestNew_IsSilentByDefault(t *testing.T) {
	c, err := New(testKey)
	require.NoError(t, err)
	assert.False(t, c.log.Enabled(bg(), slog.LevelError))
}
