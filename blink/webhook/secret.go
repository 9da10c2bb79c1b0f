package webhook

import (
	"encoding/base64"
	"strings"
)

// secretPrefix starts every Svix endpoint secret.
const secretPrefix = "whsec_"

// decodeSecret returns the HMAC key inside an endpoint secret: the
// base64 after the whsec_ prefix. A secret without the prefix is read as
// bare base64, as Svix's own libraries do. The error never holds the
// secret, not even a piece of it.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.TrimSpace(strings.TrimPrefix(secret, secretPrefix))
	if s == "" {
		return nil, ErrBadSecret
	}
	key, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, ErrBadSecret
	}
	return key, nil
}
