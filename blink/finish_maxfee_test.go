package blink

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// cheapProbes is a transport in front of the fake whose first n answers
// to operation report a fee of 0, as when the fee was lower at the time
// of the original send (the fake's fee never changes).
type cheapProbes struct {
	operation string
	n         atomic.Int64
}

var probeAmount = regexp.MustCompile(`"amount":\d+`)

func (p *cheapProbes) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !bytes.Contains(body, []byte(`"operationName":"`+p.operation+`"`)) || p.n.Add(-1) < 0 {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	b = probeAmount.ReplaceAll(b, []byte(`"amount":0`))
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return resp, nil
}

// lockLapsed is how long after the send its key's lock may have lapsed
// (the SDK allows a margin below the server's hour), yet the external
// invoice (valid for an hour) has not expired.
const lockLapsed = idempotencyLockTTL + time.Minute

// refusedForFee asserts that err is the MaxFee refusal of a probed fee,
// not of a failed probe.
func refusedForFee(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, ErrLimitExceeded, "%v", err)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "the original attempt can no longer run: nothing was paid")
	assert.ErrorContains(t, err, "the probed fee is above MaxFee")
}

// lostInvoiceSend pays an external invoice with opts from a client whose
// first fee probe reports 0; every attempt of the send is dropped before
// the server sees it. It returns the unknown outcome, nothing executed.
func lostInvoiceSend(t *testing.T, srv *blinktest.Server, opts *PayOptions) (*fakeUser, *OutcomeUnknownError) {
	t.Helper()
	probes := &cheapProbes{operation: "LnInvoiceFeeProbe"}
	probes.n.Store(1)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry, WithHTTPClient(&http.Client{Transport: probes}))
	ext := srv.ExternalInvoice(1_000, blinktest.OutcomeSuccess)
	srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{DropBeforeExecute: true}, 10)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, ext, opts)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Zero(t, srv.Executions("LnInvoicePaymentSend"))
	require.Equal(t, 1, srv.Requests("LnInvoiceFeeProbe"))
	srv.ClearFaults()
	return alice, ou
}

// A payout whose answer was lost before it executed is finished after an
// outage longer than the key's lock (by the SDK's margin); the fee rose above its
// MaxFee meanwhile. FinishPayment probes again and refuses: a definite
// error, nothing paid.
func TestFinishPayment_MaxFeeRefusesTheResendAfterTheLockLapsed(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice, ou := lostInvoiceSend(t, srv, &PayOptions{MaxFee: blinktest.ExternalLightningFeeSats - 1})
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats-1), ou.MaxFee)

	clock.move(lockLapsed) // retiring the key proves nothing
	res, err := alice.Client.FinishPayment(bg(), ou)
	refusedForFee(t, err)
	assert.Nil(t, res)
	assert.Equal(t, 2, srv.Requests("LnInvoiceFeeProbe"), "the resend probes the fee again")
	assert.Zero(t, srv.Executions("LnInvoicePaymentSend"), "paid a fee above MaxFee")
	assert.Equal(t, int64(100_000), srv.Balance(alice.BTCWalletID))
}

// The same with a MaxFee the fee is within: FinishPayment probes again
// and pays, once.
func TestFinishPayment_MaxFeeWithinTheFeePaysOnce(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice, ou := lostInvoiceSend(t, srv, &PayOptions{MaxFee: blinktest.ExternalLightningFeeSats})

	clock.move(lockLapsed)
	res, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, 2, srv.Requests("LnInvoiceFeeProbe"), "the resend probes the fee again")
	assert.Equal(t, 1, srv.Executions("LnInvoicePaymentSend"))
	assert.Equal(t, int64(100_000-1_000-blinktest.ExternalLightningFeeSats), srv.Balance(alice.BTCWalletID))
}

