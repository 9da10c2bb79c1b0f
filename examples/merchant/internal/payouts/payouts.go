// Package payouts sends a tenant's payouts and brings every one to a final
// state without ever sending one twice.
//
// The rules: the payout row, with the X-Idempotency-Key of its send, is
// committed before anything is sent ('queued'); the row moves to
// 'sending', committed, right before the send; a row found in 'sending'
// (the process died before the answer was recorded) or 'unknown' (the SDK
// said ErrOutcomeUnknown) is never sent again blindly: FinishPayment,
// built from the stored fields, retires the key, looks the payment up and
// sends again only when Blink proves that the first send cannot execute.
// Claims (store.ClaimPayouts) keep two replicas off one row.
package payouts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/apperr"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/jitter"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

// Payers gives a tenant's sending side.
type Payers interface {
	Payer(ctx context.Context, t *store.Tenant) (tenants.Payer, error)
}

// Service takes payout requests and runs the worker.
type Service struct {
	st  store.Store
	px  Payers
	log *slog.Logger

	// Interval is the worker's longest wait between passes (default 5s).
	Interval time.Duration
	// Lease is how long a claimed payout is left to one worker (default 2
	// min; at least minLease is used, see lease).
	Lease time.Duration
	// Finished, when set, is called once per payout reaching a final state.
	Finished func(status string)
	// Address configures how a lightning-address payout fetches its invoice
	// (LNURL-pay): the HTTP client, loopback for tests.
	Address blink.AddressReceiverOptions

	kick chan struct{}

	mu     sync.Mutex
	domain string // the deployment's lightning-address domain, once known
}

// NewService returns a Service.
func NewService(st store.Store, px Payers, log *slog.Logger) *Service {
	return &Service{st: st, px: px, log: log, Interval: 5 * time.Second, Lease: 2 * time.Minute, kick: make(chan struct{}, 1)}
}

// CreateRequest is the body of POST /v1/payouts.
type CreateRequest struct {
	// Destination is a BOLT11 invoice, a lightning address or a Blink username.
	Destination string `json:"destination"`
	// AmountSats is required for addresses and usernames; for an invoice it
	// must be 0 or the invoice's amount.
	AmountSats int64 `json:"amount_sats"`
	// MaxFeeSats refuses a send whose probed fee is above it (0: no probe).
	MaxFeeSats int64 `json:"max_fee_sats"`
}

var usernameForm = regexp.MustCompile(`^[0-9a-z_]{3,50}$`)

// bolt11Form is what a BOLT11 invoice looks like (lower case): the hrp
// "ln", a network prefix (lnbc mainnet, lntb testnet, lntbs and lnsb
// signet, lnbcrt regtest) and an optional amount, then the separator '1'
// and bech32 data. Only such a string is decoded as an invoice: a Blink
// username may start with "ln" and be long (lnwizard_extraordinaire).
var bolt11Form = regexp.MustCompile(`^ln(bc|tb|tbs|bcrt|sb)([0-9]+[munp]?)?1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]+$`)

