package blink

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// Tests for the findings of the outside review (issue 7), one per item,
// each named after the behaviour it pins.

// cancelAfterAnswer is a transport that ends the call's context once the
// inner transport has an answer in hand: the answer is then read after
// the deadline.
type cancelAfterAnswer struct {
	inner  http.RoundTripper
	cancel context.CancelFunc
}

func (c cancelAfterAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.inner.RoundTrip(r)
	if r.Header.Get("X-Idempotency-Key") != "" {
		c.cancel() // the send's answer is in hand, and the deadline passes
	}
	return resp, err
}

// walletsData answers the Wallets query for the wallet ids the wire tests use.
const walletsData = `{"data":{"me":{"defaultAccount":{"__typename":"ConsumerAccount","wallets":[` +
	`{"__typename":"BTCWallet","id":"11111111-1111-4111-8111-111111111111","walletCurrency":"BTC","balance":0,"pendingIncomingBalance":0},` +
	`{"__typename":"UsdWallet","id":"33333333-3333-4333-8333-333333333333","walletCurrency":"USD","balance":0,"pendingIncomingBalance":0}]}}}}`

// 1. A 5xx (or any answer) read after the deadline is not a definite failure.
func TestSend_ServerErrorReadAfterTheDeadlineIsAnUnknownOutcome(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := newFake(t)
			alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
			bob := newFakeUser(t, srv, "bob", 0, 0, nil)
			ctx, cancel := context.WithCancel(bg())
			defer cancel()
			c, err := New(alice.Key, WithEndpoint(srv.URL()), fastRetry, WithHTTPClient(&http.Client{Transport: cancelAfterAnswer{http.DefaultTransport, cancel}}))
			require.NoError(t, err)
			_, err = c.Network(bg()) // learnt before the send, with a context of its own
			require.NoError(t, err)
			srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{StatusAfterExecute: status}, 1)
			_, err = c.SendIntraLedger(ctx, alice.BTCWalletID, bob.BTCWalletID, 1_000, nil)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.False(t, IsTransient(err), "a caller who retries what IsTransient calls retryable would pay again")
			assert.Equal(t, int64(1_000), srv.Balance(bob.BTCWalletID), "the send executed")
		})
	}
}

// 1. Whatever the mix: an answer lost after execution, a 5xx at the end of
// the retries, a truncated 200.
func TestSend_AnyAnswerThatIsNotAParsedOutcomeIsUnknown(t *testing.T) {
	faults := map[string]blinktest.Fault{
		"5xx after execution":  {StatusAfterExecute: 502},
		"truncated 200":        {TruncateAfterExecute: true},
		"answer after timeout": {LatencyAfterExecute: 200 * time.Millisecond},
	}
	for name, f := range faults {
		t.Run(name, func(t *testing.T) {
			srv := newFake(t)
			alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
			bob := newFakeUser(t, srv, "bob", 0, 0, nil)
			_, err := alice.Client.Network(bg())
			require.NoError(t, err)
			srv.InjectFault("IntraLedgerPaymentSend", f, 4)
			ctx, cancel := context.WithTimeout(bg(), 100*time.Millisecond)
			defer cancel()
			_, err = alice.Client.SendIntraLedger(ctx, alice.BTCWalletID, bob.BTCWalletID, 1_000, nil)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.False(t, IsTransient(err))
		})
	}
}

