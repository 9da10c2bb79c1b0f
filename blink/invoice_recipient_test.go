package blink

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestCreateInvoiceForRecipient_ByWalletIDWithoutAKey(t *testing.T) {
	srv := newFake(t)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	anon, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)

	inv, err := anon.CreateInvoiceForRecipient(bg(), RecipientWallet(bob.BTCWalletID), 321, &RecipientInvoiceOptions{
		InvoiceOptions: InvoiceOptions{Memo: "for bob"},
		WebhookURL:     "https://merchant.example/hooks/invoice",
	})
	require.NoError(t, err)
	assert.Equal(t, Sats(321), inv.Amount)
	assert.Equal(t, "for bob", rcvDecode(t, inv.PaymentRequest).Description)

	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	assert.Equal(t, int64(321), srv.Balance(bob.BTCWalletID), "the recipient is paid")
	st, err := anon.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, st.Status)
}

func TestCreateInvoiceForRecipient_ByUsernameResolvesTheWalletFirst(t *testing.T) {
	srv := newFake(t)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	anon, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)

	inv, err := anon.CreateInvoiceForRecipient(bg(), RecipientUser("Bob"), 50, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	assert.Equal(t, int64(50), srv.Balance(bob.BTCWalletID))
	assert.Equal(t, 1, srv.Requests("AccountDefaultWallet"))
}

func TestCreateUSDInvoiceForRecipient_PaysIntoTheUSDWallet(t *testing.T) {
	srv := newFake(t, blinktest.WithPrice(10_000_000), blinktest.WithLoopbackWebhooks())
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	anon, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)

	inv, err := anon.CreateUSDInvoiceForRecipient(bg(), RecipientUser("bob"), 25, &RecipientInvoiceOptions{WebhookURL: "http://localhost:8080/cb"})
	require.NoError(t, err)
	assert.Equal(t, Sats(250), inv.Amount)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	assert.Equal(t, int64(25), srv.Balance(bob.USDWalletID))

	inv, err = anon.CreateUSDInvoiceForRecipientInSats(bg(), RecipientWallet(bob.USDWalletID), 1_000, nil)
	require.NoError(t, err)
	assert.Equal(t, Sats(1_000), inv.Amount)
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	assert.Equal(t, int64(125), srv.Balance(bob.USDWalletID), "1,000 sats are 100 cents")
}

func TestCreateNoAmountInvoiceForRecipient_ByUsernameGoesToTheDefaultWallet(t *testing.T) {
	srv := newFake(t)
	acct := srv.CreateAccount(blinktest.AccountOptions{Username: "carol", DefaultCurrency: "USD"})
	anon, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)

	// Carol's default wallet is her USD wallet: the USD expiry range applies
	// before sending, once the username is resolved.
	_, err = anon.CreateNoAmountInvoiceForRecipient(bg(), RecipientUser("carol"), &RecipientInvoiceOptions{InvoiceOptions: InvoiceOptions{ExpiresIn: time.Hour}})
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, 0, srv.Requests("LnNoAmountInvoiceCreateOnBehalfOfRecipient"))

	inv, err := anon.CreateNoAmountInvoiceForRecipient(bg(), RecipientUser("carol"), &RecipientInvoiceOptions{WebhookURL: "https://example.com/x"})
	require.NoError(t, err)
	assert.Equal(t, Sats(0), inv.Amount)
	require.NoError(t, srv.PayInvoiceAmount(inv.PaymentRequest, 10_000))
	assert.Positive(t, srv.Balance(acct.USDWalletID))
}

func TestCreateInvoiceForRecipient_SendsTheOptionsOnTheWire(t *testing.T) {
	const wallet = "11111111-1111-4111-8111-111111111111"
	hash := strings.Repeat("ab", 32)
	var mu sync.Mutex
	var reqs []wireReq
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		mu.Lock()
		reqs = append(reqs, r)
		mu.Unlock()
		writeJSON(w, 200, `{"data":{"lnInvoiceCreateOnBehalfOfRecipient":{"invoice":{"createdAt":1700000000,"externalId":"ext-1",`+
			`"paymentHash":"`+hash+`","paymentRequest":"lnbc210n1x","paymentSecret":"`+hash+`","paymentStatus":"PENDING","satoshis":21},"errors":[]}}}`)
	})
	c, err := New("", WithEndpoint(ws.URL), fastRetry)
	require.NoError(t, err)

	inv, err := c.CreateInvoiceForRecipient(bg(), RecipientWallet(wallet), 21, &RecipientInvoiceOptions{
		InvoiceOptions:  InvoiceOptions{Memo: "m", ExpiresIn: 10 * time.Minute, ExternalID: "ext-1"},
		WebhookURL:      "https://merchant.example/h",
		DescriptionHash: strings.Repeat("cd", 32),
	})
	require.NoError(t, err)
	assert.True(t, inv.CreatedAt.Equal(time.Unix(1700000000, 0)), "createdAt is Unix seconds")
	inv.CreatedAt = time.Time{}
	assert.Equal(t, Invoice{PaymentRequest: "lnbc210n1x", PaymentHash: hash, PaymentSecret: hash, Amount: 21, ExternalID: "ext-1", Status: InvoicePending}, *inv)

	_, err = c.CreateInvoiceForRecipient(bg(), RecipientWallet(wallet), 21, nil)
	require.NoError(t, err)

	require.Len(t, reqs, 2)
	assert.Equal(t, "LnInvoiceCreateOnBehalfOfRecipient", reqs[0].OpName)
	assert.Empty(t, reqs[0].Header.Get("X-Api-Key"), "no key is sent")
	assert.Empty(t, reqs[0].Header.Get("X-Idempotency-Key"), "invoice creation carries no idempotency key")
	assert.Equal(t, map[string]any{
		"recipientWalletId": wallet, "amount": 21.0, "memo": "m", "expiresIn": 10.0, "externalId": "ext-1",
		"webhookUrl": "https://merchant.example/h", "descriptionHash": strings.Repeat("cd", 32),
	}, reqs[0].Variables["input"])
	assert.Equal(t, map[string]any{
		"recipientWalletId": wallet, "amount": 21.0, "memo": nil, "expiresIn": nil, "externalId": nil,
		"webhookUrl": nil, "descriptionHash": nil,
	}, reqs[1].Variables["input"], "unset options are null, for the server's defaults")
}
