package blink

// Adversarial review of the keyless receive (issue 12): a hostile or
// broken LNURL-pay server, a GraphQL answer that only looks like a final
// one, and the watcher's promises. Each test pins an invariant nothing
// else tests: the ones once named ..._Bug failed on the code under review
// and pin its fixes, the others what held.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/bolt11/sign"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func rvJSONResponse(req *http.Request, status int, body string) *http.Response {
	return &http.Response{
		StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req,
	}
}

func rvIsVerify(p string) bool { return strings.HasPrefix(p, "/verify/") }

// --- 1. the watcher never answers an invoice whose check is refused ------

// Watch of an invoice that cannot be checked (no payment hash, no verify
// URL: an invoice restored badly from storage) is answered at once with
// an error, and not counted by Watching; a Check error is taken for "the
// watcher is closing" only once the watcher's context has ended.
func TestReview_Keyless_WatcherAnswersAnInvoiceItCannotCheck(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	w := NewInvoiceWatcher(nil)
	defer w.Close()
	for name, inv := range map[string]*AddressInvoice{
		"no payment hash": {Path: ReceiveLNURL, VerifyURL: "https://lnurl.blinktest.invalid/verify/x"},
		"no verify URL":   {Path: ReceiveLNURL, PaymentHash: strings.Repeat("ab", 32)},
	} {
		ch := w.Watch(r, inv)
		select {
		case res := <-ch:
			assert.Error(t, res.Err, name)
		case <-time.After(3 * time.Second):
			t.Errorf("%s: no WatchResult 3s after Watch (Watching()=%d): the invoice is dropped silently until Close", name, w.Watching())
		}
	}
}

// --- 2. one request in flight per invoice, even when watched twice -------

// Watching the same invoice twice (two listeners, a retry of the code
// that registers it: the "duplicate listeners" NOTES.md warns about)
// attaches the second channel to the first watch: entries are keyed by
// payment hash, so one verify request is in flight, one "Not found" count
// is kept, Watching counts one invoice, and both channels get the result.
func TestReview_Keyless_WatcherTwoWatchesOfOneInvoiceStillOneInFlight(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	var inFlight, maxInFlight atomic.Int32
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	r := k.receiver(t, "shop@blinktest.invalid", nil, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if !rvIsVerify(req.URL.Path) {
				return next.RoundTrip(req)
			}
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxInFlight.Load()
				if n <= m || maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			arrived <- struct{}{}
			select {
			case <-release:
			case <-req.Context().Done():
				return nil, req.Context().Err()
			}
			return next.RoundTrip(req)
		})
	})
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	w := NewInvoiceWatcher(&WatcherOptions{Concurrency: 4})
	defer w.Close()
	var once sync.Once
	defer once.Do(func() { close(release) })
	ch1 := w.Watch(r, inv)
	ch2 := w.Watch(r, inv)
	assert.Equal(t, 1, w.Watching(), "one invoice, watched twice")
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("no verify request")
	}
	select {
	case <-arrived:
		t.Errorf("a second verify request for the same invoice while the first is in flight (max in flight %d)", maxInFlight.Load())
	case <-time.After(time.Second):
	}
	k.srv.SettleInvoiceAfter(inv.PaymentHash, 0)
	once.Do(func() { close(release) })
	for i, ch := range []<-chan WatchResult{ch1, ch2} {
		select {
		case res := <-ch:
			require.NoError(t, res.Err, "channel %d", i+1)
			assert.True(t, preimageProves(res.Status.Preimage, inv.PaymentHash), "channel %d", i+1)
			assert.Same(t, inv, res.Invoice)
		case <-time.After(30 * time.Second):
			t.Fatalf("channel %d got no result", i+1)
		}
	}
	assert.Zero(t, w.Watching())
}

// --- 3. a verify answer that is not "OK" is not "pending" ----------------

