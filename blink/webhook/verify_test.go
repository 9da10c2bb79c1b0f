package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink/webhook"
)

// The published Svix test vector: svix/svix-webhooks, go/webhook_test.go,
// TestWebhookSign (commit 4fc0cfb8b426c87ef7e2b937e7d896a71d456a47). It
// pins the scheme against Svix's own implementation, so that a bug shared
// by Sign and Verify cannot hide.
const (
	svixSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	svixMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	svixTimestamp = 1614265330
	svixPayload   = `{"test": 2432232314}`
	svixSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

// otherSecret is a well-formed secret that did not sign anything here.
const otherSecret = "whsec_" + "c2VjcmV0LW9mLWFub3RoZXItYWNjb3VudC0wMTIzNDU="

var svixTime = time.Unix(svixTimestamp, 0)

func at(t time.Time) *webhook.VerifyOptions {
	return &webhook.VerifyOptions{Now: func() time.Time { return t }}
}

func svixHeaders() http.Header {
	h := http.Header{}
	h.Set("svix-id", svixMsgID)
	h.Set("svix-timestamp", strconv.Itoa(svixTimestamp))
	h.Set("svix-signature", svixSignature)
	return h
}

func webhookHeaders(h http.Header) http.Header {
	out := http.Header{}
	out.Set("webhook-id", h.Get("svix-id"))
	out.Set("webhook-timestamp", h.Get("svix-timestamp"))
	out.Set("webhook-signature", h.Get("svix-signature"))
	return out
}

func TestSign_MatchesSvixPublishedVector(t *testing.T) {
	h, err := webhook.Sign(svixSecret, svixMsgID, svixTime, []byte(svixPayload))
	require.NoError(t, err)
	assert.Equal(t, svixSignature, h.Get(webhook.HeaderSignature))
	assert.Equal(t, svixMsgID, h.Get(webhook.HeaderID))
	assert.Equal(t, "1614265330", h.Get(webhook.HeaderTimestamp))
}

func TestVerify_AcceptsSvixPublishedVector(t *testing.T) {
	require.NoError(t, webhook.VerifyWithOptions([]byte(svixPayload), svixHeaders(), svixSecret, at(svixTime)))
	// The secret without its whsec_ prefix is read as bare base64, as
	// Svix's libraries do.
	require.NoError(t, webhook.VerifyWithOptions([]byte(svixPayload), svixHeaders(),
		strings.TrimPrefix(svixSecret, "whsec_"), at(svixTime)))
}

func TestVerify_AcceptsWebhookHeaderSet(t *testing.T) {
	require.NoError(t, webhook.VerifyWithOptions([]byte(svixPayload), webhookHeaders(svixHeaders()), svixSecret, at(svixTime)))
}

func TestVerify_IncompleteSvixSetFallsBackToCompleteWebhookSet(t *testing.T) {
	h := webhookHeaders(svixHeaders())
	h.Set("svix-id", svixMsgID) // a lone svix-* header does not make a set
	require.NoError(t, webhook.VerifyWithOptions([]byte(svixPayload), h, svixSecret, at(svixTime)))
}

func TestVerify_NeverMixesHeaderSets(t *testing.T) {
	h := http.Header{}
	h.Set("svix-id", svixMsgID)
	h.Set("svix-timestamp", strconv.Itoa(svixTimestamp))
	h.Set("webhook-signature", svixSignature)
	err := webhook.VerifyWithOptions([]byte(svixPayload), h, svixSecret, at(svixTime))
	assert.ErrorIs(t, err, webhook.ErrMissingHeader)
}

func TestVerify_AnyOfSeveralSignaturesMatches(t *testing.T) {
	for name, list := range map[string]string{
		"good last":          "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,bm90LWJhc2U2NC1vZi1hLW1hYw== " + svixSignature,
		"good first":         svixSignature + " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
		"beside v2 entries":  "v2,abc " + svixSignature + " v1a,xyz",
		"undecodable beside": "v1,!!!not-base64!!! " + svixSignature,
		"extra spaces":       "  " + svixSignature + "   ",
	} {
		t.Run(name, func(t *testing.T) {
			h := svixHeaders()
			h.Set("svix-signature", list)
			assert.NoError(t, webhook.VerifyWithOptions([]byte(svixPayload), h, svixSecret, at(svixTime)))
		})
	}
}

func TestVerify_Refusals(t *testing.T) {
	payload := []byte(svixPayload)
	forged, err := webhook.Sign(otherSecret, svixMsgID, svixTime, payload)
	require.NoError(t, err)

	for _, tc := range []struct {
		name    string
		payload []byte
		header  func(http.Header)
		secret  string
		now     time.Time
		want    error
	}{
		{name: "tampered body", payload: []byte(`{"test": 2432232315}`), want: webhook.ErrNoMatchingSignature},
		{name: "body with a trailing newline", payload: []byte(svixPayload + "\n"), want: webhook.ErrNoMatchingSignature},
		{name: "wrong secret", secret: otherSecret, want: webhook.ErrNoMatchingSignature},
		{name: "forged with another account's secret", header: func(h http.Header) {
			h.Set("svix-signature", forged.Get("svix-signature"))
		}, want: webhook.ErrNoMatchingSignature},
		{name: "id changed", header: func(h http.Header) { h.Set("svix-id", "msg_other") }, want: webhook.ErrNoMatchingSignature},
		{name: "timestamp changed", header: func(h http.Header) { h.Set("svix-timestamp", strconv.Itoa(svixTimestamp+1)) },
			now: svixTime, want: webhook.ErrNoMatchingSignature},
		{name: "stale", now: svixTime.Add(5*time.Minute + time.Second), want: webhook.ErrTimestampTooOld},
		{name: "future", now: svixTime.Add(-5*time.Minute - time.Second), want: webhook.ErrTimestampTooNew},
		{name: "no headers", header: func(h http.Header) { clear(h) }, want: webhook.ErrMissingHeader},
		{name: "no id", header: func(h http.Header) { h.Del("svix-id") }, want: webhook.ErrMissingHeader},
		{name: "no timestamp", header: func(h http.Header) { h.Del("svix-timestamp") }, want: webhook.ErrMissingHeader},
		{name: "no signature", header: func(h http.Header) { h.Del("svix-signature") }, want: webhook.ErrMissingHeader},
		{name: "timestamp not a number", header: func(h http.Header) { h.Set("svix-timestamp", "2021-02-25T15:02:10Z") }, want: webhook.ErrMalformedHeader},
		{name: "timestamp in milliseconds overflow", header: func(h http.Header) { h.Set("svix-timestamp", "99999999999999999999") }, want: webhook.ErrMalformedHeader},
		{name: "only v2 signatures", header: func(h http.Header) {
			h.Set("svix-signature", "v2,"+strings.TrimPrefix(svixSignature, "v1,")+" v2,abc")
		}, want: webhook.ErrMalformedHeader},
		{name: "signature without version", header: func(h http.Header) {
			h.Set("svix-signature", strings.TrimPrefix(svixSignature, "v1,"))
		}, want: webhook.ErrMalformedHeader},
		{name: "empty v1", header: func(h http.Header) { h.Set("svix-signature", "v1,") }, want: webhook.ErrNoMatchingSignature},
		{name: "v1 not base64", header: func(h http.Header) { h.Set("svix-signature", "v1,@@@@") }, want: webhook.ErrNoMatchingSignature},
		{name: "v1 far too long", header: func(h http.Header) {
			h.Set("svix-signature", "v1,"+strings.Repeat("A", 4096))
		}, want: webhook.ErrNoMatchingSignature},
		{name: "truncated signature", header: func(h http.Header) { h.Set("svix-signature", svixSignature[:20]) }, want: webhook.ErrNoMatchingSignature},
		{name: "bad secret", secret: "whsec_%%%", want: webhook.ErrBadSecret},
		{name: "empty secret", secret: "whsec_", want: webhook.ErrBadSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := payload
			if tc.payload != nil {
				p = tc.payload
			}
			h := svixHeaders()
			if tc.header != nil {
				tc.header(h)
			}
			secret := svixSecret
			if tc.secret != "" {
				secret = tc.secret
			}
			now := svixTime
			if !tc.now.IsZero() {
				now = tc.now
			}
			err := webhook.VerifyWithOptions(p, h, secret, at(now))
			require.ErrorIs(t, err, tc.want)
			assertOneSentinel(t, err)
			assertNoSecrets(t, err, secret)
		})
	}
}

