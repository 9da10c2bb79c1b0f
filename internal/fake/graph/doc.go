// Package graph is the gqlgen executable schema of the fake Blink server
// (generated.go) and fallback resolvers that answer "<field> has no
// resolver in blinktest" (stubs_gen.go, written by cmd/stubgen); the
// fake shadows every one of them, which a schema walk in
// internal/testserver checks.
package graph
