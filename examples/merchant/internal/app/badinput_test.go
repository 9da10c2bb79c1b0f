package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/pgtest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
	"github.com/stretchr/testify/require"
)

func (r *rig) countRows(table string) int {
	var n int
	require.NoError(r.t, r.st.DB().QueryRow(`SELECT COUNT(*) FROM `+table).Scan(&n))
	return n
}

func TestConnect_BadInput_ClearCodeAndNothingStored(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	acct := r.fake.CreateAccount(blinktest.AccountOptions{})
	cs := func(key string) string {
		return fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s", r.fake.URL(), key, acct.BTCWalletID)
	}
	readOnly := r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead}})
	receiveOnly := r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeReceive}})
	all := r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{})
	good := r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: receiveScopes})
	other := r.fake.CreateAccount(blinktest.AccountOptions{})
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"malformed connection string", map[string]any{"name": "x", "connection_string": "type=blink;api-key"}, 400, "invalid_connection_string"},
		{"foreign type", map[string]any{"name": "x", "connection_string": "type=lnbits;api-key=" + good}, 400, "invalid_connection_string"},
		{"wrong environment", map[string]any{"name": "x", "connection_string": cs("blink_" + strings.Repeat("a1", 32))}, 400, "wrong_environment"},
		{"another server", map[string]any{"name": "x", "connection_string": "type=blink;server=https://evil.example/graphql;api-key=" + good}, 400, "wrong_server"},
		{"unknown key", map[string]any{"name": "x", "connection_string": cs("galoy_dev_" + strings.Repeat("b2", 32))}, 400, "invalid_api_key"},
		{"key without RECEIVE", map[string]any{"name": "x", "connection_string": cs(readOnly)}, 400, "missing_scope"},
		{"key without READ", map[string]any{"name": "x", "connection_string": cs(receiveOnly)}, 400, "missing_scope"},
		{"WRITE without payouts", map[string]any{"name": "x", "connection_string": cs(all)}, 400, "write_scope_without_payouts"},
		{"payouts without WRITE", map[string]any{"name": "x", "connection_string": cs(good), "enable_payouts": true}, 400, "missing_scope"},
		{"another account's wallet", map[string]any{"name": "x", "connection_string": fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s", r.fake.URL(), good, other.BTCWalletID)}, 400, "wallet_not_found"},
		{"bad webhook secret", map[string]any{"name": "x", "connection_string": cs(good), "blink_webhook_secret": "nope"}, 400, "invalid_webhook_secret"},
		{"bad shop URL", map[string]any{"name": "x", "connection_string": cs(good), "shop_webhook_url": "ftp://x"}, 400, "invalid_webhook_url"},
		{"no name", map[string]any{"connection_string": cs(good)}, 400, "invalid_name"},
		{"unknown field", map[string]any{"name": "x", "connection_string": cs(good), "admin": true}, 400, "unknown_field"},
		{"malformed JSON", []byte(`{"name": "x", `), 400, "invalid_json"},
		{"two JSON values", []byte(`{"name":"x"} {}`), 400, "invalid_json"},
		{"oversized JSON", []byte(`{"name":"` + strings.Repeat("a", 70<<10) + `"}`), 413, "body_too_large"},
		{"keyless, another domain", map[string]any{"name": "x", "lightning_address": "shop@blink.sv"}, 400, "foreign_lightning_address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			require.Equal(t, tc.status, r.do("POST", "/v1/tenants", "", tc.body, &e), "%+v", e)
			require.Equal(t, tc.code, e.Error.Code)
			require.NotEmpty(t, e.Error.Message)
			for _, k := range []string{good, readOnly, receiveOnly, all} {
				require.NotContains(t, e.Error.Message, k)
			}
		})
	}
	require.Zero(t, r.countRows("tenants"), "no refused connect stored anything")

	// A WRITE key with payouts is accepted, with the warning.
	var c connected
	require.Equal(t, 201, r.do("POST", "/v1/tenants", "", map[string]any{"name": "x", "connection_string": cs(all), "enable_payouts": true}, &c))
	require.Len(t, c.Warnings, 1)
	require.Contains(t, c.Warnings[0], "WRITE")
	// A second tenant on the same Blink account would share its invoice
	// external ids: refused.
	var e apiError
	require.Equal(t, 409, r.do("POST", "/v1/tenants", "", map[string]any{"name": "y", "connection_string": cs(good)}, &e))
	require.Equal(t, "account_already_connected", e.Error.Code)
	require.Equal(t, 1, r.countRows("tenants"))
}

