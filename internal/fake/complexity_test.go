package fake

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func complexityOfQuery(t *testing.T, q string, vars map[string]any) int {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	require.NoError(t, err)
	return complexityOf(doc, doc.Operations[0], vars)
}

func TestComplexity_QueriesCountOnePerFieldAndTypenameCountsOne(t *testing.T) {
	assert.Equal(t, 2, complexityOfQuery(t, `{ globals { network } }`, nil))
	assert.Equal(t, 3, complexityOfQuery(t, `{ __typename globals { network } }`, nil))
	assert.Equal(t, 5, complexityOfQuery(t, `{ me { __typename id defaultAccount { id } } }`, nil), "me, __typename, id, defaultAccount, id")
}

func TestComplexity_AUnionCostsItsMostExpensiveBranch(t *testing.T) {
	// settlementVia is a union: the SettlementViaOnChain branch (3 fields)
	// costs more than the SettlementViaLn one (1) and __typename applies to
	// every branch.
	q := `{ me { defaultAccount { transactions { edges { node { settlementVia {
  __typename
  ... on SettlementViaLn { preImage }
  ... on SettlementViaOnChain { transactionHash vout arrivalInMempoolEstimatedAt }
} } } } } } }`
	// me, defaultAccount, transactions, edges, node, settlementVia = 6, and
	// the branch: 1 + 3.
	assert.Equal(t, 6+4, complexityOfQuery(t, q, nil))
}

func TestComplexity_InterfaceFieldsApplyToEveryImplementation(t *testing.T) {
	// wallets is [Wallet]: id applies to both wallet types, balance on
	// BTCWallet only, walletCurrency and balance on UsdWallet.
	q := `{ me { defaultAccount { wallets { id ... on BTCWallet { balance } ... on UsdWallet { balance walletCurrency } } } } }`
	assert.Equal(t, 3+3, complexityOfQuery(t, q, nil))
}

func TestComplexity_SkipAndIncludeLeaveSelectionsOut(t *testing.T) {
	q := `query($x: Boolean!, $y: Boolean = true) { globals { network @include(if: $x) nodesIds @skip(if: $y) lightningAddressDomain @skip(if: false) } }`
	assert.Equal(t, 2, complexityOfQuery(t, q, map[string]any{"x": false}))
	assert.Equal(t, 3, complexityOfQuery(t, q, map[string]any{"x": true}))
	assert.Equal(t, 4, complexityOfQuery(t, q, map[string]any{"x": true, "y": false}))
}

func TestComplexity_OtherSubgraphsFieldsCostNothing(t *testing.T) {
	assert.Equal(t, 0, complexityOfQuery(t, `mutation { apiKeyRevoke(input: {id: "x"}) { apiKey { id } } }`, nil))
	assert.Equal(t, 2, complexityOfQuery(t, `{ me { id apiKeys { id name } } }`, nil))
}
