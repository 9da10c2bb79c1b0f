package blink

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// rcvClock is a settable clock for blinktest.WithClock.
type rcvClock struct {
	mu  sync.Mutex
	now time.Time
}

func newRcvClock() *rcvClock { return &rcvClock{now: time.Now().Truncate(time.Second)} }

func (c *rcvClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *rcvClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// rcvDecode decodes a payment request with the SDK's BOLT11 decoder.
func rcvDecode(t *testing.T, pr string) *bolt11.Invoice {
	t.Helper()
	dec, err := bolt11.Decode(pr)
	require.NoError(t, err)
	return dec
}

// rcvInvoicesWithExternalID lists every invoice of a wallet that carries
// the external id.
func rcvInvoicesWithExternalID(t *testing.T, u *fakeUser, walletID, externalID string) []Invoice {
	t.Helper()
	var out []Invoice
	for inv, err := range u.Client.Invoices(bg(), &InvoiceListOptions{WalletIDs: []string{walletID}}) {
		require.NoError(t, err)
		if inv.ExternalID == externalID {
			out = append(out, inv)
		}
	}
	return out
}

// rcvPreimageMatches reports whether sha256(preimage) is the payment hash.
func rcvPreimageMatches(preimage, hash string) bool {
	b, err := hex.DecodeString(preimage)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) == hash
}

func TestCreateInvoice_IsADecodableRegtestInvoiceForTheAmount(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)

	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1234, &InvoiceOptions{Memo: "coffee", ExpiresIn: 30 * time.Minute, ExternalID: "order-1"})
	require.NoError(t, err)

	assert.True(t, strings.HasPrefix(inv.PaymentRequest, "lnbcrt"), "regtest invoices start with lnbcrt: %s", inv.PaymentRequest)
	assert.Equal(t, Sats(1234), inv.Amount)
	assert.Equal(t, InvoicePending, inv.Status)
	assert.Equal(t, "order-1", inv.ExternalID)
	assert.Len(t, inv.PaymentSecret, 64)
	assert.WithinDuration(t, time.Now(), inv.CreatedAt, time.Minute)
	dec := rcvDecode(t, inv.PaymentRequest)
	sats, exact := dec.AmountSats()
	assert.True(t, exact)
	assert.Equal(t, int64(1234), sats)
	assert.Equal(t, inv.PaymentHash, dec.PaymentHash)
	assert.Equal(t, "coffee", dec.Description)
	assert.Equal(t, 30*time.Minute, dec.Expiry)
}

func TestCreateInvoice_WithoutExternalIDUsesThePaymentHash(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 10, nil)
	require.NoError(t, err)
	assert.Equal(t, inv.PaymentHash, inv.ExternalID)
	assert.Equal(t, 4*time.Hour, rcvDecode(t, inv.PaymentRequest).Expiry, "the server's default")
}

func TestCreateUSDInvoice_AsksTheSatsTheCentsAreWorth(t *testing.T) {
	srv := newFake(t, blinktest.WithPrice(10_000_000)) // $100,000 a bitcoin: 1 cent = 10 sats
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)

	inv, err := alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, 150, &InvoiceOptions{ExpiresIn: 2 * time.Minute})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(inv.PaymentRequest, "lnbcrt"))
	assert.Equal(t, Sats(1500), inv.Amount)
	dec := rcvDecode(t, inv.PaymentRequest)
	sats, _ := dec.AmountSats()
	assert.Equal(t, int64(1500), sats)
	assert.Equal(t, 2*time.Minute, dec.Expiry)

	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	assert.Equal(t, int64(150), srv.Balance(alice.USDWalletID), "the USD wallet is credited the cents")
}

func TestCreateUSDInvoice_IntoABTCWalletIsRefusedByTheServer(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := alice.Client.CreateUSDInvoice(bg(), alice.BTCWalletID, 100, nil)
	require.ErrorIs(t, err, ErrInvalidInput)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "LnUsdInvoiceCreate", e.Operation)
	assert.Equal(t, 1, srv.Requests("LnUsdInvoiceCreate"))
}

func TestCreateNoAmountInvoice_HasNoAmountAndIsPaidWhatThePayerChooses(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)

	inv, err := alice.Client.CreateNoAmountInvoice(bg(), alice.BTCWalletID, &InvoiceOptions{Memo: "tips", ExpiresIn: time.Hour})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(inv.PaymentRequest, "lnbcrt1"), "no amount: the separator follows the prefix")
	assert.Equal(t, Sats(0), inv.Amount)
	dec := rcvDecode(t, inv.PaymentRequest)
	assert.False(t, dec.HasAmount)
	assert.Equal(t, time.Hour, dec.Expiry)

	require.NoError(t, srv.PayInvoiceAmount(inv.PaymentRequest, 777))
	assert.Equal(t, int64(777), srv.Balance(alice.BTCWalletID))
	got, err := alice.Client.Invoice(bg(), alice.BTCWalletID, inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, got.Status)
}

