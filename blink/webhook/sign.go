package webhook

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"time"

	"github.com/blink-sdk/blink-go/internal/svix"
)

// Header names of a Svix delivery. Blink's deliveries carry the svix-*
// set; the Standard Webhooks names (webhook-*) carry the same values.
const (
	HeaderID        = "svix-id"
	HeaderTimestamp = "svix-timestamp"
	HeaderSignature = "svix-signature"

	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// Sign signs payload as Svix signs a delivery with message id id at time
// t, and returns the three svix-* headers a receiver checks. It is for
// tests of a receiving server (what stripe-go calls
// GenerateTestSignedPayload) and for servers that forward events, such
// as blinktest; Blink itself signs real deliveries.
//
// The error is ErrBadSecret when secret is not a whsec_ secret.
func Sign(secret, id string, t time.Time, payload []byte) (http.Header, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(t.Unix(), 10)
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, "v1,"+base64.StdEncoding.EncodeToString(mac(key, id, ts, payload)))
	return h, nil
}

// mac is the Svix signature of a message: HMAC-SHA256 over
// "<id>.<timestamp>.<body>".
func mac(key []byte, id, ts string, payload []byte) []byte { return svix.MAC(key, id, ts, payload) }