// 2. After an ambiguous attempt, a later definite-looking answer is not
// trusted: the balance may be gone because the first attempt paid.
func TestSend_AfterAnAmbiguousAttemptADefiniteLookingFailureIsUnknown(t *testing.T) {
	answers := map[string]string{
		"payload INSUFFICIENT_BALANCE": `{"data":{"intraLedgerPaymentSend":{"status":"FAILURE","errors":[{"code":"INSUFFICIENT_BALANCE","message":"Payment amount exceeds balance","path":null}]}}}`,
		"payload validation":           `{"data":{"intraLedgerPaymentSend":{"status":null,"errors":[{"code":null,"message":"Invalid value for WalletId","path":null}]}}}`,
		"top-level INVALID_INPUT":      `{"data":null,"errors":[{"message":"Invalid input","extensions":{"code":"INVALID_INPUT"}}]}`,
		"top-level restricted":         `{"data":null,"errors":[{"message":"Transaction restricted","code":"TRANSACTION_RESTRICTED"}]}`,
		"top-level scope":              `{"data":null,"errors":[{"message":"Unexpected error occurred, please try again or contact support if it persists (code: AuthorizationError: not authorized to execute mutations)"}]}`,
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			var sends atomic.Int64
			ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
				if r.OpName == "Wallets" {
					writeJSON(w, 200, walletsData)
					return
				}
				if sends.Add(1) == 1 {
					dropConnection(w) // may have executed
					return
				}
				writeJSON(w, 200, answer)
			})
			c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
			_, err := c.SendIntraLedger(bg(), "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 10, nil)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.Equal(t, int64(2), sends.Load())
		})
	}
}

// 3. ResolvePayment never says SUCCEEDED (or PENDING) for a send that
// never ran, after an identical earlier one, for every send kind, with
// the server's clock minutes off the client's.
func TestResolvePayment_SendThatNeverRanAfterAnIdenticalOneIsNeverSucceeded(t *testing.T) {
	for _, skew := range []time.Duration{0, 5 * time.Minute, -5 * time.Minute} {
		t.Run(fmt.Sprint("skew ", skew), func(t *testing.T) {
			srv := newFake(t, blinktest.WithClock(func() time.Time { return time.Now().Add(skew) }))
			alice := newFakeUser(t, srv, "alice", 1_000_000, 1_000_000, nil, fastRetry)
			bob := newFakeUser(t, srv, "bob", 0, 0, nil)
			addr := srv.ExternalAddress()
			pr := invoiceOn(t, bob, 700)
			sends := map[string]func() (*PaymentResult, error){
				"LnInvoicePaymentSend": func() (*PaymentResult, error) {
					return alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
				},
				"IntraLedgerPaymentSend": func() (*PaymentResult, error) {
					return alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 500, &PayOptions{Memo: "same"})
				},
				"IntraLedgerUsdPaymentSend": func() (*PaymentResult, error) {
					return alice.Client.SendIntraLedgerUSD(bg(), alice.USDWalletID, "bob", 50, &PayOptions{Memo: "same"})
				},
				"OnChainPaymentSend": func() (*PaymentResult, error) {
					return alice.Client.SendOnChain(bg(), alice.BTCWalletID, addr, 5_000, &OnChainOptions{Memo: "same"})
				},
				"OnChainUsdPaymentSend": func() (*PaymentResult, error) {
					return alice.Client.SendOnChainUSD(bg(), alice.USDWalletID, addr, 500, &OnChainOptions{Memo: "same"})
				},
				"LnAddressPaymentSend": func() (*PaymentResult, error) {
					return alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, "bob@"+blinktest.LightningAddressDomain, 600, nil)
				},
				"LnurlPaymentSend": func() (*PaymentResult, error) {
					return alice.Client.PayLNURL(bg(), alice.BTCWalletID, "lnurlp://"+blinktest.LightningAddressDomain+"/.well-known/lnurlp/bob", 600, nil)
				},
			}
			for op, send := range sends {
				_, err := send()
				require.NoError(t, err, op)
				before := srv.Executions(op)
				srv.InjectFault(op, blinktest.Fault{Conflict: true}, 4) // reaches the server, never executes
				_, err = send()
				var ou *OutcomeUnknownError
				require.ErrorAs(t, err, &ou, op)
				require.Equal(t, before, srv.Executions(op), "%s: the second send never ran", op)
				r, err := alice.Client.ResolvePayment(bg(), ou.Lookup())
				require.NoError(t, err)
				assert.Contains(t, []Resolved{ResolvedNotFound, ResolvedAmbiguous}, r.Outcome, "%s resolved %s", op, r.Outcome)
			}
		})
	}
}

