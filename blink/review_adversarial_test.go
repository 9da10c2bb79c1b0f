package blink

// Adversarial tests of the money path from an outside review. Tests that
// fail describe a bug: each is named after the behaviour the SDK should
// have. Tests that pass pin behaviour that is not obvious from the code.
//
// Run: go test ./blink/ -run Adversarial -race -count=1

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// advClock is the fake server's clock: real time plus an offset a test
// sets (a clock skew against the client) and moves (time passing on the
// server while the client's clock stands still in the test).
type advClock struct{ off atomic.Int64 }

func (k *advClock) now() time.Time       { return time.Now().Add(time.Duration(k.off.Load())) }
func (k *advClock) set(d time.Duration)  { k.off.Store(int64(d)) }
func (k *advClock) move(d time.Duration) { k.off.Add(int64(d)) }

type advRoundTrip func(*http.Request) (*http.Response, error)

func (f advRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// goroutinesIn counts the goroutines whose stack has a frame of fn (a
// function name as runtime.Stack prints it).
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	k := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			k++
		}
	}
	return k
}

// learntGet is the frame of a caller inside learnt.get: fetching a value
// the client learns once, or waiting for another caller's fetch.
const learntGet = "blink.(*learnt[...]).get("

// storedCopy is what an integration stores of an unknown outcome to finish
// it after a restart: every exported field but Cause.
func storedCopy(ou *OutcomeUnknownError) *OutcomeUnknownError {
	c := *ou
	c.Cause = nil
	return &c
}

// ---------------------------------------------------------------------
// Bugs
// ---------------------------------------------------------------------

// The server's clock 10 minutes ahead of the client's (the SDK has seen it
// in the Date headers). An intraledger send executes and its answer is
// lost. ResolvePayment must find it; FinishPayment, called as its message
// says ("call again after ..."), must never send it a second time.
// (Failed at 21c1963: ResolvePayment's default Until was the client's
// now; fixed in 021d8c1, which bounds it by the server's clock. Kept as a
// regression pin.)
func TestAdversarial_FinishPayment_ServerClockAheadNeverPaysAnIntraLedgerSendTwice(t *testing.T) {
	var clock advClock
	clock.set(10 * time.Minute)
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)

	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 777, &PayOptions{Memo: "payout 9001", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))

	r, err := alice.Client.ResolvePayment(bg(), ou.Lookup())
	require.NoError(t, err)
	assert.Equal(t, ResolvedSucceeded, r.Outcome, "the executed send, with a unique memo, is in the ledger (created at server time, 10 minutes after the client's now)")

	res, err := alice.Client.FinishPayment(bg(), ou)
	if err == nil {
		assert.Equal(t, PaymentSucceeded, res.Status)
	}
	// Three minutes pass (on the server's clock; the skew stays as the SDK
	// measures it from the next Date header), and the caller calls again.
	clock.move(3 * time.Minute)
	res, err = alice.Client.FinishPayment(bg(), ou)
	if err == nil {
		assert.Equal(t, PaymentSucceeded, res.Status)
	}
	assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"), "FinishPayment sent the payment a second time")
	assert.Equal(t, int64(777), srv.Balance(bob.BTCWalletID), "bob was paid twice")
}

// An integration stores the unknown outcome and finishes it after a
// restart, with a new Client (as FinishPayment's doc allows). The server's
// clock is 10 minutes ahead of the client's, and the call comes a little
// over an hour later: the send's idempotency lock has lapsed on the server.
// The new client has not seen a Date header yet, so it cannot know how
// long ago the send was by the server's clock; it must not take a free key
// as proof that no attempt arrived.
func TestAdversarial_FinishPayment_AfterARestartWithASkewedClockNeverRetiresALapsedKey(t *testing.T) {
	var clock advClock
	clock.set(10 * time.Minute)
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)

	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 555, nil)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))
	stored := storedCopy(ou)

	// 62 minutes later by the server's clock (the client's clock, in
	// reality, moved 62 minutes too; its skew is still +10 minutes).
	clock.move(62 * time.Minute)
	restarted, err := New(alice.Key, WithEndpoint(srv.URL()), fastRetry)
	require.NoError(t, err)
	res, err := restarted.FinishPayment(bg(), stored)
	if err == nil {
		t.Logf("FinishPayment: %s", res.Status)
	}
	assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"), "the lapsed key was retired as if no attempt had arrived, and the payment was sent again")
	assert.Equal(t, int64(555), srv.Balance(bob.BTCWalletID))
}

