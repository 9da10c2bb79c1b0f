package fake

import (
	"sync"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/blink-sdk/blink-go/internal/fake/graph"
)

// The real API limits the complexity of every operation it is sent over
// HTTP, queries included, with graphql-query-complexity
// (core/api/src/servers/graphql-server.ts:50-55): the estimators are the
// fields' own complexity (every public mutation declares 120, e.g.
// core/api/src/graphql/public/root/mutation/ln-invoice-create.ts) and then
// 1 per field; an operation of 200 or more is refused
// (graphql-server.ts:217). The check runs in Apollo's didResolveOperation,
// after validation and once the operation is known, on that operation and
// the fragments it spreads (graphql-server.ts:209-211). Websocket
// subscriptions do not pass it.
//
// The library (slicknode/graphql-query-complexity, src/QueryComplexity.ts)
// gives a field its estimate plus the complexity of its selection; the
// complexity of a selection is the largest, over the concrete types the
// selection may resolve to, of the sum of what applies to that type: a
// field of an interface applies to all its implementations, a fragment on
// a type only to it, so a union costs its most expensive branch. The meta
// fields (__typename, __schema, __type) are fields like any other: 1 each.
// @skip and @include with a boolean value leave a selection out. Fields the
// document names but the schema lacks cost nothing (validation refuses
// them anyway).
//
// In production the router sends the API only the fields the API serves:
// the API-key and notification fields belong to other subgraphs
// (dev/config/apollo-federation/supergraph.graphql:1465-1469,2430-2434), so
// they cost nothing here.

// apiSchema is the schema the complexity is computed against.
var apiSchema = sync.OnceValue(func() *ast.Schema {
	return graph.NewExecutableSchema(graph.Config{}).Schema()
})

// mutationComplexity is the complexity every public mutation declares.
const mutationComplexity = 120

// otherSubgraphs are the fields the router sends to another subgraph.
var otherSubgraphs = map[string]bool{
	"Mutation.apiKeyCreate": true, "Mutation.apiKeyRevoke": true, "Mutation.apiKeySetLimit": true,
	"Mutation.apiKeyRemoveLimit": true, "Mutation.statefulNotificationAcknowledge": true,
	"User.apiKeys": true, "User.statefulNotifications": true, "User.statefulNotificationsWithoutBulletinEnabled": true,
	"User.unacknowledgedStatefulNotificationsWithoutBulletinEnabledCount": true,
	"User.unacknowledgedStatefulNotificationsWithBulletinEnabled":         true,
}

// complexityOf is the complexity the real API computes for operation op of
// doc, with the request's variables.
func complexityOf(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int {
	c := complexityCalc{schema: apiSchema(), doc: doc, vars: vars, op: op}
	root := c.schema.Query
	switch op.Operation {
	case ast.Mutation:
		root = c.schema.Mutation
	case ast.Subscription:
		root = c.schema.Subscription
	}
	if root == nil {
		return 0
	}
	return c.selection(op.SelectionSet, root)
}

type complexityCalc struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	vars   map[string]any
	op     *ast.OperationDefinition
}

// concrete names the object types a value of def may be.
func (c *complexityCalc) concrete(def *ast.Definition) []string {
	if def.Kind != ast.Interface && def.Kind != ast.Union {
		return []string{def.Name}
	}
	var out []string
	for _, t := range c.schema.GetPossibleTypes(def) {
		out = append(out, t.Name)
	}
	return out
}

func composite(def *ast.Definition) bool {
	return def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union)
}

// selection is the complexity of set on a value of type def.
func (c *complexityCalc) selection(set ast.SelectionSet, def *ast.Definition) int {
	byType := map[string]int{}
	add := func(n int, types []string) {
		for _, t := range types {
			byType[t] += n
		}
	}
	here := c.concrete(def)
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			if !c.included(x.Directives) {
				continue
			}
			if x.Name == "__typename" {
				add(1, here)
				continue
			}
			fd := def.Fields.ForName(x.Name)
			if fd == nil || otherSubgraphs[def.Name+"."+x.Name] {
				continue
			}
			child := 0
			if t := c.schema.Types[fd.Type.Name()]; composite(t) {
				child = c.selection(x.SelectionSet, t)
			}
			cost := 1
			if def == c.schema.Mutation {
				cost = mutationComplexity
			}
			add(cost+child, here)
		case *ast.FragmentSpread:
			if !c.included(x.Directives) {
				continue
			}
			fd := c.doc.Fragments.ForName(x.Name)
			if fd == nil {
				continue
			}
			if t := c.schema.Types[fd.TypeCondition]; composite(t) {
				add(c.selection(fd.SelectionSet, t), c.concrete(t))
			}
		case *ast.InlineFragment:
			if !c.included(x.Directives) {
				continue
			}
			t := def
			if x.TypeCondition != "" {
				t = c.schema.Types[x.TypeCondition]
			}
			if composite(t) {
				add(c.selection(x.SelectionSet, t), c.concrete(t))
			}
		}
	}
	best := 0
	for _, n := range byType {
		best = max(best, n)
	}
	return best
}

// included applies @include and @skip whose if is a boolean (a literal, a
// variable sent, or a variable's default).
func (c *complexityCalc) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "include" && d.Name != "skip" {
			continue
		}
		arg := d.Arguments.ForName("if")
		if arg == nil || arg.Value == nil {
			continue
		}
		v, ok := c.boolValue(arg.Value)
		if !ok {
			continue
		}
		if (d.Name == "include" && !v) || (d.Name == "skip" && v) {
			return false
		}
	}
	return true
}

func (c *complexityCalc) boolValue(v *ast.Value) (bool, bool) {
	switch v.Kind {
	case ast.BooleanValue:
		return v.Raw == "true", true
	case ast.Variable:
		if b, ok := c.vars[v.Raw].(bool); ok {
			return b, true
		}
		if _, sent := c.vars[v.Raw]; sent {
			return false, false
		}
		if vd := c.op.VariableDefinitions.ForName(v.Raw); vd != nil && vd.DefaultValue != nil && vd.DefaultValue.Kind == ast.BooleanValue {
			return vd.DefaultValue.Raw == "true", true
		}
	}
	return false, false
}
