//go:build race

package blink

// raceEnabled: the race detector inflates the heap; memory bounds are
// checked without it.
const raceEnabled = true
