package blink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// virtualClock is a discrete-event clock: After moves time forward to the
// deadline at once, so a polling loop runs an hour in milliseconds, and
// the fake server (WithClock(vc.Now)) sees the same time.
type virtualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newVirtualClock() *virtualClock {
	return &virtualClock{t: time.Now().Truncate(time.Second)}
}

func (v *virtualClock) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.t
}

func (v *virtualClock) After(d time.Duration) <-chan time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	if d > 0 {
		v.t = v.t.Add(d)
	}
	ch := make(chan time.Time, 1)
	ch <- v.t
	return ch
}

// keyless is a fake with a merchant account and a client for it.
type keyless struct {
	srv   *blinktest.Server
	acct  blinktest.Account
	c     *Client
	clock *virtualClock
}

// newKeyless starts a fake on a virtual clock with an account "shop" of
// the given kind and a client without a key.
func newKeyless(t *testing.T, kind blinktest.AccountKind, opts ...Option) *keyless {
	t.Helper()
	vc := newVirtualClock()
	srv := newFake(t, blinktest.WithClock(vc.Now))
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "shop"})
	srv.SetAccountKind(acct.ID, kind)
	c, err := New("", append([]Option{WithEndpoint(srv.URL()), fastRetry}, opts...)...)
	require.NoError(t, err)
	return &keyless{srv: srv, acct: acct, c: c, clock: vc}
}

// receiver returns a receiver for address with the fake's LNURL transport
// (wrapped by wrap, when given) on the virtual clock.
func (k *keyless) receiver(t *testing.T, address string, o *AddressReceiverOptions, wrap func(http.RoundTripper) http.RoundTripper) *AddressReceiver {
	t.Helper()
	var opts AddressReceiverOptions
	if o != nil {
		opts = *o
	}
	tr := k.srv.LNURLTransport()
	if wrap != nil {
		tr = wrap(tr)
	}
	opts.HTTPClient = &http.Client{Transport: tr}
	r, err := k.c.AddressReceiver(address, &opts)
	require.NoError(t, err)
	r.clock = k.clock
	return r
}

func TestAddressReceiver_ResolveCustodialGivesTheWallet(t *testing.T) {
	k := newKeyless(t, blinktest.AccountCustodial)
	r := k.receiver(t, "shop@"+blinktest.LightningAddressDomain, nil, nil)
	res, err := r.Resolve(bg())
	require.NoError(t, err)
	assert.Equal(t, ReceiveCustodial, res.Path)
	assert.Equal(t, k.acct.BTCWalletID, res.WalletID)
	assert.True(t, res.Final)

	inv, err := r.CreateInvoice(bg(), 1000, &AddressInvoiceOptions{Comment: "order 1"})
	require.NoError(t, err)
	assert.Equal(t, ReceiveCustodial, inv.Path)
	assert.Equal(t, Sats(1000), inv.Amount)
	require.NoError(t, k.srv.PayInvoice(inv.PaymentRequest))
	st, err := r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceivePaid, st.State)
	assert.True(t, preimageProves(st.Preimage, inv.PaymentHash))
	assert.Equal(t, 1, k.srv.Requests("AccountDefaultWallet"), "the decision is kept")
	assert.Zero(t, k.srv.LNURLRequests("/.well-known/lnurlp/{user}"), "custodial needs no LNURL")
	assert.Equal(t, int64(1000), k.srv.Balance(k.acct.BTCWalletID))
}

