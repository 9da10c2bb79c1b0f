package fake

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
)

// Contacts: me.contacts, contactByUsername, contactCreate,
// userContactUpdateAlias, and the contacts intraledger payments add.

// contact is one contact of an account, keyed by handle as upstream's
// repository (services/mongoose/contacts.ts).
type contact struct {
	id, handle, alias, typ string
	txCount                int
	createdAt              time.Time
}

// displayNameRe is the ContactAlias scalar's rule (checkedToDisplayName,
// domain/contacts/index.ts upstream): a letter, then three or more
// letters, spaces or hyphens (not anchored at the end).
var displayNameRe = regexp.MustCompile(`^\pL[\pL -]{3,}`)

// contactAliasRe is the app's second check (ContactAliasRegex,
// domain/accounts/index.ts:81 upstream).
var contactAliasRe = regexp.MustCompile(`^[0-9A-Za-z_]{3,50}$`)

// lnAddressRe is a lightning address, user@domain.
var lnAddressRe = regexp.MustCompile(`^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)

// validHandle is checkedToHandle: a username or a lightning address.
func validHandle(h string) bool { return validUsername(h) || lnAddressRe.MatchString(h) }

// upsertContact is upstream's createContact (app/accounts/create-contact.ts):
// a new contact counts one transaction; an existing one counts one more
// and takes the new display name. Callers hold s.mu.
func (s *Server) upsertContact(a *account, handle, alias, typ string) *contact {
	for _, c := range a.set.contacts {
		if c.handle == handle {
			c.alias = alias
			c.txCount++
			return c
		}
	}
	c := &contact{id: newUUID(), handle: handle, alias: alias, typ: typ, txCount: 1, createdAt: s.now()}
	a.set.contacts = append(a.set.contacts, c)
	return c
}

// addIntraledgerContacts is upstream's createIntraledgerContact, called
// after an intraledger send between two accounts (send-intraledger.ts:164,
// send-lightning.ts:128): each side with a username becomes a contact of
// the other, its alias reset to the username. Callers hold s.mu.
func (s *Server) addIntraledgerContacts(sender, recipient *account) {
	if sender == nil || recipient == nil || sender.id == recipient.id {
		return
	}
	if recipient.username != "" {
		s.upsertContact(sender, recipient.username, recipient.username, "INTRALEDGER")
	}
	if sender.username != "" {
		s.upsertContact(recipient, sender.username, sender.username, "INTRALEDGER")
	}
}

// userContact is the GraphQL UserContact of a contact, with its
// transactions with the account (first page). Callers hold s.mu.
func (s *Server) userContact(a *account, c *contact) *model.UserContact {
	out := &model.UserContact{ID: c.handle, Handle: c.handle, Username: c.handle, Alias: strPtr(c.alias), TransactionsCount: c.txCount}
	var txs []*Transaction
	for _, t := range s.walletTxs([]string{a.btcWallet, a.usdWallet}) {
		if t.CounterpartyUsername == c.handle {
			txs = append(txs, t)
		}
	}
	if p, err := paginate(txs, txID, nil, nil, nil, nil); err == nil {
		out.Transactions = toTxConnection(p)
	}
	return out
}

// UserContacts is User.contacts: every contact, oldest first.
func (l live) UserContacts(accountID string) []*model.UserContact {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	a := l.account(accountID)
	out := make([]*model.UserContact, 0, len(a.set.contacts))
	for _, c := range a.set.contacts {
		out = append(out, l.s.userContact(a, c))
	}
	return out
}

// UserLanguage is User.language.
func (l live) UserLanguage(accountID string) string {
	l.s.mu.Lock()
	defer l.s.mu.Unlock()
	return l.account(accountID).set.language
}

// ContactByUsername answers as upstream's getContactByHandle
// (app/accounts/get-contacts.ts): an unknown contact is
// NoContactForUsernameError, thrown (error-map.ts:715, the catch-all
// UNEXPECTED_CLIENT_ERROR).
func (r *userResolver) ContactByUsername(_ context.Context, u *model.User, username string) (*model.UserContact, error) {
	if !validUsername(username) {
		return nil, validationError("Invalid value for Username")
	}
	h := strings.ToLower(username)
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[u.AccountID]
	for _, c := range a.set.contacts {
		if c.handle == h {
			return s.userContact(a, c), nil
		}
	}
	return nil, unexpected("NoContactForUsernameError")
}

func (r *mutationResolver) ContactCreate(ctx context.Context, in model.ContactCreateInput) (*model.ContactPayload, error) {
	// The Handle scalar: a username or a lightning address
	// (shared/types/scalar/contact-handle.ts); then checkedToHandle in the
	// app ("Invalid handle", error-map.ts:191) for a missing one.
	if in.Handle == nil || *in.Handle == "" {
		return &model.ContactPayload{Errors: gqlErrors(inputError("Invalid handle"))}, nil
	}
	if !validHandle(*in.Handle) {
		return &model.ContactPayload{Errors: gqlErrors(validationError("Invalid value for Handle"))}, nil
	}
	alias := ""
	if in.DisplayName != nil {
		if !displayNameRe.MatchString(*in.DisplayName) {
			return &model.ContactPayload{Errors: gqlErrors(validationError("Invalid value for ContactAlias"))}, nil
		}
		alias = *in.DisplayName
	}
	handle := *in.Handle
	if validUsername(handle) {
		handle = strings.ToLower(handle)
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	c := s.upsertContact(a, handle, alias, string(in.Type))
	s.changed()
	return &model.ContactPayload{Errors: []model.Error{}, Contact: &model.Contact{
		ID: c.id, Handle: c.handle, DisplayName: strPtr(c.alias), Type: model.ContactType(c.typ),
		TransactionsCount: c.txCount, CreatedAt: c.createdAt,
	}}, nil
}

func (r *mutationResolver) UserContactUpdateAlias(ctx context.Context, in model.UserContactUpdateAliasInput) (*model.UserContactUpdateAliasPayload, error) {
	if !validUsername(in.Username) {
		return &model.UserContactUpdateAliasPayload{Errors: gqlErrors(validationError("Invalid value for Username"))}, nil
	}
	if !displayNameRe.MatchString(in.Alias) {
		return &model.UserContactUpdateAliasPayload{Errors: gqlErrors(validationError("Invalid value for ContactAlias"))}, nil
	}
	// app/accounts/update-contact-alias.ts: the alias must also pass
	// ContactAliasRegex ("ContactAlias has incorrect characters or
	// length", error-map.ts:287); an unknown contact is
	// CouldNotFindContactFromAccountIdError (error-map.ts:139).
	if !contactAliasRe.MatchString(in.Alias) {
		return &model.UserContactUpdateAliasPayload{Errors: gqlErrors(inputError("ContactAlias has incorrect characters or length"))}, nil
	}
	h := strings.ToLower(in.Username)
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[callerFrom(ctx).accountID()]
	for _, c := range a.set.contacts {
		if c.handle == h {
			c.alias = in.Alias
			s.changed()
			return &model.UserContactUpdateAliasPayload{Errors: []model.Error{}, Contact: s.userContact(a, c)}, nil
		}
	}
	return &model.UserContactUpdateAliasPayload{Errors: gqlErrors(&AppError{Code: "NOT_FOUND", Message: "Contact not found for accountId " + a.id})}, nil
}
