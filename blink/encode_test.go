package blink

import (
	"encoding/json"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/gen"
)

// The body the SDK builds from cached pieces is the one json.Marshal of the
// genqlient request gives, with and without variables.
func TestEncodeRequest_SameBodyAsMarshallingTheRequest(t *testing.T) {
	var ops opCache
	reqs := []*graphql.Request{
		{Query: gen.Me_Operation, OpName: "Me"},
		{Query: gen.LnInvoicePaymentSend_Operation, OpName: "LnInvoicePaymentSend",
			Variables: map[string]any{"input": map[string]any{"walletId": "w", "paymentRequest": "lnbc1<&>\u2028"}}},
		{Query: "query Q { a }\n\"\\", OpName: "Q<>"},
	}
	for _, req := range reqs {
		want, err := json.Marshal(req)
		require.NoError(t, err)
		got, err := encodeRequest(ops.classify(req.OpName, req.Query), req)
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(got))
		assert.Equal(t, string(want), string(got))
	}
}
