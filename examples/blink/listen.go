package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/webhook"
	"github.com/spf13/cobra"
)

// accountEventTypes are the webhook event types listen can forward: those
// MyUpdates reports. (The server sends no update for the account's own
// lightning and intraledger sends, so send.lightning and send.intraledger
// never come through listen.)
var accountEventTypes = []string{webhook.TypeReceiveLightning, webhook.TypeReceiveIntraLedger, webhook.TypeReceiveOnChain, webhook.TypeSendOnChain}

func (a *app) listenCommand() *cobra.Command {
	var forwardTo, secret string
	var events []string
	var printSecret bool
	cmd := &cobra.Command{
		Use:   "listen --forward-to http://localhost:PORT/path",
		Short: "Forward the account's events to a local webhook handler, signed as Blink signs them",
		Long: `listen subscribes to the account's updates (MyUpdates, over the websocket,
catching up from the ledger after every reconnect) and POSTs each one to
--forward-to as a webhook delivery: the body Blink's webhooks carry
({accountId, walletId, eventType, transaction}) and the svix-id,
svix-timestamp and svix-signature headers, signed with a local whsec_ secret.
Configure your handler (webhook.NewHandler) with that secret to develop it
against real events. The secret is a local one, made by listen, not a Blink
secret: printing it gives nothing of the account away.

--forward-to takes https anywhere and plain http on loopback only (localhost,
127.0.0.1, ::1): the deliveries carry the account's transactions. Each is
POSTed to that URL alone; redirects are not followed. The secret is kept in the configuration directory, so it
stays the same across runs; --print-secret prints it and exits.

It prints one line per event ("--> receive.lightning [transaction id]") and one
for your endpoint's answer ("<-- [204] POST url"). Deliveries are not retried.
Forwarded types: ` + strings.Join(accountEventTypes, ", ") + ` (the server sends
no update for the account's own lightning and intraledger sends).`,
		Example: "  blink listen --forward-to http://localhost:8080/blink/webhook\n  blink listen --forward-to localhost:8080/hook --events receive.lightning",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if secret == "" {
				if cfg.ListenSecret == "" {
					cfg.ListenSecret = newWebhookSecret()
					if err := saveConfig(cfg); err != nil {
						return err
					}
				}
				secret = cfg.ListenSecret
			} else if _, err := webhook.Sign(secret, "msg_check", time.Now(), nil); err != nil || !strings.HasPrefix(secret, "whsec_") {
				return usageErrorf("--secret is not a whsec_ secret")
			}
			if printSecret {
				if a.json {
					return a.printJSON(map[string]string{"secret": secret})
				}
				a.printf("%s\n", secret)
				return nil
			}
			if forwardTo == "" {
				return usageErrorf("--forward-to is required (e.g. http://localhost:8080/webhook)")
			}
			target, err := forwardURL(forwardTo)
			if err != nil {
				return err
			}
			for _, e := range events {
				if !slices.Contains(accountEventTypes, e) {
					return usageErrorf("--events: %q is not one of %s", e, strings.Join(accountEventTypes, ", "))
				}
			}
			c, err := a.newClient(true)
			if err != nil {
				return err
			}
			return a.listen(cmd.Context(), c, target, secret, events)
		},
	}
	f := cmd.Flags()
	f.StringVar(&forwardTo, "forward-to", "", "the URL to POST each event to")
	f.StringSliceVar(&events, "events", nil, "only these event types (comma-separated)")
	f.BoolVar(&printSecret, "print-secret", false, "print the webhook signing secret and exit")
	f.StringVar(&secret, "secret", "", "sign with this whsec_ secret instead of the stored one")
	return cmd
}

// forwardURL accepts "localhost:8080/hook" as http://localhost:8080/hook.
func forwardURL(s string) (string, error) {
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", usageErrorf("--forward-to %q is not an http(s) URL", s)
	}
	if u.User != nil {
		return "", usageErrorf("--forward-to: a URL with user info is not forwarded to (it would be printed on every line)")
	}
	// The deliveries carry the account's transactions (amounts, memos,
	// counterparties, preimages): plain http only where it stays on this
	// machine, as the SDK does for the key.
	if u.Scheme == "http" && !isLoopbackHost(u.Hostname()) {
		return "", usageErrorf("--forward-to %s: plain http to a host that is not loopback would send the account's events in clear; use https, or localhost", u.Redacted())
	}
	return u.String(), nil
}

func isLoopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// forwardClient posts to the --forward-to URL and nowhere else: it follows
// no redirect, which would send the signed delivery to another URL.
func forwardClient() *http.Client {
	return &http.Client{
		Timeout: 15 * time.Second, // what Svix allows an endpoint
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func (a *app) listen(ctx context.Context, c *blink.Client, target, secret string, events []string) error {
	me, err := c.Me(ctx)
	if err != nil {
		return err
	}
	// Start from the newest ledger entry, so that nothing after it is
	// missed while the websocket comes up; skip the entries the catch-up
	// looks back at, which were there before we started.
	before := map[string]bool{}
	opts := &blink.MyUpdatesOptions{}
	if page, err := c.TransactionsPage(ctx, &blink.TransactionListOptions{PageSize: 100}); err == nil && len(page.Transactions) > 0 {
		opts.Since = page.Transactions[0].ID
		for _, t := range page.Transactions {
			before[t.ID+string(t.Status)] = true
		}
	}
	// Ready is printed once the stream has started (its first update: the
	// server sends the price on subscribing), when everything after it is
	// sure to be delivered; or after a few seconds in any case.
	var once sync.Once
	ready := func() {
		once.Do(func() {
			if a.json {
				b, _ := json.Marshal(map[string]any{"ready": true, "forwardTo": target, "secret": secret})
				fmt.Fprintln(a.stderr, string(b))
			} else {
				a.info("Ready! Forwarding events of %s to %s\nYour webhook signing secret is %s (^C to quit)\n", me.Username, target, secret)
			}
		})
	}
	timer := time.AfterFunc(3*time.Second, ready)
	defer timer.Stop()
	hc := forwardClient()
	for u, err := range c.MyUpdates(ctx, opts) {
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		ready()
		typ, tx, walletID, caughtUp, ok := eventOf(u)
		if !ok || (len(events) > 0 && !slices.Contains(events, typ)) {
			continue
		}
		if caughtUp && before[tx.ID+string(tx.Status)] {
			continue
		}
		body, err := eventBody(me.AccountID, walletID, typ, tx)
		if err != nil {
			return err
		}
		a.forward(ctx, hc, target, secret, typ, tx, body)
	}
	return nil
}

// eventOf maps an update to its webhook event type.
func eventOf(u blink.Update) (typ string, tx blink.Transaction, walletID string, caughtUp, ok bool) {
	switch e := u.(type) {
	case *blink.LightningReceipt:
		return webhook.TypeReceiveLightning, e.Transaction, e.WalletID, e.CaughtUp, true
	case *blink.IntraLedgerReceipt:
		return webhook.TypeReceiveIntraLedger, e.Transaction, e.WalletID, e.CaughtUp, true
	case *blink.OnChainUpdate:
		if e.Kind == blink.OnChainPayment {
			return webhook.TypeSendOnChain, e.Transaction, e.WalletID, e.CaughtUp, true
		}
		return webhook.TypeReceiveOnChain, e.Transaction, e.WalletID, e.CaughtUp, true
	}
	return "", blink.Transaction{}, "", false, false
}

// eventBody builds the body of Blink's account webhooks: the server's
// internal transaction record, not the GraphQL type (lower-case status,
// amounts signed, display price as strings, initiationVia/settlementVia by
// rail).
func eventBody(accountID, walletID, typ string, tx blink.Transaction) ([]byte, error) {
	status := strings.ToLower(string(tx.Status))
	var memo *string
	if tx.Memo != "" {
		memo = &tx.Memo
	}
	t := map[string]any{
		"id":                      tx.ID,
		"walletId":                walletID,
		"status":                  status,
		"memo":                    memo,
		"createdAt":               tx.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		"settlementAmount":        tx.Amount.Value,
		"settlementFee":           tx.Fee.Value,
		"settlementCurrency":      string(tx.Amount.Currency),
		"settlementDisplayAmount": tx.DisplayAmount,
		"settlementDisplayFee":    tx.DisplayFee,
		"settlementDisplayPrice": map[string]string{
			"base": strconv.FormatInt(tx.Price.Base, 10), "offset": strconv.Itoa(tx.Price.Offset),
			"displayCurrency": tx.DisplayCurrency, "walletCurrency": string(tx.Amount.Currency),
		},
	}
	if tx.ExternalID != "" {
		t["externalId"] = tx.ExternalID
	}
	nullable := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	switch tx.Initiation.Rail {
	case blink.Lightning:
		t["initiationVia"] = map[string]any{"type": "lightning", "paymentHash": tx.Initiation.PaymentHash, "pubkey": ""}
	case blink.IntraLedger:
		t["initiationVia"] = map[string]any{"type": "intraledger", "counterPartyWalletId": tx.Initiation.CounterpartyWalletID,
			"counterPartyUsername": nullable(tx.Initiation.CounterpartyUsername)}
	case blink.OnChain:
		t["initiationVia"] = map[string]any{"type": "onchain", "address": tx.Initiation.Address}
	default:
		t["initiationVia"] = map[string]any{"type": string(tx.Initiation.Rail)}
	}
	switch tx.Settlement.Rail {
	case blink.Lightning:
		s := map[string]any{"type": "lightning"}
		if tx.Settlement.Preimage != "" {
			s["revealedPreImage"] = tx.Settlement.Preimage
		}
		t["settlementVia"] = s
	case blink.IntraLedger:
		t["settlementVia"] = map[string]any{"type": "intraledger", "counterPartyWalletId": tx.Settlement.CounterpartyWalletID,
			"counterPartyUsername": nullable(tx.Settlement.CounterpartyUsername)}
	case blink.OnChain:
		t["settlementVia"] = map[string]any{"type": "onchain", "transactionHash": tx.Settlement.TxHash, "vout": tx.Settlement.Vout}
	default:
		t["settlementVia"] = map[string]any{"type": string(tx.Settlement.Rail)}
	}
	return json.Marshal(map[string]any{"accountId": accountID, "walletId": walletID, "eventType": typ, "transaction": t})
}

// messageID is stable for one event (type, transaction, status), as a Svix
// message id is across retries.
func messageID(typ string, tx blink.Transaction) string {
	h := sha256.Sum256([]byte(typ + "|" + tx.ID + "|" + string(tx.Status)))
	return "msg_" + hex.EncodeToString(h[:])[:27]
}

func (a *app) forward(ctx context.Context, hc *http.Client, target, secret, typ string, tx blink.Transaction, body []byte) {
	id := messageID(typ, tx)
	now := time.Now()
	if a.json {
		a.jsonLine(map[string]any{"direction": "-->", "type": typ, "transactionId": tx.ID, "messageId": id})
	} else {
		a.printf("%s   --> %s [%s]\n", now.Format(time.DateTime), typ, tx.ID)
	}
	status, err := post(ctx, hc, target, secret, id, now, body)
	switch {
	case a.json:
		m := map[string]any{"direction": "<--", "status": status, "url": target, "messageId": id}
		if err != nil {
			m["error"] = err.Error()
		}
		a.jsonLine(m)
	case err != nil:
		a.printf("%s   <-- [ERR] POST %s: %v\n", time.Now().Format(time.DateTime), target, err)
	default:
		a.printf("%s   <-- [%d] POST %s\n", time.Now().Format(time.DateTime), status, target)
	}
}

// jsonLine writes v as one line of JSON ("<--" stays as it is).
func (a *app) jsonLine(v any) {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func post(ctx context.Context, hc *http.Client, target, secret, id string, t time.Time, body []byte) (int, error) {
	h, err := webhook.Sign(secret, id, t, body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "blink-listen (blink-go)")
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}
