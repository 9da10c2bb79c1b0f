package testserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// pendingOtherBranches would list fields still answered by a stub; none
// is since every branch of issue 11 was merged.
var pendingOtherBranches = map[string]bool{}

var notImplementedRe = regexp.MustCompile(`([A-Za-z]+\.[A-Za-z]+) has no resolver in blinktest`)

// stubsIn returns the fields an answer reports as stubs and not pending.
func stubsIn(raw string) []string {
	var out []string
	for _, m := range notImplementedRe.FindAllStringSubmatch(raw, -1) {
		if !pendingOtherBranches[m[1]] {
			out = append(out, m[1])
		}
	}
	return out
}

func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	b, err := os.ReadFile("../../graphql/schema.graphql")
	require.NoError(t, err)
	s, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(b)})
	require.Nil(t, gerr)
	return s
}

// walkWorld is a fixture with the values minimal arguments need: alice
// calls, bob receives.
type walkWorld struct {
	fixture
	schema   *ast.Schema
	pr, hash string // an unpaid invoice of bob
	address  string
}

func newWalkWorld(t *testing.T) walkWorld {
	f := newFixture(t)
	pr, hash := createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 10)
	return walkWorld{fixture: f, schema: loadSchema(t), pr: pr, hash: hash, address: f.srv.ExternalAddress()}
}

// scalar is a valid value of a scalar, by argument or input field name
// first, then by scalar.
func (w walkWorld) scalar(field, scalar string) any {
	switch field {
	case "recipientWalletId":
		return w.bob.BTCWalletID
	case "paymentRequest":
		return w.pr
	case "lnurl":
		return "lnurl1dp68gurn8ghj7um9wfmxjcm99e3k7mf0v9cxj0m385ekvcenxc6r2c35xvukxefcv5mkvv34x5ekzd3ev56nyd3hxqurzepexejxxepnxscrvwfnv9nxzcn9xq6xyefhvgcxxcmyxymnserxfq5fns"
	case "lnAddress":
		return "bob@blink.sv"
	}
	switch scalar {
	case "WalletId":
		return w.alice.BTCWalletID
	case "PaymentHash", "Hex32Bytes":
		return w.hash
	case "LnPaymentRequest":
		return w.pr
	case "OnChainAddress":
		return w.address
	case "Username":
		return "bob"
	case "SatAmount", "CentAmount", "Int", "SafeInt", "Minutes", "Seconds", "Timestamp", "SignedAmount":
		return 1
	case "Float":
		return 1.5
	case "Boolean":
		return false
	case "Phone":
		return "+15555550123"
	case "EmailAddress":
		return "a@example.com"
	case "OneTimeAuthCode", "TotpCode":
		return "123456"
	case "DisplayCurrency":
		return "USD"
	case "Language":
		return "en"
	case "EndpointUrl":
		return "https://example.com/hook"
	case "EndpointId":
		return "ep_unknown"
	case "TxExternalId":
		return "walk-1"
	case "NotificationCategory":
		return "Payments"
	case "CountryCode":
		return "US"
	}
	return "x"
}

// value is a minimal valid value of type t as JSON.
func (w walkWorld) value(field string, t *ast.Type) any {
	if t.Elem != nil {
		return []any{w.value(field, t.Elem)}
	}
	def := w.schema.Types[t.NamedType]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name
	case ast.InputObject:
		m := map[string]any{}
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				m[f.Name] = w.value(f.Name, f.Type)
			}
		}
		return m
	}
	return w.scalar(field, def.Name)
}