// reservedUsername reports a string Blink refuses as a username (NOTES:
// it must not start with 1, 3, _, bc1 or lnbc1, and has a letter).
func reservedUsername(s string) bool {
	for _, p := range []string{"1", "3", "_", "bc1", "lnbc1"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' })
}

// Create validates and commits a payout; requestKey (the Idempotency-Key
// header) makes the request safe to repeat.
func (s *Service) Create(ctx context.Context, t *store.Tenant, req CreateRequest, requestKey string) (*store.Payout, bool, error) {
	if _, err := s.px.Payer(ctx, t); err != nil {
		return nil, false, err
	}
	if len(requestKey) > 100 {
		return nil, false, apperr.New(400, "invalid_idempotency_key", "Idempotency-Key is at most 100 characters")
	}
	if req.AmountSats < 0 || req.MaxFeeSats < 0 || req.AmountSats > blink.MaxAmount || req.MaxFeeSats > blink.MaxAmount {
		return nil, false, apperr.New(400, "invalid_amount", "amount_sats and max_fee_sats must be 0 to %d", int64(blink.MaxAmount))
	}
	// Checked before the destination is parsed or looked up: PostgreSQL
	// TEXT cannot hold a NUL, and no invoice, address or username has a
	// control character.
	if len(req.Destination) > 4096 || !utf8.ValidString(req.Destination) || strings.ContainsFunc(req.Destination, unicode.IsControl) {
		return nil, false, apperr.New(400, "invalid_destination", "destination must be at most 4096 bytes of UTF-8 without control characters")
	}
	p := &store.Payout{TenantID: t.ID, ID: secrets.NewID("po"), IdempotencyKey: blink.NewIdempotencyKey(), AmountSats: req.AmountSats, MaxFeeSats: req.MaxFeeSats}
	dest := strings.TrimSpace(req.Destination)
	low := strings.ToLower(dest)
	low = strings.TrimPrefix(low, "lightning:") // a URI scheme, in any case
	// A string shaped like an invoice (or starting with lnbc1, which no
	// username may) is decoded as one; one that does not decode but is a
	// valid username (short, bech32-like: lntb1xyz) is the username. A
	// real invoice is over a hundred characters.
	var inv *blink.DecodedInvoice
	invoice := bolt11Form.MatchString(low) || (strings.HasPrefix(low, "lnbc1") && !strings.Contains(low, "@"))
	if invoice {
		var err error
		if inv, err = blink.DecodeInvoice(low); err != nil {
			if !usernameForm.MatchString(low) || reservedUsername(low) {
				return nil, false, apperr.New(400, "invalid_destination", "the invoice does not decode")
			}
			invoice = false
		}
	}
	switch {
	case invoice:
		amt := int64(inv.Amount)
		if amt == 0 {
			return nil, false, apperr.New(400, "no_amount_invoice", "invoices without an amount are not supported")
		}
		if req.AmountSats != 0 && req.AmountSats != amt {
			return nil, false, apperr.New(400, "amount_mismatch", "amount_sats differs from the invoice's amount")
		}
		p.Kind, p.Destination, p.AmountSats, p.PaymentHash = store.PayoutBOLT11, low, amt, inv.PaymentHash
	case strings.Count(dest, "@") == 1:
		a, err := s.payableAddress(ctx, t, low)
		if err != nil {
			return nil, false, err
		}
		p.Kind, p.Destination = store.PayoutAddress, a
	case usernameForm.MatchString(low) && !reservedUsername(low):
		p.Kind, p.Destination = store.PayoutUsername, low
	default:
		return nil, false, apperr.New(400, "invalid_destination", "destination must be a BOLT11 invoice, a lightning address or a Blink username")
	}
	if p.AmountSats <= 0 || p.AmountSats > blink.MaxAmount {
		return nil, false, apperr.New(400, "invalid_amount", "amount_sats must be 1 to %d", int64(blink.MaxAmount))
	}
	p.RequestKey = requestKey
	if p.RequestKey == "" {
		p.RequestKey = p.ID
	}
	ex, created, err := s.st.InsertPayout(ctx, p)
	if errors.Is(err, store.ErrInvoiceInPayout) {
		// Its send could only be answered with the other payout's payment
		// (ALREADY_PAID, or a payment in flight): it would send nothing.
		return nil, false, apperr.New(409, "invoice_in_payout", "another payout of this invoice is queued, in progress or succeeded: see that payout; a new one is possible only once it has failed")
	}
	if err != nil {
		return nil, false, err
	}
	if !created {
		if ex.Destination != p.Destination || ex.AmountSats != p.AmountSats || ex.MaxFeeSats != p.MaxFeeSats {
			return nil, false, apperr.New(409, "idempotency_key_reused", "this Idempotency-Key was used for another payout")
		}
		return ex, false, nil
	}
	s.log.InfoContext(ctx, "payout queued", "tenant", t.ID, "payout", p.ID, "kind", p.Kind, "sats", p.AmountSats)
	s.Kick()
	return p, true, nil
}

// payableAddress checks a lightning-address destination: well formed, and
// on this Blink deployment's domain. Blink's own lnAddressPaymentSend
// resolves the address on the server and leaves nothing to look the
// payment up by when its answer is lost (no payment hash, no memo), so the
// server fetches the invoice from the address first (LNURL-pay, checked
// by the SDK: amount, description hash, network, https on the address's
// domain, LUD-21) and pays that. Outside addresses are refused: their
// servers need not offer LUD-21, and fetching from any host a tenant names
// would let it aim the server at internal ones.
func (s *Service) payableAddress(ctx context.Context, t *store.Tenant, dest string) (string, error) {
	a, err := blink.ParseLightningAddress(dest)
	if err != nil {
		return "", apperr.New(400, "invalid_destination", "the lightning address is malformed")
	}
	d, err := s.addressDomain(ctx, t)
	if err != nil {
		return "", err
	}
	if a.Domain != d {
		return "", apperr.New(400, "foreign_lightning_address", "payouts go to lightning addresses @%s only; for another wallet, pay an invoice from it", d)
	}
	return a.String(), nil
}

// addressDomain is the Blink deployment's lightning-address domain, asked
// once (every tenant's client talks to the one deployment the server is
// configured for).
func (s *Service) addressDomain(ctx context.Context, t *store.Tenant) (string, error) {
	s.mu.Lock()
	d := s.domain
	s.mu.Unlock()
	if d != "" {
		return d, nil
	}
	payer, err := s.px.Payer(ctx, t)
	if err != nil {
		return "", err
	}
	g, err := payer.Client().Globals(ctx)
	if err != nil || g.LightningAddressDomain == "" {
		return "", apperr.New(502, "blink_unavailable", "Blink did not answer: try again")
	}
	d = strings.ToLower(g.LightningAddressDomain)
	s.mu.Lock()
	s.domain = d
	s.mu.Unlock()
	return d, nil
}

// addressInvoiceExpiry is how long an invoice fetched for a
// lightning-address payout can be paid; one that would lapse within
// addressInvoiceMargin while the payout is still queued is fetched again
// (nothing was sent with it).
const (
	addressInvoiceExpiry = 10 * time.Minute
	addressInvoiceMargin = 2 * time.Minute
)

// addressInvoice makes sure a queued lightning-address payout has a
// committed invoice to pay; false when the payout must wait or has
// failed (recorded).
func (s *Service) addressInvoice(ctx context.Context, p *store.Payout, c *blink.Client) bool {
	if p.Invoice != "" {
		if d, err := blink.DecodeInvoice(p.Invoice); err == nil && time.Until(d.ExpiresAt) > addressInvoiceMargin {
			return true
		}
	}
	ar, err := c.AddressReceiver(p.Destination, &s.Address)
	if err == nil {
		var inv *blink.AddressInvoice
		inv, err = ar.CreateInvoice(ctx, blink.Sats(p.AmountSats), &blink.AddressInvoiceOptions{Expiry: addressInvoiceExpiry})
		if err == nil {
			oldInv, oldHash := p.Invoice, p.PaymentHash
			p.Invoice, p.PaymentHash = inv.PaymentRequest, inv.PaymentHash
			ok, err := s.st.SetPayoutInvoice(ctx, p) // fenced by p's claim
			if err != nil || !ok {
				p.Invoice, p.PaymentHash = oldInv, oldHash
				if errors.Is(err, store.ErrInvoiceInPayout) {
					// Never expected (an address gives a fresh invoice): fetch again later.
					s.wait(ctx, p, "the lightning address gave an invoice another payout pays", err)
				}
				return false
			}
			return true
		}
	}
	if addressRefused(err) {
		p.Status, p.Error = store.PayoutFailed, "the lightning address gave no invoice: "+safeMessage(err)+"; nothing was sent"
		s.save(ctx, p)
		return false
	}
	// Nothing was sent: a rate limit (Blink mints so many invoices a
	// minute per recipient, then blocks five minutes), an LNURL server's
	// ERROR, an outage. The payout stays queued and fetches again later.
	s.wait(ctx, p, "the lightning address gave no invoice", err)
	return false
}

// addressRefused reports a definite answer about the address itself, for
// which fetching again cannot help: no such address, an amount outside
// what it accepts (or another input refused), an account that can no
// longer receive. Anything else (a rate limit, an LNURL server's ERROR,
// an outage, an invoice that did not pass the SDK's checks) is retried.
func addressRefused(err error) bool {
	return errors.Is(err, blink.ErrAddressNotFound) || errors.Is(err, blink.ErrReceiveDisabled) ||
		errors.Is(err, blink.ErrInvalidInput) || errors.Is(err, blink.ErrNotFound)
}

// maxQueued bounds how long a payout that has sent nothing waits for its
// send to become possible (an address that gives no invoice, a fee probe
// that does not answer): after it, the payout fails with the last reason,
// so every payout reaches a final state.
const maxQueued = 24 * time.Hour

// rateLimitWait is how long a payout waits after a rate limit: Blink
// blocks invoice creation for a recipient five minutes.
const rateLimitWait = 5 * time.Minute

// waitingPrefix starts the error of a queued payout that waits.
const waitingPrefix = "waiting, nothing sent: "

// wait keeps a queued payout (nothing sent) queued after a failure that
// may pass, to try again after a backoff; past maxQueued it fails it.
// A failure that repeats is logged at warn level, so an operator sees a
// payout stuck queued (the reason carries no key, secret or invoice).
func (s *Service) wait(ctx context.Context, p *store.Payout, what string, err error) {
	reason := what + ": " + safeMessage(err)
	queued := time.Since(p.CreatedAt)
	if queued > maxQueued {
		p.Status, p.Error = store.PayoutFailed, reason+" (for "+maxQueued.String()+"); nothing was sent"
		s.save(ctx, p)
		return
	}
	repeated := strings.HasPrefix(p.Error, waitingPrefix)
	d := retryIn(queued, err)
	p.Error, p.LeaseUntil = waitingPrefix+reason, time.Now().Add(d)
	lvl := slog.LevelInfo
	if repeated {
		lvl = slog.LevelWarn
	}
	s.log.Log(ctx, lvl, "payout waits", "tenant", p.TenantID, "payout", p.ID, "reason", reason,
		"queued_for", queued.Round(time.Second).String(), "retry_in", d.Round(time.Second).String(), "attempt", p.Attempts)
	s.save(ctx, p)
}

// retryIn is the backoff of a waiting payout: five minutes (and a little)
// after a rate limit; otherwise half the time it has been queued, from 15
// seconds to five minutes, with ±20% jitter.
func retryIn(queued time.Duration, err error) time.Duration {
	if rateLimited(err) {
		return rateLimitWait + time.Duration(rand.Int64N(int64(30*time.Second)))
	}
	return jitter.Spread(min(max(queued/2, 15*time.Second), 5*time.Minute))
}

func rateLimited(err error) bool {
	if errors.Is(err, blink.ErrTooManyRequests) || errors.Is(err, blink.ErrRateLimited) {
		return true
	}
	var be *blink.Error
	return errors.Is(err, blink.ErrLNURLServer) && errors.As(err, &be) && strings.Contains(strings.ToLower(be.Message), "too many")
}

// leaseMargin is how long before its claim's lease a row's work stops
// (its context ends), and minWork the least time left in a lease for a
// row to be worked at all.
const (
	leaseMargin = 10 * time.Second
	minWork     = 20 * time.Second
)

// minLease is the shortest claim RunOnce takes, whatever Service.Lease
// says: a claimed row is worked only with minWork+leaseMargin left, so a
// shorter lease would leave every payout unworked, and a row needs the
// rest of it for its send.
const minLease = time.Minute

// lease is the claim's length: Service.Lease, at least minLease.
func (s *Service) lease() time.Duration {
	return max(s.Lease, minLease)
}

// Kick asks the worker for a pass now.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run works the payouts until ctx ends (a send in flight finishes first).
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		for s.RunOnce(ctx) > 0 && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
	}
}