// 4. A recovery that can finish the job: a send that reached the server
// but never executed (its idempotency key is taken) is completed, once,
// when NOT_FOUND becomes conclusive; before that FinishPayment says when.
func TestFinishPayment_CompletesASendThatReachedTheServerButNeverRan(t *testing.T) {
	var offset atomic.Int64
	srv := newFake(t, blinktest.WithClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }))
	alice := newFakeUser(t, srv, "alice", 1_000_000, 1_000_000, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	addr := srv.ExternalAddress()
	sends := map[string]func(key string) (*PaymentResult, error){
		"IntraLedgerPaymentSend": func(key string) (*PaymentResult, error) {
			return alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 500, &PayOptions{Memo: "payout 1", UniqueMemo: true, IdempotencyKey: key})
		},
		"IntraLedgerUsdPaymentSend": func(key string) (*PaymentResult, error) {
			return alice.Client.SendIntraLedgerUSD(bg(), alice.USDWalletID, "bob", 50, &PayOptions{Memo: "payout 2", UniqueMemo: true, IdempotencyKey: key})
		},
		"OnChainPaymentSend": func(key string) (*PaymentResult, error) {
			return alice.Client.SendOnChain(bg(), alice.BTCWalletID, addr, 5_000, &OnChainOptions{Memo: "payout 3", UniqueMemo: true, IdempotencyKey: key})
		},
		"OnChainPaymentSendAll": func(key string) (*PaymentResult, error) {
			return nil, nil // below, on its own wallet
		},
		"LnAddressPaymentSend": func(key string) (*PaymentResult, error) {
			return alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, "bob@"+blinktest.LightningAddressDomain, 601, &PayOptions{IdempotencyKey: key})
		},
		"LnurlPaymentSend": func(key string) (*PaymentResult, error) {
			return alice.Client.PayLNURL(bg(), alice.BTCWalletID, "lnurlp://"+blinktest.LightningAddressDomain+"/.well-known/lnurlp/bob", 602, &PayOptions{IdempotencyKey: key})
		},
	}
	delete(sends, "OnChainPaymentSendAll")
	for op, send := range sends {
		t.Run(op, func(t *testing.T) {
			key := NewIdempotencyKey()
			// An earlier request took the key and did not execute (as a
			// send refused after the idempotency middleware would).
			arrived, err := alice.Client.RetireIdempotencyKey(bg(), key)
			require.NoError(t, err)
			require.False(t, arrived)
			_, err = send(key)
			var ou *OutcomeUnknownError
			require.ErrorAs(t, err, &ou)
			require.ErrorIs(t, err, ErrIdempotencyConflict)
			execs := srv.Executions(op)

			// The key is taken: the request that took it may still run.
			// FinishPayment returns the updated error to finish next time.
			_, err = alice.Client.FinishPayment(bg(), ou)
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			assert.Contains(t, err.Error(), "call FinishPayment again after")
			assert.True(t, ou.ArrivedBy.IsZero(), "the caller's error is left as it was")
			require.ErrorAs(t, err, &ou)
			assert.False(t, ou.ArrivedBy.IsZero())
			assert.Equal(t, execs, srv.Executions(op), "nothing sent before NOT_FOUND is conclusive")

			// After ExecutionWindow (by the server's clock) it is.
			offset.Add(int64(ExecutionWindow + 5*time.Second))
			res, err := alice.Client.FinishPayment(bg(), ou)
			require.NoError(t, err)
			assert.Contains(t, []PaymentStatus{PaymentSucceeded, PaymentPending}, res.Status)
			assert.Equal(t, execs+1, srv.Executions(op), "sent exactly once")
			assert.NotEqual(t, key, res.IdempotencyKey, "with a fresh key")

			// Finishing again finds it (the one match, made after the send
			// began) and never sends again. An LNURL payment cannot be tied
			// to the LNURL in the ledger: that one stays ambiguous.
			res, err = alice.Client.FinishPayment(bg(), ou)
			if op == "LnurlPaymentSend" {
				require.ErrorIs(t, err, ErrPaymentAmbiguous)
			} else {
				require.NoError(t, err)
				assert.Contains(t, []PaymentStatus{PaymentSucceeded, PaymentPending}, res.Status)
			}
			assert.Equal(t, execs+1, srv.Executions(op))
		})
	}
	_ = bob
}