// A verify answer whose status is not "OK" (case and surrounding white
// space ignored) is transient, never pending: " ERROR", "ERROR\n",
// "FAILED", an empty object, JSON null, an {"error": ...} from a proxy.
// Pending would reset the backoff (pollPlan.next): the "turning a 500
// into unpaid and resetting the backoff" mistake of NOTES.md.
func TestReview_Keyless_VerifyAnswerWithoutStatusOKIsNotPending(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	var mu sync.Mutex
	body := ""
	r := k.receiver(t, "shop@blinktest.invalid", nil, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			mu.Lock()
			b := body
			mu.Unlock()
			if rvIsVerify(req.URL.Path) && b != "" {
				return rvJSONResponse(req, 200, b), nil
			}
			return next.RoundTrip(req)
		})
	})
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	for _, b := range []string{
		`{"status":" ERROR","reason":"Internal server error"}`,
		`{"status":"ERROR\n","reason":"Internal server error"}`,
		`{"status":"FAILED","reason":"upstream"}`,
		`{"error":"internal"}`,
		`{}`,
		`null`,
	} {
		mu.Lock()
		body = b
		mu.Unlock()
		st, err := r.Check(bg(), inv)
		require.NoError(t, err, b)
		assert.Equal(t, ReceiveTransient, st.State, "%s must be transient, not %s", b, st.State)
	}
	// The real answers keep their meaning.
	mu.Lock()
	body = `{"status":"OK","settled":false,"preimage":null,"pr":"lnbc1bogus"}`
	mu.Unlock()
	st, err := r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceivePending, st.State, "status OK, not settled: pending; the echoed pr is ignored")
}

// --- 4. the invoice's dates are the server's to lie about ----------------

// forgeCallback replaces the callback's invoice by one signed with a key
// of the test's, with the same network, amount and description hash, and
// edit applied; the verify URL follows the new payment hash.
func forgeCallback(t *testing.T, edit func(p *sign.Params)) func(http.RoundTripper) http.RoundTripper {
	key, err := secp256k1.GeneratePrivateKey()
	require.NoError(t, err)
	return rewriteJSON(isCallback, func(m map[string]any) {
		pr, _ := m["pr"].(string)
		dec, err := bolt11.Decode(pr)
		if err != nil {
			t.Errorf("the fake's invoice does not decode: %v", err)
			return
		}
		var dh [32]byte
		b, _ := hex.DecodeString(dec.DescriptionHash)
		copy(dh[:], b)
		p := sign.Params{Network: dec.Network, AmountMsat: dec.AmountMsat, DescriptionHash: &dh,
			Timestamp: dec.Timestamp, Expiry: dec.Expiry}
		_, _ = rand.Read(p.PaymentSecret[:])
		_, _ = rand.Read(p.PaymentHash[:])
		edit(&p)
		s, err := sign.Encode(p, key)
		if err != nil {
			t.Errorf("sign: %v", err)
			return
		}
		m["pr"] = s
		m["verify"] = "https://" + blinktest.LNURLCallbackHost + "/verify/" + hex.EncodeToString(p.PaymentHash[:])
	})
}

// checkLNURLInvoice checks the invoice's dates too: an invoice "created"
// a year from now (Wait would poll it at the 3s floor, its age negative,
// for more than a year) is refused, and so is one payable longer than
// the expiry asked for (or a day, Blink's maximum, when none was) plus a
// minute: the merchant's order window is the payer's.
func TestReview_Keyless_RefusesInvoiceDatesItDidNotAskFor(t *testing.T) {
	for name, tc := range map[string]struct {
		edit   func(now time.Time) func(p *sign.Params)
		expiry time.Duration
	}{
		"created a year ahead": {func(now time.Time) func(p *sign.Params) {
			return func(p *sign.Params) { p.Timestamp = now.Add(365 * 24 * time.Hour) }
		}, 0},
		"30 days instead of 5 minutes": {func(now time.Time) func(p *sign.Params) {
			return func(p *sign.Params) { p.Timestamp = now; p.Expiry = 30 * 24 * time.Hour }
		}, 5 * time.Minute},
	} {
		t.Run(name, func(t *testing.T) {
			k := newKeyless(t, blinktest.AccountMigrated)
			r := k.receiver(t, "shop@blinktest.invalid", nil, forgeCallback(t, tc.edit(k.clock.Now())))
			inv, err := r.CreateInvoice(bg(), 100, &AddressInvoiceOptions{Expiry: tc.expiry})
			if err == nil {
				limit := k.clock.Now().Add(24*time.Hour + time.Minute)
				if tc.expiry > 0 {
					limit = k.clock.Now().Add(tc.expiry + time.Minute)
				}
				assert.False(t, inv.ExpiresAt.After(limit) || inv.CreatedAt.After(k.clock.Now().Add(time.Minute)),
					"accepted an invoice created %s and expiring %s (now %s)", inv.CreatedAt, inv.ExpiresAt, k.clock.Now())
			}
		})
	}
}

