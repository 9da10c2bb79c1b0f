// Package tenants connects shops (tenants) to the server: it checks a Blink
// connection string with the SDK before accepting it, stores it sealed,
// hands out the tenant's API token once, and keeps one Receiver per tenant.
package tenants

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/apperr"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/netguard"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
)

// Sealed field names (bound into each ciphertext's additional data).
const (
	FieldConn         = "connection_string"
	FieldBlinkWebhook = "blink_webhook_secret"
	FieldShopWebhook  = "shop_webhook_secret"
)

// Config says which Blink deployment tenants must belong to.
type Config struct {
	// Endpoint is the GraphQL URL every tenant's connection string must
	// name (or leave out): the server talks to no other host with a
	// tenant's key.
	Endpoint string
	// KeyPrefix is the prefix of that deployment's keys ("blink_" in
	// production): a key of another environment is refused.
	KeyPrefix string
	// ClientOptions are added to every tenant's client.
	ClientOptions []blink.Option
	// Keyless, when set, makes the Receiver of a tenant connected with only
	// its lightning address (ModeAddress): no key, no secret held, receive
	// only. (*Keyless).Receiver, the SDK's keyless receive, is the one the
	// server uses; while it is nil, connecting with an address is refused
	// (501 keyless_unavailable). It is called at connect time too, and a
	// Receiver with a Probe(ctx) error method is probed then. The Receiver
	// must make CreateInvoice safe to retry on its own (an address gives no
	// look-up by external id); its Watcher may be nil: a Receiver that
	// implements InvoiceWatching has each open invoice watched, and the
	// reconciler polls the open orders too.
	Keyless func(ctx context.Context, address string) (Receiver, error)
	// AllowLoopbackWebhooks lets a shop register an http:// loopback URL
	// (tests and the demo); otherwise shop URLs must be https.
	AllowLoopbackWebhooks bool
}

// Service connects and disconnects tenants and holds their receivers.
type Service struct {
	cfg  Config
	st   store.Store
	keys *secrets.Keyring
	log  *slog.Logger

	mu        sync.Mutex
	receivers map[string]*keyReceiver
	keyless   map[string]Receiver

	// OnConnect and OnDisconnect let the payment watchers follow tenants.
	OnConnect    func(tenantID string)
	OnDisconnect func(tenantID string)
}

// NewService returns a Service.
func NewService(cfg Config, st store.Store, keys *secrets.Keyring, log *slog.Logger) *Service {
	return &Service{cfg: cfg, st: st, keys: keys, log: log, receivers: map[string]*keyReceiver{}, keyless: map[string]Receiver{}}
}

// ConnectRequest is the body of POST /v1/tenants.
type ConnectRequest struct {
	Name               string `json:"name"`
	ConnectionString   string `json:"connection_string"`
	LightningAddress   string `json:"lightning_address"`
	EnablePayouts      bool   `json:"enable_payouts"`
	BlinkWebhookSecret string `json:"blink_webhook_secret"`
	ShopWebhookURL     string `json:"shop_webhook_url"`
}

// Connected is what a connect answers, once: the token and shop secret are
// never shown again.
type Connected struct {
	Tenant            *store.Tenant
	APIToken          string
	ShopWebhookSecret string
	Warnings          []string
}

var nameForm = regexp.MustCompile(`^[\p{L}\p{N} ._'&-]{1,100}$`)

