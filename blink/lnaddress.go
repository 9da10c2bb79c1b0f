package blink

import (
	"context"
	"strings"

	"github.com/blink-sdk/blink-go/internal/lnurl"
)

// BlinkLightningAddressDomain is the domain of production Blink's
// lightning addresses: alice@blink.sv.
const BlinkLightningAddressDomain = "blink.sv"

// LightningAddressDomain returns the domain of the environment's lightning
// addresses: "blink.sv" for Production, "" when the SDK does not know it
// (ask the server with Client.Globals).
func (e Environment) LightningAddressDomain() string {
	if e == Production {
		return BlinkLightningAddressDomain
	}
	return ""
}

// LightningAddress is a lightning address (LUD-16), "user@domain", in
// lower case. Build one with ParseLightningAddress; the zero value is not
// an address.
type LightningAddress struct {
	// User is the local part, such as "alice" or "alice+usd".
	User string
	// Domain is the host name, such as "blink.sv".
	Domain string
}

// ParseLightningAddress parses and normalises a lightning address by the
// rules of LUD-16: lower case, a local part of a-z, 0-9, "-", "_", "." and
// "+", a DNS host name with a dot. A "lightning:" prefix and surrounding
// spaces are removed. A bare username ("alice", "alice+usd") is an address
// on blink.sv (Client.ParseLightningAddress uses the server's own domain
// instead). Anything else (look-alike or invisible characters, a second
// "@", an IP address) is refused with an *Error matching ErrInvalidInput.
func ParseLightningAddress(s string) (LightningAddress, error) {
	return parseLightningAddress(s, BlinkLightningAddressDomain)
}

// ParseLightningAddress is the package's ParseLightningAddress with the
// server's lightning address domain for a bare username: the
// environment's when the SDK knows it, else globals.lightningAddressDomain
// (no key needed).
func (c *Client) ParseLightningAddress(ctx context.Context, s string) (LightningAddress, error) {
	if strings.Contains(s, "@") {
		return ParseLightningAddress(s)
	}
	d, err := c.addressDomain(ctx)
	if err != nil {
		return LightningAddress{}, err
	}
	return parseLightningAddress(s, d)
}

// addressDomain is the domain of the server's lightning addresses.
func (c *Client) addressDomain(ctx context.Context) (string, error) {
	if d := c.env.LightningAddressDomain(); d != "" && c.endpoint == c.env.URL() {
		return d, nil
	}
	g, err := c.Globals(ctx)
	if err != nil {
		return "", err
	}
	return strings.ToLower(g.LightningAddressDomain), nil
}

func parseLightningAddress(s, domain string) (LightningAddress, error) {
	const op = "ParseLightningAddress"
	t := strings.Trim(s, " ")
	if len(t) >= 10 && strings.EqualFold(t[:10], "lightning:") {
		t = t[10:]
	}
	if t != "" && !strings.Contains(t, "@") {
		t += "@" + domain
	}
	a, err := lnurl.ParseAddress(t)
	if err != nil {
		return LightningAddress{}, &Error{Operation: op, Message: "not a lightning address", sentinel: ErrInvalidInput, cause: err}
	}
	return LightningAddress{User: a.User, Domain: a.Domain}, nil
}

// String returns "user@domain".
func (a LightningAddress) String() string { return a.User + "@" + a.Domain }

// Username returns the local part without its modifier: "alice" for
// alice+usd@blink.sv.
func (a LightningAddress) Username() string {
	u, _, _ := strings.Cut(a.User, "+")
	return u
}

// USD reports whether the address carries Blink's "+usd" modifier, which
// receives into the user's USD wallet.
func (a LightningAddress) USD() bool { return a.internal().HasUSDModifier() }

// WellKnownURL returns the LUD-16 URL of the address's LNURL-pay
// parameters, https://<domain>/.well-known/lnurlp/<user>.
func (a LightningAddress) WellKnownURL() string { return a.internal().WellKnownURL().String() }

// LNURL returns the address's well-known URL as a LUD-01 LNURL, in upper
// case for a QR code. Show a Blink app user the BOLT11 invoice instead:
// the app pays an LNURL of a Blink user inside Blink, to the username,
// bypassing the invoice.
func (a LightningAddress) LNURL() (string, error) { return EncodeLNURL(a.WellKnownURL()) }

func (a LightningAddress) internal() lnurl.Address {
	return lnurl.Address{User: a.User, Domain: a.Domain}
}

// EncodeLNURL returns the LUD-01 LNURL (bech32, human-readable part
// "lnurl") of an https URL, in upper case, as QR codes carry it (decoders
// accept either case, never a mix). Plain http is refused except for a
// loopback host. The error matches ErrInvalidInput.
func EncodeLNURL(rawURL string) (string, error) {
	s, err := lnurl.Encode(rawURL)
	if err != nil {
		return "", &Error{Operation: "EncodeLNURL", Message: "cannot encode the URL as an LNURL", sentinel: ErrInvalidInput, cause: err}
	}
	return strings.ToUpper(s), nil
}

// DecodeLNURL returns the https URL that an LNURL points to: a LUD-01
// bech32 LNURL in one case (a "lightning:" prefix allowed), an LUD-17
// lnurlp:// URL or an https URL. Plain http, IP hosts, user info and
// characters that are not printable ASCII are refused with an *Error
// matching ErrInvalidInput.
func DecodeLNURL(s string) (string, error) {
	u, err := lnurl.Decode(s)
	if err != nil {
		return "", &Error{Operation: "DecodeLNURL", Message: "not a usable LNURL", sentinel: ErrInvalidInput, cause: err}
	}
	return u.String(), nil
}
