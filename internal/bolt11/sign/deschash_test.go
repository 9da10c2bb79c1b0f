package sign

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/internal/bolt11"
)

// tagTypes lists the tagged field types of an invoice's data words, in
// order (after the 7-word timestamp, before the signature).
func tagTypes(t *testing.T, invoice string) []byte {
	_, words, _ := split(t, invoice)
	var out []byte
	for i := 7; i+3 <= len(words); {
		n := int(words[i+1])<<5 | int(words[i+2])
		out = append(out, words[i])
		i += 3 + n
	}
	return out
}

func TestEncode_DescriptionHashReplacesTheDescription(t *testing.T) {
	h := sha256.Sum256([]byte(`[["text/plain","x"]]`))
	pr, err := Encode(Params{
		Network: bolt11.Regtest, AmountMsat: 1000, Description: "a memo", DescriptionHash: &h,
		Timestamp: time.Unix(1_700_000_000, 0),
	}, specKey(t))
	require.NoError(t, err)
	inv, err := bolt11.Decode(pr)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(h[:]), inv.DescriptionHash)
	assert.Empty(t, inv.Description)
	assert.Equal(t, []byte{tagPaymentHash, tagPaymentSecret, tagDescHash}, tagTypes(t, pr), "p, s, h: no d")
}