// Connect checks req with Blink and stores the tenant. Every refusal is an
// *apperr.Error and stores nothing.
func (s *Service) Connect(ctx context.Context, req ConnectRequest) (*Connected, error) {
	if !nameForm.MatchString(req.Name) {
		return nil, apperr.New(400, "invalid_name", "name must be 1 to 100 letters, digits, spaces or ._'&-")
	}
	if req.LightningAddress != "" && req.ConnectionString != "" {
		return nil, apperr.New(400, "ambiguous_connection", "give a connection string or a lightning address, not both")
	}
	if req.LightningAddress != "" {
		return s.connectKeyless(ctx, req)
	}
	if req.ConnectionString == "" {
		return nil, apperr.New(400, "missing_connection_string", "give connection_string (type=blink;server=...;api-key=...;wallet-id=...)")
	}
	cs, err := blink.ParseConnectionString(req.ConnectionString)
	if err != nil {
		// The SDK's messages never quote the input, so never the key.
		return nil, apperr.New(400, "invalid_connection_string", "%s", strings.TrimPrefix(err.Error(), "blink: "))
	}
	server := cs.Server
	if server == "" {
		server = blink.Production.URL()
	}
	if !sameEndpoint(server, s.cfg.Endpoint) {
		return nil, apperr.New(400, "wrong_server", "this server accepts keys of %s only", s.cfg.Endpoint)
	}
	if cs.AllowInsecure && !insecureAllowed(server) {
		// The key would cross the network in clear: a tenant's string
		// never switches plain HTTP on, except to a loopback host.
		return nil, apperr.New(400, "insecure_server", "allowinsecure=true is accepted for a loopback server only: the API key would travel in clear; use the https:// endpoint")
	}
	key := cs.APIKey()
	if !strings.HasPrefix(key, s.cfg.KeyPrefix) {
		return nil, apperr.New(400, "wrong_environment", "the API key is not a key of this server's Blink environment (its keys start with %q)", s.cfg.KeyPrefix)
	}
	var blinkSecret string
	if req.BlinkWebhookSecret != "" {
		if !validWebhookSecret(req.BlinkWebhookSecret) {
			return nil, apperr.New(400, "invalid_webhook_secret", "blink_webhook_secret must be the endpoint's whsec_ secret from the Blink dashboard")
		}
		blinkSecret = req.BlinkWebhookSecret
	}
	if req.ShopWebhookURL != "" {
		if err := s.CheckShopURL(req.ShopWebhookURL); err != nil {
			return nil, err
		}
	}

	c, err := cs.NewClient(s.cfg.ClientOptions...)
	if err != nil {
		return nil, apperr.New(400, "invalid_connection_string", "%s", strings.TrimPrefix(err.Error(), "blink: "))
	}
	defer c.Close()
	scopes, err := c.Scopes(ctx)
	switch {
	case errors.Is(err, blink.ErrInvalidAPIKey), errors.Is(err, blink.ErrNotAuthenticated):
		return nil, apperr.New(400, "invalid_api_key", "Blink does not accept this API key (revoked, expired or mistyped)")
	case errors.Is(err, blink.ErrInsufficientScope):
		return nil, apperr.New(400, "missing_scope", "the key needs scopes READ and RECEIVE (Blink does not tell a key's scopes without READ)")
	case err != nil:
		return nil, upstream(err)
	}
	has := func(sc blink.Scope) bool { return slices.Contains(scopes, sc) }
	if !has(blink.ScopeRead) || !(has(blink.ScopeReceive) || has(blink.ScopeWrite)) {
		return nil, apperr.New(400, "missing_scope", "the key needs scopes READ and RECEIVE; it has %s", joinScopes(scopes))
	}
	var warnings []string
	switch {
	case has(blink.ScopeWrite) && !req.EnablePayouts:
		return nil, apperr.New(400, "write_scope_without_payouts", "the key can send payments (scope WRITE) but payouts are not enabled: create a key with READ and RECEIVE only, or set enable_payouts")
	case req.EnablePayouts && !has(blink.ScopeWrite):
		return nil, apperr.New(400, "missing_scope", "payouts need a key with scope WRITE")
	case has(blink.ScopeWrite):
		warnings = append(warnings, "this key has scope WRITE: it can spend the wallet's balance. Blink advises against giving WRITE keys to third-party servers; set a spending limit on the key in the Blink dashboard")
	}

	var w *blink.Wallet
	if cs.WalletID != "" {
		w, err = c.Wallet(ctx, cs.WalletID)
	} else {
		w, err = c.DefaultWallet(ctx, blink.BTC)
	}
	switch {
	case errors.Is(err, blink.ErrNotFound), errors.Is(err, blink.ErrInvalidInput):
		return nil, apperr.New(400, "wallet_not_found", "the wallet is not one of the key's account")
	case err != nil:
		return nil, upstream(err)
	}
	me, err := c.Me(ctx)
	if err != nil {
		return nil, upstream(err)
	}
	if cs.Currency != "" && cs.Currency != w.Currency {
		return nil, apperr.New(400, "wallet_currency_mismatch", "the connection string says %s but the wallet is a %s wallet", cs.Currency, w.Currency)
	}
	// A wound-down account still connects (its shop must see the banner),
	// with a warning; a failed look-up is retried by the periodic check.
	wd, wdErr := c.WindDown(ctx)
	var cr *blink.CustodialRestrictions
	if wdErr == nil {
		cr, wdErr = c.CustodialRestrictions(ctx)
	}

	t := &store.Tenant{
		ID:             secrets.NewID("tn"),
		Name:           req.Name,
		Mode:           store.ModeKey,
		Status:         store.StatusActive,
		KeyPrefix:      keyPrefix(key),
		KeyLast4:       key[len(key)-4:],
		AccountID:      me.AccountID,
		WalletID:       w.ID,
		Currency:       string(w.Currency),
		PayoutsEnabled: req.EnablePayouts,
		ShopWebhookURL: req.ShopWebhookURL,
	}
	for _, sc := range scopes {
		t.Scopes = append(t.Scopes, string(sc))
	}
	cs.Server = server
	cs.WalletID = w.ID
	t.Secrets.Conn = s.seal(cs.String(), t.ID, FieldConn)
	if blinkSecret != "" {
		t.Secrets.BlinkWebhook = s.seal(blinkSecret, t.ID, FieldBlinkWebhook)
	}
	if wdErr == nil {
		n := store.AccountNotices{WindDown: encodeWindDown(wd), Restrictions: encodeRestrictions(cr), CheckedAt: timeNow()}
		t.WindDown, t.Restrictions, t.WindDownCheckedAt = n.WindDown, n.Restrictions, n.CheckedAt
		if wd.Active() {
			warnings = append(warnings, wd.String())
		}
		if r := ParseRestrictions(n.Restrictions); r != nil {
			warnings = append(warnings, r.Message)
		}
		s.logNotices(ctx, t.ID, wd, n)
	}
	out := &Connected{Tenant: t, Warnings: warnings}
	if req.ShopWebhookURL != "" {
		out.ShopWebhookSecret = secrets.NewWebhookSecret()
		t.Secrets.ShopWebhook = s.seal(out.ShopWebhookSecret, t.ID, FieldShopWebhook)
	}
	out.APIToken, t.APITokenHash = secrets.NewToken()
	if err := s.st.CreateTenant(ctx, t); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, apperr.New(409, "account_already_connected", "this Blink account is connected to another tenant already: disconnect it first (order ids are unique per Blink account)")
		}
		return nil, err
	}
	s.log.InfoContext(ctx, "tenant connected", "tenant", t.ID, "key", t.KeyPrefix+"..."+t.KeyLast4, "scopes", strings.Join(t.Scopes, ","), "wallet", t.WalletID, "currency", t.Currency)
	if s.OnConnect != nil {
		s.OnConnect(t.ID)
	}
	return out, nil
}

