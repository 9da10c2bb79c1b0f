package bolt11_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	sv "github.com/blink-sdk/blink-go/internal/bolt11/internal/specvectors"
	"github.com/btcsuite/btcd/btcutil/bech32"
)

var (
	hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)
	hex66 = regexp.MustCompile(`^0[23][0-9a-f]{64}$|^[0-9a-f]{66}$`)
)

// FuzzDecode checks that Decode never panics, that every error it returns
// is classified and does not echo the input, and that every invoice it
// returns is internally consistent.
func FuzzDecode(f *testing.F) {
	for _, v := range sv.ValidVectors {
		f.Add(v.Invoice)
	}
	for _, v := range sv.InvalidVectors {
		f.Add(v.Invoice)
	}
	f.Add("lightning:" + sv.VCoffee)
	f.Add("  " + strings.ToUpper(sv.VPico) + "\n")
	f.Add("")
	f.Add("lnbc1")
	f.Add("lnbcrt10p1qqqqqqq")

	f.Fuzz(checkDecode)
}

// FuzzDecodeWords fuzzes the human-readable part and the data words of an
// invoice with a valid checksum, which random strings almost never have, so
// that the decoder's field parsing is exercised.
func FuzzDecodeWords(f *testing.F) {
	for _, v := range sv.ValidVectors {
		hrp, words, err := bech32.DecodeNoLimit(v.Invoice)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(hrp, words)
	}
	f.Fuzz(func(t *testing.T, hrp string, words []byte) {
		for i := range words {
			words[i] &= 31
		}
		s, err := bech32.Encode(hrp, words)
		if err != nil {
			return
		}
		checkDecode(t, s)
	})
}

// checkDecode decodes s and checks the result's consistency.
func checkDecode(t *testing.T, s string) {
	inv, err := bolt11.Decode(s)
	if err != nil {
		if inv != nil {
			t.Fatalf("non-nil invoice with error %v", err)
		}
		if !errors.Is(err, bolt11.ErrInvalid) {
			t.Fatalf("error %v does not wrap ErrInvalid", err)
		}
		if trimmed := strings.TrimSpace(s); len(trimmed) >= 16 && strings.Contains(err.Error(), trimmed) {
			t.Fatalf("error %q echoes the input", err)
		}
		return
	}
	switch inv.Network {
	case bolt11.Mainnet, bolt11.Testnet, bolt11.Signet, bolt11.Regtest:
	default:
		t.Fatalf("network %q", inv.Network)
	}
	if inv.AmountMsat < 0 || inv.HasAmount != (inv.AmountMsat > 0) {
		t.Fatalf("amount %d, has amount %v", inv.AmountMsat, inv.HasAmount)
	}
	if sats, exact := inv.AmountSats(); sats < 0 || exact != (inv.AmountMsat%1000 == 0) {
		t.Fatalf("AmountSats = %d, %v for %d msat", sats, exact, inv.AmountMsat)
	}
	if ts := inv.Timestamp.Unix(); ts < 0 || ts >= 1<<35 {
		t.Fatalf("timestamp %d", ts)
	}
	if inv.Expiry < 0 || inv.MinFinalCLTVExpiry < 0 {
		t.Fatalf("expiry %v, min final cltv %d", inv.Expiry, inv.MinFinalCLTVExpiry)
	}
	if inv.ExpiresAt().Before(inv.Timestamp) {
		t.Fatalf("expires %v before creation %v", inv.ExpiresAt(), inv.Timestamp)
	}
	if !hex64.MatchString(inv.PaymentHash) {
		t.Fatalf("payment hash %q", inv.PaymentHash)
	}
	for name, h := range map[string]string{"secret": inv.PaymentSecret, "description hash": inv.DescriptionHash} {
		if h != "" && !hex64.MatchString(h) {
			t.Fatalf("%s %q", name, h)
		}
	}
	if inv.Payee != "" && !hex66.MatchString(inv.Payee) {
		t.Fatalf("payee %q", inv.Payee)
	}
	if !utf8.ValidString(inv.Description) || len(inv.Description) > 639 {
		t.Fatalf("description %q", inv.Description)
	}
	// Case must not matter: the upper-case form decodes the same.
	again, err := bolt11.Decode(strings.ToUpper(s))
	if err != nil {
		t.Fatalf("upper-case form rejected: %v", err)
	}
	if *again != *inv {
		t.Fatalf("upper-case form decodes differently: %+v vs %+v", again, inv)
	}
}
