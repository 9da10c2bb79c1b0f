package fake

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
)

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

func hexString(b []byte) string { return hex.EncodeToString(b) }

// newUUID returns a random version-4 UUID.
func newUUID() string {
	b := randomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newTxID returns a 24-hex transaction id, shaped like a MongoDB ObjectId.
func newTxID() string { return hexString(randomBytes(12)) }

// randomAlnum returns n random letters and digits.
func randomAlnum(n int) string {
	b := randomBytes(n)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}

// nameUUID returns a version-5 (name-based) UUID of name: the same name
// gives the same id, as the real server's realtimePrice ids do.
func nameUUID(name string) string {
	h := sha1.Sum([]byte("blinktest:" + name))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
