// Package blink is a client for the Blink Lightning wallet API
// (https://api.blink.sv/graphql): wallets and balances, invoices, every
// kind of send (lightning invoices, lightning addresses, LNURL, payments
// between Blink wallets, on-chain), fee estimates, transactions, prices and
// callback endpoints.
//
// The API speaks GraphQL; this package speaks the domain. Calls read
// (ctx, required arguments, *Options) and return a result and an error; a
// nil options pointer means none. Amounts are integers: [Sats] for BTC
// wallets, [Cents] for USD wallets, and [Amount] where either can occur.
// A [Client] is safe for concurrent use: create one per API key and reuse it.
//
// # A first program
//
// Create a client with an API key from the Blink dashboard, read a wallet,
// and pay an invoice:
//
//	c, err := blink.New(os.Getenv("BLINK_API_KEY")) // or blink.NewFromEnv()
//	if err != nil {
//		return err // a malformed key, or one of another environment
//	}
//	w, err := c.DefaultWallet(ctx, blink.BTC) // scope READ
//	if err != nil {
//		return err
//	}
//	fmt.Println(w.ID, w.Balance)
//
//	res, err := c.PayInvoice(ctx, w.ID, paymentRequest, &blink.PayOptions{MaxFee: 50}) // scope WRITE
//	var unknown *blink.OutcomeUnknownError
//	if errors.As(err, &unknown) {
//		// The answer was lost: the invoice may or may not be paid. Never
//		// pay again blindly: FinishPayment looks it up and completes it.
//		res, err = c.FinishPayment(ctx, unknown)
//	}
//	if err != nil {
//		return err // a definite failure, or still unknown (keep the error, finish later)
//	}
//	fmt.Println(res.Status) // PaymentSucceeded, PaymentPending or PaymentAlreadyPaid
//
// Before it sends anything, PayInvoice decodes the invoice locally and
// refuses an expired one, one for another Bitcoin network than the
// server's, one above PayOptions.MaxAmount, and, with MaxFee, one whose
// probed fee is higher. [PaymentPending] is not paid: the payment left and
// has not settled. Wait for it with [Client.WaitForPayment]; never send it
// again.
//
// # Keys and scopes
//
// An API key starts with its environment's prefix ("blink_" for
// production) and carries scopes: [ScopeRead] for every authenticated
// query, [ScopeReceive] for invoices and receive addresses, [ScopeWrite]
// for every send and fee probe (WRITE implies RECEIVE; neither implies
// READ). Each method's documentation names the scope it needs. The client
// learns its key's scopes once and refuses an operation the key cannot run
// before sending anything, with a [*ScopeError]. A key without READ cannot
// ask for its own scopes: name them with [WithScopes].
//
// Public operations need no key: [New] with an empty key gives a client for
// [Client.Globals], [Client.RealtimePrice], [Client.Currencies],
// [Client.AccountDefaultWallet], [Client.InvoiceStatus] and the invoices
// created for a recipient ([Client.CreateInvoiceForRecipient] and its kin).
//
// The key travels only in the X-API-KEY header. No error, log record
// ([WithLogger]) or printed Client or [ConnectionString] contains it; they
// show it as [RedactKey] does.
//
// # Environments
//
// [Production] (the default), [Staging] and [Local] select a Blink
// deployment with [WithEnvironment]: its endpoints, its Bitcoin network and
// the prefix of its keys. [WithEndpoint] points the client at any other
// GraphQL endpoint, such as a blinktest server; plain http is accepted only
// for loopback hosts unless [WithAllowInsecureHTTP] is given. [NewFromEnv]
// reads BLINK_API_KEY, BLINK_ENV, BLINK_API_URL and BLINK_WS_URL, and
// [NewFromConnectionString] reads a BTCPay Server style connection string.
// [Client.Network] tells which network an endpoint serves.
//
// # Errors
//
// Every failure is a value to inspect. Match kinds with [errors.Is]
// against the sentinels ([ErrInsufficientBalance], [ErrRateLimited],
// [ErrInvalidInput], [ErrInvoiceExpired], [ErrOutcomeUnknown] and the
// rest), and read the details with [errors.As]: [*Error] carries the
// operation, the server's code and message, and the HTTP status;
// [*ScopeError] the scope needed and the scopes held;
// [*OutcomeUnknownError] what identifies a send whose outcome is unknown.
// [IsTransient] reports whether the same call may succeed if tried again
// later; it is false for an unknown outcome.
//
// The client retries by itself within [DefaultTimeout] ([WithTimeout],
// [WithRetryPolicy]): queries and receive-side calls on network failures,
// HTTP 429 and 5xx; sends with the same X-Idempotency-Key on every attempt,
// so that the server executes a send at most once.
//
// # Unknown outcomes
//
// A send whose request may have reached the server, with no answer that
// says what happened, returns an [*OutcomeUnknownError] (matching
// [ErrOutcomeUnknown]) and no result. Do not send the same payment again:
//
//   - [Client.FinishPayment] completes it and never pays twice: it looks
//     the payment up in the wallet's ledger and sends again only when it can
//     prove the first send was never executed. Its exported fields are all
//     it needs, so an error stored before a restart can be finished after.
//   - [Client.ResolvePayment] with [OutcomeUnknownError.Lookup] only looks,
//     and says what the ledger can and cannot prove.
//   - [Client.WaitForPayment] waits for a pending lightning payment to
//     settle or revert.
//   - [PayOptions.UniqueMemo], with a memo no other send carries (an order
//     or payout id), lets a look-up tell this send from an identical one.
//
// # Testing
//
// Package blinktest (github.com/blink-sdk/blink-go/blink/blinktest) runs a
// stateful fake Blink server in the manner of net/http/httptest, with
// accounts, keys, a ledger and injected faults. Point a client at it:
//
//	srv := blinktest.New(t)
//	c, err := blink.New(key, blink.WithEndpoint(srv.URL()))
//
// # Your own GraphQL
//
// [Client.GraphQL] returns a genqlient graphql.Client that carries the
// client's key, scope checks, retries and error mapping, for operations
// you generate yourself from the Blink schema (a copy ships with this
// module as graphql/schema.graphql).
//
// # Not offered
//
// Some root fields of the API are deliberately not offered, because an
// API key is not what they are for. Those that need a user session of the
// Blink app (a phone, email or Telegram login with a captcha, TOTP, device
// tokens) are userLogin, userLoginUpgrade, userLoginUpgradeTelegram,
// userLogout, captchaCreateChallenge, captchaRequestAuthCode,
// userEmailRegistrationInitiate, userEmailRegistrationValidate,
// userEmailDelete, userPhoneRegistrationInitiate,
// userPhoneRegistrationValidate, userPhoneDelete,
// userTotpRegistrationInitiate, userTotpRegistrationValidate,
// userTotpDelete, deviceNotificationTokenCreate, quizClaim,
// supportChatMessageAdd, supportChatReset, feedbackSubmit and
// accountDelete; the migration to a self-custodial wallet runs in the app
// and the server refuses API keys on migrationStart, migrationCommit and
// migrationLnAddressTransfer ([Client.Migration] reads its status); the
// merchant map (businessMapMarkers, merchantMapSuggest), mobileVersions,
// regionCheck and statefulNotificationAcknowledge serve the mobile app;
// and lnInvoicePaymentStatus (query and subscription, deprecated) and the
// price subscription are superseded by lnInvoicePaymentStatusByPaymentRequest
// ([Client.InvoiceStatusByPaymentRequest]) and realtimePrice, which the SDK
// sends. Send any of them yourself through the client's GraphQL access if
// you must (see "Your own GraphQL").
//
// # Where to look next
//
// Receiving: [Client.CreateInvoice] (and [InvoiceOptions.ExternalID], which
// makes creation safe to retry), [Client.InvoiceStatus],
// [Client.CreateOnChainAddress]. Sending: [Client.PayInvoice],
// [Client.PayLightningAddress], [Client.SendIntraLedger],
// [Client.SendOnChain], [PayOptions]. History: [Client.Transactions] and
// [Client.TransactionsByPaymentHash]. Prices: [Client.RealtimePrice],
// [Client.PriceHistory], [Client.EstimateConversion]. The account:
// [Client.AccountSettings] and its setters ([Client.SetDisplayCurrency],
// [Client.SetDefaultWallet], [Client.SetUsername], ...),
// [Client.AccountLimits], [Client.Contacts]. Check [Client.WindDown] and
// [Client.CustodialRestrictions] at start-up and surface what they report
// loudly: a wound-down account stops receiving. The package's runnable
// examples show them against blinktest.
package blink
