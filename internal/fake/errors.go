package fake

import (
	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
)

// AppError is an error as the real server reports it: a message and, unless
// it is an input validation error, a code.
type AppError struct {
	Code    string // "" = null, as for scalar validation errors
	Message string
}

func (e *AppError) Error() string { return e.Message }

func inputError(msg string) *AppError { return &AppError{Code: "INVALID_INPUT", Message: msg} }

// validationError is a scalar validation error: code null.
func validationError(msg string) *AppError { return &AppError{Message: msg} }

func unexpected(name string) *AppError {
	return &AppError{
		Code:    "UNEXPECTED_CLIENT_ERROR",
		Message: "Unexpected error occurred, please try again or contact support if it persists (code: " + name + ")",
	}
}

// Messages and codes of the real server (core/api/src/graphql/error-map.ts).
var (
	errInvalidWalletForAccount = validationError("Unexpected error occurred, please try again or contact support if it persists (code: InvalidWalletForAccountError)")
	errMismatchedCurrency      = inputError("Unsupported operation for wallet's currency.")
	errInvalidSats             = inputError("A valid satoshi amount is required")
	errInvalidCents            = inputError("A valid usd amount is required")
	errSatsTooLarge            = inputError("Sats amount passed is too large")
	errCentsTooLarge           = inputError("Usd cents amount passed is too large")
	errDuplicateExternalID     = inputError("External id for invoice or transaction already exists")
	errInvalidExternalID       = inputError("Invalid external id string passed. ID should be either alphanumeric or contain the characters '_' or '-'. It should not be more than 100 characters long as well.")
	errTooManyInvoices         = &AppError{Code: "TOO_MANY_REQUEST", Message: "Too many invoices creation, please wait for a while and try again."}
	errTooManyAddresses        = &AppError{Code: "TOO_MANY_REQUEST", Message: "Too many onchain addresses creation, please wait for a while and try again."}
	errSelfPayment             = &AppError{Code: "CANT_PAY_SELF", Message: "User tried to pay themselves"}
	errAlreadyPaid             = &AppError{Code: "LIGHTNING_PAYMENT_ERROR", Message: "Invoice is already paid"}
	errPaymentInTransit        = inputError("There is a pending payment for this invoice")
	errRouteNotFound           = &AppError{Code: "ROUTE_FINDING_ERROR", Message: "Unable to find a route for payment."}
	errInvoiceDecode           = &AppError{Code: "INVOICE_DECODE_ERROR", Message: "Invalid lightning request, couldn't decode."}
	errAmountRequired          = inputError("Invoice does not have a valid amount to pay")
	errZeroAmountRequired      = inputError("Invoice must be a zero-amount invoice")
	errInvoiceExpired          = &AppError{Code: "LIGHTNING_PAYMENT_ERROR", Message: "Invoice already expired, or has bad payment hash"}
	errSubOneCent              = inputError("Amount sent was too low for recipient's usd wallet.")
	errNoBalanceLeft           = &AppError{Code: "INSUFFICIENT_BALANCE", Message: "No balance left to send."}
	errInvalidLnRequest        = validationError("Invalid value for LnPaymentRequest")
)

func insufficientBalance(total int64, unit string, balance int64) *AppError {
	return &AppError{Code: "INSUFFICIENT_BALANCE", Message: "Payment amount '" + itoa(total) + "' " + unit + " exceeds balance '" + itoa(balance) + "'"}
}

func limitExceeded(window string) *AppError {
	return &AppError{Code: "TRANSACTION_RESTRICTED", Message: window + " spending limit exceeded"}
}

// gqlErrors converts app errors to the payload's errors list.
func gqlErrors(errs ...*AppError) []model.Error {
	out := make([]model.Error, 0, len(errs))
	for _, e := range errs {
		ge := &model.GraphQLApplicationError{Message: e.Message}
		if e.Code != "" {
			c := e.Code
			ge.Code = &c
		}
		out = append(out, ge)
	}
	return out
}

func asAppError(err error, target **AppError) bool {
	for err != nil {
		if ae, ok := err.(*AppError); ok {
			*target = ae
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