// 4. A send whose attempts never reached the server (a 409 from the edge
// without execution): retiring the key proves it, and the send is made at
// once.
func TestFinishPayment_SendThatNeverArrivedIsMadeAtOnceAndOnlyOnce(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 1_000_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{Conflict: true}, 1)
	_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 900, &PayOptions{Memo: "order 12", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Zero(t, srv.Executions("IntraLedgerPaymentSend"))
	res, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, int64(900), srv.Balance(bob.BTCWalletID))
	// The original key is retired: the original request can never run.
	_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 900, &PayOptions{IdempotencyKey: ou.IdempotencyKey})
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, int64(900), srv.Balance(bob.BTCWalletID))
}

// 4. An execution that lands after the client gave up is never doubled by
// FinishPayment: retiring the key first makes the late request refused.
func TestFinishPayment_RequestStillInFlightIsRefusedNotDoubled(t *testing.T) {
	srv := blinktest.NewServer()
	alice := newFakeUser(t, srv, "alice", 1_000_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	_, err := alice.Client.Network(bg())
	require.NoError(t, err)
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{Latency: 300 * time.Millisecond, ExecuteDespiteCancel: true}, 1)
	ctx, cancel := context.WithTimeout(bg(), 50*time.Millisecond)
	_, err = alice.Client.SendIntraLedger(ctx, alice.BTCWalletID, "bob", 800, &PayOptions{Memo: "order 13", UniqueMemo: true})
	cancel()
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	res, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	srv.Close() // waits for the late request
	assert.Equal(t, int64(800), srv.Balance(bob.BTCWalletID), "paid once: the late request met the retired key")
}

// 4. An invoice is idempotent by its target: FinishPayment pays it with a
// fresh key when the look-up finds nothing, and the server never pays it
// twice.
func TestFinishPayment_InvoiceIsPaidWithAFreshKeyAndNeverTwice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 1_000_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr := invoiceOn(t, bob, 1_234)
	key := NewIdempotencyKey()
	_, err := alice.Client.RetireIdempotencyKey(bg(), key) // reached, never executed
	require.NoError(t, err)
	_, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, &PayOptions{IdempotencyKey: key})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	res, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	res, err = alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Contains(t, []PaymentStatus{PaymentSucceeded, PaymentAlreadyPaid}, res.Status)
	assert.Equal(t, int64(1_234), srv.Balance(bob.BTCWalletID))
}

// 5. "There is a pending payment for this invoice" is PENDING only for the
// wallet whose payment is in flight; another payer is told so with a
// definite, typed error.
func TestPayInvoice_PendingPaymentOfAnotherWalletIsADefiniteTypedError(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	carol := newFakeUser(t, srv, "carol", 100_000, 0, nil)
	pr := srv.ExternalInvoice(2_000, blinktest.OutcomePending)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	require.Equal(t, PaymentPending, res.Status)

	res, err = carol.Client.PayInvoice(bg(), carol.BTCWalletID, pr, nil)
	require.ErrorIs(t, err, ErrInvoicePaymentInFlight)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, PaymentFailed, res.Status)
	assert.False(t, IsTransient(err))
	assert.Equal(t, int64(100_000), srv.Balance(carol.BTCWalletID), "carol's wallet moved nothing")

	res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err, "alice's own payment is the one in flight")
	assert.Equal(t, PaymentPending, res.Status)
	require.NotNil(t, res.Transaction)
}

