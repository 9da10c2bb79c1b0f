package blink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/blink-sdk/blink-go/internal/redact"
)

// TestKeyNeverLeaks_AnyFailurePathAnyPrinterAnyLog drives every failure
// path from a server (or a transport) that echoes the API key back in
// every place a hostile or buggy one could, and searches everything the
// SDK hands back or writes: each error with every fmt verb, each error of
// its Unwrap chain, the exported fields of *Error, *OutcomeUnknownError
// and *ScopeError, OutcomeUnknownError.Lookup, results, the printed Client
// and ConnectionString, JSON encodings, slog records (JSON and text) and
// the request headers other than X-API-KEY. A leak is any 8-byte run of
// the key (redact.Contains). Every leaking path is collected and the test
// fails once with the list.
func TestKeyNeverLeaks_AnyFailurePathAnyPrinterAnyLog(t *testing.T) {
	keys := []struct{ name, key string }{
		{"seeded random key", klRandomKey()},
		{"testKey (repeating pattern)", testKey},
	}
	total, totalPaths := 0, 0
	for _, k := range keys {
		t.Run(k.name, func(t *testing.T) {
			a := newKlAudit(k.key)
			rig := newKlRig(t, a)
			rig.targets()
			rig.scopeLearning()
			rig.serverDataInErrors()
			rig.keyInWrongArgument()
			rig.configAndConnectionStrings()
			a.report(t)
			total += a.outputs
			totalPaths += len(a.paths)
		})
	}
	t.Logf("searched %d outputs over %d paths (both keys)", total, totalPaths)
}

// ---------------------------------------------------------------------------
// The audit: every output is searched for the key.

type klAudit struct {
	key     string
	mu      sync.Mutex
	outputs int
	paths   map[string]bool
	leaks   map[string][]string // path → printers that showed the key, with an excerpt
}

func newKlAudit(key string) *klAudit {
	return &klAudit{key: key, paths: map[string]bool{}, leaks: map[string][]string{}}
}

// text searches one output.
func (a *klAudit) text(path, what, s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.outputs++
	a.paths[path] = true
	if redact.Contains(s, a.key) {
		a.leaks[path] = append(a.leaks[path], what+": "+klExcerpt(s, a.key))
	}
}

var klVerbs = []string{"%v", "%+v", "%#v", "%s", "%q"}

// err searches an error with every printer, then each error of its Unwrap
// chain (both forms of Unwrap), and the exported fields of the SDK's own
// error types.
func (a *klAudit) err(path, what string, err error) {
	var walk func(e error, name string, depth int)
	walk = func(e error, name string, depth int) {
		if e == nil || depth > 16 {
			return
		}
		a.text(path, name+".Error()", e.Error())
		for _, verb := range klVerbs {
			a.text(path, name+" "+verb, fmt.Sprintf(verb, e))
		}
		a.errFields(path, name, e)
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for i, x := range u.Unwrap() {
				walk(x, fmt.Sprintf("%s.Unwrap()[%d]", name, i), depth+1)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), name+".Unwrap()", depth+1)
		}
	}
	walk(err, what, 0)
}

// errFields prints every exported field of an *Error, *OutcomeUnknownError
// or *ScopeError with %#v, the error as JSON, and an unknown outcome's
// Lookup.
func (a *klAudit) errFields(path, name string, e error) {
	switch e.(type) {
	case *Error, *OutcomeUnknownError, *ScopeError:
	default:
		return
	}
	v := reflect.ValueOf(e).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Type().Field(i); f.IsExported() {
			a.text(path, name+"."+f.Name+" %#v", fmt.Sprintf("%#v", v.Field(i).Interface()))
		}
	}
	if b, err := json.Marshal(e); err == nil {
		a.text(path, name+" json", string(b))
	}
	if ou, ok := e.(*OutcomeUnknownError); ok {
		a.value(path, name+".Lookup()", ou.Lookup())
	}
}

// value searches a value with every fmt verb, JSON and slog (JSON and text).
func (a *klAudit) value(path, what string, v any) {
	for _, verb := range klVerbs {
		a.text(path, what+" "+verb, fmt.Sprintf(verb, v))
	}
	if b, err := json.Marshal(v); err == nil {
		a.text(path, what+" json", string(b))
	}
	var j, tx bytes.Buffer
	slog.New(slog.NewJSONHandler(&j, nil)).Info("value", "v", v)
	slog.New(slog.NewTextHandler(&tx, nil)).Info("value", "v", v)
	a.text(path, what+" slog JSON", j.String())
	a.text(path, what+" slog text", tx.String())
}