// RunOnce claims the payouts that are due and works each once; it returns
// how many it claimed.
func (s *Service) RunOnce(ctx context.Context) int {
	ps, err := s.st.ClaimPayouts(ctx, 20, s.lease())
	if err != nil {
		if ctx.Err() == nil {
			s.log.ErrorContext(ctx, "payouts: claiming", "err", err)
		}
		return 0
	}
	for i := range ps {
		// A row's work ends before its lease does (leaseMargin), so no
		// other worker can claim it meanwhile; a row whose lease is nearly
		// over (later in a slow batch) is left for the next claim. A send,
		// once begun, ends with its answer recorded even if the server is
		// shutting down.
		if time.Until(ps[i].LeaseUntil) < minWork+leaseMargin {
			continue
		}
		s.work(context.WithoutCancel(ctx), &ps[i])
	}
	return len(ps)
}

func operation(kind string) string {
	switch kind {
	case store.PayoutBOLT11:
		return "LnInvoicePaymentSend"
	case store.PayoutAddress:
		return "LnInvoicePaymentSend" // the invoice fetched from the address
	}
	return "IntraLedgerPaymentSend"
}

func (s *Service) work(ctx context.Context, p *store.Payout) {
	t, err := s.st.Tenant(ctx, p.TenantID)
	if err != nil {
		return
	}
	payer, err := s.px.Payer(ctx, t)
	if err != nil {
		if p.Status == store.PayoutQueued {
			// Nothing was sent: a tenant that lost payouts fails them.
			p.Status, p.Error = store.PayoutFailed, "payouts are no longer enabled for this tenant"
			s.save(ctx, p)
		}
		return // sent or maybe sent: wait for the tenant to come back
	}
	c, wallet := payer.Client(), payer.WalletID()
	ctx, cancel := context.WithDeadline(ctx, p.LeaseUntil.Add(-leaseMargin))
	defer cancel()
	switch p.Status {
	case store.PayoutQueued:
		if p.Kind == store.PayoutAddress && !s.addressInvoice(ctx, p, c) {
			return
		}
		if s.feeProbeWaits(ctx, p, c, wallet, t.Currency) {
			return
		}
		started := time.Now()
		p.Operation = operation(p.Kind)
		if strings.HasPrefix(p.Error, waitingPrefix) {
			p.Error = "" // it waits no more
		}
		ok, err := s.st.MarkSending(ctx, p, started)
		if err != nil || !ok {
			return
		}
		p.Status, p.StartedAt = store.PayoutSending, started
		s.send(ctx, p, c, wallet, p.IdempotencyKey)
	case store.PayoutSending, store.PayoutUnknown:
		// The send may have reached Blink. First retire its key: if no
		// request with it ever arrived, none ever can, and the payout is
		// sent afresh with every option (MaxFee included, which
		// FinishPayment would not apply again). A key older than its
		// one-hour lock proves nothing that way: FinishPayment decides.
		if p.ArrivedBy.IsZero() && time.Since(p.StartedAt) < 50*time.Minute {
			arrived, err := c.RetireIdempotencyKey(ctx, p.CurrentKey)
			if err != nil {
				s.unresolved(ctx, p, "retiring the send's idempotency key", err)
				return
			}
			if !arrived {
				p.CurrentKey, p.Status, p.StartedAt = blink.NewIdempotencyKey(), store.PayoutSending, time.Now()
				if err := s.st.UpdatePayout(ctx, p); err != nil { // the new key, committed before the send
					return
				}
				s.send(ctx, p, c, wallet, p.CurrentKey)
				return
			}
			// Arrived: FinishPayment retires the key again and dates the
			// arrival by Blink's clock, which its execution window is
			// measured in (this machine's clock may be minutes off).
		}
		res, err := c.FinishPayment(ctx, s.unknownOf(p, wallet))
		s.outcome(ctx, p, res, err, true)
	case store.PayoutInFlight:
		// Since the payout's creation (less the skew): no payment made
		// before it can be this payout's.
		r, err := c.ResolvePayment(ctx, blink.PaymentLookup{WalletID: wallet, PaymentHash: p.PaymentHash, Since: p.CreatedAt.Add(-clockSkew)})
		if err != nil {
			if !blink.IsTransient(err) && !errors.Is(err, context.DeadlineExceeded) {
				s.log.ErrorContext(ctx, "payouts: an in-flight payout cannot be looked up", "tenant", p.TenantID, "payout", p.ID, "reason", lookupMessage(err))
			}
			return // looked at again after the lease
		}
		switch {
		case r.Outcome == blink.ResolvedSucceeded:
			p.Status = store.PayoutSucceeded
		case r.Outcome == blink.ResolvedFailed:
			p.Status, p.Error = store.PayoutFailed, "the payment failed and was refunded"
		case r.Outcome == blink.ResolvedAlreadyPaid, r.Outcome == blink.ResolvedPending && earlier(p, r.Transaction):
			// The wallet's payment of the invoice predates the payout (the
			// tenant's own app paid it): this payout sent nothing.
			p.Status, p.Error = store.PayoutFailed, earlierPayment
		default:
			// Still pending, or (never expected) not in the wallet's ledger
			// under its hash: looked at again after the lease, never decided
			// without Blink's word; the second kind is an operator's to see.
			if r.Outcome != blink.ResolvedPending {
				s.log.WarnContext(ctx, "payouts: a payment Blink reported pending is not in the ledger as such", "payout", p.ID, "outcome", string(r.Outcome))
			}
			p.LeaseUntil = time.Now().Add(s.lease())
		}
		s.save(ctx, p)
	}
}

