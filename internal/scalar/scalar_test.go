package scalar

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimestamp_ReadsSecondsFractionsAndNull(t *testing.T) {
	var v struct{ A, B, C Timestamp }
	require.NoError(t, json.Unmarshal([]byte(`{"A":1700000000,"B":1700000000.75,"C":null}`), &v))
	assert.Equal(t, time.Unix(1700000000, 0).UTC(), v.A.Time())
	assert.Equal(t, v.A, v.B, "the fraction is dropped")
	assert.True(t, v.C.Time().IsZero())
	assert.Error(t, json.Unmarshal([]byte(`{"A":"x"}`), &v))
	b, err := json.Marshal(v.A)
	require.NoError(t, err)
	assert.Equal(t, "1700000000", string(b))
}

func TestVia_DecodesEveryMemberInOnePass(t *testing.T) {
	var v Via
	require.NoError(t, json.Unmarshal([]byte(`{"__typename":"SettlementViaOnChain","transactionHash":"ab","vout":1,"arrivalInMempoolEstimatedAt":5}`), &v))
	assert.Equal(t, "SettlementViaOnChain", v.Typename)
	assert.Equal(t, "ab", *v.TransactionHash)
	assert.Equal(t, 1, *v.Vout)
	assert.Equal(t, Timestamp(5), *v.ArrivalInMempoolEstimatedAt)
}
