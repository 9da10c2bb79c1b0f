package app_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromium returns Debian's chromium binary, or skips.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Skip("no chromium binary (apt-get install chromium; .ci/run installs it)")
	return ""
}

func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	return ctx
}

// A real browser opens a checkout link, sees the QR code and the amount,
// and sees "Paid" without a reload once the fake settles the invoice; an
// expired or tampered link shows the error page.
func TestCheckout_Browser_QRAmountThenPaidLive_BadLinksErrorPage(t *testing.T) {
	ctx := browser(t)
	r := newRig(t, "")
	r.start(app.Config{})
	f := r.connect(receiveScopes, false, 0)
	o := r.order(f, "browser-1", 2100)
	link := r.checkoutLink(f, "browser-1")

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("qr"))))
	amount := run(t, ctx, chromedp.Text(chromedp.ID("amount")))
	status := run(t, ctx, chromedp.Text(chromedp.ID("status")))
	qrSrc := run(t, ctx, chromedp.AttributeValue(chromedp.ID("qr"), "src"))
	qrWidth := run(t, ctx, chromedp.Evaluate[int](`document.getElementById("qr").naturalWidth`))
	require.Equal(t, "2,100 sats", strings.TrimSpace(amount))
	require.Equal(t, "Waiting for payment", strings.TrimSpace(status))
	require.True(t, strings.HasPrefix(qrSrc.Value, "data:image/png;base64,"))
	require.Positive(t, qrWidth, "the QR image decoded")

	// Settled at the fake: the page turns "Paid" on its own (SSE), no reload.
	run(t, ctx, chromedp.Evaluate[bool](`window.__noReload = true`))
	require.NoError(t, r.fake.PayInvoice(o.PaymentRequest))
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(`#status[data-status="paid"]`)))
	require.Equal(t, "Paid", strings.TrimSpace(run(t, ctx, chromedp.Text(chromedp.ID("status")))))
	require.True(t, run(t, ctx, chromedp.Evaluate[bool](`window.__noReload === true`)), "the same page, not reloaded")

	// Tampered and expired links show the error page.
	for _, c := range []struct{ url, code string }{
		{link[:len(link)-4] + "AAAA", "session_invalid"},
		{r.http.URL + "/checkout/" + r.app.Checkout.Sessions.SignUntil(f.id, "browser-1", time.Now().Add(-time.Minute)), "session_expired"},
	} {
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(c.url), chromedp.WaitVisible(chromedp.ID("error"))))
		require.Equal(t, c.code, run(t, ctx, chromedp.Text(chromedp.ID("code"))))
		require.NotEmpty(t, run(t, ctx, chromedp.Text(chromedp.ID("error"))))
	}
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	require.NoError(t, err)
	return v
}
