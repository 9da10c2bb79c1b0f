package api

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type decodeReq struct {
	OrderID string `json:"order_id"`
	Sats    int64  `json:"amount_sats"`
	Meta    any    `json:"meta"`
	Skip    string `json:"-"`
	NoTag   string
}

func decodeBody(t *testing.T, body string) (*decodeReq, string, string) {
	t.Helper()
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	var v decodeReq
	if e := decode(httptest.NewRecorder(), r, &v); e != nil {
		return nil, e.Code, e.Message
	}
	return &v, "", ""
}

func TestDecode_AcceptsOneExactObject(t *testing.T) {
	for name, body := range map[string]string{
		"flat":                                  `{"order_id":"a","amount_sats":5}`,
		"white space":                           " \n{ \"order_id\" : \"a\" , \"amount_sats\" : 5 }\n ",
		"same key in different nested objects":  `{"order_id":"a","amount_sats":5,"meta":{"x":1,"y":{"x":2},"z":[{"x":3},{"x":4}]}}`,
		"nested duplicates are not ours":        `{"order_id":"a","amount_sats":5,"meta":{"x":1,"x":2}}`,
		"top-level names inside a nested value": `{"meta":{"order_id":"b","amount_sats":9},"order_id":"a","amount_sats":5}`,
		"arrays of arrays":                      `{"meta":[[1,[2,{"order_id":[]}]],[],{}],"order_id":"a","amount_sats":5}`,
		"escaped key":                           `{"order\u005fid":"a","amount_sats":5}`,
		"untagged field by its Go name":         `{"order_id":"a","amount_sats":5,"NoTag":"n"}`,
	} {
		t.Run(name, func(t *testing.T) {
			v, code, msg := decodeBody(t, body)
			require.Empty(t, code, msg)
			require.Equal(t, "a", v.OrderID)
			require.EqualValues(t, 5, v.Sats)
		})
	}
	v, code, _ := decodeBody(t, `null`)
	require.Empty(t, code)
	require.Equal(t, decodeReq{}, *v)
}

func TestDecode_RefusesAmbiguousOrMalformedBodies(t *testing.T) {
	for name, tc := range map[string]struct{ body, code string }{
		"duplicate key":                {`{"order_id":"a","amount_sats":1,"amount_sats":1000}`, "duplicate_field"},
		"duplicate after nested value": {`{"order_id":"a","meta":{"order_id":"x"},"order_id":"b"}`, "duplicate_field"},
		"duplicate by escape":          {`{"order_id":"a","order\u005fid":"b"}`, "duplicate_field"},
		"case-folded key":              {`{"order_id":"a","AMOUNT_SATS":1000}`, "unknown_field"},
		"case-folded only":             {`{"Order_ID":"a"}`, "unknown_field"},
		"long s folds to s":            {`{"amount_sat\u017f":5}`, "unknown_field"},
		"Go name of a tagged field":    {`{"OrderID":"a"}`, "unknown_field"},
		"field tagged -":               {`{"Skip":"a"}`, "unknown_field"},
		"unknown key":                  {`{"order_id":"a","tenant_id":"tn_x"}`, "unknown_field"},
		"trailing object":              {`{"order_id":"a"}{"order_id":"b"}`, "invalid_json"},
		"trailing garbage":             {`{"order_id":"a"} x`, "invalid_json"},
		"trailing after null":          {`null null`, "invalid_json"},
		"array":                        {`[{"order_id":"a"}]`, "invalid_json"},
		"string":                       {`"a"`, "invalid_json"},
		"empty":                        {``, "invalid_json"},
		"unclosed":                     {`{"order_id":"a"`, "invalid_json"},
		"unclosed nested":              {`{"meta":{"a":[1,2}}`, "invalid_json"},
		"wrong type":                   {`{"amount_sats":"5"}`, "invalid_json"},
		"float amount":                 {`{"amount_sats":1.5}`, "invalid_json"},
	} {
		t.Run(name, func(t *testing.T) {
			_, code, msg := decodeBody(t, tc.body)
			require.Equal(t, tc.code, code, msg)
		})
	}
}

func TestDecode_NeverEchoesTheCallersKey(t *testing.T) {
	secret := "blink_" + strings.Repeat("s", 40)
	for _, body := range []string{
		`{"` + secret + `":1}`,
		`{"order_id":"a","` + secret + `":1,"` + secret + `":2}`,
	} {
		_, code, msg := decodeBody(t, body)
		require.Equal(t, "unknown_field", code)
		require.NotContains(t, msg, "blink_")
	}
}

func TestDecode_BodyLimitAndContentType(t *testing.T) {
	_, code, _ := decodeBody(t, `{"meta":"`+strings.Repeat("x", MaxBody)+`"}`)
	require.Equal(t, "body_too_large", code)

	r := httptest.NewRequest("POST", "/", strings.NewReader(`{}`))
	r.Header.Set("Content-Type", "text/plain")
	e := decode(httptest.NewRecorder(), r, &decodeReq{})
	require.NotNil(t, e)
	require.Equal(t, 415, e.Status)
}
