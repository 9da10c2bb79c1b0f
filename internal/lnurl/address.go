package lnurl

import (
	"net/url"
	"strings"
)

// Limits on a lightning address. The local part follows the e-mail limit of
// RFC 5321 (a Blink username with "+usd" is at most 54 bytes); the domain
// follows DNS.
const (
	maxUserLen   = 64
	maxDomainLen = 253
	maxLabelLen  = 63
)

// USDModifier is the modifier Blink accepts after a "+" in the local part of
// a lightning address: "alice+usd@blink.sv" pays into alice's USD wallet.
const USDModifier = "usd"

// Address is a lightning address (LUD-16), "user@domain", in lower case.
// Build one with ParseAddress; the zero Address is not a valid address.
type Address struct {
	// User is the local part, e.g. "alice" or "alice+usd": one or more of
	// a-z, 0-9, "-", "_", "." and "+".
	User string
	// Domain is the DNS host name, e.g. "blink.sv".
	Domain string
}

// ParseAddress parses a lightning address as LUD-16 defines it and returns
// it in lower case. Surrounding ASCII spaces (and only those) are trimmed
// first. The local part must be one or more (at most 64) of a-z, 0-9, "-",
// "_", "." and "+" after lower-casing; the domain must be a DNS host name
// with at least one dot (labels of 1 to 63 of a-z, 0-9 and inner hyphens, at
// most 253 bytes in all, no trailing dot, no IP address).
//
// Anything else is refused: a second "@", percent escapes, slashes, "?",
// "#", whitespace, control characters and every non-ASCII character
// (zero-width spaces, byte-order marks, fullwidth "@", look-alike letters).
// The error wraps ErrNotAddress, ErrBadUser or ErrBadDomain.
func ParseAddress(s string) (Address, error) {
	in := s
	s = strings.Trim(s, " ")
	switch {
	case s == "":
		return Address{}, fail(ErrNotAddress, in, "empty")
	case len(s) > maxUserLen+1+maxDomainLen:
		return Address{}, fail(ErrNotAddress, in, "longer than %d bytes", maxUserLen+1+maxDomainLen)
	}
	if i := badByte(s); i >= 0 {
		return Address{}, fail(ErrNotAddress, in,
			"byte %d is a space, a control character or part of a non-ASCII character", i)
	}
	if n := strings.Count(s, "@"); n != 1 {
		return Address{}, fail(ErrNotAddress, in, "has %d \"@\", want exactly one", n)
	}
	user, domain, _ := strings.Cut(strings.ToLower(s), "@")
	if reason := checkUser(user); reason != "" {
		return Address{}, fail(ErrBadUser, in, "%s", reason)
	}
	if reason := checkHostname(domain); reason != "" {
		return Address{}, fail(ErrBadDomain, in, "the domain %s", reason)
	}
	return Address{User: user, Domain: domain}, nil
}

// checkUser says what is wrong with a lower-cased local part, or returns ""
// when it is valid.
func checkUser(user string) string {
	switch {
	case user == "":
		return "nothing before the \"@\""
	case len(user) > maxUserLen:
		return "the part before the \"@\" is longer than 64 bytes"
	}
	for i := 0; i < len(user); i++ {
		c := user[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '+') {
			return "the part before the \"@\" may hold only a-z, 0-9, \"-\", \"_\", \".\" and \"+\""
		}
	}
	return ""
}

// checkHostname says what is wrong with a lower-cased DNS host name, or
// returns "" when it is valid: labels of 1 to 63 of a-z, 0-9 and inner
// hyphens, at least two of them, at most 253 bytes in all, and a last label
// that is not all digits (which refuses IPv4 literals in every notation; IPv6
// literals fail on the colon).
func checkHostname(host string) string {
	switch {
	case host == "":
		return "is empty"
	case len(host) > maxDomainLen:
		return "is longer than 253 bytes"
	case strings.HasSuffix(host, "."):
		return "ends with a dot"
	case !strings.Contains(host, "."):
		return "has no dot"
	}
	var label string
	for rest := host; rest != ""; {
		label, rest, _ = strings.Cut(rest, ".")
		switch {
		case label == "":
			return "has an empty label"
		case len(label) > maxLabelLen:
			return "has a label longer than 63 bytes"
		case label[0] == '-' || label[len(label)-1] == '-':
			return "has a label that starts or ends with a hyphen"
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "may hold only a-z, 0-9, \"-\" and \".\""
			}
		}
	}
	if strings.Trim(label, "0123456789") == "" {
		return "is an IP address or ends in an all-digit label"
	}
	return ""
}

// String returns the address as "user@domain".
func (a Address) String() string {
	return a.User + "@" + a.Domain
}

// WellKnownURL returns the LUD-16 URL that serves the address's LNURL-pay
// parameters, https://<domain>/.well-known/lnurlp/<user>; for Blink,
// https://blink.sv/.well-known/lnurlp/alice (or .../alice+usd). Onion domains
// get https too: this package never produces plain http.
func (a Address) WellKnownURL() *url.URL {
	return &url.URL{Scheme: "https", Host: a.Domain, Path: "/.well-known/lnurlp/" + a.User}
}

// SplitUser splits the local part at its first "+" into the base user and
// the modifier: "alice+usd" gives ("alice", "usd"), "alice" gives
// ("alice", ""). A trailing "+" gives an empty modifier too.
func (a Address) SplitUser() (base, modifier string) {
	base, modifier, _ = strings.Cut(a.User, "+")
	return base, modifier
}

// HasUSDModifier reports whether the local part carries Blink's "+usd"
// modifier ("alice+usd@blink.sv"), which makes the address receive into the
// user's USD wallet instead of the BTC one.
func (a Address) HasUSDModifier() bool {
	_, modifier := a.SplitUser()
	return modifier == USDModifier
}
