package blink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/internal/bolt11"
	"github.com/blink-sdk/blink-go/internal/redact"
)

// Sentinels of the keyless receive (AddressReceiver): what an LNURL-pay
// server answered, and each check of its answers that failed. Every
// error is an *Error; the LNURL server's reason is kept in Message.
var (
	// ErrAddressNotFound: the lightning address has no LNURL-pay
	// parameters ("Couldn't find user"), or its callback answered HTTP 404.
	ErrAddressNotFound = errors.New("blink: lightning address not found")
	// ErrLNURLServer: the LNURL-pay server answered {"status":"ERROR"} or
	// something that is not LNURL-pay (an invoice dated in the future or
	// payable longer than asked for included); Message holds its reason.
	ErrLNURLServer = errors.New("blink: the LNURL-pay server refused or answered badly")
	// ErrUntrustedURL: a callback or verify URL is not https on a host
	// inside the address's domain (plain http to a loopback host passes
	// only with AddressReceiverOptions.AllowLoopbackHTTP).
	ErrUntrustedURL = errors.New("blink: the LNURL-pay server pointed outside the address's domain")
	// ErrAmountMismatch: the invoice asks another amount than requested,
	// or not a whole number of sats.
	ErrAmountMismatch = errors.New("blink: the invoice's amount is not the one requested")
	// ErrDescriptionHashMismatch: the invoice's description hash is not
	// sha256 of the payRequest's metadata (LUD-06).
	ErrDescriptionHashMismatch = errors.New("blink: the invoice does not commit to the address's metadata")
	// ErrVerifyURLMismatch: the verify URL names another payment hash
	// than the invoice's, or is missing.
	ErrVerifyURLMismatch = errors.New("blink: the verify URL is not the invoice's")
	// ErrPreimageMismatch: a server said settled with a preimage whose
	// sha256 is not the payment hash: not a proof of payment.
	ErrPreimageMismatch = errors.New("blink: the preimage does not match the payment hash")
	// ErrInvoiceNotFound: the server said, again and again, that it does
	// not know the invoice (AddressReceiverOptions.NotFoundConfirmations
	// answers in a row).
	ErrInvoiceNotFound = errors.New("blink: the server does not know the invoice")
)

// invoiceClockSlack is how far an LNURL invoice's dates may run past the
// receiver's clock: its timestamp ahead of now, its expiry beyond the one
// asked for.
const invoiceClockSlack = time.Minute

// maxLNURLExpiry is Blink's longest invoice expiry, the bound on an
// LNURL invoice's when none was asked for.
const maxLNURLExpiry = 24 * time.Hour

// maxLNURLBody bounds an LNURL-pay answer; real ones are under 2 KiB.
const maxLNURLBody = 64 << 10

// receiveDisabledText is what Blink's RECEIVE_DISABLED message says.
const receiveDisabledText = "can no longer receive payments"

// lnurlAnswer is the part of every LNURL answer the receiver reads.
type lnurlAnswer struct {
	Status string `json:"status"`
	Reason string `json:"reason"`
	// payRequest
	Callback       string          `json:"callback"`
	MinSendable    int64           `json:"minSendable"`
	MaxSendable    int64           `json:"maxSendable"`
	Tag            string          `json:"tag"`
	Metadata       string          `json:"metadata"`
	CommentAllowed int             `json:"commentAllowed"`
	PR             string          `json:"pr"`
	Verify         string          `json:"verify"`
	Settled        bool            `json:"settled"`
	Preimage       *string         `json:"preimage"`
	Routes         json.RawMessage `json:"routes"`
}

// lnurlGet fetches an LNURL URL with the receiver's own HTTP client (never
// the Client's, so no API key ever travels to an LNURL host), a timeout,
// no redirects and a bounded body. A non-nil *Error says why it failed:
// ErrTransport, ErrRateLimited or ErrServer (transient), ErrAddressNotFound
// for HTTP 404, ErrLNURLServer for another status or a body that is not
// JSON.
func (r *AddressReceiver) lnurlGet(ctx context.Context, op, raw string) (*lnurlAnswer, error) {
	tctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(tctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, &Error{Operation: op, Message: "bad LNURL URL", sentinel: ErrLNURLServer}
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "blink-go/"+Version)
	resp, err := r.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if tctx.Err() != nil {
			return nil, &Error{Operation: op, Message: "the LNURL-pay server did not answer in time", sentinel: ErrTransport, cause: tctx.Err()}
		}
		return nil, &Error{Operation: op, Message: "the LNURL-pay server could not be reached", sentinel: ErrTransport, cause: scrubURLError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxLNURLBody+1))
	if err != nil {
		return nil, &Error{Operation: op, Message: "reading the LNURL-pay answer failed", HTTPStatus: resp.StatusCode, sentinel: ErrTransport, cause: err}
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, &Error{Operation: op, Message: "the LNURL-pay server is rate limiting", HTTPStatus: resp.StatusCode, RetryAfter: retryAfterAt(resp.Header.Get("Retry-After"), r.now()), sentinel: ErrRateLimited}
	case resp.StatusCode >= 500:
		return nil, &Error{Operation: op, Message: "the LNURL-pay server failed", HTTPStatus: resp.StatusCode, RetryAfter: retryAfterAt(resp.Header.Get("Retry-After"), r.now()), sentinel: ErrServer}
	case resp.StatusCode == http.StatusNotFound:
		return nil, &Error{Operation: op, Message: "the LNURL-pay server does not know this address", HTTPStatus: resp.StatusCode, sentinel: ErrAddressNotFound}
	case resp.StatusCode != http.StatusOK:
		return nil, &Error{Operation: op, Message: "the LNURL-pay server answered an unexpected status", HTTPStatus: resp.StatusCode, sentinel: ErrLNURLServer}
	case len(body) > maxLNURLBody:
		return nil, &Error{Operation: op, Message: "the LNURL-pay answer is too large", HTTPStatus: resp.StatusCode, sentinel: ErrLNURLServer}
	}
	var a lnurlAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, &Error{Operation: op, Message: "the LNURL-pay answer is not JSON", HTTPStatus: resp.StatusCode, sentinel: ErrLNURLServer}
	}
	return &a, nil
}

