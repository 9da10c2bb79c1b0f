package blink

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every operation name a Client method sends (a `const op = "..."` or an
// `op: "..."` in its body) maps to that method in goMethods, so errors
// name the method the caller called.
func TestGoMethods_EveryOperationConstantIsNamed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || fn.Body == nil {
				continue
			}
			if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); !ok || star.X.(*ast.Ident).Name != "Client" {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				var lit *ast.BasicLit
				switch x := n.(type) {
				case *ast.ValueSpec:
					if len(x.Names) == 1 && x.Names[0].Name == "op" && len(x.Values) == 1 {
						lit, _ = x.Values[0].(*ast.BasicLit)
					}
				case *ast.KeyValueExpr:
					if k, ok := x.Key.(*ast.Ident); ok && k.Name == "op" {
						lit, _ = x.Value.(*ast.BasicLit)
					}
				}
				if lit != nil && lit.Kind == token.STRING {
					op, _ := strconv.Unquote(lit.Value)
					checked++
					// A page method shares its operation with the iterator:
					// the iterator's name will do.
					if want := fn.Name.Name; goMethod(op) != strings.TrimSuffix(want, "Page") {
						assert.Equal(t, want, goMethod(op), "%s: operation %q", f, op)
					}
				}
				return true
			})
		}
	}
	assert.Greater(t, checked, 30)
}

// An error says "blink:" once, names the operation once, and gives the
// Go method beside the GraphQL operation.
func TestErrorText_SaysThingsOnce(t *testing.T) {
	cause := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	ou := &OutcomeUnknownError{Operation: "LnInvoicePaymentSend", IdempotencyKey: "k", PaymentHash: "h",
		Cause: &Error{Operation: "LnInvoicePaymentSend", Message: "network failure", cause: cause, sentinel: ErrTransport}}
	s := ou.Error()
	assert.Equal(t, 1, strings.Count(s, "blink:"), s)
	assert.Equal(t, 1, strings.Count(s, "LnInvoicePaymentSend"), s)
	assert.True(t, strings.HasPrefix(s, "blink: PayInvoice (LnInvoicePaymentSend): outcome unknown"), s)
	assert.Contains(t, s, "network failure: read tcp: connection reset by peer")

	e := &Error{Operation: "Me", Code: "NOT_FOUND", Message: "gone"}
	assert.Equal(t, "blink: Me: NOT_FOUND: gone", e.Error())
	assert.Equal(t, "blink: ResolvePayment: bad", (&Error{Operation: "ResolvePayment", Message: "bad"}).Error())
	se := &ScopeError{Operation: "IntraLedgerPaymentSend", Needed: ScopeWrite}
	assert.Contains(t, se.Error(), "blink: SendIntraLedger needs scope WRITE")
}