func TestOrders_BadInput_ClearCodeAndNothingStored(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	for _, tc := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"zero amount", map[string]any{"order_id": "a"}, 400, "invalid_amount"},
		{"negative amount", map[string]any{"order_id": "a", "amount_sats": -5}, 400, "invalid_amount"},
		{"both units", map[string]any{"order_id": "a", "amount_sats": 5, "amount_cents": 5}, 400, "invalid_amount"},
		{"cents into a BTC wallet", map[string]any{"order_id": "a", "amount_cents": 5}, 400, "unsupported_amount_unit"},
		{"amount as string", map[string]any{"order_id": "a", "amount_sats": "5"}, 400, "invalid_json"},
		{"no order id", map[string]any{"amount_sats": 5}, 400, "invalid_order_id"},
		{"expiry not whole minutes", map[string]any{"order_id": "a", "amount_sats": 5, "expires_in": 90}, 400, "invalid_expiry"},
		{"expiry too long", map[string]any{"order_id": "a", "amount_sats": 5, "expires_in": 90000}, 400, "invalid_expiry"},
		{"memo too long", map[string]any{"order_id": "a", "amount_sats": 5, "memo": strings.Repeat("m", 700)}, 400, "invalid_memo"},
		{"oversized", []byte(`{"order_id":"` + strings.Repeat("a", 70<<10) + `"}`), 413, "body_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			require.Equal(t, tc.status, r.do("POST", "/v1/orders", f.token, tc.body, &e))
			require.Equal(t, tc.code, e.Error.Code)
		})
	}
	var e apiError
	require.Equal(t, 401, r.do("POST", "/v1/orders", "", map[string]any{"order_id": "a", "amount_sats": 5}, &e))
	require.Equal(t, "unauthenticated", e.Error.Code)
	require.Equal(t, 401, r.do("POST", "/v1/orders", "mt_forged", map[string]any{"order_id": "a", "amount_sats": 5}, &e))
	require.Zero(t, r.countRows("orders"))
	// The same order id with another amount is a conflict, not a second invoice.
	r.order(f, "same", 100)
	require.Equal(t, 409, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "same", "amount_sats": 101, "memo": "order same"}, &e))
	require.Equal(t, "order_exists", e.Error.Code)
	// Order ids outside ^[a-z0-9_-]+$ map to distinct external ids.
	a, b := r.order(f, "Order#1", 100), r.order(f, "order#1", 100)
	require.NotEqual(t, a.PaymentHash, b.PaymentHash)
}

func TestTenantIsolation_ATokenReadsNothingOfAnotherTenant(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	a := r.connect(receiveScopes, false, 0)
	b := r.connect(writeScopes, true, 10_000)
	r.order(a, "secret-order", 100)
	var e apiError
	require.Equal(t, 404, r.do("GET", "/v1/orders/secret-order", b.token, nil, &e))
	require.Equal(t, "not_found", e.Error.Code)
	// B creating the same order id makes B's own order, not A's.
	ob := r.order(b, "secret-order", 200)
	oa := orderJSON{}
	r.do("GET", "/v1/orders/secret-order", a.token, nil, &oa)
	require.NotEqual(t, oa.PaymentHash, ob.PaymentHash)
	var pj payoutJSON
	require.Equal(t, 202, r.do("POST", "/v1/payouts", b.token, map[string]any{"destination": "someone_x", "amount_sats": 1}, &pj))
	require.Equal(t, 404, r.do("GET", "/v1/payouts/"+pj.ID, a.token, nil, &e))
	require.NoError(t, r.fake.PayInvoice(ob.PaymentRequest))
	r.shop.waitFor([]string{paidKey("secret-order")}, 20*time.Second)
	var evs struct {
		Events []map[string]any `json:"events"`
	}
	r.do("GET", "/v1/events", a.token, nil, &evs)
	require.Empty(t, evs.Events, "B's order.paid is not in A's outbox")
	r.do("GET", "/v1/orders/secret-order", a.token, nil, &oa)
	require.Equal(t, "created", oa.Status, "B's payment did not touch A's order of the same id")
	var tj map[string]any
	r.do("GET", "/v1/tenant", a.token, nil, &tj)
	require.Equal(t, a.id, tj["id"])
}

