package blink

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// sinceOldestFirst is the ledger of a wallet, oldest first.
func sinceOldestFirst(srv *blinktest.Server, walletID string) []string {
	ids := txLedgerIDs(srv.Ledger(walletID))
	slices.Reverse(ids)
	return ids
}

// sinceWalk collects a TransactionsSince walk, failing on any error.
func sinceWalk(t *testing.T, u *fakeUser, since string, opts *TransactionListOptions) []Transaction {
	t.Helper()
	var got []Transaction
	for tx, err := range u.Client.TransactionsSince(bg(), since, opts) {
		require.NoError(t, err)
		got = append(got, tx)
	}
	return got
}

func TestTransactionsSince_ListsOnlyTheNewerEntriesOldestFirst(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	ledger := sinceOldestFirst(srv, alice.BTCWalletID)
	before := srv.Requests("TransactionsSince")

	got := sinceWalk(t, alice, ledger[1], &TransactionListOptions{PageSize: 2})

	assert.Equal(t, ledger[2:], txIDs(got), "the five entries after the second oldest, oldest first")
	for i := 1; i < len(got); i++ {
		assert.False(t, got[i].CreatedAt.Before(got[i-1].CreatedAt), "oldest first")
	}
	assert.Equal(t, "in c", got[0].Memo, "the third receipt comes first")
	assert.Equal(t, "out d", got[4].Memo, "the last send comes last")
	assert.Equal(t, 3, srv.Requests("TransactionsSince")-before, "5 entries in pages of 2 take 3 requests")
	assert.Equal(t, 0, srv.Requests("Transactions"), "the newer-than walk never uses the older-than query")
}

func TestTransactionsSince_EmptySinceWalksTheWholeLedgerFromTheOldest(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	got := sinceWalk(t, alice, "", &TransactionListOptions{PageSize: 3})
	assert.Equal(t, sinceOldestFirst(srv, alice.BTCWalletID), txIDs(got))
	assert.Equal(t, "in a", got[0].Memo)
}

func TestTransactionsSince_FromTheNewestYieldsNothingInOneRequest(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	newest := srv.Ledger(alice.BTCWalletID)[0].ID
	before := srv.Requests("TransactionsSince")

	assert.Empty(t, sinceWalk(t, alice, newest, nil))
	assert.Equal(t, 1, srv.Requests("TransactionsSince")-before)

	page, err := alice.Client.TransactionsSincePage(bg(), newest, nil)
	require.NoError(t, err)
	assert.Empty(t, page.Transactions)
	assert.False(t, page.HasNextPage)
	assert.Empty(t, page.EndCursor, "an empty page has no cursor: the caller keeps its own")
}

func TestTransactionsSince_AReconcilerResumesAfterTheLastIDItStored(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	txReceiveLightning(t, srv, alice, 1_000, "first")
	txReceiveLightning(t, srv, alice, 2_000, "second")

	var handled []string
	stored := ""
	reconcile := func() {
		for tx, err := range alice.Client.TransactionsSince(bg(), stored, nil) {
			require.NoError(t, err)
			handled = append(handled, tx.Memo)
			stored = tx.ID
		}
	}
	reconcile()
	assert.Equal(t, []string{"first", "second"}, handled)

	reconcile()
	assert.Equal(t, []string{"first", "second"}, handled, "nothing new: nothing handled twice")

	txReceiveLightning(t, srv, alice, 3_000, "third")
	txReceiveLightning(t, srv, alice, 4_000, "fourth")
	reconcile()
	assert.Equal(t, []string{"first", "second", "third", "fourth"}, handled)
	assert.Equal(t, srv.Ledger(alice.BTCWalletID)[0].ID, stored, "the newest entry is the stored cursor")
}

func TestTransactionsSincePage_EndCursorIsTheNewestEntryAndLeadsToTheNextPage(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	ledger := sinceOldestFirst(srv, alice.BTCWalletID)

	var sizes []int
	var got []string
	since := ""
	for {
		page, err := alice.Client.TransactionsSincePage(bg(), since, &TransactionListOptions{PageSize: 3})
		require.NoError(t, err)
		sizes = append(sizes, len(page.Transactions))
		got = append(got, txIDs(page.Transactions)...)
		assert.Equal(t, page.Transactions[len(page.Transactions)-1].ID, page.EndCursor, "EndCursor is the page's newest entry")
		if !page.HasNextPage {
			break
		}
		since = page.EndCursor
	}
	assert.Equal(t, []int{3, 3, 1}, sizes)
	assert.Equal(t, ledger, got)
}

func TestTransactionsSince_BreakingEarlyStopsFetchingPages(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	before := srv.Requests("TransactionsSince")
	n := 0
	for _, err := range alice.Client.TransactionsSince(bg(), "", &TransactionListOptions{PageSize: 2}) {
		require.NoError(t, err)
		n++
		if n == 2 {
			break
		}
	}
	assert.Equal(t, 1, srv.Requests("TransactionsSince")-before, "the second page was never fetched")
}

