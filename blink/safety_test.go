package blink

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// Regression tests for the findings of a review of the money paths and the
// key's hygiene.

func TestSends_WithIdempotencyKeyFromContextNeverPaysTwice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	k := NewIdempotencyKey()
	ctx := WithIdempotencyKey(bg(), k)
	r1, err := alice.Client.SendIntraLedger(ctx, alice.BTCWalletID, bob.BTCWalletID, 1_000, nil)
	require.NoError(t, err)
	assert.Equal(t, k, r1.IdempotencyKey)
	_, err = alice.Client.SendIntraLedger(ctx, alice.BTCWalletID, bob.BTCWalletID, 1_000, nil)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.Equal(t, int64(1_000), srv.Balance(bob.BTCWalletID))
}

func TestResolvePayment_LNURLAndLightningAddressSendsThatExecutedAreFound(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	sends := map[string]func() error{
		"LnurlPaymentSend": func() error {
			_, err := alice.Client.PayLNURL(bg(), alice.BTCWalletID, "lnurlp://"+blinktest.LightningAddressDomain+"/.well-known/lnurlp/bob", 1_234, nil)
			return err
		},
		"LnAddressPaymentSend": func() error {
			_, err := alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, "bob@"+blinktest.LightningAddressDomain, 1_111, nil)
			return err
		},
	}
	for op, send := range sends {
		t.Run(op, func(t *testing.T) {
			before := srv.Balance(bob.BTCWalletID)
			srv.InjectFault(op, blinktest.Fault{DropAfterExecute: true}, 4)
			var ou *OutcomeUnknownError
			require.ErrorAs(t, send(), &ou)
			require.Greater(t, srv.Balance(bob.BTCWalletID), before, "executed")
			// No memo and no hash: the one match lies in the second the
			// send began, where an identical earlier send could lie too.
			r, err := alice.Client.ResolvePayment(bg(), ou.Lookup())
			require.NoError(t, err)
			assert.Equal(t, ResolvedAmbiguous, r.Outcome)
			require.Len(t, r.Candidates, 1, "the executed payment is the one candidate")
			assert.Equal(t, -ou.Amount, r.Candidates[0].Amount.Value)
		})
	}
}

func TestResolvePayment_OnChainUSDInSatsThatExecutedIsFound(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 1_000_000, nil)
	srv.InjectFault("OnChainUsdPaymentSendAsBtcDenominated", blinktest.Fault{DropAfterExecute: true}, 4)
	_, err := alice.Client.SendOnChainUSDInSats(bg(), alice.USDWalletID, srv.ExternalAddress(), 50_000, &OnChainOptions{Memo: "payout 9", UniqueMemo: true})
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	r, err := alice.Client.ResolvePayment(bg(), ou.Lookup())
	require.NoError(t, err)
	assert.Equal(t, ResolvedPending, r.Outcome, "an on-chain send stays pending until confirmed")
}

func TestClassify_SendInAMultiOperationDocumentCarriesAnIdempotencyKey(t *testing.T) {
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if r.OpName == "Send" && n <= 2 {
			writeJSON(w, 502, `{"error":"bad gateway"}`)
			return
		}
		writeJSON(w, 200, `{"data":{"globals":{"network":"mainnet"},"intraLedgerPaymentSend":{"status":"SUCCESS","errors":[]}}}`)
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
	doc := `query G { globals { network } } mutation Send($in: IntraLedgerPaymentSendInput!) { intraLedgerPaymentSend(input: $in) { status errors { message } } }`
	var out map[string]any
	require.NoError(t, c.GraphQL().MakeRequest(bg(), &graphql.Request{Query: doc, OpName: "G"}, &graphql.Response{Data: &out}))
	_ = c.GraphQL().MakeRequest(bg(), &graphql.Request{Query: doc, OpName: "Send", Variables: map[string]any{"in": map[string]any{}}}, &graphql.Response{Data: &out})
	sends := 0
	for _, r := range ws.requests() {
		if r.OpName == "Send" {
			sends++
			assert.NotEmpty(t, r.Header.Get("X-Idempotency-Key"))
		}
	}
	assert.Positive(t, sends)
}