// feeProbeWaits probes the fee of an invoice payout with a max fee before
// the row becomes 'sending', and reports whether the payout must wait: a
// probe that could not answer (an outage, a timeout) has sent nothing,
// and the payout stays queued (wait) instead of going to 'sending' and
// through a retired key. Any other answer goes on to the send, whose own
// guard (PayOptions.MaxFee) probes again and decides: a fee above the
// limit or a definite refusal fails the payout there.
func (s *Service) feeProbeWaits(ctx context.Context, p *store.Payout, c *blink.Client, wallet, currency string) bool {
	if p.MaxFeeSats <= 0 || p.Kind == store.PayoutUsername {
		return false
	}
	pr := p.Destination
	if p.Kind == store.PayoutAddress {
		pr = p.Invoice
	}
	if d, err := blink.DecodeInvoice(pr); err != nil || !time.Now().Before(d.ExpiresAt) {
		return false // the send refuses it, definitely
	}
	probe := c.ProbeInvoiceFee
	if currency == string(blink.USD) {
		probe = c.ProbeInvoiceFeeUSD
	}
	_, err := probe(ctx, wallet, pr)
	if err == nil || !(blink.IsTransient(err) || errors.Is(err, context.DeadlineExceeded)) {
		return false
	}
	if errors.Is(err, blink.ErrRouteFinding) {
		return false // no route now: the send says so definitely (nothing paid)
	}
	s.wait(ctx, p, "the fee probe did not answer", err)
	return true
}