// The forged invoice of the test above is otherwise accepted: the forger
// works, so the failure is about the dates (a pin for the helper).
func TestReview_Keyless_ForgedInvoiceWithHonestDatesIsAccepted(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, forgeCallback(t, func(*sign.Params) {}))
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	assert.Equal(t, ReceiveLNURL, inv.Path)
}

// --- 5. resolution: only the real answers are final ----------------------

const transportFailure = "TRANSPORT"

// gqlOverride answers the accountDefaultWallet query with body while
// *on is set, else forwards to the fake.
func gqlOverride(on *atomic.Pointer[string]) *http.Client {
	return &http.Client{Transport: rtFunc(func(req *http.Request) (*http.Response, error) {
		if b := on.Load(); b != nil && req.Body != nil {
			raw, _ := io.ReadAll(req.Body)
			_ = req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(raw))
			if bytes.Contains(raw, []byte("accountDefaultWallet")) {
				if *b == transportFailure {
					return nil, errors.New("connection reset by peer")
				}
				return rvJSONResponse(req, 200, *b), nil
			}
		}
		return http.DefaultTransport.RoundTrip(req)
	})}
}

// resolve keeps LNURL-pay for good only on accountDefaultWallet's exact
// answers, "Account does not exist for username X" (never custodial,
// NOTES.md) and "Account is inactive.": a message that merely contains
// "does not exist" (a graphql-js validation error after a schema change,
// 'Value "USD" does not exist in "WalletCurrency" enum.', "Wallet does
// not exist") or "Account is inactive." is asked again next time, so a
// custodial account keeps its custodial path.
func TestReview_Keyless_ResolveCachesOnlyTheRealAnswers(t *testing.T) {
	for _, msg := range []string{
		`Value \"BTC\" does not exist in \"WalletCurrency\" enum.`,
		`Wallet does not exist`,
		`Internal error: Account is inactive.? upstream timeout`,
	} {
		t.Run(msg, func(t *testing.T) {
			var on atomic.Pointer[string]
			body := `{"errors":[{"message":"` + msg + `","path":["accountDefaultWallet"]}],"data":null}`
			on.Store(&body)
			k := newKeyless(t, blinktest.AccountCustodial, WithHTTPClient(gqlOverride(&on)))
			r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
			res, err := r.Resolve(bg())
			require.NoError(t, err)
			assert.Equal(t, ReceiveLNURL, res.Path)
			on.Store(nil)
			res, err = r.Resolve(bg())
			require.NoError(t, err)
			assert.Equal(t, ReceiveCustodial, res.Path, "a message that is not the account's answer was cached as final (%q)", res.Reason)
		})
	}
}

// Answers that differ slightly from the real ones, and a transport
// failure, are not cached.
func TestReview_Keyless_ResolveDoesNotCacheNearMissesOrTransportFailures(t *testing.T) {
	for _, msg := range []string{"account is inactive", "Account  is inactive.", "ACCOUNT IS INACTIVE.", "Account is inactive", transportFailure} {
		t.Run(msg, func(t *testing.T) {
			var on atomic.Pointer[string]
			body := `{"errors":[{"message":"` + msg + `","path":["accountDefaultWallet"]}],"data":null}`
			if msg == transportFailure {
				body = transportFailure
			}
			on.Store(&body)
			k := newKeyless(t, blinktest.AccountCustodial, WithHTTPClient(gqlOverride(&on)))
			r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
			res, err := r.Resolve(bg())
			require.NoError(t, err)
			assert.Equal(t, ReceiveLNURL, res.Path)
			assert.False(t, res.Final)
			on.Store(nil)
			res, err = r.Resolve(bg())
			require.NoError(t, err)
			assert.Equal(t, ReceiveCustodial, res.Path)
		})
	}
}

// --- 6. URLs: look-alikes, redirects -------------------------------------

func TestReview_Keyless_TrustedURLRefusesLookalikes(t *testing.T) {
	r := &AddressReceiver{addr: LightningAddress{User: "a", Domain: "blink.sv"}}
	for _, raw := range []string{
		"https://blink.sv./x",
		"https://lnurl.blink.sv./x",
		"https://lnurl.blink.sv.:443/x",
		"https://blink.sv@evil.com/x",
		"https://blink.sv:443@evil.com/x",
		"https://evil.com#.blink.sv",
		"https://evil.com?.blink.sv",
		"https://evil.com/.blink.sv",
		"https://evil.com\\.blink.sv/x",
		"https://evil.com%2eblink.sv/x",
		"https://xn--blnk-4qa.sv/x",
		"https://lnurl.bl\u0456nk.sv/x", // Cyrillic i
		"https://blink.sv\u3002evil.com/x",
		"https://[::1]/x",
		"https://127.0.0.1:443/x",
		"https://2130706433/x",
		"ftp://lnurl.blink.sv/x",
		"HTTP://lnurl.blink.sv/x",
		"lnurl.blink.sv/x",
		"https:lnurl.blink.sv/x",
		"",
	} {
		_, err := r.trustedURL("op", "callback", raw)
		assert.ErrorIs(t, err, ErrUntrustedURL, "%q", raw)
	}
	for _, raw := range []string{"HTTPS://LNURL.BLINK.SV/x", "https://lnurl.blink.sv:443/x"} {
		_, err := r.trustedURL("op", "callback", raw)
		assert.NoError(t, err, raw)
	}
}