var addressForm = regexp.MustCompile(`^[a-z0-9._+-]{1,64}@[a-z0-9.-]{1,253}\.?[a-z0-9-]*$`)

// connectKeyless connects a tenant by its lightning address alone.
func (s *Service) connectKeyless(ctx context.Context, req ConnectRequest) (*Connected, error) {
	if s.cfg.Keyless == nil {
		return nil, apperr.New(501, "keyless_unavailable", "connecting with a lightning address only is not available on this server yet: connect with a Blink connection string")
	}
	addr := strings.ToLower(strings.TrimSpace(req.LightningAddress))
	if !addressForm.MatchString(addr) {
		return nil, apperr.New(400, "invalid_lightning_address", "lightning_address must look like user@domain")
	}
	if req.EnablePayouts {
		return nil, apperr.New(400, "payouts_need_key", "payouts need a Blink connection string with a WRITE key")
	}
	if req.BlinkWebhookSecret != "" {
		return nil, apperr.New(400, "webhooks_need_key", "Blink webhooks belong to accounts connected with a key")
	}
	if req.ShopWebhookURL != "" {
		if err := s.CheckShopURL(req.ShopWebhookURL); err != nil {
			return nil, err
		}
	}
	rx, err := s.cfg.Keyless(ctx, addr)
	if err == nil {
		if p, ok := rx.(interface{ Probe(context.Context) error }); ok {
			if err = p.Probe(ctx); err != nil {
				rx.Close()
			}
		}
	}
	if err != nil {
		if e, ok := apperr.As(err); ok {
			return nil, e
		}
		return nil, apperr.New(400, "invalid_lightning_address", "the lightning address does not resolve to a wallet that can receive")
	}
	t := &store.Tenant{
		ID: secrets.NewID("tn"), Name: req.Name, Mode: store.ModeAddress, Status: store.StatusActive,
		LightningAddress: addr, AccountID: "address:" + addr, Currency: string(blink.BTC), ShopWebhookURL: req.ShopWebhookURL,
	}
	out := &Connected{Tenant: t}
	if req.ShopWebhookURL != "" {
		out.ShopWebhookSecret = secrets.NewWebhookSecret()
		t.Secrets.ShopWebhook = s.seal(out.ShopWebhookSecret, t.ID, FieldShopWebhook)
	}
	out.APIToken, t.APITokenHash = secrets.NewToken()
	if err := s.st.CreateTenant(ctx, t); err != nil {
		rx.Close()
		if errors.Is(err, store.ErrConflict) {
			return nil, apperr.New(409, "account_already_connected", "this lightning address is connected to another tenant already")
		}
		return nil, err
	}
	s.mu.Lock()
	s.keyless[t.ID] = rx
	s.mu.Unlock()
	s.log.InfoContext(ctx, "tenant connected", "tenant", t.ID, "mode", t.Mode)
	if s.OnConnect != nil {
		s.OnConnect(t.ID)
	}
	return out, nil
}