func TestBlinkWebhooks_ForgedOrUnknown_Refused(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{NoStreams: true})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	o := r.order(f, "forged", 100)
	body := []byte(fmt.Sprintf(`{"accountId":"%s","walletId":"%s","eventType":"receive.lightning","transaction":{"id":"%s","walletId":"%s","status":"success","memo":null,"createdAt":"2026-01-01T00:00:00.000Z","settlementAmount":100,"settlementFee":0,"settlementCurrency":"BTC","settlementDisplayAmount":"0.1","settlementDisplayFee":"0","settlementDisplayPrice":{"base":"1","offset":"0","displayCurrency":"USD","walletCurrency":"BTC"},"initiationVia":{"type":"lightning","paymentHash":"%s","pubkey":"00"},"settlementVia":{"type":"lightning"}}}`,
		f.acct.ID, f.acct.BTCWalletID, strings.Repeat("ab", 12), f.acct.BTCWalletID, o.PaymentHash))
	post := func(path string, h http.Header) (int, string) {
		req, _ := http.NewRequest("POST", r.http.URL+path, bytes.NewReader(body))
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var e apiError
		raw, _ := io.ReadAll(resp.Body)
		jsonUnmarshal(raw, &e)
		return resp.StatusCode, e.Error.Code
	}
	forged, err := webhook.Sign(secrets.NewWebhookSecret(), "msg_1", time.Now(), body)
	require.NoError(t, err)
	code, ecode := post("/v1/blink/webhooks/"+f.id, forged)
	require.Equal(t, 401, code)
	require.Equal(t, "invalid_signature", ecode)
	code, ecode = post("/v1/blink/webhooks/tn_nobody", forged)
	require.Equal(t, 404, code)
	require.Equal(t, "unknown_tenant", ecode)
	// A genuine signature over an unpaid invoice moves nothing: it is a hint
	// checked against Blink.
	genuine, err := webhook.Sign(r.fake.WebhookSecret(f.acct.ID), "msg_2", time.Now(), body)
	require.NoError(t, err)
	code, _ = post("/v1/blink/webhooks/"+f.id, genuine)
	require.Equal(t, 204, code)
	var got orderJSON
	r.do("GET", "/v1/orders/forged", f.token, nil, &got)
	require.Equal(t, "created", got.Status)
}

// atRest runs a tenant through everything that stores a secret and returns
// the secrets, with the server stopped.
func atRest(t *testing.T, r *rig) map[string]string {
	r.start(app.Config{})
	f := r.connect(writeScopes, true, 50_000)
	r.enableBlinkWebhooks(f)
	o := r.order(f, "at-rest", 321)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	r.shop.waitFor([]string{paidKey("at-rest")}, 20*time.Second)
	shopSecret, err := r.app.Tenants.SetShopWebhook(context.Background(), f.id, r.shop.srv.URL+"/hook")
	require.NoError(t, err)
	var p payoutJSON
	require.Equal(t, 202, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "someone_x", "amount_sats": 1}, &p))
	r.waitPayoutFinal(f, p.ID)
	r.stop()
	needles := map[string]string{
		"API key":              f.key,
		"API key body":         strings.TrimPrefix(f.key, "galoy_dev_"),
		"API token":            f.token,
		"shop secret":          f.secret,
		"new shop secret":      shopSecret,
		"Blink webhook secret": r.fake.WebhookSecret(f.acct.ID),
		"connection string":    f.connS,
	}
	for what, n := range needles {
		if s, ok := strings.CutPrefix(n, "whsec_"); ok {
			needles[what+" body"] = s
		}
	}
	logs := r.logs.String()
	for what, n := range needles {
		require.NotContains(t, logs, n, "%s in the logs", what)
	}
	return needles
}

