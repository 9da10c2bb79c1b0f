package blink

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors for the failures a caller branches on. Match them with
// errors.Is; every error the client returns for them is an *Error (or a
// *ScopeError or *OutcomeUnknownError) that carries the details.
var (
	// ErrInvalidAPIKey: the server refused the key (HTTP 401: unknown,
	// revoked, expired or wrong-environment key).
	ErrInvalidAPIKey = errors.New("blink: invalid API key")
	// ErrAPIKeyExpired: the server refused the key (HTTP 401) after the
	// expiry the client knew for it (WithAPIKeyExpiry, or read by APIKeys
	// for the key named by WithAPIKeyID). Such an error also matches
	// ErrInvalidAPIKey; a 401 for a key whose expiry the client does not
	// know matches ErrInvalidAPIKey alone.
	ErrAPIKeyExpired = errors.New("blink: API key expired")
	// ErrAPIKeyRevoked: the server refused the key (HTTP 401) and the
	// client knew it was revoked (RevokeAPIKey of its own id, or APIKeys
	// listing it revoked; see WithAPIKeyID). Also matches ErrInvalidAPIKey.
	ErrAPIKeyRevoked = errors.New("blink: API key revoked")
	// ErrNotAuthenticated: an operation that needs a key was sent without one
	// and the server answered "Not authorized", or the server answered the
	// code NOT_AUTHENTICATED.
	ErrNotAuthenticated = errors.New("blink: not authenticated")
	// ErrInsufficientScope: the key lacks the scope an operation needs; the
	// error is a *ScopeError.
	ErrInsufficientScope = errors.New("blink: API key lacks the scope for this operation")
	// ErrRateLimited: HTTP 429 from the edge in front of the API.
	ErrRateLimited = errors.New("blink: rate limited")
	// ErrServer: an HTTP 5xx answer.
	ErrServer = errors.New("blink: server error")
	// ErrBadRequest: HTTP 400 or another 4xx the server gave for a malformed request.
	ErrBadRequest = errors.New("blink: bad request")
	// ErrTransport: the request could not be completed at the network level
	// (connection refused, reset, timed out).
	ErrTransport = errors.New("blink: transport failure")
	// ErrIdempotencyConflict: HTTP 409, the X-Idempotency-Key was used
	// before. For a send this means an earlier attempt arrived; the call then
	// also matches ErrOutcomeUnknown.
	ErrIdempotencyConflict = errors.New("blink: idempotency key already used")
	// ErrInvalidIdempotencyKey: the idempotency key is not a UUIDv4 (refused
	// locally, or HTTP 400 from the server).
	ErrInvalidIdempotencyKey = errors.New("blink: invalid idempotency key")
	// ErrOutcomeUnknown: a send may or may not have been executed. The error
	// is an *OutcomeUnknownError; look the payment up before trying again.
	ErrOutcomeUnknown = errors.New("blink: outcome of the send is unknown")
	// ErrInvalidInput: the SDK refused an argument before sending anything,
	// or the server answered INVALID_INPUT.
	ErrInvalidInput = errors.New("blink: invalid input")
	// ErrConfig: the client's configuration is invalid.
	ErrConfig = errors.New("blink: invalid configuration")
	// ErrInvoiceExpired: the invoice's expiry has passed. A send refuses it
	// before sending (the error then also matches ErrInvalidInput);
	// WaitForInvoice returns it for an invoice that expired unpaid.
	ErrInvoiceExpired = errors.New("blink: invoice expired")
	// ErrWrongNetwork: the invoice or address is for another Bitcoin network
	// than the server's; refused before sending. Also matches ErrInvalidInput.
	ErrWrongNetwork = errors.New("blink: wrong network")
	// ErrLimitExceeded: the amount or the probed fee is above the MaxAmount
	// or MaxFee the caller set; refused before sending.
	ErrLimitExceeded = errors.New("blink: above the caller's limit")
)

