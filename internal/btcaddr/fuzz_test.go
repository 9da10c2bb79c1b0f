package btcaddr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"

	"github.com/blink-sdk/blink-go/internal/btcaddr"
)

// checkError fails unless err wraps exactly one sentinel and its message is
// no longer than fixed text plus a quoted 16-byte prefix can make it.
func checkError(t *testing.T, err error) {
	t.Helper()
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error wraps %d sentinels: %v", n, err)
	}
	if len(err.Error()) > 16*10+200 {
		t.Fatalf("error message of %d bytes: %q", len(err.Error()), err.Error())
	}
}

// FuzzValidate checks that Validate never panics, that every error wraps
// exactly one sentinel, that an accepted address comes back trimmed (bech32
// in lower case) and validates again to itself, and that an address refused
// for its network is accepted on every network the error names.
func FuzzValidate(f *testing.F) {
	for _, v := range bip350Valid {
		f.Add(v.addr, uint8(0))
		f.Add(v.addr, uint8(1))
	}
	for _, v := range base58Valid {
		f.Add(v.addr, uint8(0))
		f.Add(v.addr, uint8(3))
	}
	for _, s := range []string{
		"", " bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 ", "bitcoin:1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i",
		"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "bc1gmk9yu", "bcrt1", "1", "11111111111111111111111111",
	} {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, addr string, n uint8) {
		network := networks[int(n)%len(networks)]
		got, err := btcaddr.Validate(addr, network)
		if err != nil {
			checkError(t, err)
			if got != "" {
				t.Fatalf("result %q with error %v", got, err)
			}
			var ne *btcaddr.NetworkError
			if errors.As(err, &ne) {
				if len(ne.Networks) == 0 || contains(ne.Networks, network) || ne.Want != network {
					t.Fatalf("bad NetworkError %+v for %s", ne, network)
				}
				for _, other := range ne.Networks {
					if _, err := btcaddr.Validate(addr, other); err != nil {
						t.Fatalf("NetworkError names %s, but Validate(%q, %s): %v", other, addr, other, err)
					}
				}
			}
			return
		}
		trimmed := strings.Trim(addr, " ")
		if got != trimmed && got != strings.ToLower(trimmed) {
			t.Fatalf("Validate(%q) = %q, want the trimmed input", addr, got)
		}
		if again, err := btcaddr.Validate(got, network); err != nil || again != got {
			t.Fatalf("Validate(%q) = %q, %v on a second pass", got, again, err)
		}
		if strings.ContainsAny(got, " :\t\n") || len(got) > 90 {
			t.Fatalf("accepted %q", got)
		}
	})
}

// hrps are the bech32 prefixes with the networks they belong to, plus one of
// no network.
var hrps = []struct {
	hrp      string
	networks []string
}{
	{"bc", []string{"mainnet"}},
	{"tb", []string{"testnet", "signet"}},
	{"bcrt", []string{"regtest"}},
	{"ltc", nil},
}

