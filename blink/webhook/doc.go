// Package webhook receives Blink's webhook deliveries: it verifies their
// Svix signatures, parses their bodies into typed events, and serves them
// through an http.Handler that de-duplicates retries.
//
// Blink delivers an account's events (receive.lightning, send.lightning,
// receive.intraledger, send.intraledger, receive.onchain, send.onchain)
// to the callback endpoints registered with callbackEndpointAdd, through
// Svix, signed with the endpoint's secret. Anyone can POST to an
// endpoint: a server that acts on an unverified body can be made to ship
// an order by a forged request. Verify, ConstructEvent and Handler refuse
// such requests.
//
// # The secret
//
// The API never returns the endpoint secret. Blink shows it only in the
// Svix portal: open the link in the account's callbackPortalUrl, pick the
// endpoint, and copy its signing secret (it starts with whsec_) into the
// server's configuration. Keep it out of logs and source control; this
// package never prints it. When you rotate it in the portal, Svix signs
// with the old secret too for 24 hours: pass it in
// HandlerOptions.OldSecrets meanwhile.
//
// # Delivery is at least once
//
// Svix expects a 2xx within 15 seconds and otherwise retries (immediately,
// after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h), keeping the message
// id. Handler answers a retry of a message it handled with 204 without
// calling the function again, but a message can still reach the function
// twice (its answer was lost, the process restarted, the store forgot),
// and send.lightning can come twice for one transaction, so the function
// must be idempotent.
//
// # An event is a hint
//
// An event says that something happened; the ledger says whether it did.
// Treat a verified event as the trigger to check: Client.WaitForInvoice
// (its WaitInvoiceOptions.Hint) or Client.ResolvePayment in package blink.
// The per-invoice hooks (invoice.paid, invoice.expired) are signed with a
// secret no API shows, so they cannot be verified at all: never ship on
// them without that check.
//
// Sign produces a delivery's headers, for the tests of a receiving server.
package webhook
