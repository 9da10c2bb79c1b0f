package testserver_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

const mOnBehalf = `mutation($input: LnInvoiceCreateOnBehalfOfRecipientInput!) {
  lnInvoiceCreateOnBehalfOfRecipient(input: $input) { invoice { paymentRequest paymentHash } errors { code message } } }`

func TestDescriptionHash_GoesInTheHTagAndTheMemoStaysOutOfTheInvoice(t *testing.T) {
	f := newFixture(t)
	h := strings.Repeat("ab", 32)
	for _, memo := range []any{nil, "coffee"} {
		r := call(t, f.srv, "", mOnBehalf, map[string]any{"input": map[string]any{
			"recipientWalletId": f.bob.BTCWalletID, "amount": 100, "descriptionHash": h, "memo": memo,
		}})
		require.Empty(t, r.get("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors"), r.Raw)
		inv := decodeInvoice(t, r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "invoice", "paymentRequest"))
		assert.Equal(t, h, inv.DescriptionHash, "memo %v", memo)
		assert.Empty(t, inv.Description, "no d field with a description hash (memo %v)", memo)
	}

	plain := call(t, f.srv, "", mOnBehalf, map[string]any{"input": map[string]any{"recipientWalletId": f.bob.BTCWalletID, "amount": 100, "memo": "tea"}})
	inv := decodeInvoice(t, plain.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "invoice", "paymentRequest"))
	assert.Equal(t, "tea", inv.Description)
	assert.Empty(t, inv.DescriptionHash)
}

func TestDescriptionHash_IsValidatedAsHex32Bytes(t *testing.T) {
	f := newFixture(t)
	for h, msg := range map[string]string{
		strings.Repeat("AB", 32): "Hex32Bytes is not valid hex",
		"zz":                     "Hex32Bytes is not valid hex",
		strings.Repeat("ab", 31): "Hex32Bytes is not 32 bytes",
	} {
		r := call(t, f.srv, "", mOnBehalf, map[string]any{"input": map[string]any{"recipientWalletId": f.bob.BTCWalletID, "amount": 100, "descriptionHash": h}})
		assert.Equal(t, msg, r.str("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors", 0, "message"), h)
		assert.Nil(t, r.get("data", "lnInvoiceCreateOnBehalfOfRecipient", "errors", 0, "code"), "a scalar error has no code")
	}
}

func TestOnChainAddress_USDWalletGetsOneAndIsCreditedInCents(t *testing.T) {
	f := newFixture(t, blinktest.WithPrice(10_000_000)) // 0.1 cent a sat
	r := call(t, f.srv, f.aliceK, `mutation($input: OnChainAddressCreateInput!) { onChainAddressCreate(input: $input) { address errors { code message } } }`,
		map[string]any{"input": map[string]any{"walletId": f.alice.USDWalletID}})
	require.Empty(t, r.get("data", "onChainAddressCreate", "errors"), r.Raw)
	addr := r.str("data", "onChainAddressCreate", "address")
	require.NotEmpty(t, addr)

	before := f.srv.Balance(f.alice.USDWalletID)
	tx, err := f.srv.ReceiveOnChain(addr, 50_000)
	require.NoError(t, err)
	require.NoError(t, f.srv.ConfirmOnChain(tx))
	assert.Equal(t, before+5_000, f.srv.Balance(f.alice.USDWalletID), "50,000 sats at 0.1 cent each")
}

// TestEmptyLists_AreEmptyArrays reads every list of a new account: [] each,
// never null.
func TestEmptyLists_AreEmptyArrays(t *testing.T) {
	srv := blinktest.New(t)
	a := srv.CreateAccount(blinktest.AccountOptions{Username: "carol"})
	key := srv.CreateAPIKey(a.ID, blinktest.KeyOptions{})
	q := `query($w: WalletId!) { me { contacts { id } supportChat { id }
  statefulNotifications(first: 5) { edges { cursor } nodes { id } }
  defaultAccount { callbackEndpoints { id } ... on ConsumerAccount { quiz { id } } pendingIncomingTransactions { id }
    transactions { edges { cursor } } invoices { edges { cursor } }
    notificationSettings { push { disabledCategories } }
    walletById(walletId: $w) { pendingIncomingTransactions { id } transactionsByPaymentHash(paymentHash: "` + strings.Repeat("0", 64) + `") { id }
      transactions { edges { cursor } } invoices { edges { cursor } } } } }
  businessMapMarkers { username } }`
	r := call(t, srv, key, q, map[string]any{"w": a.BTCWalletID})
	require.Nil(t, r.get("errors"), r.Raw)
	for _, p := range [][]any{
		{"me", "contacts"}, {"me", "supportChat"}, {"me", "statefulNotifications", "edges"}, {"me", "statefulNotifications", "nodes"},
		{"me", "defaultAccount", "callbackEndpoints"}, {"me", "defaultAccount", "quiz"}, {"me", "defaultAccount", "pendingIncomingTransactions"},
		{"me", "defaultAccount", "transactions", "edges"}, {"me", "defaultAccount", "invoices", "edges"},
		{"me", "defaultAccount", "notificationSettings", "push", "disabledCategories"},
		{"me", "defaultAccount", "walletById", "pendingIncomingTransactions"}, {"me", "defaultAccount", "walletById", "transactionsByPaymentHash"},
		{"me", "defaultAccount", "walletById", "transactions", "edges"}, {"me", "defaultAccount", "walletById", "invoices", "edges"},
		{"businessMapMarkers"},
	} {
		assert.Equal(t, []any{}, r.get(append([]any{"data"}, p...)...), "%v", p)
	}
	assert.Empty(t, nullLists(loadSchema(t), q, r.Body))
}
