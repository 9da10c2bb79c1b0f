package fake

import (
	"encoding/json"
	"sync"
	"unicode/utf8"
)

// decodeRequest is json.Unmarshal(body, &req) into a gqlRequest, errors
// ignored, with a fast path for the bodies clients send: a JSON object
// whose members are "query", "operationName" and others (variables,
// extensions) that the middleware does not need decoded. encoding/json
// takes about 10 ns a byte of a mutation's body (mostly its query text);
// the fast path validates the body in one pass and unquotes the query
// through a cache keyed by its raw JSON text. Whatever the fast path is not
// sure to decode as encoding/json does (keys that differ from the fields'
// only in case, duplicates, values of other types, very deep nesting, text
// that is not valid JSON) goes to json.Unmarshal.
func (s *Server) decodeRequest(body []byte) gqlRequest {
	if req, ok := decodeRequestFast(body, s.unquotes.unquote); ok {
		return req
	}
	var req gqlRequest
	_ = json.Unmarshal(body, &req)
	return req
}

// decodeRequestFast is decodeRequest's fast path; ok is false when it
// cannot tell.
func decodeRequestFast(b []byte, unquote func([]byte) (string, bool)) (req gqlRequest, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return req, false
	}
	i = skipSpace(b, i+1)
	var seenQuery, seenName bool
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) || b[i] != '"' {
				return req, false
			}
			end, plain := scanJSONString(b, i)
			if end < 0 || !plain {
				return req, false
			}
			key := b[i+1 : end-1]
			i = skipSpace(b, end)
			if i >= len(b) || b[i] != ':' {
				return req, false
			}
			i = skipSpace(b, i+1)
			start := i
			if i = scanJSONValue(b, i, 0); i < 0 {
				return req, false
			}
			val := b[start:i]
			switch {
			case string(key) == "query" && !seenQuery && val[0] == '"':
				if req.Query, ok = unquote(val); !ok {
					return req, false
				}
				seenQuery = true
			case string(key) == "operationName" && !seenName && val[0] == '"':
				if req.OperationName, ok = unquote(val); !ok {
					return req, false
				}
				seenName = true
			case !asciiFoldDiffers(key, "query") || !asciiFoldDiffers(key, "operationName"):
				// A duplicate, a value that is not a string, a key that
				// matches a field but for case, or one that is not ASCII.
				return req, false
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return req, false
			}
			if b[i] == ',' {
				i = skipSpace(b, i+1)
				continue
			}
			if b[i] != '}' {
				return req, false
			}
			i++
			break
		}
	}
	if skipSpace(b, i) != len(b) {
		return req, false
	}
	return req, true
}

// asciiFoldDiffers reports whether key is ASCII and differs from name even
// without regard to case; false means it may match name as encoding/json
// matches keys to fields.
func asciiFoldDiffers(key []byte, name string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	if len(key) != len(name) {
		return true
	}
	for i := range key {
		x, y := key[i], name[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return true
		}
	}
	return false
}

// maxJSONDepth bounds the nesting the fast path follows; deeper goes to
// encoding/json, which has limits of its own.
const maxJSONDepth = 100

// scanJSONValue validates the JSON value at b[i:] and returns the index
// just after it, or -1.
func scanJSONValue(b []byte, i, depth int) int {
	if i >= len(b) || depth > maxJSONDepth {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		end, _ := scanJSONString(b, i)
		return end
	case c == '{':
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return -1
			}
			if i, _ = scanJSONString(b, i); i < 0 {
				return -1
			}
			i = skipSpace(b, i)
			if i >= len(b) || b[i] != ':' {
				return -1
			}
			if i = scanJSONValue(b, skipSpace(b, i+1), depth+1); i < 0 {
				return -1
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case ',':
				i = skipSpace(b, i+1)
			case '}':
				return i + 1
			default:
				return -1
			}
		}
	case c == '[':
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1
		}
		for {
			if i = scanJSONValue(b, i, depth+1); i < 0 {
				return -1
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return -1
			}
			switch b[i] {
			case ',':
				i = skipSpace(b, i+1)
			case ']':
				return i + 1
			default:
				return -1
			}
		}
	case c == 't':
		return scanLiteral(b, i, "true")
	case c == 'f':
		return scanLiteral(b, i, "false")
	case c == 'n':
		return scanLiteral(b, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		return scanJSONNumber(b, i)
	}
	return -1
}

func scanLiteral(b []byte, i int, lit string) int {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// scanJSONNumber validates -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// at b[i:].
func scanJSONNumber(b []byte, i int) int {
	digits := func(i int) (int, bool) {
		j := i
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
		return j, j > i
	}
	if b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return -1
	}
	if b[i] == '0' {
		i++
	} else {
		var ok bool
		if i, ok = digits(i); !ok {
			return -1
		}
	}
	if i < len(b) && b[i] == '.' {
		var ok bool
		if i, ok = digits(i + 1); !ok {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		var ok bool
		if i, ok = digits(i); !ok {
			return -1
		}
	}
	return i
}

// scanJSONString validates the JSON string at b[i:] (b[i] is '"') and
// returns the index just after its closing quote, or -1; plain reports
// that it has no escapes and is valid UTF-8, so that its text is its
// value.
func scanJSONString(b []byte, i int) (end int, plain bool) {
	plain = true
	ascii := true
	start := i + 1
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			if !ascii && !utf8.Valid(b[start:i]) {
				plain = false
			}
			return i + 1, plain
		case c < 0x20:
			return -1, false
		case c >= utf8.RuneSelf:
			ascii = false
		case c == '\\':
			plain = false
			i++
			if i >= len(b) {
				return -1, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(b)-i <= 4 {
					return -1, false
				}
				for _, h := range b[i+1 : i+5] {
					if !isHexDigit(h) {
						return -1, false
					}
				}
				i += 4
			default:
				return -1, false
			}
		}
	}
	return -1, false
}

// unquoteCache unquotes JSON strings, keeping the values of the last few
// hundred distinct ones: the query texts of a test's requests repeat.
type unquoteCache struct {
	mu sync.Mutex
	m  map[string]string
}

// maxUnquotes bounds the cache; it starts over when full.
const maxUnquotes = 512

// unquote decodes a valid JSON string token as encoding/json does.
func (c *unquoteCache) unquote(tok []byte) (string, bool) {
	if len(tok) > maxCachedQuery {
		return unquoteJSON(tok)
	}
	c.mu.Lock()
	v, ok := c.m[string(tok)]
	c.mu.Unlock()
	if ok {
		return v, true
	}
	v, ok = unquoteJSON(tok)
	if !ok {
		return "", false
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxUnquotes {
		c.m = map[string]string{}
	}
	c.m[string(tok)] = v
	c.mu.Unlock()
	return v, true
}

func unquoteJSON(tok []byte) (string, bool) {
	var v string
	if json.Unmarshal(tok, &v) != nil {
		return "", false
	}
	return v, true
}
