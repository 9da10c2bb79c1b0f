package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/app"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/secrets"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/store"
	"github.com/blink-sdk/blink-go/examples/merchant/internal/tenants"
)

// runDemo serves the server against an embedded fake Blink with one demo
// tenant, on SQLite in a temporary directory (or sqlitePath), with an
// ephemeral master key: nothing of it is meant to outlive the process.
func runDemo(ctx context.Context, cfg *config, log *slog.Logger, stdout io.Writer) error {
	sqlitePath := cfg.SQLite
	fake := blinktest.NewServer(blinktest.WithLoopbackWebhooks())
	defer fake.Close()
	if sqlitePath == "" {
		dir, err := os.MkdirTemp("", "merchant-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		sqlitePath = filepath.Join(dir, "merchant.db")
	}
	keys, err := secrets.NewKeyring(secrets.NewMasterKey())
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, "", sqlitePath)
	if err != nil {
		return err
	}
	defer st.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()

	tc := tenants.Config{Endpoint: fake.URL(), KeyPrefix: "galoy_dev_", AllowLoopbackWebhooks: true, ClientOptions: app.ClientOptions(log)}
	ac := appConfig(cfg, st, keys, log, tc, base)
	ac.KeylessOptions = tenants.KeylessOptions{HTTPClient: fake.LNURLHTTPClient()}
	a := app.New(ac)

	acct := fake.CreateAccount(blinktest.AccountOptions{Username: "demoshop"})
	key := fake.CreateAPIKey(acct.ID, blinktest.KeyOptions{Scopes: []blink.Scope{blink.ScopeRead, blink.ScopeReceive}})
	cs := fmt.Sprintf("type=blink;server=%s;api-key=%s;wallet-id=%s", fake.URL(), key, acct.BTCWalletID)
	c, err := a.Tenants.Connect(ctx, tenants.ConnectRequest{Name: "Demo shop", ConnectionString: cs, ShopWebhookURL: base + "/demo/shop"})
	if err != nil {
		return fmt.Errorf("connecting the demo tenant: %w", err)
	}
	shopSecret := c.ShopWebhookSecret

	extra := func(mux *http.ServeMux) {
		// The demo shop: verifies and logs what the server delivers.
		mux.HandleFunc("POST /demo/shop", func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
			if err := webhook.Verify(body, r.Header, shopSecret); err != nil {
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
			log.Info("demo shop received", "svix_id", r.Header.Get("svix-id"), "body", string(body))
			w.WriteHeader(http.StatusNoContent)
		})
		// Pays an invoice of the fake from outside, as a payer's wallet would.
		mux.HandleFunc("POST /demo/pay", func(w http.ResponseWriter, r *http.Request) {
			var req struct {
				PaymentRequest string `json:"payment_request"`
			}
			if err := decodeSmall(r, &req); err != nil || fake.PayInvoice(req.PaymentRequest) != nil {
				http.Error(w, `{"error":{"code":"pay_failed","message":"could not pay that invoice"}}`, http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}

	fmt.Fprintf(stdout, `merchant demo serving on %s (SQLite %s, fake Blink at %s)

demo tenant %s, API token (shown once):
  export TOKEN=%s

create an order:
  curl -s -X POST %s/v1/orders -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"order_id":"order-1","amount_sats":1000,"memo":"Coffee"}'
open its hosted checkout page (a signed link that works 15 minutes):
  curl -s -X POST %s/v1/orders/order-1/checkout -H "Authorization: Bearer $TOKEN"
pay it from outside (the fake's payer), then look:
  curl -s -X POST %s/demo/pay -d '{"payment_request":"<payment_request from above>"}'
  curl -s %s/v1/orders/order-1 -H "Authorization: Bearer $TOKEN"
  curl -s %s/v1/events -H "Authorization: Bearer $TOKEN"
connect a keyless shop (lightning address only; the fake knows demoshop@%s):
  curl -s -X POST %s/v1/tenants -d '{"name":"Keyless shop","lightning_address":"demoshop@%s"}'
metrics: %s/metrics   health: %s/health   readiness: %s/ready
`, base, sqlitePath, fake.URL(), c.Tenant.ID, c.APIToken, base, base, base, base, base,
		blinktest.LightningAddressDomain, base, blinktest.LightningAddressDomain, base, base, base)
	return serve(ctx, ln, a, extra, log)
}

func decodeSmall(r *http.Request, v any) error {
	return jsonDecode(io.LimitReader(r.Body, 64<<10), v)
}
