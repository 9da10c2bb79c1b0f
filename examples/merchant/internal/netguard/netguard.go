// Package netguard decides which hosts the merchant server may send to on
// a shop's or an operator's behalf: the one IP policy behind the check of a
// shop's webhook URL at registration, the dial-time hook of the outbox's
// HTTP client (a name that resolves to a private address later is refused
// when it is dialled), and the refusal of plain http:// to a host that is
// not loopback.
//
// Public means global unicast on the Internet. Refused: unspecified
// (0.0.0.0/8, ::), loopback (127/8, ::1), private (10/8, 172.16/12,
// 192.168/16, fc00::/7), shared address space (CGNAT 100.64/10: carrier and
// cloud internal, Alibaba's metadata service is 100.100.100.200),
// link-local (169.254/16 with the cloud metadata services, fe80::/10),
// multicast and broadcast, the IETF-reserved, documentation and benchmark
// ranges, 240/4, and IPv6 outside 2000::/3. IPv4 embedded in IPv6
// (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged as the IPv4
// address it carries; Teredo (2001::/32) is refused.
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
)

// ErrNotPublic is returned (wrapped) for an address or host the policy
// refuses.
var ErrNotPublic = errors.New("netguard: not a public address")

var refused4 = prefixes(
	"0.0.0.0/8",       // "this network", unspecified
	"10.0.0.0/8",      // private
	"100.64.0.0/10",   // shared address space (CGNAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local, cloud metadata
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation
	"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
	"192.168.0.0/16",  // private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation
	"203.0.113.0/24",  // documentation
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, and 255.255.255.255 broadcast
)

var refused6 = prefixes(
	"2001::/32",     // Teredo (a tunnel to an IPv4 address)
	"2001:2::/48",   // benchmarking
	"2001:10::/28",  // ORCHID
	"2001:20::/28",  // ORCHIDv2
	"2001:db8::/32", // documentation
	"3fff::/20",     // documentation
)

var (
	global6 = netip.MustParsePrefix("2000::/3")
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// IsPublic reports whether a is a public unicast address (see the package
// comment for what is not).
func IsPublic(a netip.Addr) bool {
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	a = a.Unmap()
	if a.Is4() {
		for _, p := range refused4 {
			if p.Contains(a) {
				return false
			}
		}
		return true
	}
	b := a.As16()
	switch {
	case nat64.Contains(a):
		return IsPublic(netip.AddrFrom4([4]byte(b[12:16])))
	case sixTo4.Contains(a):
		return IsPublic(netip.AddrFrom4([4]byte(b[2:6])))
	case !global6.Contains(a):
		return false
	}
	for _, p := range refused6 {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// IsLoopback reports whether a is a loopback address (127/8, ::1, or
// ::ffff:127.x.y.z).
func IsLoopback(a netip.Addr) bool {
	return a.IsValid() && a.Zone() == "" && a.Unmap().IsLoopback()
}

// IsLoopbackHost reports whether host (a URL's Hostname: a name or an IP
// literal without brackets) is loopback: "localhost", a name under
// .localhost (RFC 6761), or a loopback address.
func IsLoopbackHost(host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return IsLoopback(a)
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

// Policy is the set of addresses the server may connect to: public ones,
// and loopback ones too when AllowLoopback is set (tests and the demo,
// whose shop runs on the same machine). Private networks are never allowed.
type Policy struct {
	AllowLoopback bool
}

// Allowed reports whether the policy lets the server connect to a.
func (p Policy) Allowed(a netip.Addr) bool {
	return IsPublic(a) || (p.AllowLoopback && IsLoopback(a))
}

// CheckHost checks a URL's host before anything is dialled: an IP literal
// must be allowed, "localhost" names only with AllowLoopback, and a name
// whose last label is numeric (127.1, 2130706433, 0x7f.1: IPv4 in a
// non-standard form that some resolvers accept) is refused. Any other name
// passes here; what it resolves to is checked when it is dialled (Control).
func (p Policy) CheckHost(host string) error {
	if host == "" {
		return fmt.Errorf("%w: empty host", ErrNotPublic)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !p.Allowed(a) {
			return fmt.Errorf("%w: %s", ErrNotPublic, a)
		}
		return nil
	}
	if IsLoopbackHost(host) {
		if p.AllowLoopback {
			return nil
		}
		return fmt.Errorf("%w: %s is loopback", ErrNotPublic, host)
	}
	h := strings.TrimSuffix(host, ".")
	last := h[strings.LastIndex(h, ".")+1:]
	if numericLabel(last) {
		return fmt.Errorf("%w: %s is an IP address in a non-standard form", ErrNotPublic, host)
	}
	return nil
}

// numericLabel reports whether a DNS label is all digits or a 0x hex
// number: no top-level domain is, and resolvers read such names as IPv4.
func numericLabel(l string) bool {
	l = strings.ToLower(l)
	hex := strings.HasPrefix(l, "0x")
	if hex {
		l = l[2:]
	}
	if l == "" {
		return hex
	}
	for _, r := range l {
		if !('0' <= r && r <= '9' || hex && 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// Control is a net.Dialer Control hook: it refuses to connect to an
// address the policy does not allow, after name resolution, so that a
// name that resolves (or is rebound) to a private address is refused too.
func (p Policy) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: dialling %q", ErrNotPublic, address)
	}
	if !p.Allowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrNotPublic, ap.Addr())
	}
	return nil
}

// Dialer returns a net.Dialer whose connections obey the policy.
func (p Policy) Dialer() *net.Dialer {
	return &net.Dialer{Control: p.Control}
}