// noDateProxy is a reverse proxy in front of the fake that strips the
// Date header from every answer (as some proxies and gateways do).
func noDateProxy(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	rp.ErrorLog = log.New(io.Discard, "", 0)
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rp.ServeHTTP(noDateWriter{w}, r)
	}))
	t.Cleanup(h.Close)
	return h.URL + u.Path
}

type noDateWriter struct{ http.ResponseWriter }

func (w noDateWriter) WriteHeader(code int) {
	w.ResponseWriter.Header()["Date"] = nil // net/http then adds none
	w.ResponseWriter.WriteHeader(code)
}

// No answer carries a Date header, and the server's clock is 10 minutes
// behind the client's. The SDK then assumes the clocks agree within a
// minute (unknownSkew) and bounds the look-up by that guess: the executed
// send (created 10 minutes "before" the call by the ledger's clock) falls
// outside [Since, ...] and looks NOT_FOUND, which FinishPayment takes as
// conclusive once ExecutionWindow has passed, and pays again. Without a
// clock sample the SDK must not conclude NOT_FOUND (or must look further
// back).
func TestAdversarial_FinishPayment_WithoutDateHeadersASkewedServerClockNeverPaysTwice(t *testing.T) {
	var clock advClock
	clock.set(-10 * time.Minute)
	srv := newFake(t, blinktest.WithClock(clock.now))
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 100_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	key := srv.CreateAPIKey(acct.ID, blinktest.KeyOptions{})
	c, err := New(key, WithEndpoint(noDateProxy(t, srv.URL())), fastRetry)
	require.NoError(t, err)

	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err = c.SendIntraLedger(bg(), acct.BTCWalletID, bob.BTCWalletID, 888, &PayOptions{Memo: "payout 31337", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))

	r, err := c.ResolvePayment(bg(), ou.Lookup())
	require.NoError(t, err)
	assert.Equal(t, ResolvedSucceeded, r.Outcome, "the executed send, with a unique memo, is in the ledger")

	res, err := c.FinishPayment(bg(), ou)
	if err == nil {
		assert.Equal(t, PaymentSucceeded, res.Status)
	} else if ou.ArrivedBy.IsZero() {
		t.Fatalf("FinishPayment: %v", err)
	}
	// The caller calls again, as told, five minutes later: moving the
	// stored ArrivedBy five minutes back stands for the client's clock
	// moving five minutes on (the test cannot move it; every other bound
	// of the look-up gives the same answer either way).
	ou.ArrivedBy = ou.ArrivedBy.Add(-5 * time.Minute)
	res, err = c.FinishPayment(bg(), ou)
	if err == nil {
		assert.Equal(t, PaymentSucceeded, res.Status)
	}
	assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"), "FinishPayment sent the payment a second time")
	assert.Equal(t, int64(888), srv.Balance(bob.BTCWalletID), "bob was paid twice")
}

// Two workers finish the same unknown outcome at once (the same error
// value, shared), while a third logs or stores it. FinishPayment must not
// write to the caller's error (ArrivedBy, Cause) while another goroutine
// reads it: no data race (run with -race).
func TestAdversarial_FinishPayment_ConcurrentCallsWithTheSameErrorDoNotRace(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 321, &PayOptions{Memo: "order 77", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)

	// Meanwhile another goroutine logs the error (or stores its fields,
	// as FinishPayment's doc suggests).
	var done atomic.Bool
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		for !done.Load() {
			_ = ou.Error()
			_ = storedCopy(ou)
			runtime.Gosched()
		}
	}()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = alice.Client.FinishPayment(bg(), ou)
		}()
	}
	wg.Wait()
	done.Store(true)
	<-logged
	assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))
	assert.Equal(t, int64(321), srv.Balance(bob.BTCWalletID))
}

