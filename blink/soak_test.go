package blink

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// soakClock is the fake server's clock: real time plus an offset the soak
// moves forward to make a NOT_FOUND conclusive (ExecutionWindow) without
// waiting, and a fixed skew against the client's clock.
type soakClock struct{ offset atomic.Int64 }

func (k *soakClock) now() time.Time       { return time.Now().Add(time.Duration(k.offset.Load())) }
func (k *soakClock) jump(d time.Duration) { k.offset.Add(int64(d)) }

// soakFault is one fault of the mix, with the context the attempt runs in.
type soakFault struct {
	name  string
	fault blinktest.Fault
	times int
	// deadline, when set, bounds the attempt's context (the client gives
	// up before a slow answer).
	deadline time.Duration
}

// The fault mix of the outside review: drops after execution, 5xx after
// execution, an idempotency conflict without execution, answers slower
// than the client's deadline, executions that land after the client gave
// up, a 502 timed to the deadline, truncated 200 bodies, and random
// cancellation (see soakAttempt's cancel).
func soakFaults() []soakFault {
	const d = 40 * time.Millisecond
	return []soakFault{
		{name: "none"},
		{name: "none"},
		{name: "drop before", fault: blinktest.Fault{DropBeforeExecute: true}, times: 2},
		{name: "drop after", fault: blinktest.Fault{DropAfterExecute: true}, times: 1},
		{name: "drop after x4", fault: blinktest.Fault{DropAfterExecute: true}, times: 4},
		{name: "502 edge", fault: blinktest.Fault{Status: 502}, times: 2},
		{name: "429 edge", fault: blinktest.Fault{Status: 429}, times: 4},
		{name: "500 after", fault: blinktest.Fault{StatusAfterExecute: 500}, times: 1},
		{name: "502 after", fault: blinktest.Fault{StatusAfterExecute: 502}, times: 2},
		{name: "504 after", fault: blinktest.Fault{StatusAfterExecute: 504}, times: 1},
		{name: "409 no exec", fault: blinktest.Fault{Conflict: true}, times: 1},
		{name: "409 no exec x4", fault: blinktest.Fault{Conflict: true}, times: 4},
		{name: "truncated 200", fault: blinktest.Fault{TruncateAfterExecute: true}, times: 1},
		{name: "slower than deadline", fault: blinktest.Fault{Latency: 2 * d}, times: 1, deadline: d},
		{name: "lands after give-up", fault: blinktest.Fault{Latency: 2 * d, ExecuteDespiteCancel: true}, times: 1, deadline: d},
		{name: "answer after deadline", fault: blinktest.Fault{LatencyAfterExecute: 2 * d}, times: 1, deadline: d},
		{name: "502 at deadline", fault: blinktest.Fault{LatencyAfterExecute: d, StatusAfterExecute: 502}, times: 1, deadline: d},
	}
}

// soakAttempt is one send of the soak test, what the SDK said about it
// and how the ledger identifies it.
type soakAttempt struct {
	i      int
	kind   string
	fault  string
	hash   string // lightning payment hash of an invoice send
	memo   string // unique memo of an intraledger or on-chain send
	amount int64  // unique amount of a lightning address or LNURL send
	wallet string
	// claim is the definite status the SDK gave (the call's or
	// FinishPayment's); "" while unknown, "AMBIGUOUS" when FinishPayment
	// could not decide.
	claim    PaymentStatus
	failedBy error
	// resolved is ResolvePayment's first answer for an unknown outcome.
	resolved Resolved
	unknowns int
}

type soakRig struct {
	t     *testing.T
	srv   *blinktest.Server
	clock *soakClock
	alice *fakeUser
	bob   *fakeUser
	rng   *rand.Rand
	seq   atomic.Int64
}