func TestTransactionsSince_YieldsTheErrorOnceAndStops(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	var got []Transaction
	var errs []error
	for tx, err := range alice.Client.TransactionsSince(bg(), "", &TransactionListOptions{PageSize: 5}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, tx)
		if len(got) == 1 {
			// The first page is in; every attempt at the second fails.
			srv.InjectFault("TransactionsSince", blinktest.Fault{Status: 503}, 100)
		}
	}
	assert.Len(t, got, 5, "the first page is yielded whole")
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrServer)
}

func TestTransactionsSince_WalletFilterKeepsOnlyThoseWallets(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	txSendIntraLedger(t, alice, bob.BTCWalletID, 1_000, "to btc")
	txSendIntraLedger(t, alice, bob.USDWalletID, 50_000, "to usd")
	txSendIntraLedger(t, alice, bob.BTCWalletID, 2_000, "to btc again")

	var memos []string
	for _, tx := range sinceWalk(t, bob, "", &TransactionListOptions{WalletIDs: []string{bob.BTCWalletID}}) {
		memos = append(memos, tx.Memo)
	}
	assert.Equal(t, []string{"to btc", "to btc again"}, memos)

	memos = nil
	for _, tx := range sinceWalk(t, bob, "", nil) {
		memos = append(memos, tx.Memo)
	}
	assert.Equal(t, []string{"to btc", "to usd", "to btc again"}, memos, "no filter means every wallet, oldest first")
}

func TestTransactionsSince_AfterAndBadOptionsRefusedBeforeSending(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	for name, opts := range map[string]*TransactionListOptions{
		"page size 101":    {PageSize: 101},
		"page size -1":     {PageSize: -1},
		"wallet id not id": {WalletIDs: []string{"not-a-wallet"}},
		"after is set":     {After: "some-cursor"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := alice.Client.TransactionsSincePage(bg(), "", opts)
			require.ErrorIs(t, err, ErrInvalidInput)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, "TransactionsSince", e.Operation)
			var errs []error
			for _, err := range alice.Client.TransactionsSince(bg(), "", opts) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrInvalidInput)
			assert.Equal(t, 0, srv.Requests("TransactionsSince"))
		})
	}
}

// txSinceWirePage answers a TransactionsSince query with the given ids,
// newest first, as the server lists every page.
func txSinceWirePage(hasPrevious bool, startCursor string, ids ...string) string {
	var edges []string
	for _, id := range ids {
		edges = append(edges, `{"cursor":"`+id+`","node":`+txWireNode(id)+`}`)
	}
	prev := "false"
	if hasPrevious {
		prev = "true"
	}
	start := "null"
	if startCursor != "" {
		start = `"` + startCursor + `"`
	}
	return `{"data":{"me":{"defaultAccount":{"__typename":"ConsumerAccount","transactions":{"edges":[` + strings.Join(edges, ",") +
		`],"pageInfo":{"hasNextPage":false,"hasPreviousPage":` + prev + `,"startCursor":` + start + `,"endCursor":null}}}}}}`
}

func TestTransactionsSincePage_SendsLastAndBeforeOnTheWireAndReversesThePage(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, txSinceWirePage(n == 1, "t3", "t3", "t2", "t1"))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	page, err := c.TransactionsSincePage(bg(), "", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"t1", "t2", "t3"}, txIDs(page.Transactions), "oldest first")
	assert.Equal(t, "t3", page.EndCursor, "the newest entry")
	assert.True(t, page.HasNextPage, "the server's hasPreviousPage: newer entries follow")

	wallet := "11111111-1111-4111-8111-111111111111"
	page, err = c.TransactionsSincePage(bg(), "t0", &TransactionListOptions{PageSize: 7, WalletIDs: []string{wallet}})
	require.NoError(t, err)
	assert.False(t, page.HasNextPage)

	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "TransactionsSince", reqs[0].OpName)
	assert.Equal(t, float64(100), reqs[0].Variables["last"], "page size 0 asks for the maximum")
	assert.Nil(t, reqs[0].Variables["before"], "empty since: from the oldest entry")
	assert.Nil(t, reqs[0].Variables["walletIds"], "no filter: every wallet")
	for _, r := range reqs {
		assert.NotContains(t, r.Variables, "first", "first and last cannot be combined")
		assert.NotContains(t, r.Variables, "after")
	}
	assert.Equal(t, float64(7), reqs[1].Variables["last"])
	assert.Equal(t, "t0", reqs[1].Variables["before"])
	assert.Equal(t, []any{wallet}, reqs[1].Variables["walletIds"])
}

func TestTransactionsSincePage_WithoutStartCursorTheNewestEdgeIsTheCursor(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, txSinceWirePage(false, "", "t2", "t1"))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	page, err := c.TransactionsSincePage(bg(), "t0", nil)
	require.NoError(t, err)
	assert.Equal(t, "t2", page.EndCursor)
}

func TestTransactionsSince_NextPageWithoutNewCursorEndsWithAnError(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, txSinceWirePage(true, "same", "same"))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	var got []string
	var errs []error
	for tx, err := range c.TransactionsSince(bg(), "", nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, tx.ID)
	}
	assert.Equal(t, []string{"same", "same"}, got, "two pages were read")
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrServer)
	assert.Len(t, srv.requests(), 2, "no endless loop over the same page")
}
