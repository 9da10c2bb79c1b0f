package testserver_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// lnget GETs an https URL on the fake's LNURL hosts; it returns the
// status, the raw body and the decoded JSON object.
func lnget(t *testing.T, srv *blinktest.Server, raw string) (int, string, map[string]any) {
	t.Helper()
	res, err := (&http.Client{Transport: srv.LNURLTransport()}).Get(raw)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, string(b), m
}

const wellKnown = "https://" + blinktest.LightningAddressDomain + "/.well-known/lnurlp/"

func TestLNURLPay_WellKnownAnswersAsBlink(t *testing.T) {
	f := newFixture(t)
	st, _, m := lnget(t, f.srv, wellKnown+"alice")
	require.Equal(t, 200, st)
	assert.Equal(t, "payRequest", m["tag"])
	assert.Equal(t, "https://"+blinktest.LNURLCallbackHost+"/lnurlp/blinktest.invalid/alice/invoice", m["callback"])
	assert.EqualValues(t, 1000, m["minSendable"])
	assert.EqualValues(t, 4_000_000_000, m["maxSendable"])
	assert.EqualValues(t, 255, m["commentAllowed"])
	assert.Contains(t, m["metadata"], `["text/identifier","alice@blinktest.invalid"]`)

	_, _, m = lnget(t, f.srv, wellKnown+"alice+usd")
	assert.Equal(t, "https://"+blinktest.LNURLCallbackHost+"/lnurlp/blinktest.invalid/alice+usd/invoice", m["callback"])

	st, _, m = lnget(t, f.srv, wellKnown+"nobody")
	assert.Equal(t, 200, st, "an unknown user is HTTP 200")
	assert.Equal(t, map[string]any{"status": "ERROR", "reason": "Couldn't find user 'nobody'."}, m)
	assert.Equal(t, 3, f.srv.LNURLRequests("/.well-known/lnurlp/{user}"))
	assert.Equal(t, 1, f.srv.LNURLRequests("/.well-known/lnurlp/nobody"))
}

func TestLNURLPay_CallbackMintsCheckedInvoices(t *testing.T) {
	f := newFixture(t)
	_, _, pay := lnget(t, f.srv, wellKnown+"alice")
	cb := pay["callback"].(string)

	st, _, m := lnget(t, f.srv, cb+"?amount=21000&comment=hi&expiry=600")
	require.Equal(t, 200, st)
	inv := decodeInvoice(t, m["pr"].(string))
	h := sha256.Sum256([]byte(pay["metadata"].(string)))
	assert.Equal(t, hex.EncodeToString(h[:]), inv.DescriptionHash, "h is sha256 of the metadata")
	assert.Equal(t, int64(21000), inv.AmountMsat)
	assert.Equal(t, 10*time.Minute, inv.Expiry)
	assert.Equal(t, "https://"+blinktest.LNURLCallbackHost+"/verify/"+inv.PaymentHash, m["verify"])
	assert.Equal(t, []any{}, m["routes"])

	for q, reason := range map[string]string{
		"amount=1500":       "whole number of sats",
		"amount=5000000000": "out of range",
		"amount=1000&comment=" + strings.Repeat("x", 256): "Comment is too long",
		"amount=1000&expiry=86401":                        "Invalid expiry",
	} {
		_, _, m := lnget(t, f.srv, cb+"?"+q)
		assert.Equal(t, "ERROR", m["status"], q)
		assert.Contains(t, m["reason"], reason, q)
	}
	usd := strings.Replace(cb, "/alice/", "/alice+usd/", 1)
	_, _, m = lnget(t, f.srv, usd+"?amount=1000&expiry=301")
	assert.Equal(t, "ERROR", m["status"], "USD invoices expire within 300 s")
	_, _, m = lnget(t, f.srv, usd+"?amount=1000&expiry=300")
	assert.NotEmpty(t, m["pr"])

	st, body, _ := lnget(t, f.srv, strings.Replace(cb, "/alice/", "/ghost/", 1)+"?amount=1000")
	assert.Equal(t, http.StatusNotFound, st)
	assert.Empty(t, body, "an unknown identifier is 404 with an empty body")
}

