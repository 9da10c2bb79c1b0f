package blinktest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

func TestKeylessReceive_SelfCustodialAddressThroughTheFakesLNURLHosts(t *testing.T) {
	srv := blinktest.New(t)
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "cafe"})
	srv.SetAccountKind(acct.ID, blinktest.AccountSelfCustodial)
	c, err := blink.New("", blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	r, err := c.AddressReceiver("cafe@"+blinktest.LightningAddressDomain, &blink.AddressReceiverOptions{HTTPClient: srv.LNURLHTTPClient()})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := r.Resolve(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Account does not exist for username cafe", res.Reason)
	inv, err := r.CreateInvoice(ctx, 1234, nil)
	require.NoError(t, err)
	assert.Equal(t, blink.ReceiveLNURL, inv.Path)

	srv.FailVerify(inv.PaymentHash, 1)
	st, err := r.Check(ctx, inv)
	require.NoError(t, err)
	assert.Equal(t, blink.ReceiveTransient, st.State)
	srv.SettleInvoiceAfter(inv.PaymentHash, 0)
	st, err = r.Check(ctx, inv)
	require.NoError(t, err)
	assert.Equal(t, blink.ReceivePaid, st.State)
	assert.Equal(t, 2, srv.LNURLRequests("/verify/{hash}"))
	assert.Equal(t, int64(1234), srv.Balance(acct.BTCWalletID).Value)

	srv.SetReceiveDisabled(acct.ID, true)
	_, err = r.CreateInvoice(ctx, 1, nil)
	assert.ErrorIs(t, err, blink.ErrReceiveDisabled)
	assert.Contains(t, err.Error(), blinktest.ReceiveDisabledMessage)
}
