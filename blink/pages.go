package blink

import "iter"

// walkPages yields every item of a Relay connection in the order of its
// pages (newest first, or oldest first for a walk towards newer entries),
// from the cursor start on. fetch returns the page that follows a cursor
// and the cursor of its last item. A page is
// fetched only when the loop reaches it, so breaking out stops fetching;
// the first error is yielded with a zero item and ends the walk. Each range
// over the result starts again from start.
func walkPages[T any](op, start string, fetch func(after string) (items []T, endCursor string, hasNext bool, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		after := start
		for {
			items, end, hasNext, err := fetch(after)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !hasNext {
				return
			}
			if end == "" || end == after {
				// A next page that cannot be reached: stop rather than loop
				// on the same page.
				yield(zero, &Error{Operation: op, Message: "the server announced a next page without a new cursor", sentinel: ErrServer})
				return
			}
			after = end
		}
	}
}