// Sentinels for the error codes the Blink API returns. An *Error
// whose Code is one of these matches the sentinel with errors.Is.
// ErrInvalidInput above doubles as the INVALID_INPUT sentinel.
var (
	// ErrInsufficientBalance matches code INSUFFICIENT_BALANCE: the wallet cannot cover amount plus fee.
	ErrInsufficientBalance = errors.New("blink: INSUFFICIENT_BALANCE")
	// ErrCantPaySelf matches code CANT_PAY_SELF: sender and recipient wallet are the same.
	ErrCantPaySelf = errors.New("blink: CANT_PAY_SELF")
	// ErrInvoiceDecode matches code INVOICE_DECODE_ERROR: the payment request is not a decodable BOLT11 invoice.
	ErrInvoiceDecode = errors.New("blink: INVOICE_DECODE_ERROR")
	// ErrNotFound matches code NOT_FOUND: unknown user, account, wallet, invoice or contact.
	ErrNotFound = errors.New("blink: NOT_FOUND")
	// ErrTransactionRestricted matches code TRANSACTION_RESTRICTED: an account limit or the API key's spending limit (daily/weekly/monthly/annual) would be exceeded.
	ErrTransactionRestricted = errors.New("blink: TRANSACTION_RESTRICTED")
	// ErrOperationRestricted matches code OPERATION_RESTRICTED: the operation is not allowed for this account.
	ErrOperationRestricted = errors.New("blink: OPERATION_RESTRICTED")
	// ErrReceiveDisabled matches code RECEIVE_DISABLED: the account can no longer receive (regional wind-down).
	ErrReceiveDisabled = errors.New("blink: RECEIVE_DISABLED")
	// ErrUsername matches code USERNAME_ERROR: username unavailable or immutable.
	ErrUsername = errors.New("blink: USERNAME_ERROR")
	// ErrTooManyRequests matches code TOO_MANY_REQUEST: an application rate limit was hit (invoice creation: 60 a minute per account, then blocked 5 minutes; new on-chain addresses: 20 an hour, then blocked 4 hours); no Retry-After is sent.
	ErrTooManyRequests = errors.New("blink: TOO_MANY_REQUEST")
	// ErrRouteFinding matches code ROUTE_FINDING_ERROR: no route was found; nothing was sent.
	ErrRouteFinding = errors.New("blink: ROUTE_FINDING_ERROR")
	// ErrLightningPayment: LIGHTNING_PAYMENT_ERROR, 'Invoice is already paid': paid already, reconcile; 'Payment was sent and is still in transition.': unknown, never resend, poll; temporary failures: retryable.
	ErrLightningPayment = errors.New("blink: LIGHTNING_PAYMENT_ERROR")
	// ErrLndOffline matches code LND_OFFLINE: the node is unreachable.
	ErrLndOffline = errors.New("blink: LND_OFFLINE")
	// ErrDealer matches code DEALER_ERROR: uSD price from the dealer unavailable.
	ErrDealer = errors.New("blink: DEALER_ERROR")
	// ErrDealerOffline matches code DEALER_OFFLINE: uSD price from the dealer unavailable.
	ErrDealerOffline = errors.New("blink: DEALER_OFFLINE")
	// ErrPriceServiceOffline matches code PRICE_SERVICE_OFFLINE: price unavailable.
	ErrPriceServiceOffline = errors.New("blink: PRICE_SERVICE_OFFLINE")
	// ErrDB matches code DB_ERROR: service offline.
	ErrDB = errors.New("blink: DB_ERROR")
	// ErrUnexpectedClient matches code UNEXPECTED_CLIENT_ERROR: catch-all: under-scoped key ('not authorized to read data' / 'not authorized to execute mutations' in the message), wallet lock contention (ResourceAttemptsRedlockServiceError: retryable), invalid callback URL.
	ErrUnexpectedClient = errors.New("blink: UNEXPECTED_CLIENT_ERROR")
	// ErrUnknownClient matches code UNKNOWN_CLIENT_ERROR: unknown internal error.
	ErrUnknownClient = errors.New("blink: UNKNOWN_CLIENT_ERROR")
	// ErrNotAuthorized matches code NOT_AUTHORIZED: no credential or inactive account.
	ErrNotAuthorized = errors.New("blink: NOT_AUTHORIZED")
	// ErrLnurlRequestInvoice matches code LNURL_REQUEST_INVOICE_ERROR: the lightning address or LNURL server did not return an invoice.
	ErrLnurlRequestInvoice = errors.New("blink: LNURL_REQUEST_INVOICE_ERROR")
	// ErrMigrationKeyForbidden matches code MIGRATION_API_KEY_FORBIDDEN: migration needs a user session, not an API key.
	ErrMigrationKeyForbidden = errors.New("blink: MIGRATION_API_KEY_FORBIDDEN")
)