func TestVerify_ToleranceIsInclusiveAndConfigurable(t *testing.T) {
	p := []byte(svixPayload)
	assert.NoError(t, webhook.VerifyWithOptions(p, svixHeaders(), svixSecret, at(svixTime.Add(5*time.Minute))))
	assert.NoError(t, webhook.VerifyWithOptions(p, svixHeaders(), svixSecret, at(svixTime.Add(-5*time.Minute))))

	opts := &webhook.VerifyOptions{Tolerance: time.Hour, Now: func() time.Time { return svixTime.Add(59 * time.Minute) }}
	assert.NoError(t, webhook.VerifyWithOptions(p, svixHeaders(), svixSecret, opts))
	opts.Tolerance = 30 * time.Second
	assert.ErrorIs(t, webhook.VerifyWithOptions(p, svixHeaders(), svixSecret, opts), webhook.ErrTimestampTooOld)
}

func TestVerify_UsesTheWallClockByDefault(t *testing.T) {
	// The vector is from 2021: far outside the default tolerance of now.
	err := webhook.Verify([]byte(svixPayload), svixHeaders(), svixSecret)
	assert.ErrorIs(t, err, webhook.ErrTimestampTooOld)

	h, err := webhook.Sign(svixSecret, "msg_now", time.Now(), []byte(svixPayload))
	require.NoError(t, err)
	assert.NoError(t, webhook.Verify([]byte(svixPayload), h, svixSecret))
}

