package fake

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/blink-sdk/blink-go/internal/scopes"
)

// The body the real edge answers an unknown, revoked or expired key with.
const unauthorizedBody = `{"error":{"code":401,"status":"Unauthorized","message":"Access credentials are invalid"}}`

// caller is who sends a request: nil account = no key.
type caller struct {
	acct *account
	key  *apiKey
}

type callerKey struct{}

func withCaller(ctx context.Context, c *caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

func callerFrom(ctx context.Context) *caller {
	c, _ := ctx.Value(callerKey{}).(*caller)
	if c == nil {
		return &caller{}
	}
	return c
}

// accountID returns the caller's account id, "" without a key.
func (c *caller) accountID() string {
	if c.acct == nil {
		return ""
	}
	return c.acct.id
}

// lookupKey finds an API key; ok is false for an unknown, revoked or
// expired key. Like upstream's key check, a successful look-up stamps
// the key's lastUsedAt (core/api-keys/src/identity/mod.rs:111-126: one
// UPDATE sets last_used_at = NOW() for an active key only).
func (s *Server) lookupKey(key string) (*caller, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[key]
	if !ok {
		return nil, false
	}
	now := s.now()
	if !k.active(now) {
		return nil, false
	}
	k.lastUsedAt = now
	return &caller{acct: s.accounts[k.accountID], key: k}, true
}

// notAuthorized is graphql-shield's fallback error of the real server.
var notAuthorized = &AppError{Code: "NOT_AUTHORIZED", Message: "Not authorized"}

// authorizeRootField enforces authentication and scopes on root fields
// like the real server's shield and scope middlewares: without a key an
// authenticated field resolves to null with "Not authorized"; an
// under-scoped key gets UNEXPECTED_CLIENT_ERROR "... not authorized to read
// data" or "... not authorized to execute mutations".
func (s *Server) authorizeRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rf := graphql.GetRootFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if rf == nil || rf.Field.Field == nil || oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	kind := scopes.Query
	if oc.Operation.Operation == ast.Mutation {
		kind = scopes.Mutation
	}
	name := rf.Field.Name
	f, known := scopes.Lookup(kind, name)
	c := callerFrom(ctx)
	deny := func(e *AppError) graphql.Marshaler {
		ge := &gqlerror.Error{Message: e.Message, Path: ast.Path{ast.PathName(rf.Field.Alias)}}
		if e.Code != "" {
			ge.Extensions = map[string]any{"code": e.Code}
		}
		graphql.AddError(ctx, ge)
		return graphql.Null
	}
	if known && f.Need != scopes.None {
		if c.acct == nil {
			return deny(notAuthorized)
		}
		// The real server validates the wallet id before the scope: a
		// wallet-level field with a malformed or foreign wallet answers the
		// wallet error, whatever the key's scopes.
		if s.badWalletArg(rf.Field.ArgumentMap(oc.Variables), c.accountID()) {
			f.Need = scopes.Authenticated
		}
		switch f.Need {
		case scopes.Read:
			if !c.key.has("READ") {
				return deny(unexpected("AuthorizationError: not authorized to read data"))
			}
		case scopes.Receive:
			if !c.key.has("RECEIVE") && !c.key.has("WRITE") {
				return deny(unexpected("AuthorizationError: not authorized to execute mutations"))
			}
		case scopes.Write:
			if apiKeyWriteFields[name] && !c.key.has("WRITE") {
				// Served by the api-keys subgraph, which refuses by
				// itself, with its own message (resolve_apikeys.go).
				return deny(errPermissionDenied)
			}
			if !c.key.has("WRITE") {
				return deny(unexpected("AuthorizationError: not authorized to execute mutations"))
			}
		}
	}
	if kind == scopes.Mutation {
		s.countExecution(oc.OperationName, oc.Operation.Name, name)
	}
	return next(ctx)
}

// presentError turns resolver errors into GraphQL errors with the real
// server's codes.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	var ae *AppError
	if asAppError(err, &ae) {
		ge := graphql.DefaultErrorPresenter(ctx, err)
		ge.Message = ae.Message
		if ae.Code != "" {
			ge.Extensions = map[string]any{"code": ae.Code}
		}
		return ge
	}
	return graphql.DefaultErrorPresenter(ctx, err)
}

func recoverPanic(_ context.Context, p any) error {
	return fmt.Errorf("blinktest: internal error: %v", p)
}

// badWalletArg reports whether a root field's walletId argument (directly
// or in its input object) is malformed or not the caller's.
func (s *Server) badWalletArg(args map[string]any, accountID string) bool {
	id, ok := args["walletId"]
	if in, isMap := args["input"].(map[string]any); isMap && !ok {
		id, ok = in["walletId"]
	}
	if !ok {
		return false
	}
	w, isString := id.(string)
	if !isString || !uuidRe.MatchString(w) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, mine := s.walletOf(accountID, w)
	return !mine
}
