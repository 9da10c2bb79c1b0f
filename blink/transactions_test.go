package blink

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scalar"
	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// The ledger is built with the generated operations through the client's
// GraphQL escape hatch and with blinktest's controls, so that these tests
// depend on nothing but the transaction calls under test.

func txStrPtr(s string) *string { return &s }

// txCreateInvoice creates a BTC invoice for sats on the user's wallet and
// returns its payment request and hash.
func txCreateInvoice(t *testing.T, u *fakeUser, walletID string, sats int64, memo string) (pr, hash string) {
	t.Helper()
	resp, err := gen.LnInvoiceCreate(bg(), u.Client.GraphQL(), gen.LnInvoiceCreateInput{WalletId: walletID, Amount: scalar.SatAmount(sats), Memo: txStrPtr(memo)})
	require.NoError(t, err)
	p := resp.LnInvoiceCreate
	require.Empty(t, p.Errors)
	require.NotNil(t, p.Invoice)
	return p.Invoice.PaymentRequest, p.Invoice.PaymentHash
}

// txReceiveLightning pays a new invoice of the user's from outside Blink.
func txReceiveLightning(t *testing.T, srv *blinktest.Server, u *fakeUser, sats int64, memo string) (hash string) {
	t.Helper()
	pr, hash := txCreateInvoice(t, u, u.BTCWalletID, sats, memo)
	require.NoError(t, srv.PayInvoice(pr))
	return hash
}

// txPayInvoice pays a payment request from the user's BTC wallet.
func txPayInvoice(t *testing.T, u *fakeUser, pr string) {
	t.Helper()
	resp, err := gen.LnInvoicePaymentSend(bg(), u.Client.GraphQL(), gen.LnInvoicePaymentInput{WalletId: u.BTCWalletID, PaymentRequest: pr})
	require.NoError(t, err)
	require.Empty(t, resp.LnInvoicePaymentSend.Errors)
	require.Equal(t, gen.PaymentSendResultSuccess, *resp.LnInvoicePaymentSend.Status)
}

// txSendIntraLedger sends sats from the user's BTC wallet to a wallet.
func txSendIntraLedger(t *testing.T, u *fakeUser, toWalletID string, sats int64, memo string) {
	t.Helper()
	resp, err := gen.IntraLedgerPaymentSend(bg(), u.Client.GraphQL(), gen.IntraLedgerPaymentSendInput{WalletId: u.BTCWalletID, RecipientWalletId: toWalletID, Amount: scalar.SatAmount(sats), Memo: txStrPtr(memo)})
	require.NoError(t, err)
	require.Empty(t, resp.IntraLedgerPaymentSend.Errors)
	require.Equal(t, gen.PaymentSendResultSuccess, *resp.IntraLedgerPaymentSend.Status)
}

// txOnChainAddress creates an on-chain receive address for a wallet.
func txOnChainAddress(t *testing.T, u *fakeUser, walletID string) string {
	t.Helper()
	resp, err := gen.OnChainAddressCreate(bg(), u.Client.GraphQL(), gen.OnChainAddressCreateInput{WalletId: walletID})
	require.NoError(t, err)
	require.Empty(t, resp.OnChainAddressCreate.Errors)
	require.NotNil(t, resp.OnChainAddressCreate.Address)
	return *resp.OnChainAddressCreate.Address
}

func txIDs(ts []Transaction) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func txLedgerIDs(ts []blinktest.Transaction) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// txSevenLedger gives alice seven transactions in her BTC wallet: three
// lightning receipts and four intraledger sends to bob.
func txSevenLedger(t *testing.T) (*blinktest.Server, *fakeUser, *fakeUser) {
	t.Helper()
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil, fastRetry)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil, fastRetry)
	for i, sats := range []int64{1_000, 2_000, 3_000} {
		txReceiveLightning(t, srv, alice, sats, "in "+string(rune('a'+i)))
	}
	for i, sats := range []int64{100, 200, 300, 400} {
		txSendIntraLedger(t, alice, bob.BTCWalletID, sats, "out "+string(rune('a'+i)))
	}
	require.Len(t, srv.Ledger(alice.BTCWalletID), 7)
	return srv, alice, bob
}

