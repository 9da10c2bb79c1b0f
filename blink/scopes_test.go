package blink

import (
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/blink-sdk/blink-go/internal/scopes"
)

func TestScopes_RefusalSendsNothing(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) { writeJSON(w, 200, meData) })
	c := newTestClient(t, srv.URL, WithScopes(ScopeReceive, ScopeWrite))
	_, err := c.Me(bg())
	require.ErrorIs(t, err, ErrInsufficientScope)
	var se *ScopeError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "Me", se.Operation)
	assert.Equal(t, ScopeRead, se.Needed)
	assert.Equal(t, []Scope{ScopeReceive, ScopeWrite}, se.Held)
	assert.Contains(t, se.Error(), "Me needs scope READ")

	err = rawSend(bg(), newTestClient(t, srv.URL, WithScopes(ScopeRead, ScopeReceive)))
	require.ErrorIs(t, err, ErrInsufficientScope)
	assert.EqualValues(t, 0, srv.count.Load(), "nothing was sent")
}

func TestScopes_WriteImpliesReceive(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, `{"data":{"lnInvoiceCancel":{"success":true,"errors":[]}}}`)
	})
	c := newTestClient(t, srv.URL, WithScopes(ScopeWrite))
	op := c.ops.classify("", `mutation C($input: LnInvoiceCancelInput!) { lnInvoiceCancel(input: $input) { success } }`)
	require.NoError(t, c.checkScope(bg(), op))
}

func TestScopes_ClientWithoutKeyRunsPublicOperationsOnly(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		writeJSON(w, 200, `{"data":{"globals":{"network":"mainnet","lightningAddressDomain":"blink.sv","nodesIds":[]}}}`)
	})
	c, err := New("", WithEndpoint(srv.URL))
	require.NoError(t, err)
	_, err = c.Globals(bg())
	require.NoError(t, err)
	_, err = c.Me(bg())
	require.ErrorIs(t, err, ErrInsufficientScope)
	require.ErrorIs(t, err, ErrNotAuthenticated)
	assert.Contains(t, err.Error(), "no API key")
	assert.EqualValues(t, 1, srv.count.Load())
	s, err := c.Scopes(bg())
	assert.NoError(t, err)
	assert.Empty(t, s)
}

func TestScopes_LearnedOnceUnderConcurrentFirstUse(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if r.OpName == "Authorization" {
			writeJSON(w, 200, `{"data":{"authorization":{"scopes":["READ","RECEIVE"]}}}`)
			return
		}
		writeJSON(w, 200, meData)
	})
	c := newTestClient(t, srv.URL)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Me(bg())
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	auth := 0
	for _, r := range srv.requests() {
		if r.OpName == "Authorization" {
			auth++
		}
	}
	assert.Equal(t, 1, auth, "the authorization query runs once")
	got, err := c.Scopes(bg())
	require.NoError(t, err)
	assert.Equal(t, []Scope{ScopeRead, ScopeReceive}, got)

	before := srv.count.Load()
	err = rawSend(bg(), c)
	require.ErrorIs(t, err, ErrInsufficientScope, "a READ+RECEIVE key cannot send")
	assert.Equal(t, before, srv.count.Load())
}

func TestScopes_KeyWithoutReadLearnsOnlyThat(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if r.OpName == "Authorization" {
			writeJSON(w, 200, `{"data":null,"errors":[{"message":"Key is not authorized to read data","extensions":{"code":"UNEXPECTED_CLIENT_ERROR"}}]}`)
			return
		}
		writeJSON(w, 200, sendOK)
	})
	c := newTestClient(t, srv.URL)
	_, err := c.Me(bg())
	require.ErrorIs(t, err, ErrInsufficientScope)
	require.NoError(t, rawSend(bg(), c), "RECEIVE and WRITE stay unknown, so the server decides")
	_, err = c.Scopes(bg())
	assert.ErrorIs(t, err, ErrInsufficientScope)
	assert.EqualValues(t, 2, srv.count.Load(), "authorization once, then the send")
}

func TestScopes_FailedLearningIsNotCachedAndDoesNotBlock(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r wireReq, n int) {
		if r.OpName == "Authorization" && n == 1 {
			writeJSON(w, 400, `{"error":"bad"}`)
			return
		}
		if r.OpName == "Authorization" {
			writeJSON(w, 200, `{"data":{"authorization":{"scopes":["READ"]}}}`)
			return
		}
		writeJSON(w, 200, meData)
	})
	c := newTestClient(t, srv.URL)
	_, err := c.Me(bg())
	require.NoError(t, err, "the server decides when the scopes cannot be learnt")
	s, err := c.Scopes(bg())
	require.NoError(t, err)
	assert.Equal(t, []Scope{ScopeRead}, s)
}

// Every operation the SDK sends is classified from scopes.tsv: no root
// field falls back to the unknown-field default, and every send is
// at-most-once.
func TestScopes_EveryOperationDeclaresItsScope(t *testing.T) {
	files, err := filepath.Glob("../graphql/operations/*.graphql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var all string
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		all += string(b) + "\n"
	}
	doc := parseDoc(t, all)
	require.NotEmpty(t, doc.Operations)
	for _, op := range doc.Operations {
		var fields []string
		collectRootFields(doc, op.SelectionSet, &fields)
		for _, f := range fields {
			kind := map[string]scopes.Kind{"query": scopes.Query, "mutation": scopes.Mutation, "subscription": scopes.Subscription}[string(op.Operation)]
			_, ok := scopes.Lookup(kind, f)
			assert.True(t, ok, "%s: root field %s is not in scopes.tsv", op.Name, f)
		}
		info := parseOp(op.Name, all)
		if info.send {
			assert.Equal(t, atMostOnce, info.class, op.Name)
		}
	}
}

func parseDoc(t *testing.T, src string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: src})
	require.NoError(t, err)
	return doc
}
