package btcaddr_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/btcaddr"
)

var (
	networks = []string{btcaddr.Mainnet, btcaddr.Testnet, btcaddr.Signet, btcaddr.Regtest}
	// sentinels are the errors an address (not the network argument) can
	// cause; each failure wraps exactly one of them.
	sentinels = []error{btcaddr.ErrNotAddress, btcaddr.ErrChecksum, btcaddr.ErrWrongNetwork, btcaddr.ErrMixedCase}
)

// assertOneSentinel checks that err wraps want and no other sentinel.
func assertOneSentinel(t *testing.T, err, want error) {
	t.Helper()
	require.Error(t, err)
	for _, s := range sentinels {
		assert.Equal(t, s == want, errors.Is(err, s), "errors.Is(%v, %v)", err, s)
	}
}

// assertEchoAtMost16 checks that an error message quotes no more than the
// first 16 bytes of the input.
func assertEchoAtMost16(t *testing.T, err error, input string) {
	t.Helper()
	const window = 6
	msg := err.Error()
	for i := 16; i+window <= len(input); i++ {
		piece := input[i : i+window]
		if strings.Contains(input[:16], piece) {
			continue
		}
		if strings.Contains(msg, piece) || strings.Contains(strings.ToLower(msg), strings.ToLower(piece)) {
			t.Errorf("error %q quotes %q, from past the first 16 bytes", msg, piece)
			return
		}
	}
}

// segwitVector is a valid segwit address of BIP-173 or BIP-350 with its
// scriptPubKey and the networks of its prefix.
type segwitVector struct {
	addr, script string
	networks     []string
}

// BIP-350's valid segwit addresses (github.com/bitcoin/bips, bip-0350.mediawiki,
// "Test vectors for v0-v16 native segregated witness addresses"); the two v0
// ones are BIP-173's too.
var bip350Valid = []segwitVector{
	{"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6", []string{"mainnet"}},
	{"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262", []string{"testnet", "signet"}},
	{"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6", []string{"mainnet"}},
	{"BC1SW50QGDZ25J", "6002751e", []string{"mainnet"}},
	{"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323", []string{"mainnet"}},
	{"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433", []string{"testnet", "signet"}},
	{"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433", []string{"testnet", "signet"}},
	{"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", []string{"mainnet"}},
}

// scriptOf returns the scriptPubKey of a valid segwit address, decoded here
// independently of Validate: OP_0 or OP_1..OP_16, a push of the program.
func scriptOf(t *testing.T, addr string) string {
	t.Helper()
	_, words, _, err := bech32.DecodeGeneric(addr)
	require.NoError(t, err)
	program, err := bech32.ConvertBits(words[1:], 5, 8, false)
	require.NoError(t, err)
	op := byte(0)
	if words[0] > 0 {
		op = 0x50 + words[0]
	}
	return hex.EncodeToString(append([]byte{op, byte(len(program))}, program...))
}

func TestValidate_BIP350ValidVectors(t *testing.T) {
	for _, v := range bip350Valid {
		t.Run(v.addr, func(t *testing.T) {
			for _, network := range networks {
				got, err := btcaddr.Validate(v.addr, network)
				if !contains(v.networks, network) {
					assertOneSentinel(t, err, btcaddr.ErrWrongNetwork)
					var ne *btcaddr.NetworkError
					require.ErrorAs(t, err, &ne)
					assert.Equal(t, network, ne.Want)
					assert.Equal(t, v.networks, ne.Networks)
					assert.Empty(t, got)
					continue
				}
				require.NoError(t, err, network)
				assert.Equal(t, strings.ToLower(v.addr), got, "bech32 comes back in lower case")
				assert.Equal(t, v.script, scriptOf(t, got))
			}
		})
	}
}

// BIP-173's valid segwit addresses. Its v1+ ones carry bech32 checksums,
// which BIP-350 made invalid (v1+ must use bech32m).
func TestValidate_BIP173ValidVectors(t *testing.T) {
	tests := []struct {
		addr, network string
		want          error
	}{
		{"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "mainnet", nil},
		{"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "testnet", nil},
		{"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "signet", nil},
		{"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx", "mainnet", btcaddr.ErrChecksum},
		{"BC1SW50QA3JX3S", "mainnet", btcaddr.ErrChecksum},
		{"bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj", "mainnet", btcaddr.ErrChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := btcaddr.Validate(tt.addr, tt.network)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, strings.ToLower(tt.addr), got)
				return
			}
			assertOneSentinel(t, err, tt.want)
			assert.Empty(t, got)
		})
	}
}

