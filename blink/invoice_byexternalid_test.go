package blink

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvoiceByExternalID_FindsTheInvoiceCreatedWithIt(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	var want *Invoice
	for i := range 3 {
		inv, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, Sats(100+i), &InvoiceOptions{ExternalID: fmt.Sprintf("order-%d", i)})
		require.NoError(t, err)
		if i == 1 {
			want = inv
		}
	}

	got, err := alice.Client.InvoiceByExternalID(bg(), alice.BTCWalletID, "order-1")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, Sats(101), got.Amount)
	byHash, err := alice.Client.Invoice(bg(), alice.BTCWalletID, want.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, byHash, got, "the same invoice as the look-up by payment hash")
	assert.Equal(t, 1, srv.Requests("InvoiceByExternalID"), "found on the first page")
	assert.Equal(t, 0, srv.Requests("Invoices"))
}

func TestInvoiceByExternalID_CreatedWithoutOneIsFoundByItsPaymentHash(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	inv, err := alice.Client.CreateNoAmountInvoice(bg(), alice.BTCWalletID, nil)
	require.NoError(t, err)

	got, err := alice.Client.InvoiceByExternalID(bg(), alice.BTCWalletID, inv.PaymentHash)
	require.NoError(t, err)
	assert.Equal(t, inv.PaymentHash, got.PaymentHash)
	assert.Equal(t, Sats(0), got.Amount)
}

func TestInvoiceByExternalID_NoneCarriesItIsNotFound(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	_, err := alice.Client.CreateInvoice(bg(), alice.BTCWalletID, 100, &InvoiceOptions{ExternalID: "order-1"})
	require.NoError(t, err)
	_, err = alice.Client.CreateUSDInvoice(bg(), alice.USDWalletID, 5, &InvoiceOptions{ExternalID: "usd-order"})
	require.NoError(t, err)

	for name, id := range map[string]string{
		"unknown":                  "order-2",
		"another wallet's invoice": "usd-order",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := alice.Client.InvoiceByExternalID(bg(), alice.BTCWalletID, id)
			assert.Nil(t, got)
			require.ErrorIs(t, err, ErrNotFound)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "InvoiceByExternalID", e.Operation)
			assert.Contains(t, e.Message, "1000 newest invoices", "the message states the bound")
		})
	}
}

func TestInvoiceByExternalID_MalformedInputRefusedBeforeAnyRequest(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	keyLike := "blink_" + strings.Repeat("Zz9k", 12)
	for name, c := range map[string]struct{ wallet, id string }{
		"wallet id not a UUID":   {"not-a-wallet", "order-1"},
		"empty external id":      {alice.BTCWalletID, ""},
		"upper case":             {alice.BTCWalletID, "Order-1"},
		"101 bytes":              {alice.BTCWalletID, strings.Repeat("a", 101)},
		"space":                  {alice.BTCWalletID, "order 1"},
		"a key as an externalID": {alice.BTCWalletID, keyLike},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := alice.Client.InvoiceByExternalID(bg(), c.wallet, c.id)
			require.ErrorIs(t, err, ErrInvalidInput)
			if c.id != "" && c.wallet == alice.BTCWalletID {
				assert.NotContains(t, err.Error(), c.id, "a malformed external id is not echoed")
			}
		})
	}
	assert.Equal(t, 0, srv.Requests("InvoiceByExternalID"))
	_, err := alice.Client.InvoiceByExternalID(bg(), alice.BTCWalletID, strings.Repeat("a", 100))
	require.ErrorIs(t, err, ErrNotFound, "100 bytes is the longest external id")
}

func TestInvoiceByExternalID_WalletOfAnotherAccountIsNotFoundByTheServer(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	_, err := bob.Client.CreateInvoice(bg(), bob.BTCWalletID, 100, &InvoiceOptions{ExternalID: "order-1"})
	require.NoError(t, err)

	got, err := alice.Client.InvoiceByExternalID(bg(), bob.BTCWalletID, "order-1")
	assert.Nil(t, got, "bob's invoice is not alice's to see")
	require.ErrorIs(t, err, ErrNotFound)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{"me", "defaultAccount", "walletById"}, e.Path, "the server's answer: the wallet, not the invoice, is unknown")
	assert.Equal(t, 1, srv.Requests("InvoiceByExternalID"))
}

// invWirePage answers an InvoiceByExternalID query with invoices carrying
// the given external ids (their cursors are the ids too).
func invWirePage(hasNext bool, endCursor string, externalIDs ...string) string {
	var edges []string
	for _, id := range externalIDs {
		edges = append(edges, `{"cursor":"`+id+`","node":{"__typename":"LnInvoice","createdAt":1700000000,"externalId":"`+id+
			`","paymentHash":"`+strings.Repeat("a", 64)+`","paymentRequest":"lnbcrt1","paymentSecret":"`+strings.Repeat("b", 64)+
			`","paymentStatus":"PENDING","satoshis":21}}`)
	}
	end := "null"
	if endCursor != "" {
		end = `"` + endCursor + `"`
	}
	return fmt.Sprintf(`{"data":{"me":{"defaultAccount":{"walletById":{"__typename":"BTCWallet","invoices":{"edges":[%s],`+
		`"pageInfo":{"hasNextPage":%t,"hasPreviousPage":false,"startCursor":null,"endCursor":%s}}}}}}}`, strings.Join(edges, ","), hasNext, end)
}

const invWireWallet = "11111111-1111-4111-8111-111111111111"

func TestInvoiceByExternalID_FollowsTheCursorToALaterPage(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if n == 1 {
			writeJSON(w, 200, invWirePage(true, "c1", "a", "b"))
			return
		}
		writeJSON(w, 200, invWirePage(false, "c2", "c", "wanted"))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	got, err := c.InvoiceByExternalID(bg(), invWireWallet, "wanted")
	require.NoError(t, err)
	assert.Equal(t, "wanted", got.ExternalID)
	assert.Equal(t, Sats(21), got.Amount)

	reqs := srv.requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, "InvoiceByExternalID", r.OpName)
		assert.Equal(t, invWireWallet, r.Variables["walletId"])
		assert.Equal(t, float64(100), r.Variables["first"], "the largest page")
	}
	assert.Nil(t, reqs[0].Variables["after"], "from the newest")
	assert.Equal(t, "c1", reqs[1].Variables["after"])
}

func TestInvoiceByExternalID_LooksAtTheNewestThousandInvoicesAtMost(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, invWirePage(true, fmt.Sprintf("c%d", n), fmt.Sprintf("other-%d", n)))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	_, err := c.InvoiceByExternalID(bg(), invWireWallet, "wanted")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Len(t, srv.requests(), 10, "ten pages of 100, then it stops")
}

func TestInvoiceByExternalID_StopsAtTheLastPage(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, invWirePage(false, "c1", "a"))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	_, err := c.InvoiceByExternalID(bg(), invWireWallet, "wanted")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Len(t, srv.requests(), 1)
}

func TestInvoiceByExternalID_ANextPageWithoutNewCursorEndsTheWalk(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, invWirePage(true, "", "a"))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	_, err := c.InvoiceByExternalID(bg(), invWireWallet, "wanted")
	require.ErrorIs(t, err, ErrNotFound)
	assert.Len(t, srv.requests(), 2, "the last edge's cursor is followed once, then the same cursor ends the walk")
}