// send makes attempt a of kind with a fresh identity and returns the
// call's answer.
func (r *soakRig) send(ctx context.Context, a *soakAttempt, opts *PayOptions) (*PaymentResult, error) {
	t, srv, alice, bob := r.t, r.srv, r.alice, r.bob
	n := r.seq.Add(1)
	a.wallet = alice.BTCWalletID
	po := func() *PayOptions {
		o := &PayOptions{Memo: a.memo, UniqueMemo: a.memo != ""}
		if opts != nil {
			o.IdempotencyKey = opts.IdempotencyKey
		}
		return o
	}
	switch a.kind {
	case "invoice", "external", "noamount":
		var pr string
		switch a.kind {
		case "invoice":
			pr = invoiceOn(t, bob, 1+int64(r.rng.IntN(5_000)))
		case "external":
			pr = srv.ExternalInvoice(1+int64(r.rng.IntN(5_000)), blinktest.OutcomeSuccess)
		default:
			inv, err := bob.Client.CreateNoAmountInvoice(bg(), bob.BTCWalletID, nil)
			require.NoError(t, err)
			pr = inv.PaymentRequest
		}
		dec, err := DecodeInvoice(pr)
		require.NoError(t, err)
		a.hash = dec.PaymentHash
		if a.kind == "noamount" {
			return alice.Client.PayNoAmountInvoice(ctx, alice.BTCWalletID, pr, Sats(1+r.rng.IntN(5_000)), po())
		}
		return alice.Client.PayInvoice(ctx, alice.BTCWalletID, pr, po())
	case "intraledger":
		a.memo = fmt.Sprintf("soak %d", n)
		return alice.Client.SendIntraLedger(ctx, alice.BTCWalletID, bob.BTCWalletID, Sats(1+r.rng.IntN(5_000)), po())
	case "intraledger usd":
		a.memo, a.wallet = fmt.Sprintf("soak %d", n), alice.USDWalletID
		return alice.Client.SendIntraLedgerUSD(ctx, alice.USDWalletID, bob.USDWalletID, Cents(1+r.rng.IntN(500)), po())
	case "onchain":
		a.memo = fmt.Sprintf("soak %d", n)
		return alice.Client.SendOnChain(ctx, alice.BTCWalletID, srv.ExternalAddress(), Sats(1_000+r.rng.IntN(50_000)), &OnChainOptions{Memo: a.memo, UniqueMemo: true, IdempotencyKey: po().IdempotencyKey})
	case "onchain usd":
		a.memo, a.wallet = fmt.Sprintf("soak %d", n), alice.USDWalletID
		return alice.Client.SendOnChainUSD(ctx, alice.USDWalletID, srv.ExternalAddress(), Cents(1_000+r.rng.IntN(5_000)), &OnChainOptions{Memo: a.memo, UniqueMemo: true, IdempotencyKey: po().IdempotencyKey})
	case "lnaddress":
		// No memo and no hash: the ledger knows it by its unique amount.
		a.amount = 1_000_000 + n
		return alice.Client.PayLightningAddress(ctx, alice.BTCWalletID, "bob@"+blinktest.LightningAddressDomain, Sats(a.amount), &PayOptions{IdempotencyKey: po().IdempotencyKey})
	case "lnurl":
		a.amount = 1_000_000 + n
		return alice.Client.PayLNURL(ctx, alice.BTCWalletID, "lnurlp://"+blinktest.LightningAddressDomain+"/.well-known/lnurlp/bob", Sats(a.amount), &PayOptions{IdempotencyKey: po().IdempotencyKey})
	}
	panic("unknown kind " + a.kind)
}

