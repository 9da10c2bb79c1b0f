package checkout

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSessions_SignedLinkVerifies_TamperedOrExpiredDoesNot(t *testing.T) {
	s, err := NewSessions([]byte(strings.Repeat("k", 32)), 5*time.Minute)
	require.NoError(t, err)
	tok, exp := s.Sign("tn_a", "order|1")
	require.WithinDuration(t, time.Now().Add(5*time.Minute), exp, 2*time.Second)
	tn, o, err := s.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, "tn_a", tn)
	require.Equal(t, "order|1", o)

	// Another order's claims under this signature, a flipped byte, another secret.
	other, _ := s.Sign("tn_b", "order|1")
	p, _, _ := strings.Cut(other, ".")
	_, sig, _ := strings.Cut(tok, ".")
	for _, bad := range []string{p + "." + sig, tok[:len(tok)-2] + "AA", "", "x", tok + "."} {
		_, _, err := s.Verify(bad)
		require.ErrorIs(t, err, ErrSessionInvalid, bad)
	}
	s2, _ := NewSessions([]byte(strings.Repeat("j", 32)), 0)
	_, _, err = s2.Verify(tok)
	require.ErrorIs(t, err, ErrSessionInvalid)

	s.now = func() time.Time { return exp }
	_, _, err = s.Verify(tok)
	require.ErrorIs(t, err, ErrSessionExpired)

	_, err = NewSessions([]byte("short"), 0)
	require.Error(t, err)
}

func TestSessions_OnlyTheSignedSpellingVerifies(t *testing.T) {
	s, err := NewSessions([]byte(strings.Repeat("k", 32)), 5*time.Minute)
	require.NoError(t, err)
	tok, _ := s.Sign("tn_a", "o-1")
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, tok[len(tok)-1])
	p, sig, _ := strings.Cut(tok, ".")
	// Each decodes to the same MAC with encoding/base64's lenient decoder
	// (spare low bits flipped; line breaks, which even Strict ignores).
	for _, v := range []string{
		tok[:len(tok)-1] + string(alphabet[i^1]),
		p + "." + sig[:10] + "\n" + sig[10:],
		p + "." + sig + "\r\n",
	} {
		_, _, err := s.Verify(v)
		require.ErrorIs(t, err, ErrSessionInvalid, "%q", v)
	}
	_, _, err = s.Verify(tok)
	require.NoError(t, err)
}