// A 3xx from any LNURL step is not followed, even to an on-domain host,
// and never reaches the off-domain Location.
func TestReview_Keyless_RedirectsAreNeverFollowed(t *testing.T) {
	for _, step := range []string{"well-known", "callback", "verify"} {
		t.Run(step, func(t *testing.T) {
			k := newKeyless(t, blinktest.AccountMigrated)
			var evil atomic.Int32
			var redirecting atomic.Bool
			redirecting.Store(step != "verify")
			r := k.receiver(t, "shop@blinktest.invalid", nil, func(next http.RoundTripper) http.RoundTripper {
				return rtFunc(func(req *http.Request) (*http.Response, error) {
					if req.URL.Hostname() == "evil.example" {
						evil.Add(1)
						return rvJSONResponse(req, 200, `{"status":"OK","settled":true,"preimage":"00"}`), nil
					}
					hit := map[string]bool{"well-known": isWellKnown(req.URL.Path), "callback": isCallback(req.URL.Path), "verify": rvIsVerify(req.URL.Path)}[step]
					if hit && redirecting.Load() {
						resp := rvJSONResponse(req, 302, "")
						resp.Header.Set("Location", "https://evil.example"+req.URL.Path)
						return resp, nil
					}
					return next.RoundTrip(req)
				})
			})
			inv, err := r.CreateInvoice(bg(), 100, nil)
			if step != "verify" {
				require.ErrorIs(t, err, ErrLNURLServer)
			} else {
				require.NoError(t, err)
				redirecting.Store(true)
				st, err := r.Check(bg(), inv)
				require.NoError(t, err)
				assert.Equal(t, ReceiveTransient, st.State)
			}
			assert.Zero(t, evil.Load(), "a redirect was followed")
		})
	}
}

// --- 7. waiting: cancel, Retry-After, the end ----------------------------

// ctx cancel ends Wait while a verify request hangs, promptly, and leaves
// no goroutine behind.
func TestReview_Keyless_WaitEndsOnCancelWithoutLeaks(t *testing.T) {
	noLeaks(t) // first: its check runs after the fake's cleanup
	k := newKeyless(t, blinktest.AccountMigrated)
	arrived := make(chan struct{}, 1)
	var hang atomic.Bool
	r := k.receiver(t, "shop@blinktest.invalid", &AddressReceiverOptions{Timeout: time.Hour}, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if rvIsVerify(req.URL.Path) && hang.Load() {
				select {
				case arrived <- struct{}{}:
				default:
				}
				<-req.Context().Done()
				return nil, req.Context().Err()
			}
			return next.RoundTrip(req)
		})
	})
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	hang.Store(true)
	ctx, cancel := context.WithCancel(bg())
	done := make(chan error, 1)
	go func() {
		_, err := r.Wait(ctx, inv)
		done <- err
	}()
	<-arrived
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		assert.NotContains(t, err.Error(), inv.PaymentRequest)
	case <-time.After(5 * time.Second):
		t.Fatal("Wait did not end 5s after cancel")
	}
}

func TestReview_Keyless_RetryAfterForms(t *testing.T) {
	for v, want := range map[string]int{
		"": 0, "-5": 0, "0": 0, "1e3": 0, "abc": 0, " 120 ": 120,
		"99999999999999999999": 0, "86400": 3600,
		time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat): 0,
	} {
		assert.Equal(t, want, retryAfterSeconds(v), "%q", v)
	}
	future := retryAfterSeconds(time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat))
	assert.Equal(t, 3600, future, "a date far ahead is capped at an hour")
}

