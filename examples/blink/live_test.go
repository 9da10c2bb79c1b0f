package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The commands that run until something happens (invoice create --wait,
// listen, fake) are tested in-process: the test reads their output as it
// comes and acts on it, with no sleeping.

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// started is a command running in the background.
type started struct {
	lines  chan string // its stdout (or stderr, as chosen), line by line
	other  *syncBuffer
	code   chan int
	cancel context.CancelFunc
}

// start runs the command line with a fresh configuration directory; the
// lines of the stream named by follow ("stdout" or "stderr") arrive on
// lines, the other stream is collected.
func start(t *testing.T, follow string, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &started{lines: make(chan string, 100), other: &syncBuffer{}, code: make(chan int, 1), cancel: cancel}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	stdout, stderr := io.Writer(pw), io.Writer(s.other)
	switch follow {
	case "stderr":
		stdout, stderr = s.other, pw
	case "both":
		stderr = pw
	}
	go func() {
		s.code <- run(ctx, args, strings.NewReader(""), stdout, stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.code:
		case <-time.After(10 * time.Second):
			t.Error("the command did not end after its context was cancelled")
		}
	})
	return s
}

// lineWith waits for a line containing want and returns it.
func (s *started) lineWith(t *testing.T, want string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("the output ended without a line containing %q", want)
			}
			if strings.Contains(l, want) {
				return l
			}
		case <-timeout:
			t.Fatalf("no line containing %q within 20 s", want)
		}
	}
}

func (s *started) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case c := <-s.code:
		s.code <- c
		return c
	case <-time.After(20 * time.Second):
		t.Fatal("the command did not end within 20 s")
		return -1
	}
}

func fakeWithAccounts(t *testing.T) (*blinktest.Server, blinktest.Account, string, string) {
	t.Helper()
	srv := blinktest.New(t)
	alice := srv.CreateAccount(blinktest.AccountOptions{Username: "alice", BTCBalance: 100_000})
	bob := srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("BLINK_API_URL", srv.URL())
	t.Setenv("BLINK_ENV", "")
	t.Setenv("BLINK_CONNECTION_STRING", "")
	return srv, bob, srv.CreateAPIKey(alice.ID, blinktest.KeyOptions{}), srv.CreateAPIKey(bob.ID, blinktest.KeyOptions{})
}

func TestInvoiceCreateWait_ExitsZeroWhenPaid(t *testing.T) {
	srv, bob, _, bobKey := fakeWithAccounts(t)
	t.Setenv("BLINK_API_KEY", bobKey)

	s := start(t, "stdout", "invoice", "create", "1500", "--memo", "wait test", "--wait", "--no-qr")
	pr := s.lineWith(t, "lnbcrt")
	require.NoError(t, srv.PayInvoice(pr))

	assert.Contains(t, s.lineWith(t, "PAID"), "preimage: ")
	assert.Equal(t, exitOK, s.exitCode(t))
	assert.Contains(t, s.other.String(), "waiting for payment")
	assert.Equal(t, int64(1500), srv.Balance(bob.BTCWalletID).Value)
}

func TestInvoiceCreateWait_ExitsNonZeroWhenExpired(t *testing.T) {
	srv, _, _, bobKey := fakeWithAccounts(t)
	t.Setenv("BLINK_API_KEY", bobKey)

	s := start(t, "stdout", "invoice", "create", "1500", "--wait", "--json")
	hash := strings.Split(s.lineWith(t, `"paymentHash"`), `"`)[3]
	srv.ExpireInvoice(hash)

	s.lineWith(t, `"status": "EXPIRED"`)
	assert.Equal(t, exitError, s.exitCode(t))
	assert.Contains(t, s.other.String(), "expired unpaid")
}