// scrubURLError drops the URL from a *url.Error: an LNURL URL can carry
// a secret in its query.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryAfterSeconds parses a Retry-After header: seconds, or an HTTP
// date; 0 when absent or unparsable. Capped at an hour.
func retryAfterSeconds(v string) int { return retryAfterAt(v, time.Now()) }

// retryAfterAt is retryAfterSeconds with a date measured from now (the
// receiver's clock).
func retryAfterAt(v string, now time.Time) int {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return min(n, 3600)
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(int(d/time.Second)+1, 3600)
		}
	}
	return 0
}

// lnurlRefusal maps an {"status":"ERROR"} answer: RECEIVE_DISABLED for a
// wound-down account (the server's message kept, clipped), ErrAddressNotFound
// for an unknown user, ErrLNURLServer otherwise (the reason quoted and
// clipped). No reason echoed keeps anything that looks like an invoice.
func lnurlRefusal(op string, a *lnurlAnswer) error {
	switch {
	case strings.Contains(a.Reason, receiveDisabledText):
		return &Error{Operation: op, Code: "RECEIVE_DISABLED", Message: truncateUTF8(withholdInvoices(a.Reason), maxReasonBytes), HTTPStatus: http.StatusOK}
	case strings.HasPrefix(a.Reason, "Couldn't find user"):
		return &Error{Operation: op, Message: clipReason(a.Reason), HTTPStatus: http.StatusOK, sentinel: ErrAddressNotFound}
	}
	reason := "ERROR without a reason"
	if strings.TrimSpace(a.Reason) != "" {
		reason = clipReason(a.Reason)
	}
	return &Error{Operation: op, Message: reason, HTTPStatus: http.StatusOK, sentinel: ErrLNURLServer}
}

// maxReasonBytes bounds an LNURL server's reason echoed in an error.
const maxReasonBytes = 120

// clipReason quotes an LNURL server's reason for an error message: at most
// maxReasonBytes of it (cut on a rune boundary, "..." marking the cut),
// invoices withheld, nothing of it if it looks like an API key.
func clipReason(s string) string {
	s = withholdInvoices(s)
	t := s
	if len(t) > maxReasonBytes {
		t = strings.TrimSuffix(truncateUTF8(t, maxReasonBytes), "…")
	}
	q := redact.Quote(t, len(t))
	if t != s {
		q += "..."
	}
	return q
}

