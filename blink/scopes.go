package blink

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/blink-sdk/blink-go/internal/gen"
	"github.com/blink-sdk/blink-go/internal/scopes"
)

// Scope is a permission of an API key.
type Scope string

// The scopes a Blink API key can carry. WRITE also grants RECEIVE; neither
// grants READ.
const (
	// ScopeRead allows every authenticated query.
	ScopeRead Scope = "READ"
	// ScopeReceive allows creating and cancelling invoices and on-chain
	// receive addresses.
	ScopeReceive Scope = "RECEIVE"
	// ScopeWrite allows every send, fee probe and account mutation, and
	// everything RECEIVE allows.
	ScopeWrite Scope = "WRITE"
	// ScopeAuthenticated is not a scope a key carries: a ScopeError names it
	// as Needed for an operation that any valid key may run.
	ScopeAuthenticated Scope = "AUTHENTICATED"
)

// String returns the scope's name.
func (s Scope) String() string { return string(s) }

// scopeSet is a set of scopes as bits.
type scopeSet uint8

const (
	bitRead scopeSet = 1 << iota
	bitReceive
	bitWrite
)

func toSet(ss []Scope) scopeSet {
	var s scopeSet
	for _, x := range ss {
		switch x {
		case ScopeRead:
			s |= bitRead
		case ScopeReceive:
			s |= bitReceive
		case ScopeWrite:
			s |= bitWrite
		}
	}
	return s
}

func (s scopeSet) list() []Scope {
	var out []Scope
	if s&bitRead != 0 {
		out = append(out, ScopeRead)
	}
	if s&bitReceive != 0 {
		out = append(out, ScopeReceive)
	}
	if s&bitWrite != 0 {
		out = append(out, ScopeWrite)
	}
	return out
}

// needScope names the scope a need asks for.
func needScope(n scopes.Need) Scope {
	switch n {
	case scopes.Read:
		return ScopeRead
	case scopes.Receive:
		return ScopeReceive
	case scopes.Write:
		return ScopeWrite
	}
	return ScopeAuthenticated
}

// bitFor returns the bits that satisfy a need (any of them will do).
func bitFor(n scopes.Need) scopeSet {
	switch n {
	case scopes.Read:
		return bitRead
	case scopes.Receive:
		return bitReceive | bitWrite // WRITE implies RECEIVE
	case scopes.Write:
		return bitWrite
	}
	return 0
}

// scopeState is what the client knows of its key's scopes. known holds
// the bits whose presence or absence is certain; held the ones present. A
// key without READ cannot run the authorization query, so for it only the
// absence of READ becomes known.
type scopeState struct{ known, held scopeSet }

// Scopes returns the API key's scopes. The first call asks the server with
// the authorization query (which needs READ) unless WithScopes gave them;
// the answer is cached. A client without a key returns no scopes. For a key
// without READ the server refuses to tell, and Scopes returns a *ScopeError.
func (c *Client) Scopes(ctx context.Context) ([]Scope, error) {
	if c.key.empty() {
		return nil, nil
	}
	known, held, err := c.learnScopes(ctx)
	if err != nil {
		return nil, err
	}
	if known&bitRead != 0 && held&bitRead == 0 {
		return nil, &ScopeError{Operation: "Authorization", Needed: ScopeRead, Held: held.list()}
	}
	return held.list(), nil
}

// learnScopes returns what is known of the key's scopes, asking the server
// once (see learnt). A failure that says nothing about the scopes is not
// kept, so a later call asks again.
func (c *Client) learnScopes(ctx context.Context) (known, held scopeSet, err error) {
	st, err := c.scopes.get(ctx, func() (scopeState, bool, error) {
		resp, err := gen.Authorization(withoutScopeCheck(ctx), c.gql)
		var se *ScopeError
		switch {
		case err == nil:
			return scopeState{bitRead | bitReceive | bitWrite, toSet(fromGenScopes(resp.Authorization.Scopes))}, true, nil
		case errors.As(err, &se):
			return scopeState{known: bitRead}, true, nil
		}
		return scopeState{}, false, err
	})
	return st.known, st.held, err
}

// checkScope refuses an operation the key cannot run, before sending. When
// the key's scopes cannot be learnt (a network failure, say), it lets the
// request go: the server's own refusal maps to the same *ScopeError.
func (c *Client) checkScope(ctx context.Context, op *opInfo) error {
	if op.need == scopes.None || skipScopeCheck(ctx) {
		return nil
	}
	if c.key.empty() {
		return &ScopeError{Operation: op.name, Needed: needScope(op.need), NoKey: true}
	}
	if op.need == scopes.Authenticated {
		return nil
	}
	known, held, err := c.learnScopes(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		c.log.DebugContext(ctx, "blink: could not learn the key's scopes; letting the server decide", "operation", op.name, "error", err.Error()) // scrubbed by MakeRequest
		return nil
	}
	for _, n := range op.needs {
		bits := bitFor(n)
		if known&bits == bits && held&bits == 0 {
			return &ScopeError{Operation: op.name, Needed: needScope(n), Held: held.list()}
		}
	}
	return nil
}

