package fake

import (
	"context"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
)

// Fields a user session (the mobile app) uses. An API key reaches them too:
// the scope middleware (auth.go) checks the key first, as the real server's
// shield and scope middlewares do; what follows is what the real server
// answers an API key past that check.
//
// The real server serves most of these through services the fake does not
// simulate: the identity provider (Kratos: login, email, phone, TOTP), the
// captcha service (Geetest), the support assistant (OpenAI). The fake
// answers them as the real server answers when such a service fails, each
// with the payload error its error map gives that service's unknown error
// (core/api/src/graphql/error-map.ts); nothing changes state.

// Payload errors of the services the fake does not simulate.
var (
	// core/api/src/graphql/error-map.ts:872,895: UnknownKratosError.
	errNoIdentityService = unexpected("UnknownKratosError")
	// core/api/src/graphql/error-map.ts:977: UnknownCaptchaError.
	errNoCaptchaService = &AppError{Code: "UNKNOWN_CLIENT_ERROR", Message: "Unknown error occurred (code: UnknownCaptchaError)"}
	// core/api/src/graphql/error-map.ts:967,975: UnknownChatAssistantError.
	errNoSupportAssistant = &AppError{Code: "UNKNOWN_CLIENT_ERROR", Message: "Unknown error occurred (code: UnknownChatAssistantError)"}
	// core/api/src/app/authentication/logout.ts:14 returns
	// MissingSessionIdError for a caller without a session (an API key),
	// which error-map.ts:904 maps to UNEXPECTED_CLIENT_ERROR with an empty
	// message.
	errMissingSession = &AppError{Code: "UNEXPECTED_CLIENT_ERROR", Message: ""}
	// core/api/src/app/migration-flow/start-migration-flow.ts:29 (and
	// commit-migration-flow.ts:49, transfer-ln-address.ts:34): migration
	// refuses API keys; error-map.ts:665 and error.ts:127 give the message
	// and code.
	errMigrationAPIKey = &AppError{Code: "MIGRATION_API_KEY_FORBIDDEN", Message: "Migration is not available via API key. Please use a session."}
	// core/api/src/graphql/error-map.ts:370: the fake has no quiz
	// questions, so every id is invalid.
	errInvalidQuizID = inputError("Invalid quiz question id was passed.")
)

func (r *mutationResolver) CaptchaCreateChallenge(context.Context) (*model.CaptchaCreateChallengePayload, error) {
	return &model.CaptchaCreateChallengePayload{Errors: gqlErrors(errNoCaptchaService)}, nil
}

func (r *mutationResolver) CaptchaRequestAuthCode(context.Context, model.CaptchaRequestAuthCodeInput) (*model.SuccessPayload, error) {
	return failedPayload(errNoCaptchaService), nil
}

