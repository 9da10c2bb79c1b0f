package app_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
	"github.com/stretchr/testify/require"
)

// recipientReceiver is a keyless Receiver for the seam's test: invoices on
// behalf of a Blink username and the public invoice status, no key at all.
// (The SDK's keyless receive by lightning address plugs in the same way.)
type recipientReceiver struct {
	c        *blink.Client
	username string
}

func (r *recipientReceiver) CreateInvoice(ctx context.Context, req tenants.InvoiceRequest) (*blink.Invoice, error) {
	return r.c.CreateInvoiceForRecipient(ctx, blink.RecipientUser(r.username), req.Sats,
		&blink.RecipientInvoiceOptions{InvoiceOptions: blink.InvoiceOptions{Memo: req.Memo, ExpiresIn: req.ExpiresIn}})
}

func (r *recipientReceiver) InvoiceStatus(ctx context.Context, hash string) (blink.InvoiceStatus, error) {
	st, err := r.c.InvoiceStatus(ctx, hash)
	if err != nil {
		return "", err
	}
	return st.Status, nil
}

func (r *recipientReceiver) Watcher() tenants.Watcher { return nil }
func (r *recipientReceiver) Close() error             { return r.c.Close() }

func TestKeyless_TenantByAddressOnly_OrdersPaidReachTheShopOnce(t *testing.T) {
	r := newRig(t, "")
	keyless := func(ctx context.Context, address string) (tenants.Receiver, error) {
		user, domain, _ := strings.Cut(address, "@")
		if domain != blinktest.LightningAddressDomain {
			return nil, errors.New("not a Blink address")
		}
		c, err := blink.New("", blink.WithEndpoint(r.fake.URL()))
		if err != nil {
			return nil, err
		}
		if _, err := c.AccountDefaultWallet(ctx, user, blink.BTC); err != nil {
			c.Close()
			return nil, err
		}
		return &recipientReceiver{c: c, username: user}, nil
	}
	r.start(app.Config{ReconcileInterval: 50 * time.Millisecond, Tenants: tenants.Config{Keyless: keyless}})
	acct := r.fake.CreateAccount(blinktest.AccountOptions{Username: "keylessshop"})
	var e apiError
	require.Equal(t, 400, r.do("POST", "/v1/tenants", "", map[string]any{"name": "k", "lightning_address": "nobody@" + blinktest.LightningAddressDomain}, &e))
	require.Equal(t, "invalid_lightning_address", e.Error.Code)
	require.Equal(t, 400, r.do("POST", "/v1/tenants", "", map[string]any{"name": "k", "lightning_address": "keylessshop@" + blinktest.LightningAddressDomain, "enable_payouts": true}, &e))
	require.Equal(t, "payouts_need_key", e.Error.Code)

	var c connected
	require.Equal(t, 201, r.do("POST", "/v1/tenants", "", map[string]any{"name": "Keyless shop",
		"lightning_address": "KeylessShop@" + blinktest.LightningAddressDomain, "shop_webhook_url": r.shop.srv.URL + "/hook"}, &c))
	r.shop.setSecret(c.Tenant.ID, c.ShopWebhookSecret)
	f := &tenantFixture{id: c.Tenant.ID, token: c.APIToken}
	var tj map[string]any
	r.do("GET", "/v1/tenant", f.token, nil, &tj)
	require.Equal(t, "address", tj["mode"])
	require.Nil(t, tj["key"])

	var keys []string
	for i := range 5 {
		o := r.order(f, fmt.Sprintf("kl-%d", i), 250)
		require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
		keys = append(keys, paidKey(o.OrderID))
	}
	r.shop.waitFor(keys, 20*time.Second)
	for _, k := range keys {
		require.Equal(t, 1, r.shop.count(k))
	}
	require.Equal(t, int64(5*250), r.fake.Balance(acct.BTCWalletID).Value, "paid into the shop's own wallet")
	var p apiError
	require.Equal(t, 403, r.do("POST", "/v1/payouts", f.token, map[string]any{"destination": "x_user", "amount_sats": 1}, &p))
}
