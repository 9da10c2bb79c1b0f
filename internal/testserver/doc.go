// Package testserver runs the fake Blink API server (internal/fake) over
// httptest, with plain Go types. It is what blink/blinktest wraps with the
// SDK's own types, and what package blink's own tests use: they cannot
// import blinktest, which imports package blink (net/http's tests use
// httptest from outside the package for the same reason).
package testserver