func (r *mutationResolver) UserLogin(context.Context, model.UserLoginInput) (*model.AuthTokenPayload, error) {
	return &model.AuthTokenPayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserLoginUpgrade(context.Context, model.UserLoginUpgradeInput) (*model.UpgradePayload, error) {
	return &model.UpgradePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserLoginUpgradeTelegram(context.Context, model.UserLoginUpgradeTelegramInput) (*model.UpgradePayload, error) {
	return &model.UpgradePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserLogout(context.Context, *model.UserLogoutInput) (*model.SuccessPayload, error) {
	return failedPayload(errMissingSession), nil
}

func (r *mutationResolver) UserEmailRegistrationInitiate(context.Context, model.UserEmailRegistrationInitiateInput) (*model.UserEmailRegistrationInitiatePayload, error) {
	return &model.UserEmailRegistrationInitiatePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserEmailRegistrationValidate(context.Context, model.UserEmailRegistrationValidateInput) (*model.UserEmailRegistrationValidatePayload, error) {
	return &model.UserEmailRegistrationValidatePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserEmailDelete(context.Context) (*model.UserEmailDeletePayload, error) {
	return &model.UserEmailDeletePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserPhoneRegistrationInitiate(context.Context, model.UserPhoneRegistrationInitiateInput) (*model.SuccessPayload, error) {
	return failedPayload(errNoIdentityService), nil
}

func (r *mutationResolver) UserPhoneRegistrationValidate(context.Context, model.UserPhoneRegistrationValidateInput) (*model.UserPhoneRegistrationValidatePayload, error) {
	return &model.UserPhoneRegistrationValidatePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserPhoneDelete(context.Context) (*model.UserPhoneDeletePayload, error) {
	return &model.UserPhoneDeletePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserTotpRegistrationInitiate(context.Context) (*model.UserTotpRegistrationInitiatePayload, error) {
	return &model.UserTotpRegistrationInitiatePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserTotpRegistrationValidate(context.Context, model.UserTotpRegistrationValidateInput) (*model.UserTotpRegistrationValidatePayload, error) {
	return &model.UserTotpRegistrationValidatePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

func (r *mutationResolver) UserTotpDelete(context.Context) (*model.UserTotpDeletePayload, error) {
	return &model.UserTotpDeletePayload{Errors: gqlErrors(errNoIdentityService)}, nil
}

// DeviceNotificationTokenCreate succeeds: the real server stores the token
// on the user (core/api/src/graphql/public/root/mutation/
// device-notification-token-create.ts); the fake sends no push
// notifications, so it keeps nothing.
func (r *mutationResolver) DeviceNotificationTokenCreate(context.Context, model.DeviceNotificationTokenCreateInput) (*model.SuccessPayload, error) {
	return successPayload(), nil
}

// FeedbackSubmit succeeds: the real server forwards the text to its team's
// chat (root/mutation/feedback-submit.ts).
func (r *mutationResolver) FeedbackSubmit(context.Context, model.FeedbackSubmitInput) (*model.SuccessPayload, error) {
	return successPayload(), nil
}

// QuizClaim fails: the fake has no quiz questions
// (root/mutation/quiz-claim.ts answers an empty list with the error).
func (r *mutationResolver) QuizClaim(context.Context, model.QuizClaimInput) (*model.QuizClaimPayload, error) {
	return &model.QuizClaimPayload{Errors: gqlErrors(errInvalidQuizID), Quizzes: []*model.Quiz{}}, nil
}

// SupportChatMessageAdd and SupportChatReset start a chat with the support
// assistant (core/api/src/app/support/chat.ts:24), which the fake does not
// have.
func (r *mutationResolver) SupportChatMessageAdd(context.Context, model.SupportChatMessageAddInput) (*model.SupportChatMessageAddPayload, error) {
	return &model.SupportChatMessageAddPayload{Errors: gqlErrors(errNoSupportAssistant)}, nil
}

func (r *mutationResolver) SupportChatReset(context.Context) (*model.SuccessPayload, error) {
	return failedPayload(errNoSupportAssistant), nil
}

func (r *mutationResolver) MigrationStart(context.Context) (*model.MigrationPayload, error) {
	return &model.MigrationPayload{Errors: gqlErrors(errMigrationAPIKey)}, nil
}

func (r *mutationResolver) MigrationCommit(context.Context, model.MigrationCommitInput) (*model.MigrationPayload, error) {
	return &model.MigrationPayload{Errors: gqlErrors(errMigrationAPIKey)}, nil
}

func (r *mutationResolver) MigrationLnAddressTransfer(context.Context, model.MigrationLnAddressTransferInput) (*model.MigrationLnAddressTransferPayload, error) {
	return &model.MigrationLnAddressTransferPayload{
		Errors: gqlErrors(errMigrationAPIKey), Results: []*model.MigrationLnAddressTransferResult{},
	}, nil
}

// AccountDelete succeeds, as the real server's does for an active account
// (core/api/src/app/accounts/mark-account-for-deletion.ts:30); the fake
// keeps the account and its keys working, so that a test can go on.
func (r *mutationResolver) AccountDelete(context.Context) (*model.AccountDeletePayload, error) {
	return &model.AccountDeletePayload{Errors: []model.Error{}, Success: true}, nil
}

// StatefulNotificationAcknowledge is served in production by the
// notifications subgraph (core/notifications/src/graphql/schema.rs:186),
// which answers an id it does not know with a top-level error; the fake's
// users have no stateful notifications, so every id is unknown. The
// payload is non-null, so data is null.
func (r *mutationResolver) StatefulNotificationAcknowledge(context.Context, model.StatefulNotificationAcknowledgeInput) (*model.StatefulNotificationAcknowledgePayload, error) {
	return nil, &AppError{Message: "stateful notification not found"}
}

// The notifications subgraph's User fields
// (core/notifications/src/graphql/schema.rs:33): nobody has any.
func (r *userResolver) StatefulNotifications(context.Context, *model.User, int, *string) (*model.StatefulNotificationConnection, error) {
	return emptyNotifications(), nil
}

func (r *userResolver) StatefulNotificationsWithoutBulletinEnabled(context.Context, *model.User, int, *string) (*model.StatefulNotificationConnection, error) {
	return emptyNotifications(), nil
}

func (r *userResolver) UnacknowledgedStatefulNotificationsWithBulletinEnabled(context.Context, *model.User, int, *string) (*model.StatefulNotificationConnection, error) {
	return emptyNotifications(), nil
}

func (r *userResolver) UnacknowledgedStatefulNotificationsWithoutBulletinEnabledCount(context.Context, *model.User) (int, error) {
	return 0, nil
}

func emptyNotifications() *model.StatefulNotificationConnection {
	return &model.StatefulNotificationConnection{
		PageInfo: &model.PageInfo{},
		Edges:    []*model.StatefulNotificationEdge{},
		Nodes:    []*model.StatefulNotification{},
	}
}

// SupportChat is the account's support chat: none has begun, and the real
// server answers that with an empty list (core/api/src/app/support/
// chat.ts:57).
func (r *userResolver) SupportChat(context.Context, *model.User) ([]*model.SupportMessage, error) {
	return []*model.SupportMessage{}, nil
}

// Quiz lists the account's quiz questions: the fake has none.
func (r *accountResolver) Quiz(context.Context, *model.ConsumerAccount) ([]*model.Quiz, error) {
	return []*model.Quiz{}, nil
}

func successPayload() *model.SuccessPayload {
	ok := true
	return &model.SuccessPayload{Errors: []model.Error{}, Success: &ok}
}

func failedPayload(e *AppError) *model.SuccessPayload {
	no := false
	return &model.SuccessPayload{Errors: gqlErrors(e), Success: &no}
}
