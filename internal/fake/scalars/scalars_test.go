package scalars

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAmountsParseLenientlyAboutRangeButNotType(t *testing.T) {
	var a SatAmount
	require.NoError(t, a.UnmarshalGQL(json.Number("-5")))
	assert.Equal(t, SatAmount(-5), a, "range is the resolver's business")
	require.NoError(t, a.UnmarshalGQL(json.Number("12.9")))
	assert.Equal(t, SatAmount(12), a, "fractions are truncated, like the real server")
	require.NoError(t, a.UnmarshalGQL("42"))
	assert.Equal(t, SatAmount(42), a)
	assert.EqualError(t, a.UnmarshalGQL(true), "Invalid type for SatAmount")
	var c CentAmount
	assert.EqualError(t, c.UnmarshalGQL("x"), "Invalid value for CentAmount")
}

func TestTimestampIsUnixSeconds(t *testing.T) {
	var b bytes.Buffer
	MarshalTimestamp(time.Unix(1700000000, 999)).MarshalGQL(&b)
	assert.Equal(t, "1700000000", b.String())
	ts, err := UnmarshalTimestamp(json.Number("1700000000"))
	require.NoError(t, err)
	assert.Equal(t, int64(1700000000), ts.Unix())
}
