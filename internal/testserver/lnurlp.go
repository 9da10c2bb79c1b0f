package testserver

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/fake"
)

// LNURLCallbackHost is the host of the fake's LNURL-pay invoice callback
// and verify URLs ("lnurl.blinktest.invalid"), as lnurl.blink.sv is
// Blink's. The lightning address domain is LightningAddressDomain.
const LNURLCallbackHost = fake.LNURLCallbackHost

// ReceiveDisabledMessage is the message of RECEIVE_DISABLED.
const ReceiveDisabledMessage = fake.ReceiveDisabledMessage

// AccountKind is how an account holds its funds.
type AccountKind = fake.AccountKind

// The account kinds (see fake.AccountKind).
const (
	AccountCustodial     = fake.AccountCustodial
	AccountMigrated      = fake.AccountMigrated
	AccountSelfCustodial = fake.AccountSelfCustodial
)

func (s *Server) startLNURL() {
	for _, p := range []struct {
		dst **httptest.Server
		h   http.Handler
	}{{&s.wellKnown, s.fake.WellKnownHandler()}, {&s.lnurl, s.fake.LNURLCallbackHandler()}} {
		h := httptest.NewUnstartedServer(p.h)
		h.Config.ErrorLog = log.New(io.Discard, "", 0)
		h.Start()
		*p.dst = h
	}
}

func (s *Server) closeLNURL() {
	for _, h := range []*httptest.Server{s.wellKnown, s.lnurl} {
		h.CloseClientConnections()
		h.Close()
	}
}

// WellKnownURL returns the loopback URL that serves the lightning address
// domain ("http://127.0.0.1:PORT"; /.well-known/lnurlp/{user} below it).
func (s *Server) WellKnownURL() string { return s.wellKnown.URL }

// LNURLCallbackURL returns the loopback URL that serves LNURLCallbackHost.
func (s *Server) LNURLCallbackURL() string { return s.lnurl.URL }

// LNURLTransport returns a transport that takes https requests for
// LightningAddressDomain and LNURLCallbackHost to the fake's loopback
// listeners (over plain http) and refuses every other host without
// touching the network: an LNURL client given it sees the URLs Blink's
// server would give, https on the address's domain.
func (s *Server) LNURLTransport() http.RoundTripper {
	return &hostMap{hosts: map[string]*url.URL{
		fake.LightningAddressDomain: mustParse(s.wellKnown.URL),
		fake.LNURLCallbackHost:      mustParse(s.lnurl.URL),
	}, next: s.wellKnown.Client().Transport}
}

func mustParse(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

type hostMap struct {
	hosts map[string]*url.URL
	next  http.RoundTripper
}

// errUnknownHost is the transport's answer for a host it does not serve.
var errUnknownHost = errors.New("blinktest: the LNURL transport serves only the fake's hosts")

func (m *hostMap) RoundTrip(r *http.Request) (*http.Response, error) {
	to, ok := m.hosts[strings.ToLower(r.URL.Hostname())]
	if !ok || r.URL.Scheme != "https" || r.URL.Port() != "" {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, errUnknownHost
	}
	r2 := r.Clone(r.Context())
	r2.URL.Scheme, r2.URL.Host = to.Scheme, to.Host
	r2.Host = r.URL.Host
	return m.next.RoundTrip(r2)
}

// SetAccountKind makes the account custodial, migrated ("Account is
// inactive." from accountDefaultWallet) or self-custodial from the start
// ("Account does not exist for username X"); the lightning address works
// for all three. It panics if the account does not exist.
func (s *Server) SetAccountKind(accountID string, k AccountKind) { s.fake.SetAccountKind(accountID, k) }

// SetReceiveDisabled winds the account down: every receive is refused
// with RECEIVE_DISABLED and ReceiveDisabledMessage.
func (s *Server) SetReceiveDisabled(accountID string, disabled bool) {
	s.fake.SetReceiveDisabled(accountID, disabled)
}

// SettleInvoiceAfter pays the invoice once d has passed on the server's
// clock (at the first verify request or Tick after it).
func (s *Server) SettleInvoiceAfter(paymentHash string, d time.Duration) {
	s.fake.SettleInvoiceAfter(paymentHash, d)
}

// ExpireInvoice ends a pending invoice unpaid: GraphQL says EXPIRED and
// verify "Not found".
func (s *Server) ExpireInvoice(paymentHash string) { s.fake.ExpireInvoice(paymentHash) }

// WithholdPreimage makes verify say settled:true without the preimage.
func (s *Server) WithholdPreimage(paymentHash string, withhold bool) {
	s.fake.WithholdPreimage(paymentHash, withhold)
}

// FailVerify makes the next n verify requests for the invoice ("" = any)
// answer HTTP 200 ERROR "Internal server error".
func (s *Server) FailVerify(paymentHash string, n int) { s.fake.FailVerify(paymentHash, n) }

// LNURLRequests returns how many requests reached the LNURL-pay server at
// an exact path or a pattern ("/.well-known/lnurlp/{user}",
// "/lnurlp/{domain}/{user}/invoice", "/verify/{hash}").
func (s *Server) LNURLRequests(path string) int { return s.fake.LNURLRequests(path) }

// VerifyMaxInFlight returns the most verify requests for one invoice the
// server was ever answering at once.
func (s *Server) VerifyMaxInFlight() int { return s.fake.VerifyMaxInFlight() }
