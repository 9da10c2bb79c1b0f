package blink_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSDKDoesNotDependOnTheFakeServer pins that importing the SDK pulls in
// neither the fake server (internal/fake, blink/blinktest) nor its GraphQL
// server library gqlgen: those are for tests only and must not weigh on the
// binaries of the SDK's users.
func TestSDKDoesNotDependOnTheFakeServer(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "github.com/blink-sdk/blink-go/blink")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "go list failed: %s", stderr.String())

	deps := strings.Fields(stdout.String())
	require.Contains(t, deps, "github.com/blink-sdk/blink-go/blink", "go list printed no package list")
	for _, dep := range deps {
		for _, banned := range []string{
			"github.com/99designs/gqlgen",
			"github.com/blink-sdk/blink-go/internal/fake",
			"github.com/blink-sdk/blink-go/blink/blinktest",
			"github.com/blink-sdk/blink-go/internal/testserver",
		} {
			assert.False(t, dep == banned || strings.HasPrefix(dep, banned+"/"),
				"package blink depends on %s", dep)
		}
	}
}
