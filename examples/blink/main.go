// Command blink is a developer command line for the Blink Lightning wallet
// API, built on the blink-go SDK alone: log in once, read balances and
// transactions, receive and pay, forward the account's events to a local
// webhook handler (blink listen), and run the fake Blink server standalone
// for tests in any language (blink fake).
//
// Install it with
//
//	go install github.com/blink-sdk/blink-go/examples/blink@latest
//
// It uses spf13/cobra, the framework of stripe-cli and of most Go command
// lines (kubectl, gh, hugo), for its command tree, help and completion.
//
// Exit codes: 0 success, 1 any other failure, 2 bad usage, 3 missing or
// refused API key or scope, 4 insufficient balance, 5 unknown outcome of a
// send (look it up with blink resolve).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(Main())
}

// Main runs the command line on the process's arguments and standard
// streams and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
}
