package blink

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// notOffered are the root fields of graphql/scopes.tsv that no SDK method
// sends, keyed "kind field", with the reason. The "# Not offered"
// paragraph of doc.go names each of them (TestCoverage_NotOfferedIsDocumented).
var notOffered = map[string]string{
	// A user session (phone, email, TOTP, device, Telegram login) is not an API key's business.
	"mutation captchaCreateChallenge":          "session",
	"mutation captchaRequestAuthCode":          "session",
	"mutation userLogin":                       "session",
	"mutation userLoginUpgrade":                "session",
	"mutation userLoginUpgradeTelegram":        "session",
	"mutation userLogout":                      "session",
	"mutation userEmailRegistrationInitiate":   "session",
	"mutation userEmailRegistrationValidate":   "session",
	"mutation userEmailDelete":                 "session",
	"mutation userPhoneRegistrationInitiate":   "session",
	"mutation userPhoneRegistrationValidate":   "session",
	"mutation userPhoneDelete":                 "session",
	"mutation userTotpRegistrationInitiate":    "session",
	"mutation userTotpRegistrationValidate":    "session",
	"mutation userTotpDelete":                  "session",
	"mutation deviceNotificationTokenCreate":   "session",
	"mutation quizClaim":                       "session",
	"mutation supportChatMessageAdd":           "session",
	"mutation supportChatReset":                "session",
	"mutation feedbackSubmit":                  "session",
	"mutation accountDelete":                   "session",
	"mutation statefulNotificationAcknowledge": "session",
	// Migration runs in the Blink app; the server refuses API keys there.
	"mutation migrationStart":             "migration",
	"mutation migrationCommit":            "migration",
	"mutation migrationLnAddressTransfer": "migration",
	"query businessMapMarkers":            "app",
	"mutation merchantMapSuggest":         "app",
	"query mobileVersions":                "app",
	"query regionCheck":                   "app",
	// Deprecated forms whose successors the SDK sends.
	"query lnInvoicePaymentStatus":        "deprecated",
	"subscription lnInvoicePaymentStatus": "deprecated",
	"subscription price":                  "superseded by realtimePrice",
}

// sdkRootFields returns "kind field" for every root field the SDK's own
// operations (graphql/operations/*.graphql) reach.
func sdkRootFields(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob("../graphql/operations/*.graphql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		src.Write(b)
		src.WriteString("\n")
	}
	doc, err := parser.ParseQuery(&ast.Source{Name: "operations", Input: src.String()})
	require.NoError(t, err)
	out := map[string]bool{}
	for _, op := range doc.Operations {
		var fields []string
		collectRootFields(doc, op.SelectionSet, &fields)
		for _, f := range fields {
			out[string(op.Operation)+" "+f] = true
		}
	}
	return out
}

// scopeFields returns "kind field" for every row of graphql/scopes.tsv.
func scopeFields(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../graphql/scopes.tsv")
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.GreaterOrEqual(t, len(cols), 2, line)
		out = append(out, cols[1]+" "+cols[0])
	}
	require.NoError(t, sc.Err())
	return out
}

func TestCoverage_EveryRootFieldIsOfferedOrDocumentedAsNot(t *testing.T) {
	reached := sdkRootFields(t)
	var missing, both []string
	for _, f := range scopeFields(t) {
		_, no := notOffered[f]
		switch {
		case reached[f] && no:
			both = append(both, f)
		case !reached[f] && !no:
			missing = append(missing, f)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "root fields neither reached by an SDK operation nor on the not-offered list")
	assert.Empty(t, both, "root fields both offered and on the not-offered list")
}

func TestCoverage_NotOfferedListsOnlyKnownFields(t *testing.T) {
	known := map[string]bool{}
	for _, f := range scopeFields(t) {
		known[f] = true
	}
	for f := range notOffered {
		assert.True(t, known[f], "%s is not in scopes.tsv", f)
	}
}

func TestCoverage_NotOfferedIsDocumented(t *testing.T) {
	b, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	doc := string(b)
	i := strings.Index(doc, "# Not offered")
	require.GreaterOrEqual(t, i, 0, "doc.go has a \"# Not offered\" section")
	section := doc[i:]
	if j := strings.Index(section[1:], "\n// #"); j >= 0 {
		section = section[:j+1]
	}
	section = strings.NewReplacer("//", " ", "\n", " ").Replace(section)
	for f := range notOffered {
		name := f[strings.Index(f, " ")+1:]
		assert.Contains(t, section, name, "the Not offered paragraph of doc.go names %s", f)
	}
}
