package blinktest

import (
	"net/http"
	"time"

	"github.com/blink-sdk/blink-go/internal/testserver"
)

// The keyless world: beside the GraphQL API, the server runs the LNURL-pay
// server as Blink does, on loopback listeners of its own. The lightning
// address domain (LightningAddressDomain) serves
// /.well-known/lnurlp/{user} (and {user}+usd); the invoice callback and
// LUD-21 verify live on LNURLCallbackHost. LNURLHTTPClient reaches both
// under those names over https URLs, so that a receiver checks the
// fake's answers exactly as it checks Blink's.

// LNURLCallbackHost is the host of the invoice callback and verify URLs,
// "lnurl.blinktest.invalid" (as lnurl.blink.sv is Blink's).
const LNURLCallbackHost = testserver.LNURLCallbackHost

// ReceiveDisabledMessage is the message of RECEIVE_DISABLED, Blink's
// answer to a receive on a wound-down account.
const ReceiveDisabledMessage = testserver.ReceiveDisabledMessage

// AccountKind is how an account holds its funds, which decides what the
// public GraphQL API says about its username.
type AccountKind = testserver.AccountKind

// The account kinds.
const (
	// AccountCustodial (the default): accountDefaultWallet gives the wallet.
	AccountCustodial = testserver.AccountCustodial
	// AccountMigrated: accountDefaultWallet says "Account is inactive.";
	// the lightning address still works.
	AccountMigrated = testserver.AccountMigrated
	// AccountSelfCustodial: never custodial, accountDefaultWallet says
	// "Account does not exist for username X"; the address works.
	AccountSelfCustodial = testserver.AccountSelfCustodial
)

// LNURLHTTPClient returns an http.Client for the LNURL-pay server: https
// requests for LightningAddressDomain and LNURLCallbackHost go to the
// fake's loopback listeners, every other host is refused without touching
// the network. Give it to blink.AddressReceiverOptions.HTTPClient.
func (s *Server) LNURLHTTPClient() *http.Client {
	return &http.Client{Transport: s.ts.LNURLTransport(), Timeout: 30 * time.Second}
}

// LNURLTransport is LNURLHTTPClient's transport, to wrap.
func (s *Server) LNURLTransport() http.RoundTripper { return s.ts.LNURLTransport() }

// WellKnownURL returns the loopback URL that serves the lightning address
// domain, "http://127.0.0.1:PORT".
func (s *Server) WellKnownURL() string { return s.ts.WellKnownURL() }

// LNURLCallbackURL returns the loopback URL that serves LNURLCallbackHost.
func (s *Server) LNURLCallbackURL() string { return s.ts.LNURLCallbackURL() }

// SetAccountKind makes the account custodial, migrated or self-custodial
// from the start. It panics if the account does not exist.
func (s *Server) SetAccountKind(accountID string, k AccountKind) { s.ts.SetAccountKind(accountID, k) }

// SetReceiveDisabled winds the account down (or back up): every receive,
// through GraphQL or the lightning address, is refused with
// RECEIVE_DISABLED and ReceiveDisabledMessage.
func (s *Server) SetReceiveDisabled(accountID string, disabled bool) {
	s.ts.SetReceiveDisabled(accountID, disabled)
}

// SettleInvoiceAfter pays the invoice once d has passed on the server's
// clock (WithClock): the first verify request or Tick after that settles it.
func (s *Server) SettleInvoiceAfter(paymentHash string, d time.Duration) {
	s.ts.SettleInvoiceAfter(paymentHash, d)
}

// ExpireInvoice ends a pending invoice unpaid: GraphQL says EXPIRED, and
// the LNURL server forgets it (verify answers "Not found").
func (s *Server) ExpireInvoice(paymentHash string) { s.ts.ExpireInvoice(paymentHash) }

// WithholdPreimage makes verify answer settled:true without the preimage
// for a paid invoice, as a self-custodial settlement may for a while.
func (s *Server) WithholdPreimage(paymentHash string, withhold bool) {
	s.ts.WithholdPreimage(paymentHash, withhold)
}

// FailVerify makes the next n verify requests for the invoice ("" = any
// invoice) answer HTTP 200 {"status":"ERROR","reason":"Internal server error"}.
func (s *Server) FailVerify(paymentHash string, n int) { s.ts.FailVerify(paymentHash, n) }

// LNURLRequests returns how many requests reached the LNURL-pay server at
// an exact path ("/verify/<hash>") or a pattern: "/.well-known/lnurlp/{user}",
// "/lnurlp/{domain}/{user}/invoice" or "/verify/{hash}".
func (s *Server) LNURLRequests(path string) int { return s.ts.LNURLRequests(path) }

// VerifyMaxInFlight returns the most verify requests for one invoice that
// the server was ever answering at the same time.
func (s *Server) VerifyMaxInFlight() int { return s.ts.VerifyMaxInFlight() }
