// Package model holds the Go types of the fake server's GraphQL schema:
// models_gen.go is written by gqlgen, bound.go by hand.
package model
