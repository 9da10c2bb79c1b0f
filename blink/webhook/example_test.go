package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/blink-sdk/blink-go/blink/webhook"
)

// The endpoint secret, as copied from the Svix portal (callbackPortalUrl).
// A real server reads it from its configuration, never from source.
const exampleSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func ExampleVerify() {
	body := []byte(`{"accountId":"acc-1","walletId":"wal-1","eventType":"receive.lightning","transaction":{}}`)
	// In a server, h is r.Header and body the raw r.Body; here Sign plays Svix.
	h, _ := webhook.Sign(exampleSecret, "msg_2nYh0q", time.Now(), body)

	fmt.Println(webhook.Verify(body, h, exampleSecret))

	forged := []byte(strings.Replace(string(body), "receive", "send", 1))
	err := webhook.Verify(forged, h, exampleSecret)
	fmt.Println(errors.Is(err, webhook.ErrNoMatchingSignature))
	// Output:
	// <nil>
	// true
}

func ExampleVerifyWithOptions() {
	// Svix's published test vector, checked at the time it was signed.
	h := http.Header{}
	h.Set("svix-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("svix-timestamp", "1614265330")
	h.Set("svix-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	body := []byte(`{"test": 2432232314}`)

	opts := &webhook.VerifyOptions{Now: func() time.Time { return time.Unix(1614265330, 0) }}
	fmt.Println(webhook.VerifyWithOptions(body, h, exampleSecret, opts))
	fmt.Println(errors.Is(webhook.Verify(body, h, exampleSecret), webhook.ErrTimestampTooOld))
	// Output:
	// <nil>
	// true
}

func ExampleSign() {
	h, _ := webhook.Sign(exampleSecret, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	fmt.Println(h.Get(webhook.HeaderID))
	fmt.Println(h.Get(webhook.HeaderTimestamp))
	fmt.Println(h.Get(webhook.HeaderSignature))
	// Output:
	// msg_p5jXN8AQM9LWM0D4loKWxJek
	// 1614265330
	// v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=
}

func ExampleParseEvent() {
	body := []byte(`{"accountId":"acc-1","walletId":"wal-1","eventType":"receive.lightning","transaction":{
		"id":"65a1b2c3d4e5f60718293a4b","status":"success","memo":null,"createdAt":"2024-03-05T10:11:12.345Z",
		"settlementAmount":1000,"settlementFee":0,"settlementCurrency":"BTC",
		"initiationVia":{"type":"lightning","paymentHash":"a3f1c2b4"},
		"settlementVia":{"type":"lightning","revealedPreImage":"0011aabb"}}}`)
	ev, err := webhook.ParseEvent(body)
	if err != nil {
		panic(err)
	}
	switch e := ev.(type) {
	case *webhook.ReceiveLightning:
		tx := e.Transaction
		fmt.Println(e.Type(), tx.Status, tx.Amount, tx.Initiation.PaymentHash, tx.Settlement.Preimage)
		fmt.Println(tx.CreatedAt.Format(time.RFC3339Nano))
		// A hint: confirm with client.WaitForInvoice before shipping.
	case *webhook.InvoicePaid:
		fmt.Println("invoice paid", e.PaymentHash)
	case *webhook.RawEvent:
		fmt.Println("not handled yet:", e.Type())
	}
	// Output:
	// receive.lightning SUCCESS 1000 sats a3f1c2b4 0011aabb
	// 2024-03-05T10:11:12.345Z
}

func ExampleNewHandler() {
	var handled int
	h, err := webhook.NewHandler(exampleSecret, func(ctx context.Context, d webhook.Delivery) error {
		// Idempotent work, keyed on what the event is about; the message
		// may come again after a failure.
		if e, ok := d.Event.(*webhook.InvoicePaid); ok {
			handled++
			fmt.Println("paid:", e.PaymentHash)
		}
		return nil
	}, &webhook.HandlerOptions{Timeout: 5 * time.Second})
	if err != nil {
		panic(err)
	}
	// A real server: mux.Handle("POST /blink/webhook", h) on an http.Server.
	srv := httptest.NewServer(h)
	defer srv.Close()

	body := `{"paymentHash":"a3f1c2b4","paymentRequest":"lnbc1...","status":"PAID","paymentPreimage":"0011aabb"}`
	send := func(hdr http.Header) int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header = hdr
		res, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	hdr, _ := webhook.Sign(exampleSecret, "msg_1", time.Now(), []byte(body))
	fmt.Println(send(hdr))
	fmt.Println(send(hdr)) // Svix's retry of the same message
	forged, _ := webhook.Sign("whsec_"+"Zm9yZ2VkLXNlY3JldA==", "msg_2", time.Now(), []byte(body))
	fmt.Println(send(forged))
	fmt.Println("handled", handled)
	// Output:
	// paid: a3f1c2b4
	// 204
	// 204
	// 400
	// handled 1
}
