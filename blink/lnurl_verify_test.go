package blink

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func isWellKnown(p string) bool { return strings.HasPrefix(p, "/.well-known/lnurlp/") }
func isCallback(p string) bool  { return strings.HasPrefix(p, "/lnurlp/") }

// Every check of item 3 against a server that tampers with one field.
func TestAddressReceiver_RefusesTamperedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(http.RoundTripper) http.RoundTripper
		want error
	}{
		{"amount", func(next http.RoundTripper) http.RoundTripper {
			return rtFunc(func(r *http.Request) (*http.Response, error) {
				if isCallback(r.URL.Path) {
					q := r.URL.Query()
					q.Set("amount", "2000000") // the server mints 2,000 sats, not 1,000
					r.URL.RawQuery = q.Encode()
				}
				return next.RoundTrip(r)
			})
		}, ErrAmountMismatch},
		{"description hash", rewriteJSON(isWellKnown, func(m map[string]any) {
			m["metadata"] = strings.Replace(m["metadata"].(string), "Payment to", "Pay", 1)
		}), ErrDescriptionHashMismatch},
		{"verify URL hash", rewriteJSON(isCallback, func(m map[string]any) {
			m["verify"] = "https://" + blinktest.LNURLCallbackHost + "/verify/" + strings.Repeat("0", 64)
		}), ErrVerifyURLMismatch},
		{"verify URL missing", rewriteJSON(isCallback, func(m map[string]any) { delete(m, "verify") }), ErrVerifyURLMismatch},
		{"verify host", rewriteJSON(isCallback, func(m map[string]any) {
			m["verify"] = strings.Replace(m["verify"].(string), blinktest.LNURLCallbackHost, "lnurl.evil.example", 1)
		}), ErrUntrustedURL},
		{"callback host", rewriteJSON(isWellKnown, func(m map[string]any) {
			m["callback"] = strings.Replace(m["callback"].(string), blinktest.LNURLCallbackHost, "blinktest.invalid.evil.example", 1)
		}), ErrUntrustedURL},
		{"callback plain http", rewriteJSON(isWellKnown, func(m map[string]any) {
			m["callback"] = strings.Replace(m["callback"].(string), "https://", "http://", 1)
		}), ErrUntrustedURL},
		{"callback with user info", rewriteJSON(isWellKnown, func(m map[string]any) {
			m["callback"] = strings.Replace(m["callback"].(string), "https://", "https://blinktest.invalid@", 1)
		}), ErrUntrustedURL},
		{"not a payRequest", rewriteJSON(isWellKnown, func(m map[string]any) { m["tag"] = "withdrawRequest" }), ErrLNURLServer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := newKeyless(t, blinktest.AccountMigrated)
			r := k.receiver(t, "shop@blinktest.invalid", nil, tc.wrap)
			inv, err := r.CreateInvoice(bg(), 1000, nil)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, inv)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.NotContains(t, err.Error(), "lnbcrt", "no invoice in the message")
		})
	}
}

func TestAddressReceiver_RefusesAnInvoiceForAnotherNetwork(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	other := newFake(t, blinktest.WithNetwork("signet"))
	other.CreateAccount(blinktest.AccountOptions{Username: "shop"})
	otherTr := other.LNURLTransport()
	// The callback is answered by another deployment, on signet.
	r := k.receiver(t, "shop@blinktest.invalid", nil, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if isCallback(req.URL.Path) {
				return otherTr.RoundTrip(req)
			}
			return next.RoundTrip(req)
		})
	})
	_, err := r.CreateInvoice(bg(), 1000, nil)
	require.ErrorIs(t, err, ErrWrongNetwork)
}

func TestAddressReceiver_LoopbackHTTPOnlyWhenAllowed(t *testing.T) {
	var h *httptest.Server
	h = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWellKnown(r.URL.Path) {
			_ = json.NewEncoder(w).Encode(map[string]any{
				"tag": "payRequest", "callback": h.URL + "/cb", "minSendable": 1000, "maxSendable": 1e9,
				"metadata": `[["text/plain","x"]]`, "commentAllowed": 0,
			})
			return
		}
		fmt.Fprint(w, `{"status":"ERROR","reason":"nope"}`)
	}))
	defer h.Close()
	k := newKeyless(t, blinktest.AccountMigrated)
	toLoopback := func(http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			r.URL.Scheme, r.URL.Host = "http", strings.TrimPrefix(h.URL, "http://")
			return http.DefaultTransport.RoundTrip(r)
		})
	}
	r := k.receiver(t, "shop@example.com", nil, toLoopback)
	_, err := r.CreateInvoice(bg(), 1, nil)
	require.ErrorIs(t, err, ErrUntrustedURL)

	r = k.receiver(t, "shop@example.com", &AddressReceiverOptions{AllowLoopbackHTTP: true}, toLoopback)
	_, err = r.CreateInvoice(bg(), 1, nil)
	require.ErrorIs(t, err, ErrLNURLServer, "the loopback callback was asked")
	assert.Contains(t, err.Error(), "nope")
}

