package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/stretchr/testify/require"
)

// lines is an io.Writer that hands each written chunk to a channel.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
	c   chan string
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	l.mu.Unlock()
	select {
	case l.c <- string(p):
	default:
	}
	return len(p), nil
}

// String is what was written so far.
func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func waitFor(t *testing.T, l *lines, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		l.mu.Lock()
		m := re.FindStringSubmatch(l.buf.String())
		l.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-l.c:
		case <-deadline:
			t.Fatalf("no %v in:\n%s", re, l.String())
		}
	}
}

func TestDemo_NoEnvironment_ServesADemoTenantOnSQLite(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, logs := &lines{c: make(chan string, 100)}, &lines{c: make(chan string, 1000)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, func(string) string { return "" }, out, logs)
	}()
	m := waitFor(t, out, regexp.MustCompile(`serving on (http://[0-9.:]+) .*\n(?s:.*)export TOKEN=(mt_\S+)`))
	base, token := m[1], m[2]

	body := `{"order_id":"order-1","amount_sats":1000,"memo":"Coffee"}`
	req, _ := http.NewRequest("POST", base+"/v1/orders", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var o struct {
		PaymentRequest string `json:"payment_request"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&o))
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)
	pay, _ := json.Marshal(map[string]string{"payment_request": o.PaymentRequest})
	resp, err = http.Post(base+"/demo/pay", "application/json", bytes.NewReader(pay))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 204, resp.StatusCode)
	waitFor(t, logs, regexp.MustCompile(`"msg":"demo shop received".*order\.paid`))
	require.NotContains(t, logs.String(), token, "the token is printed once to stdout, never logged")

	cancel()
	require.NoError(t, <-done)
}

func TestRotate_Subcommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "m.db")
	k1 := secrets.NewMasterKey()
	env := map[string]string{"BLINK_ENV": "local", "MERCHANT_MASTER_KEY": k1, "MERCHANT_SQLITE": db}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"rotate"}, getenv, &out, os.Stderr))
	require.Contains(t, out.String(), "re-sealed the secrets of 0 tenants")
	env["MERCHANT_MASTER_KEY"], env["MERCHANT_OLD_MASTER_KEYS"] = secrets.NewMasterKey(), k1
	out.Reset()
	require.NoError(t, run(context.Background(), []string{"rotate"}, getenv, &out, os.Stderr))
	env["MERCHANT_MASTER_KEY"] = "nope"
	require.ErrorIs(t, run(context.Background(), []string{"rotate"}, getenv, &out, os.Stderr), secrets.ErrBadMasterKey)
	delete(env, "MERCHANT_MASTER_KEY")
	require.ErrorContains(t, run(context.Background(), nil, getenv, &out, os.Stderr), "MERCHANT_MASTER_KEY")
}

func TestHelp_PrintsTheConfigurationTable(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"-h"}, func(string) string { return "" }, &out, &errs)
	require.NoError(t, err, "-h is no failure")
	for _, want := range []string{"FLAG", "ENVIRONMENT", "DEFAULT", "-addr", "MERCHANT_ADDR", "127.0.0.1:8080", "SESSION_SECRET", "DATABASE_URL", "-checkout-origins", "-session-ttl", "15m"} {
		require.Contains(t, errs.String(), want)
	}
}

func TestConfig_RefusesUnsafeValues(t *testing.T) {
	env := map[string]string{"SESSION_SECRET": "short", "MERCHANT_CHECKOUT_ORIGINS": "*"}
	_, err := parseConfig([]string{"-session-ttl", "48h"}, func(k string) string { return env[k] }, &bytes.Buffer{})
	require.ErrorContains(t, err, "SESSION_SECRET must be at least 32 bytes")
	require.ErrorContains(t, err, "never *")
	require.ErrorContains(t, err, "-session-ttl")
	c, err := parseConfig(nil, func(string) string { return "" }, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.Addr, "loopback by default")
	require.True(t, c.Keyless)
	require.Empty(t, c.CheckoutOrigins, "no CORS origin by default")
}
