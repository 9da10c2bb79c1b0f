package orders

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestExternalID_KeepsValidIDsAndNeverMergesTwo(t *testing.T) {
	form := regexp.MustCompile(`^[a-z0-9_-]{1,100}$`)
	require.Equal(t, "order-1", ExternalID("order-1"))
	seen := map[string]string{}
	for _, id := range []string{"Order-1", "order-1", "ORDER-1", "order 1", "order_1", "заказ-1", string(make([]byte, 150))} {
		e := ExternalID(id)
		require.Regexp(t, form, e, "%q", id)
		if prev, ok := seen[e]; ok {
			t.Fatalf("%q and %q share external id %q", prev, id, e)
		}
		seen[e] = id
	}
}
