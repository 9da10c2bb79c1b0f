package blink

import (
	"context"
	"strings"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// AccountSettings are the caller's user and account settings that an API
// key can read and change.
type AccountSettings struct {
	// UserID is the user's id.
	UserID string
	// Username is the user's Blink username; empty when none is set (it can
	// then be set once with Client.SetUsername).
	Username string
	// Language is the user's language tag, such as "en" or "es-MX"; empty
	// for the default.
	Language string
	// AccountID is the id of the user's default account.
	AccountID string
	// DisplayCurrency is the fiat currency the account shows amounts and
	// prices in, such as "USD".
	DisplayCurrency string
	// DefaultWallet is the wallet that receives when no wallet is named
	// (invoices for the username, lightning address payments).
	DefaultWallet PublicWallet
	// Notifications are the account's notification settings.
	Notifications NotificationSettings
}

// NotificationChannel is a channel Blink sends notifications through.
type NotificationChannel string

// NotificationChannelPush is the only channel the API knows: push
// notifications to the user's devices.
const NotificationChannelPush NotificationChannel = "PUSH"

// NotificationCategory is a kind of notification that can be turned off.
type NotificationCategory string

// The notification categories the server accepts
// (core/api/src/domain/notifications/index.ts:21-27 upstream). Any other
// value is refused by the server with INVALID_INPUT.
const (
	NotificationPayments          NotificationCategory = "Payments"
	NotificationCircles           NotificationCategory = "Circles"
	NotificationPrice             NotificationCategory = "Price"
	NotificationAdminNotification NotificationCategory = "AdminNotification"
	NotificationMarketing         NotificationCategory = "Marketing"
)

// NotificationSettings are the account's notification settings.
type NotificationSettings struct {
	// Push is the push channel's state.
	Push NotificationChannelSettings
}

// NotificationChannelSettings is one channel's state.
type NotificationChannelSettings struct {
	// Enabled is false when the whole channel is off.
	Enabled bool
	// DisabledCategories are the categories turned off on the channel;
	// empty when every category is on.
	DisabledCategories []NotificationCategory
}

func noUser(op string) error {
	return &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
}

// AccountSettings returns the caller's username, language, display
// currency, default wallet and notification settings (query me; scope
// READ).
func (c *Client) AccountSettings(ctx context.Context) (*AccountSettings, error) {
	resp, err := gen.AccountSettings(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	u := resp.Me
	if u == nil {
		return nil, noUser("AccountSettings")
	}
	a := &u.DefaultAccount
	s := &AccountSettings{
		UserID:          u.Id,
		Language:        u.Language,
		AccountID:       a.Id,
		DisplayCurrency: a.DisplayCurrency,
		DefaultWallet:   PublicWallet{ID: a.DefaultWallet.Id, Currency: WalletCurrency(a.DefaultWallet.Currency)},
		Notifications:   toNotificationSettings(a.NotificationSettings.Push.Enabled, a.NotificationSettings.Push.DisabledCategories),
	}
	if u.Username != nil {
		s.Username = *u.Username
	}
	return s, nil
}

func toNotificationSettings(enabled bool, disabled []string) NotificationSettings {
	out := NotificationSettings{Push: NotificationChannelSettings{Enabled: enabled, DisabledCategories: make([]NotificationCategory, 0, len(disabled))}}
	for _, d := range disabled {
		out.Push.DisabledCategories = append(out.Push.DisabledCategories, NotificationCategory(d))
	}
	return out
}

// SetDisplayCurrency changes the currency the account shows amounts and
// prices in, and returns the code the server stored (mutation
// accountUpdateDisplayCurrency; scope WRITE). The code is one of
// Client.Currencies' ids, such as "EUR"; the server upper-cases it. A code
// that is not 3 or 4 letters is refused before sending; an unknown one is
// an *Error with code INVALID_INPUT ("Invalid currency."). Later prices,
// transactions' display amounts and the account's realtime price are in
// the new currency; myUpdates then no longer sends Price events unless the
// currency is USD.
func (c *Client) SetDisplayCurrency(ctx context.Context, currency string) (string, error) {
	const op = "AccountUpdateDisplayCurrency"
	// The DisplayCurrency scalar takes 3 or 4 characters
	// (core/api/src/graphql/shared/types/scalar/display-currency.ts:22).
	if n := len(currency); n < 3 || n > 4 {
		return "", invalidInput(op, "display currency %q must be 3 or 4 characters, such as \"EUR\"", truncate(currency, 12))
	}
	if err := checkDisplayCurrency(op, currency); err != nil {
		return "", err
	}
	resp, err := gen.AccountUpdateDisplayCurrency(ctx, c.gql, gen.AccountUpdateDisplayCurrencyInput{Currency: currency})
	if err != nil {
		return "", err
	}
	p := resp.AccountUpdateDisplayCurrency
	if err := payloadError(c, op, p.Errors); err != nil {
		return "", err
	}
	if p.Account == nil {
		return "", &Error{Operation: op, Message: "the server returned neither an account nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	return p.Account.DisplayCurrency, nil
}

// SetDefaultWallet makes one of the caller's wallets the default one: the
// wallet that receives payments to the username and lightning address
// (mutation accountUpdateDefaultWalletId; scope WRITE). It returns the new
// default wallet. An id that is not a UUID is refused before sending; a
// wallet of another account is an *Error with code INVALID_INPUT
// ("Invalid walletId for account.").
func (c *Client) SetDefaultWallet(ctx context.Context, walletID string) (*PublicWallet, error) {
	const op = "AccountUpdateDefaultWalletId"
	if err := checkWalletID(op, "walletID", walletID); err != nil {
		return nil, err
	}
	resp, err := gen.AccountUpdateDefaultWalletId(ctx, c.gql, gen.AccountUpdateDefaultWalletIdInput{WalletId: walletID})
	if err != nil {
		return nil, err
	}
	p := resp.AccountUpdateDefaultWalletId
	if err := payloadError(c, op, p.Errors); err != nil {
		return nil, err
	}
	if p.Account == nil {
		return nil, &Error{Operation: op, Message: "the server returned neither an account nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	w := p.Account.DefaultWallet
	return &PublicWallet{ID: w.Id, Currency: WalletCurrency(w.Currency)}, nil
}

// UsernameAvailable reports whether a username is free (query
// usernameAvailable; no key needed). A name that breaks the Username rules
// (3 to 50 of a-z, 0-9 and _, at least one letter, not starting with 1, 3,
// _, bc1 or lnbc1) is refused before sending.
func (c *Client) UsernameAvailable(ctx context.Context, username string) (bool, error) {
	const op = "UsernameAvailable"
	u, err := normalizeUsername(op, username)
	if err != nil {
		return false, err
	}
	resp, err := gen.UsernameAvailable(ctx, c.gql, u)
	if err != nil {
		return false, err
	}
	if resp.UsernameAvailable == nil {
		return false, &Error{Operation: op, Message: "the server did not say whether the username is available", HTTPStatus: 200, sentinel: ErrServer}
	}
	return *resp.UsernameAvailable, nil
}

// SetUsername sets the user's username, which is also the lightning
// address user@<domain>, and returns it (mutation userUpdateUsername;
// scope WRITE). A username can be set once: a user who has one gets an
// *Error with code USERNAME_ERROR ("username is immutable"), and a taken
// name the same code with "username not available". Check first with
// UsernameAvailable. A name that breaks the Username rules is refused
// before sending.
func (c *Client) SetUsername(ctx context.Context, username string) (string, error) {
	const op = "UserUpdateUsername"
	u, err := normalizeUsername(op, username)
	if err != nil {
		return "", err
	}
	resp, err := gen.UserUpdateUsername(ctx, c.gql, gen.UserUpdateUsernameInput{Username: u})
	if err != nil {
		return "", err
	}
	p := resp.UserUpdateUsername
	if err := payloadError(c, op, p.Errors); err != nil {
		return "", err
	}
	if p.User == nil || p.User.Username == nil {
		return u, nil
	}
	return *p.User.Username, nil
}

// SetLanguage sets the user's language, a tag such as "en", "de-CH" or
// "pt-BR", and returns it; "" or "DEFAULT" restores the default (mutation
// userUpdateLanguage; scope WRITE). Blink uses it for notifications. A tag
// with characters other than letters, digits and '-' is refused before
// sending; one the server does not know is an *Error.
func (c *Client) SetLanguage(ctx context.Context, language string) (string, error) {
	const op = "UserUpdateLanguage"
	if len(language) > 16 || strings.Trim(language, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
		return "", invalidInput(op, "language %q is not a language tag such as \"en\" or \"pt-BR\"", truncate(language, 20))
	}
	resp, err := gen.UserUpdateLanguage(ctx, c.gql, gen.UserUpdateLanguageInput{Language: language})
	if err != nil {
		return "", err
	}
	p := resp.UserUpdateLanguage
	if err := payloadError(c, op, p.Errors); err != nil {
		return "", err
	}
	if p.User == nil {
		return "", &Error{Operation: op, Message: "the server returned neither a user nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	return p.User.Language, nil
}

// NotificationOptions are the optional arguments of
// Client.EnableNotificationCategory and Client.DisableNotificationCategory.
type NotificationOptions struct {
	// Channel is the channel to change; NotificationChannelPush when empty.
	Channel NotificationChannel
}

func checkChannel(op string, ch NotificationChannel) error {
	if ch != NotificationChannelPush {
		return invalidInput(op, "notification channel %q is not PUSH", truncate(string(ch), 12))
	}
	return nil
}

func checkCategory(op string, cat NotificationCategory) error {
	if cat == "" || len(cat) > 50 {
		return invalidInput(op, "notification category %q is empty or too long", truncate(string(cat), 60))
	}
	return nil
}

// EnableNotificationChannel turns a notification channel on and returns
// the new settings (mutation accountEnableNotificationChannel; scope
// WRITE).
func (c *Client) EnableNotificationChannel(ctx context.Context, channel NotificationChannel) (*NotificationSettings, error) {
	const op = "AccountEnableNotificationChannel"
	if err := checkChannel(op, channel); err != nil {
		return nil, err
	}
	resp, err := gen.AccountEnableNotificationChannel(ctx, c.gql, gen.AccountEnableNotificationChannelInput{Channel: gen.NotificationChannel(channel)})
	if err != nil {
		return nil, err
	}
	p := resp.AccountEnableNotificationChannel
	return notificationResult(c, op, p.Errors, p.Account)
}

// DisableNotificationChannel turns a notification channel off and returns
// the new settings (mutation accountDisableNotificationChannel; scope
// WRITE).
func (c *Client) DisableNotificationChannel(ctx context.Context, channel NotificationChannel) (*NotificationSettings, error) {
	const op = "AccountDisableNotificationChannel"
	if err := checkChannel(op, channel); err != nil {
		return nil, err
	}
	resp, err := gen.AccountDisableNotificationChannel(ctx, c.gql, gen.AccountDisableNotificationChannelInput{Channel: gen.NotificationChannel(channel)})
	if err != nil {
		return nil, err
	}
	p := resp.AccountDisableNotificationChannel
	return notificationResult(c, op, p.Errors, p.Account)
}

// EnableNotificationCategory turns a category of notifications back on
// and returns the new settings (mutation accountEnableNotificationCategory;
// scope WRITE). An unknown category is an *Error with code INVALID_INPUT.
func (c *Client) EnableNotificationCategory(ctx context.Context, category NotificationCategory, o *NotificationOptions) (*NotificationSettings, error) {
	const op = "AccountEnableNotificationCategory"
	ch, err := categoryArgs(op, category, o)
	if err != nil {
		return nil, err
	}
	resp, err := gen.AccountEnableNotificationCategory(ctx, c.gql, gen.AccountEnableNotificationCategoryInput{Category: string(category), Channel: ch})
	if err != nil {
		return nil, err
	}
	p := resp.AccountEnableNotificationCategory
	return notificationResult(c, op, p.Errors, p.Account)
}

// DisableNotificationCategory turns a category of notifications off and
// returns the new settings (mutation accountDisableNotificationCategory;
// scope WRITE). An unknown category is an *Error with code INVALID_INPUT.
func (c *Client) DisableNotificationCategory(ctx context.Context, category NotificationCategory, o *NotificationOptions) (*NotificationSettings, error) {
	const op = "AccountDisableNotificationCategory"
	ch, err := categoryArgs(op, category, o)
	if err != nil {
		return nil, err
	}
	resp, err := gen.AccountDisableNotificationCategory(ctx, c.gql, gen.AccountDisableNotificationCategoryInput{Category: string(category), Channel: ch})
	if err != nil {
		return nil, err
	}
	p := resp.AccountDisableNotificationCategory
	return notificationResult(c, op, p.Errors, p.Account)
}

func categoryArgs(op string, category NotificationCategory, o *NotificationOptions) (*gen.NotificationChannel, error) {
	if err := checkCategory(op, category); err != nil {
		return nil, err
	}
	ch := NotificationChannelPush
	if o != nil && o.Channel != "" {
		ch = o.Channel
	}
	if err := checkChannel(op, ch); err != nil {
		return nil, err
	}
	gc := gen.NotificationChannel(ch)
	return &gc, nil
}

// notificationAccount is the account of the four notification payloads.
type notificationAccount interface {
	GetNotificationSettings() gen.NotificationSettingsFieldsNotificationSettings
}

func notificationResult[E any, P interface {
	*E
	payloadErr
}, A notificationAccount](c *Client, op string, errs []E, account A) (*NotificationSettings, error) {
	if err := payloadError[E, P](c, op, errs); err != nil {
		return nil, err
	}
	var zero A
	if any(account) == any(zero) {
		return nil, &Error{Operation: op, Message: "the server returned neither an account nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	push := account.GetNotificationSettings().Push
	s := toNotificationSettings(push.Enabled, push.DisabledCategories)
	return &s, nil
}