// RetireIdempotencyKey answers "no attempt arrived" (and FinishPayment
// then sends the payment again) for any answer without an error, even one
// that carries no globals at all: data for another operation, or an empty
// object. Only an answer to the retire query itself proves that the query
// passed the idempotency middleware with the key free.
func TestAdversarial_RetireIdempotencyKey_AnswerWithoutGlobalsIsNotProofTheKeyWasFree(t *testing.T) {
	var sends atomic.Int64
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		switch r.OpName {
		case "Globals":
			// 200, but not the answer to this query.
			writeJSON(w, 200, `{"data":{"me":{"id":"u1"}}}`)
		case "IntraLedgerPaymentSend":
			sends.Add(1)
			writeJSON(w, 200, `{"data":{"intraLedgerPaymentSend":{"status":"SUCCESS","errors":[]}}}`)
		default:
			writeJSON(w, 500, `oops`)
		}
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
	key := NewIdempotencyKey()
	arrived, err := c.RetireIdempotencyKey(bg(), key)
	assert.True(t, err != nil || arrived, "an answer that is not globals' proves nothing about the key")

	now := time.Now().UTC()
	ou := &OutcomeUnknownError{Operation: "IntraLedgerPaymentSend", IdempotencyKey: NewIdempotencyKey(),
		WalletID: "11111111-1111-4111-8111-111111111111", Amount: 10, Recipient: "22222222-2222-4222-8222-222222222222",
		StartedAt: now, StartedAfter: now.Add(-time.Second), StartedBefore: now.Add(time.Second)}
	_, _ = c.FinishPayment(bg(), ou)
	assert.Zero(t, sends.Load(), "FinishPayment sent the payment again on an answer that does not show the key was free")
}

// A lightning address send executes as a failure (the address has no
// user: nothing moves) and its answer is lost. The wallet then makes an
// unrelated intraledger send of the same amount to someone else.
// ResolvePayment and FinishPayment must not take that send for this one:
// bob@ was never paid.
func TestAdversarial_ResolvePayment_LightningAddressSendIsNeverMatchedToAnUnrelatedSend(t *testing.T) {
	var clock advClock
	srv := newFake(t, blinktest.WithClock(clock.now))
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	dave := newFakeUser(t, srv, "dave", 0, 0, nil)

	srv.InjectFault("LnAddressPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, "nosuchuser@"+blinktest.LightningAddressDomain, 1_000, nil)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, 1, srv.Executions("LnAddressPaymentSend"))
	require.Equal(t, int64(100_000), srv.Balance(alice.BTCWalletID), "the send failed on the server: nothing moved")

	clock.move(5 * time.Second) // a few seconds later
	res, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, dave.BTCWalletID, 1_000, &PayOptions{Memo: "rent"})
	require.NoError(t, err)
	require.Equal(t, PaymentSucceeded, res.Status)

	r, err := alice.Client.ResolvePayment(bg(), ou.Lookup())
	require.NoError(t, err)
	assert.NotEqual(t, ResolvedSucceeded, r.Outcome, "an intraledger payment to dave was taken for the lightning address send")

	fin, err := alice.Client.FinishPayment(bg(), ou)
	if err == nil {
		assert.NotEqual(t, PaymentSucceeded, fin.Status, "FinishPayment says the lightning address was paid; nothing was sent to it")
	}
}