func TestTransactions_IteratorWalksEveryPageNewestFirstWithoutGapsOrDuplicates(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	one, err := alice.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	require.False(t, one.HasNextPage)
	require.Len(t, one.Transactions, 7)
	before := srv.Requests("Transactions")

	var got []Transaction
	for tx, err := range alice.Client.Transactions(bg(), &TransactionListOptions{PageSize: 2}) {
		require.NoError(t, err)
		got = append(got, tx)
	}

	assert.Equal(t, one.Transactions, got, "pages of 2 add up to the single page of 100")
	assert.Equal(t, txLedgerIDs(srv.Ledger(alice.BTCWalletID)), txIDs(got), "the server's ledger, newest first")
	for i := 1; i < len(got); i++ {
		assert.False(t, got[i].CreatedAt.After(got[i-1].CreatedAt), "newest first")
	}
	assert.Equal(t, 4, srv.Requests("Transactions")-before, "7 transactions in pages of 2 take 4 requests")
	assert.Equal(t, "out d", got[0].Memo, "the last send comes first")
	assert.Equal(t, "in a", got[6].Memo, "the first receipt comes last")
}

func TestTransactions_IteratorCanRangeTwiceFromTheStart(t *testing.T) {
	_, alice, _ := txSevenLedger(t)
	seq := alice.Client.Transactions(bg(), &TransactionListOptions{PageSize: 3})
	var first, second []string
	for tx, err := range seq {
		require.NoError(t, err)
		first = append(first, tx.ID)
	}
	for tx, err := range seq {
		require.NoError(t, err)
		second = append(second, tx.ID)
	}
	assert.Len(t, first, 7)
	assert.Equal(t, first, second)
}

func TestTransactionsPage_EndCursorLeadsToTheNextPage(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	all := txLedgerIDs(srv.Ledger(alice.BTCWalletID))

	p1, err := alice.Client.TransactionsPage(bg(), &TransactionListOptions{PageSize: 3})
	require.NoError(t, err)
	assert.Equal(t, all[:3], txIDs(p1.Transactions))
	assert.True(t, p1.HasNextPage)
	assert.Equal(t, all[2], p1.EndCursor, "the cursor is the id of the page's oldest transaction")

	p2, err := alice.Client.TransactionsPage(bg(), &TransactionListOptions{PageSize: 3, After: p1.EndCursor})
	require.NoError(t, err)
	assert.Equal(t, all[3:6], txIDs(p2.Transactions))
	assert.True(t, p2.HasNextPage)

	p3, err := alice.Client.TransactionsPage(bg(), &TransactionListOptions{PageSize: 3, After: p2.EndCursor})
	require.NoError(t, err)
	assert.Equal(t, all[6:], txIDs(p3.Transactions))
	assert.False(t, p3.HasNextPage)
	assert.Equal(t, all[6], p3.EndCursor)

	// The iterator starts after a given cursor too.
	var rest []string
	for tx, err := range alice.Client.Transactions(bg(), &TransactionListOptions{PageSize: 2, After: p1.EndCursor}) {
		require.NoError(t, err)
		rest = append(rest, tx.ID)
	}
	assert.Equal(t, all[3:], rest)
}

func TestTransactions_BreakingEarlyStopsFetchingPages(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	before := srv.Requests("Transactions")
	n := 0
	for _, err := range alice.Client.Transactions(bg(), &TransactionListOptions{PageSize: 2}) {
		require.NoError(t, err)
		n++
		if n == 3 {
			break
		}
	}
	assert.Equal(t, 3, n)
	assert.Equal(t, 2, srv.Requests("Transactions")-before, "the third page is never asked for")

	// Nothing at all is fetched until the loop starts.
	seq := alice.Client.Transactions(bg(), nil)
	assert.Equal(t, 2, srv.Requests("Transactions")-before)
	for range seq {
		break
	}
	assert.Equal(t, 3, srv.Requests("Transactions")-before)
}

func TestTransactions_IteratorYieldsTheErrorOnceAndStops(t *testing.T) {
	srv, alice, _ := txSevenLedger(t)
	var got []Transaction
	var errs []error
	for tx, err := range alice.Client.Transactions(bg(), &TransactionListOptions{PageSize: 5}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, tx)
		if len(got) == 1 {
			// The first page is in; every attempt at the second fails.
			srv.InjectFault("Transactions", blinktest.Fault{Status: 503}, 100)
		}
	}
	assert.Len(t, got, 5, "the first page is yielded whole")
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrServer)
}

