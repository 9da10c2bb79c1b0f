package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/stretchr/testify/require"
)

type tenantWindDown struct {
	WindDown *struct {
		Status            string    `json:"status"`
		ReceiveDisabledAt time.Time `json:"receive_disabled_at"`
		GateArmsAt        time.Time `json:"gate_arms_at"`
		FinalDeadline     time.Time `json:"final_deadline"`
		Timezone          string    `json:"timezone"`
		ReceiveDisabled   bool      `json:"receive_disabled"`
		Message           string    `json:"message"`
	} `json:"wind_down"`
	CheckedAt time.Time `json:"wind_down_checked_at"`
}

// A key tenant's wind-down is read at connect and periodically, stored,
// and shown as a banner (status and dates) in GET /v1/tenant.
func TestWindDown_KeyTenant_BannerWithDatesAtConnectAndPeriodically(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{WindDownInterval: time.Hour})
	f := r.connect(receiveScopes, false, 0)
	var tw tenantWindDown
	require.Equal(t, 200, r.do("GET", "/v1/tenant", f.token, nil, &tw))
	require.Nil(t, tw.WindDown, "no wind-down: no banner")
	require.False(t, tw.CheckedAt.IsZero(), "checked at connect")

	// A second account, wound down before it connects: connect warns.
	acct := r.fake.CreateAccount(blinktest.AccountOptions{})
	cutoff := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	wd := &blinktest.WindDown{Status: blink.WindDownPreCutoff, ReceiveDisabledAt: cutoff, GateArmsAt: cutoff.Add(24 * time.Hour),
		FinalDeadline: cutoff.Add(60 * 24 * time.Hour), Timezone: "America/El_Salvador"}
	r.fake.SetWindDown(acct.ID, wd)
	key := r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: receiveScopes})
	var c connected
	require.Equal(t, 201, r.do("POST", "/v1/tenants", "", map[string]any{"name": "Wound down",
		"connection_string": "type=blink;server=" + r.fake.URL() + ";api-key=" + key + ";wallet-id=" + acct.BTCWalletID}, &c))
	require.NotEmpty(t, c.Warnings)
	require.Contains(t, c.Warnings[len(c.Warnings)-1], "wind-down")
	require.Equal(t, 200, r.do("GET", "/v1/tenant", c.APIToken, nil, &tw))
	require.NotNil(t, tw.WindDown)
	require.Equal(t, "PRE_CUTOFF", tw.WindDown.Status)
	require.True(t, tw.WindDown.ReceiveDisabledAt.Equal(cutoff))
	require.True(t, tw.WindDown.FinalDeadline.Equal(wd.FinalDeadline))
	require.Equal(t, "America/El_Salvador", tw.WindDown.Timezone)
	require.False(t, tw.WindDown.ReceiveDisabled)
	require.Contains(t, tw.WindDown.Message, "receiving stops")

	// The first tenant's account is wound down later: the periodic check
	// (run here at once) shows it.
	r.fake.SetWindDown(f.acct.ID, &blinktest.WindDown{Status: blink.WindDownReceiveDisabled, ReceiveDisabledAt: time.Now().Add(-time.Hour),
		FinalDeadline: time.Now().Add(30 * 24 * time.Hour)})
	r.app.Tenants.CheckWindDowns(context.Background())
	require.Equal(t, 200, r.do("GET", "/v1/tenant", f.token, nil, &tw))
	require.NotNil(t, tw.WindDown)
	require.Equal(t, "RECEIVE_DISABLED", tw.WindDown.Status)
	require.True(t, tw.WindDown.ReceiveDisabled)
	require.Contains(t, r.logs.String(), `"msg":"tenant account wind-down"`)
	var e apiError
	require.Equal(t, 409, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "after-cutoff", "amount_sats": 100}, &e))
	require.Equal(t, "receive_disabled", e.Error.Code)

	// Lifted: the banner goes.
	r.fake.SetWindDown(f.acct.ID, nil)
	r.app.Tenants.CheckWindDowns(context.Background())
	tw = tenantWindDown{}
	require.Equal(t, 200, r.do("GET", "/v1/tenant", f.token, nil, &tw))
	require.Nil(t, tw.WindDown)
}

type tenantRestrictions struct {
	Restrictions *struct {
		DollarBalance bool   `json:"dollar_balance"`
		Transfer      bool   `json:"transfer"`
		Message       string `json:"message"`
	} `json:"custodial_restrictions"`
}