// withholdInvoices replaces each word of s that looks like a BOLT11
// invoice (ln + a network prefix, 20 characters or more, with or without
// "lightning:") by "(invoice withheld)".
func withholdInvoices(s string) string {
	if !strings.Contains(strings.ToLower(s), "ln") {
		return s
	}
	words := strings.Fields(s)
	changed := false
	for i, w := range words {
		if looksLikeBOLT11(w) {
			words[i] = "(invoice withheld)"
			changed = true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(words, " ")
}

func looksLikeBOLT11(w string) bool {
	w = strings.Trim(strings.ToLower(w), "\"'`.,;:()[]{}<>")
	w = strings.TrimPrefix(w, "lightning:")
	if len(w) < 20 {
		return false
	}
	for _, p := range []string{"lnbc", "lntb", "lntbs", "lnbcrt", "lnsb", "lntbc"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// trustedURL checks that an URL from an LNURL-pay answer is https on the
// address's domain or a subdomain of it (lnurl.blink.sv for blink.sv),
// with no user info; plain http on a loopback host passes when allowed.
func (r *AddressReceiver) trustedURL(op, what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	bad := func(why string) error {
		return &Error{Operation: op, Message: what + " URL " + why, sentinel: ErrUntrustedURL}
	}
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, bad("is not an absolute URL")
	}
	if u.User != nil {
		return nil, bad("carries user info")
	}
	host := strings.ToLower(u.Hostname())
	switch u.Scheme {
	case "https":
		d := r.addr.Domain
		if host == d || strings.HasSuffix(host, "."+d) {
			return u, nil
		}
		if r.opts.AllowLoopbackHTTP && isLoopback(host) {
			return u, nil
		}
		return nil, bad("is on a host outside " + d)
	case "http":
		if r.opts.AllowLoopbackHTTP && isLoopback(host) {
			return u, nil
		}
		return nil, bad("is plain http")
	}
	return nil, bad("is not https")
}

// checkLNURLInvoice checks a callback's answer before an invoice built on
// it is returned: the amount is the one requested (whole sats), the
// network the server's, the description hash sha256 of the metadata, the
// verify URL trusted and named after the invoice's payment hash, the
// invoice not already expired, dated no later than invoiceClockSlack
// past the receiver's clock, and payable no longer than the expiry asked
// for (Blink's maximum, a day, when none was) plus invoiceClockSlack.
func (r *AddressReceiver) checkLNURLInvoice(ctx context.Context, op string, a *lnurlAnswer, metadata string, msat int64, expiry time.Duration) (*bolt11.Invoice, *url.URL, error) {
	pr := stripLightningPrefix(a.PR)
	if pr == "" {
		return nil, nil, &Error{Operation: op, Message: "the callback answered no invoice", sentinel: ErrLNURLServer}
	}
	inv, err := bolt11.Decode(pr)
	if err != nil {
		return nil, nil, &Error{Operation: op, Message: "the callback's invoice does not decode", sentinel: ErrLNURLServer, cause: err}
	}
	if !inv.HasAmount || inv.AmountMsat != msat || inv.AmountMsat%1000 != 0 {
		return nil, nil, &Error{Operation: op, Message: "the invoice asks " + strconv.FormatInt(inv.AmountMsat, 10) + " msat, not the " + strconv.FormatInt(msat, 10) + " requested", sentinel: ErrAmountMismatch}
	}
	want, err := r.c.Network(ctx)
	if err != nil {
		return nil, nil, err
	}
	if string(inv.Network) != want {
		return nil, nil, &Error{Operation: op, Message: "the invoice is for " + string(inv.Network) + ", the server serves " + want, sentinel: ErrWrongNetwork}
	}
	h := sha256.Sum256([]byte(metadata))
	if inv.DescriptionHash != hex.EncodeToString(h[:]) {
		return nil, nil, &Error{Operation: op, Message: "the invoice's description hash is not sha256 of the metadata", sentinel: ErrDescriptionHashMismatch}
	}
	if a.Verify == "" {
		return nil, nil, &Error{Operation: op, Message: "the callback gave no verify URL (LUD-21): the payment could not be checked", sentinel: ErrVerifyURLMismatch}
	}
	vu, err := r.trustedURL(op, "verify", a.Verify)
	if err != nil {
		return nil, nil, err
	}
	ep := vu.EscapedPath()
	if last := ep[strings.LastIndex(ep, "/")+1:]; !strings.EqualFold(last, inv.PaymentHash) {
		return nil, nil, &Error{Operation: op, Message: "the verify URL names another payment hash than the invoice's", sentinel: ErrVerifyURLMismatch}
	}
	now := r.now()
	if inv.Expired(now) {
		return nil, nil, &Error{Operation: op, Message: "the callback's invoice has already expired", sentinel: ErrInvoiceExpired}
	}
	if inv.Timestamp.After(now.Add(invoiceClockSlack)) {
		return nil, nil, &Error{Operation: op, Message: "the callback's invoice is dated " + inv.Timestamp.Sub(now).Truncate(time.Second).String() + " in the future", sentinel: ErrLNURLServer}
	}
	allowed := maxLNURLExpiry
	if expiry > 0 {
		allowed = expiry
	}
	if inv.ExpiresAt().After(now.Add(allowed + invoiceClockSlack)) {
		return nil, nil, &Error{Operation: op, Message: "the callback's invoice stays payable until " + inv.ExpiresAt().UTC().Format(time.RFC3339) + ", longer than the " + allowed.String() + " asked for", sentinel: ErrLNURLServer}
	}
	return inv, vu, nil
}

// preimageProves reports whether a hex preimage hashes to the payment hash.
func preimageProves(preimage, hash string) bool {
	b, err := hex.DecodeString(preimage)
	if err != nil || len(b) != 32 {
		return false
	}
	h := sha256.Sum256(b)
	return strings.EqualFold(hex.EncodeToString(h[:]), hash)
}

// lnurlHTTPClient is the default client for LNURL hosts: a transport of
// its own (never the Client's), timeouts on connect and TLS, no redirects.
func lnurlHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 15 * time.Second
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t, CheckRedirect: noRedirect}
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
