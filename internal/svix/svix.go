// Package svix holds the one signing primitive of Svix's scheme (also
// called Standard Webhooks), shared by package blink/webhook and the fake
// server: the fake cannot import blink/webhook, which imports blink,
// whose internal tests run the fake.
package svix

import (
	"crypto/hmac"
	"crypto/sha256"
)

// MAC is the signature of a message: HMAC-SHA256, keyed with the
// secret's decoded bytes, over "<id>.<timestamp>.<body>".
func MAC(key []byte, id, ts string, payload []byte) []byte {
	m := hmac.New(sha256.New, key)
	prefix := make([]byte, 0, len(id)+len(ts)+2)
	prefix = append(append(append(append(prefix, id...), '.'), ts...), '.')
	m.Write(prefix)
	m.Write(payload)
	return m.Sum(nil)
}