// An invoice send is still on its way when the client gives up (it lands
// on the server later). FinishPayment, called at once, pays the invoice
// again with a fresh key; that resend fails for want of balance, and
// FinishPayment reports PaymentFailed. But the original request can still
// execute (it was never retired) and does, once the wallet has the funds:
// the definite failure was wrong.
func TestAdversarial_FinishPayment_InvoiceResendFailureIsNotDefiniteWhileTheOriginalMayStillLand(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 1_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	carol := newFakeUser(t, srv, "carol", 100_000, 0, nil)
	pr := invoiceOn(t, bob, 1_500)
	// Warm the client so that the send is the only slow request.
	_, err := alice.Client.Network(bg())
	require.NoError(t, err)

	const latency = 600 * time.Millisecond
	srv.InjectFault("LnInvoicePaymentSend", blinktest.Fault{Latency: latency, ExecuteDespiteCancel: true}, 1)
	ctx, cancel := context.WithTimeout(bg(), 150*time.Millisecond)
	defer cancel()
	_, err = alice.Client.PayInvoice(ctx, alice.BTCWalletID, pr, nil)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)

	res, finErr := alice.Client.FinishPayment(bg(), ou)
	// The wallet is funded before the original request lands.
	_, err = carol.Client.SendIntraLedger(bg(), carol.BTCWalletID, alice.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	// Close waits for every request in flight: the original has landed.
	srv.Close()

	if res != nil && res.Status == PaymentFailed {
		assert.Zero(t, srv.Balance(bob.BTCWalletID), "FinishPayment said PaymentFailed (%v) but the original send paid the invoice afterwards", finErr)
	}
}

// Bad input is refused before any request (0 requests of any kind): an
// invoice with an amount given to PayNoAmountInvoice is refused only after
// the scopes and wallets were asked for.
func TestAdversarial_PayNoAmountInvoice_InvoiceWithAnAmountIsRefusedBeforeAnyRequest(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	pr := srv.ExternalInvoice(100, blinktest.OutcomeSuccess)
	ops := []string{"Authorization", "Wallets", "Globals"}
	before := map[string]int{}
	for _, op := range ops {
		before[op] = srv.Requests(op)
	}
	_, err := alice.Client.PayNoAmountInvoice(bg(), alice.BTCWalletID, pr, 100, nil)
	require.ErrorIs(t, err, ErrInvalidInput)
	for _, op := range ops {
		assert.Equal(t, before[op], srv.Requests(op), "%s was asked before a local refusal", op)
	}
}

// The same for a malformed on-chain address: the form of the address is
// checked locally, yet the wallets query goes first.
func TestAdversarial_SendOnChain_MalformedAddressIsRefusedBeforeAnyRequest(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	ops := []string{"Authorization", "Wallets", "Globals"}
	before := map[string]int{}
	for _, op := range ops {
		before[op] = srv.Requests(op)
	}
	_, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, "not an address at all", 10_000, nil)
	require.ErrorIs(t, err, ErrInvalidInput)
	_, err = alice.Client.SendAllOnChain(bg(), alice.BTCWalletID, "bc1qnope", nil)
	require.ErrorIs(t, err, ErrInvalidInput)
	for _, op := range ops {
		assert.Equal(t, before[op], srv.Requests(op), "%s was asked before a local refusal", op)
	}
}

// A wallet that only probed an invoice another account then paid gets
// ALREADY_PAID from the server without a SEND of its own. The SDK makes
// that a definite failure (ErrInvoiceAlreadyPaid, nothing moved), as it
// should, but IsTransient calls it retryable: the SDK's own message ("the
// server says the invoice is already paid") lacks the capitalised "Invoice
// is already paid" IsTransient looks for. A caller that retries while
// IsTransient says so loops on an invoice that can never be paid.
func TestAdversarial_PayInvoice_AlreadyPaidToAPayerThatOnlyProbedIsNotTransient(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	carol := newFakeUser(t, srv, "carol", 100_000, 0, nil)
	pr := invoiceOn(t, bob, 900)
	_, err := alice.Client.ProbeInvoiceFee(bg(), alice.BTCWalletID, pr)
	require.NoError(t, err)
	res, err := carol.Client.PayInvoice(bg(), carol.BTCWalletID, pr, nil)
	require.NoError(t, err)
	require.Equal(t, PaymentSucceeded, res.Status)

	res, err = alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvoiceAlreadyPaid)
	require.NotNil(t, res)
	assert.Equal(t, PaymentFailed, res.Status, "never PaymentAlreadyPaid: alice did not pay it")
	assert.Equal(t, int64(100_000), srv.Balance(alice.BTCWalletID))
	assert.Equal(t, int64(900), srv.Balance(bob.BTCWalletID))
	assert.False(t, IsTransient(err), "an already paid invoice is not worth retrying: %v", err)
}

