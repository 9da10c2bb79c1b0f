package fake

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// AccountOptions describes an account to create. Zero fields take their
// defaults.
type AccountOptions struct {
	Username        string // "" = a generated username (none with NoUsername)
	Level           string // "ONE" by default; "ZERO", "TWO", "THREE"
	DisplayCurrency string // "USD" by default
	BTCBalance      int64  // sats
	USDBalance      int64  // cents
	DefaultCurrency string // "BTC" by default; or "USD"
	NoUsername      bool   // an account without a username (userUpdateUsername can set one)
}

// Account identifies a created account.
type Account struct {
	ID, UserID, Username, BTCWalletID, USDWalletID, DefaultWalletID string
}

// KeyOptions describes an API key to create.
type KeyOptions struct {
	// Scopes are "READ", "RECEIVE" and "WRITE"; empty means all three.
	Scopes []string
	// Spending limits in sats over rolling windows; 0 = no limit.
	DailyLimitSats, WeeklyLimitSats, MonthlyLimitSats, AnnualLimitSats int64
	// Name is the key's name in me.apiKeys; "" = "blinktest".
	Name string
	// ExpiresAt is when the key stops authenticating (by the server's
	// clock); zero = never.
	ExpiresAt time.Time
}

type account struct {
	id, userID, username    string
	level, displayCurrency  string
	btcWallet, usdWallet    string
	defaultWallet           string
	createdAt               time.Time
	endpoints               []endpoint
	selfRate, recipientRate rateWindow // invoice creation rate limits
	addressRate             rateWindow // on-chain address creation rate limit
	whSecret                string     // signs the deliveries to endpoints (webhooks.go)
	set                     settings   // resolve_settings.go, resolve_contacts.go
}

type wallet struct {
	id, accountID string
	currency      string         // "BTC" or "USD"
	balance       int64          // sats or cents
	txs           []*Transaction // the ledger, oldest first (ascending seq)
	currentAddr   string
	pendingIn     []*Transaction // incoming on-chain, unconfirmed; not in the ledger yet
	pendingLog    []*Transaction // every pending incoming ever, oldest first, for myUpdates
}

type endpoint struct{ id, url string }

type apiKey struct {
	key, accountID string
	scopes         []string
	limits         [4]int64 // daily, weekly, monthly, annual
	spends         []spend

	id, name   string
	seq        int       // creation order, for me.apiKeys
	createdAt  time.Time //
	expiresAt  time.Time // zero = never
	lastUsedAt time.Time // zero = never used
	revoked    bool
}

type spend struct {
	at   time.Time
	sats int64
	cum  int64 // sats of this spend and of every earlier one
}

var usernameRe = regexp.MustCompile(`^[0-9a-z_]{3,50}$`)

// CreateAccount creates an account with a BTC and a USD wallet funded with
// the given balances. It panics on an invalid or taken username.
func (s *Server) CreateAccount(o AccountOptions) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.NoUsername && o.Username != "" {
		panic("blinktest: NoUsername with a Username")
	}
	if o.Username == "" && !o.NoUsername {
		o.Username = "user_" + strings.ToLower(randomAlnum(10))
	}
	o.Username = strings.ToLower(o.Username)
	if !o.NoUsername && !usernameRe.MatchString(o.Username) {
		panic(fmt.Sprintf("blinktest: invalid username %q", o.Username))
	}
	if _, taken := s.byUsername[o.Username]; taken {
		panic(fmt.Sprintf("blinktest: username %q is taken", o.Username))
	}
	if o.Level == "" {
		o.Level = "ONE"
	}
	if o.DisplayCurrency == "" {
		o.DisplayCurrency = "USD"
	}
	a := &account{
		id: newUUID(), userID: newUUID(), username: o.Username,
		level: o.Level, displayCurrency: o.DisplayCurrency,
		createdAt: s.now(), whSecret: newWebhookSecret(),
	}
	btc := &wallet{id: newUUID(), accountID: a.id, currency: "BTC", balance: o.BTCBalance}
	usd := &wallet{id: newUUID(), accountID: a.id, currency: "USD", balance: o.USDBalance}
	a.btcWallet, a.usdWallet = btc.id, usd.id
	a.defaultWallet = btc.id
	if strings.EqualFold(o.DefaultCurrency, "USD") {
		a.defaultWallet = usd.id
	}
	s.accounts[a.id] = a
	if a.username != "" {
		s.byUsername[a.username] = a
	}
	s.wallets[btc.id] = btc
	s.wallets[usd.id] = usd
	return a.public()
}

func (a *account) public() Account {
	return Account{
		ID: a.id, UserID: a.userID, Username: a.username,
		BTCWalletID: a.btcWallet, USDWalletID: a.usdWallet, DefaultWalletID: a.defaultWallet,
	}
}

// CreateAPIKey creates an API key for the account and returns it. It panics
// if the account does not exist or a scope is unknown.
func (s *Server) CreateAPIKey(accountID string, o KeyOptions) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[accountID]; !ok {
		panic(fmt.Sprintf("blinktest: no account %q", accountID))
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{"READ", "RECEIVE", "WRITE"}
	}
	for i, sc := range scopes {
		scopes[i] = strings.ToUpper(sc)
		switch scopes[i] {
		case "READ", "RECEIVE", "WRITE":
		default:
			panic(fmt.Sprintf("blinktest: unknown scope %q", sc))
		}
	}
	name := o.Name
	if name == "" {
		name = "blinktest"
	}
	k := s.newKey(accountID, name, scopes, o.ExpiresAt)
	k.limits = [4]int64{o.DailyLimitSats, o.WeeklyLimitSats, o.MonthlyLimitSats, o.AnnualLimitSats}
	return k.key
}