// send makes the payout's send with key (committed in the row before).
func (s *Service) send(ctx context.Context, p *store.Payout, c *blink.Client, wallet, key string) {
	opts := &blink.PayOptions{IdempotencyKey: key, MaxFee: p.MaxFeeSats}
	var res *blink.PaymentResult
	var err error
	switch p.Kind {
	case store.PayoutBOLT11:
		opts.Memo, opts.UniqueMemo, opts.MaxAmount = p.ID, true, blink.Sats(p.AmountSats)
		res, err = c.PayInvoice(ctx, wallet, p.Destination, opts)
	case store.PayoutAddress:
		// The invoice fetched from the address and committed (addressInvoice).
		opts.Memo, opts.UniqueMemo, opts.MaxAmount = p.ID, true, blink.Sats(p.AmountSats)
		res, err = c.PayInvoice(ctx, wallet, p.Invoice, opts)
	default:
		opts.Memo, opts.UniqueMemo, opts.MaxFee = p.ID, true, 0
		res, err = c.SendIntraLedger(ctx, wallet, p.Destination, blink.Sats(p.AmountSats), opts)
	}
	s.outcome(ctx, p, res, err, false)
}

// unknownOf rebuilds the SDK's outcome-unknown error from the stored row:
// every field FinishPayment needs is a column.
func (s *Service) unknownOf(p *store.Payout, wallet string) *blink.OutcomeUnknownError {
	ou := &blink.OutcomeUnknownError{
		Operation:      p.Operation,
		IdempotencyKey: p.CurrentKey,
		PaymentHash:    p.PaymentHash,
		WalletID:       wallet,
		Amount:         p.AmountSats,
		// By this machine's clock; FinishPayment bounds it by Blink's from
		// what its answers show (StartedAfter and StartedBefore are left
		// to it: a guess here could be minutes off).
		StartedAt:  p.StartedAt,
		ArrivedBy:  p.ArrivedBy,
		ResentWith: p.ResentWith,
		// The send's limits, applied again to a send FinishPayment makes again.
		MaxFee: p.MaxFeeSats,
	}
	switch p.Kind {
	case store.PayoutBOLT11:
		ou.PaymentRequest, ou.Amount, ou.Memo, ou.UniqueMemo = p.Destination, 0, p.ID, true
		ou.MaxAmount = blink.Sats(p.AmountSats)
	case store.PayoutAddress:
		if p.Invoice != "" {
			ou.PaymentRequest, ou.Amount, ou.Memo, ou.UniqueMemo = p.Invoice, 0, p.ID, true
		} else {
			ou.Recipient = p.Destination // a row of a version that sent lnAddressPaymentSend
		}
	default:
		ou.Recipient, ou.Memo, ou.UniqueMemo = p.Destination, p.ID, true
	}
	if ou.IdempotencyKey == "" {
		ou.IdempotencyKey = p.IdempotencyKey
	}
	return ou
}

