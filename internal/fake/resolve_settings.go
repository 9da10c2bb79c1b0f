package fake

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

// Account settings an API key can change (display currency, default
// wallet, username, language, notifications) and the account state it
// can read (limits, custodial restrictions, wind-down, migration), which
// tests set with SetWindDown, SetCustodialRestrictions and SetMigration.

// settings is the per-account state of this file and resolve_contacts.go.
type settings struct {
	language     string // "" = the default
	pushDisabled bool
	disabledCats []string
	contacts     []*contact
	windDown     *WindDown
	restrictions CustodialRestrictions
	migration    Migration
}

// WindDown is a regional wind-down of an account, as the windDown query
// returns it.
type WindDown struct {
	// Status is "PRE_CUTOFF", "RECEIVE_DISABLED" or "GATED_CLOSED".
	Status                                       string
	ReceiveDisabledAt, GateArmsAt, FinalDeadline time.Time
	// Timezone is an IANA zone name; "UTC" when empty.
	Timezone string
}

// CustodialRestrictions are the restrictions the custodialRestrictions
// query reports.
type CustodialRestrictions struct{ DollarBalance, Transfer bool }

// Migration is an account's migration state, as the migration query
// reports it; the zero value is NOT_STARTED.
type Migration struct {
	// Status is "NOT_STARTED" (when empty), "IN_PROGRESS", "TRANSFERRING",
	// "COMPLETED" or "FAILED".
	Status              string
	TransferPaymentHash string
	// FeeSats is the preview's fee; FeeCoveredByBlink says Blink pays it.
	FeeSats           int64
	FeeCoveredByBlink bool
}

func (s *Server) mustAccount(accountID string) *account {
	a := s.accounts[accountID]
	if a == nil {
		panic(fmt.Sprintf("blinktest: no account %q", accountID))
	}
	return a
}

