package testserver_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

// BenchmarkMe measures a raw-HTTP Me query against the fake.
func BenchmarkMe(b *testing.B) {
	srv := blinktest.New(b)
	a := srv.CreateAccount(blinktest.AccountOptions{})
	key := srv.CreateAPIKey(a.ID, blinktest.KeyOptions{})
	body, _ := json.Marshal(map[string]any{"query": qMe, "operationName": "Me"})
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL(), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-KEY", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatal(res.Status)
		}
	}
}