// clockSkew is how far the server's clock (a transaction's creation time)
// may be behind this machine's (a payout's). It is generous on purpose:
// taking the payout's own payment for an earlier one would report a paid
// payout failed, and the shop might pay again; taking a payment the
// wallet made minutes before the payout for the payout's only credits the
// payout with a payment the payee did get. (Two payouts of one invoice
// are refused at creation.)
const clockSkew = 10 * time.Minute

// earlierPayment is the error of a payout whose invoice the wallet paid,
// or is paying, with a payment made before the payout existed.
const earlierPayment = "the invoice was paid (or is being paid) by an earlier payment of the wallet; this payout sent nothing"

// earlier reports a ledger entry created before p (less the skew): not
// p's payment, whatever Blink answered p's send with.
func earlier(p *store.Payout, tx *blink.Transaction) bool {
	return tx != nil && !tx.CreatedAt.IsZero() && tx.CreatedAt.Before(p.CreatedAt.Add(-clockSkew))
}

// outcome records the answer to a send: the first one (finishing false:
// a send made with a key no earlier request took, so an error that is not
// an unknown outcome means nothing was sent) or FinishPayment's, for a
// payout whose send may have executed (finishing true).
func (s *Service) outcome(ctx context.Context, p *store.Payout, res *blink.PaymentResult, err error, finishing bool) {
	var ou *blink.OutcomeUnknownError
	switch {
	case res != nil && res.Status == blink.PaymentFailed:
		// Blink said for certain that nothing was paid, whatever the error
		// beside it (ROUTE_FINDING_ERROR, for one, also counts as
		// transient): the payout failed. Checked before the transient case,
		// which would leave it 'unknown' for FinishPayment to send again.
		// (FinishPayment reports a failure while the first attempt may
		// still execute as an unknown outcome, never as this.)
		p.Status, p.Error = store.PayoutFailed, failedMessage(p, err)
	case err == nil && res != nil && (res.Status == blink.PaymentAlreadyPaid || res.Status == blink.PaymentPending) && earlier(p, res.Transaction):
		// The wallet's payment of the invoice is older than the payout: the
		// tenant paid it otherwise (its own app, another integration).
		// Nothing was sent for this payout. (A resend answered
		// ALREADY_PAID because this payout's own first attempt paid is
		// newer, and succeeds below.)
		p.Status, p.Error = store.PayoutFailed, earlierPayment
	case err == nil && res != nil:
		switch res.Status {
		case blink.PaymentSucceeded, blink.PaymentAlreadyPaid:
			p.Status = store.PayoutSucceeded
			if v, ok := res.Fee.Sats(); ok {
				p.FeeSats = int64(v)
			}
		case blink.PaymentPending:
			p.Status, p.LeaseUntil = store.PayoutInFlight, time.Now().Add(s.lease())
			if res.PaymentHash != "" {
				p.PaymentHash = res.PaymentHash
			}
		default:
			p.Status, p.Error = store.PayoutFailed, "Blink reported the payment failed"
		}
	case errors.As(err, &ou):
		// Keep what FinishPayment needs next time; retry after a short lease.
		p.Status = store.PayoutUnknown
		if ou.IdempotencyKey != p.CurrentKey && !ou.StartedAt.IsZero() {
			p.StartedAt = ou.StartedAt // a send FinishPayment made again, with its own key and start
		}
		p.CurrentKey, p.ArrivedBy, p.ResentWith = ou.IdempotencyKey, ou.ArrivedBy, ou.ResentWith
		if ou.PaymentHash != "" {
			p.PaymentHash = ou.PaymentHash
		}
		p.LeaseUntil = time.Now().Add(10 * time.Second)
		p.Error = "outcome unknown: being resolved"
	case finishing && !definiteFinish(err):
		s.unresolved(ctx, p, "finishing the payment", err)
		return
	case blink.IsTransient(err) || errors.Is(err, context.DeadlineExceeded):
		// The first send was refused before it could execute by an error
		// that may pass: 'unknown', so the next pass retires its key and,
		// finding it free, sends again (nothing is sent blindly).
		p.LeaseUntil = time.Now().Add(10 * time.Second)
		if p.Status == store.PayoutSending {
			p.Status = store.PayoutUnknown
		}
	default:
		// A definite refusal: nothing was paid.
		p.Status, p.Error = store.PayoutFailed, failedMessage(p, err)
	}
	s.save(ctx, p)
}