func requireAbsent(t *testing.T, raw []byte, needles map[string]string, where string) {
	t.Helper()
	for what, n := range needles {
		require.False(t, bytes.Contains(raw, []byte(n)), "%s found in %s", what, where)
	}
}

func TestAtRest_SQLiteFileHoldsNoKeySecretOrToken(t *testing.T) {
	r := newRig(t, "")
	needles := atRest(t, r)
	files, _ := filepath.Glob(r.dbPath() + "*") // the database, its WAL and shm
	require.NotEmpty(t, files)
	seen := false
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		requireAbsent(t, raw, needles, filepath.Base(file))
		seen = seen || bytes.Contains(raw, []byte(`"order_id":"at-rest"`))
	}
	require.True(t, seen, "control: the search sees the rows (the outbox payload)")
}

func TestAtRest_PostgresHoldsNoKeySecretOrToken(t *testing.T) {
	r := newRig(t, pgDatabase(t))
	needles := atRest(t, r)
	st, err := openStore(r)
	require.NoError(t, err)
	defer st.Close()
	for _, table := range []string{"tenants", "orders", "outbox", "payouts", "schema_migrations"} {
		var dump sql.NullString
		require.NoError(t, st.DB().QueryRow(`SELECT string_agg(t::text, E'\n') FROM `+table+` t`).Scan(&dump))
		requireAbsent(t, []byte(dump.String), needles, "table "+table)
	}
	// And the raw bytes of the cluster's files, after a checkpoint wrote
	// every page: tables, indexes and the write-ahead log.
	_, err = st.DB().Exec(`CHECKPOINT`)
	require.NoError(t, err)
	n, seen := 0, false
	require.NoError(t, filepath.WalkDir(pgtest.DataDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil // a file gone meanwhile
		}
		n++
		requireAbsent(t, raw, needles, path)
		seen = seen || bytes.Contains(raw, []byte(`"order_id":"at-rest"`))
		return nil
	}))
	require.Greater(t, n, 100)
	require.True(t, seen, "control: the search sees the rows (the outbox payload)")
}

func TestRotate_ResealsUnderTheNewKey_OldKeyNoLongerNeeded(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	r.enableBlinkWebhooks(f)
	r.stop()
	oldKey := r.keys
	newMaster := secrets.NewMasterKey()
	ring, err := secrets.NewKeyring(newMaster, masterOf(t, oldKey))
	require.NoError(t, err)
	st, err := openStore(r)
	require.NoError(t, err)
	n, err := tenants.Rotate(context.Background(), st, ring)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = tenants.Rotate(context.Background(), st, ring)
	require.NoError(t, err)
	require.Zero(t, n, "a second rotation has nothing to do")
	st.Close()
	r.keys, err = secrets.NewKeyring(newMaster) // the old key is gone
	require.NoError(t, err)
	r.start(app.Config{})
	o := r.order(f, "after-rotate", 100)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	r.shop.waitFor([]string{paidKey("after-rotate")}, 20*time.Second)
}

// A memo is free text: tab and newline are kept (other control characters
// are refused), and a retry whose first answer was lost still finds the
// invoice by its memo.
func TestOrders_MemoKeepsTabAndNewline(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	memo := "Order 7\n2 × coffee\tpaid at the counter"
	r.fake.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)
	var first orderJSON
	code := r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "memo-nl", "amount_sats": 70, "memo": memo}, &first)
	require.True(t, code == 201 || code >= 500, "answered %d", code)
	var o orderJSON
	require.Equal(t, 200, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "memo-nl", "amount_sats": 70, "memo": memo}, &o), "the retry takes the invoice Blink made")
	c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
	require.NoError(t, err)
	defer c.Close()
	inv, err := c.InvoiceByExternalID(context.Background(), f.acct.BTCWalletID, "memo-nl")
	require.NoError(t, err)
	require.Equal(t, inv.PaymentHash, o.PaymentHash, "Blink's one invoice for the order")
	d, err := blink.DecodeInvoice(o.PaymentRequest)
	require.NoError(t, err)
	require.Equal(t, memo, d.Description)
	var e apiError
	require.Equal(t, 400, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "memo-bell", "amount_sats": 70, "memo": "ding\a"}, &e))
	require.Equal(t, "invalid_memo", e.Error.Code)
}
