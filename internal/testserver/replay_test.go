package testserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// sdkOperations are the SDK's own documents (graphql/operations), each with
// the fragments it uses, as genqlient sends them.
func sdkOperations(t *testing.T) map[string]*ast.QueryDocument {
	t.Helper()
	files, err := filepath.Glob("../../graphql/operations/*.graphql")
	require.NoError(t, err)
	all := &ast.QueryDocument{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		d, err := parser.ParseQuery(&ast.Source{Name: f, Input: string(b)})
		require.NoError(t, err, f)
		all.Operations = append(all.Operations, d.Operations...)
		all.Fragments = append(all.Fragments, d.Fragments...)
	}
	out := map[string]*ast.QueryDocument{}
	for _, op := range all.Operations {
		d := &ast.QueryDocument{Operations: ast.OperationList{op}}
		used := map[string]bool{}
		var visit func(set ast.SelectionSet)
		visit = func(set ast.SelectionSet) {
			for _, sel := range set {
				switch x := sel.(type) {
				case *ast.Field:
					visit(x.SelectionSet)
				case *ast.InlineFragment:
					visit(x.SelectionSet)
				case *ast.FragmentSpread:
					if fd := all.Fragments.ForName(x.Name); fd != nil && !used[x.Name] {
						used[x.Name] = true
						d.Fragments = append(d.Fragments, fd)
						visit(fd.SelectionSet)
					}
				}
			}
		}
		visit(op.SelectionSet)
		out[op.Name] = d
	}
	require.NotEmpty(t, out)
	return out
}

func formatDoc(d *ast.QueryDocument) string {
	var b strings.Builder
	formatter.NewFormatter(&b).FormatQueryDocument(d)
	return b.String()
}

// TestReplay_SDKOperationsRunOnTheFake sends every operation of the SDK,
// with minimal valid variables: every one validates, fits the complexity
// limit, and reaches no stub; subscriptions over the websocket.
func TestReplay_SDKOperationsRunOnTheFake(t *testing.T) {
	w := newWalkWorld(t)
	ops := sdkOperations(t)
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	sort.Strings(names)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, n := range names {
		d := ops[n]
		op := d.Operations[0]
		vars := map[string]any{}
		for _, v := range op.VariableDefinitions {
			if v.Type.NonNull && v.DefaultValue == nil {
				vars[v.Variable] = w.value(v.Variable, v.Type)
			}
		}
		doc := formatDoc(d)
		if op.Operation == ast.Subscription {
			raw := w.firstWSAnswerVars(ctx, t, w.aliceK, n, doc, vars)
			assert.Empty(t, stubsIn(raw), n)
			assert.NotContains(t, raw, `"type":"error"`, "%s: %s", n, raw)
			continue
		}
		r := call(t, w.srv, w.aliceK, doc, vars)
		assert.Equal(t, 200, r.Status, "%s: %s", n, r.Raw)
		w.checkAnswer(t, n, doc, r)
	}
}

// firstWSAnswerVars is firstWSAnswer with variables.
func (w walkWorld) firstWSAnswerVars(ctx context.Context, t *testing.T, key, id, doc string, vars map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(vars)
	// The walk's helper sends {}; substitute the variables in its message.
	return w.firstWSAnswerPayload(ctx, t, key, id, map[string]any{"query": doc, "variables": json.RawMessage(b)})
}

// TestReplay_OtherClientsDocumentsRunOnTheFake sends documents the way
// other clients write them: no operationName (or a null one), explicit
// nulls in variables and in literals, variables: {} or absent.
func TestReplay_OtherClientsDocumentsRunOnTheFake(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name string
		body string
		data string // a path into data that must be present
	}{
		{"anonymous query, variables {}", `{"query":"{ me { id defaultAccount { wallets { id walletCurrency balance } } } }","variables":{}}`, "me"},
		{"null operationName and variables", `{"query":"query { globals { network } }","operationName":null,"variables":null}`, "globals"},
		{"explicit nulls in variables", `{"query":"mutation Create($input: LnInvoiceCreateInput!) { lnInvoiceCreate(input: $input) { invoice { paymentRequest } errors { message } } }","variables":{"input":{"walletId":"` + f.alice.BTCWalletID + `","amount":100,"memo":null,"expiresIn":null,"externalId":null}}}`, "lnInvoiceCreate"},
		{"null literals in arguments", `{"query":"{ me { defaultAccount { transactions(first: 5, after: null, walletIds: null) { edges { node { id } } pageInfo { hasNextPage } } } } }"}`, "me"},
		{"inline input, no variables", `{"query":"mutation { lnNoAmountInvoiceCreate(input: {walletId: \"` + f.alice.BTCWalletID + `\", memo: null}) { invoice { paymentRequest } errors { message } } }","variables":{}}`, "lnNoAmountInvoiceCreate"},
		{"wallet fragments, MCP style", `{"query":"query GetBalance { me { defaultAccount { walletById(walletId: \"` + f.alice.USDWalletID + `\") { ... on BTCWallet { balance } ... on UsdWallet { balance walletCurrency } } } } }","variables":{}}`, "me"},
		{"__typename everywhere, Apollo style", `{"query":"query { me { __typename id defaultAccount { __typename ... on ConsumerAccount { wallets { __typename id } } } } }","variables":{}}`, "me"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, f.srv.URL(), bytes.NewReader([]byte(c.body)))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-API-KEY", f.aliceK)
			res, err := freshClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			require.Equal(t, 200, res.StatusCode, string(raw))
			var body map[string]any
			require.NoError(t, json.Unmarshal(raw, &body))
			assert.Nil(t, body["errors"], string(raw))
			assert.NotNil(t, get(body, "data", c.data), string(raw))
		})
	}
}