func TestSend_UnknownOrMissingStatusIsOutcomeUnknown(t *testing.T) {
	for _, body := range []string{
		`{"data":{"intraLedgerPaymentSend":{"status":"QUEUED","errors":[],"transaction":null}}}`,
		`{"data":{"intraLedgerPaymentSend":{"status":null,"errors":[],"transaction":null}}}`,
	} {
		ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, 200, body) })
		c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
		_, err := c.SendIntraLedger(bg(), "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 10, nil)
		assert.ErrorIs(t, err, ErrOutcomeUnknown)
		assert.False(t, IsTransient(err))
		var ou *OutcomeUnknownError
		require.ErrorAs(t, err, &ou)
		assert.Equal(t, "11111111-1111-4111-8111-111111111111", ou.WalletID)
		assert.Equal(t, int64(10), ou.Amount)
	}
}

func TestSend_AmbiguousAttemptThenGraphQLErrorBodyIsOutcomeUnknown(t *testing.T) {
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if n == 1 {
			dropConnection(w)
			return
		}
		writeJSON(w, 400, `{"errors":[{"message":"something"}]}`)
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
	_, err := c.SendIntraLedger(bg(), "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 10, nil)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.ErrorIs(t, err, ErrBadRequest)
}

func TestSend_ResolverErrorDuringASendIsOutcomeUnknown(t *testing.T) {
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, `{"data":null,"errors":[{"message":"boom","extensions":{"code":"UNKNOWN_CLIENT_ERROR"}}]}`)
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite))
	_, err := c.SendIntraLedger(bg(), "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 10, nil)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
	assert.ErrorIs(t, err, ErrUnknownClient)
}

func TestRedirects_AreNotFollowedSoTheKeyStaysHome(t *testing.T) {
	var reached atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		writeJSON(w, 200, `{"data":{"globals":{"network":"mainnet"}}}`)
	}))
	defer other.Close()
	target := strings.Replace(other.URL, "127.0.0.1", "localhost", 1) + "/steal"
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	})
	tlsSrv := httptest.NewTLSServer(redirect)
	defer tlsSrv.Close()
	plain := httptest.NewServer(redirect)
	defer plain.Close()

	for _, c := range []*Client{
		mustNew(t, WithEndpoint(tlsSrv.URL+"/graphql"), WithHTTPClient(tlsSrv.Client())),
		mustNew(t, WithEndpoint(plain.URL+"/graphql")),
	} {
		_, err := c.Network(bg())
		require.ErrorIs(t, err, ErrBadRequest)
		assert.Contains(t, err.Error(), "redirect")
	}
	assert.Zero(t, reached.Load(), "the redirect target never saw a request (nor the key)")
	assert.Nil(t, tlsSrv.Client().CheckRedirect, "the caller's http.Client is left as it was")
}

