package blink

import (
	"bufio"
	"os"
	"regexp"
	"testing"
)

// changelogHeading matches a version heading of CHANGELOG.md:
// "## [Unreleased]" or "## [1.2.3] - 2026-12-01".
var changelogHeading = regexp.MustCompile(`^## \[([^\]]+)\](.*)$`)

var releasedHeading = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

var releasedDate = regexp.MustCompile(`^ - [0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// TestVersion_EqualsNewestChangelogEntry pins Version (sent in the
// User-Agent) to the newest released entry of CHANGELOG.md: the first
// "## [x.y.z] - date" heading after "## [Unreleased]". Releasing means
// moving the Unreleased notes under a new heading and setting Version to it.
func TestVersion_EqualsNewestChangelogEntry(t *testing.T) {
	f, err := os.Open("../CHANGELOG.md")
	if err != nil {
		t.Fatalf("open the changelog: %v", err)
	}
	defer f.Close()

	var headings []string
	var rests []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := changelogHeading.FindStringSubmatch(sc.Text()); m != nil {
			headings = append(headings, m[1])
			rests = append(rests, m[2])
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read the changelog: %v", err)
	}

	if len(headings) < 2 || headings[0] != "Unreleased" {
		t.Fatalf("CHANGELOG.md must open with ## [Unreleased] followed by the released versions, newest first; its version headings are %q", headings)
	}
	newest := headings[1]
	if !releasedHeading.MatchString(newest) {
		t.Fatalf("the first heading after [Unreleased] is %q, not a released version x.y.z", newest)
	}
	if !releasedDate.MatchString(rests[1]) {
		t.Errorf("heading [%s] must carry its release date as \" - YYYY-MM-DD\", has %q", newest, rests[1])
	}
	if Version != newest {
		t.Errorf("blink.Version is %q, but the newest released entry of CHANGELOG.md is %q: set Version in client.go to %q (or add the entry)", Version, newest, newest)
	}
}