// newKey creates and registers an API key. Callers hold s.mu.
func (s *Server) newKey(accountID, name string, scopes []string, expiresAt time.Time) *apiKey {
	s.keySeq++
	k := &apiKey{
		key:       s.cfg.KeyPrefix + randomAlnum(64),
		accountID: accountID,
		scopes:    scopes,
		id:        newUUID(),
		name:      name,
		seq:       s.keySeq,
		createdAt: s.now(),
		expiresAt: expiresAt,
	}
	s.keys[k.key] = k
	return k
}

// RevokeAPIKey revokes an API key, as apiKeyRevoke does: from then on it
// gets HTTP 401. It panics if the key does not exist.
func (s *Server) RevokeAPIKey(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[key]
	if !ok {
		panic("blinktest: no such API key")
	}
	k.revoked = true
}

// active reports whether the key authenticates at now: not revoked and
// not expired (upstream accepts a key while expires_at > NOW(),
// core/api-keys/src/identity/mod.rs:117-119).
func (k *apiKey) active(now time.Time) bool {
	return !k.revoked && (k.expiresAt.IsZero() || now.Before(k.expiresAt))
}

func (k *apiKey) has(scope string) bool {
	for _, s := range k.scopes {
		if s == scope {
			return true
		}
	}
	return false
}

var limitWindows = [4]struct {
	name string
	d    time.Duration
}{
	{"daily", 24 * time.Hour},
	{"weekly", 7 * 24 * time.Hour},
	{"monthly", 30 * 24 * time.Hour},
	{"annual", 365 * 24 * time.Hour},
}

// checkSpend reports the first limit window the key would exceed by
// spending sats more, or "". Callers hold s.mu.
func (k *apiKey) checkSpend(now time.Time, sats int64) string {
	if k == nil {
		return ""
	}
	for i, w := range limitWindows {
		if k.limits[i] <= 0 {
			continue
		}
		if k.spentWithin(now, w.d)+sats > k.limits[i] {
			return w.name
		}
	}
	return ""
}

// spentWithin is what the key spent in the window d before now. The spends
// are in ascending time order with running totals, so this is a binary
// search, whatever the number of spends.
func (k *apiKey) spentWithin(now time.Time, d time.Duration) int64 {
	n := len(k.spends)
	if n == 0 {
		return 0
	}
	i := sort.Search(n, func(i int) bool { return now.Sub(k.spends[i].at) < d })
	spent := k.spends[n-1].cum
	if i > 0 {
		spent -= k.spends[i-1].cum
	}
	return spent
}

func (k *apiKey) recordSpend(now time.Time, sats int64) {
	if k == nil || sats <= 0 {
		return
	}
	// Keep the spends in ascending time order (an append unless the clock
	// went back) and the running totals right from the insertion on.
	i := len(k.spends)
	for i > 0 && now.Before(k.spends[i-1].at) {
		i--
	}
	k.spends = slices.Insert(k.spends, i, spend{at: now, sats: sats})
	for j := i; j < len(k.spends); j++ {
		k.spends[j].cum = k.spends[j].sats
		if j > 0 {
			k.spends[j].cum += k.spends[j-1].cum
		}
	}
}

// AccountByID returns the account, if it exists.
func (s *Server) AccountByID(id string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return Account{}, false
	}
	return a.public(), true
}

// walletOf returns the wallet if it belongs to the account. Callers hold s.mu.
func (s *Server) walletOf(accountID, walletID string) (*wallet, bool) {
	w, ok := s.wallets[walletID]
	if !ok || w.accountID != accountID {
		return nil, false
	}
	return w, true
}

// rateWindow is a sliding one-minute window of invoice creations.
type rateWindow struct {
	times        []time.Time
	blockedUntil time.Time
}

// take records an event at now unless more than limit events happened in
// the last window or a block is on; going over the limit blocks for
// block. It reports whether the event is allowed.
func (rl *rateWindow) take(now time.Time, window time.Duration, limit int, block time.Duration) bool {
	if now.Before(rl.blockedUntil) {
		return false
	}
	// rl.times is kept in ascending order, so the events that left the
	// window (now-t >= window) are a prefix: dropping it costs a binary
	// search, not a pass over every event of the last minute.
	i := sort.Search(len(rl.times), func(i int) bool { return now.Sub(rl.times[i]) < window })
	rl.times = rl.times[i:]
	if len(rl.times) >= limit {
		rl.blockedUntil = now.Add(block)
		return false
	}
	rl.times = insertSorted(rl.times, now)
	return true
}

// insertSorted inserts t into ts, kept in ascending order: an append
// unless the clock went back.
func insertSorted(ts []time.Time, t time.Time) []time.Time {
	i := len(ts)
	for i > 0 && t.Before(ts[i-1]) {
		i--
	}
	return slices.Insert(ts, i, t)
}
