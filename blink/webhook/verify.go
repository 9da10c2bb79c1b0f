package webhook

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a delivery's timestamp may lie from the
// receiver's clock, in either direction, when no tolerance is set.
const DefaultTolerance = 5 * time.Minute

// VerifyOptions tunes VerifyWithOptions. The zero value is ready to use.
type VerifyOptions struct {
	// Tolerance is how far the signed timestamp may be from Now, in the
	// past or in the future: default DefaultTolerance (5 minutes). A
	// delivery outside it is refused even with a good signature, so that
	// a recorded delivery cannot be replayed later.
	Tolerance time.Duration
	// Now is the receiver's clock: default time.Now. Tests set it to
	// check old signatures or to move time.
	Now func() time.Time
}

// Verify checks that payload, the raw request body, was signed by Svix
// with the endpoint secret (whsec_...) for the delivery described by h,
// the request's headers, within DefaultTolerance of now.
//
// It reads the svix-id, svix-timestamp and svix-signature headers, or,
// when that set is incomplete, the webhook-* set (Standard Webhooks).
// The signature header may hold several space-separated signatures; the
// delivery is accepted when any v1 entry matches (compared in constant
// time). Entries of other versions are ignored.
//
// It returns nil for a genuine delivery, and otherwise an error that
// matches exactly one of ErrBadSecret, ErrMissingHeader,
// ErrMalformedHeader, ErrNoMatchingSignature, ErrTimestampTooOld and
// ErrTimestampTooNew with errors.Is. No error holds the secret or a
// signature.
//
// Pass the body exactly as received: re-encoded JSON does not verify.
func Verify(payload []byte, h http.Header, secret string) error {
	return VerifyWithOptions(payload, h, secret, nil)
}

// VerifyWithOptions is Verify with a tolerance and a clock of the
// caller's choice; opts may be nil.
func VerifyWithOptions(payload []byte, h http.Header, secret string, opts *VerifyOptions) error {
	key, err := decodeSecret(secret)
	if err != nil {
		return err
	}
	v := verifier{keys: [][]byte{key}}
	if opts != nil {
		v.tolerance, v.now = opts.Tolerance, opts.Now
	}
	_, _, err = v.verify(payload, h)
	return err
}

// verifier checks deliveries against one or more decoded secrets (the
// current one and, during a rotation, the old ones).
type verifier struct {
	keys      [][]byte
	tolerance time.Duration
	now       func() time.Time
}

// headerSets are the two header sets in their canonical form, so that
// reading them is a map look-up (http.Header.Get would canonicalize the
// lower-case names on every call).
var headerSets = [2][3]string{
	{textproto.CanonicalMIMEHeaderKey(HeaderID), textproto.CanonicalMIMEHeaderKey(HeaderTimestamp), textproto.CanonicalMIMEHeaderKey(HeaderSignature)},
	{textproto.CanonicalMIMEHeaderKey(HeaderWebhookID), textproto.CanonicalMIMEHeaderKey(HeaderWebhookTimestamp), textproto.CanonicalMIMEHeaderKey(HeaderWebhookSignature)},
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// headerSet picks the delivery's id, timestamp and signatures: the svix-*
// set when it is complete, else the webhook-* set when it is complete.
// Sets are never mixed.
func headerSet(h http.Header) (id, ts string, sigs []string, err error) {
	for _, set := range &headerSets {
		id, ts, sigs = first(h[set[0]]), first(h[set[1]]), h[set[2]]
		if id != "" && ts != "" && len(sigs) > 0 {
			return id, ts, sigs, nil
		}
	}
	return "", "", nil, fmt.Errorf("%w: want svix-id, svix-timestamp and svix-signature (or the webhook-* set)", ErrMissingHeader)
}

// verify checks one delivery and returns its message id and signed time.
func (v *verifier) verify(payload []byte, h http.Header) (string, time.Time, error) {
	id, ts, sigs, err := headerSet(h)
	if err != nil {
		return "", time.Time{}, err
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%w: timestamp is not Unix seconds", ErrMalformedHeader)
	}

	var want [8][]byte // the expected MAC of each key, computed once
	macs := want[:0]
	for _, k := range v.keys {
		macs = append(macs, mac(k, id, ts, payload))
	}
	var got [36]byte // a decoded v1 signature: 32 bytes for SHA-256
	v1, match := 0, false
	for _, line := range sigs {
		for entry := range strings.FieldsSeq(line) {
			sig, ok := strings.CutPrefix(entry, "v1,")
			if !ok {
				continue // another version, or no version at all
			}
			v1++
			// A signature that is not base64, or too long to be a
			// SHA-256 MAC, matches nothing.
			var src [48]byte // the base64 text, on the stack
			if len(sig) > len(src) || base64.StdEncoding.DecodedLen(len(sig)) > len(got) {
				continue
			}
			n, err := base64.StdEncoding.Decode(got[:], src[:copy(src[:], sig)])
			if err != nil {
				continue
			}
			for _, m := range macs {
				if hmac.Equal(got[:n], m) {
					match = true
				}
			}
		}
	}
	if v1 == 0 {
		return "", time.Time{}, fmt.Errorf("%w: no v1 signature", ErrMalformedHeader)
	}
	if !match {
		return "", time.Time{}, fmt.Errorf("%w: the body was changed or signed with another secret", ErrNoMatchingSignature)
	}

	tol := v.tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	now := time.Now
	if v.now != nil {
		now = v.now
	}
	signed := time.Unix(secs, 0)
	switch d := now().Sub(signed); {
	case d > tol:
		return "", time.Time{}, fmt.Errorf("%w: signed %s ago, tolerance %s", ErrTimestampTooOld, d.Truncate(time.Second), tol)
	case d < -tol:
		return "", time.Time{}, fmt.Errorf("%w: signed %s ahead, tolerance %s", ErrTimestampTooNew, (-d).Truncate(time.Second), tol)
	}
	return id, signed, nil
}