// definiteFinish reports an error of FinishPayment (not an unknown
// outcome, which is checked before) that is a definite answer about the
// payment: nothing was paid and nothing can be any more. These are, with
// a PaymentFailed result (Blink's own word on the send made again):
//   - ErrLimitExceeded: the send made again was refused before it was
//     sent (the fee probed above MaxFee, or a probe that failed), and
//     FinishPayment returns it only once the first attempt can no longer
//     execute (while it may, it is an unknown outcome);
//   - ErrInvoiceExpired: the SDK refused to pay the invoice again because
//     it expired (also ErrInvalidInput, hence checked by name): the
//     ledger shows no payment of it and no one can pay it any more.
//
// Anything else says nothing about the payment, only that it could not be
// looked up or finished now: 401 (a revoked or expired key), a
// ScopeError (READ or WRITE taken away), ErrPaymentAmbiguous (several
// ledger entries could be the send), any other ErrInvalidInput, a context
// error, a transient error, an error not classified at all. The payout
// stays 'unknown' for those (see unresolved): recording it failed could
// report "nothing was paid" for money that is gone.
func definiteFinish(err error) bool {
	return errors.Is(err, blink.ErrLimitExceeded) || errors.Is(err, blink.ErrInvoiceExpired)
}

// unresolved keeps a payout whose send may have executed 'unknown' after
// a look-up (RetireIdempotencyKey, FinishPayment) that gave no definite
// answer, to look again after a backoff that grows with how long it has
// been unresolved (unresolvedRetry). It is logged at error level (warn
// for an error that may pass by itself): a key revoked or stripped of
// its scopes needs an operator, and the payout cannot be final meanwhile.
func (s *Service) unresolved(ctx context.Context, p *store.Payout, what string, err error) {
	if p.Status == store.PayoutSending {
		p.Status = store.PayoutUnknown
	}
	age := time.Since(p.StartedAt)
	if p.StartedAt.IsZero() {
		age = time.Since(p.CreatedAt)
	}
	d := unresolvedRetry(age)
	reason := what + ": " + lookupMessage(err)
	p.LeaseUntil, p.Error = time.Now().Add(d), "outcome unknown, not resolved yet: "+reason
	lvl := slog.LevelError
	if blink.IsTransient(err) || errors.Is(err, context.DeadlineExceeded) {
		lvl = slog.LevelWarn
	}
	s.log.Log(ctx, lvl, "payouts: a payout that may have been paid cannot be resolved", "tenant", p.TenantID, "payout", p.ID,
		"reason", reason, "unresolved_for", age.Round(time.Second).String(), "retry_in", d.Round(time.Second).String(), "attempt", p.Attempts)
	s.save(ctx, p)
}

