package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/blink-sdk/blink-go/blink/webhook"
)

// FuzzVerify checks that Verify never panics, accepts a body exactly when
// it carries a v1 signature of that body, id and timestamp, and never
// accepts a body other than the one signed.
func FuzzVerify(f *testing.F) {
	f.Add([]byte(svixPayload), []byte(`{"test": 2432232315}`), svixMsgID, "", int64(0))
	f.Add([]byte(bodyReceiveLightning), []byte(bodyReceiveLightning+" "), "msg_1", "v2,abc v1,", int64(299))
	f.Add([]byte{}, []byte{0}, "x", "v1,AAAA v1,"+strings.Repeat("/", 44), int64(-301))
	f.Add([]byte("{}"), []byte("{}"), "", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", int64(1))
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(otherSecret, "whsec_"))
	opts := at(testNow)

	f.Fuzz(func(t *testing.T, body, other []byte, id, junk string, skew int64) {
		ts := testNow.Unix() + skew%1000
		tsText := strconv.FormatInt(ts, 10)
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id + "." + tsText + "."))
		m.Write(body)
		good := base64.StdEncoding.EncodeToString(m.Sum(nil))

		h := http.Header{}
		h.Set("svix-id", id)
		h.Set("svix-timestamp", tsText)

		// Only junk: accepted only if the junk holds the right signature.
		h.Set("svix-signature", junk)
		if err := webhook.VerifyWithOptions(body, h, otherSecret, opts); err == nil && !strings.Contains(junk, "v1,"+good) {
			t.Fatalf("accepted without the signature: id %q junk %q", id, junk)
		}

		// Junk beside the right signature: accepted when the headers are
		// complete and the time is within the tolerance.
		h.Set("svix-signature", junk+" v1,"+good)
		err := webhook.VerifyWithOptions(body, h, otherSecret, opts)
		inTime := skew%1000 >= -300 && skew%1000 <= 300
		if id != "" && inTime && err != nil {
			t.Fatalf("refused a signed body: %v", err)
		}
		if err != nil && !oneSentinel(err) {
			t.Fatalf("error %v matches no single sentinel", err)
		}

		// Another body with the same headers: never accepted.
		if !bytes.Equal(body, other) {
			if err := webhook.VerifyWithOptions(other, h, otherSecret, opts); err == nil {
				t.Fatalf("accepted a body that was not signed")
			}
		}

		// Arbitrary headers in the webhook-* set: never a panic.
		g := http.Header{}
		g.Set("webhook-id", id)
		g.Set("webhook-timestamp", junk)
		g.Set("webhook-signature", junk)
		_ = webhook.VerifyWithOptions(body, g, otherSecret, opts)
	})
}

func oneSentinel(err error) bool {
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	return n == 1
}

// FuzzParseEvent checks that ParseEvent never panics, returns an event or
// an ErrMalformedEvent, and keeps a raw event's body as valid JSON.
func FuzzParseEvent(f *testing.F) {
	for _, b := range []string{
		bodyReceiveLightning, bodySendLightningPending, bodyReceiveIntraLedger, bodySendIntraLedger,
		bodyReceiveOnChainPending, bodySendOnChain, bodyInvoicePaid, bodyInvoiceExpired,
		`{"eventType":"x"}`, `{"status":"PAID"}`, `{}`, `null`, `[]`, `"`, ``,
		`{"eventType":"receive.lightning","transaction":{"settlementDisplayPrice":{"base":"1e3"}}}`,
	} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := webhook.ParseEvent(body)
		if err != nil {
			if !errors.Is(err, webhook.ErrMalformedEvent) || ev != nil {
				t.Fatalf("error %v (event %T) is not a bare ErrMalformedEvent", err, ev)
			}
			return
		}
		if ev == nil {
			t.Fatal("nil event without an error")
		}
		_ = ev.Type()
		if raw, ok := ev.(*webhook.RawEvent); ok && !json.Valid(raw.Body) {
			t.Fatalf("raw body is not JSON: %q", raw.Body)
		}
		if te, ok := webhook.TransactionOf(ev); ok && te.EventType != ev.Type() {
			t.Fatalf("type %q beside %q", te.EventType, ev.Type())
		}
	})
}