// An on-chain send whose answer was lost, found in the ledger by
// FinishPayment, is reported PaymentPending (the ledger entry is pending
// until confirmed), whereas the call itself reports a queued payout as
// PaymentSucceeded; FinishPayment promises "the send's outcome, as the
// original call would have returned it". PaymentPending's doc sends the
// caller to WaitForPayment, which needs a payment hash an on-chain send
// does not have.
func TestAdversarial_FinishPayment_OnChainSendFoundInTheLedgerIsReportedAsTheCallWould(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 200_000, 0, nil, fastRetry)
	addr := srv.ExternalAddress()

	direct, err := alice.Client.SendOnChain(bg(), alice.BTCWalletID, addr, 10_000, &OnChainOptions{Memo: "payout-a", UniqueMemo: true})
	require.NoError(t, err)
	require.Equal(t, PaymentSucceeded, direct.Status, "the call reports a queued payout as succeeded")

	srv.InjectFault("OnChainPaymentSendAll", blinktest.Fault{StatusAfterExecute: 504}, 1)
	_, err = alice.Client.SendAllOnChain(bg(), alice.BTCWalletID, addr, &OnChainOptions{Memo: "sweep-1", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	res, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Executions("OnChainPaymentSendAll"), "found, not resent")
	assert.Zero(t, srv.Balance(alice.BTCWalletID))
	assert.Equal(t, direct.Status, res.Status, "FinishPayment reports the same send differently from the call")
}

// ---------------------------------------------------------------------
// Pins (pass today; they guard behaviour that is easy to break)
// ---------------------------------------------------------------------

// The original request is still sleeping in the network (it lands after
// the client gave up). FinishPayment retires its key first, so when it
// lands it meets a conflict and never executes; the one payment is the
// resend.
func TestAdversarial_FinishPayment_RequestStillSleepingIsLockedOutByTheRetire(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	_, err := alice.Client.Wallets(bg())
	require.NoError(t, err)

	const latency = 500 * time.Millisecond
	srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{Latency: latency, ExecuteDespiteCancel: true}, 1)
	ctx, cancel := context.WithTimeout(bg(), 100*time.Millisecond)
	defer cancel()
	_, err = alice.Client.SendIntraLedger(ctx, alice.BTCWalletID, bob.BTCWalletID, 400, nil)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.False(t, IsTransient(err))

	res, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	// Close waits for every request in flight: the original has landed.
	srv.Close()
	assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))
	assert.Equal(t, int64(400), srv.Balance(bob.BTCWalletID))
}

// RetireIdempotencyKey whose own answer is lost after the server took the
// lock (502 after execution, truncated 200): it never reports the key free
// (it errs, or reports it taken by its own retry), so FinishPayment never
// pays twice.
func TestAdversarial_RetireIdempotencyKey_LostAnswerNeverSaysFree(t *testing.T) {
	for _, f := range []blinktest.Fault{{StatusAfterExecute: 502}, {TruncateAfterExecute: true}, {DropAfterExecute: true}} {
		srv := newFake(t)
		alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
		bob := newFakeUser(t, srv, "bob", 0, 0, nil)
		srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
		_, err := alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 600, &PayOptions{Memo: "m-1", UniqueMemo: true})
		var ou *OutcomeUnknownError
		require.ErrorAs(t, err, &ou)

		fresh := NewIdempotencyKey()
		srv.InjectFault("Globals", f, 1)
		arrived, err := alice.Client.RetireIdempotencyKey(bg(), fresh)
		assert.True(t, err != nil || arrived, "%+v: the retire's own lock is never reported as a free key", f)

		srv.InjectFault("Globals", f, 4)
		_, _ = alice.Client.FinishPayment(bg(), ou)
		srv.ClearFaults()
		_, _ = alice.Client.FinishPayment(bg(), ou)
		assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"), "%+v", f)
		assert.Equal(t, int64(600), srv.Balance(bob.BTCWalletID), "%+v", f)
	}
}