func TestAddressReceiver_ResolveMigratedAndSelfCustodialUseLNURLPay(t *testing.T) {
	for _, tc := range []struct {
		kind   blinktest.AccountKind
		reason string
	}{
		{blinktest.AccountMigrated, "Account is inactive."},
		{blinktest.AccountSelfCustodial, "Account does not exist for username shop"},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			k := newKeyless(t, tc.kind)
			r := k.receiver(t, "Shop@BlinkTest.invalid", nil, nil)
			res, err := r.Resolve(bg())
			require.NoError(t, err)
			assert.Equal(t, ReceiveLNURL, res.Path)
			assert.Equal(t, tc.reason, res.Reason)
			assert.True(t, res.Final)

			inv, err := r.CreateInvoice(bg(), 2500, nil)
			require.NoError(t, err)
			assert.Equal(t, ReceiveLNURL, inv.Path)
			assert.Equal(t, "shop@blinktest.invalid", inv.Address)
			assert.Equal(t, "https://"+blinktest.LNURLCallbackHost+"/verify/"+inv.PaymentHash, inv.VerifyURL)
			_, err = r.CreateInvoice(bg(), 2500, nil)
			require.NoError(t, err)
			assert.Equal(t, 1, k.srv.Requests("AccountDefaultWallet"), "a final decision is kept")
			assert.Equal(t, 2, k.srv.LNURLRequests("/lnurlp/{domain}/{user}/invoice"))
		})
	}
}

func TestAddressReceiver_ResolveOtherFailureUsesLNURLForThisCallOnly(t *testing.T) {
	k := newKeyless(t, blinktest.AccountCustodial)
	k.srv.InjectFault("AccountDefaultWallet", blinktest.Fault{Status: 503}, 100)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	res, err := r.Resolve(bg())
	require.NoError(t, err)
	assert.Equal(t, ReceiveLNURL, res.Path)
	assert.False(t, res.Final)
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	assert.Equal(t, ReceiveLNURL, inv.Path, "a custodial account's address works through LNURL-pay too")

	k.srv.ClearFaults()
	res, err = r.Resolve(bg())
	require.NoError(t, err)
	assert.Equal(t, ReceiveCustodial, res.Path, "nothing was cached from the failure")
}

func TestAddressReceiver_ForeignDomainGoesStraightToLNURL(t *testing.T) {
	k := newKeyless(t, blinktest.AccountCustodial)
	r := k.receiver(t, "bob@example.com", nil, nil)
	res, err := r.Resolve(bg())
	require.NoError(t, err)
	assert.Equal(t, ReceiveLNURL, res.Path)
	assert.Zero(t, k.srv.Requests("AccountDefaultWallet"))
}

func TestAddressReceiver_BareUsernameTakesTheServersDomain(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop+usd", nil, nil)
	inv, err := r.CreateInvoice(bg(), 500, nil)
	require.NoError(t, err)
	assert.Equal(t, "shop+usd@blinktest.invalid", inv.Address)
	require.NoError(t, k.srv.PayInvoice(inv.PaymentRequest))
	assert.Positive(t, k.srv.Balance(k.acct.USDWalletID), "+usd receives into the USD wallet")
}

func TestAddressReceiver_UnknownAddressIsNotFound(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "nobody@blinktest.invalid", &AddressReceiverOptions{Path: ReceiveLNURL}, nil)
	_, err := r.CreateInvoice(bg(), 100, nil)
	require.ErrorIs(t, err, ErrAddressNotFound)
	assert.Contains(t, err.Error(), "Couldn't find user 'nobody'.")
}

func TestAddressReceiver_ReceiveDisabledOnBothPathsKeepsTheMessage(t *testing.T) {
	for _, kind := range []blinktest.AccountKind{blinktest.AccountCustodial, blinktest.AccountMigrated} {
		k := newKeyless(t, kind)
		k.srv.SetReceiveDisabled(k.acct.ID, true)
		r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
		_, err := r.CreateInvoice(bg(), 100, nil)
		require.ErrorIs(t, err, ErrReceiveDisabled, "kind %d", kind)
		var e *Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, blinktest.ReceiveDisabledMessage, e.Message)
		assert.False(t, IsTransient(err))
	}
}

func TestCreateInvoice_KeyHolderOfAWoundDownAccountGetsErrReceiveDisabled(t *testing.T) {
	srv := newFake(t)
	u := newFakeUser(t, srv, "merchant", 0, 0, nil, fastRetry)
	srv.SetReceiveDisabled(u.ID, true)
	_, err := u.Client.CreateInvoice(bg(), u.BTCWalletID, 100, nil)
	require.ErrorIs(t, err, ErrReceiveDisabled)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "RECEIVE_DISABLED", e.Code)
	assert.Equal(t, blinktest.ReceiveDisabledMessage, e.Message, "the server's message is kept")
}

