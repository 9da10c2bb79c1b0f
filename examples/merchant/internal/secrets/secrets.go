// Package secrets seals the tenants' secrets (connection strings, webhook
// secrets) with AES-256-GCM under a master key, and makes and checks the
// API tokens of the server's own API.
//
// A sealed value is base64(nonce || ciphertext || tag) with a 12-byte random
// nonce; the additional data binds it to its tenant and field, so a
// ciphertext copied into another row or column does not open. Beside each
// ciphertext the store keeps the key id, the first 8 bytes of
// sha256("merchant-key-id" || key) in hex: a keyring holding the new master
// key and the old ones opens everything while a rotation runs.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrBadMasterKey is returned for a master key that is not base64 of 32 bytes.
var ErrBadMasterKey = errors.New("secrets: a master key must be the base64 encoding of 32 random bytes (openssl rand -base64 32)")

// ErrUnknownKey is returned for a ciphertext sealed under a key the keyring lacks.
var ErrUnknownKey = errors.New("secrets: the ciphertext was sealed under a master key this keyring does not hold (set MERCHANT_OLD_MASTER_KEYS)")

// ErrOpen is returned for a ciphertext that does not open (tampered, or moved to another row).
var ErrOpen = errors.New("secrets: the ciphertext does not open")

// Keyring holds the current master key and older ones.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a keyring sealing under current (base64 of 32 bytes)
// and opening under current and old.
func NewKeyring(current string, old ...string) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	id, err := k.add(current)
	if err != nil {
		return nil, err
	}
	k.current = id
	for _, o := range old {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if _, err := k.add(o); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// NewMasterKey returns a fresh master key, base64.
func NewMasterKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

func (k *Keyring) add(b64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(raw) != 32 {
		return "", ErrBadMasterKey
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return "", ErrBadMasterKey
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(append([]byte("merchant-key-id"), raw...))
	id := hex.EncodeToString(sum[:8])
	k.aeads[id] = aead
	return id, nil
}

// CurrentKeyID is the id of the key Seal uses.
func (k *Keyring) CurrentKeyID() string { return k.current }

// Seal encrypts plaintext for tenant's field; it returns the ciphertext and the key id.
func (k *Keyring) Seal(plaintext []byte, tenantID, field string) (ciphertext, keyID string) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	out := aead.Seal(nonce, nonce, plaintext, aad(tenantID, field))
	return base64.StdEncoding.EncodeToString(out), k.current
}

// Open decrypts a ciphertext Seal made for tenant's field.
func (k *Keyring) Open(ciphertext, keyID, tenantID, field string) ([]byte, error) {
	aead, ok := k.aeads[keyID]
	if !ok {
		return nil, ErrUnknownKey
	}
	raw, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], aad(tenantID, field))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

func aad(tenantID, field string) []byte { return []byte("merchant/v1/" + tenantID + "/" + field) }

// TokenPrefix starts every API token of the server's own API.
const TokenPrefix = "mt_"

// NewToken returns a fresh API token (32 random bytes, base64url) and its
// hash, the only form the store keeps.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token: hex sha256. A token has 256
// bits of entropy, so a plain hash (no salt, no slow KDF) is enough: no
// dictionary reaches it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TokenMatches compares a presented token with a stored hash in constant time.
func TokenMatches(token, storedHash string) bool {
	got := HashToken(token)
	return subtle.ConstantTimeCompare([]byte(got), []byte(storedHash)) == 1
}

// NewID returns a random id with a prefix, such as "tn_3f9a...".
func NewID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return fmt.Sprintf("%s_%s", prefix, hex.EncodeToString(b))
}

// NewWebhookSecret returns a fresh whsec_ secret (24 random bytes).
func NewWebhookSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}