func TestCreateNoAmountInvoice_LongExpiryIntoAUSDWalletIsRefusedAndCancelled(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)

	_, err := alice.Client.CreateNoAmountInvoice(bg(), alice.USDWalletID, &InvoiceOptions{ExpiresIn: time.Hour})
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.Contains(t, err.Error(), "USD wallet")

	// The invoice the server made with its default expiry was cancelled.
	page, err := alice.Client.InvoicesPage(bg(), &InvoiceListOptions{WalletIDs: []string{alice.USDWalletID}})
	require.NoError(t, err)
	require.Len(t, page.Invoices, 1)
	assert.Equal(t, InvoiceExpired, page.Invoices[0].Status)

	// Within the USD range it is accepted.
	inv, err := alice.Client.CreateNoAmountInvoice(bg(), alice.USDWalletID, &InvoiceOptions{ExpiresIn: 3 * time.Minute})
	require.NoError(t, err)
	assert.Equal(t, 3*time.Minute, rcvDecode(t, inv.PaymentRequest).Expiry)
}

func TestCancelInvoice_MakesItExpiredAndUnpayable(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, nil)
	require.NoError(t, err)

	require.NoError(t, alice.Client.CancelInvoice(bg(), alice.BTCWalletID, inv.PaymentHash))

	st, err := alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoiceExpired, st.Status)
	assert.Error(t, srv.PayInvoice(inv.PaymentRequest))

	// Cancelling is idempotent: a second cancel (a retry whose first
	// attempt's answer was lost, say) finds it expired and succeeds.
	require.NoError(t, alice.Client.CancelInvoice(bg(), alice.BTCWalletID, inv.PaymentHash))
	assert.Equal(t, 2, srv.Executions("LnInvoiceCancel"))

	// A paid invoice cannot be cancelled.
	paid, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, nil)
	require.NoError(t, err)
	require.NoError(t, srv.PayInvoice(paid.PaymentRequest))
	err = alice.Client.CancelInvoice(bg(), alice.BTCWalletID, paid.PaymentHash)
	require.ErrorIs(t, err, ErrInvalidInput, "a paid invoice is no longer pending")
}

func TestCancelInvoice_UnknownHashIsAServerError(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	err := alice.Client.CancelInvoice(bg(), alice.BTCWalletID, strings.Repeat("ab", 32))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "LnInvoiceCancel", e.Operation)
	assert.ErrorIs(t, err, ErrLightningPayment)
}

