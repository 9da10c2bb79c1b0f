package fake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
)

// Automatic persisted queries (APQ): a client sends
// extensions.persistedQuery {version: 1, sha256Hash} and, the first time,
// no query; the server answers PersistedQueryNotFound, and the client
// sends the query with the hash, which the server then remembers.
//
// In production the router answers APQ itself (Apollo Router keeps the
// cache in front of the subgraphs): a hash it does not know is answered
// without the API being asked, so it takes no idempotency lock, and the
// resend reaches the API as an ordinary request. With Config.RawAPIErrors
// the fake is the API alone: its idempotency middleware runs before Apollo
// Server's own APQ, so a hash-only request locks the key, and the resend
// with the query locks the key with a "-persisted" suffix so that it is not
// refused (core/api/src/servers/middlewares/idempotency.ts:55-68).

// The errors of a persisted query, as Apollo's servers name them.
const (
	apqNotFoundBody = `{"errors":[{"message":"PersistedQueryNotFound","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}]}`
	apqMismatchBody = `{"errors":[{"message":"provided sha does not match query","extensions":{"code":"PERSISTED_QUERY_HASH_MISMATCH"}}]}`
)

// apqExtensions is the part of a request's extensions APQ reads.
type apqExtensions struct {
	PersistedQuery *struct {
		Version    int    `json:"version"`
		Sha256Hash string `json:"sha256Hash"`
	} `json:"persistedQuery"`
}

// persistedHash is the request's persisted query hash, "" for none.
func (r gqlRequest) persistedHash() string {
	if r.Extensions.PersistedQuery == nil {
		return ""
	}
	return r.Extensions.PersistedQuery.Sha256Hash
}

// resolvePersisted applies APQ to a request with a persisted query hash:
// a known hash without a query gets its query (in req, and in the request
// gqlgen reads), a query with a hash is remembered. It returns the request
// to go on with, or ok false after answering the client itself.
func (s *Server) resolvePersisted(w http.ResponseWriter, r *http.Request, req *gqlRequest, body *[]byte) (*http.Request, bool) {
	hash := req.persistedHash()
	if hash == "" {
		return r, true
	}
	if req.Query != "" {
		sum := sha256.Sum256([]byte(req.Query))
		if hex.EncodeToString(sum[:]) != hash {
			s.writeAPQError(w, http.StatusBadRequest, apqMismatchBody)
			return r, false
		}
		s.persisted.Add(context.Background(), hash, req.Query)
		return r, true
	}
	q, ok := s.persisted.Get(context.Background(), hash)
	if !ok {
		s.writeAPQError(w, http.StatusOK, apqNotFoundBody)
		return r, false
	}
	req.Query = q
	if r.Method == http.MethodPost {
		var m map[string]json.RawMessage
		if json.Unmarshal(*body, &m) == nil {
			m["query"], _ = json.Marshal(q)
			if b, err := json.Marshal(m); err == nil {
				*body = b
			}
		}
		return r, true
	}
	r = r.Clone(r.Context())
	v := r.URL.Query()
	v.Set("query", q)
	r.URL.RawQuery = v.Encode()
	return r, true
}

// writeAPQError writes an APQ error: the router's own, as it is; the API's
// with the top-level code its formatError adds.
func (s *Server) writeAPQError(w http.ResponseWriter, status int, body string) {
	if s.cfg.RawAPIErrors {
		body = string(rewriteTopLevelErrors([]byte(body), addCodes))
	}
	writeJSON(w, status, body)
}
