// Package gen holds the code genqlient generates from graphql/operations.
// Nobody edits generated.go by hand: change an operation document and run
// `go generate ./...`.
package gen

//go:generate go run github.com/Khan/genqlient ../../genqlient.yaml