func TestVerify_SignRoundTripAtAnyTime(t *testing.T) {
	for _, ts := range []time.Time{time.Unix(0, 0), time.Unix(1, 0), svixTime, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)} {
		h, err := webhook.Sign(otherSecret, "msg_x", ts, []byte("{}"))
		require.NoError(t, err)
		assert.NoError(t, webhook.VerifyWithOptions([]byte("{}"), h, otherSecret, at(ts)))
		assert.ErrorIs(t, webhook.VerifyWithOptions([]byte("{}"), h, svixSecret, at(ts)), webhook.ErrNoMatchingSignature)
	}
}

// TestVerify_IndependentHMAC recomputes the signature with crypto/hmac in
// the test itself, apart from the package's mac().
func TestVerify_IndependentHMAC(t *testing.T) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(otherSecret, "whsec_"))
	require.NoError(t, err)
	body := []byte(`{"eventType":"receive.lightning"}`)
	m := hmac.New(sha256.New, key)
	m.Write([]byte("msg_1.1700000000." + string(body)))
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", "1700000000")
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	assert.NoError(t, webhook.VerifyWithOptions(body, h, otherSecret, at(time.Unix(1700000000, 0))))
}

var sentinels = []error{
	webhook.ErrMissingHeader, webhook.ErrMalformedHeader, webhook.ErrNoMatchingSignature,
	webhook.ErrTimestampTooOld, webhook.ErrTimestampTooNew, webhook.ErrBadSecret,
}

func assertOneSentinel(t *testing.T, err error) {
	t.Helper()
	n := 0
	for _, s := range sentinels {
		if errors.Is(err, s) {
			n++
		}
	}
	assert.Equal(t, 1, n, "error %q matches %d sentinels", err, n)
}

func assertNoSecrets(t *testing.T, err error, secret string) {
	t.Helper()
	msg := err.Error()
	for _, s := range []string{secret, strings.TrimPrefix(secret, "whsec_"), strings.TrimPrefix(svixSignature, "v1,"), "g0hM9SsE"} {
		if len(s) > 3 && s != "whsec_" {
			assert.NotContains(t, msg, s)
		}
	}
}