// An integration stores the error's exported fields (Cause aside) and
// rebuilds it after a restart: the limits come back with it and are
// applied again.
func TestFinishPayment_MaxFeeSurvivesAStoredError(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice, ou := lostInvoiceSend(t, srv, &PayOptions{MaxFee: blinktest.ExternalLightningFeeSats - 1, MaxAmount: 1_000})

	stored := *ou
	stored.Cause = nil
	b, err := json.Marshal(stored)
	require.NoError(t, err)
	var restored OutcomeUnknownError
	require.NoError(t, json.Unmarshal(b, &restored))
	assert.Equal(t, int64(blinktest.ExternalLightningFeeSats-1), restored.MaxFee)
	assert.Equal(t, Sats(1_000), restored.MaxAmount)

	clock.move(lockLapsed)
	_, err = alice.Client.FinishPayment(bg(), &restored)
	refusedForFee(t, err)
	assert.Zero(t, srv.Executions("LnInvoicePaymentSend"), "paid a fee above MaxFee")
	assert.Equal(t, int64(100_000), srv.Balance(alice.BTCWalletID))

	restored.MaxFee, restored.MaxAmount = 0, 999 // a limit the invoice's amount is above
	_, err = alice.Client.FinishPayment(bg(), &restored)
	require.ErrorIs(t, err, ErrLimitExceeded, "%v", err)
	assert.ErrorContains(t, err, "above MaxAmount")
	assert.Zero(t, srv.Executions("LnInvoicePaymentSend"), "paid an invoice above MaxAmount")
}

// Every send that honours a MaxFee (and MaxAmount) puts it on its
// outcome-unknown error; a send made again applies it.
func TestOutcomeUnknown_CarriesTheSendsLimits(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 1_000_000, 100_000, nil, fastRetry)
	onChainFee := blinktest.OnChainFeeSats(string(Fast))
	for _, tc := range []struct {
		name, op  string
		send      func() error
		maxFee    int64
		maxAmount Sats
	}{
		{"PayInvoice", "LnInvoicePaymentSend", func() error {
			_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(1_000, blinktest.OutcomeSuccess), &PayOptions{MaxFee: 50, MaxAmount: 2_000})
			return err
		}, 50, 2_000},
		{"PayNoAmountInvoice", "LnNoAmountInvoicePaymentSend", func() error {
			_, err := alice.Client.PayNoAmountInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(0, blinktest.OutcomeSuccess), 1_000, &PayOptions{MaxFee: 40, MaxAmount: 1_500})
			return err
		}, 40, 1_500},
		{"PayNoAmountInvoiceUSD", "LnNoAmountUsdInvoicePaymentSend", func() error {
			_, err := alice.Client.PayNoAmountInvoiceUSD(bg(), alice.USDWalletID, srv.ExternalInvoice(0, blinktest.OutcomeSuccess), 100, &PayOptions{MaxFee: 30})
			return err
		}, 30, 0},
		{"SendOnChain", "OnChainPaymentSend", func() error {
			_, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, srv.ExternalAddress(), 10_000, &OnChainOptions{MaxFee: onChainFee})
			return err
		}, onChainFee, 0},
	} {
		srv.InjectFault(tc.op, blinktest.Fault{DropAfterExecute: true}, 1)
		err := tc.send()
		var ou *OutcomeUnknownError
		require.ErrorAs(t, err, &ou, tc.name)
		assert.Equal(t, tc.maxFee, ou.MaxFee, tc.name)
		assert.Equal(t, tc.maxAmount, ou.MaxAmount, tc.name)
	}
}

// An on-chain send made again applies its MaxFee too: a stored error
// whose limit is below today's fee is refused, nothing sent.
func TestFinishPayment_OnChainMaxFeeIsAppliedAgain(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice := newFakeUser(t, srv, "alice", 1_000_000, 0, nil, fastRetry)
	fee := blinktest.OnChainFeeSats(string(Fast))
	srv.InjectFault("OnChainPaymentSend", blinktest.Fault{DropBeforeExecute: true}, 10)
	_, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, srv.ExternalAddress(), 10_000, &OnChainOptions{Memo: "payout 9", UniqueMemo: true, MaxFee: fee})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Zero(t, srv.Executions("OnChainPaymentSend"))
	srv.ClearFaults()

	ou.MaxFee = fee - 1 // stored when fees were lower
	clock.move(lockLapsed)
	_, err = alice.Client.FinishPayment(bg(), ou)
	refusedForFee(t, err)
	assert.Zero(t, srv.Executions("OnChainPaymentSend"), "paid a fee above MaxFee")
	assert.Equal(t, int64(1_000_000), srv.Balance(alice.BTCWalletID))
}