func TestValidate_BIPInvalidVectors(t *testing.T) {
	tests := []struct {
		name, addr string
		want       error
	}{
		// BIP-173, invalid segwit addresses.
		{"173 invalid human-readable part", "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", btcaddr.ErrNotAddress},
		{"173 invalid checksum", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", btcaddr.ErrChecksum},
		{"173 invalid witness version", "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", btcaddr.ErrNotAddress},
		{"173 invalid program length", "bc1rw5uspcuh", btcaddr.ErrNotAddress},
		{"173 invalid program length 41", "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", btcaddr.ErrNotAddress},
		{"173 invalid v0 program length", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", btcaddr.ErrNotAddress},
		{"173 mixed case", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", btcaddr.ErrMixedCase},
		{"173 zero padding of more than 4 bits", "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", btcaddr.ErrNotAddress},
		{"173 non-zero padding", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", btcaddr.ErrNotAddress},
		{"173 empty data section", "bc1gmk9yu", btcaddr.ErrNotAddress},
		// BIP-350, invalid segwit addresses.
		{"350 invalid human-readable part", "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", btcaddr.ErrNotAddress},
		{"350 bech32 instead of bech32m v1", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", btcaddr.ErrChecksum},
		{"350 bech32 instead of bech32m v2", "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", btcaddr.ErrChecksum},
		{"350 bech32 instead of bech32m v16", "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", btcaddr.ErrChecksum},
		{"350 bech32m instead of bech32 v0 mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", btcaddr.ErrChecksum},
		{"350 bech32m instead of bech32 v0 testnet", "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", btcaddr.ErrChecksum},
		{"350 invalid character in checksum", "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", btcaddr.ErrNotAddress},
		{"350 invalid witness version", "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", btcaddr.ErrNotAddress},
		{"350 program of 1 byte", "bc1pw5dgrnzv", btcaddr.ErrNotAddress},
		{"350 program of 41 bytes", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", btcaddr.ErrNotAddress},
		{"350 invalid v0 program length", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", btcaddr.ErrNotAddress},
		{"350 mixed case", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", btcaddr.ErrMixedCase},
		{"350 zero padding of more than 4 bits", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", btcaddr.ErrNotAddress},
		{"350 non-zero padding", "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", btcaddr.ErrNotAddress},
		{"350 empty data section", "bc1gmk9yu", btcaddr.ErrNotAddress},
		// BIP-173, strings that are not valid bech32 at all.
		{"173 HRP character 0x20", " 1nwldj5", btcaddr.ErrNotAddress},
		{"173 HRP character 0x7f", "\x7f1axkwrx", btcaddr.ErrNotAddress},
		{"173 HRP character 0x80", "\x801eym55h", btcaddr.ErrNotAddress},
		{"173 overall max length exceeded", "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", btcaddr.ErrNotAddress},
		{"173 no separator", "pzry9x0s0muk", btcaddr.ErrNotAddress},
		{"173 empty HRP", "1pzry9x0s0muk", btcaddr.ErrNotAddress},
		{"173 invalid data character", "x1b4n0q5v", btcaddr.ErrNotAddress},
		{"173 too short checksum", "li1dgmt3", btcaddr.ErrNotAddress},
		{"173 invalid character in checksum", "de1lg7wt\xff", btcaddr.ErrNotAddress},
		{"173 checksum with uppercase HRP", "A1G7SGD8", btcaddr.ErrNotAddress},
		{"173 empty HRP 2", "10a06t8", btcaddr.ErrNotAddress},
		{"173 empty HRP 3", "1qzzfhee", btcaddr.ErrNotAddress},
		// Valid bech32 strings of BIP-173 that are no addresses.
		{"bech32 but no address", "a12uel5l", btcaddr.ErrNotAddress},
		{"bech32 with hrp abcdef", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", btcaddr.ErrNotAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, network := range networks {
				got, err := btcaddr.Validate(tt.addr, network)
				assertOneSentinel(t, err, tt.want)
				assert.Empty(t, got)
				assertEchoAtMost16(t, err, tt.addr)
			}
		})
	}
}

// base58Vector is a valid base58check address with its version byte and
// 20-byte hash.
type base58Vector struct {
	addr    string
	version byte
	hash    string
}

// Base58 vectors from Bitcoin Core's former base58_keys_valid.json and the
// Bitcoin wiki.
var base58Valid = []base58Vector{
	{"1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i", 0x00, "65a16059864a2fdbc7c99a4723a8395bc6f188eb"},
	{"3CMNFxN1oHBc4R1EpboAL5yzHGgE611Xou", 0x05, "74f209f6ea907e2ea48f74fae05782ae8a665257"},
	{"mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs", 0x6f, "53c0307d6851aa0ce7825ba883c6bd9ad242b486"},
	{"2N2JD6wb56AfK4tfmM6PwdVmoYk2dCKf4Br", 0xc4, "6349a418fc4578d10a372b54b45c280cc8c4382f"},
	{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", 0x00, ""},
	{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", 0x05, ""},
	{"1Q1pE5vPGEEMqRcVRMbtBK842Y6Pzo6nK9", 0x00, ""},
}

func TestValidate_Base58Vectors(t *testing.T) {
	for _, v := range base58Valid {
		t.Run(v.addr, func(t *testing.T) {
			payload, version, err := base58.CheckDecode(v.addr)
			require.NoError(t, err)
			assert.Equal(t, v.version, version, "vector's version byte")
			if v.hash != "" {
				assert.Equal(t, v.hash, hex.EncodeToString(payload), "vector's hash")
			}
			want := []string{"mainnet"}
			if v.version == 0x6f || v.version == 0xc4 {
				want = []string{"testnet", "signet", "regtest"}
			}
			for _, network := range networks {
				got, err := btcaddr.Validate(v.addr, network)
				if contains(want, network) {
					require.NoError(t, err, network)
					assert.Equal(t, v.addr, got, "base58 comes back as it was")
					continue
				}
				assertOneSentinel(t, err, btcaddr.ErrWrongNetwork)
				var ne *btcaddr.NetworkError
				require.ErrorAs(t, err, &ne)
				assert.Equal(t, want, ne.Networks)
			}
		})
	}
}

func TestValidate_Base58Invalid(t *testing.T) {
	wif := "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ" // the Bitcoin wiki's example private key
	tests := []struct {
		name, addr string
		want       error
	}{
		{"last character changed", "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62j", btcaddr.ErrChecksum},
		{"inner character changed", "1ANNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i", btcaddr.ErrChecksum},
		{"two characters swapped", "1Q1pE5vPGEEMqRcVRMbtBK842Y6Pzo6nJ9", btcaddr.ErrChecksum},
		{"case changed", "1agna15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i", btcaddr.ErrNotAddress},
		{"one character more", "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62iz", btcaddr.ErrNotAddress},
		{"one character less", "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62", btcaddr.ErrChecksum},
		{"I is not base58", "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62I", btcaddr.ErrNotAddress},
		{"0 is not base58", "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW620", btcaddr.ErrNotAddress},
		{"punctuation", "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62!", btcaddr.ErrNotAddress},
		{"inner space", "1A Na15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i", btcaddr.ErrNotAddress},
		{"too short", "BZbvjr", btcaddr.ErrNotAddress},
		{"tiny", "i55j", btcaddr.ErrNotAddress},
		{"other version byte (Litecoin P2PKH)", base58.CheckEncode(make([]byte, 20), 0x30), btcaddr.ErrNotAddress},
		{"other version byte (Dogecoin P2PKH)", base58.CheckEncode(make([]byte, 20), 0x1e), btcaddr.ErrNotAddress},
		{"payload of 19 bytes", base58.CheckEncode(make([]byte, 19), 0x00), btcaddr.ErrNotAddress},
		{"payload of 21 bytes", base58.CheckEncode(make([]byte, 21), 0x05), btcaddr.ErrNotAddress},
		{"WIF private key", wif, btcaddr.ErrNotAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, network := range networks {
				got, err := btcaddr.Validate(tt.addr, network)
				assertOneSentinel(t, err, tt.want)
				assert.Empty(t, got)
				assertEchoAtMost16(t, err, tt.addr)
			}
		})
	}
}

// segwitOf builds a segwit address, with the checksum variant the version
// needs unless wrong is set.
func segwitOf(t *testing.T, hrp string, version byte, program []byte, wrong bool) string {
	t.Helper()
	words, err := bech32.ConvertBits(program, 8, 5, true)
	require.NoError(t, err)
	words = append([]byte{version}, words...)
	m := version != 0
	if wrong {
		m = !m
	}
	enc := bech32.Encode
	if m {
		enc = bech32.EncodeM
	}
	s, err := enc(hrp, words)
	require.NoError(t, err)
	return s
}

func TestValidate_EachNetwork(t *testing.T) {
	hash20 := make([]byte, 20)
	hash32 := make([]byte, 32)
	for i := range hash32 {
		hash32[i] = byte(i*7 + 1)
	}
	copy(hash20, hash32)
	tests := []struct {
		name, addr string
		valid      []string
	}{
		{"mainnet P2WPKH", segwitOf(t, "bc", 0, hash20, false), []string{"mainnet"}},
		{"mainnet P2WSH", segwitOf(t, "bc", 0, hash32, false), []string{"mainnet"}},
		{"mainnet P2TR", segwitOf(t, "bc", 1, hash32, false), []string{"mainnet"}},
		{"mainnet P2A anchor", "bc1pfeessrawgf", []string{"mainnet"}},
		{"testnet P2WPKH", segwitOf(t, "tb", 0, hash20, false), []string{"testnet", "signet"}},
		{"testnet P2TR", segwitOf(t, "tb", 1, hash32, false), []string{"testnet", "signet"}},
		{"regtest P2WPKH", segwitOf(t, "bcrt", 0, hash20, false), []string{"regtest"}},
		{"regtest P2WSH", segwitOf(t, "bcrt", 0, hash32, false), []string{"regtest"}},
		{"regtest P2TR", segwitOf(t, "bcrt", 1, hash32, false), []string{"regtest"}},
		{"regtest v16", segwitOf(t, "bcrt", 16, hash20[:2], false), []string{"regtest"}},
		{"mainnet P2PKH", base58.CheckEncode(hash20, 0x00), []string{"mainnet"}},
		{"mainnet P2SH", base58.CheckEncode(hash20, 0x05), []string{"mainnet"}},
		{"test P2PKH", base58.CheckEncode(hash20, 0x6f), []string{"testnet", "signet", "regtest"}},
		{"test P2SH", base58.CheckEncode(hash20, 0xc4), []string{"testnet", "signet", "regtest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, network := range networks {
				got, err := btcaddr.Validate(tt.addr, network)
				if contains(tt.valid, network) {
					require.NoError(t, err, network)
					assert.Equal(t, tt.addr, got)
					continue
				}
				assertOneSentinel(t, err, btcaddr.ErrWrongNetwork)
				var ne *btcaddr.NetworkError
				require.ErrorAs(t, err, &ne)
				assert.Equal(t, network, ne.Want)
				assert.Equal(t, tt.valid, ne.Networks)
				for _, n := range tt.valid {
					assert.Contains(t, err.Error(), n)
				}
				assert.Contains(t, err.Error(), "not "+network)
			}
		})
	}
}

func TestValidate_SegwitRules(t *testing.T) {
	prog := func(n int) []byte { return make([]byte, n) }
	tests := []struct {
		name    string
		version byte
		program []byte
		wrong   bool
		want    error
	}{
		{"v0 20 bytes", 0, prog(20), false, nil},
		{"v0 32 bytes", 0, prog(32), false, nil},
		{"v0 21 bytes", 0, prog(21), false, btcaddr.ErrNotAddress},
		{"v0 2 bytes", 0, prog(2), false, btcaddr.ErrNotAddress},
		{"v0 bech32m", 0, prog(20), true, btcaddr.ErrChecksum},
		{"v1 32 bytes", 1, prog(32), false, nil},
		{"v1 2 bytes", 1, prog(2), false, nil},
		{"v1 40 bytes", 1, prog(40), false, nil},
		{"v1 1 byte", 1, prog(1), false, btcaddr.ErrNotAddress},
		{"v1 41 bytes", 1, prog(41), false, btcaddr.ErrNotAddress},
		{"v1 no program", 1, nil, false, btcaddr.ErrNotAddress},
		{"v1 bech32", 1, prog(32), true, btcaddr.ErrChecksum},
		{"v2 16 bytes", 2, prog(16), false, nil},
		{"v16 40 bytes", 16, prog(40), false, nil},
		{"v16 bech32", 16, prog(2), true, btcaddr.ErrChecksum},
		{"v17", 17, prog(20), false, btcaddr.ErrNotAddress},
		{"v31", 31, prog(20), false, btcaddr.ErrNotAddress},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := segwitOf(t, "bc", tt.version, tt.program, tt.wrong)
			got, err := btcaddr.Validate(addr, btcaddr.Mainnet)
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, addr, got)
				return
			}
			assertOneSentinel(t, err, tt.want)
		})
	}
}

func TestValidate_TrimsSpacesOnly(t *testing.T) {
	const addr = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
	for _, in := range []string{" " + addr, addr + "  ", "   " + strings.ToUpper(addr) + " "} {
		got, err := btcaddr.Validate(in, btcaddr.Mainnet)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, addr, got)
	}
	got, err := btcaddr.Validate(" 1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i ", btcaddr.Mainnet)
	require.NoError(t, err)
	assert.Equal(t, "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i", got)

	for _, in := range []string{
		"\t" + addr, addr + "\n", addr + "\r\n", "\u00a0" + addr, "\ufeff" + addr, addr + "\u200b",
		addr[:10] + " " + addr[10:], addr + "\x00",
	} {
		_, err := btcaddr.Validate(in, btcaddr.Mainnet)
		assertOneSentinel(t, err, btcaddr.ErrNotAddress)
	}
}

func TestValidate_MixedCase(t *testing.T) {
	const addr = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
	for _, in := range []string{
		"Bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
		"bC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
		addr[:4] + "W" + addr[5:],
		"BCRT1" + strings.ToLower(segwitOf(t, "bcrt", 0, make([]byte, 20), false))[5:],
	} {
		_, err := btcaddr.Validate(in, btcaddr.Mainnet)
		assertOneSentinel(t, err, btcaddr.ErrMixedCase)
	}
}

func TestValidate_RefusesOtherThings(t *testing.T) {
	const addr = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"spaces", "   "},
		{"bitcoin URI", "bitcoin:" + addr},
		{"bitcoin URI upper", "BITCOIN:" + strings.ToUpper(addr)},
		{"bitcoin URI with amount", "bitcoin:" + addr + "?amount=0.001"},
		{"bitcoin URI base58", "bitcoin:1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i"},
		{"too long", addr + strings.Repeat("q", 91-len(addr))},
		{"lightning invoice", "lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq"},
		{"lightning address", "alice@blink.sv"},
		{"hex public key", "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
		{"fullwidth characters", "ｂｃ1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		{"cyrillic c", "b\u04411qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		{"Litecoin bech32", "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9"},
		{"testnet4 is tb but tc is not", "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty"},
		{"only the prefix", "bc1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, network := range networks {
				got, err := btcaddr.Validate(tt.in, network)
				assertOneSentinel(t, err, btcaddr.ErrNotAddress)
				assert.Empty(t, got)
				assertEchoAtMost16(t, err, tt.in)
			}
		})
	}
}

