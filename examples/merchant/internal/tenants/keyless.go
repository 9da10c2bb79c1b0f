package tenants

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/apperr"
)

// KeylessOptions configure Keyless.
type KeylessOptions struct {
	// HTTPClient sends the LNURL-pay requests (blinktest's LNURLHTTPClient
	// in tests); nil is the SDK's own client with timeouts.
	HTTPClient *http.Client
	// AllowLoopbackHTTP accepts loopback callback and verify URLs (tests).
	AllowLoopbackHTTP bool
	// ClientOptions are added to the keyless GraphQL client.
	ClientOptions []blink.Option
	// PollFloor is the SDK's first polling interval (default 3s).
	PollFloor time.Duration
	// Concurrency is how many checks the shared watcher runs at once (default 8).
	Concurrency int
	// ExpiryGrace is how long after an invoice's expiry a settlement still
	// counts as paid (the SDK's AddressReceiverOptions.ExpiryGrace; default
	// 2 minutes): the watcher keeps checking that long, and the reconciler
	// does not expire a keyless order before it ends. A settlement after
	// it makes the order paid_late.
	ExpiryGrace time.Duration
}

// Keyless receives for tenants connected by lightning address only, with
// the SDK's keyless receive: one key-less GraphQL client and one
// InvoiceWatcher for the whole process (its polling budget is shared by
// every keyless tenant), and one blink.AddressReceiver per tenant.
// Receiver is what Config.Keyless wants.
type Keyless struct {
	c       *blink.Client
	watcher *blink.InvoiceWatcher
	opts    blink.AddressReceiverOptions

	mu     sync.Mutex
	domain string
}

// NewKeyless returns a Keyless for the Blink deployment at endpoint.
func NewKeyless(endpoint string, o KeylessOptions) (*Keyless, error) {
	c, err := blink.New("", append([]blink.Option{blink.WithEndpoint(endpoint)}, o.ClientOptions...)...)
	if err != nil {
		return nil, err
	}
	if o.ExpiryGrace <= 0 {
		o.ExpiryGrace = 2 * time.Minute
	}
	return &Keyless{
		c:       c,
		watcher: blink.NewInvoiceWatcher(&blink.WatcherOptions{Concurrency: o.Concurrency}),
		opts:    blink.AddressReceiverOptions{HTTPClient: o.HTTPClient, AllowLoopbackHTTP: o.AllowLoopbackHTTP, PollFloor: o.PollFloor, ExpiryGrace: o.ExpiryGrace},
	}, nil
}

// Close stops the shared watcher (every watch ends with ErrClientClosed)
// and closes the client.
func (k *Keyless) Close() {
	k.watcher.Close()
	k.c.Close()
}

// Watching is how many invoices the shared watcher holds.
func (k *Keyless) Watching() int { return k.watcher.Watching() }

// serverDomain is the deployment's lightning address domain (asked once).
func (k *Keyless) serverDomain(ctx context.Context) (string, error) {
	k.mu.Lock()
	d := k.domain
	k.mu.Unlock()
	if d != "" {
		return d, nil
	}
	g, err := k.c.Globals(ctx)
	if err != nil {
		return "", err
	}
	d = strings.ToLower(g.LightningAddressDomain)
	k.mu.Lock()
	k.domain = d
	k.mu.Unlock()
	return d, nil
}

// Receiver returns the receiver of a lightning address on this Blink
// deployment's domain (another domain is refused: the server receives for
// Blink accounts). It sends one query the first time (the domain).
func (k *Keyless) Receiver(ctx context.Context, address string) (Receiver, error) {
	a, err := blink.ParseLightningAddress(address)
	if err != nil {
		return nil, apperr.New(400, "invalid_lightning_address", "lightning_address must look like user@domain")
	}
	d, err := k.serverDomain(ctx)
	if err != nil {
		return nil, upstream(err)
	}
	if a.Domain != d {
		return nil, apperr.New(400, "foreign_lightning_address", "this server receives for lightning addresses @%s only", d)
	}
	ar, err := k.c.AddressReceiver(a.String(), &k.opts)
	if err != nil {
		return nil, apperr.New(400, "invalid_lightning_address", "lightning_address must look like user@domain")
	}
	return &addressReceiver{k: k, ar: ar, pending: map[string]*pendingInvoice{}}, nil
}

// Probe checks that the address receives: it mints a 1-sat invoice that
// nobody is asked to pay (the SDK checks its amount, network, description
// hash and URLs), so an address that cannot receive is refused at connect
// time, before anything is stored.
func (r *addressReceiver) Probe(ctx context.Context) error {
	if _, err := r.ar.CreateInvoice(ctx, 1, &blink.AddressInvoiceOptions{Comment: "connection check", Expiry: time.Minute}); err != nil {
		return keylessRefusal(err)
	}
	return nil
}

