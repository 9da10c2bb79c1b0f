package blink

import (
	"github.com/blink-sdk/blink-go/internal/redact"
	"strings"
	"unicode/utf8"
)

// checkWalletID refuses a wallet id that is not a UUID, before sending.
func checkWalletID(op, field, id string) error {
	if !isUUID(id) {
		return invalidInput(op, "%s %q is not a wallet id (a UUID)", field, truncate(id, 40))
	}
	return nil
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// normalizeUsername lowercases a username and checks the rules of the
// Username scalar: 3 to 50 of [0-9a-z_], at least one letter, not starting
// with 1, 3, _, bc1 or lnbc1.
func normalizeUsername(op, u string) (string, error) {
	u = strings.ToLower(strings.TrimSpace(u))
	if len(u) < 3 || len(u) > 50 {
		return "", invalidInput(op, "username %q must be 3 to 50 characters", truncate(u, 60))
	}
	letter := false
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case 'a' <= c && c <= 'z':
			letter = true
		case '0' <= c && c <= '9', c == '_':
		default:
			return "", invalidInput(op, "username %q may contain only a-z, 0-9 and _", truncate(u, 60))
		}
	}
	if !letter {
		return "", invalidInput(op, "username %q must contain a letter", u)
	}
	for _, p := range []string{"1", "3", "_", "bc1", "lnbc1"} {
		if strings.HasPrefix(u, p) {
			return "", invalidInput(op, "username %q must not start with %q", u, p)
		}
	}
	return u, nil
}

// checkCurrency refuses a wallet currency other than BTC and USD.
func checkCurrency(op string, c WalletCurrency) error {
	if c != BTC && c != USD {
		return invalidInput(op, "wallet currency %q is neither BTC nor USD", truncate(string(c), 10))
	}
	return nil
}

// truncate shortens an input for an error message to n bytes (never
// splitting a UTF-8 sequence). An input that holds an API key prefix is
// not echoed at all: a key passed in the wrong argument must not end up
// in an error.
func truncate(s string, n int) string {
	if redact.LooksLikeKey(s) {
		return "(withheld: it holds an API key prefix)"
	}
	return truncateUTF8(s, n)
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary, marking a cut
// with an ellipsis.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// MaxMemoBytes is the longest memo the API accepts, in bytes of UTF-8.
const MaxMemoBytes = 639

// checkMemo refuses a memo longer than MaxMemoBytes or not valid UTF-8.
func checkMemo(op, memo string) error {
	if len(memo) > MaxMemoBytes {
		return invalidInput(op, "memo is %d bytes; at most %d are allowed", len(memo), MaxMemoBytes)
	}
	if !utf8.ValidString(memo) {
		return invalidInput(op, "memo is not valid UTF-8")
	}
	return nil
}

// checkPaymentHash refuses a payment hash that is not 64 hex digits and
// returns it in lower case, the form the server stores.
func checkPaymentHash(op, hash string) (string, error) {
	if !isHex64(hash) {
		return "", invalidInput(op, "payment hash %q is not 64 hex digits", truncate(hash, 70))
	}
	return strings.ToLower(hash), nil
}

// checkDisplayCurrency refuses a display currency code that is not 2 to 10
// ASCII letters or digits (ISO 4217 codes, and Blink's few longer ones),
// before sending: a control character or a quote never reaches the wire.
func checkDisplayCurrency(op, code string) error {
	ok := len(code) >= 2 && len(code) <= 10
	for i := 0; ok && i < len(code); i++ {
		c := code[i]
		ok = 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
	}
	if !ok {
		return invalidInput(op, "display currency %q is not a currency code (2 to 10 letters or digits)", truncate(code, 12))
	}
	return nil
}