// settle records the call's answer and, for an unknown outcome, resolves
// it as a caller would: ResolvePayment once, then FinishPayment until it
// gives a definite answer, moving the fake's clock past ExecutionWindow
// when a NOT_FOUND is not conclusive yet.
func (r *soakRig) settle(a *soakAttempt, res *PaymentResult, err error) {
	var ou *OutcomeUnknownError
	for range 5 {
		switch {
		case errors.As(err, &ou):
			a.unknowns++
			require.False(r.t, IsTransient(err), "an unknown outcome is never transient: %v", err)
			if a.resolved == "" {
				rr, rerr := r.alice.Client.ResolvePayment(bg(), ou.Lookup())
				require.NoError(r.t, rerr)
				a.resolved = rr.Outcome
			}
			res, err = r.alice.Client.FinishPayment(bg(), ou)
			if errors.Is(err, ErrPaymentAmbiguous) {
				a.claim = "AMBIGUOUS" // several candidates: the caller decides
				return
			}
			if errors.As(err, &ou) && !ou.ArrivedBy.IsZero() {
				r.clock.jump(ExecutionWindow + 2*time.Second) // wait out the window, without waiting
			}
		case err != nil:
			// A definite failure: a PaymentFailed result, or no result
			// for a call that never reached the point of executing.
			if res != nil {
				require.Equal(r.t, PaymentFailed, res.Status, "%v", err)
			}
			a.claim, a.failedBy = PaymentFailed, err
			return
		default:
			a.claim = res.Status
			return
		}
	}
	r.t.Fatalf("attempt %d (%s, %s) still unknown after 5 tries: %v", a.i, a.kind, a.fault, err)
}