func TestCreateInvoice_RefusesBadInputBeforeSending(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	c := alice.Client
	w := alice.BTCWalletID
	long := strings.Repeat("x", MaxMemoBytes+1)
	cases := []struct {
		name string
		op   string
		call func() error
	}{
		{"bad wallet id", "LnInvoiceCreate", func() error { _, err := c.CreateInvoice(bg(), "not-a-uuid", 1, nil); return err }},
		{"zero amount", "LnInvoiceCreate", func() error { _, err := c.CreateInvoice(bg(), w, 0, nil); return err }},
		{"negative amount", "LnInvoiceCreate", func() error { _, err := c.CreateInvoice(bg(), w, -5, nil); return err }},
		{"amount above max", "LnInvoiceCreate", func() error { _, err := c.CreateInvoice(bg(), w, MaxAmount+1, nil); return err }},
		{"memo too long", "LnInvoiceCreate", func() error {
			_, err := c.CreateInvoice(bg(), w, 1, &InvoiceOptions{Memo: long})
			return err
		}},
		{"memo not UTF-8", "LnInvoiceCreate", func() error {
			_, err := c.CreateInvoice(bg(), w, 1, &InvoiceOptions{Memo: "\xff"})
			return err
		}},
		{"expiry not whole minutes", "LnInvoiceCreate", func() error {
			_, err := c.CreateInvoice(bg(), w, 1, &InvoiceOptions{ExpiresIn: 90 * time.Second})
			return err
		}},
		{"expiry under a minute", "LnInvoiceCreate", func() error {
			_, err := c.CreateInvoice(bg(), w, 1, &InvoiceOptions{ExpiresIn: 30 * time.Second})
			return err
		}},
		{"expiry negative", "LnInvoiceCreate", func() error {
			_, err := c.CreateInvoice(bg(), w, 1, &InvoiceOptions{ExpiresIn: -time.Minute})
			return err
		}},
		{"BTC expiry above a day", "LnInvoiceCreate", func() error {
			_, err := c.CreateInvoice(bg(), w, 1, &InvoiceOptions{ExpiresIn: 24*time.Hour + time.Minute})
			return err
		}},
		{"USD expiry above 5 minutes", "LnUsdInvoiceCreate", func() error {
			_, err := c.CreateUSDInvoice(bg(), alice.USDWalletID, 1, &InvoiceOptions{ExpiresIn: 6 * time.Minute})
			return err
		}},
		{"no-amount expiry above a day", "LnNoAmountInvoiceCreate", func() error {
			_, err := c.CreateNoAmountInvoice(bg(), w, &InvoiceOptions{ExpiresIn: 25 * time.Hour})
			return err
		}},
		{"external id with capitals", "LnInvoiceCreate", func() error {
			_, err := c.CreateInvoice(bg(), w, 1, &InvoiceOptions{ExternalID: "Order-1"})
			return err
		}},
		{"external id too long", "LnInvoiceCreate", func() error {
			_, err := c.CreateInvoice(bg(), w, 1, &InvoiceOptions{ExternalID: strings.Repeat("a", 101)})
			return err
		}},
		{"external id with a space", "LnNoAmountInvoiceCreate", func() error {
			_, err := c.CreateNoAmountInvoice(bg(), w, &InvoiceOptions{ExternalID: "a b"})
			return err
		}},
		{"recipient with both", "LnInvoiceCreateOnBehalfOfRecipient", func() error {
			_, err := c.CreateInvoiceForRecipient(bg(), Recipient{WalletID: w, Username: "alice"}, 1, nil)
			return err
		}},
		{"recipient with neither", "LnInvoiceCreateOnBehalfOfRecipient", func() error {
			_, err := c.CreateInvoiceForRecipient(bg(), Recipient{}, 1, nil)
			return err
		}},
		{"recipient bad username", "AccountDefaultWallet", func() error {
			_, err := c.CreateInvoiceForRecipient(bg(), RecipientUser("1abc"), 1, nil)
			return err
		}},
		{"recipient bad wallet id", "LnUsdInvoiceCreateOnBehalfOfRecipient", func() error {
			_, err := c.CreateUSDInvoiceForRecipient(bg(), RecipientWallet("nope"), 1, nil)
			return err
		}},
		{"recipient amount zero (username not resolved)", "AccountDefaultWallet", func() error {
			_, err := c.CreateUSDInvoiceForRecipientInSats(bg(), RecipientUser("alice"), 0, nil)
			return err
		}},
		{"webhook not http", "LnInvoiceCreateOnBehalfOfRecipient", func() error {
			_, err := c.CreateInvoiceForRecipient(bg(), RecipientWallet(w), 1, &RecipientInvoiceOptions{WebhookURL: "ftp://example.com/x"})
			return err
		}},
		{"webhook relative", "LnNoAmountInvoiceCreateOnBehalfOfRecipient", func() error {
			_, err := c.CreateNoAmountInvoiceForRecipient(bg(), RecipientWallet(w), &RecipientInvoiceOptions{WebhookURL: "/hooks"})
			return err
		}},
		{"description hash not hex", "LnInvoiceCreateOnBehalfOfRecipient", func() error {
			_, err := c.CreateInvoiceForRecipient(bg(), RecipientWallet(w), 1, &RecipientInvoiceOptions{DescriptionHash: "xyz"})
			return err
		}},
		{"description hash on a no-amount invoice", "LnNoAmountInvoiceCreateOnBehalfOfRecipient", func() error {
			_, err := c.CreateNoAmountInvoiceForRecipient(bg(), RecipientWallet(w), &RecipientInvoiceOptions{DescriptionHash: strings.Repeat("a", 64)})
			return err
		}},
		{"cancel bad hash", "LnInvoiceCancel", func() error { return c.CancelInvoice(bg(), w, "abc") }},
		{"cancel bad wallet", "LnInvoiceCancel", func() error { return c.CancelInvoice(bg(), "x", strings.Repeat("a", 64)) }},
		{"status bad hash", "LnInvoicePaymentStatusByHash", func() error { _, err := c.InvoiceStatus(bg(), strings.Repeat("g", 64)); return err }},
		{"status empty request", "LnInvoicePaymentStatusByPaymentRequest", func() error {
			_, err := c.InvoiceStatusByPaymentRequest(bg(), "lightning:")
			return err
		}},
		{"invoice bad hash", "InvoiceByPaymentHash", func() error { _, err := c.Invoice(bg(), w, "00"); return err }},
		{"list page size too big", "Invoices", func() error {
			_, err := c.InvoicesPage(bg(), &InvoiceListOptions{PageSize: 101})
			return err
		}},
		{"list page size negative", "Invoices", func() error {
			for _, err := range c.Invoices(bg(), &InvoiceListOptions{PageSize: -1}) {
				return err
			}
			return nil
		}},
		{"list bad wallet id", "Invoices", func() error {
			_, err := c.InvoicesPage(bg(), &InvoiceListOptions{WalletIDs: []string{w, "bad"}})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, ErrInvalidInput)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, 0, srv.Requests(tc.op), "nothing was sent")
		})
	}
	for _, op := range []string{"LnInvoiceCreate", "LnUsdInvoiceCreate", "LnNoAmountInvoiceCreate", "LnInvoiceCreateOnBehalfOfRecipient",
		"LnUsdInvoiceCreateOnBehalfOfRecipient", "LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient", "LnNoAmountInvoiceCreateOnBehalfOfRecipient",
		"AccountDefaultWallet", "LnInvoiceCancel", "Invoices", "InvoiceByPaymentHash"} {
		assert.Equal(t, 0, srv.Requests(op), op)
	}
}

