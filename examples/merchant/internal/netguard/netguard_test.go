package netguard

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestIsPublic_RefusesEveryNonPublicRange(t *testing.T) {
	for _, s := range []string{
		"0.0.0.0", "0.1.2.3", "10.0.0.5", "100.64.0.1", "100.100.100.200", "127.0.0.1", "127.255.0.1",
		"169.254.169.254", "172.16.0.1", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.168.1.1",
		"198.18.0.1", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.1.2.3", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::ffff:169.254.169.254", "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::10.1.2.3",
		"fc00::1", "fd00::1", "fe80::1", "ff02::1", "ff05::2", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1",
		"2002:c0a8:0101::1", "2001::1", "2001:db8::1", "3fff::1", "100::1",
	} {
		if IsPublic(netip.MustParseAddr(s)) {
			t.Errorf("%s: public, want refused", s)
		}
	}
	if IsPublic(netip.Addr{}) || IsPublic(netip.MustParseAddr("2606:4700::1%eth0")) {
		t.Error("the zero address or a zoned one is public")
	}
}

func TestIsPublic_AcceptsPublicUnicast(t *testing.T) {
	for _, s := range []string{
		"1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.32.0.1", "192.169.0.1", "223.255.255.254",
		"::ffff:1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001::1", "64:ff9b::808:808", "2002:0808:0808::1",
	} {
		if !IsPublic(netip.MustParseAddr(s)) {
			t.Errorf("%s: refused, want public", s)
		}
	}
}

func TestPolicy_CheckHost(t *testing.T) {
	strict, loop := Policy{}, Policy{AllowLoopback: true}
	for _, tc := range []struct {
		host          string
		strict, loopb bool // allowed under each policy
	}{
		{"shop.example", true, true},
		{"1.1.1.1", true, true},
		{"2606:4700::1", true, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		{"localhost", false, true},
		{"LocalHost.", false, true},
		{"api.localhost", false, true},
		{"10.0.0.5", false, false},
		{"169.254.169.254", false, false},
		{"fd00::1", false, false},
		{"0.0.0.0", false, false},
		{"127.1", false, false},
		{"2130706433", false, false},
		{"0x7f.0x1", false, false},
		{"shop.0x7f", false, false},
		{"shop1.example", true, true},
		{"", false, false},
	} {
		if got := strict.CheckHost(tc.host) == nil; got != tc.strict {
			t.Errorf("strict %q: allowed=%v, want %v", tc.host, got, tc.strict)
		}
		if got := loop.CheckHost(tc.host) == nil; got != tc.loopb {
			t.Errorf("loopback-allowed %q: allowed=%v, want %v", tc.host, got, tc.loopb)
		}
	}
	if err := strict.CheckHost("10.0.0.1"); !errors.Is(err, ErrNotPublic) {
		t.Errorf("err = %v, want ErrNotPublic", err)
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.9.9.9": true, "::1": true, "x.localhost": true,
		"blink-upstream.example": false, "10.0.0.1": false, "::": false, "localhost.example": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

// TestPolicy_Control_RefusesTheDialNotJustTheName: a client dialling
// through the strict policy never reaches a loopback server, whatever name
// it was given; the loopback policy does.
func TestPolicy_Control_RefusesTheDialNotJustTheName(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	client := func(p Policy) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: p.Dialer().DialContext}}
	}
	for _, u := range []string{srv.URL, "http://localhost:" + port} {
		_, err := client(Policy{}).Get(u)
		if !errors.Is(err, ErrNotPublic) {
			t.Errorf("%s: err = %v, want ErrNotPublic", u, err)
		}
	}
	resp, err := client(Policy{AllowLoopback: true}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := (Policy{}).Control("tcp", "not an address", nil); !errors.Is(err, ErrNotPublic) {
		t.Errorf("unparsable address: %v", err)
	}
}
