package blink

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/internal/bolt11"
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

func TestInvoice_PaidFromOutsideReportsPaidWithThePreimage(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 2_000, nil)
	require.NoError(t, err)

	st, err := alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePending, st.Status)
	assert.Empty(t, st.Preimage)

	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))

	st, err = alice.Client.InvoiceStatus(bg(), strings.ToUpper(inv.PaymentHash))
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, st.Status)
	assert.Equal(t, inv.PaymentHash, st.PaymentHash)
	assert.Equal(t, inv.PaymentRequest, st.PaymentRequest)
	assert.True(t, rcvPreimageMatches(st.Preimage, inv.PaymentHash), "the preimage hashes to the payment hash")

	st2, err := alice.Client.InvoiceStatusByPaymentRequest(bg(), "lightning:"+inv.PaymentRequest)
	require.NoError(t, err)
	assert.Equal(t, *st, *st2)

	got, err := alice.Client.Invoice(bg(), alice.BTCWalletID, inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, got.Status)
	assert.Equal(t, inv.PaymentRequest, got.PaymentRequest)
	assert.Equal(t, Sats(2_000), got.Amount)
	assert.Equal(t, int64(2_000), srv.Balance(alice.BTCWalletID))
}

func TestInvoiceStatus_NeedsNoKey(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 5, nil)
	require.NoError(t, err)

	anon, err := New("", WithEndpoint(srv.URL()))
	require.NoError(t, err)
	st, err := anon.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePending, st.Status)
}

func TestInvoiceStatus_ExpiredOnceTheExpiryHasPassed(t *testing.T) {
	clk := newRcvClock()
	srv := newFake(t, blinktest.WithClock(clk.Now))
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{ExpiresIn: time.Minute})
	require.NoError(t, err)

	clk.Advance(59 * time.Second)
	st, err := alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePending, st.Status)

	clk.Advance(time.Second)
	st, err = alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoiceExpired, st.Status)
	got, err := alice.Client.Invoice(bg(), alice.BTCWalletID, inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoiceExpired, got.Status)
	assert.Error(t, srv.PayInvoice(inv.PaymentRequest), "an expired invoice cannot be paid")
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

func TestInvoice_UnknownHashIsNotFound(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := alice.Client.Invoice(bg(), alice.BTCWalletID, strings.Repeat("0", 64))
	require.ErrorIs(t, err, ErrNotFound)
}

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
	srv := newFake(t, blinktest.WithPrice(10_000_000))
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

func TestInvoices_ListsEveryInvoiceAcrossPagesNewestFirst(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	var created []string
	for i := range 7 {
		inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(100+i), nil)
		require.NoError(t, err)
		created = append([]string{inv.PaymentHash}, created...) // newest first
	}
	// An invoice of the USD wallet, filtered out by WalletIDs.
	_, err := alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, 5, nil)
	require.NoError(t, err)

	opts := &InvoiceListOptions{WalletIDs: []string{alice.BTCWalletID}, PageSize: 3}
	var got []string
	for inv, err := range alice.Client.Invoices(bg(), opts) {
		require.NoError(t, err)
		got = append(got, inv.PaymentHash)
	}
	assert.Equal(t, created, got)
	assert.Equal(t, 3, srv.Requests("Invoices"), "pages of 3, 3 and 1")

	// The same walk, page by page.
	var paged []string
	var sizes []int
	p := *opts
	for {
		page, err := alice.Client.InvoicesPage(bg(), &p)
		require.NoError(t, err)
		sizes = append(sizes, len(page.Invoices))
		for _, inv := range page.Invoices {
			paged = append(paged, inv.PaymentHash)
		}
		if !page.HasNextPage {
			break
		}
		assert.Equal(t, page.Invoices[len(page.Invoices)-1].PaymentHash, page.EndCursor)
		p.After = page.EndCursor
	}
	assert.Equal(t, []int{3, 3, 1}, sizes)
	assert.Equal(t, created, paged)

	// Without a filter both wallets are listed.
	n := 0
	for _, err := range alice.Client.Invoices(bg(), nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 8, n)
}

func TestInvoices_BreakingOutOfTheLoopStopsFetching(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	for range 5 {
		_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, nil)
		require.NoError(t, err)
	}
	n := 0
	for _, err := range alice.Client.Invoices(bg(), &InvoiceListOptions{PageSize: 2}) {
		require.NoError(t, err)
		n++
		if n == 2 {
			break
		}
	}
	assert.Equal(t, 2, n)
	assert.Equal(t, 1, srv.Requests("Invoices"), "the second page was never fetched")
}

func TestInvoices_StopsAtTheFirstErrorAndYieldsIt(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, fastRetry)
	for range 3 {
		_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, nil)
		require.NoError(t, err)
	}
	// The first page answers; the second fails on every attempt.
	srv.InjectFault("Invoices", blinktest.Fault{}, 1)
	srv.InjectFault("Invoices", blinktest.Fault{Status: 503}, 4)
	var got int
	var errs []error
	for _, err := range alice.Client.Invoices(bg(), &InvoiceListOptions{PageSize: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got++
	}
	assert.Equal(t, 2, got)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrServer)
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