// unresolvedRetry is the wait before an unresolved payout is looked at
// again: a quarter of the time since its send, from 10 seconds to 10
// minutes, with ±20% jitter.
func unresolvedRetry(age time.Duration) time.Duration {
	return jitter.Spread(min(max(age/4, 10*time.Second), 10*time.Minute))
}

// lookupMessage says why a look-up failed, with no key, secret or
// invoice in it.
func lookupMessage(err error) string {
	var be *blink.Error
	var se *blink.ScopeError
	switch {
	case err == nil:
		return "no answer"
	case errors.As(err, &be) && be.Message != "", errors.As(err, &se), errors.Is(err, context.DeadlineExceeded):
		return safeMessage(err)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return fmt.Sprintf("unexpected error (%T)", err)
}

// failedMessage says why a send failed definitely (nothing was paid).
func failedMessage(p *store.Payout, err error) string {
	switch {
	case err == nil:
		return "Blink reported the payment failed; nothing was paid"
	case errors.Is(err, blink.ErrInvoiceExpired) && p.Kind == store.PayoutAddress:
		// A send that was never answered is finished only with the invoice
		// it may have paid; once that expired, nothing can be paid with it.
		return "the invoice fetched from the lightning address expired before its payment could be confirmed or made; nothing was paid: create a new payout to send again"
	case errors.Is(err, blink.ErrInvoiceExpired):
		return "the invoice expired before it could be paid; nothing was paid"
	}
	return safeMessage(err) + "; nothing was paid"
}

func (s *Service) save(ctx context.Context, p *store.Payout) {
	if err := s.st.UpdatePayout(ctx, p); err != nil {
		if errors.Is(err, store.ErrStale) {
			// Claimed again by another worker (or final): the row is
			// theirs; a send this worker made is looked up by them.
			s.log.WarnContext(ctx, "payouts: claim lost before recording", "payout", p.ID)
			return
		}
		s.log.ErrorContext(ctx, "payouts: recording", "payout", p.ID, "err", err)
		return
	}
	s.log.InfoContext(ctx, "payout "+p.Status, "tenant", p.TenantID, "payout", p.ID, "attempt", p.Attempts)
	if (p.Status == store.PayoutSucceeded || p.Status == store.PayoutFailed) && s.Finished != nil {
		s.Finished(p.Status)
	}
}

func safeMessage(err error) string {
	var be *blink.Error
	if errors.As(err, &be) && be.Message != "" {
		if be.Code != "" {
			return be.Code + ": " + be.Message
		}
		return be.Message
	}
	var se *blink.ScopeError
	if errors.As(err, &se) {
		return "the key lacks scope " + string(se.Needed)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	return "the send was refused"
}
