// Package scopes holds the scope every root field of the Blink API needs,
// generated from graphql/scopes.tsv, and the classification the client's
// retry policy uses.
package scopes

//go:generate go run gentable.go ../../graphql/scopes.tsv table.go

// Need is what an API key needs for a root field.
type Need uint8

// The needs a root field can have, as scopes.tsv names them.
const (
	None          Need = iota // works without a key
	Authenticated             // any valid key, no scope check
	Read                      // the READ scope
	Receive                   // RECEIVE or WRITE
	Write                     // WRITE
)

// Kind is the GraphQL operation type of a root field.
type Kind uint8

// Root field kinds.
const (
	Query Kind = iota
	Mutation
	Subscription
)

// Field describes one root field.
type Field struct {
	Need Need
	Kind Kind
}

// Lookup returns the description of a root field of the given kind, and
// whether scopes.tsv lists it.
func Lookup(kind Kind, name string) (Field, bool) {
	var f Field
	var ok bool
	switch kind {
	case Query:
		f, ok = queries[name]
	case Mutation:
		f, ok = mutations[name]
	case Subscription:
		f, ok = subscriptions[name]
	}
	return f, ok
}

// Fields calls fn for every root field in the table.
func Fields(fn func(kind Kind, name string, f Field)) {
	for n, f := range queries {
		fn(Query, n, f)
	}
	for n, f := range mutations {
		fn(Mutation, n, f)
	}
	for n, f := range subscriptions {
		fn(Subscription, n, f)
	}
}
