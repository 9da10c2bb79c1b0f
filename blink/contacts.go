package blink

import (
	"context"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// ContactType says what a contact's handle is.
type ContactType string

// The kinds of contact.
const (
	// ContactIntraLedger is a Blink username.
	ContactIntraLedger ContactType = "INTRALEDGER"
	// ContactLightningAddress is a lightning address, user@domain.
	ContactLightningAddress ContactType = "LNADDRESS"
)

// Contact is someone the account has paid or been paid by, or added with
// Client.CreateContact. Blink adds contacts by itself: an intraledger
// payment between two accounts (also a Blink invoice paid by another Blink
// account) makes each side a contact of the other when it has a username,
// and resets the contact's alias to that username.
type Contact struct {
	// Handle is the contact's username (or lightning address).
	Handle string
	// Alias is the name the account gave the contact; empty when none.
	Alias string
	// TransactionsCount counts the payments with the contact.
	TransactionsCount int
	// ID, Type and CreatedAt are set by Client.CreateContact only.
	ID        string
	Type      ContactType
	CreatedAt time.Time
}

// Contacts returns the account's contacts (query me.contacts; scope READ);
// an empty slice when there are none.
func (c *Client) Contacts(ctx context.Context) ([]Contact, error) {
	resp, err := gen.Contacts(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, noUser("Contacts")
	}
	out := make([]Contact, 0, len(resp.Me.Contacts))
	for _, x := range resp.Me.Contacts {
		k := Contact{Handle: x.Handle, TransactionsCount: x.TransactionsCount}
		if x.Alias != nil {
			k.Alias = *x.Alias
		}
		out = append(out, k)
	}
	return out, nil
}

// ContactOptions are the optional arguments of Client.CreateContact.
type ContactOptions struct {
	// Alias is the contact's display name; by the server's rules (the
	// ContactAlias scalar) it starts with four letters.
	Alias string
	// Type is the kind of handle; when empty, LNADDRESS for a handle with
	// an '@' and INTRALEDGER otherwise.
	Type ContactType
}

// CreateContact adds a contact by username or lightning address, or, when
// the account already has it, counts one more transaction with it and
// replaces its alias (mutation contactCreate; scope WRITE). The server
// does not check that the username exists. An empty handle or an unknown
// type is refused before sending; a handle that is neither a username nor
// a lightning address is an *Error with ErrInvalidInput.
func (c *Client) CreateContact(ctx context.Context, handle string, o *ContactOptions) (*Contact, error) {
	const op = "ContactCreate"
	handle = strings.TrimSpace(handle)
	if handle == "" {
		return nil, invalidInput(op, "the contact handle is empty")
	}
	in := gen.ContactCreateInput{Handle: &handle, Type: gen.ContactTypeIntraledger}
	if strings.Contains(handle, "@") {
		in.Type = gen.ContactTypeLnaddress
	}
	if o != nil {
		switch o.Type {
		case "":
		case ContactIntraLedger, ContactLightningAddress:
			in.Type = gen.ContactType(o.Type)
		default:
			return nil, invalidInput(op, "contact type %q is neither INTRALEDGER nor LNADDRESS", truncate(string(o.Type), 20))
		}
		if o.Alias != "" {
			alias := o.Alias
			in.DisplayName = &alias
		}
	}
	resp, err := gen.ContactCreate(ctx, c.gql, in)
	if err != nil {
		return nil, err
	}
	p := resp.ContactCreate
	if err := payloadError(c, op, p.Errors); err != nil {
		return nil, err
	}
	if p.Contact == nil {
		return nil, &Error{Operation: op, Message: "the server returned neither a contact nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	k := p.Contact
	out := &Contact{ID: k.Id, Handle: k.Handle, Type: ContactType(k.Type), TransactionsCount: k.TransactionsCount, CreatedAt: k.CreatedAt.Time()}
	if k.DisplayName != nil {
		out.Alias = *k.DisplayName
	}
	return out, nil
}

// SetContactAlias gives a contact, named by username, an alias and
// returns the contact (mutation userContactUpdateAlias; scope WRITE). A
// malformed username is refused before sending; an account without that
// contact gets an *Error matching ErrNotFound, and an alias the server
// refuses (it must start with four letters and hold only letters, digits
// and _, at most 50) an *Error matching ErrInvalidInput.
func (c *Client) SetContactAlias(ctx context.Context, username, alias string) (*Contact, error) {
	const op = "UserContactUpdateAlias"
	u, err := normalizeUsername(op, username)
	if err != nil {
		return nil, err
	}
	if alias == "" {
		return nil, invalidInput(op, "the alias is empty")
	}
	resp, err := gen.UserContactUpdateAlias(ctx, c.gql, gen.UserContactUpdateAliasInput{Username: u, Alias: alias})
	if err != nil {
		return nil, err
	}
	p := resp.UserContactUpdateAlias
	if err := payloadError(c, op, p.Errors); err != nil {
		return nil, err
	}
	if p.Contact == nil {
		return nil, &Error{Operation: op, Message: "the server returned neither a contact nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	k := Contact{Handle: p.Contact.Handle, TransactionsCount: p.Contact.TransactionsCount}
	if p.Contact.Alias != nil {
		k.Alias = *p.Contact.Alias
	}
	return &k, nil
}
