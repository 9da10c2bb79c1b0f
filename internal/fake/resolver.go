package fake

import (
	"github.com/blink-sdk/blink-go/internal/fake/graph"
)

// resolver is the gqlgen ResolverRoot of the fake. Every sub-resolver
// embeds the generated stub type (graph/stubs_gen.go), which keeps the
// resolver types complete while the schema grows. The fields have their
// own methods in this package (those that need a user session:
// resolve_session.go), and the schema-walk test
// (internal/testserver/schemawalk_test.go) checks that no field answers
// with the stub but those its pendingOtherBranches still lists.
type resolver struct{ s *Server }

type (
	queryResolver struct {
		graph.UnimplementedQueryResolver
		s *Server
	}
	mutationResolver struct {
		graph.UnimplementedMutationResolver
		s *Server
	}
	subscriptionResolver struct {
		graph.UnimplementedSubscriptionResolver
		s *Server
	}
	userResolver struct {
		graph.UnimplementedUserResolver
		s *Server
	}
	accountResolver struct {
		graph.UnimplementedConsumerAccountResolver
		s *Server
	}
	btcWalletResolver struct {
		graph.UnimplementedBTCWalletResolver
		walletFields
	}
	usdWalletResolver struct {
		graph.UnimplementedUsdWalletResolver
		walletFields
	}
)

func (r *resolver) Query() graph.QueryResolver { return &queryResolver{s: r.s} }

func (r *resolver) Mutation() graph.MutationResolver { return &mutationResolver{s: r.s} }

func (r *resolver) Subscription() graph.SubscriptionResolver {
	return &subscriptionResolver{s: r.s}
}

func (r *resolver) User() graph.UserResolver { return &userResolver{s: r.s} }

func (r *resolver) ConsumerAccount() graph.ConsumerAccountResolver {
	return &accountResolver{s: r.s}
}

func (r *resolver) BTCWallet() graph.BTCWalletResolver {
	return &btcWalletResolver{walletFields: walletFields{s: r.s}}
}

func (r *resolver) UsdWallet() graph.UsdWalletResolver {
	return &usdWalletResolver{walletFields: walletFields{s: r.s}}
}