// TestListen_ForwardsSignedEventsThatTheWebhookPackageVerifies pins that a
// delivery from listen is what a webhook.Handler accepts: the signature
// verifies with the printed secret and the body parses into the event.
func TestListen_ForwardsSignedEventsThatTheWebhookPackageVerifies(t *testing.T) {
	srv, bob, aliceKey, bobKey := fakeWithAccounts(t)
	t.Setenv("BLINK_API_KEY", bobKey)

	var secret bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"listen", "--print-secret"}, nil, &secret, io.Discard))
	whsec := strings.TrimSpace(secret.String())
	require.True(t, strings.HasPrefix(whsec, "whsec_"), whsec)

	got := make(chan webhook.Delivery, 10)
	h, err := webhook.NewHandler(whsec, func(_ context.Context, d webhook.Delivery) error {
		got <- d
		return nil
	}, nil)
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	defer hook.Close()

	s := start(t, "both", "listen", "--forward-to", hook.URL+"/hook")
	assert.Contains(t, s.lineWith(t, "Your webhook signing secret is"), whsec)

	// alice pays bob's invoice, then sends him sats intraledger.
	bc, err := blink.New(bobKey, blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer bc.Close()
	ac, err := blink.New(aliceKey, blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer ac.Close()
	ctx := context.Background()
	inv, err := bc.CreateInvoice(ctx, bob.BTCWalletID, 2_000, &blink.InvoiceOptions{Memo: "listen"})
	require.NoError(t, err)
	aw, err := ac.DefaultWallet(ctx, blink.BTC)
	require.NoError(t, err)
	_, err = ac.PayInvoice(ctx, aw.ID, inv.PaymentRequest, nil)
	require.NoError(t, err)

	d := receive(t, got)
	ev, ok := d.Event.(*webhook.ReceiveLightning)
	require.True(t, ok, "got %T", d.Event)
	assert.Equal(t, bob.BTCWalletID, ev.WalletID)
	assert.Equal(t, bob.ID, ev.AccountID)
	assert.Equal(t, inv.PaymentHash, ev.Transaction.Initiation.PaymentHash)
	assert.Equal(t, blink.Amount{Value: 2_000, Currency: blink.BTC}, ev.Transaction.Amount)
	assert.Equal(t, blink.TxSuccess, ev.Transaction.Status)
	assert.Equal(t, "listen", ev.Transaction.Memo)

	_, err = ac.SendIntraLedger(ctx, aw.ID, "bob", 300, nil)
	require.NoError(t, err)
	d = receive(t, got)
	il, ok := d.Event.(*webhook.ReceiveIntraLedger)
	require.True(t, ok, "got %T", d.Event)
	assert.Equal(t, int64(300), il.Transaction.Amount.Value)

	assert.Regexp(t, `--> receive\.lightning \[[0-9a-f]+\]`, s.lineWith(t, "--> receive.lightning"))
	assert.Contains(t, s.lineWith(t, "<--"), "<-- [204] POST "+hook.URL+"/hook")
	assert.Regexp(t, `--> receive\.intraledger \[[0-9a-f]+\]`, s.lineWith(t, "--> receive.intraledger"))
	assert.Contains(t, s.lineWith(t, "<--"), "<-- [204] POST "+hook.URL+"/hook")
	s.cancel()
	assert.Equal(t, exitOK, s.exitCode(t))
}

func TestListen_ShowsTheEndpointsStatus(t *testing.T) {
	srv, bob, aliceKey, bobKey := fakeWithAccounts(t)
	t.Setenv("BLINK_API_KEY", bobKey)
	hits := make(chan struct{}, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest) // a handler with the wrong secret answers 400
		hits <- struct{}{}
	}))
	defer hook.Close()

	s := start(t, "both", "listen", "--forward-to", hook.URL, "--events", "receive.intraledger")
	s.lineWith(t, "Ready!")
	ac, err := blink.New(aliceKey, blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer ac.Close()
	aw, err := ac.DefaultWallet(context.Background(), blink.BTC)
	require.NoError(t, err)
	_, err = ac.SendIntraLedger(context.Background(), aw.ID, "bob", 10, nil)
	require.NoError(t, err)
	select {
	case <-hits:
	case <-time.After(20 * time.Second):
		t.Fatal("no delivery")
	}
	assert.Contains(t, s.lineWith(t, "<--"), "<-- [400] POST "+hook.URL)
	_ = bob
}

func receive(t *testing.T, ch chan webhook.Delivery) webhook.Delivery {
	t.Helper()
	select {
	case d := <-ch:
		return d
	case <-time.After(20 * time.Second):
		t.Fatal("no verified delivery within 20 s")
		return webhook.Delivery{}
	}
}

func TestPay_NoAmountInvoiceTakesTheAmountFlag(t *testing.T) {
	srv, bob, aliceKey, bobKey := fakeWithAccounts(t)
	bc, err := blink.New(bobKey, blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer bc.Close()
	inv, err := bc.CreateNoAmountInvoice(context.Background(), bob.BTCWalletID, nil)
	require.NoError(t, err)
	t.Setenv("BLINK_API_KEY", aliceKey)

	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitUsage, run(context.Background(), []string{"pay", inv.PaymentRequest, "--yes"}, nil, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "the invoice has no amount: pass --amount")

	stdout.Reset()
	stderr.Reset()
	require.Equal(t, exitOK, run(context.Background(), []string{"pay", inv.PaymentRequest, "--amount", "321", "--yes"}, nil, &stdout, &stderr), stderr.String())
	assert.Contains(t, stdout.String(), "SUCCEEDED")
	assert.Contains(t, stderr.String(), "Amount:       321 sats")
	assert.Equal(t, int64(321), srv.Balance(bob.BTCWalletID).Value)
}

func TestListen_ForwardsOnChainDepositsPendingThenConfirmed(t *testing.T) {
	srv, bob, _, bobKey := fakeWithAccounts(t)
	t.Setenv("BLINK_API_KEY", bobKey)
	secret := newWebhookSecret()
	got := make(chan webhook.Delivery, 10)
	h, err := webhook.NewHandler(secret, func(_ context.Context, d webhook.Delivery) error {
		got <- d
		return nil
	}, nil)
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	defer hook.Close()

	s := start(t, "both", "listen", "--forward-to", hook.URL, "--secret", secret, "--json")
	s.lineWith(t, `"ready":true`)
	bc, err := blink.New(bobKey, blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	defer bc.Close()
	addr, err := bc.CreateOnChainAddress(context.Background(), bob.BTCWalletID)
	require.NoError(t, err)
	txHash, err := srv.ReceiveOnChain(addr, 50_000)
	require.NoError(t, err)

	d := receive(t, got)
	ev, ok := d.Event.(*webhook.ReceiveOnChain)
	require.True(t, ok, "got %T", d.Event)
	assert.Equal(t, blink.TxPending, ev.Transaction.Status)
	assert.Equal(t, addr, ev.Transaction.Initiation.Address)
	assert.Equal(t, txHash, ev.Transaction.Settlement.TxHash)

	require.NoError(t, srv.ConfirmOnChain(txHash))
	d2 := receive(t, got)
	ev, ok = d2.Event.(*webhook.ReceiveOnChain)
	require.True(t, ok, "got %T", d2.Event)
	assert.Equal(t, blink.TxSuccess, ev.Transaction.Status)
	assert.Equal(t, int64(50_000), ev.Transaction.Amount.Value)
	assert.NotEqual(t, d.ID, d2.ID, "two messages, two ids")
	assert.Contains(t, s.lineWith(t, `"direction":"<--"`), `"status":204`)
}