func TestTransactions_WalletFilterKeepsOnlyThoseWallets(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	txSendIntraLedger(t, alice, bob.BTCWalletID, 1_000, "to btc")
	txSendIntraLedger(t, alice, bob.USDWalletID, 50_000, "to usd")
	txSendIntraLedger(t, alice, bob.BTCWalletID, 2_000, "to btc again")

	var usd []Transaction
	for tx, err := range bob.Client.Transactions(bg(), &TransactionListOptions{WalletIDs: []string{bob.USDWalletID}}) {
		require.NoError(t, err)
		usd = append(usd, tx)
	}
	require.Len(t, usd, 1)
	assert.Equal(t, "to usd", usd[0].Memo)
	assert.Equal(t, USD, usd[0].Amount.Currency)
	assert.Equal(t, int64(5_000), usd[0].Amount.Value, "50,000 sats at $100,000 are $50")

	btc, err := bob.Client.TransactionsPage(bg(), &TransactionListOptions{WalletIDs: []string{bob.BTCWalletID}})
	require.NoError(t, err)
	assert.Equal(t, []string{"to btc again", "to btc"}, []string{btc.Transactions[0].Memo, btc.Transactions[1].Memo})
	assert.Len(t, btc.Transactions, 2)

	both, err := bob.Client.TransactionsPage(bg(), &TransactionListOptions{WalletIDs: []string{bob.BTCWalletID, bob.USDWalletID}})
	require.NoError(t, err)
	assert.Len(t, both.Transactions, 3)
	none, err := bob.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	assert.Equal(t, txIDs(both.Transactions), txIDs(none.Transactions), "no filter means every wallet")
}

func TestTransactions_BadOptionsRefusedBeforeSending(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	for name, opts := range map[string]*TransactionListOptions{
		"page size 101":    {PageSize: 101},
		"page size -1":     {PageSize: -1},
		"wallet id not id": {WalletIDs: []string{"not-a-wallet"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := alice.Client.TransactionsPage(bg(), opts)
			require.ErrorIs(t, err, ErrInvalidInput)
			var errs []error
			for _, err := range alice.Client.Transactions(bg(), opts) {
				errs = append(errs, err)
			}
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], ErrInvalidInput)
			assert.Equal(t, 0, srv.Requests("Transactions"))
		})
	}
	_, err := alice.Client.TransactionsPage(bg(), &TransactionListOptions{PageSize: 100})
	require.NoError(t, err, "100 is the largest page")
}

func TestTransactionsByPaymentHash_SendOnPayerReceiveOnPayee(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)
	pr, hash := txCreateInvoice(t, bob, bob.BTCWalletID, 4_321, "coffee")
	txPayInvoice(t, alice, pr)

	sent, err := alice.Client.TransactionsByPaymentHash(bg(), alice.BTCWalletID, hash)
	require.NoError(t, err)
	require.Len(t, sent, 1)
	assert.Equal(t, Send, sent[0].Direction)
	assert.Equal(t, TxSuccess, sent[0].Status)
	assert.Equal(t, Amount{Value: -4_321, Currency: BTC}, sent[0].Amount)
	assert.Equal(t, hash, sent[0].Initiation.PaymentHash)

	got, err := bob.Client.TransactionsByPaymentHash(bg(), bob.BTCWalletID, strings.ToUpper(hash))
	require.NoError(t, err, "an upper-case hash is accepted")
	require.Len(t, got, 1)
	assert.Equal(t, Receive, got[0].Direction)
	assert.Equal(t, Amount{Value: 4_321, Currency: BTC}, got[0].Amount)
	assert.Equal(t, "coffee", got[0].Memo)

	none, err := bob.Client.TransactionsByPaymentHash(bg(), bob.USDWalletID, hash)
	require.NoError(t, err)
	assert.Empty(t, none, "the other wallet has nothing for the hash")
}

func TestTransactionsByPaymentHash_RefundOfAFailedPendingPaymentIsAReceive(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 100_000, 0, nil)
	pr := srv.ExternalInvoice(1_000, blinktest.OutcomePending)
	resp, err := gen.LnInvoicePaymentSend(bg(), alice.Client.GraphQL(), gen.LnInvoicePaymentInput{WalletId: alice.BTCWalletID, PaymentRequest: pr})
	require.NoError(t, err)
	require.Equal(t, gen.PaymentSendResultPending, *resp.LnInvoicePaymentSend.Status)
	hash := srv.Ledger(alice.BTCWalletID)[0].PaymentHash
	require.NoError(t, srv.FailPending(hash))

	ts, err := alice.Client.TransactionsByPaymentHash(bg(), alice.BTCWalletID, hash)
	require.NoError(t, err)
	require.Len(t, ts, 2)
	byDir := map[Direction]Transaction{}
	for _, tx := range ts {
		byDir[tx.Direction] = tx
	}
	assert.Equal(t, TxFailure, byDir[Send].Status)
	assert.Equal(t, Receive, byDir[Receive].Direction)
	assert.Equal(t, -byDir[Send].Amount.Value, byDir[Receive].Amount.Value, "the refund gives back amount and fee")
}