// Disconnect disables the tenant and wipes its sealed secrets.
func (s *Service) Disconnect(ctx context.Context, tenantID string) error {
	err := s.st.DisconnectTenant(ctx, tenantID)
	if errors.Is(err, store.ErrPayoutsInFlight) {
		return apperr.New(409, "payouts_in_flight", "a payout is being sent or resolved: disconnect once every payout is final")
	}
	if err != nil {
		return err
	}
	s.Forget(tenantID)
	if s.OnDisconnect != nil {
		s.OnDisconnect(tenantID)
	}
	s.log.InfoContext(ctx, "tenant disconnected", "tenant", tenantID)
	return nil
}

// Forget closes the cached client of a tenant (disconnected on another
// replica): its key leaves this process's memory.
func (s *Service) Forget(tenantID string) {
	s.mu.Lock()
	r, kr := s.receivers[tenantID], s.keyless[tenantID]
	delete(s.receivers, tenantID)
	delete(s.keyless, tenantID)
	s.mu.Unlock()
	if r != nil {
		r.Close()
	}
	if kr != nil {
		kr.Close()
	}
}

// SetShopWebhook registers the shop's URL and returns a fresh secret for it, once.
func (s *Service) SetShopWebhook(ctx context.Context, tenantID, rawURL string) (string, error) {
	if err := s.CheckShopURL(rawURL); err != nil {
		return "", err
	}
	secret := secrets.NewWebhookSecret()
	if err := s.st.SetShopWebhook(ctx, tenantID, rawURL, s.seal(secret, tenantID, FieldShopWebhook)); err != nil {
		return "", err
	}
	return secret, nil
}

// SetBlinkWebhookSecret stores the whsec_ secret of the tenant's Blink endpoint.
func (s *Service) SetBlinkWebhookSecret(ctx context.Context, tenantID, secret string) error {
	if !validWebhookSecret(secret) {
		return apperr.New(400, "invalid_webhook_secret", "secret must be the endpoint's whsec_ secret from the Blink dashboard")
	}
	return s.st.SetBlinkWebhookSecret(ctx, tenantID, s.seal(secret, tenantID, FieldBlinkWebhook))
}