func TestValidate_UnknownNetwork(t *testing.T) {
	for _, network := range []string{"", "Mainnet", "MAINNET", "bitcoin", "testnet3", "testnet4", "main", " mainnet"} {
		got, err := btcaddr.Validate("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", network)
		require.ErrorIs(t, err, btcaddr.ErrUnknownNetwork, "%q", network)
		for _, s := range sentinels {
			assert.NotErrorIs(t, err, s)
		}
		assert.Empty(t, got)
	}
}

func TestValidate_PrivateKeyNotEchoed(t *testing.T) {
	wif := "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"
	_, err := btcaddr.Validate(wif, btcaddr.Mainnet)
	require.ErrorIs(t, err, btcaddr.ErrNotAddress)
	assert.Contains(t, err.Error(), `"`+wif[:16]+`"...`)
	assert.NotContains(t, err.Error(), wif[:17])
}

func TestNetworkError_NetworksAreACopy(t *testing.T) {
	_, err := btcaddr.Validate("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", btcaddr.Mainnet)
	var ne *btcaddr.NetworkError
	require.ErrorAs(t, err, &ne)
	ne.Networks[0] = "mainnet"
	_, err = btcaddr.Validate("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", btcaddr.Mainnet)
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, []string{"testnet", "signet"}, ne.Networks)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestNetworkError_Message(t *testing.T) {
	_, err := btcaddr.Validate("mo9ncXisMeAoXwqcV5EWuyncbmCcQN4rVs", btcaddr.Mainnet)
	assert.EqualError(t, err, `btcaddr: address is for another network: "mo9ncXisMeAoXwqc"... is a testnet, signet or regtest address, not mainnet`)
	_, err = btcaddr.Validate("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", btcaddr.Signet)
	assert.EqualError(t, err, `btcaddr: address is for another network: "bc1qw508d6qejxtd"... is a mainnet address, not signet`)
}