// args writes the required arguments of fd as literals.
func (w walkWorld) args(fd *ast.FieldDefinition) string {
	var parts []string
	for _, a := range fd.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			b, _ := json.Marshal(w.value(a.Name, a.Type))
			parts = append(parts, a.Name+": "+jsonToLiteral(w.schema, a.Type, b))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// jsonToLiteral writes a JSON value as a GraphQL literal of type t (enums
// unquoted, object keys bare).
func jsonToLiteral(s *ast.Schema, t *ast.Type, b []byte) string {
	var v any
	_ = json.Unmarshal(b, &v)
	var lit func(t *ast.Type, v any) string
	lit = func(t *ast.Type, v any) string {
		if t.Elem != nil {
			var out []string
			for _, x := range v.([]any) {
				out = append(out, lit(t.Elem, x))
			}
			return "[" + strings.Join(out, ", ") + "]"
		}
		def := s.Types[t.NamedType]
		switch def.Kind {
		case ast.Enum:
			return v.(string)
		case ast.InputObject:
			m := v.(map[string]any)
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var out []string
			for _, k := range keys {
				out = append(out, k+": "+lit(def.Fields.ForName(k).Type, m[k]))
			}
			return "{" + strings.Join(out, ", ") + "}"
		}
		j, _ := json.Marshal(v)
		return string(j)
	}
	return lit(t, v)
}

// selection selects on def every field, the composite ones with
// __typename only (depth 1), each concrete type of an abstract one.
func (w walkWorld) selection(def *ast.Definition, depth int) string {
	if depth == 0 || def.Kind == ast.Union || def.Kind == ast.Interface {
		var parts []string
		parts = append(parts, "__typename")
		if def.Kind == ast.Union || def.Kind == ast.Interface {
			if depth == 0 {
				return "{ __typename }"
			}
			for _, p := range w.schema.GetPossibleTypes(def) {
				parts = append(parts, "... on "+p.Name+" "+w.selection(p, depth))
			}
		}
		return "{ " + strings.Join(parts, " ") + " }"
	}
	parts := []string{"__typename"}
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		part := f.Name + w.args(f)
		if t := w.schema.Types[f.Type.Name()]; t.Kind == ast.Object || t.Kind == ast.Interface || t.Kind == ast.Union {
			part += " " + w.selection(t, depth-1)
		}
		parts = append(parts, part)
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// walkDocs are the documents of the walk of one root type: per root field,
// one document with its selection at depth 1; for queries, also one per
// object type reachable under it, through the first path found, so that
// every field of every reachable type is resolved once.
func (w walkWorld) walkDocs(root *ast.Definition, op string) map[string]string {
	composite := func(t *ast.Definition) bool {
		return t.Kind == ast.Object || t.Kind == ast.Interface || t.Kind == ast.Union
	}
	// nest wraps inner in the path's segments: fields and fragments.
	nest := func(path []string, inner string) string {
		for i := len(path) - 1; i >= 0; i-- {
			inner = "{ " + path[i] + " " + inner + " }"
		}
		return op + " " + inner
	}
	docs := map[string]string{}
	seen := map[string]bool{}
	type step struct {
		path []string
		def  *ast.Definition
	}
	var queue []step
	for _, f := range root.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		seg := f.Name + w.args(f)
		t := w.schema.Types[f.Type.Name()]
		if !composite(t) {
			docs[root.Name+"."+f.Name] = op + " { " + seg + " }"
			continue
		}
		docs[root.Name+"."+f.Name] = nest([]string{seg}, w.selection(t, 1))
		if op == "query" {
			queue = append(queue, step{path: []string{seg}, def: t})
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		defs := []*ast.Definition{st.def}
		if st.def.Kind != ast.Object {
			defs = w.schema.GetPossibleTypes(st.def)
		}
		for _, d := range defs {
			path := st.path
			if d != st.def {
				path = append(append([]string{}, path...), "... on "+d.Name)
			}
			for _, f := range d.Fields {
				t := w.schema.Types[f.Type.Name()]
				if strings.HasPrefix(f.Name, "__") || !composite(t) || seen[t.Name] {
					continue
				}
				seen[t.Name] = true
				p := append(append([]string{}, path...), f.Name+w.args(f))
				docs[d.Name+"."+f.Name] = nest(p, w.selection(t, 1))
				queue = append(queue, step{path: p, def: t})
			}
		}
	}
	return docs
}

// checkAnswer asserts an answer has no stub but pending ones, no validation
// failure and no null list the schema does not explain.
func (w walkWorld) checkAnswer(t *testing.T, name, doc string, r response) {
	t.Helper()
	assert.Empty(t, stubsIn(r.Raw), "%s: %s", name, doc)
	assert.NotEqual(t, 400, r.Status, "%s does not validate: %s\n%s", name, doc, r.Raw)
	assert.NotContains(t, r.Raw, "Query too complex", name)
	if r.Body != nil {
		assert.Empty(t, nullLists(w.schema, doc, r.Body), "%s: null lists in %s", name, r.Raw)
	}
}

func TestSchemaWalk_EveryRootFieldAnswersWithoutStubs(t *testing.T) {
	w := newWalkWorld(t)
	for _, who := range []struct{ name, key string }{{"all scopes", w.aliceK}, {"no key", ""}} {
		t.Run(who.name, func(t *testing.T) {
			for _, root := range []struct {
				def *ast.Definition
				op  string
			}{{w.schema.Query, "query"}, {w.schema.Mutation, "mutation"}} {
				docs := w.walkDocs(root.def, root.op)
				names := make([]string, 0, len(docs))
				for n := range docs {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					r := call(t, w.srv, who.key, docs[n], nil)
					w.checkAnswer(t, n, docs[n], r)
				}
			}
			w.walkSubscriptions(t, who.key)
		})
	}
}

// walkSubscriptions subscribes to every subscription root field over the
// fake's websocket and reads its first answer.
func (w walkWorld) walkSubscriptions(t *testing.T, key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, f := range w.schema.Subscription.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		doc := "subscription { " + f.Name + w.args(f) + " " + w.selection(w.schema.Types[f.Type.Name()], 1) + " }"
		raw := w.firstWSAnswer(ctx, t, key, fmt.Sprint(i), doc)
		assert.Empty(t, stubsIn(raw), "Subscription.%s: %s", f.Name, doc)
		assert.NotContains(t, raw, `"type":"error"`, "Subscription.%s: %s", f.Name, raw)
	}
}

// firstWSAnswer subscribes on a fresh connection and returns the first
// next, error or complete message, raw.
func (w walkWorld) firstWSAnswer(ctx context.Context, t *testing.T, key, id, doc string) string {
	t.Helper()
	return w.firstWSAnswerPayload(ctx, t, key, id, map[string]any{"query": doc, "variables": map[string]any{}})
}

// firstWSAnswerPayload is firstWSAnswer for a subscribe payload.
func (w walkWorld) firstWSAnswerPayload(ctx context.Context, t *testing.T, key, id string, payload map[string]any) string {
	t.Helper()
	c, _, err := websocket.Dial(ctx, w.srv.WebSocketURL(), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	defer c.CloseNow()
	init := map[string]any{"type": "connection_init"}
	if key != "" {
		init["payload"] = map[string]any{"X-API-KEY": key}
	}
	for _, m := range []any{init, map[string]any{"id": id, "type": "subscribe", "payload": payload}} {
		b, _ := json.Marshal(m)
		require.NoError(t, c.Write(ctx, websocket.MessageText, b))
	}
	for {
		_, b, err := c.Read(ctx)
		require.NoError(t, err, payload["query"])
		var m struct{ Type string }
		_ = json.Unmarshal(b, &m)
		switch m.Type {
		case "next", "error", "complete":
			return string(b)
		}
	}
}

// nullLists walks a response along its document and lists the paths of
// list-typed fields that are null without an error at that path.
func nullLists(s *ast.Schema, doc string, body map[string]any) []string {
	qd, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil || len(qd.Operations) != 1 {
		return nil
	}
	explained := map[string]bool{}
	if errs, ok := body["errors"].([]any); ok {
		for _, e := range errs {
			if p, ok := get(e, "path").([]any); ok {
				explained[fmt.Sprint(p...)] = true
			}
		}
	}
	op := qd.Operations[0]
	root := s.Query
	switch op.Operation {
	case ast.Mutation:
		root = s.Mutation
	case ast.Subscription:
		root = s.Subscription
	}
	var out []string
	var walk func(set ast.SelectionSet, def *ast.Definition, v any, path []any)
	walk = func(set ast.SelectionSet, def *ast.Definition, v any, path []any) {
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		for _, sel := range set {
			switch x := sel.(type) {
			case *ast.InlineFragment:
				if tn, _ := obj["__typename"].(string); x.TypeCondition == "" || x.TypeCondition == tn {
					d := def
					if x.TypeCondition != "" {
						d = s.Types[x.TypeCondition]
					}
					walk(x.SelectionSet, d, obj, path)
				}
			case *ast.Field:
				fd := def.Fields.ForName(x.Name)
				if fd == nil {
					continue
				}
				key := x.Alias
				if key == "" {
					key = x.Name
				}
				p := append(append([]any{}, path...), key)
				val, present := obj[key]
				if !present {
					continue
				}
				if fd.Type.Elem != nil {
					if val == nil && !explained[fmt.Sprint(p...)] && !nullListAllowed[def.Name+"."+x.Name] {
						out = append(out, fmt.Sprint(p...))
					}
					if items, ok := val.([]any); ok {
						for i, it := range items {
							walk(x.SelectionSet, s.Types[fd.Type.Name()], it, append(append([]any{}, p...), i))
						}
					}
					continue
				}
				walk(x.SelectionSet, s.Types[fd.Type.Name()], val, p)
			}
		}
	}
	walk(op.SelectionSet, root, body["data"], nil)
	return out
}

// nullListAllowed are nullable lists the real server answers null: an
// application error's path, and a support chat answer that failed.
var nullListAllowed = map[string]bool{
	"Error.path": true, "GraphQLApplicationError.path": true, "SupportChatMessageAddPayload.supportMessage": true,
}
