package webhook

import "errors"

// Sentinel errors of Verify. Every error Verify returns matches exactly
// one of them with errors.Is; none holds the secret or the signatures.
var (
	// ErrMissingHeader: the delivery lacks its id, timestamp or signature
	// header (in both the svix-* and the webhook-* form).
	ErrMissingHeader = errors.New("webhook: missing signature header")
	// ErrMalformedHeader: a header is present but cannot be read (a
	// timestamp that is not Unix seconds, a signature list without v1).
	ErrMalformedHeader = errors.New("webhook: malformed signature header")
	// ErrNoMatchingSignature: no v1 signature matches the body and the
	// secret. The body was changed, or it was signed with another secret.
	ErrNoMatchingSignature = errors.New("webhook: no matching signature")
	// ErrTimestampTooOld: the delivery was signed longer ago than the
	// tolerance allows (a replay, or a clock far behind).
	ErrTimestampTooOld = errors.New("webhook: timestamp too old")
	// ErrTimestampTooNew: the delivery claims a time further ahead than
	// the tolerance allows.
	ErrTimestampTooNew = errors.New("webhook: timestamp too new")
	// ErrBadSecret: the endpoint secret is not a whsec_ secret (base64
	// after the prefix). The error never shows the secret.
	ErrBadSecret = errors.New("webhook: endpoint secret is not a whsec_ secret")
)