// A send whose answer comes after the deadline, in any of the forms a
// lost answer takes, is an unknown outcome and never transient; the
// router's 5xx form (HTTP 200) too.
func TestAdversarial_Send_LateOrRouterFormServerErrorsAreUnknownNeverTransient(t *testing.T) {
	bodies := []struct {
		status int
		body   string
	}{
		{200, `{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 502: Bad Gateway","extensions":{"code":"SUBREQUEST_HTTP_ERROR"}}]}`},
		{200, `{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 500: Internal Server Error"}]}`},
		{200, `{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 409: Conflict"}]}`},
		{200, `{"data":{"intraLedgerPaymentSend":{"status":"FAIL`},
		{200, `{"data":{"globals":{"network":"mainnet"}}}`}, // data for another operation
		{200, `{}`},
		{503, `<html>busy</html>`},
		{500, `{"errors":[{"message":"Something broke"}]}`},
	}
	for _, b := range bodies {
		ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, b.status, b.body) })
		c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
		_, err := c.SendIntraLedger(bg(), "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 5, nil)
		assert.ErrorIs(t, err, ErrOutcomeUnknown, "%d %s", b.status, b.body)
		assert.False(t, IsTransient(err), "%d %s", b.status, b.body)
	}

	// And a 5xx that arrives just after the deadline.
	ctx, cancel := context.WithTimeout(bg(), 50*time.Millisecond)
	defer cancel()
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		<-ctx.Done()
		writeJSON(w, 502, `bad gateway`)
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
	_, err := c.SendIntraLedger(ctx, "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 5, nil)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.False(t, IsTransient(err))
}

// After an attempt that may have executed (a 502 after execution), a
// definite-looking answer on the retry (a payload FAILURE, a router 400)
// is still unknown: the first attempt may have taken the balance.
func TestAdversarial_Send_DefiniteLookingAnswerAfterAnAmbiguousAttemptIsUnknown(t *testing.T) {
	for _, second := range []string{
		`{"data":{"intraLedgerPaymentSend":{"status":"FAILURE","errors":[{"code":"INSUFFICIENT_BALANCE","message":"Payment amount '5' sats exceeds balance '0'"}]}}}`,
		`{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 400: Bad Request","extensions":{"code":"SUBREQUEST_HTTP_ERROR"}}]}`,
		`{"data":null,"errors":[{"message":"Unexpected error occurred, please try again or contact support if it persists (code: AuthorizationError: not authorized to execute mutations)"}]}`,
		`{"data":{"intraLedgerPaymentSend":{"status":null,"errors":[{"message":"Invalid value for WalletId","code":null}]}}}`,
	} {
		var sends atomic.Int64
		ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
			if r.OpName != "IntraLedgerPaymentSend" {
				writeJSON(w, 500, `no`)
				return
			}
			if sends.Add(1) == 1 {
				writeJSON(w, 502, `bad gateway`)
				return
			}
			writeJSON(w, 200, second)
		})
		c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
		res, err := c.SendIntraLedger(bg(), "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 5, nil)
		assert.Nil(t, res, second)
		assert.ErrorIs(t, err, ErrOutcomeUnknown, second)
	}
}