// A 503 with a Retry-After of days: Wait waits at most an hour between
// checks and still stops at expiry plus grace (one last check then), not
// later.
func TestReview_Keyless_HugeRetryAfterStillStopsAtExpiryPlusGrace(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	var n atomic.Int32
	r := k.receiver(t, "shop@blinktest.invalid", nil, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if rvIsVerify(req.URL.Path) && n.Add(1) == 1 {
				resp := rvJSONResponse(req, 503, "<html>")
				resp.Header.Set("Retry-After", strconv.Itoa(7*24*3600))
				return resp, nil
			}
			return next.RoundTrip(req)
		})
	})
	inv, err := r.CreateInvoice(bg(), 100, &AddressInvoiceOptions{Expiry: 5 * time.Minute})
	require.NoError(t, err)
	_, err = r.Wait(bg(), inv)
	require.ErrorIs(t, err, ErrInvoiceExpired)
	assert.True(t, inv.ExpiresAt.Add(2*time.Minute).Equal(k.clock.Now()), "ended at %s, want expiry+grace %s", k.clock.Now(), inv.ExpiresAt.Add(2*time.Minute))
	assert.Equal(t, int32(2), n.Load(), "the 503, then the last check at the end of the grace")
}

// --- 8. paid means paid, and no secret in errors -------------------------

// settled:true with every shape of bad preimage is never paid, and the
// preimage the server sent is not echoed in the status.
func TestReview_Keyless_SettledNeedsTheProvingPreimage(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	var mu sync.Mutex
	var pre any
	r := k.receiver(t, "shop@blinktest.invalid", nil, rewriteVerify(func(m map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		m["settled"] = true
		m["status"] = "OK"
		m["preimage"] = pre
	}))
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	h, _ := hex.DecodeString(inv.PaymentHash)
	wrong := sha256.Sum256([]byte("x"))
	for _, p := range []any{nil, "", "00", inv.PaymentHash, strings.ToUpper(inv.PaymentHash), hex.EncodeToString(wrong[:]),
		hex.EncodeToString(h) + "00", " " + hex.EncodeToString(wrong[:]), 12345, true, map[string]any{"x": 1}} {
		mu.Lock()
		pre = p
		mu.Unlock()
		st, err := r.Check(bg(), inv)
		require.NoError(t, err, "%v", p)
		assert.NotEqual(t, ReceivePaid, st.State, "paid with preimage %v", p)
		if s, ok := p.(string); ok && len(s) >= 16 {
			assert.NotContains(t, st.Reason, s)
			if st.Err != nil {
				assert.NotContains(t, st.Err.Error(), s)
			}
		}
	}
}

// The callback's pr is kept out of every error of CreateInvoice's checks
// (amount, hash, verify, network), including the decoded cause.
func TestReview_Keyless_NoInvoiceInCreateErrors(t *testing.T) {
	var seen atomic.Pointer[string]
	capture := func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			resp, err := next.RoundTrip(req)
			if err == nil && isCallback(req.URL.Path) {
				b, _ := io.ReadAll(resp.Body)
				var m map[string]any
				_ = json.Unmarshal(b, &m)
				if pr, ok := m["pr"].(string); ok {
					seen.Store(&pr)
				}
				m["verify"] = "https://" + blinktest.LNURLCallbackHost + "/verify/" + strings.Repeat("1", 64)
				m["pr"] = m["pr"].(string)[:len(m["pr"].(string))-3] + "qqq" // a broken checksum
				b, _ = json.Marshal(m)
				resp.Body = io.NopCloser(bytes.NewReader(b))
				resp.ContentLength = int64(len(b))
				resp.Header.Del("Content-Length")
			}
			return resp, err
		})
	}
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, capture)
	_, err := r.CreateInvoice(bg(), 100, nil)
	require.Error(t, err)
	p := seen.Load()
	require.NotNil(t, p)
	assert.NotContains(t, err.Error(), (*p)[:40], "the invoice is echoed in %q", err.Error())
}