// FuzzValidateSegwit builds segwit addresses with valid checksums from a
// witness version, a program and a checksum variant, which random strings
// almost never are, and checks Validate against the rules of BIP-173 and
// BIP-350 written out here independently.
func FuzzValidateSegwit(f *testing.F) {
	f.Add(uint8(0), uint8(0), make([]byte, 20), false, false, uint8(0))
	f.Add(uint8(1), uint8(0), make([]byte, 32), true, true, uint8(1))
	f.Add(uint8(2), uint8(1), make([]byte, 32), true, false, uint8(3))
	f.Add(uint8(0), uint8(16), make([]byte, 2), true, false, uint8(0))
	f.Add(uint8(0), uint8(17), make([]byte, 20), true, false, uint8(0))
	f.Add(uint8(0), uint8(1), make([]byte, 41), true, false, uint8(0))
	f.Add(uint8(3), uint8(0), make([]byte, 20), false, false, uint8(0))
	f.Fuzz(func(t *testing.T, h, version uint8, program []byte, bech32m, upper bool, n uint8) {
		version %= 32
		if len(program) > 64 {
			program = program[:64]
		}
		p := hrps[int(h)%len(hrps)]
		network := networks[int(n)%len(networks)]
		words, err := bech32.ConvertBits(program, 8, 5, true)
		if err != nil {
			t.Fatal(err)
		}
		words = append([]byte{version}, words...)
		enc := bech32.Encode
		if bech32m {
			enc = bech32.EncodeM
		}
		addr, err := enc(p.hrp, words)
		if err != nil {
			t.Fatal(err)
		}
		// An upper-case "LTC1..." could pass for base58 and fail its
		// checksum instead; "ltc1..." never can ("l" is not base58).
		if upper && p.networks != nil {
			addr = strings.ToUpper(addr)
		}

		var want error
		switch l := len(program); {
		case p.networks == nil, len(addr) > 90, version > 16, l < 2, l > 40, version == 0 && l != 20 && l != 32:
			want = btcaddr.ErrNotAddress
		case (version == 0) == bech32m:
			want = btcaddr.ErrChecksum
		case !contains(p.networks, network):
			want = btcaddr.ErrWrongNetwork
		}

		got, err := btcaddr.Validate(addr, network)
		if want == nil {
			if err != nil || got != strings.ToLower(addr) {
				t.Fatalf("Validate(%q, %s) = %q, %v; want it accepted", addr, network, got, err)
			}
			return
		}
		if !errors.Is(err, want) {
			t.Fatalf("Validate(%q, %s) = %q, %v; want %v", addr, network, got, err, want)
		}
		checkError(t, err)
	})
}

// FuzzValidateBase58 builds base58check strings from a version byte and a
// payload and checks Validate against the P2PKH and P2SH rules.
func FuzzValidateBase58(f *testing.F) {
	f.Add(uint8(0x00), make([]byte, 20), uint8(0))
	f.Add(uint8(0x05), make([]byte, 20), uint8(1))
	f.Add(uint8(0x6f), make([]byte, 20), uint8(3))
	f.Add(uint8(0xc4), make([]byte, 20), uint8(2))
	f.Add(uint8(0x80), make([]byte, 32), uint8(0))
	f.Add(uint8(0x00), make([]byte, 21), uint8(0))
	f.Fuzz(func(t *testing.T, version uint8, payload []byte, n uint8) {
		if len(payload) > 64 {
			payload = payload[:64]
		}
		network := networks[int(n)%len(networks)]
		addr := base58.CheckEncode(payload, version)
		if lower := strings.ToLower(addr); strings.HasPrefix(lower, "bc1") || strings.HasPrefix(lower, "tb1") ||
			strings.HasPrefix(lower, "bcrt1") {
			// Validate reads these as (broken) bech32, and may report
			// a checksum or mixed case: no P2PKH or P2SH version byte
			// gives such a prefix.
			return // looks like bech32: not what this target checks
		}

		var valid []string
		switch version {
		case 0x00, 0x05:
			valid = []string{"mainnet"}
		case 0x6f, 0xc4:
			valid = []string{"testnet", "signet", "regtest"}
		}
		var want error
		switch {
		case len(payload) != 20 || valid == nil || len(addr) > 90:
			want = btcaddr.ErrNotAddress
		case !contains(valid, network):
			want = btcaddr.ErrWrongNetwork
		}
		got, err := btcaddr.Validate(addr, network)
		if want == nil {
			if err != nil || got != addr {
				t.Fatalf("Validate(%q, %s) = %q, %v; want it accepted", addr, network, got, err)
			}
			return
		}
		if !errors.Is(err, want) {
			t.Fatalf("Validate(%q, %s) = %q, %v; want %v", addr, network, got, err, want)
		}
		checkError(t, err)
	})
}