// net/http resends a request that carries an idempotency key when a
// reused connection closes without an answer; the SDK notices and the
// conflict that follows is an unknown outcome, with one execution.
func TestAdversarial_Send_SilentResendByNetHTTPIsUnknownAndExecutesOnce(t *testing.T) {
	for _, raw := range []bool{false, true} {
		var opts []blinktest.Option
		if raw {
			opts = append(opts, blinktest.WithRawAPIErrors())
		}
		srv := newFake(t, opts...)
		alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
		bob := newFakeUser(t, srv, "bob", 0, 0, nil)
		_, err := alice.Client.Wallets(bg()) // a connection to reuse
		require.NoError(t, err)
		srv.InjectFault("IntraLedgerPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
		_, err = alice.Client.SendIntraLedger(bg(), alice.BTCWalletID, bob.BTCWalletID, 50, nil)
		assert.ErrorIs(t, err, ErrOutcomeUnknown, "raw=%v", raw)
		assert.Equal(t, 1, srv.Executions("IntraLedgerPaymentSend"))
		assert.Equal(t, int64(50), srv.Balance(bob.BTCWalletID))
	}
}

// A send made through the GraphQL() escape hatch, with its root field
// behind an alias and a fragment, carries an idempotency key, and a lost
// answer is an unknown outcome, not a transient error to retry.
func TestAdversarial_GraphQLEscapeHatch_AliasedSendIsIdempotentAndUnknown(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	q := `mutation Mine($input: IntraLedgerPaymentSendInput!) { ...F }
fragment F on Mutation { pay: intraLedgerPaymentSend(input: $input) { status errors { message } } }`
	req := &graphql.Request{OpName: "Mine", Query: q, Variables: map[string]any{"input": map[string]any{
		"walletId": alice.BTCWalletID, "recipientWalletId": bob.BTCWalletID, "amount": 70}}}
	srv.InjectFault("Mine", blinktest.Fault{DropAfterExecute: true}, 4)
	var data map[string]any
	err := alice.Client.GraphQL().MakeRequest(bg(), req, &graphql.Response{Data: &data})
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.False(t, IsTransient(err))
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	assert.NotEmpty(t, ou.IdempotencyKey)
	assert.Equal(t, 1, srv.Executions("intraLedgerPaymentSend"))
	assert.Equal(t, int64(70), srv.Balance(bob.BTCWalletID))
}

// USD wallet sends: a lost answer is finished from the ledger, never paid
// twice.
func TestAdversarial_FinishPayment_USDIntraLedgerIsFoundNotResent(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 50_000, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)

	srv.InjectFault("IntraLedgerUsdPaymentSend", blinktest.Fault{DropAfterExecute: true}, 1)
	_, err := alice.Client.SendIntraLedgerUSD(bg(), alice.USDWalletID, bob.USDWalletID, 1_234, &PayOptions{Memo: "usd-1", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	res, err := alice.Client.FinishPayment(bg(), ou)
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, 1, srv.Executions("IntraLedgerUsdPaymentSend"))
	assert.Equal(t, int64(1_234), srv.Balance(bob.USDWalletID))
}

// A Date header that is missing or not a date is ignored: sends still
// end in unknown outcomes with a time window around the call.
func TestAdversarial_Clock_MissingOrBogusDateLeavesAWindowAroundTheCall(t *testing.T) {
	for _, date := range []string{"", "yesterday", "Mon, 99 Jan 2024 25:61:61 GMT"} {
		ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
			if date == "" {
				w.Header()["Date"] = nil
			} else {
				w.Header().Set("Date", date)
			}
			writeJSON(w, 502, `bad gateway`)
		})
		c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
		start := time.Now()
		_, err := c.SendIntraLedger(bg(), "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 5, nil)
		var ou *OutcomeUnknownError
		require.ErrorAs(t, err, &ou, "%q", date)
		assert.False(t, ou.StartedAfter.After(start), "%q", date)
		assert.True(t, ou.StartedBefore.After(start), "%q", date)
	}
}

