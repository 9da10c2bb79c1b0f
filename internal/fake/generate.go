// Package fake is the stateful fake Blink server behind package
// blink/blinktest: a gqlgen executable schema generated from the SDK's own
// graphql/schema.graphql, a ledger of accounts, wallets, invoices and
// transactions, and HTTP middleware that reproduces the real API's
// authentication, scopes, idempotency keys, limits and injected faults.
package fake

//go:generate go run github.com/99designs/gqlgen generate --config gqlgen.yml
//go:generate go run ./cmd/stubgen graph/generated.go graph/stubs_gen.go