// CheckShopURL accepts absolute https URLs to a public host (and http or
// https loopback ones when AllowLoopbackWebhooks is set). An IP literal
// that is not public unicast (private, loopback, link-local such as the
// cloud metadata address, unique-local, CGNAT, unspecified, multicast) and
// localhost names are refused here; a name that resolves to such an
// address is refused when the outbox dials it (netguard.Policy.Control).
func (s *Service) CheckShopURL(raw string) error {
	u, err := url.Parse(raw)
	bad := apperr.New(400, "invalid_webhook_url", "the webhook URL must be an absolute https:// URL")
	if err != nil || u.Host == "" || u.User != nil || len(raw) > 2000 {
		return bad
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && s.cfg.AllowLoopbackWebhooks && netguard.IsLoopbackHost(host):
	default:
		return bad
	}
	if err := s.ShopPolicy().CheckHost(host); err != nil {
		return apperr.New(400, "invalid_webhook_url", "the webhook URL must name a public host: private, loopback, link-local and other internal addresses are refused")
	}
	return nil
}

// ShopPolicy is the policy shop webhook URLs are checked and dialled
// with: public addresses, and loopback ones under AllowLoopbackWebhooks.
func (s *Service) ShopPolicy() netguard.Policy {
	return netguard.Policy{AllowLoopback: s.cfg.AllowLoopbackWebhooks}
}

// insecureAllowed reports whether a connection string's allowinsecure may
// take effect for server: only for a loopback host, where the key does not
// cross a network.
func insecureAllowed(server string) bool {
	u, err := url.Parse(server)
	return err == nil && netguard.IsLoopbackHost(u.Hostname())
}

// Receiver returns the tenant's receiver, opening its sealed connection
// string the first time.
func (s *Service) Receiver(ctx context.Context, tenantID string) (Receiver, error) {
	s.mu.Lock()
	kr := s.keyless[tenantID]
	s.mu.Unlock()
	if kr != nil {
		return kr, nil
	}
	r, err := s.keyReceiver(ctx, tenantID)
	if errors.Is(err, errKeyless) {
		return s.keylessReceiver(ctx, tenantID)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

var errKeyless = errors.New("tenant is keyless")

func (s *Service) keylessReceiver(ctx context.Context, tenantID string) (Receiver, error) {
	if s.cfg.Keyless == nil {
		return nil, apperr.New(501, "keyless_unavailable", "this server cannot receive for keyless tenants")
	}
	t, err := s.st.Tenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	rx, err := s.cfg.Keyless(ctx, t.LightningAddress)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev := s.keyless[tenantID]; prev != nil {
		rx.Close()
		return prev, nil
	}
	s.keyless[tenantID] = rx
	return rx, nil
}

// Payer returns the tenant's sending side; an *apperr.Error when the
// tenant may not send.
func (s *Service) Payer(ctx context.Context, t *store.Tenant) (Payer, error) {
	if !t.PayoutsEnabled || !slices.Contains(t.Scopes, string(blink.ScopeWrite)) {
		return nil, apperr.New(403, "payouts_disabled", "payouts need a key with scope WRITE connected with enable_payouts")
	}
	return s.keyReceiver(ctx, t.ID)
}

func (s *Service) keyReceiver(ctx context.Context, tenantID string) (*keyReceiver, error) {
	s.mu.Lock()
	r := s.receivers[tenantID]
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	t, err := s.st.Tenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if t.Status != store.StatusActive {
		return nil, apperr.New(409, "tenant_inactive", "the tenant is disconnected")
	}
	if t.Mode == store.ModeAddress {
		return nil, errKeyless
	}
	if t.Secrets.Conn.IsZero() {
		return nil, apperr.New(409, "tenant_inactive", "the tenant is disconnected")
	}
	raw, err := s.keys.Open(t.Secrets.Conn.Ciphertext, t.Secrets.Conn.KeyID, t.ID, FieldConn)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: opening the connection string: %w", t.ID, err)
	}
	cs, err := blink.ParseConnectionString(string(raw))
	if err != nil {
		return nil, fmt.Errorf("tenant %s: stored connection string: %w", t.ID, err)
	}
	if cs.AllowInsecure && !insecureAllowed(cs.Server) {
		// Stored before Connect refused it: the SDK then refuses plain
		// http:// to this host instead of sending the key in clear.
		cs.AllowInsecure = false
	}
	c, err := cs.NewClient(s.cfg.ClientOptions...)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", t.ID, err)
	}
	r = &keyReceiver{c: c, walletID: t.WalletID, currency: blink.WalletCurrency(t.Currency)}
	s.mu.Lock()
	if prev := s.receivers[tenantID]; prev != nil {
		s.mu.Unlock()
		c.Close()
		return prev, nil
	}
	s.receivers[tenantID] = r
	s.mu.Unlock()
	return r, nil
}