type scopeCheckKey struct{}

func withoutScopeCheck(ctx context.Context) context.Context {
	return context.WithValue(ctx, scopeCheckKey{}, true)
}

func skipScopeCheck(ctx context.Context) bool {
	v, _ := ctx.Value(scopeCheckKey{}).(bool)
	return v
}

// retryClass says how an operation may be retried.
type retryClass uint8

const (
	// retrySafe: queries, fee probes, receive-side mutations. Retried on
	// network failures, 429 and 5xx.
	retrySafe retryClass = iota
	// atMostOnce: sends and other mutations with effects. Every attempt
	// carries the same X-Idempotency-Key; a lost answer is an unknown outcome.
	atMostOnce
)

// opInfo is what the client knows of one GraphQL document.
type opInfo struct {
	name  string
	kind  scopes.Kind
	need  scopes.Need   // the strongest need, for messages
	needs []scopes.Need // every root field's need
	class retryClass
	send  bool // a root field moves money
	// head and tail frame a request body: {"query":...,"operationName":...},
	// encoded once per document (see encodeRequest).
	head, tail []byte
}

// opCache remembers the classification of each document the client sent.
type opCache struct{ m sync.Map } // opKey → *opInfo

// classify returns the scope needs and retry class of a GraphQL document,
// parsing it once per distinct text. A document the client cannot parse is
// sent as it is (the server will refuse it) with the strictest treatment.
func (c *opCache) classify(opName, query string) *opInfo {
	// The operation name is part of the key: one document may hold a
	// query and a send.
	key := opKey{opName, query}
	if v, ok := c.m.Load(key); ok {
		return v.(*opInfo)
	}
	info := parseOp(opName, query)
	q, _ := json.Marshal(query)
	n, _ := json.Marshal(opName)
	info.head = append([]byte(`{"query":`), q...)
	info.tail = append(append([]byte(`,"operationName":`), n...), '}')
	v, _ := c.m.LoadOrStore(key, info)
	return v.(*opInfo)
}

type opKey struct{ name, query string }

func parseOp(opName, query string) *opInfo {
	info := &opInfo{name: opName}
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil || len(doc.Operations) == 0 {
		info.need, info.needs, info.class, info.kind = scopes.Authenticated, []scopes.Need{scopes.Authenticated}, atMostOnce, scopes.Mutation
		return info
	}
	op := doc.Operations[0]
	if opName != "" {
		if o := doc.Operations.ForName(opName); o != nil {
			op = o
		}
	}
	if info.name == "" {
		info.name = op.Name
	}
	switch op.Operation {
	case ast.Mutation:
		info.kind = scopes.Mutation
	case ast.Subscription:
		info.kind = scopes.Subscription
	default:
		info.kind = scopes.Query
	}
	var fields []string
	collectRootFields(doc, op.SelectionSet, &fields)
	sideEffects := false
	for _, f := range fields {
		if strings.HasPrefix(f, "__") {
			continue
		}
		field, ok := scopes.Lookup(info.kind, f)
		if !ok {
			// Unknown to scopes.tsv: ask for a key, and treat a mutation as
			// having effects.
			field = scopes.Field{Need: scopes.Authenticated, Kind: info.kind}
		}
		info.needs = append(info.needs, field.Need)
		if field.Need > info.need {
			info.need = field.Need
		}
		if info.kind == scopes.Mutation {
			if strings.Contains(f, "PaymentSend") {
				info.send = true
			}
			if !(field.Need == scopes.None || field.Need == scopes.Receive || strings.HasSuffix(f, "FeeProbe") || idempotentMutations[f]) {
				sideEffects = true
			}
		}
	}
	if sideEffects {
		info.class = atMostOnce
	}
	return info
}

// idempotentMutations are mutations with effects that a repeat leaves as
// they are, so they are retried like queries: revoking a revoked key
// succeeds again (core/api-keys/src/identity/mod.rs:199-221 has no
// revoked = false condition), and setting or removing a limit replaces
// the window's value (core/api-keys/src/graphql/schema.rs:222-272).
var idempotentMutations = map[string]bool{"apiKeyRevoke": true, "apiKeySetLimit": true, "apiKeyRemoveLimit": true}

func collectRootFields(doc *ast.QueryDocument, set ast.SelectionSet, out *[]string) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			*out = append(*out, s.Name)
		case *ast.InlineFragment:
			collectRootFields(doc, s.SelectionSet, out)
		case *ast.FragmentSpread:
			if f := doc.Fragments.ForName(s.Name); f != nil {
				collectRootFields(doc, f.SelectionSet, out)
			}
		}
	}
}

func fromGenScopes(in []gen.Scope) []Scope {
	out := make([]Scope, len(in))
	for i, s := range in {
		out[i] = Scope(s)
	}
	return out
}
