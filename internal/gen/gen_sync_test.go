package gen_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGeneratedCodeMatchesOperations runs genqlient with the project's
// configuration into a temporary directory and checks that the output is
// byte for byte the committed generated.go: a change to graphql/schema.graphql,
// an operation document or genqlient.yaml must come with the regenerated code
// (`go generate ./...`).
func TestGeneratedCodeMatchesOperations(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	cfg, err := os.ReadFile(filepath.Join(root, "genqlient.yaml"))
	require.NoError(t, err)

	out := filepath.Join(t.TempDir(), "generated.go")
	tmpCfg := filepath.Join(t.TempDir(), "genqlient.yaml")
	require.NoError(t, os.WriteFile(tmpCfg, rewriteGenqlientPaths(t, cfg, root, out), 0o644))

	cmd := exec.Command("go", "run", "github.com/Khan/genqlient", tmpCfg)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "genqlient failed: %s", stderr.String())

	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile("generated.go")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got),
		"internal/gen/generated.go is stale: run `go generate ./...` and commit the result")
}

// rewriteGenqlientPaths makes the file paths of a genqlient.yaml absolute
// (genqlient reads them relative to the configuration file) and points
// `generated:` at out. It fails the test if a key it expects is missing, so a
// reshaped configuration cannot silently escape the check.
func rewriteGenqlientPaths(t *testing.T, cfg []byte, root, out string) []byte {
	t.Helper()
	lines := strings.Split(string(cfg), "\n")
	seen := map[string]bool{}
	inOperations := false
	for i, line := range lines {
		key, value, isKey := strings.Cut(line, ":")
		switch {
		case isKey && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "#"):
			inOperations = key == "operations"
			switch key {
			case "schema":
				lines[i] = "schema: " + filepath.Join(root, strings.TrimSpace(value))
				seen[key] = true
			case "generated":
				lines[i] = "generated: " + out
				seen[key] = true
			case "operations":
				seen[key] = true
			}
		case inOperations && strings.HasPrefix(strings.TrimSpace(line), "- "):
			path := strings.TrimPrefix(strings.TrimSpace(line), "- ")
			lines[i] = "  - " + filepath.Join(root, path)
			seen["operations item"] = true
		}
	}
	for _, k := range []string{"schema", "generated", "operations", "operations item"} {
		require.True(t, seen[k], "genqlient.yaml: no %s found to rewrite", k)
	}
	return []byte(strings.Join(lines, "\n"))
}
