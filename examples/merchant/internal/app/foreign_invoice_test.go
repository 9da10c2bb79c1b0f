package app_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
	"github.com/stretchr/testify/require"
)

// The account holds a pending invoice with the order's external id, the
// order's amount and memo, that Blink made well before the order was
// stored (another integration's, or an earlier connection's): the order
// refuses it (409 external_id_taken) and keeps no row.
func TestOrders_ForeignInvoiceMadeBeforeTheOrderIsRefused(t *testing.T) {
	var offset atomic.Int64
	clock := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	r := newRig(t, "", blinktest.WithClock(clock))
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
	require.NoError(t, err)
	defer c.Close()
	offset.Store(int64(-tenants.ClockSkew - 5*time.Minute))
	foreign, err := c.CreateInvoice(context.Background(), f.acct.BTCWalletID, 500, &blink.InvoiceOptions{ExternalID: "old-7", ExpiresIn: time.Hour})
	require.NoError(t, err)
	offset.Store(0)
	var e apiError
	require.Equal(t, 409, r.do("POST", "/v1/orders", f.token, map[string]any{"order_id": "old-7", "amount_sats": 500}, &e), "adopted %s", foreign.PaymentHash)
	require.Equal(t, "external_id_taken", e.Error.Code)
	require.Contains(t, e.Error.Message, "created before the order")
	require.Zero(t, r.countRows("orders"))

	// Blink's clock a few minutes behind the server's: new orders are
	// made as always.
	offset.Store(int64(-5 * time.Minute))
	r.order(f, "skewed-1", 500)
}

// A USD order whose first answer was lost: the retry takes the invoice
// Blink made for it (its sats match the cents at the price), also when
// the price moved a little in between.
func TestOrders_USDRetryAfterLostAnswerAdoptsTheInvoice(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f := review2ConnectUSD(r)
	r.fake.InjectFault("LnUsdInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)
	body := map[string]any{"order_id": "usd-lost-1", "amount_cents": 2_500}
	var first orderJSON
	code := r.do("POST", "/v1/orders", f.token, body, &first)
	require.True(t, code == 201 || code >= 500, "answered %d", code)
	r.fake.SetPrice(r.fake.Price() * 103 / 100)
	var again orderJSON
	var e apiError
	code = r.doWithHeader("POST", "/v1/orders", f.token, "X-Review", "retry", body, &again, &e)
	require.Contains(t, []int{200, 201}, code, "the retry was refused: %+v", e)
	c, err := blink.New(f.key, blink.WithEndpoint(r.fake.URL()))
	require.NoError(t, err)
	defer c.Close()
	inv, err := c.InvoiceByExternalID(context.Background(), f.acct.USDWalletID, "usd-lost-1")
	require.NoError(t, err)
	require.Equal(t, inv.PaymentHash, again.PaymentHash, "the retry answers Blink's one invoice for the order")
}

// The account connected again after a disconnect, and an old order id
// comes again with the same amount and memo: Blink's invoice of that
// external id matches the request in all it shows, but it is paid (and
// older than the new order), so the new order refuses it rather than
// being paid by the old payment.
func TestOrders_ReconnectedAccountSameOrderAgainNotPaidByTheOldInvoice(t *testing.T) {
	r := newRig(t, "")
	r.start(app.Config{})
	f1 := r.connect(receiveScopes, false, 0)
	o1 := r.order(f1, "2002", 1_000)
	require.NoError(t, r.fake.PayInvoice(o1.PaymentRequest))
	r.shop.waitFor([]string{paidKey("2002")}, 20*time.Second)
	require.Equal(t, 204, r.do("DELETE", "/v1/tenant", f1.token, nil, nil))

	f2 := reviewMoneyConnectAccount(r, f1.acct, receiveScopes, false)
	var e apiError
	require.Equal(t, 409, r.do("POST", "/v1/orders", f2.token, map[string]any{"order_id": "2002", "amount_sats": 1_000, "memo": "order 2002"}, &e))
	require.Equal(t, "external_id_taken", e.Error.Code)
	var got orderJSON
	require.Equal(t, 404, r.do("GET", "/v1/orders/2002", f2.token, nil, &got))
}