// OpenSecret opens one of a tenant's sealed secrets ("" when absent).
func (s *Service) OpenSecret(t *store.Tenant, field string) (string, error) {
	var sealed store.Sealed
	switch field {
	case FieldBlinkWebhook:
		sealed = t.Secrets.BlinkWebhook
	case FieldShopWebhook:
		sealed = t.Secrets.ShopWebhook
	case FieldConn:
		sealed = t.Secrets.Conn
	}
	if sealed.IsZero() {
		return "", nil
	}
	b, err := s.keys.Open(sealed.Ciphertext, sealed.KeyID, t.ID, field)
	return string(b), err
}

// Close closes every receiver.
func (s *Service) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.receivers {
		r.Close()
		delete(s.receivers, id)
	}
	for id, r := range s.keyless {
		r.Close()
		delete(s.keyless, id)
	}
}

func (s *Service) seal(v, tenantID, field string) store.Sealed {
	ct, kid := s.keys.Seal([]byte(v), tenantID, field)
	return store.Sealed{Ciphertext: ct, KeyID: kid}
}

// Rotate re-seals every tenant's secrets under the keyring's current key,
// then, when the store can (store.SQL.Scrub), removes the old ciphertexts
// from the database files: a key is rotated because it may have leaked.
func Rotate(ctx context.Context, st store.Store, keys *secrets.Keyring) (rotated int, err error) {
	all, err := st.AllTenants(ctx)
	if err != nil {
		return 0, err
	}
	if sc, ok := st.(interface{ Scrub(context.Context) error }); ok {
		defer func() {
			if rotated > 0 {
				if serr := sc.Scrub(ctx); serr != nil && err == nil {
					err = fmt.Errorf("rotated %d tenants; removing the old ciphertexts from the database files: %w", rotated, serr)
				}
			}
		}()
	}
	for _, t := range all {
		old := t.Secrets
		nw := old
		changed := false
		for _, f := range []struct {
			name string
			s    *store.Sealed
		}{{FieldConn, &nw.Conn}, {FieldBlinkWebhook, &nw.BlinkWebhook}, {FieldShopWebhook, &nw.ShopWebhook}} {
			if f.s.IsZero() || f.s.KeyID == keys.CurrentKeyID() {
				continue
			}
			pt, err := keys.Open(f.s.Ciphertext, f.s.KeyID, t.ID, f.name)
			if err != nil {
				return rotated, fmt.Errorf("tenant %s, %s: %w", t.ID, f.name, err)
			}
			ct, kid := keys.Seal(pt, t.ID, f.name)
			*f.s = store.Sealed{Ciphertext: ct, KeyID: kid}
			changed = true
		}
		if !changed {
			continue
		}
		ok, err := st.ReplaceSealed(ctx, t.ID, old, nw)
		if err != nil {
			return rotated, err
		}
		if ok {
			rotated++
		}
	}
	return rotated, nil
}

func upstream(err error) error {
	if blink.IsTransient(err) {
		return apperr.New(http.StatusBadGateway, "blink_unavailable", "Blink did not answer: try again")
	}
	return apperr.New(http.StatusBadGateway, "blink_error", "Blink refused the request")
}

func sameEndpoint(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) && strings.TrimSuffix(ua.Path, "/") == strings.TrimSuffix(ub.Path, "/")
}

func keyPrefix(key string) string {
	if i := strings.LastIndex(key, "_"); i >= 0 {
		return key[:i+1]
	}
	return ""
}

func joinScopes(sc []blink.Scope) string {
	if len(sc) == 0 {
		return "none"
	}
	var parts []string
	for _, s := range sc {
		parts = append(parts, string(s))
	}
	return strings.Join(parts, ", ")
}

// validWebhookSecret accepts a whsec_ secret whose key is base64 of 16 to
// 64 bytes (Svix's are 24 or 32) that blink/webhook can sign with.
func validWebhookSecret(secret string) bool {
	raw, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(b) < 16 || len(b) > 64 {
		return false
	}
	_, err = webhook.Sign(secret, "msg_check", timeNow(), nil)
	return err == nil
}
