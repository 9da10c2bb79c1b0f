package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
	"github.com/stretchr/testify/require"
)

// keylessConfig polls fast (the SDK's floor is 3s) and never reconciles
// on its own: a payment is seen by the shared watcher, or at start-up.
func keylessConfig() app.Config {
	return app.Config{KeylessOptions: tenants.KeylessOptions{PollFloor: 50 * time.Millisecond}}
}

// connectKeyless connects a migrated account's shop by lightning address only.
func (r *rig) connectKeyless(user string) (*tenantFixture, blinktest.Account) {
	r.t.Helper()
	acct := r.fake.CreateAccount(blinktest.AccountOptions{Username: user})
	r.fake.SetAccountKind(acct.ID, blinktest.AccountMigrated) // no key, no websocket, no webhooks: LNURL-pay only
	var c connected
	code := r.do("POST", "/v1/tenants", "", map[string]any{"name": "Keyless shop",
		"lightning_address": user + "@" + blinktest.LightningAddressDomain, "shop_webhook_url": r.shop.srv.URL + "/hook"}, &c)
	require.Equal(r.t, 201, code)
	r.shop.setSecret(c.Tenant.ID, c.ShopWebhookSecret)
	return &tenantFixture{acct: acct, id: c.Tenant.ID, token: c.APIToken}, acct
}

func TestKeyless_MigratedAccountByAddress_OrdersPaidReachTheShopOnce(t *testing.T) {
	eachDB(t, keylessEndToEnd)
}

func keylessEndToEnd(t *testing.T, dbURL string) {
	r := newRig(t, dbURL)
	r.start(keylessConfig())
	var e apiError
	require.Equal(t, 400, r.do("POST", "/v1/tenants", "", map[string]any{"name": "k", "lightning_address": "nobody@" + blinktest.LightningAddressDomain}, &e))
	require.Equal(t, "invalid_lightning_address", e.Error.Code)
	require.Equal(t, 400, r.do("POST", "/v1/tenants", "", map[string]any{"name": "k", "lightning_address": "shop@elsewhere.example"}, &e))
	require.Equal(t, "foreign_lightning_address", e.Error.Code)
	require.Equal(t, 400, r.do("POST", "/v1/tenants", "", map[string]any{"name": "k", "lightning_address": "keylessshop@" + blinktest.LightningAddressDomain, "enable_payouts": true}, &e))
	require.Equal(t, "payouts_need_key", e.Error.Code)

	f, acct := r.connectKeyless("keylessshop")
	var tj map[string]any
	r.do("GET", "/v1/tenant", f.token, nil, &tj)
	require.Equal(t, "address", tj["mode"])
	require.Nil(t, tj["key"])

	const n = 10
	var keys []string
	for i := range n {
		o := r.order(f, fmt.Sprintf("kl-%d", i), 250)
		again := r.order(f, fmt.Sprintf("kl-%d", i), 250)
		require.Equal(t, o.PaymentRequest, again.PaymentRequest, "a retried order keeps its invoice")
		require.NoError(t, r.fake.PayInvoice(o.PaymentRequest), "paid from outside")
		keys = append(keys, paidKey(o.OrderID))
	}
	r.shop.waitFor(keys, 30*time.Second)
	for i, k := range keys {
		require.Equal(t, 1, r.shop.count(k), k)
		var o orderJSON
		require.Equal(t, 200, r.do("GET", fmt.Sprintf("/v1/orders/kl-%d", i), f.token, nil, &o))
		require.Equal(t, "paid", o.Status)
	}
	require.Equal(t, int64(n*250), r.fake.Balance(acct.BTCWalletID).Value, "paid into the shop's own wallet")
	st := r.app.Stats
	require.Equal(t, int64(n), st.PaidByWatcher.Load()+st.PaidReconciler.Load(), "watcher and reconciler only (no stream, no webhooks)")
	require.Positive(t, st.PaidByWatcher.Load(), "the SDK's shared watcher saw payments")
	require.Equal(t, 0, r.app.Keyless().Watching(), "nothing left on the watcher")
	var p apiError
	require.Equal(t, 403, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "x_user", "amount_sats": 1}, &p))
}

// A payment made while no server runs is found at start-up (the
// reconciler's first pass), and the shop hears of it once.
func TestKeyless_PaidWhileDown_FoundAtRestart(t *testing.T) {
	r := newRig(t, "")
	r.start(keylessConfig())
	f, _ := r.connectKeyless("downshop")
	o := r.order(f, "down-1", 500)
	r.stop()
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	r.start(keylessConfig())
	r.shop.waitFor([]string{paidKey("down-1")}, 30*time.Second)
	require.Equal(t, 1, r.shop.count(paidKey("down-1")))
}