// 6. Pending is never silent: WaitForPayment waits for a pending send to
// settle or revert.
func TestWaitForPayment_ReturnsWhenThePendingSendSettlesOrReverts(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	for _, settle := range []bool{true, false} {
		res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(1_000, blinktest.OutcomePending), nil)
		require.NoError(t, err)
		require.Equal(t, PaymentPending, res.Status)
		done := make(chan *Resolution)
		go func() {
			r, err := alice.Client.WaitForPayment(bg(), alice.BTCWalletID, res.PaymentHash, &WaitOptions{Interval: time.Millisecond, MaxInterval: 5 * time.Millisecond})
			assert.NoError(t, err)
			done <- r
		}()
		if settle {
			require.NoError(t, srv.SettlePending(res.PaymentHash))
			r := <-done
			assert.Equal(t, ResolvedSucceeded, r.Outcome)
			assert.NotEmpty(t, r.Transaction.Settlement.Preimage)
		} else {
			require.NoError(t, srv.FailPending(res.PaymentHash))
			r := <-done
			assert.Equal(t, ResolvedFailed, r.Outcome)
		}
	}
	// A context that ends first returns the last state seen.
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(1_000, blinktest.OutcomePending), nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(bg(), 30*time.Millisecond)
	defer cancel()
	r, err := alice.Client.WaitForPayment(ctx, alice.BTCWalletID, res.PaymentHash, &WaitOptions{Interval: time.Millisecond})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotNil(t, r)
	assert.Equal(t, ResolvedPending, r.Outcome)
}

// 7. A non-JSON error body is scrubbed of the key before it is cut to 200
// bytes, so no cut keeps a piece of it.
func TestErrors_KeyAcrossTheCutOfANonJSONBodyIsScrubbed(t *testing.T) {
	for off := 170; off <= 210; off++ {
		ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(403)
			fmt.Fprint(w, strings.Repeat("x", off)+r.Header.Get("X-Api-Key")+" trailing text")
		})
		c := newTestClient(t, ws.URL)
		_, err := c.Network(bg())
		require.Error(t, err)
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			for i := 6; i+8 <= len(testKey); i++ {
				require.NotContains(t, s, testKey[i:i+8], "offset %d", off)
			}
		}
	}
}

// 11. A panic inside the caller's RoundTripper during the first scope
// fetch does not wedge the client.
func TestScopes_PanicInTheTransportDuringTheFirstFetchDoesNotWedgeTheClient(t *testing.T) {
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		switch r.OpName {
		case "Authorization":
			writeJSON(w, 200, `{"data":{"authorization":{"scopes":["READ","WRITE"]}}}`)
		default:
			writeJSON(w, 200, meData)
		}
	})
	var calls atomic.Int64
	panicky := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			panic("user transport bug")
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c := newTestClient(t, ws.URL, WithHTTPClient(&http.Client{Transport: panicky}), WithTimeout(2*time.Second))
	func() {
		defer func() { assert.NotNil(t, recover(), "the panic reaches the caller that made the request") }()
		_, _ = c.Me(bg())
	}()
	// Later calls are not stuck behind the dead fetch.
	done := make(chan error, 8)
	for range 8 {
		go func() { _, err := c.Me(bg()); done <- err }()
	}
	for range 8 {
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(10 * time.Second): // a wedge, not a timing check
			t.Fatal("the client is wedged")
		}
	}
}

