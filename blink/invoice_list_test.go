package blink

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

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
