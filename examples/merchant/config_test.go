package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestConfig_RefusesPlainHTTPBlinkURLToANonLoopbackHost: every tenant's
// key goes to BLINK_API_URL, so plain http is refused at start-up unless
// the host is loopback.
func TestConfig_RefusesPlainHTTPBlinkURLToANonLoopbackHost(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://api.blink.sv/graphql":              true,
		"http://localhost:4455/graphql":             true,
		"http://127.0.0.1:4455/graphql":             true,
		"http://[::1]:4455/graphql":                 true,
		"http://blink-upstream.example/graphql":     false,
		"http://10.0.0.5/graphql":                   false,
		"http://localhost.attacker.example/graphql": false,
		"ftp://api.blink.sv/graphql":                false,
		"api.blink.sv/graphql":                      false,
	} {
		env := map[string]string{"BLINK_API_URL": u, "BLINK_KEY_PREFIX": "galoy_dev_"}
		_, err := parseConfig(nil, func(k string) string { return env[k] }, &bytes.Buffer{})
		_, terr := tenantConfig(func(k string) string { return env[k] })
		if ok {
			require.NoError(t, err, u)
			require.NoError(t, terr, u)
		} else {
			require.ErrorContains(t, err, "BLINK_API_URL", u)
			require.Error(t, terr, u)
		}
	}
}