// A validly signed invoice that differs from the request in one field is
// refused with that field's sentinel (the signature proves nothing about
// who minted it).
func TestReview_Keyless_ForgedInvoiceFieldsRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(p *sign.Params)
		want error
	}{
		"one msat more":        {func(p *sign.Params) { p.AmountMsat++ }, ErrAmountMismatch},
		"one msat less":        {func(p *sign.Params) { p.AmountMsat-- }, ErrAmountMismatch},
		"no amount":            {func(p *sign.Params) { p.AmountMsat = 0 }, ErrAmountMismatch},
		"mainnet":              {func(p *sign.Params) { p.Network = bolt11.Mainnet }, ErrWrongNetwork},
		"description not hash": {func(p *sign.Params) { p.DescriptionHash = nil; p.Description = "shop" }, ErrDescriptionHashMismatch},
		"hash of other meta":   {func(p *sign.Params) { h := sha256.Sum256([]byte("[]")); p.DescriptionHash = &h }, ErrDescriptionHashMismatch},
		"already expired": {func(p *sign.Params) {
			p.Timestamp = p.Timestamp.Add(-2 * time.Hour)
			p.Expiry = time.Hour
		}, ErrInvoiceExpired},
	} {
		t.Run(name, func(t *testing.T) {
			k := newKeyless(t, blinktest.AccountMigrated)
			r := k.receiver(t, "shop@blinktest.invalid", nil, forgeCallback(t, tc.edit))
			inv, err := r.CreateInvoice(bg(), 100, nil)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, inv)
			assert.NotContains(t, err.Error(), "lnbc")
		})
	}
}

// A verify answer whose body trickles for ever is ended by the
// receiver's own timeout: transient, not a hang.
func TestReview_Keyless_SlowVerifyBodyIsTransient(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	var slow atomic.Bool
	r := k.receiver(t, "shop@blinktest.invalid", &AddressReceiverOptions{Timeout: 100 * time.Millisecond}, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if rvIsVerify(req.URL.Path) && slow.Load() {
				pr, pw := io.Pipe()
				go func() {
					_, _ = pw.Write([]byte(`{"status":"OK",`))
					<-req.Context().Done()
					_ = pw.CloseWithError(req.Context().Err())
				}()
				return &http.Response{StatusCode: 200, Header: http.Header{}, Body: pr, ContentLength: -1, Request: req}, nil
			}
			return next.RoundTrip(req)
		})
	})
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	slow.Store(true)
	done := make(chan ReceiveStatus, 1)
	go func() {
		st, _ := r.Check(bg(), inv)
		done <- st
	}()
	select {
	case st := <-done:
		assert.Equal(t, ReceiveTransient, st.State)
		assert.ErrorIs(t, st.Err, ErrTransport)
	case <-time.After(5 * time.Second):
		t.Fatal("a trickling body hangs Check past its timeout")
	}
}

// The payRequest's ERROR, padded or with a newline, keeps its meaning
// (the status is trimmed before comparing): RECEIVE_DISABLED, with
// Blink's message.
func TestReview_Keyless_PaddedErrorStatusKeepsReceiveDisabled(t *testing.T) {
	for _, status := range []string{" ERROR", "ERROR\n", "ERROR "} {
		k := newKeyless(t, blinktest.AccountMigrated)
		r := k.receiver(t, "shop@blinktest.invalid", nil, func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(req *http.Request) (*http.Response, error) {
				if isWellKnown(req.URL.Path) {
					b, _ := json.Marshal(map[string]string{"status": status, "reason": blinktest.ReceiveDisabledMessage})
					return rvJSONResponse(req, 200, string(b)), nil
				}
				return next.RoundTrip(req)
			})
		})
		_, err := r.CreateInvoice(bg(), 100, nil)
		assert.ErrorIs(t, err, ErrReceiveDisabled, "status %q: %v", status, err)
	}
}

// accountDefaultWallet answering an empty wallet id is an ErrServer
// failure of AccountDefaultWallet, so resolve does not cache a custodial
// decision without a wallet id (it needs a non-empty id of the currency
// asked for): a later CreateInvoice resolves again and still receives.
func TestReview_Keyless_EmptyWalletIDIsNotACachedCustodialDecision(t *testing.T) {
	var on atomic.Pointer[string]
	body := `{"data":{"accountDefaultWallet":{"id":"","currency":"BTC","__typename":"PublicWallet"}}}`
	on.Store(&body)
	k := newKeyless(t, blinktest.AccountMigrated, WithHTTPClient(gqlOverride(&on)))
	_, err := k.c.AccountDefaultWallet(bg(), "shop", BTC)
	require.ErrorIs(t, err, ErrServer, "a wallet without an id")
	r := k.receiver(t, "shop@blinktest.invalid", nil, nil)
	res, err := r.Resolve(bg())
	require.NoError(t, err)
	assert.False(t, res.Final)
	if res.Path == ReceiveCustodial {
		assert.NotEmpty(t, res.WalletID, "custodial with no wallet id (final=%v)", res.Final)
	}
	on.Store(nil)
	_, err = r.CreateInvoice(bg(), 100, nil)
	assert.NoError(t, err, "the migrated account's address must still receive")
}