// TestSoak_SendsUnderTheReviewFaultMixNeverPayTwiceNorLie makes 1,600 sends
// of every kind through blinktest with the outside review's fault mix, and
// 400 more by concurrent callers that share caller-given idempotency keys.
// Every unknown outcome is finished with FinishPayment. Afterwards, from
// the fake's ledger: no send executed twice; every definite status the SDK
// gave (from the call or from FinishPayment) is the ledger's truth; every
// ResolvePayment answer that named a payment was right. It reports how
// many unknowns FinishPayment left AMBIGUOUS.
func TestSoak_SendsUnderTheReviewFaultMixNeverPayTwiceNorLie(t *testing.T) {
	const sequential, groups, perGroup = 1_600, 100, 4
	clock := &soakClock{}
	clock.jump(3 * time.Second) // the server's clock runs ahead of the client's
	srv := blinktest.NewServer(blinktest.WithInvoiceRateLimit(1_000_000), blinktest.WithClock(clock.now))
	rig := &soakRig{t: t, srv: srv, clock: clock, rng: rand.New(rand.NewPCG(42, 2026))}
	rig.alice = newFakeUser(t, srv, "alice", 1_000_000_000_000, 1_000_000_000_000, nil, fastRetry)
	rig.bob = newFakeUser(t, srv, "bob", 0, 0, nil)
	kinds := []string{"invoice", "external", "noamount", "intraledger", "intraledger usd", "onchain", "onchain usd", "lnaddress", "lnurl"}
	faults := soakFaults()

	var log []*soakAttempt
	for i := range sequential {
		f := faults[rig.rng.IntN(len(faults))]
		a := &soakAttempt{i: i, kind: kinds[i%len(kinds)], fault: f.name}
		ctx, cancel := context.WithCancel(bg())
		if f.deadline > 0 {
			ctx, cancel = context.WithTimeout(bg(), f.deadline)
		} else if rig.rng.IntN(20) == 0 {
			a.fault += " + random cancel"
			ctx, cancel = context.WithTimeout(bg(), time.Duration(rig.rng.IntN(3_000))*time.Microsecond)
		}
		if f.times > 0 {
			srv.InjectFault(opFor(a.kind), f.fault, f.times)
		}
		res, err := rig.send(ctx, a, nil)
		cancel()
		srv.ClearFaults()
		rig.settle(a, res, err)
		log = append(log, a)
	}

	// Concurrent callers that share a caller-given key: the same send,
	// started at once by several workers (a retried job, say). At most one
	// executes; the others see an unknown outcome and finish it.
	for g := range groups {
		key := NewIdempotencyKey()
		memo := fmt.Sprintf("shared %d", g)
		amount := Sats(1 + rig.rng.IntN(5_000))
		var wg sync.WaitGroup
		group := make([]*soakAttempt, perGroup)
		for w := range perGroup {
			a := &soakAttempt{i: sequential + g*perGroup + w, kind: "intraledger shared", fault: "shared key", memo: memo, wallet: rig.alice.BTCWalletID}
			group[w] = a
			wg.Go(func() {
				res, err := rig.alice.Client.SendIntraLedger(bg(), rig.alice.BTCWalletID, rig.bob.BTCWalletID, amount, &PayOptions{Memo: memo, UniqueMemo: true, IdempotencyKey: key})
				rig.settle(a, res, err)
			})
		}
		wg.Wait()
		log = append(log, group...)
	}

	srv.Close() // waits for executions still in flight (those that land after the client gave up)

	// What the ledger holds: SEND entries per payment hash, memo, amount.
	byHash, byMemo, byAmount := map[string]int{}, map[string]int{}, map[int64]int{}
	for _, w := range []string{rig.alice.BTCWalletID, rig.alice.USDWalletID} {
		for _, tx := range srv.Ledger(w) {
			if tx.Direction != "SEND" || tx.Status == "FAILURE" {
				continue
			}
			byHash[tx.PaymentHash]++
			byMemo[tx.Memo]++
			byAmount[-tx.Amount]++
		}
	}
	executed := func(a *soakAttempt) int {
		switch {
		case a.hash != "":
			return byHash[a.hash]
		case a.memo != "":
			return byMemo[a.memo]
		}
		return byAmount[a.amount]
	}
	counts := map[string]int{}
	unknown, ambiguous := 0, 0
	byFault := map[string]int{}
	shared := map[string]int{}
	for _, a := range log {
		n := executed(a)
		require.LessOrEqual(t, n, 1, "attempt %d (%s, %s) executed %d times", a.i, a.kind, a.fault, n)
		if a.unknowns > 0 {
			unknown++
			byFault[a.fault]++
			// A look-up that names a payment names one that exists.
			if a.resolved == ResolvedSucceeded || a.resolved == ResolvedPending {
				assert.Equal(t, 1, n, "attempt %d (%s, %s): ResolvePayment said %s", a.i, a.kind, a.fault, a.resolved)
			}
		}
		counts[a.kind+": "+string(a.claim)]++
		switch a.claim {
		case "AMBIGUOUS":
			ambiguous++
		case PaymentFailed:
			assert.Zero(t, n, "attempt %d (%s, %s) reported failed (%v) but executed", a.i, a.kind, a.fault, a.failedBy)
		case PaymentSucceeded, PaymentPending, PaymentAlreadyPaid:
			assert.Equal(t, 1, n, "attempt %d (%s, %s) reported %s but not in the ledger", a.i, a.kind, a.fault, a.claim)
		default:
			t.Fatalf("attempt %d ended without a claim", a.i)
		}
		if a.kind == "intraledger shared" {
			shared[a.memo] += n
		}
	}
	for memo, n := range shared {
		assert.LessOrEqual(t, n, perGroup, memo) // each worker saw the one payment at most once
	}
	t.Logf("soak: %d sends (%d by concurrent callers sharing keys), %d unknown outcomes, %d left AMBIGUOUS by FinishPayment", len(log), groups*perGroup, unknown, ambiguous)
	t.Logf("soak: claims by kind: %v", counts)
	t.Logf("soak: unknown outcomes by fault: %v", byFault)
	assert.Positive(t, unknown, "the faults produced unknown outcomes")
	assert.GreaterOrEqual(t, len(log), 1_500)
}

// opFor is the operation a kind of send runs.
func opFor(kind string) string {
	switch kind {
	case "invoice", "external":
		return "LnInvoicePaymentSend"
	case "noamount":
		return "LnNoAmountInvoicePaymentSend"
	case "intraledger":
		return "IntraLedgerPaymentSend"
	case "intraledger usd":
		return "IntraLedgerUsdPaymentSend"
	case "onchain":
		return "OnChainPaymentSend"
	case "onchain usd":
		return "OnChainUsdPaymentSend"
	case "lnaddress":
		return "LnAddressPaymentSend"
	case "lnurl":
		return "LnurlPaymentSend"
	}
	panic(kind)
}