func TestTransactionsByPaymentHash_MalformedArgumentsRefusedBeforeSending(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	good := strings.Repeat("ab", 32)
	for name, c := range map[string]struct{ wallet, hash string }{
		"short hash":     {alice.BTCWalletID, good[:63]},
		"long hash":      {alice.BTCWalletID, good + "0"},
		"non-hex hash":   {alice.BTCWalletID, good[:63] + "g"},
		"empty hash":     {alice.BTCWalletID, ""},
		"bad wallet id":  {"wallet", good},
		"empty wallet":   {"", good},
		"lightning: pre": {alice.BTCWalletID, "lightning:" + good},
	} {
		_, err := alice.Client.TransactionsByPaymentHash(bg(), c.wallet, c.hash)
		assert.ErrorIs(t, err, ErrInvalidInput, name)
	}
	assert.Equal(t, 0, srv.Requests("TransactionsByPaymentHash"))
}

func TestTransaction_ByIDReturnsItAndNotFoundOtherwise(t *testing.T) {
	srv, alice, bob := txSevenLedger(t)
	want := srv.Ledger(alice.BTCWalletID)[2]

	tx, err := alice.Client.Transaction(bg(), alice.BTCWalletID, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want.ID, tx.ID)
	assert.Equal(t, want.Memo, tx.Memo)
	assert.Equal(t, want.Amount, tx.Amount.Value)
	page, err := alice.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	assert.Equal(t, page.Transactions[2], *tx, "the same mapping as in a page")

	_, err = alice.Client.Transaction(bg(), alice.USDWalletID, want.ID)
	assert.ErrorIs(t, err, ErrNotFound, "the id belongs to another wallet")
	_, err = alice.Client.Transaction(bg(), alice.BTCWalletID, strings.Repeat("0", 24))
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = bob.Client.Transaction(bg(), bob.BTCWalletID, want.ID)
	assert.ErrorIs(t, err, ErrNotFound, "bob cannot read alice's transaction")

	before := srv.Requests("TransactionByID")
	_, err = alice.Client.Transaction(bg(), alice.BTCWalletID, " ")
	assert.ErrorIs(t, err, ErrInvalidInput)
	_, err = alice.Client.Transaction(bg(), "nope", want.ID)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.Equal(t, before, srv.Requests("TransactionByID"))
}

func TestPendingIncomingTransactions_OnChainReceiptShowsUntilConfirmed(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 0, 0, nil)
	addr := txOnChainAddress(t, alice, alice.BTCWalletID)
	txHash, err := srv.ReceiveOnChain(addr, 25_000)
	require.NoError(t, err)

	pending, err := alice.Client.PendingIncomingTransactions(bg())
	require.NoError(t, err)
	require.Len(t, pending, 1)
	p := pending[0]
	assert.Equal(t, Receive, p.Direction)
	assert.Equal(t, TxPending, p.Status)
	assert.Equal(t, Amount{Value: 25_000, Currency: BTC}, p.Amount)
	assert.Equal(t, Initiation{Rail: OnChain, Address: addr}, p.Initiation)
	assert.Equal(t, OnChain, p.Settlement.Rail)
	assert.Equal(t, txHash, p.Settlement.TxHash)

	only, err := alice.Client.PendingIncomingTransactions(bg(), alice.BTCWalletID)
	require.NoError(t, err)
	assert.Equal(t, txIDs(pending), txIDs(only))
	other, err := alice.Client.PendingIncomingTransactions(bg(), alice.USDWalletID)
	require.NoError(t, err)
	assert.Empty(t, other)

	page, err := alice.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	assert.Empty(t, page.Transactions, "a pending incoming transaction is not in the ledger")

	require.NoError(t, srv.ConfirmOnChain(txHash))
	pending, err = alice.Client.PendingIncomingTransactions(bg())
	require.NoError(t, err)
	assert.Empty(t, pending)
	page, err = alice.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	require.Len(t, page.Transactions, 1)
	c := page.Transactions[0]
	assert.Equal(t, TxSuccess, c.Status)
	assert.NotEqual(t, p.ID, c.ID, "confirmed under a new id")
	assert.Equal(t, txHash, c.Settlement.TxHash)
	assert.Equal(t, addr, c.Initiation.Address)

	_, err = alice.Client.PendingIncomingTransactions(bg(), "x")
	assert.ErrorIs(t, err, ErrInvalidInput)
}