// SetWindDown sets (or, with nil, clears) the account's regional
// wind-down. It panics on an unknown account or status.
func (s *Server) SetWindDown(accountID string, w *WindDown) {
	if w != nil {
		switch w.Status {
		case "PRE_CUTOFF", "RECEIVE_DISABLED", "GATED_CLOSED":
		default:
			panic(fmt.Sprintf("blinktest: unknown wind-down status %q", w.Status))
		}
		c := *w
		if c.Timezone == "" {
			c.Timezone = "UTC"
		}
		w = &c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustAccount(accountID).set.windDown = w
	s.changed()
}

// SetCustodialRestrictions sets what custodialRestrictions reports for the
// account. It panics on an unknown account.
func (s *Server) SetCustodialRestrictions(accountID string, r CustodialRestrictions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustAccount(accountID).set.restrictions = r
	s.changed()
}

// SetMigration sets what the migration query reports for the account. It
// panics on an unknown account or status.
func (s *Server) SetMigration(accountID string, m Migration) {
	switch m.Status {
	case "", "NOT_STARTED", "IN_PROGRESS", "TRANSFERRING", "COMPLETED", "FAILED":
	default:
		panic(fmt.Sprintf("blinktest: unknown migration status %q", m.Status))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustAccount(accountID).set.migration = m
	s.changed()
}

// errReceiveDisabled is ReceiveDisabledError (error-map.ts:669-672).
var errReceiveDisabled = &AppError{Code: "RECEIVE_DISABLED", Message: "This account can no longer receive payments. If this is your account, please update the Blink app to migrate your funds."}

// receiveBlocked refuses receipts into an account whose wind-down phase is
// RECEIVE_DISABLED or GATED_CLOSED, as upstream's checkReceiveAllowed
// (app/wind-down/check-receive-allowed.ts): invoice and on-chain address
// creation for it, and intraledger or lightning payments into it from
// another account. Callers hold s.mu.
func (s *Server) receiveBlocked(accountID string) *AppError {
	a := s.accounts[accountID]
	if a == nil || a.set.windDown == nil || a.set.windDown.Status == "PRE_CUTOFF" {
		return nil
	}
	return errReceiveDisabled
}

func (r *queryResolver) WindDown(ctx context.Context) (*model.AccountWindDown, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.accounts[callerFrom(ctx).accountID()].set.windDown
	if w == nil {
		return nil, nil
	}
	return &model.AccountWindDown{
		Status: model.WindDownStatus(w.Status), Timezone: w.Timezone,
		ReceiveDisabledAt: w.ReceiveDisabledAt, GateArmsAt: w.GateArmsAt, FinalDeadline: w.FinalDeadline,
	}, nil
}

func (r *queryResolver) CustodialRestrictions(ctx context.Context) (*model.CustodialRestrictions, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.accounts[callerFrom(ctx).accountID()].set.restrictions
	return &model.CustodialRestrictions{DollarBalance: x.DollarBalance, Transfer: x.Transfer}, nil
}

// Migration answers NOT_STARTED for an account that never began one, as
// upstream (core/api/src/graphql/public/root/query/migration.ts): the
// preview is what the account's balances are worth in sats.
func (r *queryResolver) Migration(ctx context.Context) (*model.AccountMigration, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	m := a.set.migration
	status := m.Status
	if status == "" {
		status = "NOT_STARTED"
	}
	bal := s.wallets[a.btcWallet].balance + s.satsWorth(s.wallets[a.usdWallet].balance)
	receive := bal
	if !m.FeeCoveredByBlink {
		receive = max(0, bal-m.FeeSats)
	}
	return &model.AccountMigration{
		Status: model.MigrationStatus(status), TransferPaymentHash: strPtr(m.TransferPaymentHash),
		Preview: &model.AccountMigrationPreview{
			BalanceSats: scalars.SatAmount(bal), FeeSats: scalars.SatAmount(m.FeeSats),
			FeeCoveredByBlink: m.FeeCoveredByBlink, ReceiveSats: scalars.SatAmount(receive),
		},
	}, nil
}

// Display currency and default wallet.

func (r *mutationResolver) AccountUpdateDisplayCurrency(ctx context.Context, in model.AccountUpdateDisplayCurrencyInput) (*model.AccountUpdateDisplayCurrencyPayload, error) {
	// The scalar takes 3 or 4 characters (shared/types/scalar/display-currency.ts:22);
	// the app then looks the code up in the price service's list
	// (app/prices/get-currency.ts): "Invalid currency." (error-map.ts:509).
	if n := len(in.Currency); n < 3 || n > 4 {
		return &model.AccountUpdateDisplayCurrencyPayload{Errors: gqlErrors(validationError("Invalid value for DisplayCurrency"))}, nil
	}
	cur := toUpper(in.Currency)
	if currencyByCode(cur) == nil {
		return &model.AccountUpdateDisplayCurrencyPayload{Errors: gqlErrors(inputError("Invalid currency."))}, nil
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	a.displayCurrency = cur
	s.changed()
	return &model.AccountUpdateDisplayCurrencyPayload{Errors: []model.Error{}, Account: model.NewConsumerAccount(live{s}, a.id)}, nil
}

func (r *mutationResolver) AccountUpdateDefaultWalletID(ctx context.Context, in model.AccountUpdateDefaultWalletIDInput) (*model.AccountUpdateDefaultWalletIDPayload, error) {
	if !uuidRe.MatchString(in.WalletID) {
		return &model.AccountUpdateDefaultWalletIDPayload{Errors: gqlErrors(validationError("Invalid value for WalletId"))}, nil
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	// app/accounts/update-default-walletid.ts: a wallet of another account
	// is InvalidWalletId, "Invalid walletId for account." (error-map.ts:463).
	if _, ok := s.walletOf(a.id, in.WalletID); !ok {
		return &model.AccountUpdateDefaultWalletIDPayload{Errors: gqlErrors(inputError("Invalid walletId for account."))}, nil
	}
	a.defaultWallet = in.WalletID
	s.changed()
	return &model.AccountUpdateDefaultWalletIDPayload{Errors: []model.Error{}, Account: model.NewConsumerAccount(live{s}, a.id)}, nil
}

// Usernames.

var usernameChars = regexp.MustCompile(`^[0-9a-z_]{3,50}$`)

// validUsername applies the Username rule (domain/accounts/index.ts:72
// upstream): 3 to 50 of [0-9a-z_], case-insensitive, with a letter, not
// starting with 1, 3, _, bc1 or lnbc1.
func validUsername(u string) bool {
	u = strings.ToLower(u)
	if !usernameChars.MatchString(u) || strings.Trim(u, "0123456789_") == "" {
		return false
	}
	for _, p := range []string{"1", "3", "_", "bc1", "lnbc1"} {
		if strings.HasPrefix(u, p) {
			return false
		}
	}
	return true
}

func (r *mutationResolver) UserUpdateUsername(ctx context.Context, in model.UserUpdateUsernameInput) (*model.UserUpdateUsernamePayload, error) {
	if !validUsername(in.Username) {
		return &model.UserUpdateUsernamePayload{Errors: gqlErrors(validationError("Invalid value for Username"))}, nil
	}
	u := strings.ToLower(in.Username)
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	// app/accounts/set-username.ts: immutable once set (the payload then
	// carries the user too), unique; USERNAME_ERROR (error-map.ts:451-457).
	if a.username != "" {
		return &model.UserUpdateUsernamePayload{
			Errors: gqlErrors(&AppError{Code: "USERNAME_ERROR", Message: "username is immutable"}),
			User:   model.NewUser(live{s}, a.id),
		}, nil
	}
	if _, taken := s.byUsername[u]; taken {
		return &model.UserUpdateUsernamePayload{Errors: gqlErrors(&AppError{Code: "USERNAME_ERROR", Message: "username not available"})}, nil
	}
	a.username = u
	s.byUsername[u] = a
	s.changed()
	return &model.UserUpdateUsernamePayload{Errors: []model.Error{}, User: model.NewUser(live{s}, a.id)}, nil
}

// Language.

// languageRe approximates upstream's list of language tags
// (domain/users/languages.ts): a language, optionally with a region.
var languageRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Z]{2})?$`)

func (r *mutationResolver) UserUpdateLanguage(ctx context.Context, in model.UserUpdateLanguageInput) (*model.UserUpdateLanguagePayload, error) {
	lang := in.Language
	if lang == "DEFAULT" { // shared/types/scalar/language.ts: "" or DEFAULT = the default
		lang = ""
	}
	if lang != "" && !languageRe.MatchString(lang) {
		return &model.UserUpdateLanguagePayload{Errors: gqlErrors(validationError("Invalid value for Language"))}, nil
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	a.set.language = lang
	s.changed()
	return &model.UserUpdateLanguagePayload{Errors: []model.Error{}, User: model.NewUser(live{s}, a.id)}, nil
}

// Notifications.

// notificationCategories are upstream's (domain/notifications/index.ts:21-27).
var notificationCategories = []string{"Payments", "Circles", "Price", "AdminNotification", "Marketing"}

func (s *Server) notificationPayload(ctx context.Context, change func(st *settings)) *model.AccountUpdateNotificationSettingsPayload {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	change(&a.set)
	s.changed()
	return &model.AccountUpdateNotificationSettingsPayload{Errors: []model.Error{}, Account: model.NewConsumerAccount(live{s}, a.id)}
}

func badCategory(c string) *model.AccountUpdateNotificationSettingsPayload {
	if slices.Contains(notificationCategories, c) {
		return nil
	}
	// InvalidNotificationCategoryError keeps its message (error-map.ts:378).
	return &model.AccountUpdateNotificationSettingsPayload{Errors: gqlErrors(inputError("Invalid notification category: " + c))}
}

func (r *mutationResolver) AccountEnableNotificationChannel(ctx context.Context, _ model.AccountEnableNotificationChannelInput) (*model.AccountUpdateNotificationSettingsPayload, error) {
	return r.s.notificationPayload(ctx, func(st *settings) { st.pushDisabled = false }), nil
}

func (r *mutationResolver) AccountDisableNotificationChannel(ctx context.Context, _ model.AccountDisableNotificationChannelInput) (*model.AccountUpdateNotificationSettingsPayload, error) {
	return r.s.notificationPayload(ctx, func(st *settings) { st.pushDisabled = true }), nil
}

func (r *mutationResolver) AccountEnableNotificationCategory(ctx context.Context, in model.AccountEnableNotificationCategoryInput) (*model.AccountUpdateNotificationSettingsPayload, error) {
	if p := badCategory(in.Category); p != nil {
		return p, nil
	}
	return r.s.notificationPayload(ctx, func(st *settings) {
		st.disabledCats = slices.DeleteFunc(st.disabledCats, func(c string) bool { return c == in.Category })
	}), nil
}

func (r *mutationResolver) AccountDisableNotificationCategory(ctx context.Context, in model.AccountDisableNotificationCategoryInput) (*model.AccountUpdateNotificationSettingsPayload, error) {
	if p := badCategory(in.Category); p != nil {
		return p, nil
	}
	return r.s.notificationPayload(ctx, func(st *settings) {
		if !slices.Contains(st.disabledCats, in.Category) {
			st.disabledCats = append(st.disabledCats, in.Category)
		}
	}), nil
}

func (r *accountResolver) NotificationSettings(_ context.Context, a *model.ConsumerAccount) (*model.NotificationSettings, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.accounts[a.AccountID].set
	return &model.NotificationSettings{Push: &model.NotificationChannelSettings{
		Enabled: !st.pushDisabled, DisabledCategories: append([]string{}, st.disabledCats...),
	}}, nil
}

// Account limits.

// accountLimitsByLevel are upstream's default limits in US cents per 24
// hours, by account level (core/api/src/config/schema.ts:854-876):
// withdrawal, intraledger, conversion between the account's own wallets.
var accountLimitsByLevel = map[string][3]int64{
	"ZERO":  {12_500, 12_500, 200_000},
	"ONE":   {100_000, 200_000, 5_000_000},
	"TWO":   {5_000_000, 5_000_000, 20_000_000},
	"THREE": {10_000_000, 10_000_000, 30_000_000},
}

const secsPerDay = 86_400

// limitUsage is what the account sent in the last 24 hours, in US cents,
// by kind: withdrawal, intraledger, conversion. Callers hold s.mu.
func (s *Server) limitUsage(a *account) [3]int64 {
	var used [3]int64
	since := s.now().Add(-secsPerDay * time.Second)
	for _, wid := range []string{a.btcWallet, a.usdWallet} {
		w := s.wallets[wid]
		for i := len(w.txs) - 1; i >= 0; i-- {
			t := w.txs[i]
			if t.CreatedAt.Before(since) {
				break
			}
			if t.Direction != "SEND" || t.Status == "FAILURE" {
				continue
			}
			cents := -t.Amount
			if t.Currency == "BTC" {
				cents = mulDivFloor(-t.Amount, t.PriceUSDCentsPerBTC, satsPerBTC)
			}
			kind := 0
			if t.SettledVia == "intraledger" {
				kind = 1
				if cw := s.wallets[t.CounterpartyWalletID]; cw != nil && cw.accountID == a.id {
					kind = 2
				}
			}
			used[kind] += cents
		}
	}
	return used
}

func (r *accountResolver) Limits(_ context.Context, a *model.ConsumerAccount) (*model.AccountLimits, error) {
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	acct := s.accounts[a.AccountID]
	totals := accountLimitsByLevel[acct.level]
	used := s.limitUsage(acct)
	one := func(i int) []model.AccountLimit {
		iv := scalars.Seconds(secsPerDay)
		rem := scalars.CentAmount(max(0, totals[i]-used[i]))
		return []model.AccountLimit{&model.OneDayAccountLimit{Interval: &iv, TotalLimit: scalars.CentAmount(totals[i]), RemainingLimit: &rem}}
	}
	return &model.AccountLimits{Withdrawal: one(0), InternalSend: one(1), Convert: one(2)}, nil
}