// codeSentinel maps a server error code to its sentinel.
func codeSentinel(code string) error {
	switch code {
	case "INSUFFICIENT_BALANCE":
		return ErrInsufficientBalance
	case "CANT_PAY_SELF":
		return ErrCantPaySelf
	case "INVALID_INPUT":
		return ErrInvalidInput
	case "INVOICE_DECODE_ERROR":
		return ErrInvoiceDecode
	case "NOT_FOUND":
		return ErrNotFound
	case "TRANSACTION_RESTRICTED":
		return ErrTransactionRestricted
	case "OPERATION_RESTRICTED":
		return ErrOperationRestricted
	case "RECEIVE_DISABLED":
		return ErrReceiveDisabled
	case "USERNAME_ERROR":
		return ErrUsername
	case "TOO_MANY_REQUEST":
		return ErrTooManyRequests
	case "ROUTE_FINDING_ERROR":
		return ErrRouteFinding
	case "LIGHTNING_PAYMENT_ERROR":
		return ErrLightningPayment
	case "LND_OFFLINE":
		return ErrLndOffline
	case "DEALER_ERROR":
		return ErrDealer
	case "DEALER_OFFLINE":
		return ErrDealerOffline
	case "PRICE_SERVICE_OFFLINE":
		return ErrPriceServiceOffline
	case "DB_ERROR":
		return ErrDB
	case "UNEXPECTED_CLIENT_ERROR":
		return ErrUnexpectedClient
	case "UNKNOWN_CLIENT_ERROR":
		return ErrUnknownClient
	case "NOT_AUTHENTICATED":
		return ErrNotAuthenticated
	case "NOT_AUTHORIZED":
		return ErrNotAuthorized
	case "LNURL_REQUEST_INVOICE_ERROR":
		return ErrLnurlRequestInvoice
	case "MIGRATION_API_KEY_FORBIDDEN":
		return ErrMigrationKeyForbidden
	}
	return nil
}

// Messages with a meaning of their own, whatever their code.
const (
	msgAlreadyPaid      = "Invoice is already paid"
	msgPendingPayment   = "There is a pending payment for this invoice"
	msgInTransition     = "Payment was sent and is still in transition."
	msgNotAuthorized    = "Not authorized"
	msgScopeRead        = "not authorized to read data"
	msgScopeWrite       = "not authorized to execute mutations"
	msgLockContention   = "ResourceAttemptsRedlockServiceError"
	msgExternalIDExists = "External id for invoice or transaction already exists"
)

// Error is a failure reported by the Blink API or met on the way to it.
// It covers the three layers: the HTTP status, the top-level GraphQL errors
// and the errors inside a mutation's payload.
type Error struct {
	// Operation is the GraphQL operation name, such as "LnInvoiceCreate".
	Operation string
	// Code is the server's error code (such as "INSUFFICIENT_BALANCE"); empty
	// when the server gave none (input validation errors carry no code).
	Code string
	// Message is the server's message, or a description of the failure.
	Message string
	// Path is the GraphQL path of the error, when the server gave one.
	Path []string
	// HTTPStatus is the response's status code; 0 when no response arrived.
	HTTPStatus int
	// RetryAfter is the Retry-After header's value in seconds, when present.
	RetryAfter int

	sentinel     error // the kind, for errors.Is
	also         error // a second kind, for errors.Is (ErrInvoiceExpired is also ErrInvalidInput)
	cause        error // the underlying error, for errors.Unwrap
	routerStatus int   // the API's HTTP status, as the router reported it (SUBREQUEST_HTTP_ERROR)
	complexity   bool  // the document was refused as too complex
}

