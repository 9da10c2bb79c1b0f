package blink

import (
	"context"
	"net/url"
	"strings"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// CallbackEndpoint is a URL to which Blink posts the account's webhook
// events (Svix-signed deliveries; the signing secret is in the Svix portal
// that callbackPortalUrl links to).
type CallbackEndpoint struct {
	// ID is the endpoint's id, such as "ep_...".
	ID string
	// URL is where events are posted.
	URL string
}

// checkHTTPURL refuses anything but an absolute http or https URL with a
// host, before sending.
func checkHTTPURL(op, field, raw string) error {
	if raw == "" {
		return invalidInput(op, "%s is empty", field)
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return invalidInput(op, "%s %q contains white space", field, truncate(raw, 100))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return invalidInput(op, "%s %q is not a URL", field, truncate(raw, 100))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return invalidInput(op, "%s %q must be an absolute http or https URL", field, truncate(raw, 100))
	}
	if u.Host == "" || u.Hostname() == "" {
		return invalidInput(op, "%s %q has no host", field, truncate(raw, 100))
	}
	return nil
}

// AddCallbackEndpoint registers a URL to which Blink posts the account's
// webhook events, and returns the endpoint's id (mutation
// callbackEndpointAdd; scope WRITE). A URL that is not an absolute http or
// https URL is refused before sending with ErrInvalidInput; the server's
// refusals are *Error values.
func (c *Client) AddCallbackEndpoint(ctx context.Context, url string) (id string, err error) {
	const op = "CallbackEndpointAdd"
	if err := checkHTTPURL(op, "callback URL", url); err != nil {
		return "", err
	}
	resp, err := gen.CallbackEndpointAdd(ctx, c.gql, gen.CallbackEndpointAddInput{Url: url})
	if err != nil {
		return "", err
	}
	p := resp.CallbackEndpointAdd
	if err := payloadError(c, op, p.Errors); err != nil {
		return "", err
	}
	if p.Id == nil || *p.Id == "" {
		return "", &Error{Operation: op, Message: "the server returned neither an endpoint id nor an error", HTTPStatus: 200, sentinel: ErrServer}
	}
	return *p.Id, nil
}

// DeleteCallbackEndpoint removes a callback endpoint by id (mutation
// callbackEndpointDelete; scope WRITE). It returns nil on success; an empty
// id is refused before sending, and an unknown one is an *Error from the
// server.
func (c *Client) DeleteCallbackEndpoint(ctx context.Context, id string) error {
	const op = "CallbackEndpointDelete"
	if strings.TrimSpace(id) == "" {
		return invalidInput(op, "the endpoint id is empty")
	}
	resp, err := gen.CallbackEndpointDelete(ctx, c.gql, gen.CallbackEndpointDeleteInput{Id: id})
	if err != nil {
		return err
	}
	p := resp.CallbackEndpointDelete
	if err := payloadError(c, op, p.Errors); err != nil {
		return err
	}
	if p.Success == nil || !*p.Success {
		return &Error{Operation: op, Message: "the server reported no success and no error", HTTPStatus: 200, sentinel: ErrServer}
	}
	return nil
}

// CallbackEndpoints returns the account's callback endpoints (query
// me.defaultAccount.callbackEndpoints; scope READ); an empty slice when
// there are none.
func (c *Client) CallbackEndpoints(ctx context.Context) ([]CallbackEndpoint, error) {
	const op = "CallbackEndpoints"
	resp, err := gen.CallbackEndpoints(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	if resp.Me == nil {
		return nil, &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	eps := resp.Me.DefaultAccount.CallbackEndpoints
	out := make([]CallbackEndpoint, 0, len(eps))
	for _, e := range eps {
		out = append(out, CallbackEndpoint{ID: e.Id, URL: e.Url})
	}
	return out, nil
}

// CallbackPortalURL returns the link to the Svix portal of the account's
// webhooks (query me.defaultAccount.callbackPortalUrl; scope READ, checked
// before sending). The portal shows each callback endpoint's signing
// secret (whsec_...): open it, copy the secret of the endpoint added with
// AddCallbackEndpoint, and give it to the receiving server, which checks
// every delivery with it (package webhook).
//
// The URL is a login link that grants access to the portal: treat it as
// a secret, never log it or store it. A key without READ fails with
// ErrInsufficientScope; the server's refusals are *Error values.
func (c *Client) CallbackPortalURL(ctx context.Context) (string, error) {
	const op = "CallbackPortalURL"
	resp, err := gen.CallbackPortalURL(ctx, c.gql)
	if err != nil {
		return "", err
	}
	if resp.Me == nil {
		return "", &Error{Operation: op, Message: "the server returned no user", sentinel: ErrNotAuthenticated}
	}
	u := resp.Me.DefaultAccount.CallbackPortalUrl
	if u == "" {
		return "", &Error{Operation: op, Message: "the server returned no portal URL", HTTPStatus: 200, sentinel: ErrServer}
	}
	return u, nil
}
