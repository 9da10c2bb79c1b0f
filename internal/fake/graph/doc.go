// Package graph is the gqlgen executable schema of the fake Blink server
// (generated.go) and default resolvers that answer "not implemented in
// blinktest" (stubs_gen.go, written by cmd/stubgen).
package graph