// Error implements error. The text names the operation, the code and the
// server's message; it never contains the API key.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("blink: ")
	writeOperation(&b, e.Operation)
	e.writeDetail(&b)
	return b.String()
}

// writeDetail writes what the error says after the operation: code, HTTP
// status, message and cause. A cause from this package adds its own
// detail only, so that the text says "blink:" and names the operation
// once.
func (e *Error) writeDetail(b *strings.Builder) {
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteString(": ")
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != http.StatusOK {
		b.WriteString("HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	writeCause(b, e.Message, e.cause)
}

// writeCause writes ": " and a cause: an *Error or *OutcomeUnknownError
// by its detail alone, another error whole unless msg already holds it.
func writeCause(b *strings.Builder, msg string, cause error) {
	if cause == nil {
		return
	}
	switch c := cause.(type) {
	case *Error:
		b.WriteString(": ")
		c.writeDetail(b)
	case *OutcomeUnknownError:
		b.WriteString(": ")
		c.writeDetail(b)
	default:
		if t := cause.Error(); !strings.Contains(msg, t) {
			b.WriteString(": ")
			b.WriteString(t)
		}
	}
}

// writeOperation writes the Go method a caller called and, when its
// GraphQL operation has another name, that name: "PayInvoice
// (LnInvoicePaymentSend): ".
func writeOperation(b *strings.Builder, op string) {
	if op == "" {
		return
	}
	if m := goMethod(op); m != op {
		b.WriteString(m)
		b.WriteString(" (")
		b.WriteString(op)
		b.WriteString("): ")
		return
	}
	b.WriteString(op)
	b.WriteString(": ")
}

// goMethods names the Client method behind each GraphQL operation the SDK
// sends under another name (TestGoMethods_EveryOperationConstantIsNamed
// keeps it whole).
var goMethods = map[string]string{
	"AccountDisableNotificationCategory":                  "DisableNotificationCategory",
	"AccountDisableNotificationChannel":                   "DisableNotificationChannel",
	"AccountEnableNotificationCategory":                   "EnableNotificationCategory",
	"AccountEnableNotificationChannel":                    "EnableNotificationChannel",
	"AccountUpdateDefaultWalletId":                        "SetDefaultWallet",
	"AccountUpdateDisplayCurrency":                        "SetDisplayCurrency",
	"ApiKeyCreate":                                        "CreateAPIKey",
	"ApiKeyRemoveLimit":                                   "RemoveAPIKeyLimit",
	"ApiKeyRevoke":                                        "RevokeAPIKey",
	"ApiKeySetLimit":                                      "SetAPIKeyLimit",
	"ApiKeys":                                             "APIKeys",
	"Authorization":                                       "Scopes",
	"BtcPriceList":                                        "PriceHistory",
	"CallbackEndpointAdd":                                 "AddCallbackEndpoint",
	"CallbackEndpointDelete":                              "DeleteCallbackEndpoint",
	"ContactCreate":                                       "CreateContact",
	"CurrencyConversionEstimation":                        "EstimateConversion",
	"CurrencyList":                                        "Currencies",
	"IntraLedgerPaymentSend":                              "SendIntraLedger",
	"IntraLedgerUsdPaymentSend":                           "SendIntraLedgerUSD",
	"InvoiceByPaymentHash":                                "Invoice",
	"LnAddressPaymentSend":                                "PayLightningAddress",
	"LnInvoiceCancel":                                     "CancelInvoice",
	"LnInvoiceCreate":                                     "CreateInvoice",
	"LnInvoiceCreateOnBehalfOfRecipient":                  "CreateInvoiceForRecipient",
	"LnInvoiceFeeProbe":                                   "ProbeInvoiceFee",
	"LnInvoicePaymentSend":                                "PayInvoice",
	"LnInvoicePaymentStatusByHash":                        "InvoiceStatus",
	"LnInvoicePaymentStatusByPaymentRequest":              "InvoiceStatusByPaymentRequest",
	"LnNoAmountInvoiceCreate":                             "CreateNoAmountInvoice",
	"LnNoAmountInvoiceCreateOnBehalfOfRecipient":          "CreateNoAmountInvoiceForRecipient",
	"LnNoAmountInvoiceFeeProbe":                           "ProbeNoAmountInvoiceFee",
	"LnNoAmountInvoicePaymentSend":                        "PayNoAmountInvoice",
	"LnNoAmountUsdInvoiceFeeProbe":                        "ProbeNoAmountInvoiceFeeUSD",
	"LnNoAmountUsdInvoicePaymentSend":                     "PayNoAmountInvoiceUSD",
	"LnUsdInvoiceBtcDenominatedCreateOnBehalfOfRecipient": "CreateUSDInvoiceForRecipientInSats",
	"LnUsdInvoiceCreate":                                  "CreateUSDInvoice",
	"LnUsdInvoiceCreateOnBehalfOfRecipient":               "CreateUSDInvoiceForRecipient",
	"LnUsdInvoiceFeeProbe":                                "ProbeInvoiceFeeUSD",
	"LnurlPaymentSend":                                    "PayLNURL",
	"OnChainAddressCreate":                                "CreateOnChainAddress",
	"OnChainAddressCurrent":                               "CurrentOnChainAddress",
	"OnChainPaymentSend":                                  "SendOnChain",
	"OnChainPaymentSendAll":                               "SendAllOnChain",
	"OnChainTxFee":                                        "OnChainFee",
	"OnChainUsdPaymentSend":                               "SendOnChainUSD",
	"OnChainUsdPaymentSendAsBtcDenominated":               "SendOnChainUSDInSats",
	"OnChainUsdTxFee":                                     "OnChainFeeUSD",
	"OnChainUsdTxFeeAsBtcDenominated":                     "OnChainFeeUSDInSats",
	"TransactionByID":                                     "Transaction",
	"UserContactUpdateAlias":                              "SetContactAlias",
	"UserDefaultWalletId":                                 "UserDefaultWalletID",
	"UserUpdateLanguage":                                  "SetLanguage",
	"UserUpdateUsername":                                  "SetUsername",
	"WalletByID":                                          "Wallet",
}

// goMethod returns the Client method behind a GraphQL operation, or op
// itself (an operation of the SDK's own, or of a caller's document).
func goMethod(op string) string {
	if m, ok := goMethods[op]; ok {
		return m
	}
	return op
}

// Is reports whether the error is of the kind of target: a sentinel from
// this package such as ErrInsufficientBalance or ErrRateLimited.
func (e *Error) Is(target error) bool {
	if target == nil {
		return false
	}
	if e.sentinel == target || (e.also != nil && e.also == target) {
		return true
	}
	if s := codeSentinel(e.Code); s != nil && s == target {
		return true
	}
	return false
}

// Unwrap returns the underlying cause (a network error, for example).
func (e *Error) Unwrap() error { return e.cause }

// IsTransient reports whether waiting and trying the same call again may
// succeed: rate limits, server and network failures, and the codes that
// the API documents as transient. It is false for an error matching
// ErrOutcomeUnknown (finish it with Client.FinishPayment instead),
// ErrInvoiceAlreadyPaid and ErrInvoicePaymentInFlight.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, ErrOutcomeUnknown) || errors.Is(err, ErrInvoiceAlreadyPaid) || errors.Is(err, ErrInvoicePaymentInFlight) {
		return false
	}
	var se *ScopeError
	if errors.As(err, &se) {
		return false
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.sentinel {
	case ErrRateLimited, ErrServer, ErrTransport:
		return true
	}
	switch e.Code {
	case "TOO_MANY_REQUEST", "ROUTE_FINDING_ERROR", "LND_OFFLINE", "DEALER_ERROR",
		"DEALER_OFFLINE", "PRICE_SERVICE_OFFLINE", "DB_ERROR", "UNKNOWN_CLIENT_ERROR", "LNURL_REQUEST_INVOICE_ERROR":
		return true
	case "LIGHTNING_PAYMENT_ERROR":
		// "already paid" and "in transition" are not failures to retry.
		return !strings.Contains(e.Message, msgAlreadyPaid) && !strings.Contains(e.Message, msgInTransition)
	case "UNEXPECTED_CLIENT_ERROR":
		return strings.Contains(e.Message, msgLockContention)
	}
	return false
}

// ScopeError reports an operation the API key is not allowed to run. It is
// returned before any request is sent when the client knows the key's
// scopes, and when the server refuses the key's scope. It matches
// ErrInsufficientScope.
type ScopeError struct {
	// Operation is the GraphQL operation name.
	Operation string
	// Needed is the scope the operation needs; ScopeAuthenticated means any
	// valid key.
	Needed Scope
	// Held lists the key's scopes; empty when the client has no key.
	Held []Scope
	// NoKey is true when the client has no API key at all.
	NoKey bool
}

// Error implements error.
func (e *ScopeError) Error() string {
	if e.NoKey {
		return fmt.Sprintf("blink: %s needs an API key with scope %s, and this client has no API key: pass one to blink.New",
			goMethod(e.Operation), e.Needed)
	}
	held := "none"
	if len(e.Held) > 0 {
		parts := make([]string, len(e.Held))
		for i, s := range e.Held {
			parts[i] = s.String()
		}
		held = strings.Join(parts, ", ")
	}
	return fmt.Sprintf("blink: %s needs scope %s; the API key has %s: create a key with %s in the Blink dashboard",
		goMethod(e.Operation), e.Needed, held, e.Needed)
}

// Is reports whether target is ErrInsufficientScope (or ErrNotAuthenticated
// for a client without a key).
func (e *ScopeError) Is(target error) bool {
	return target == ErrInsufficientScope || (e.NoKey && target == ErrNotAuthenticated)
}

// OutcomeUnknownError reports a send whose outcome cannot be known: the
// request may have reached Blink and been executed, but no answer says so.
// Never send the same payment again blindly: Client.FinishPayment looks it
// up and completes it without ever paying twice; Client.ResolvePayment
// with Lookup only looks. The exported fields are everything both need,
// so an integration can store them and finish after a restart.
type OutcomeUnknownError struct {
	// Operation is the GraphQL operation name, such as "LnInvoicePaymentSend".
	Operation string
	// IdempotencyKey is the X-Idempotency-Key every attempt carried.
	IdempotencyKey string
	// FreshKey reports that the SDK made IdempotencyKey for this call (no
	// key was given), so that no request but this call's carried it. When
	// false (the caller gave the key, or an error stored by a version
	// without this field), a request carrying the key may have reached the
	// server before this call began, such as the first run of a retried
	// job: the key the server holds proves nothing about when the payment
	// was made, so Lookup reaches back the key's one-hour lock before the
	// call began.
	FreshKey bool
	// PaymentHash identifies a lightning payment; empty for intraledger and
	// on-chain sends.
	PaymentHash string
	// PaymentRequest is the invoice paid, for the invoice sends.
	PaymentRequest string
	// WalletID is the sending wallet, when known.
	WalletID string
	// Amount is what was asked, in the unit of the call (sats or cents);
	// 0 when the amount came from the invoice or was the whole balance.
	Amount int64
	// Recipient identifies the counterparty: a wallet id, lightning address,
	// LNURL or on-chain address; empty for invoices.
	Recipient string
	// Memo is the memo the send carried.
	Memo string
	// UniqueMemo is PayOptions.UniqueMemo: the caller vouched that no other
	// send from the wallet carries Memo.
	UniqueMemo bool
	// Speed is the payout speed of an on-chain send.
	Speed PayoutSpeed
	// MaxFee is the send's PayOptions.MaxFee (OnChainOptions.MaxFee for
	// an on-chain send), in the fee unit of that call: cents for
	// PayNoAmountInvoiceUSD and the USD on-chain sends, sats otherwise; 0
	// for none. FinishPayment applies it again to a send it makes again
	// (the invoice sends, and the on-chain sends but SendAllOnChain: the
	// ones that honour it), probing the fee first: a fee that rose above
	// it meanwhile is refused with ErrLimitExceeded. An integration that
	// stores the error must store it too, or the send made again has no
	// fee limit.
	MaxFee int64
	// MaxAmount is the send's PayOptions.MaxAmount, for the invoice sends
	// that honour it (PayInvoice, PayNoAmountInvoice); 0 for none.
	// FinishPayment applies it again to a send it makes again; an
	// integration that stores the error must store it too.
	MaxAmount Sats
	// Attempts is the number of HTTP attempts made.
	Attempts int
	// StartedAt is when the call started, by the client's clock.
	StartedAt time.Time
	// StartedAfter and StartedBefore bound when the call started by the
	// server's clock (estimated from the Date headers of its answers):
	// the payment, if executed, was created after StartedAfter, and a
	// ledger entry created before StartedBefore may be an earlier payment.
	StartedAfter, StartedBefore time.Time
	// ArrivedBy, once FinishPayment has found the idempotency key taken
	// by an earlier request, is the server time by which that request had
	// arrived; zero until then.
	ArrivedBy time.Time
	// ResentWith, once FinishPayment has made the send again, is the
	// idempotency key it used. FinishPayment never sends the same payment
	// a second time: an unknown outcome of that send is an error of its
	// own, to finish instead.
	ResentWith string
	// Cause is the last failure seen: a network error, an HTTP 5xx or the
	// 409 that proves an earlier attempt arrived.
	Cause error
}

// Error implements error.
func (e *OutcomeUnknownError) Error() string {
	var b strings.Builder
	b.WriteString("blink: ")
	writeOperation(&b, e.Operation)
	e.writeDetail(&b)
	return b.String()
}

func (e *OutcomeUnknownError) writeDetail(b *strings.Builder) {
	b.WriteString("outcome unknown, the payment may have been executed: finish it with FinishPayment (or look it up with ResolvePayment) before sending again (idempotency key ")
	b.WriteString(e.IdempotencyKey)
	if e.PaymentHash != "" {
		b.WriteString(", payment hash ")
		b.WriteString(e.PaymentHash)
	}
	b.WriteString(")")
	writeCause(b, "", e.Cause)
}

// Is reports whether target is ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the last failure seen.
func (e *OutcomeUnknownError) Unwrap() error { return e.Cause }

// invalidInput builds the error for an argument refused before sending.
func invalidInput(op, format string, args ...any) error {
	return &Error{Operation: op, Message: fmt.Sprintf(format, args...), sentinel: ErrInvalidInput}
}

// configError builds the error for a bad client configuration.
func configError(format string, args ...any) error {
	return &Error{Message: fmt.Sprintf(format, args...), sentinel: ErrConfig}
}

// Sentinels for what the server says about an invoice rather than about
// this call. Both come with PaymentFailed: the call sent nothing.
var (
	// ErrInvoiceAlreadyPaid: the invoice is paid, and not by this wallet
	// (a payment by this wallet is PaymentAlreadyPaid instead). Also
	// matches ErrLightningPayment.
	ErrInvoiceAlreadyPaid = errors.New("blink: the invoice is already paid, not by this wallet")
	// ErrInvoicePaymentInFlight: a payment of the invoice is in flight,
	// and it is not this wallet's (or the client cannot look: the ledger
	// look-up needs READ). Nothing was sent; if that payment fails, the
	// invoice can be paid again. Also matches ErrInvalidInput.
	ErrInvoicePaymentInFlight = errors.New("blink: a payment of the invoice is in flight, not from this wallet")
	// ErrPaymentAmbiguous: FinishPayment found more than one ledger entry
	// that could be the send (or one made in the second it began, which
	// could be an identical earlier send), and does not guess. The error
	// is an *OutcomeUnknownError too; ResolvePayment lists the candidates.
	ErrPaymentAmbiguous = errors.New("blink: several ledger entries could be the send")
)
