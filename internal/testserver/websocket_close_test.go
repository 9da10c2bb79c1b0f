package testserver_test

import (
	"runtime"
	"testing"
	"time"

	blinktest "github.com/blink-sdk/blink-go/internal/testserver"
)

func TestCloseEndsEveryWebSocketGoroutineEvenWhenStalled(t *testing.T) {
	before := runtime.NumGoroutine()
	srv := blinktest.NewServer(blinktest.WithPingInterval(20 * time.Millisecond))
	f := fixture{srv: srv}
	f.bob = srv.CreateAccount(blinktest.AccountOptions{Username: "bob"})
	key := srv.CreateAPIKey(f.bob.ID, blinktest.KeyOptions{})
	var ws []*wsConn
	for range 3 {
		w := dialWS(t, srv, key)
		ws = append(ws, w)
		w.subscribe("u", myUpdatesDoc, nil)
		w.subscribe("p", realtimePriceDoc, nil)
		w.next()
	}
	srv.StallWebSockets()
	srv.Close()
	for _, w := range ws {
		_ = w.c.CloseNow()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
