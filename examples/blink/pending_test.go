package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/blink-sdk/blink-go/blink"
	"github.com/stretchr/testify/require"
)

// Every exported field of the SDK's outcome-unknown error but Cause
// survives the pending record: a field the SDK adds (FreshKey, MaxFee,
// MaxAmount were) and the record forgets would change what `resolve`
// does after a restart.
func TestPendingRecord_KeepsEveryFieldFinishPaymentNeeds(t *testing.T) {
	in := &blink.OutcomeUnknownError{}
	v := reflect.ValueOf(in).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() || v.Type().Field(i).Name == "Cause" {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString("x" + v.Type().Field(i).Name)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Struct: // time.Time
			f.Set(reflect.ValueOf(time.Unix(int64(1_700_000_000+i), 0).UTC()))
		default:
			t.Fatalf("field %s of kind %s: teach this test", v.Type().Field(i).Name, f.Kind())
		}
	}
	out := recordOf(in).outcomeUnknown()
	require.Equal(t, in, out)
}