// A panicking http.RoundTripper during a send, and concurrent first
// callers waiting on a Network fetch that panics, do not wedge the
// client; nothing is sent.
func TestAdversarial_Client_PanickingTransportDuringConcurrentFirstSendsDoesNotWedge(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr := invoiceOn(t, bob, 10)
	var calls atomic.Int64
	gate := make(chan struct{})
	panicky := advRoundTrip(func(r *http.Request) (*http.Response, error) {
		if calls.Add(1) == 1 {
			<-gate // let the other callers queue behind this fetch
			panic("user transport bug")
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c, err := New(alice.Key, WithEndpoint(srv.URL()), WithHTTPClient(&http.Client{Transport: panicky}), WithScopes(ScopeRead, ScopeWrite), WithTimeout(5*time.Second))
	require.NoError(t, err)
	done := make(chan any, 6)
	for range 6 {
		go func() {
			defer func() { done <- recover() }()
			_, _ = c.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
		}()
	}
	// One caller fetches (held at the gate), the five others wait for it.
	require.Eventually(t, func() bool { return goroutinesIn(learntGet) >= 6 }, 10*time.Second, time.Millisecond, "the callers did not queue behind the fetch")
	close(gate)
	panics := 0
	for range 6 {
		select {
		case p := <-done:
			if p != nil {
				panics++
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the client is wedged")
		}
	}
	assert.Equal(t, 1, panics)
	assert.LessOrEqual(t, srv.Balance(bob.BTCWalletID), int64(10), "the invoice is paid once at most")
	// The client is usable afterwards.
	res, err := c.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	assert.Contains(t, []PaymentStatus{PaymentSucceeded, PaymentAlreadyPaid}, res.Status)
	assert.Equal(t, int64(10), srv.Balance(bob.BTCWalletID))
}

// Invoices for amounts that are not whole sats: MaxAmount compares to the
// msat, and a refusal sends nothing.
func TestAdversarial_PayInvoice_MsatInvoiceAboveMaxAmountSendsNothing(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	pr := srv.ExternalInvoiceMsat(1_001, blinktest.OutcomeSuccess)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, &PayOptions{MaxAmount: 1})
	assert.ErrorIs(t, err, ErrLimitExceeded)
	assert.Zero(t, srv.Requests("LnInvoicePaymentSend"))
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, &PayOptions{MaxAmount: 2})
	require.NoError(t, err)
	assert.Equal(t, PaymentSucceeded, res.Status)
	assert.Equal(t, int64(100_000-2-blinktest.ExternalLightningFeeSats), srv.Balance(alice.BTCWalletID), "1,001 msat cost 2 sats")
}

// The first caller's scope fetch is cancelled (its context ends) while a
// second caller with a live context waits for it: the second asks again
// and gets its answer; it does not inherit the first's cancellation, and
// nothing hangs.
func TestAdversarial_Scopes_CancelledFetcherDoesNotFailOrWedgeItsWaiters(t *testing.T) {
	var auths atomic.Int64
	release := make(chan struct{}) // the first authorization answers only after its caller gave up
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if r.OpName == "Authorization" {
			if auths.Add(1) == 1 {
				<-release
			}
			writeJSON(w, 200, `{"data":{"authorization":{"scopes":["READ","WRITE"]}}}`)
			return
		}
		writeJSON(w, 200, meData)
	})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the server's Close
	c := newTestClient(t, ws.URL)
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	first := make(chan error, 1)
	go func() { _, err := c.Me(ctx); first <- err }()
	require.Eventually(t, func() bool { return auths.Load() == 1 }, 10*time.Second, time.Millisecond, "the first caller's scope fetch")
	second := make(chan error, 1)
	go func() { _, err := c.Me(bg()); second <- err }()
	// The second caller waits for the first's fetch; then the first gives up.
	require.Eventually(t, func() bool { return goroutinesIn(learntGet) >= 2 }, 10*time.Second, time.Millisecond, "the second caller did not wait for the fetch")
	cancel()
	select {
	case err := <-first:
		assert.Error(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled caller is wedged")
	}
	select {
	case err := <-second:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting caller is wedged")
	}
}
