// Package blinktest runs a stateful fake Blink API server for tests, in the
// manner of net/http/httptest.
//
// The fake serves the real public schema (graphql/schema.graphql) over HTTP
// POST and graphql-transport-ws on /graphql, and keeps a real ledger:
// accounts with a BTC and a USD wallet, API keys with scopes and spending
// limits, BOLT11 invoices signed by a fake node, transactions, on-chain
// addresses and callback endpoints. Authentication, scopes, the
// X-Idempotency-Key lock, the one-mutation-per-request complexity limit and
// the invoice creation rate limit behave like the real API, with the real
// error messages and codes. Faults (latency, edge 502/503/429, dropped
// connections before or after execution) can be injected per operation.
//
//	srv := blinktest.New(t)
//	alice := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 100_000})
//	key := srv.CreateAPIKey(alice.ID, blinktest.KeyOptions{})
//	// point the client under test at srv.URL() with key
//
// Conversions between sats and cents use integer math at one settable
// price with no spread, rounding in Blink's favour: a USD wallet pays
// ceil(sats*price/1e8) cents and receives floor(sats*price/1e8) cents; an
// invoice for N cents asks ceil(N*1e8/price) sats. Lightning payments that
// leave Blink cost a fixed ExternalLightningFeeSats; payments between Blink
// wallets are free; on-chain sends cost OnChainFeeSats(speed).
//
// Lightning addresses of the fake's accounts are username@blinktest.invalid
// (globals.lightningAddressDomain). Fields the fake does not simulate
// answer an error "<Type>.<field> is not implemented in blinktest".
package blinktest