func TestAddressReceiver_BoundsTheAnswer(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, rewriteJSON(isWellKnown, func(m map[string]any) {
		m["pad"] = strings.Repeat("x", maxLNURLBody)
	}))
	_, err := r.CreateInvoice(bg(), 1000, nil)
	require.ErrorIs(t, err, ErrLNURLServer)
	assert.Contains(t, err.Error(), "too large")
}

func TestAddressReceiver_CallbackNotFoundIsAddressNotFound(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, rewriteJSON(isWellKnown, func(m map[string]any) {
		m["callback"] = strings.Replace(m["callback"].(string), "/shop/", "/ghost/", 1)
	}))
	_, err := r.CreateInvoice(bg(), 1000, nil)
	require.ErrorIs(t, err, ErrAddressNotFound)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusNotFound, e.HTTPStatus)
}

func TestTrustedURL_SubdomainsOfTheAddressDomainOnly(t *testing.T) {
	r := &AddressReceiver{addr: LightningAddress{User: "a", Domain: "blink.sv"}}
	for raw, ok := range map[string]bool{
		"https://lnurl.blink.sv/lnurlp/x": true,
		"https://blink.sv/x":              true,
		"https://LNURL.Blink.SV/x":        true,
		"https://evilblink.sv/x":          false,
		"https://blink.sv.evil.com/x":     false,
		"http://lnurl.blink.sv/x":         false,
		"https://127.0.0.1/x":             false,
		"//lnurl.blink.sv/x":              false,
		"https://u:p@lnurl.blink.sv/x":    false,
	} {
		_, err := r.trustedURL("op", "callback", raw)
		if ok {
			assert.NoError(t, err, raw)
		} else {
			assert.ErrorIs(t, err, ErrUntrustedURL, raw)
		}
	}
}

func TestAddressReceiver_CheckIsTransientOn5xxAndTimeouts(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	mode := ""
	r := k.receiver(t, "shop@blinktest.invalid", &AddressReceiverOptions{Timeout: 50 * time.Millisecond}, func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(req *http.Request) (*http.Response, error) {
			if !strings.HasPrefix(req.URL.Path, "/verify/") {
				return next.RoundTrip(req)
			}
			switch mode {
			case "503":
				return &http.Response{StatusCode: 503, Body: io.NopCloser(strings.NewReader("<html>")), Request: req}, nil
			case "hang":
				<-req.Context().Done() // the receiver's own timeout ends it
				return nil, req.Context().Err()
			}
			return next.RoundTrip(req)
		})
	})
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	for m, want := range map[string]error{"503": ErrServer, "hang": ErrTransport} {
		mode = m
		st, err := r.Check(bg(), inv)
		require.NoError(t, err, m)
		assert.Equal(t, ReceiveTransient, st.State, m)
		assert.ErrorIs(t, st.Err, want, m)
	}
	mode = ""
	st, err := r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceivePending, st.State)
}

// An LNURL server's reason is echoed quoted, clipped to maxReasonBytes,
// with anything that looks like an invoice withheld.
func TestLNURLRefusal_ReasonClippedAndInvoicesWithheld(t *testing.T) {
	pr := "lnbc1000n1" + strings.Repeat("q", 200)
	for _, reason := range []string{
		"bad invoice " + pr,
		"bad invoice lightning:" + strings.ToUpper(pr) + ".",
		strings.Repeat("é", 200) + " " + pr,
	} {
		err := lnurlRefusal("op", &lnurlAnswer{Status: "ERROR", Reason: reason})
		require.ErrorIs(t, err, ErrLNURLServer)
		var e *Error
		require.True(t, errors.As(err, &e))
		assert.NotContains(t, strings.ToLower(e.Message), "lnbc1000n1", reason)
		assert.LessOrEqual(t, len(e.Message), maxReasonBytes+8)
		assert.True(t, utf8.ValidString(e.Message))
	}
	err := lnurlRefusal("op", &lnurlAnswer{Status: "ERROR", Reason: "bad invoice " + pr})
	assert.Contains(t, err.Error(), `"bad invoice (invoice withheld)"`)
}

// A verify answer with no status at all, settled, with the preimage that
// proves the payment, is paid: the preimage is the proof.
func TestAddressReceiver_VerifyWithoutStatusButProvingPreimageIsPaid(t *testing.T) {
	k := newKeyless(t, blinktest.AccountMigrated)
	r := k.receiver(t, "shop@blinktest.invalid", nil, rewriteVerify(func(m map[string]any) {
		delete(m, "status")
	}))
	inv, err := r.CreateInvoice(bg(), 100, nil)
	require.NoError(t, err)
	st, err := r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceiveTransient, st.State, "no status, not settled: nothing is known")
	k.srv.SettleInvoiceAfter(inv.PaymentHash, 0)
	st, err = r.Check(bg(), inv)
	require.NoError(t, err)
	assert.Equal(t, ReceivePaid, st.State)
}

// Retry-After as an HTTP date is measured from the receiver's clock.
func TestRetryAfterAt_DateFromTheGivenClock(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, 121, retryAfterAt(now.Add(2*time.Minute).Format(http.TimeFormat), now))
	assert.Zero(t, retryAfterAt(now.Add(-time.Minute).Format(http.TimeFormat), now))
}
