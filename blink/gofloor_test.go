package blink_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goVersionForm is the form of a go line: a language version ("1.26") or a
// release ("1.26.0", "1.26.8"). Prereleases never appear in our graph.
var goVersionForm = regexp.MustCompile(`^([0-9]+)\.([0-9]+)(?:\.([0-9]+))?$`)

// compareGoVersions orders go lines as the go command does: "1.26" (the
// language version) comes before "1.26.0", which comes before "1.26.1".
func compareGoVersions(t *testing.T, a, b string) int {
	t.Helper()
	pa, pb := parseGoVersion(t, a), parseGoVersion(t, b)
	for i := range pa {
		if pa[i] != pb[i] {
			if pa[i] < pb[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

func parseGoVersion(t *testing.T, v string) [3]int {
	t.Helper()
	m := goVersionForm.FindStringSubmatch(v)
	require.NotNil(t, m, "go version %q is not of the form 1.N or 1.N.P", v)
	var p [3]int
	for i := range p {
		if m[i+1] == "" {
			p[i] = -1 // "1.26" sorts before "1.26.0"
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		require.NoError(t, err)
		p[i] = n
	}
	return p
}

// moduleGoLine returns the go line of the main module's go.mod.
func moduleGoLine(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^go ([^\s]+)\s*$`).FindSubmatch(b)
	require.NotNil(t, m, "go.mod has no go line")
	return string(m[1])
}

// TestGoFloor_GoModLineIsWhatThePublicPackagesNeed pins go.mod's go line
// (the Go floor a user's module inherits: their go mod tidy raises their own
// go line to it) to exactly the highest go line among the modules that
// packages blink and blink/blinktest import. Higher would raise every
// user's go line for nothing (as go 1.26.8 did); a test or tool dependency
// that raises it shows here too. If the SDK's own code ever needs a newer
// Go than its dependencies, change this test: raising the floor is a
// breaking change (CHANGELOG.md).
func TestGoFloor_GoModLineIsWhatThePublicPackagesNeed(t *testing.T) {
	floor := moduleGoLine(t)
	parseGoVersion(t, floor)

	cmd := exec.Command("go", "list", "-deps",
		"-f", "{{with .Module}}{{if not .Main}}{{.Path}} {{.GoVersion}}{{end}}{{end}}",
		"github.com/blink-sdk/blink-go/blink", "github.com/blink-sdk/blink-go/blink/blinktest")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "go list failed: %s", stderr.String())

	need, needBy := "1.0", []string{}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		path, goVersion, _ := strings.Cut(line, " ")
		if path == "" || seen[path] {
			continue
		}
		seen[path] = true
		if goVersion == "" {
			continue // a go.mod without a go line means go 1.16
		}
		switch c := compareGoVersions(t, goVersion, need); {
		case c > 0:
			need, needBy = goVersion, []string{path}
		case c == 0:
			needBy = append(needBy, path)
		}
	}
	require.NotEmpty(t, seen, "go list printed no dependency modules")
	t.Logf("the public packages' dependency modules need go %s (%s)", need, strings.Join(needBy, ", "))

	switch c := compareGoVersions(t, floor, need); {
	case c > 0:
		t.Errorf("go.mod says go %s, but no module that blink or blink/blinktest imports needs more than go %s (%s): "+
			"every user's go mod tidy would raise their go line to %s for nothing. "+
			"Run go mod edit -go=%s, or find the test or tool dependency that raised it (go list -m -f '{{.Path}} {{.GoVersion}}' all)",
			floor, need, strings.Join(needBy, ", "), floor, need)
	case c < 0:
		t.Errorf("go.mod says go %s, below the go %s that %s declare: run go mod tidy", floor, need, strings.Join(needBy, ", "))
	}
}

// TestGoFloor_ReadmeStatesTheFloor pins the README's Requirements section
// to the go line users inherit.
func TestGoFloor_ReadmeStatesTheFloor(t *testing.T) {
	floor := moduleGoLine(t)
	b, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	readme := string(b)
	start := strings.Index(readme, "\n## Requirements\n")
	require.GreaterOrEqual(t, start, 0, "README.md has no ## Requirements section")
	section := readme[start+1:]
	if end := strings.Index(section[2:], "\n## "); end >= 0 {
		section = section[:end+2]
	}
	require.Contains(t, section, fmt.Sprintf("Go %s", floor),
		"README's Requirements section must state the Go floor, go %s (go.mod's go line)", floor)
}
