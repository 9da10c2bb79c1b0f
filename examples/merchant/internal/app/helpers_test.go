package app_test

import "github.com/blink-sdk/blink-go/blink/blinktest"

func blinktestAllScopes() blinktest.KeyOptions { return blinktest.KeyOptions{} }