// 12. Lightning addresses and LNURLs are checked before sending: hostile
// values never reach the server.
func TestPayLightningAddressAndLNURL_HostileValuesNeverReachTheServer(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	newFakeUser(t, srv, "bob", 0, 0, nil)
	addresses := []string{
		"", "bob", "@blinktest.invalid", "bob@", "bob@@blinktest.invalid", "bob@blink@test.invalid", "bob@localhost",
		"bo b@blinktest.invalid", "bob @blinktest.invalid", "bob\x00@blinktest.invalid", "bob\t@blinktest.invalid",
		"bob\n@blinktest.invalid", "bo\u200bb@blinktest.invalid", "\ufeffbob@blinktest.invalid", "bob%40@blinktest.invalid",
		"bob@blinktest.invalid/x", "bob@blinktest.invalid?x=1", "bob@blinktest.invalid#x", "bob@blink_test.invalid",
		"bob@-blinktest.invalid", "bob@blinktest-.invalid", "bob@blinktest.invalid.", "bob@1.2.3.4", "bob@[::1]",
		"bob@" + strings.Repeat("a", 64) + ".invalid", "bob\uff20blinktest.invalid", "b\\ob@blinktest.invalid",
		"bob@blinktest..invalid", "bo\"b@blinktest.invalid", "bob@blink test.invalid",
	}
	for _, a := range addresses {
		_, err := alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, a, 100, nil)
		require.ErrorIs(t, err, ErrInvalidInput, "%q", a)
		assert.False(t, IsTransient(err))
	}
	lnurls := []string{
		"", "lnurl", "lnurl1", "lnurl1qqqqqq", "LNURL1dp68gurn8ghj7um9wfmxjcm99e3k7mf0v9cxj0m385ekvcenxc6r2c35xvukxefcv5mkvv34x5ekzd3ev56nyd3hxqurzepexejxxepnxscrvwfnv9nxzcn9xq6xyefhvgcxxcmyxymnserxfq5fns",
		"http://blinktest.invalid/.well-known/lnurlp/bob", "ftp://blinktest.invalid/x", "lnurlp://", "https://",
		"https://user:pw@blinktest.invalid/x", "https://blinktest.invalid/\x00", "lnurlp://blink test.invalid/x",
	}
	for _, u := range lnurls {
		_, err := alice.Client.PayLNURL(bg(), alice.BTCWalletID, u, 100, nil)
		require.ErrorIs(t, err, ErrInvalidInput, "%q", u)
	}
	assert.Zero(t, srv.Requests("LnAddressPaymentSend"))
	assert.Zero(t, srv.Requests("LnurlPaymentSend"))
	// And a valid address in upper case is sent normalised.
	res, err := alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, " BOB@BlinkTest.Invalid ", 100, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
}

// 13. On-chain addresses are validated in full for the server's network,
// and the validated address is the one sent.
func TestSendOnChain_AddressIsValidatedForTheNetworkAndSentAsValidated(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 1_000_000, 0, nil)
	good := srv.ExternalAddress()
	mixed := strings.ToUpper(good[:6]) + good[6:]
	last := byte('q')
	if good[len(good)-1] == 'q' {
		last = 'p'
	}
	corrupt := good[:len(good)-1] + string(last) // a bad checksum
	bad := []string{mixed, corrupt, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
		"bitcoin:" + good, good + "?amount=1", "bcrt1", strings.Repeat("q", 60)}
	for _, a := range bad {
		_, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, a, 10_000, nil)
		require.ErrorIs(t, err, ErrInvalidInput, "%q", a)
		_, err = alice.Client.OnChainFee(bg(), alice.BTCWalletID, a, 10_000, Fast)
		require.ErrorIs(t, err, ErrInvalidInput, "%q", a)
	}
	assert.Zero(t, srv.Requests("OnChainPaymentSend"))
	assert.Zero(t, srv.Requests("OnChainTxFee"))
	_, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 10_000, nil)
	assert.ErrorIs(t, err, ErrWrongNetwork, "a mainnet address on regtest")

	res, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, "  "+strings.ToUpper(good)+" ", 10_000, nil)
	require.NoError(t, err)
	assert.Equal(t, good, res.Transaction.Initiation.Address, "the validated, trimmed, lower-case address was sent")
}