func TestCreateInvoice_RateLimitIsTooManyRequestsAndTransient(t *testing.T) {
	srv := newFake(t, blinktest.WithInvoiceRateLimit(2))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	for range 2 {
		_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, nil)
		require.NoError(t, err)
	}
	_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, nil)
	require.ErrorIs(t, err, ErrTooManyRequests)
	assert.True(t, IsTransient(err))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "TOO_MANY_REQUEST", e.Code)
	assert.Equal(t, "LnInvoiceCreate", e.Operation)
}

func TestCreateInvoice_ReadOnlyKeyIsRefusedBeforeSending(t *testing.T) {
	srv := newFake(t)
	reader := newFakeUser(t, srv, "alice", 0, 0, []string{"READ"})

	_, err := reader.Client.CreateInvoice(bg(), reader.BTCWalletID, 1, nil)
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ScopeReceive, se.Needed)
	assert.Equal(t, []Scope{ScopeRead}, se.Held)
	err = reader.Client.CancelInvoice(bg(), reader.BTCWalletID, strings.Repeat("a", 64))
	require.ErrorIs(t, err, ErrInsufficientScope)
	assert.Equal(t, 0, srv.Requests("LnInvoiceCreate"))
	assert.Equal(t, 0, srv.Requests("LnInvoiceCancel"))

	// Listing works with READ.
	_, err = reader.Client.InvoicesPage(bg(), nil)
	require.NoError(t, err)
}

// The externalId retry design (InvoiceOptions).

func TestInvoiceOptions_NilAndZeroAreTheSame(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	a, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, nil)
	require.NoError(t, err)
	b, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, &InvoiceOptions{})
	require.NoError(t, err)
	assert.Equal(t, rcvDecode(t, a.PaymentRequest).Expiry, rcvDecode(t, b.PaymentRequest).Expiry)
}

func TestCreateInvoice_NoInvoiceAndNoErrorIsAnError(t *testing.T) {
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, `{"data":{"lnInvoiceCreate":{"invoice":null,"errors":[]}}}`)
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeReceive))
	_, err := c.CreateInvoice(bg(), "11111111-1111-4111-8111-111111111111", 1, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "LnInvoiceCreate", e.Operation)
	assert.ErrorIs(t, err, ErrServer)
}

func TestCreateInvoice_PayloadErrorWithoutCodeIsInvalidInput(t *testing.T) {
	ws := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, `{"data":{"lnInvoiceCreate":{"invoice":null,"errors":[{"__typename":"GraphQLApplicationError","code":null,"message":"Invalid value for WalletId","path":["input","walletId"]}]}}}`)
	})
	c := newTestClient(t, ws.URL, WithScopes(ScopeRead, ScopeReceive))
	_, err := c.CreateInvoice(bg(), "11111111-1111-4111-8111-111111111111", 1, nil)
	require.ErrorIs(t, err, ErrInvalidInput)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "Invalid value for WalletId", e.Message)
	assert.Equal(t, []string{"input", "walletId"}, e.Path)
}