func TestInvoices_ReceiveOnlyKeyCannotListAndNothingIsSent(t *testing.T) {
	srv := newFake(t)
	recv := newFakeUser(t, srv, "alice", 0, 0, []string{"RECEIVE"})

	_, err := recv.Client.CreateInvoice(bg(), recv.BTCWalletID, 1, nil)
	require.NoError(t, err, "RECEIVE is enough to create")

	_, err = recv.Client.InvoicesPage(bg(), nil)
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, ScopeRead, se.Needed)
	_, err = recv.Client.Invoice(bg(), recv.BTCWalletID, strings.Repeat("a", 64))
	require.ErrorIs(t, err, ErrInsufficientScope)
	assert.Equal(t, 0, srv.Requests("Invoices"))
	assert.Equal(t, 0, srv.Requests("InvoiceByPaymentHash"))
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

func TestCreateInvoice_ExternalIDRetryReturnsTheCreatedInvoice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil) // the default retry policy
	srv.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)

	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1_000, &InvoiceOptions{Memo: "order 42", ExternalID: "order-42"})
	require.NoError(t, err)
	assert.Equal(t, "order-42", inv.ExternalID)
	assert.Equal(t, Sats(1_000), inv.Amount)
	assert.Equal(t, 2, srv.Requests("LnInvoiceCreate"), "the lost answer was retried")
	assert.Equal(t, 2, srv.Executions("LnInvoiceCreate"), "the retry executed and met the duplicate external id")

	same := rcvInvoicesWithExternalID(t, alice, alice.BTCWalletID, "order-42")
	require.Len(t, same, 1, "exactly one invoice carries the external id")
	assert.Equal(t, same[0].PaymentHash, inv.PaymentHash)
	assert.Equal(t, inv.PaymentRequest, same[0].PaymentRequest)

	// The returned invoice is the real one: paying it credits the wallet.
	require.NoError(t, srv.PayInvoice(inv.PaymentRequest))
	assert.Equal(t, int64(1_000), srv.Balance(alice.BTCWalletID))
	var received int
	for _, tx := range srv.Ledger(alice.BTCWalletID) {
		if tx.ExternalID == "order-42" {
			received++
			assert.Equal(t, inv.PaymentHash, tx.PaymentHash)
		}
	}
	assert.Equal(t, 1, received, "one ledger entry carries the external id")
}

func TestCreateInvoice_ExternalIDRetryOnAReusedConnectionReturnsTheCreatedInvoice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, fastRetry)
	// Warm a keep-alive connection up, so the dropped request went over a
	// reused connection (where net/http itself may resend).
	_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, nil)
	require.NoError(t, err)
	srv.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)

	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 500, &InvoiceOptions{ExternalID: "order-43"})
	require.NoError(t, err)
	same := rcvInvoicesWithExternalID(t, alice, alice.BTCWalletID, "order-43")
	require.Len(t, same, 1)
	assert.Equal(t, same[0].PaymentHash, inv.PaymentHash)
}

func TestCreateInvoice_ExternalIDCallerRetryAfterALostAnswerReturnsTheCreatedInvoice(t *testing.T) {
	srv := newFake(t)
	// No transport retry: the lost answer surfaces as a network failure and
	// the caller calls again with the same ExternalID.
	alice := newFakeUser(t, srv, "alice", 0, 0, nil, WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond, MaxRetryAfter: time.Millisecond}))
	srv.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)
	opts := &InvoiceOptions{Memo: "m", ExpiresIn: 10 * time.Minute, ExternalID: "order-44"}

	_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 700, opts)
	require.ErrorIs(t, err, ErrTransport)
	assert.True(t, IsTransient(err))

	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 700, opts)
	require.NoError(t, err)
	same := rcvInvoicesWithExternalID(t, alice, alice.BTCWalletID, "order-44")
	require.Len(t, same, 1)
	assert.Equal(t, same[0].PaymentHash, inv.PaymentHash)
	assert.Equal(t, 2, srv.Executions("LnInvoiceCreate"))
}

func TestCreateInvoice_SameExternalIDAndArgumentsReturnsTheSameInvoice(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	for i, create := range []func(o *InvoiceOptions) (*Invoice, error){
		func(o *InvoiceOptions) (*Invoice, error) {
			return alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 99, o)
		},
		func(o *InvoiceOptions) (*Invoice, error) {
			return alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, 99, o)
		},
		func(o *InvoiceOptions) (*Invoice, error) {
			return alice.Client.CreateNoAmountInvoice(bg(), alice.BTCWalletID, o)
		},
	} {
		o := &InvoiceOptions{Memo: "same", ExternalID: "same-" + strings.Repeat("x", i+1)}
		first, err := create(o)
		require.NoError(t, err)
		again, err := create(o)
		require.NoError(t, err)
		assert.Equal(t, first.PaymentHash, again.PaymentHash)
	}
}

