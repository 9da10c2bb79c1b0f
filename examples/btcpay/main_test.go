package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/blink-sdk/blink-go/blink/blinktest"
)

// TestSelfCheckWithoutKeyWalksAnOrderToPaid runs the example as `go run`
// does without BLINK_API_KEY.
func TestSelfCheckWithoutKeyWalksAnOrderToPaid(t *testing.T) {
	t.Setenv("BLINK_API_KEY", "")
	var out bytes.Buffer

	require.NoError(t, run(context.Background(), &out))

	assert.Contains(t, out.String(), "GET /orders/order-42/status: PAID")
	assert.Contains(t, out.String(), "self-check passed")
}

// TestOrderInvoiceForAnotherAmountIsConflictAndBadOrderIDIsBadRequest pins
// the shop's refusals: the ExternalID already names the order's first
// invoice, and an order id that is not a valid external id never reaches
// Blink.
func TestOrderInvoiceForAnotherAmountIsConflictAndBadOrderIDIsBadRequest(t *testing.T) {
	srv := blinktest.New(t)
	merchant := srv.CreateAccount(blinktest.AccountOptions{})
	c, err := blink.New(srv.CreateAPIKey(merchant.ID, blinktest.KeyOptions{Scopes: []string{"READ", "RECEIVE"}}),
		blink.WithEndpoint(srv.URL()))
	require.NoError(t, err)
	s, err := newShop(context.Background(), c)
	require.NoError(t, err)
	ts := httptest.NewServer(s.routes())
	defer ts.Close()
	post := func(path string) int {
		res, err := http.Post(ts.URL+path, "", nil)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}

	assert.Equal(t, http.StatusOK, post("/orders/order-7/invoice?amount=1000"))
	assert.Equal(t, http.StatusConflict, post("/orders/order-7/invoice?amount=2000"))
	assert.Equal(t, http.StatusBadRequest, post("/orders/Order-UPPER/invoice?amount=1000"))
	assert.Equal(t, http.StatusBadRequest, post("/orders/order-8/invoice?amount=0"))
	res, err := http.Get(ts.URL + "/orders/order-9/status")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}
