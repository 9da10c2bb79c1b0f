package testserver_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// aliasedGlobals is a query of n aliased globals { network }: 2n.
func aliasedGlobals(n int) string {
	var b strings.Builder
	b.WriteString("query Many {")
	for i := range n {
		fmt.Fprintf(&b, " g%d: globals { network }", i)
	}
	b.WriteString(" }")
	return b.String()
}

func TestComplexity_AQueryOverTheLimitIsRefusedAsTheRouterDoes(t *testing.T) {
	f := newFixture(t)
	ok := call(t, f.srv, "", aliasedGlobals(99), nil)
	assert.Equal(t, "regtest", ok.str("data", "g98", "network"), "198 fits: %s", ok.Raw)

	r := call(t, f.srv, "", aliasedGlobals(100), nil)
	assert.Equal(t, 200, r.Status)
	assert.Nil(t, r.get("data"))
	assert.Equal(t, "HTTP fetch failed from 'public': 500: Internal Server Error", r.str("errors", 0, "message"), r.Raw)
	assert.Equal(t, "Query too complex. Value of 200 is over the maximum 200.", r.str("errors", 1, "message"))
}

func TestComplexity_ADocumentThatDoesNotValidateGetsTheValidationError(t *testing.T) {
	f := newFixture(t, blinktest.WithRawAPIErrors())
	q := strings.Replace(aliasedGlobals(150), "network", "nosuchfield", 1)
	r := call(t, f.srv, "", q, nil)
	assert.Equal(t, 400, r.Status, r.Raw)
	assert.NotContains(t, r.Raw, "too complex")
}