func TestCreateInvoice_ExternalIDReusedForAnotherInvoiceIsRefused(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{Memo: "a", ExternalID: "dup"})
	require.NoError(t, err)

	for name, call := range map[string]func() error{
		"other amount": func() error {
			_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 101, &InvoiceOptions{Memo: "a", ExternalID: "dup"})
			return err
		},
		"other memo": func() error {
			_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{Memo: "b", ExternalID: "dup"})
			return err
		},
		"other expiry": func() error {
			_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{Memo: "a", ExpiresIn: time.Hour, ExternalID: "dup"})
			return err
		},
		"no amount": func() error {
			_, err := alice.Client.CreateNoAmountInvoice(bg(), alice.BTCWalletID, &InvoiceOptions{Memo: "a", ExternalID: "dup"})
			return err
		},
		"other wallet": func() error {
			_, err := alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, 100, &InvoiceOptions{Memo: "a", ExternalID: "dup"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, ErrExternalIDExists)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.False(t, IsTransient(err))
			assert.Contains(t, err.Error(), "already exists")
			assert.NotContains(t, err.Error(), "may have created")
		})
	}
	assert.Len(t, rcvInvoicesWithExternalID(t, alice, alice.BTCWalletID, "dup"), 1)
}

func TestCreateInvoice_ExternalIDRetryWithoutReadSaysTheInvoiceMayExist(t *testing.T) {
	srv := newFake(t)
	recv := newFakeUser(t, srv, "alice", 0, 0, []string{"RECEIVE"}, fastRetry)
	srv.InjectFault("LnInvoiceCreate", blinktest.Fault{DropAfterExecute: true}, 1)

	_, err := recv.Client.CreateInvoice(bg(), recv.BTCWalletID, 100, &InvoiceOptions{ExternalID: "order-7"})
	require.ErrorIs(t, err, ErrExternalIDExists)
	require.ErrorIs(t, err, ErrInvalidInput)
	assert.False(t, errors.Is(err, ErrInsufficientScope), "the creation was not refused for scope")
	assert.Contains(t, err.Error(), "may have created the invoice")
	assert.Contains(t, err.Error(), "READ")
	assert.Equal(t, 0, srv.Requests("Invoices"), "the look-up was refused before sending")
}

func TestCreateInvoiceForRecipient_ExternalIDRetryWithoutAKeySaysTheInvoiceMayExist(t *testing.T) {
	srv := newFake(t)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	anon, err := New("", WithEndpoint(srv.URL()), fastRetry)
	require.NoError(t, err)
	srv.InjectFault("LnInvoiceCreateOnBehalfOfRecipient", blinktest.Fault{DropAfterExecute: true}, 1)

	_, err = anon.CreateInvoiceForRecipient(bg(), RecipientWallet(bob.BTCWalletID), 100, &RecipientInvoiceOptions{InvoiceOptions: InvoiceOptions{ExternalID: "r-1"}})
	require.ErrorIs(t, err, ErrExternalIDExists)
	assert.Contains(t, err.Error(), "may have created the invoice")

	// The recipient's own key finds it.
	inv, err := bob.Client.CreateInvoiceForRecipient(bg(), RecipientWallet(bob.BTCWalletID), 100, &RecipientInvoiceOptions{InvoiceOptions: InvoiceOptions{ExternalID: "r-1"}})
	require.NoError(t, err)
	assert.Equal(t, "r-1", inv.ExternalID)
	assert.Len(t, rcvInvoicesWithExternalID(t, bob, bob.BTCWalletID, "r-1"), 1)
}

func TestInvoiceOptions_NilAndZeroAreTheSame(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	a, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, nil)
	require.NoError(t, err)
	b, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 1, &InvoiceOptions{})
	require.NoError(t, err)
	assert.Equal(t, rcvDecode(t, a.PaymentRequest).Expiry, rcvDecode(t, b.PaymentRequest).Expiry)
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

func TestInvoice_PaidByAnotherBlinkAccountReportsPaid(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	bob := newFakeUser(t, srv, "bob", 10_000, 0, nil)
	inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 2_500, &InvoiceOptions{Memo: "rent"})
	require.NoError(t, err)

	_, err = bob.Client.PayInvoice(bg(), bob.BTCWalletID, inv.PaymentRequest, nil)
	require.NoError(t, err)

	st, err := alice.Client.InvoiceStatus(bg(), inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, st.Status)
	assert.True(t, rcvPreimageMatches(st.Preimage, inv.PaymentHash))
	got, err := alice.Client.Invoice(bg(), alice.BTCWalletID, inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, InvoicePaid, got.Status)
	assert.Equal(t, int64(2_500), srv.Balance(alice.BTCWalletID))
	assert.Equal(t, int64(7_500), srv.Balance(bob.BTCWalletID))
}