// A key tenant's custodial restrictions are read with the wind-down, at
// connect (a warning) and periodically, and shown in GET /v1/tenant.
func TestWindDown_KeyTenant_CustodialRestrictionsShown(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{WindDownInterval: time.Hour})
	acct := r.fake.CreateAccount(blinktest.AccountOptions{})
	r.fake.SetCustodialRestrictions(acct.ID, blink.CustodialRestrictions{Transfer: true})
	key := r.fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: receiveScopes})
	var c connected
	require.Equal(t, 201, r.do("POST", "/v1/tenants", "", map[string]any{"name": "Restricted",
		"connection_string": "type=blink;server=" + r.fake.URL() + ";api-key=" + key + ";wallet-id=" + acct.BTCWalletID}, &c))
	require.NotEmpty(t, c.Warnings)
	require.Contains(t, c.Warnings[len(c.Warnings)-1], "may not transfer")
	var tr tenantRestrictions
	require.Equal(t, 200, r.do("GET", "/v1/tenant", c.APIToken, nil, &tr))
	require.NotNil(t, tr.Restrictions)
	require.True(t, tr.Restrictions.Transfer)
	require.False(t, tr.Restrictions.DollarBalance)
	require.Contains(t, r.logs.String(), `"msg":"tenant account restricted"`)

	// Changed at Blink: the periodic check shows the new state, and lifted
	// it goes.
	r.fake.SetCustodialRestrictions(acct.ID, blink.CustodialRestrictions{DollarBalance: true})
	r.app.Tenants.CheckWindDowns(context.Background())
	require.Equal(t, 200, r.do("GET", "/v1/tenant", c.APIToken, nil, &tr))
	require.NotNil(t, tr.Restrictions)
	require.True(t, tr.Restrictions.DollarBalance)
	require.False(t, tr.Restrictions.Transfer)
	r.fake.SetCustodialRestrictions(acct.ID, blink.CustodialRestrictions{})
	r.app.Tenants.CheckWindDowns(context.Background())
	tr = tenantRestrictions{}
	require.Equal(t, 200, r.do("GET", "/v1/tenant", c.APIToken, nil, &tr))
	require.Nil(t, tr.Restrictions)
}

// A keyless tenant cannot read its wind-down (no key): when Blink refuses
// its invoice with RECEIVE_DISABLED the refusal becomes its banner, with
// Blink's message, and the banner goes once an invoice is given again.
func TestWindDown_KeylessTenant_RefusalBecomesTheBanner(t *testing.T) {
	r := newRig(t, "")
	r.start(keylessConfig())
	// A custodial account connected by its address only (the onboarding
	// page's default): its receipts stop with the wind-down.
	f, acct := r.connectKeyless("keylesswound")
	r.fake.SetAccountKind(acct.ID, blinktest.AccountCustodial)
	var tw tenantWindDown
	require.Equal(t, 200, r.do("GET", "/v1/tenant", f.token, nil, &tw))
	require.Nil(t, tw.WindDown)

	r.fake.SetWindDown(acct.ID, &blinktest.WindDown{Status: blink.WindDownReceiveDisabled, ReceiveDisabledAt: time.Now().Add(-time.Hour),
		FinalDeadline: time.Now().Add(30 * 24 * time.Hour)})
	var e apiError
	require.Equal(t, 409, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "refused", "amount_sats": 100}, &e))
	require.Equal(t, "receive_disabled", e.Error.Code)
	require.Equal(t, 200, r.do("GET", "/v1/tenant", f.token, nil, &tw))
	require.NotNil(t, tw.WindDown, "the refusal is the banner")
	require.Equal(t, "RECEIVE_DISABLED", tw.WindDown.Status)
	require.True(t, tw.WindDown.ReceiveDisabled)
	require.Contains(t, tw.WindDown.Message, "can no longer receive")
	require.Contains(t, r.logs.String(), `"msg":"tenant account wind-down"`)

	r.fake.SetWindDown(acct.ID, nil)
	r.order(f, "after-lift", 100)
	tw = tenantWindDown{}
	require.Equal(t, 200, r.do("GET", "/v1/tenant", f.token, nil, &tw))
	require.Nil(t, tw.WindDown, "receiving again: the banner goes")
}