func TestLNURLPay_VerifyStates(t *testing.T) {
	c := newClock()
	f := newFixture(t, blinktest.WithClock(c.Now))
	_, _, pay := lnget(t, f.srv, wellKnown+"alice")
	_, _, m := lnget(t, f.srv, pay["callback"].(string)+"?amount=5000")
	verify, pr := m["verify"].(string), m["pr"].(string)
	hash := decodeInvoice(t, pr).PaymentHash

	_, _, v := lnget(t, f.srv, verify)
	assert.Equal(t, map[string]any{"status": "OK", "settled": false, "preimage": nil, "pr": pr}, v)

	f.srv.FailVerify(hash, 2)
	for range 2 {
		_, _, v = lnget(t, f.srv, verify)
		assert.Equal(t, map[string]any{"status": "ERROR", "reason": "Internal server error"}, v)
	}
	f.srv.SettleInvoiceAfter(hash, time.Minute)
	_, _, v = lnget(t, f.srv, verify)
	assert.Equal(t, false, v["settled"])
	c.Advance(time.Minute)
	_, _, v = lnget(t, f.srv, verify)
	require.Equal(t, true, v["settled"])
	pre, err := hex.DecodeString(v["preimage"].(string))
	require.NoError(t, err)
	ph := sha256.Sum256(pre)
	assert.Equal(t, hash, hex.EncodeToString(ph[:]))
	assert.Equal(t, int64(1_000_005), f.srv.Balance(f.alice.BTCWalletID))

	_, _, v = lnget(t, f.srv, "https://"+blinktest.LNURLCallbackHost+"/verify/"+strings.Repeat("0", 64))
	assert.Equal(t, map[string]any{"status": "ERROR", "reason": "Not found"}, v)
	assert.Equal(t, 5, f.srv.LNURLRequests("/verify/"+hash))
	assert.Equal(t, 1, f.srv.VerifyMaxInFlight())
}

func TestLNURLPay_AccountKindsAndWindDown(t *testing.T) {
	f := newFixture(t)
	q := `query AccountDefaultWallet($username: Username!) { accountDefaultWallet(username: $username) { id } }`
	f.srv.SetAccountKind(f.alice.ID, blinktest.AccountMigrated)
	f.srv.SetAccountKind(f.bob.ID, blinktest.AccountSelfCustodial)
	r := call(t, f.srv, "", q, map[string]any{"username": "alice"})
	assert.Equal(t, "Account is inactive.", r.str("errors", 0, "message"), r.Raw)
	r = call(t, f.srv, "", q, map[string]any{"username": "bob"})
	assert.Equal(t, "Account does not exist for username bob", r.str("errors", 0, "message"), r.Raw)
	_, _, m := lnget(t, f.srv, wellKnown+"alice")
	assert.Equal(t, "payRequest", m["tag"], "the address still works")

	carol := f.srv.CreateAccount(blinktest.AccountOptions{Username: "carol"})
	f.srv.SetReceiveDisabled(carol.ID, true)
	_, _, pay := lnget(t, f.srv, wellKnown+"carol")
	_, _, m = lnget(t, f.srv, pay["callback"].(string)+"?amount=1000")
	assert.Equal(t, map[string]any{"status": "ERROR", "reason": blinktest.ReceiveDisabledMessage}, m)
	mr := `mutation LnInvoiceCreateOnBehalfOfRecipient($input: LnInvoiceCreateOnBehalfOfRecipientInput!) {
  lnInvoiceCreateOnBehalfOfRecipient(input: $input) { invoice { paymentHash } errors { code message } } }`
	r = call(t, f.srv, "", mr, map[string]any{"input": map[string]any{"recipientWalletId": carol.BTCWalletID, "amount": 1000}})
	assert.Equal(t, "RECEIVE_DISABLED", r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors", 0, "code"), r.Raw)
	assert.Equal(t, blinktest.ReceiveDisabledMessage, r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors", 0, "message"))
}

func TestLNURLTransport_RefusesOtherHosts(t *testing.T) {
	f := newFixture(t)
	for _, raw := range []string{"https://example.com/", "http://" + blinktest.LightningAddressDomain + "/.well-known/lnurlp/alice"} {
		_, err := (&http.Client{Transport: f.srv.LNURLTransport()}).Get(raw)
		var ue *url.Error
		assert.ErrorAs(t, err, &ue, raw)
	}
}
