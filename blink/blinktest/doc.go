// Package blinktest runs a stateful fake Blink API server for tests, in the
// manner of net/http/httptest: start one, point the client under test at
// its URL, arrange accounts and money, act, and check the ledger. It needs
// no network, no Blink account and no money; it listens on 127.0.0.1 only.
//
// The fake serves the real public Blink schema (a copy ships with this
// module as graphql/schema.graphql) over HTTP POST and graphql-transport-ws
// on /graphql, and keeps a real ledger: accounts with a BTC and a USD
// wallet, API keys with scopes and spending limits, BOLT11 invoices signed
// by a fake node, transactions, on-chain addresses and callback endpoints.
// Authentication, scopes, the X-Idempotency-Key lock, the
// one-mutation-per-request complexity limit and the invoice creation rate
// limit behave like the real API, with the real error messages and codes.
//
//	func TestCheckout(t *testing.T) {
//		srv := blinktest.New(t) // closed when the test ends
//		shop := srv.CreateAccount(blinktest.AccountOptions{Username: "shop"})
//		key := srv.CreateAPIKey(shop.ID, blinktest.KeyOptions{})
//		c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
//		if err != nil {
//			t.Fatal(err)
//		}
//		inv, err := c.CreateInvoice(context.Background(), shop.BTCWalletID, 5_000, nil)
//		if err != nil {
//			t.Fatal(err)
//		}
//		if err := srv.PayInvoice(inv.PaymentRequest); err != nil { // a payer outside Blink
//			t.Fatal(err)
//		}
//		// srv.Balance(shop.BTCWalletID) is now 5,000 sats
//	}
//
// # Starting a server
//
// [New] starts a server that closes itself when the test ends; [NewServer]
// starts one outside a test, which the caller closes with [Server.Close].
// [Server.URL] is the GraphQL HTTP endpoint and [Server.WebSocketURL] the
// websocket one. Options set the Bitcoin network ([WithNetwork], regtest by
// default), the price ([WithPrice]), the invoice rate limit
// ([WithInvoiceRateLimit]), the prefix of the keys it issues
// ([WithKeyPrefix]), its clock ([WithClock]) and the form of its errors
// ([WithRawAPIErrors], below).
//
// # Accounts, keys and money
//
// [Server.CreateAccount] creates an account with a BTC and a USD wallet and
// opening balances ([AccountOptions]); [Server.CreateAPIKey] issues a key
// for it with the scopes, spending limits, name and expiry of [KeyOptions]
// (every scope when none is named). Keys made through the API
// (Client.CreateAPIKey) work at once with their scopes, limits and expiry;
// a revoked key ([Server.RevokeAPIKey], Client.RevokeAPIKey) or one past
// its expiry by the server's clock gets Blink's HTTP 401, and each use
// stamps the key's last use. Money comes from outside as a remote node or a
// payer on-chain would send it: [Server.PayInvoice] and
// [Server.PayInvoiceAmount] pay the fake's invoices, [Server.ReceiveOnChain]
// and [Server.ConfirmOnChain] pay an address. For money that leaves Blink,
// [Server.ExternalInvoice] and [Server.ExternalInvoiceMsat] mint invoices of
// a node outside Blink whose payment succeeds, fails or stays pending
// ([Outcome]) until [Server.SettlePending] or [Server.FailPending];
// [Server.ExternalAddress] is an on-chain address outside Blink.
// [Server.Balance] and [Server.Ledger] show the result; [Server.Requests]
// and [Server.Executions] count what reached the server and what executed,
// which is how a test proves that a retry never paid twice.
//
// Account state that only Blink changes is set from the test: a regional
// wind-down ([Server.SetWindDown]; in its RECEIVE_DISABLED and
// GATED_CLOSED phases receipts fail with RECEIVE_DISABLED, as in
// production), custodial restrictions ([Server.SetCustodialRestrictions])
// and the migration status ([Server.SetMigration]), so that an integration
// can test the path where it must warn loudly. What an API key changes
// (display currency, default wallet, username, language, notification
// settings, contacts) is kept per account, and the account limits count
// the day's sends. Display currencies other than USD (EUR, JPY) have fixed
// rates to the dollar.
//
// # Faults
//
// [Server.InjectFault] makes the next requests for an operation fail with
// a [Fault], in HTTP middleware in front of the API: latency, an edge
// 502/503/429 with or without Retry-After, a connection dropped before or
// after the mutation executed, a 5xx or a truncated body after execution,
// an answer later than the client's deadline, an execution that lands after
// the client gave up, an idempotency conflict without execution. Faults
// queue up in order; [Server.ClearFaults] drops those not yet taken.
//
// # Websocket
//
// The websocket behaves as the real one does where clients break on it:
// only the graphql-transport-ws subprotocol is accepted (graphql-ws is
// closed with 4406); connection_init must come within 3 s
// ([WithInitTimeout]) or the socket is closed with 4408; every connection
// is acked, even with a bad key, and myUpdates then answers one next with
// a NOT_AUTHENTICATED error "Not Authenticated for subscription" and
// completes; queries and mutations get an error message "Only subscription
// operations are supported"; the server sends a ping frame every 12 s
// ([WithPingInterval]) and terminates a connection whose pong has not
// come by the next one. myUpdates sends a Price (accounts whose display
// currency is USD) and a RealtimePrice on subscribe and again every
// [PriceUpdateInterval] of the server's clock ([Server.Tick] after moving
// a [WithClock] clock) and when [Server.SetPrice] changes it; an
// OnChainUpdate OnchainReceiptPending for an unconfirmed deposit and
// OnchainReceipt once it is confirmed; and nothing for outgoing lightning
// and intraledger payments.
//
// A second connection_init is closed with 4429, a subscribe before it with
// 4401, a subscribe reusing the id of a running subscription with 4409.
//
// Socket faults: [Server.CloseWebSockets] closes every connection with a
// close code of the test's choice; [Server.DropWebSockets] drops every
// connection now (no close frame) and [Server.DropWebSocketsAfter] after
// the next n next messages; [Server.RefuseWebSockets] answers new
// upgrades 503 for a while (or until [Server.AcceptWebSockets]);
// [Server.StallWebSockets] makes every socket silent without closing it
// until [Server.UnstallWebSockets]. [Server.WebSockets] counts the open
// connections.
//
// # Clock
//
// [WithClock] gives the server a clock of the test's own: invoice expiry,
// rate limit windows, the one-hour idempotency lock, spending limit
// windows, payment flows ([PaymentFlowTTL]), timestamps and the Date header
// of every answer follow it. A test that moves a time variable under the
// clock's function can expire an invoice or lapse a lock without waiting;
// [Server.Tick] then makes open subscriptions notice (an invoice's
// EXPIRED, myUpdates' next price).
//
// # Production form and raw form
//
// By default the fake answers as production does, where every request
// passes Blink's Apollo router before it reaches the API:
//
//   - A reused idempotency key is HTTP 200 with
//     {"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 409: Conflict",
//     "path":[],"extensions":{"code":"SUBREQUEST_HTTP_ERROR","service":"public",
//     "reason":"409: Conflict","http":{"status":409}}}]}; a malformed key, or
//     two key headers, the same with "400: Bad Request"; a mutation over the
//     complexity limit the same with "500: Internal Server Error", followed
//     by a second error carrying the API's own message ("Query too complex.
//     Value of N is over the maximum 200."). Nothing executes.
//   - Top-level GraphQL errors (authentication, scopes, query resolvers)
//     carry message, path and locations only: no "code" and no
//     extensions.code. The errors inside mutation payloads keep their code.
//   - Every response carries a Date header from the server's clock
//     (WithClock), so that a client can estimate its clock skew.
//
// WithRawAPIErrors gives the form of the API itself, as a client talking to
// it directly sees it: HTTP 409 {"error":"the idempotency key already
// exist"}, HTTP 400 {"error":"X-Idempotency-Key header must be a UUID-v4"}
// (or "... must be a single string"), HTTP 500 for the complexity limit, and
// top-level errors with a "code" beside extensions.code. A client must
// recognise both forms.
//
// # Payments
//
// Paying a lightning invoice follows the real server's rules. A wallet that
// paid a Blink invoice and pays it again within PaymentFlowTTL gets
// ALREADY_PAID with its original transaction; any other payer (another
// account, another wallet of the same account, or the same wallet later)
// gets FAILURE with LIGHTNING_PAYMENT_ERROR "Invoice is already paid". An
// invoice outside Blink that Blink already paid is refused by Blink's node:
// any Blink payer gets ALREADY_PAID with a reverted attempt (a FAILURE SEND
// and a refund) in its ledger. While any wallet's payment of an invoice
// outside Blink is PENDING, every payer of it gets FAILURE with
// INVALID_INPUT "There is a pending payment for this invoice". A payment
// request with a "lightning:" prefix is refused as the LnPaymentRequest
// scalar refuses it ("Invalid value for LnPaymentRequest", status null,
// code null). An invoice for an amount that is not a whole number of sats
// (ExternalInvoiceMsat) is paid as its amount rounded up to whole sats.
//
// Conversions between sats and cents use integer math at one settable
// price with no spread, rounding in Blink's favour: a USD wallet pays
// ceil(sats*price/1e8) cents and receives floor(sats*price/1e8) cents; an
// invoice for N cents asks ceil(N*1e8/price) sats. Lightning payments that
// leave Blink cost a fixed ExternalLightningFeeSats; payments between Blink
// wallets are free; on-chain sends cost OnChainFeeSats(speed).
//
// Lightning addresses of the fake's accounts are username@blinktest.invalid
// (globals.lightningAddressDomain). Fields that need a user session (phone
// and email login, captcha, TOTP, support chat, migration) answer an API key
// as the real server does, or as it does when the service behind them is
// out of reach: a payload error, and nothing changes.
//
// # Webhooks
//
// Endpoints added with callbackEndpointAdd (Client.AddCallbackEndpoint)
// receive Svix-signed POSTs of the six account events at the moments the
// real server sends them: send.lightning and receive.lightning (a payment
// initiated by an invoice, also between two Blink wallets), send.lightning
// again when a pending payment settles or fails, send.intraledger and
// receive.intraledger, send.onchain when queued and when confirmed, and
// receive.onchain pending then confirmed; nothing for accounts of level
// ZERO, and nothing for refunds. Bodies have the production shape. Each
// account signs with its own whsec_ secret (WebhookSecret), which the
// page behind callbackPortalUrl also shows. An invoice created on behalf
// of a recipient with a webhook URL gets one invoice.paid or
// invoice.expired, signed with its own secret (InvoiceWebhookSecret).
//
// Callback URLs must be https, as in production; WithLoopbackWebhooks
// lets http URLs of a loopback host (an httptest server) through.
// Deliveries run concurrently, each with a 15 s timeout
// (WithWebhookTimeout); a non-2xx answer or a timeout is retried on
// Svix's schedule (WebhookRetrySchedule: the first attempt immediately,
// then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) by the server's clock:
// move a WithClock clock, call Tick, then WaitWebhooksIdle. The message id
// is the same across retries and RedeliverWebhook; WebhookDeliveries is
// the log of attempts. Close cancels running attempts and drops retries.
//
// # Keyless receive (LNURL-pay)
//
// Beside the GraphQL API the server runs Blink's LNURL-pay server on
// loopback listeners of its own: the lightning address domain
// (LightningAddressDomain) serves /.well-known/lnurlp/{user} and
// {user}+usd (an unknown user is HTTP 200 ERROR); LNURLCallbackHost serves
// the invoice callback (invoices whose h is sha256 of the metadata, whole
// sats, comments up to 255 characters, expiry up to 86,400 s for BTC and
// 300 s for USD, HTTP 404 with an empty body for an unknown identifier)
// and LUD-21 /verify/{hash}. LNURLHTTPClient reaches both under their
// names over https URLs; give it to blink.AddressReceiverOptions.
// SetAccountKind makes an account migrated ("Account is inactive." from
// accountDefaultWallet) or self-custodial from the start ("Account does
// not exist for username X"); the address works for both.
// SetReceiveDisabled winds an account down: every receive answers
// RECEIVE_DISABLED with ReceiveDisabledMessage. SettleInvoiceAfter,
// ExpireInvoice, WithholdPreimage and FailVerify drive an invoice;
// LNURLRequests counts requests by path and VerifyMaxInFlight tells the
// most verify requests ever answered at once for one invoice.
package blinktest