// klHolder holds a Client by value and by pointer, in exported and
// unexported fields, as an application struct might.
type klHolder struct {
	Client  Client
	ClientP *Client
	client  Client
	clientP *Client
}

// klCSHolder does the same for a ConnectionString.
type klCSHolder struct {
	CS  ConnectionString
	CSP *ConnectionString
	cs  ConnectionString
	csP *ConnectionString
}

// client searches every way of printing a Client.
func (a *klAudit) client(path string, c *Client) {
	a.value(path, "*Client", c)
	a.text(path, "Client.String()", c.String())
	a.text(path, "Client.GoString()", c.GoString())
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		a.text(path, "Client value (reflect) "+verb, fmt.Sprintf(verb, reflect.ValueOf(c).Elem()))
	}
	h := &klHolder{ClientP: c, clientP: c}
	// Copied with reflect: a plain copy of a Client is what go vet refuses.
	reflect.ValueOf(&h.Client).Elem().Set(reflect.ValueOf(c).Elem())
	reflect.ValueOf(&h.client).Elem().Set(reflect.ValueOf(c).Elem())
	a.value(path, "struct holding a Client", h)
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		a.text(path, "struct holding a Client (value) "+verb, fmt.Sprintf(verb, reflect.ValueOf(h).Elem()))
	}
}

// connString searches every way of printing a ConnectionString but String,
// which is documented to hold the key (it is the form to store).
func (a *klAudit) connString(path string, cs *ConnectionString) {
	a.value(path, "*ConnectionString", cs)
	a.value(path, "ConnectionString", *cs)
	a.text(path, "ConnectionString.Redacted()", cs.Redacted())
	a.text(path, "ConnectionString.GoString()", cs.GoString())
	if b, err := cs.MarshalText(); err == nil {
		a.text(path, "ConnectionString.MarshalText()", string(b))
	}
	h := &klCSHolder{CS: *cs, CSP: cs, cs: *cs, csP: cs}
	a.value(path, "struct holding a ConnectionString", h)
	a.text(path, "struct holding a ConnectionString (value) %+v", fmt.Sprintf("%+v", *h))
}

// report fails once, listing every path on which the key showed.
func (a *klAudit) report(t *testing.T) {
	t.Helper()
	t.Logf("searched %d outputs over %d paths", a.outputs, len(a.paths))
	if len(a.leaks) == 0 {
		return
	}
	paths := make([]string, 0, len(a.leaks))
	for p := range a.leaks {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var b strings.Builder
	fmt.Fprintf(&b, "the API key (or an 8-byte run of it) leaked on %d of %d paths (excerpts show it as %s):\n", len(paths), len(a.paths), redact.Marker)
	for _, p := range paths {
		ws := a.leaks[p]
		fmt.Fprintf(&b, "  LEAK %s\n", p)
		for i, w := range ws {
			if i == 3 {
				fmt.Fprintf(&b, "      ... and %d more printers\n", len(ws)-3)
				break
			}
			fmt.Fprintf(&b, "      %s\n", w)
		}
	}
	t.Error(b.String())
}

// klExcerpt shows where the key sits in s, with the key itself replaced by
// the redaction marker so that the failure output holds no piece of it.
func klExcerpt(s, key string) string {
	r := redact.Secret(s, key)
	i := strings.Index(r, redact.Marker)
	lo, hi := max(i-90, 0), min(i+len(redact.Marker)+90, len(r))
	for lo > 0 && !utf8.RuneStart(r[lo]) {
		lo--
	}
	for hi < len(r) && !utf8.RuneStart(r[hi]) {
		hi++
	}
	return strconv.Quote(r[lo:hi])
}

// klRandomKey is a production-form key of 64 letters and digits from a
// seeded source: no run of 8 repeats, so each found run is a real leak.
func klRandomKey() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	r := rand.New(rand.NewPCG(0x6b65796c65616b, 2026))
	b := make([]byte, keySecretLen)
	for i := range b {
		b[i] = alnum[r.IntN(len(alnum))]
	}
	return "blink_" + string(b)
}