// 14. Sentinels and bad keys never reach the wire; ResolvePayment refuses
// nonsense bounds; a USD-only send from a BTC wallet is refused locally.
func TestSends_BadInputIsRefusedBeforeAnyRequest(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 100_000, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	addr := srv.ExternalAddress()
	badKey := &PayOptions{IdempotencyKey: "not-a-uuid", MaxFee: 10}
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, srv.ExternalInvoice(100, blinktest.OutcomeSuccess), badKey)
	assert.ErrorIs(t, err, ErrInvalidIdempotencyKey)
	_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 100, badKey)
	assert.ErrorIs(t, err, ErrInvalidIdempotencyKey)
	_, err = alice.Client.SendOnChain(bg(), alice.BTCWalletID, addr, 10_000, &OnChainOptions{IdempotencyKey: "x", MaxFee: 10})
	assert.ErrorIs(t, err, ErrInvalidIdempotencyKey)
	_, err = alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, "bob@"+blinktest.LightningAddressDomain, 100, &PayOptions{IdempotencyKey: "x"})
	assert.ErrorIs(t, err, ErrInvalidIdempotencyKey)
	for _, op := range []string{"LnInvoiceFeeProbe", "AccountDefaultWallet", "OnChainTxFee", "Globals", "Wallets"} {
		assert.Zero(t, srv.Requests(op), "%s before a refused key", op)
	}

	_, err = alice.Client.OnChainFee(bg(), alice.BTCWalletID, addr, -1, Fast)
	assert.ErrorIs(t, err, ErrInvalidInput, "the send-all sentinel is not an amount")
	_, err = alice.Client.OnChainFeeUSD(bg(), alice.USDWalletID, addr, -1, Fast)
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = alice.Client.SendOnChain(bg(), alice.BTCWalletID, addr, -1, nil)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Zero(t, srv.Requests("OnChainTxFee"))
	assert.Zero(t, srv.Requests("OnChainPaymentSend"))

	now := time.Now()
	_, err = alice.Client.ResolvePayment(bg(), PaymentLookup{WalletID: alice.BTCWalletID, Since: now, Until: now.Add(-time.Hour)})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = alice.Client.ResolvePayment(bg(), PaymentLookup{WalletID: alice.BTCWalletID, Amount: -5})
	assert.ErrorIs(t, err, ErrInvalidInput)

	_, err = alice.Client.RealtimePrice(bg(), "US\r\nD")
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Zero(t, srv.Requests("RealtimePrice"))

	inv, err := bob.Client.CreateNoAmountInvoice(bg(), bob.BTCWalletID, nil)
	require.NoError(t, err)
	_, err = alice.Client.PayNoAmountInvoiceUSD(bg(), alice.BTCWalletID, inv.PaymentRequest, 100, nil)
	assert.ErrorIs(t, err, ErrInvalidInput, "a BTC wallet cannot make a USD send")
	assert.Zero(t, srv.Requests("LnNoAmountUsdInvoicePaymentSend"))
}

// 15. Invoices that are not a whole number of sats: upstream rounds the
// amount up (ceil(msat/1000)); MaxAmount compares exactly.
func TestPayInvoice_MillisatoshiAmountsAreRoundedUpAndMaxAmountComparesExactly(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	pr := srv.ExternalInvoiceMsat(1_001, blinktest.OutcomeSuccess)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, &PayOptions{MaxAmount: 1})
	require.ErrorIs(t, err, ErrLimitExceeded, "1001 msat is above 1 sat")
	assert.Zero(t, srv.Requests("LnInvoicePaymentSend"))
	dec, err := DecodeInvoice(pr)
	require.NoError(t, err)
	assert.Equal(t, Sats(2), dec.Amount)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, &PayOptions{MaxAmount: 2})
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)

	pr = srv.ExternalInvoiceMsat(999, blinktest.OutcomeSuccess)
	res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, &PayOptions{MaxAmount: 1})
	require.NoError(t, err, "999 msat is within 1 sat")
	assert.Equal(t, PaymentSucceeded, res.Status)
}