func TestAddressReceiver_RefusesCommentsAndAmountsTheAddressDoesNot(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	_, err := r.CreateInvoice(bg(), 100, &AddressInvoiceOptions{Comment: strings.Repeat("x", 256)})
	require.ErrorIs(t, err, ErrInvalidInput)
	_, err = r.CreateInvoice(bg(), 5_000_000, nil)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Zero(t, k.srv.LNURLRequests("/lnurlp/{domain}/{user}/invoice"), "refused before the callback")
	inv, err := r.CreateInvoice(bg(), 100, &AddressInvoiceOptions{Comment: strings.Repeat("x", 255), Expiry: 10 * time.Minute})
	require.NoError(t, err)
	assert.Equal(t, 10*time.Minute, inv.ExpiresAt.Sub(inv.CreatedAt))
}

// keyCatcher records every request that reaches the LNURL transport.
type keyCatcher struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (c *keyCatcher) RoundTrip(r *http.Request) (*http.Response, error) {
	var b bytes.Buffer
	_ = r.Header.Write(&b)
	c.mu.Lock()
	c.seen = append(c.seen, r.URL.String()+"\n"+b.String())
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

func TestAddressReceiver_TheKeyNeverReachesLNURLHosts(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	key := k.srv.CreateAPIKey(k.srv.CreateAccount(blinktest.AccountOptions{Username: "holder"}).ID, blinktest.KeyOptions{})
	c, err := New(key, WithEndpoint(k.srv.URL()), fastRetry)
	require.NoError(t, err)
	kc := &keyCatcher{next: k.srv.LNURLTransport()}
	r, err := c.AddressReceiver("shop@blinktest.invalid", &AddressReceiverOptions{HTTPClient: &http.Client{Transport: kc}})
	require.NoError(t, err)
	r.clock = k.clock
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	k.srv.SettleInvoiceAfter(inv.PaymentHash, 5*time.Second)
	_, err = r.Wait(bg(), inv)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(kc.seen), 3)
	for _, s := range kc.seen {
		assert.NotContains(t, s, key)
		assert.NotContains(t, strings.ToLower(s), "x-api-key")
	}
}

func TestAddressReceiver_WaitLNURLPaidOnlyWithTheMatchingPreimage(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	var lie sync.Mutex
	lying := true
	r := k.receiver(t, "shop@blinktest.invalid", nil, rewriteVerify(func(m map[string]any) {
		lie.Lock()
		defer lie.Unlock()
		if lying && m["settled"] == true {
			m["preimage"] = strings.Repeat("ab", 32)
		}
	}))
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	require.NoError(t, k.srv.PayInvoice(inv.PaymentRequest))
	st, err := r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceiveSettledWithoutPreimage, st.State, "a preimage that proves nothing is not paid")
	require.ErrorIs(t, st.Err, ErrPreimageMismatch)

	k.srv.WithholdPreimage(inv.PaymentHash, true)
	lie.Lock()
	lying = false
	lie.Unlock()
	st, err = r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceiveSettledWithoutPreimage, st.State, "settled without a preimage is its own answer")

	k.srv.WithholdPreimage(inv.PaymentHash, false)
	got, err := r.Wait(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceivePaid, got.State)
	assert.True(t, preimageProves(got.Preimage, inv.PaymentHash))
}

func TestAddressReceiver_NotFoundOnlyAfterConfirmation(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	k.srv.ExpireInvoice(inv.PaymentHash) // the LNURL server forgets it early
	for i := 1; i < 3; i++ {
		st, err := r.Check(bg(), inv)
		require.NoError(t, err)
		assert.Equal(t, ReceiveTransient, st.State, "answer %d", i)
		assert.Contains(t, st.Reason, "Not found")
	}
	st, err := r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceiveNotFound, st.State)

	inv2, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	k.srv.ExpireInvoice(inv2.PaymentHash)
	_, err = r.Wait(bg(), inv2)
	require.ErrorIs(t, err, ErrInvoiceNotFound)
	assert.Equal(t, 3, k.srv.LNURLRequests("/verify/"+inv2.PaymentHash))
}