func TestTransactions_TypedInitiationAndSettlementPerRail(t *testing.T) {
	srv := newFake(t)
	alice := newFakeUser(t, srv, "alice", 1_000_000, 0, nil)
	bob := newFakeUser(t, srv, "bob", 0, 0, nil)

	// Lightning out of Blink: hash and request, settled with a preimage.
	ext := srv.ExternalInvoice(1_500, blinktest.OutcomeSuccess)
	txPayInvoice(t, alice, ext)
	// Lightning between two Blink users: initiated by invoice, settled
	// intraledger.
	pr, bobHash := txCreateInvoice(t, bob, bob.BTCWalletID, 700, "ln between users")
	txPayInvoice(t, alice, pr)
	// Intraledger by wallet id.
	txSendIntraLedger(t, alice, bob.BTCWalletID, 300, "intra")
	// On-chain out of Blink.
	dest := srv.ExternalAddress()
	oc, err := gen.OnChainPaymentSend(bg(), alice.Client.GraphQL(), gen.OnChainPaymentSendInput{WalletId: alice.BTCWalletID, Address: dest, Amount: 50_000, Speed: gen.PayoutSpeedFast})
	require.NoError(t, err)
	require.Empty(t, oc.OnChainPaymentSend.Errors)

	page, err := alice.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	require.Len(t, page.Transactions, 4)
	onchain, intra, lnUsers, lnOut := page.Transactions[0], page.Transactions[1], page.Transactions[2], page.Transactions[3]
	ledger := srv.Ledger(alice.BTCWalletID)

	assert.Equal(t, Initiation{Rail: Lightning, PaymentHash: ledger[3].PaymentHash, PaymentRequest: ext}, lnOut.Initiation)
	assert.Equal(t, Lightning, lnOut.Settlement.Rail)
	assert.Len(t, lnOut.Settlement.Preimage, 64)
	assert.Equal(t, ledger[3].Preimage, lnOut.Settlement.Preimage)
	assert.Equal(t, Amount{Value: -(1_500 + blinktest.ExternalLightningFeeSats), Currency: BTC}, lnOut.Amount)
	assert.Equal(t, Amount{Value: blinktest.ExternalLightningFeeSats, Currency: BTC}, lnOut.Fee)

	assert.Equal(t, Initiation{Rail: Lightning, PaymentHash: bobHash, PaymentRequest: pr}, lnUsers.Initiation)
	assert.Equal(t, IntraLedger, lnUsers.Settlement.Rail, "a lightning invoice of a Blink user settles intraledger")
	assert.Equal(t, "bob", lnUsers.Settlement.CounterpartyUsername)
	assert.Equal(t, bob.BTCWalletID, lnUsers.Settlement.CounterpartyWalletID)

	assert.Equal(t, Initiation{Rail: IntraLedger, CounterpartyUsername: "bob", CounterpartyWalletID: bob.BTCWalletID}, intra.Initiation)
	assert.Equal(t, IntraLedger, intra.Settlement.Rail)
	assert.Equal(t, "bob", intra.Settlement.CounterpartyUsername)
	assert.Equal(t, bob.BTCWalletID, intra.Settlement.CounterpartyWalletID)
	assert.Equal(t, "intra", intra.Memo)

	assert.Equal(t, Initiation{Rail: OnChain, Address: dest}, onchain.Initiation)
	assert.Equal(t, OnChain, onchain.Settlement.Rail)
	assert.Equal(t, ledger[0].TxHash, onchain.Settlement.TxHash)
	assert.Len(t, onchain.Settlement.TxHash, 64)
	assert.Equal(t, TxPending, onchain.Status, "an on-chain send stays pending until confirmed")
	assert.Equal(t, Amount{Value: blinktest.OnChainFeeSats("FAST"), Currency: BTC}, onchain.Fee)

	// The receiving side names alice.
	bobPage, err := bob.Client.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	require.Len(t, bobPage.Transactions, 2)
	assert.Equal(t, Initiation{Rail: IntraLedger, CounterpartyUsername: "alice", CounterpartyWalletID: alice.BTCWalletID}, bobPage.Transactions[0].Initiation)
	assert.Equal(t, Receive, bobPage.Transactions[0].Direction)

	// Every transaction carries its settlement price and display amounts.
	for _, tx := range page.Transactions {
		assert.True(t, tx.Price.Valid(), tx.ID)
		assert.Equal(t, "USD", tx.DisplayCurrency)
		assert.NotEmpty(t, tx.DisplayAmount)
		assert.False(t, tx.CreatedAt.IsZero())
	}
}