func mustNew(t *testing.T, opts ...Option) *Client {
	t.Helper()
	c, err := New(testKey, append([]Option{fastRetry}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestConnectionString_JSONIsRedacted(t *testing.T) {
	cs, err := ParseConnectionString("type=blink;api-key=" + testKey)
	require.NoError(t, err)
	b, err := json.Marshal(cs)
	require.NoError(t, err)
	assert.NotContains(t, string(b), testKey)
	assert.Contains(t, string(b), RedactKey(testKey))
}

func TestCancelInvoice_RetryAfterLostAnswerSucceeds(t *testing.T) {
	srv := newFake(t)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	inv, err := bob.Client.CreateInvoice(bg(), bob.BTCWalletID, 100, nil)
	require.NoError(t, err)
	srv.InjectFault("LnInvoiceCancel", blinktest.Fault{DropAfterExecute: true}, 1)
	require.NoError(t, bob.Client.CancelInvoice(bg(), bob.BTCWalletID, inv.PaymentHash))
}

func TestCreateUSDInvoice_ExternalIDReusedForAnotherAmountIsRefused(t *testing.T) {
	srv := newFake(t)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	_, err := bob.Client.CreateUSDInvoice(bg(), bob.USDWalletID, 500, &InvoiceOptions{ExternalID: "order-1"})
	require.NoError(t, err)
	_, err = bob.Client.CreateUSDInvoice(bg(), bob.USDWalletID, 5_000, &InvoiceOptions{ExternalID: "order-1"})
	assert.ErrorIs(t, err, ErrExternalIDExists)
	again, err := bob.Client.CreateUSDInvoice(bg(), bob.USDWalletID, 500, &InvoiceOptions{ExternalID: "order-1"})
	require.NoError(t, err, "the same request again is the same invoice")
	assert.Equal(t, "order-1", again.ExternalID)
}

// noTraceTransport stands for a custom RoundTripper given with
// WithHTTPClient that fires no httptrace hooks.
type noTraceTransport struct{ inner http.RoundTripper }

func (n noTraceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	type result struct {
		resp *http.Response
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		resp, err := n.inner.RoundTrip(r.Clone(context.Background()))
		ch <- result{resp, err}
	}()
	select {
	case res := <-ch:
		return res.resp, res.err
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
}

func TestSend_ContextEndingWithATransportWithoutTraceIsOutcomeUnknown(t *testing.T) {
	ctx, cancel := context.WithCancel(bg())
	defer cancel()
	release := make(chan struct{})
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		cancel() // executed; the caller gives up before the answer
		<-release
		writeJSON(w, 200, `{"data":{"intraLedgerPaymentSend":{"status":"SUCCESS","errors":[]}}}`)
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeWrite), WithHTTPClient(&http.Client{Transport: noTraceTransport{http.DefaultTransport}}))
	_, err := c.SendIntraLedger(ctx, "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", 10, nil)
	close(release)
	assert.ErrorIs(t, err, ErrOutcomeUnknown)
}

func TestErrors_KeyEchoedByTheServerIsRedacted(t *testing.T) {
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 403, `{"error":"forbidden for key `+r.Header.Get("X-Api-Key")+`"}`)
	})
	c := newTestClient(t, ws.URL)
	_, err := c.Network(bg())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testKey)
	assert.Contains(t, err.Error(), RedactKey(testKey))
}

func TestSends_UnenforceableLimitsAreRefused(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 10_000, nil)
	_, err := alice.Client.PayLightningAddress(bg(), alice.BTCWalletID, "bob@"+blinktest.LightningAddressDomain, 10, &PayOptions{MaxFee: 5})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = alice.Client.PayLNURL(bg(), alice.BTCWalletID, "lnurl1xyz", 10, &PayOptions{MaxFee: 5})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = alice.Client.SendIntraLedgerUSD(bg(), alice.USDWalletID, alice.BTCWalletID, 10, &PayOptions{MaxAmount: 5})
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = alice.Client.SendAllOnChain(bg(), alice.BTCWalletID, srv.ExternalAddress(), &OnChainOptions{MaxFee: 5})
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Zero(t, srv.Requests("LnAddressPaymentSend")+srv.Requests("LnurlPaymentSend")+srv.Requests("IntraLedgerUsdPaymentSend")+srv.Requests("OnChainPaymentSendAll"))
}

func TestPayInvoice_MaxFeeOnAnAlreadyPaidInvoiceIsAlreadyPaid(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr := invoiceOn(t, bob, 100)
	_, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, nil)
	require.NoError(t, err)
	res, err := alice.Client.PayInvoice(bg(), alice.BTCWalletID, pr, &PayOptions{MaxFee: 10})
	require.NoError(t, err)
	assert.Equal(t, PaymentAlreadyPaid, res.Status)
	assert.Equal(t, int64(100), srv.Balance(bob.BTCWalletID))
}