func keylessRefusal(err error) error {
	switch {
	case errors.Is(err, blink.ErrReceiveDisabled):
		return apperr.New(409, "receive_disabled", "Blink says this account can no longer receive (wind-down): %s", safeMessage(err))
	case errors.Is(err, blink.ErrAddressNotFound):
		return apperr.New(400, "invalid_lightning_address", "the lightning address does not exist")
	case blink.IsTransient(err):
		return apperr.New(502, "blink_unavailable", "the lightning address did not answer: try again")
	}
	return apperr.New(400, "invalid_lightning_address", "the lightning address does not give valid invoices: %s", safeMessage(err))
}

func safeMessage(err error) string {
	var be *blink.Error
	if errors.As(err, &be) && be.Message != "" {
		return be.Message
	}
	return "see the server log"
}

// addressReceiver is the Receiver of a keyless tenant.
type addressReceiver struct {
	k  *Keyless
	ar *blink.AddressReceiver

	mu      sync.Mutex
	pending map[string]*pendingInvoice // by external id, while being minted
}

type pendingInvoice struct {
	done chan struct{}
	inv  *Invoice
	err  error
}

// Close releases nothing: the client and watcher are the process's.
func (r *addressReceiver) Close() error     { return nil }
func (r *addressReceiver) Watcher() Watcher { return nil }

// CreateInvoice mints an invoice from the address. An address has no
// look-up by external id, so retries are made safe by the caller's order
// row (an invoice is shown to a payer only once it is stored on the order;
// one minted by a crashed attempt was never shown) and, within the
// process, by minting once per external id at a time.
func (r *addressReceiver) CreateInvoice(ctx context.Context, req InvoiceRequest) (*Invoice, error) {
	if req.Sats <= 0 {
		return nil, &blink.Error{Operation: "CreateInvoice", Message: "a keyless tenant receives amounts in sats"}
	}
	r.mu.Lock()
	if p := r.pending[req.ExternalID]; p != nil {
		r.mu.Unlock()
		select {
		case <-p.done:
			return p.inv, p.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	p := &pendingInvoice{done: make(chan struct{})}
	r.pending[req.ExternalID] = p
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.pending, req.ExternalID)
		r.mu.Unlock()
		close(p.done)
	}()
	inv, err := r.ar.CreateInvoice(ctx, req.Sats, &blink.AddressInvoiceOptions{Comment: truncateComment(req.Memo), Expiry: req.ExpiresIn})
	if err != nil {
		p.err = err
		return nil, err
	}
	p.inv = &Invoice{PaymentRequest: inv.PaymentRequest, PaymentHash: inv.PaymentHash, Amount: inv.Amount,
		CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, VerifyURL: inv.VerifyURL, Path: string(inv.Path), WalletID: inv.WalletID}
	return p.inv, nil
}

func truncateComment(s string) string {
	if len(s) <= 255 {
		return s
	}
	s = s[:255]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// addressInvoice rebuilds the SDK's invoice from what the order stores.
func (r *addressReceiver) addressInvoice(ref InvoiceRef) *blink.AddressInvoice {
	return &blink.AddressInvoice{
		PaymentRequest: ref.PaymentRequest, PaymentHash: ref.PaymentHash, Amount: blink.Sats(ref.Sats),
		Path: blink.ReceivePath(ref.Path), Address: r.ar.Address().String(), VerifyURL: ref.VerifyURL,
		WalletID: ref.WalletID, CreatedAt: ref.CreatedAt, ExpiresAt: ref.ExpiresAt,
	}
}

// InvoiceStatus checks the invoice once (LUD-21 verify, or the public
// status query on the custodial path): paid only with a preimage that
// proves it, expired once Blink's own answer says so after the expiry.
func (r *addressReceiver) InvoiceStatus(ctx context.Context, ref InvoiceRef) (blink.InvoiceStatus, error) {
	st, err := r.ar.Check(ctx, r.addressInvoice(ref))
	if err != nil {
		return "", err
	}
	switch st.State {
	case blink.ReceivePaid:
		return blink.InvoicePaid, nil
	case blink.ReceiveExpired:
		return blink.InvoiceExpired, nil
	case blink.ReceiveTransient:
		if st.Err != nil {
			return "", st.Err
		}
		return "", errors.New("the check failed: " + st.Reason)
	}
	return blink.InvoicePending, nil
}

// ExpiryGrace is how long after an invoice's expiry a settlement still
// counts as paid (the watcher checks that long).
func (r *addressReceiver) ExpiryGrace() time.Duration { return r.k.opts.ExpiryGrace }

// WatchInvoice hands the invoice to the process's shared watcher; the
// channel gets one result (paid when Err is nil).
func (r *addressReceiver) WatchInvoice(ref InvoiceRef) <-chan blink.WatchResult {
	return r.k.watcher.Watch(r.ar, r.addressInvoice(ref))
}
