package scopes

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestTableMatchesScopesTSV regenerates table.go from graphql/scopes.tsv into
// a temporary directory and checks it is byte for byte the committed one.
func TestTableMatchesScopesTSV(t *testing.T) {
	out := filepath.Join(t.TempDir(), "table.go")
	cmd := exec.Command("go", "run", "gentable.go", filepath.Join("..", "..", "graphql", "scopes.tsv"), out)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "gentable failed: %s", stderr.String())

	got, err := os.ReadFile(out)
	require.NoError(t, err)
	want, err := os.ReadFile("table.go")
	require.NoError(t, err)
	assert.True(t, bytes.Equal(want, got),
		"internal/scopes/table.go is stale: run `go generate ./...` and commit the result")
}

// TestScopesTSVCoversEveryRootField checks that every root field of Query,
// Mutation and Subscription in graphql/schema.graphql has a line in
// graphql/scopes.tsv with the right kind, and that the file names no field
// the schema lacks: the client classifies operations (scope, retry class)
// from this table, so a field missing from it would go unclassified.
func TestScopesTSVCoversEveryRootField(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "graphql", "schema.graphql"))
	require.NoError(t, err)
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(src)})
	require.NoError(t, err)

	inSchema := map[string]string{} // "kind name" → kind
	for kind, def := range map[string]*ast.Definition{
		"query": schema.Query, "mutation": schema.Mutation, "subscription": schema.Subscription,
	} {
		require.NotNil(t, def, "schema has no %s type", kind)
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") { // __schema, __type, __typename
				continue
			}
			inSchema[kind+" "+f.Name] = kind
		}
	}
	require.NotEmpty(t, inSchema)

	inTSV := readScopesTSV(t)
	for k := range inSchema {
		assert.Contains(t, inTSV, k, "graphql/scopes.tsv has no line for root field %s", k)
	}
	for k := range inTSV {
		assert.Contains(t, inSchema, k, "graphql/scopes.tsv names %s, which the schema lacks", k)
	}
}

// readScopesTSV returns the "kind name" pairs graphql/scopes.tsv lists.
func readScopesTSV(t *testing.T) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "graphql", "scopes.tsv"))
	require.NoError(t, err)
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 3, "bad line in scopes.tsv: %q", line)
		out[cols[1]+" "+cols[0]] = true
	}
	require.NoError(t, sc.Err())
	return out
}