func TestTransactions_ReceiveOnlyKeyRefusedWithoutSending(t *testing.T) {
	srv := newFake(t)
	owner := newFakeUser(t, srv, "alice", 10_000, 0, nil)
	recv := newFakeUser(t, srv, "bob", 0, 0, []string{"RECEIVE"})
	hash := strings.Repeat("cd", 32)

	var errs []error
	for _, err := range recv.Client.Transactions(bg(), nil) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	_, pageErr := recv.Client.TransactionsPage(bg(), nil)
	_, hashErr := recv.Client.TransactionsByPaymentHash(bg(), recv.BTCWalletID, hash)
	_, idErr := recv.Client.Transaction(bg(), recv.BTCWalletID, strings.Repeat("0", 24))
	_, pendErr := recv.Client.PendingIncomingTransactions(bg())
	for _, err := range []error{errs[0], pageErr, hashErr, idErr, pendErr} {
		var se *ScopeError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, ScopeRead, se.Needed)
		assert.ErrorIs(t, err, ErrInsufficientScope)
	}
	for _, op := range []string{"Transactions", "TransactionsByPaymentHash", "TransactionByID", "PendingIncomingTransactions"} {
		assert.Equal(t, 0, srv.Requests(op), op+" was never sent")
	}
	_ = owner
}

// txWireNode is a minimal Transaction in the wire format.
func txWireNode(id string) string {
	return `{"id":"` + id + `","createdAt":1700000000,"direction":"RECEIVE","status":"SUCCESS","memo":null,"externalId":null,` +
		`"settlementAmount":1,"settlementFee":0,"settlementCurrency":"BTC","settlementDisplayAmount":"0.00","settlementDisplayFee":"0.00",` +
		`"settlementDisplayCurrency":"USD","settlementPrice":{"base":100000000000,"offset":12},` +
		`"initiationVia":{"__typename":"InitiationViaLn","paymentHash":"` + strings.Repeat("a", 64) + `","paymentRequest":"lnbcrt1"},` +
		`"settlementVia":{"__typename":"SettlementViaLn","preImage":null}}`
}

// txWirePage answers a Transactions query with the given ids.
func txWirePage(hasNext bool, endCursor string, ids ...string) string {
	var edges []string
	for _, id := range ids {
		edges = append(edges, `{"cursor":"`+id+`","node":`+txWireNode(id)+`}`)
	}
	next := "false"
	if hasNext {
		next = "true"
	}
	return `{"data":{"me":{"defaultAccount":{"__typename":"ConsumerAccount","transactions":{"edges":[` + strings.Join(edges, ",") +
		`],"pageInfo":{"hasNextPage":` + next + `,"hasPreviousPage":false,"startCursor":null,"endCursor":"` + endCursor + `"}}}}}}`
}

func TestTransactionsPage_SendsPageSizeCursorAndWalletsOnTheWire(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, txWirePage(false, "t1", "t1"))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	_, err := c.TransactionsPage(bg(), nil)
	require.NoError(t, err)
	wallet := "11111111-1111-4111-8111-111111111111"
	_, err = c.TransactionsPage(bg(), &TransactionListOptions{PageSize: 7, After: "cursor-1", WalletIDs: []string{wallet}})
	require.NoError(t, err)

	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "Transactions", reqs[0].OpName)
	assert.Equal(t, float64(100), reqs[0].Variables["first"], "page size 0 asks for the maximum")
	assert.Nil(t, reqs[0].Variables["after"])
	assert.Nil(t, reqs[0].Variables["walletIds"], "no filter: every wallet")
	assert.Empty(t, reqs[0].Header.Get("X-Idempotency-Key"), "a query carries no idempotency key")
	assert.Equal(t, float64(7), reqs[1].Variables["first"])
	assert.Equal(t, "cursor-1", reqs[1].Variables["after"])
	assert.Equal(t, []any{wallet}, reqs[1].Variables["walletIds"])
}

func TestTransactions_NextPageWithoutNewCursorEndsWithAnError(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, txWirePage(true, "same", "same"))
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeRead))
	var got []string
	var errs []error
	for tx, err := range c.Transactions(bg(), nil) {
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
