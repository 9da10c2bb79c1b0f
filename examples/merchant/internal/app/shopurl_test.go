package app_test

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/netguard"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/outbox"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

type eventsJSON struct {
	Events []struct {
		Status    string `json:"status"`
		Attempts  int    `json:"attempts"`
		LastError string `json:"last_error"`
	} `json:"events"`
}

// paidEvent makes one order.paid event for f without any worker running.
func paidEvent(t *testing.T, r *rig, f *tenantFixture, id string) {
	t.Helper()
	o := r.order(f, id, 100)
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	r.app.Detector.ReconcileTenant(context.Background(), f.id)
}

// TestShopWebhook_DeliveryErrorNamesNoQueryString: a shop URL's query
// string may carry a secret; a failed delivery's log line and its
// last_error in /v1/events name scheme, host and path only.
func TestShopWebhook_DeliveryErrorNamesNoQueryString(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(receiveScopes, false, 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	ln.Close() // nothing listens there: the delivery fails in the dial
	const secret = "s3cr3t-in-the-query"
	require.Equal(t, 200, r.do("PUT", "/v1/tenant/webhook", f.token, map[string]any{"url": "http://" + closed + "/hook?token=" + secret + "#frag"}, nil))
	paidEvent(t, r, f, "q-1")
	require.Equal(t, 1, r.app.Outbox.RunOnce(context.Background()))
	var evs eventsJSON
	require.Equal(t, 200, r.do("GET", "/v1/events", f.token, nil, &evs))
	require.Len(t, evs.Events, 1)
	e := evs.Events[0]
	require.Equal(t, 1, e.Attempts)
	require.Contains(t, e.LastError, "http://"+closed+"/hook", "control: the error names the endpoint")
	require.NotContains(t, e.LastError, secret)
	require.NotContains(t, e.LastError, "token=")
	require.Contains(t, r.logs.String(), `"msg":"event delivery failed"`, "control: the failure is logged")
	require.NotContains(t, r.logs.String(), secret)
}

// strictSecrets is the tenants service with the production policy: no
// loopback allowance.
type strictSecrets struct{ *tenants.Service }

func (strictSecrets) ShopPolicy() netguard.Policy { return netguard.Policy{} }

// TestShopWebhook_DialTimePolicyRefusesANonPublicAddress: the outbox
// checks the address it dials, not only the URL registered: a URL that
// passed registration (here under the loopback allowance, as a name that
// later resolves privately would) is refused when it is dialled, and the
// shop receives nothing.
func TestShopWebhook_DialTimePolicyRefusesANonPublicAddress(t *testing.T) {
	r := newRig(t, "")
	r.startNoWorkers()
	f := r.connect(receiveScopes, false, 0)
	paidEvent(t, r, f, "dial-1")
	d := outbox.NewDeliverer(r.st, strictSecrets{r.app.Tenants}, slog.New(slog.NewJSONHandler(r.logs, nil)))
	require.Equal(t, 1, d.RunOnce(context.Background()))
	require.Zero(t, r.shop.count(paidKey("dial-1")), "the shop on loopback was reached")
	var evs eventsJSON
	require.Equal(t, 200, r.do("GET", "/v1/events", f.token, nil, &evs))
	require.Len(t, evs.Events, 1)
	require.True(t, strings.Contains(evs.Events[0].LastError, "not a public address"), evs.Events[0].LastError)
}