func TestAddressReceiver_BurstOfInternalErrorsDoesNotDropALiveInvoice(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	k.srv.FailVerify(inv.PaymentHash, 20)
	k.srv.SettleInvoiceAfter(inv.PaymentHash, 10*time.Minute)
	start := k.clock.Now()
	st, err := r.Wait(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceivePaid, st.State)
	n := k.srv.LNURLRequests("/verify/" + inv.PaymentHash)
	assert.Equal(t, 21, n, "20 errors, then the paid answer")
	t.Logf("20 ERROR answers then paid: %d verify requests over %s of the fake's clock", n, k.clock.Now().Sub(start))
	assert.Greater(t, k.clock.Now().Sub(start), 20*time.Minute, "the errors were backed off")
}

func TestAddressReceiver_TransientAnswersHonourRetryAfter(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	var mu sync.Mutex
	fails := 2
	r := k.receiver(t, "shop@blinktest.invalid", nil, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			fail := strings.HasPrefix(req.URL.Path, "/verify/") && fails > 0
			if fail {
				fails--
			}
			mu.Unlock()
			if fail {
				return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"600"}}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
			}
			return next.RoundTrip(req)
		})
	})
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	st, err := r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceiveTransient, st.State)
	assert.Equal(t, 10*time.Minute, st.RetryAfter)
	assert.True(t, errors.Is(st.Err, ErrRateLimited))
	k.srv.SettleInvoiceAfter(inv.PaymentHash, time.Second)
	start := k.clock.Now()
	_, err = r.Wait(bg(), inv)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, k.clock.Now().Sub(start), 10*time.Minute, "Retry-After was waited out")
}

func TestAddressReceiver_ErrorsPastExpiryDoNotTurnPaidIntoExpired(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	inv, err := r.CreateInvoice(bg(), 100, &AddressInvoiceOptions{Expiry: 5 * time.Minute})
	require.NoError(t, err)
	k.srv.SettleInvoiceAfter(inv.PaymentHash, 4*time.Minute)
	k.srv.FailVerify(inv.PaymentHash, 40) // the server glitches past the grace
	st, err := r.Wait(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceivePaid, st.State)
	assert.True(t, k.clock.Now().After(inv.ExpiresAt.Add(2*time.Minute)))
}

func TestAddressReceiver_WaitStopsAtExpiryPlusGrace(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	inv, err := r.CreateInvoice(bg(), 100, &AddressInvoiceOptions{Expiry: 5 * time.Minute})
	require.NoError(t, err)
	_, err = r.Wait(bg(), inv)
	require.ErrorIs(t, err, ErrInvoiceExpired)
	assert.True(t, inv.ExpiresAt.Add(2*time.Minute).Equal(k.clock.Now()), "one last check at the end of the grace, not %s", k.clock.Now())
}

func TestAddressReceiver_WaitCustodialUsesWaitForInvoice(t *testing.T) {
	k := newKeyless(t, blinktest.AccountCustodial)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	require.NoError(t, k.srv.PayInvoice(inv.PaymentRequest))
	ctx, cancel := context.WithTimeout(bg(), 10*time.Second)
	defer cancel()
	st, err := r.Wait(ctx, inv)
	require.NoError(t, err)
	assert.Equal(t, ReceivePaid, st.State)
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// rewriteJSON returns a transport wrapper that lets edit change the JSON
// answers to requests whose path match says yes to.
func rewriteJSON(match func(path string) bool, edit func(map[string]any)) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(req)
			if err != nil || !match(req.URL.Path) {
				return resp, err
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			var m map[string]any
			if json.Unmarshal(body, &m) == nil {
				edit(m)
				body, _ = json.Marshal(m)
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return resp, nil
		})
	}
}

func rewriteVerify(edit func(map[string]any)) func(http.RoundTripper) http.RoundTripper {
	return rewriteJSON(func(p string) bool { return strings.HasPrefix(p, "/verify/") }, edit)
}