// 16. Concurrent first use sends one globals and one wallets request.
func TestClient_ConcurrentFirstUseSendsOneGlobalsAndOneWalletsRequest(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 100_000, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	var prs []string
	for range 16 {
		inv, err := bob.Client.CreateNoAmountInvoice(bg(), bob.BTCWalletID, nil)
		require.NoError(t, err)
		prs = append(prs, inv.PaymentRequest)
	}
	globals, wallets, auth := srv.Requests("Globals"), srv.Requests("Wallets"), srv.Requests("Authorization")
	var wg sync.WaitGroup
	for _, pr := range prs {
		wg.Go(func() {
			_, err := alice.Client.PayNoAmountInvoiceUSD(bg(), alice.USDWalletID, pr, 10, nil)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, srv.Requests("Globals")-globals)
	assert.Equal(t, 1, srv.Requests("Wallets")-wallets)
	assert.Equal(t, 1, srv.Requests("Authorization")-auth)
}

// 17. A reused idempotency key answers as production's router does (HTTP
// 200, SUBREQUEST_HTTP_ERROR) or as the API does (HTTP 409); the SDK maps
// both to ErrIdempotencyConflict and an unknown outcome.
func TestSend_ReusedKeyInRouterAndRawFormIsAnUnknownOutcome(t *testing.T) {
	for name, opts := range map[string][]blinktest.Option{"router": nil, "raw": {blinktest.WithRawAPIErrors()}} {
		t.Run(name, func(t *testing.T) {
			srv := newFake(t, opts...)
			alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
			bob := newFakeUser(t, srv, "bob", 0, 0, nil)
			key := NewIdempotencyKey()
			_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 100, &PayOptions{IdempotencyKey: key})
			require.NoError(t, err)
			_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, "bob", 100, &PayOptions{IdempotencyKey: key})
			require.ErrorIs(t, err, ErrOutcomeUnknown)
			require.ErrorIs(t, err, ErrIdempotencyConflict)
			assert.False(t, IsTransient(err))
			assert.Equal(t, int64(100), srv.Balance(bob.BTCWalletID))
		})
	}
	// The router's form of a malformed key: a definite refusal.
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if r.OpName == "Wallets" {
			writeJSON(w, 200, walletsData)
			return
		}
		writeJSON(w, 200, `{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 400: Bad Request","extensions":{"code":"SUBREQUEST_HTTP_ERROR"}}]}`)
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
	_, err := c.SendIntraLedger(bg(), "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 10, nil)
	require.ErrorIs(t, err, ErrInvalidIdempotencyKey)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown)
}

// 18. Top-level errors without a code (the router drops it) are read from
// the message alone.
func TestErrors_TopLevelErrorsWithoutCodeAreReadFromTheMessage(t *testing.T) {
	cases := map[string]struct {
		body string
		want error
	}{
		"not authorized":     {`{"data":{"me":null},"errors":[{"message":"Not authorized","path":["me"]}]}`, ErrNotAuthenticated},
		"scope read":         {`{"data":{"me":null},"errors":[{"message":"Unexpected error occurred, please try again or contact support if it persists (code: AuthorizationError: not authorized to read data)"}]}`, ErrInsufficientScope},
		"not found username": {`{"data":null,"errors":[{"message":"Account does not exist for username nobody"}]}`, ErrNotFound},
		"not found class":    {`{"data":null,"errors":[{"message":"Unexpected error occurred, please try again or contact support if it persists (code: CouldNotFindWalletInvoiceError)"}]}`, ErrNotFound},
		"router 409":         {`{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 409: Conflict"}]}`, ErrIdempotencyConflict},
		"router 503":         {`{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 503: Service Unavailable"}]}`, ErrServer},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, 200, tc.body) })
			c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
			_, err := c.Me(bg())
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// 19. ALREADY_PAID goes only to the wallet that paid; another payer of a
// paid invoice is told definitely that it paid nothing.
func TestPayInvoice_AlreadyPaidOnlyForThePayingWallet(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	carol := newFakeUser(t, srv, "carol", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr := invoiceOn(t, bob, 3_000)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	require.Equal(t, PaymentSucceeded, res.Status)

	res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentAlreadyPaid, res.Status)

	res, err = carol.Client.PayInvoice(bg(), carol.BTCWalletID, pr, nil)
	require.ErrorIs(t, err, ErrInvoiceAlreadyPaid)
	assert.Equal(t, PaymentFailed, res.Status)
	assert.Equal(t, int64(100_000), srv.Balance(carol.BTCWalletID))
	assert.Equal(t, int64(3_000), srv.Balance(bob.BTCWalletID))
}

// 20. A lightning: prefix is stripped before sending (the server's scalar
// refuses it).
func TestPayInvoice_LightningPrefixIsStrippedBeforeSending(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, "LIGHTNING:"+srv.ExternalInvoice(100, blinktest.OutcomeSuccess), nil)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	_, err = alice.Client.ProbeInvoiceFee(bg(), alice.BTCWalletID, "lightning:"+srv.ExternalInvoice(100, blinktest.OutcomeSuccess))
	assert.NoError(t, err)
}
