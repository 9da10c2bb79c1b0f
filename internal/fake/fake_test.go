package fake

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

func txs(n int) []*Transaction {
	out := make([]*Transaction, n)
	for i := range out {
		out[i] = &Transaction{ID: fmt.Sprint(n - i)} // newest first: "n" .. "1"
	}
	return out
}

func ids(p Page[*Transaction]) []string {
	var out []string
	for _, t := range p.Items {
		out = append(out, t.ID)
	}
	return out
}

func intp(n int) *int       { return &n }
func strp(s string) *string { return &s }

func TestPaginateFirstAfterLastBefore(t *testing.T) {
	items := txs(5)
	p, err := paginate(items, txID, intp(2), nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"5", "4"}, ids(p))
	assert.True(t, p.HasNext)
	assert.False(t, p.HasPrevious)

	p, _ = paginate(items, txID, intp(2), nil, strp("4"), nil)
	assert.Equal(t, []string{"3", "2"}, ids(p))
	assert.True(t, p.HasNext)
	assert.True(t, p.HasPrevious)

	p, _ = paginate(items, txID, nil, intp(2), nil, strp("2"))
	assert.Equal(t, []string{"4", "3"}, ids(p))
	assert.True(t, p.HasNext)
	assert.True(t, p.HasPrevious)

	p, _ = paginate(items, txID, nil, nil, strp("unknown"), nil)
	assert.Empty(t, ids(p), "an unknown cursor yields nothing")

	p, _ = paginate(txs(150), txID, nil, nil, nil, nil)
	assert.Len(t, p.Items, MaxPageSize)
	assert.True(t, p.HasNext)
}

func TestPaginateErrorsAreTheRealMessages(t *testing.T) {
	for _, c := range []struct {
		first, last *int
		msg         string
	}{
		{intp(1), intp(1), `Cannot use both "first" and "last".`},
		{intp(0), nil, "Requested page size (0) must be greater than 0."},
		{intp(101), nil, "Requested page size (101) is greater than max allowed page size 100."},
		{nil, intp(-1), "Requested page size (-1) must be greater than 0."},
		{nil, intp(200), "Requested page size (200) is greater than max allowed page size 100."},
	} {
		_, err := paginate(txs(1), txID, c.first, c.last, nil, nil)
		require.Error(t, err)
		assert.Equal(t, c.msg, err.Error())
		assert.Equal(t, "INVALID_INPUT", err.(*AppError).Code)
	}
}

func TestConversionsRoundInBlinksFavour(t *testing.T) {
	s := NewServer(Config{USDCentsPerBTC: 3_000_000}) // 0.03 cent a sat
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Equal(t, int64(31), s.centsToPay(1001))
	assert.Equal(t, int64(30), s.centsReceived(1001))
	assert.Equal(t, int64(3334), s.satsForCents(100))
	assert.Equal(t, int64(3333), s.satsWorth(100))
	assert.Equal(t, int64(0), s.centsToPay(0))
	assert.Equal(t, int64(300_000_000_000), s.centsReceived(MaxAmount), "no overflow at the largest amount")
}

func TestComplexityCountsMutationRootFieldsAs120(t *testing.T) {
	doc, err := parser.ParseQuery(&ast.Source{Input: `mutation { a: lnInvoiceCreate(input: {}) { errors { message } } b: lnInvoiceCreate(input: {}) { ...E } } fragment E on LnInvoicePayload { errors { message code } }`})
	require.NoError(t, err)
	assert.Equal(t, 2*120+2+3, complexityOf(doc, doc.Operations[0], nil))
}

func TestIdempotencyKeyFormatIsTheRealUUIDRegex(t *testing.T) {
	assert.True(t, idempotencyKeyRe.MatchString("7C9E6679-7425-40DE-944B-E07FC1F90AE7"))
	assert.True(t, idempotencyKeyRe.MatchString("7c9e6679-7425-10de-944b-e07fc1f90ae7"), "versions 1 to 5 pass")
	assert.False(t, idempotencyKeyRe.MatchString("7c9e6679-7425-60de-944b-e07fc1f90ae7"))
	assert.False(t, idempotencyKeyRe.MatchString("7c9e6679-7425-40de-744b-e07fc1f90ae7"), "variant must be 8, 9, a or b")
}

func TestAddressesValidateAgainstTheNetwork(t *testing.T) {
	reg := NewServer(Config{})
	main := NewServer(Config{Network: "mainnet"})
	a := reg.newAddress()
	assert.True(t, reg.validAddress(a))
	assert.False(t, main.validAddress(a))
	assert.True(t, main.validAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"))
	assert.False(t, main.validAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"), "bad checksum")
}

func TestRateWindowBlocksAfterTheLimit(t *testing.T) {
	var rl rateWindow
	now := time.Unix(0, 0)
	for range 3 {
		assert.True(t, rl.take(now, time.Minute, 3, 5*time.Minute))
	}
	assert.False(t, rl.take(now, time.Minute, 3, 5*time.Minute))
	assert.False(t, rl.take(now.Add(2*time.Minute), time.Minute, 3, 5*time.Minute), "blocked")
	assert.True(t, rl.take(now.Add(5*time.Minute), time.Minute, 3, 5*time.Minute))
}

func TestSpendingLimitWindows(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	k := &apiKey{limits: [4]int64{100, 150, 0, 0}}
	assert.Empty(t, k.checkSpend(now, 100))
	k.recordSpend(now, 100)
	assert.Equal(t, "daily", k.checkSpend(now, 1))
	assert.Empty(t, k.checkSpend(now.Add(25*time.Hour), 50))
	assert.Equal(t, "weekly", k.checkSpend(now.Add(25*time.Hour), 51))
	assert.Empty(t, (*apiKey)(nil).checkSpend(now, 1<<40), "no key, no limit")
}

func TestRewriteTopLevelErrorsAddsCodesRawAndDropsThemAsTheRouterDoes(t *testing.T) {
	in := []byte(`{"data":null,"errors":[{"message":"x","path":["me"],"extensions":{"code":"NOT_AUTHORIZED"}},{"message":"y","extensions":{"code":"A","other":1}},{"message":"z"}]}`)
	assert.JSONEq(t, `{"data":null,"errors":[{"message":"x","path":["me"],"code":"NOT_AUTHORIZED","extensions":{"code":"NOT_AUTHORIZED"}},{"message":"y","code":"A","extensions":{"code":"A","other":1}},{"message":"z"}]}`,
		string(rewriteTopLevelErrors(in, addCodes)))
	assert.JSONEq(t, `{"data":null,"errors":[{"message":"x","path":["me"]},{"message":"y","extensions":{"other":1}},{"message":"z"}]}`,
		string(rewriteTopLevelErrors(in, dropCodes)))
	assert.Equal(t, "not json", string(rewriteTopLevelErrors([]byte("not json"), dropCodes)))
	payload := `{"data":{"lnInvoiceCreate":{"errors":[{"message":"m","code":"INVALID_INPUT"}]}}}`
	assert.Equal(t, payload, string(rewriteTopLevelErrors([]byte(payload), dropCodes)), "payload errors keep their code")
}

func TestRouterErrorBodyHasTheRoutersShape(t *testing.T) {
	assert.JSONEq(t, `{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 409: Conflict","path":[],
		"extensions":{"code":"SUBREQUEST_HTTP_ERROR","service":"public","reason":"409: Conflict","http":{"status":409}}}]}`,
		routerErrorBody(409))
	assert.JSONEq(t, `{"data":null,"errors":[{"message":"HTTP fetch failed from 'public': 500: Internal Server Error","path":[],
		"extensions":{"code":"SUBREQUEST_HTTP_ERROR","service":"public","reason":"500: Internal Server Error","http":{"status":500}}},
		{"message":"too complex"}]}`, routerErrorBody(500, "too complex"))
}

func TestMayHaveTopLevelErrorsAgreesWithDecoding(t *testing.T) {
	for _, body := range []string{
		`{"data":{"me":{"id":"x"}}}`,
		`{"data":{"lnInvoiceCreate":{"errors":[],"invoice":{"memo":"\"errors\": }{]["}}}}`,
		`{"data":{"a":[1,2,{"errors":"x"}],"b":"errors"},"extensions":{"errors":1}}`,
		`{"errors":[{"message":"x"}],"data":null}`,
		`{"data":null,"errors":[{"message":"x"}]}`,
		`{"data":{"x":"a\\\"b\"errors\"\\"} , "errors" : [] }`,
		` { "data" : true , "errors":null}`,
		`{"data":{"errors":[]},"label":"l","hasNext":false}`,
	} {
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(body), &m), body)
		_, has := m["errors"]
		assert.Equal(t, has, mayHaveTopLevelErrors([]byte(body)), body)
	}
	// What the scan does not understand is a maybe: the full decode decides.
	assert.True(t, mayHaveTopLevelErrors([]byte(`{"d\"errors":1,"data":2}`)))
	assert.True(t, mayHaveTopLevelErrors([]byte(`not json "errors"`)))
}

func TestMatchersAgreeWithRegexps(t *testing.T) {
	res := map[string]struct {
		m  matcher
		re *regexp.Regexp
	}{
		"uuid":       {uuidRe, regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)},
		"externalId": {externalIDRe, regexp.MustCompile(`^[a-z0-9_-]{1,100}$`)},
		"hash":       {hashRe, regexp.MustCompile(`^[0-9a-fA-F]{64}$`)},
		"lnRequest":  {lnRequestRe, regexp.MustCompile(`(?i)^ln[a-z0-9]+$`)},
	}
	inputs := []string{
		"", "-", "ln", "LN", "lnbcrt1", "LNBCRT10N1PJ", "lightning:lnbc1", "lnbc 1", "lnbc1\n", "ln\u212a", "ln\u017f1", "lnKs",
		"ln\x10", "ln\x19", "l", "nl1", "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef",
		"0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdeg",
		"0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef0",
		"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-42661417400G", "123e4567e89b-12d3-a456-4266141740000",
		"123e4567-e89b-12d3-a456-426614174000\n", "abc", "a_b-c9", "A", strings.Repeat("a", 100), strings.Repeat("a", 101), "é",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "lnLN0123456789abcdefABCDEFxyzXYZ-_ \n\x10\u212a\u017f:"
	for range 20_000 {
		b := []rune{}
		for range rng.IntN(40) {
			b = append(b, []rune(alphabet)[rng.IntN(len([]rune(alphabet)))])
		}
		inputs = append(inputs, string(b))
		if rng.IntN(2) == 0 {
			inputs = append(inputs, "ln"+string(b))
		}
	}
	for name, c := range res {
		for _, in := range inputs {
			if got, want := c.m.MatchString(in), c.re.MatchString(in); got != want {
				t.Errorf("%s(%q) = %v, the regexp says %v", name, in, got, want)
			}
		}
	}
}

// TestWindowsAgreeWithScans checks the binary-searched invoice rate window
// and spending limits against plain scans, with a clock that jumps back
// and forth.
func TestWindowsAgreeWithScans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Unix(1_000_000, 0)
	var rl rateWindow
	var naive []time.Time
	var naiveBlocked time.Time
	k := &apiKey{limits: [4]int64{500, 2_000, 5_000, 20_000}}
	var spends []spend
	now := base
	for i := range 5_000 {
		step := time.Duration(rng.IntN(40)-5) * time.Second
		if rng.IntN(50) == 0 {
			step = -time.Duration(rng.IntN(3*24)) * time.Hour
		}
		if rng.IntN(200) == 0 {
			step = time.Duration(rng.IntN(40*24)) * time.Hour
		}
		now = now.Add(step)

		// The rate window, as it was: filter, count, append.
		want := true
		if now.Before(naiveBlocked) {
			want = false
		} else {
			kept := naive[:0]
			for _, ts := range naive {
				if now.Sub(ts) < time.Minute {
					kept = append(kept, ts)
				}
			}
			naive = kept
			if len(naive) >= 5 {
				naiveBlocked = now.Add(5 * time.Minute)
				want = false
			} else {
				naive = append(naive, now)
			}
		}
		require.Equal(t, want, rl.take(now, time.Minute, 5, 5*time.Minute), "take %d", i)
		require.Len(t, rl.times, len(naive))

		// Spending limits, as they were: a scan per window.
		sats := int64(rng.IntN(300))
		wantWin := ""
		for w, lw := range limitWindows {
			var spent int64
			for _, sp := range spends {
				if now.Sub(sp.at) < lw.d {
					spent += sp.sats
				}
			}
			if spent+sats > k.limits[w] {
				wantWin = lw.name
				break
			}
		}
		require.Equal(t, wantWin, k.checkSpend(now, sats), "checkSpend %d", i)
		if wantWin == "" && sats > 0 {
			k.recordSpend(now, sats)
			spends = append(spends, spend{at: now, sats: sats})
		}
	}
}

// TestLedgerIndexesAgreeWithScans checks the merged wallet ledgers and the
// payment hash index against a scan of every transaction.
func TestLedgerIndexesAgreeWithScans(t *testing.T) {
	s := NewServer(Config{})
	a := s.CreateAccount(AccountOptions{})
	b := s.CreateAccount(AccountOptions{})
	wallets := []string{a.BTCWalletID, a.USDWalletID, b.BTCWalletID}
	hashes := []string{"", "aa", "bb", "cc"}
	rng := rand.New(rand.NewPCG(5, 6))
	s.mu.Lock()
	defer s.mu.Unlock()
	for range 300 {
		s.record(&Transaction{WalletID: wallets[rng.IntN(len(wallets))], Direction: "SEND", PaymentHash: hashes[rng.IntN(len(hashes))]})
	}
	var all []*Transaction
	for _, t := range s.txs {
		all = append(all, t)
	}
	slices.SortFunc(all, func(x, y *Transaction) int { return int(y.seq - x.seq) })
	scan := func(keep func(*Transaction) bool) []*Transaction {
		var out []*Transaction
		for _, t := range all {
			if keep(t) {
				out = append(out, t)
			}
		}
		return out
	}
	for _, ids := range [][]string{{a.BTCWalletID}, {a.BTCWalletID, a.USDWalletID}, wallets, {"nope"}} {
		for _, since := range []int64{0, 1, 150, 299, 300} {
			want := scan(func(t *Transaction) bool { return slices.Contains(ids, t.WalletID) && t.seq > since })
			assert.Equal(t, want, s.walletTxsSince(ids, since), "%v since %d", ids, since)
		}
	}
	for _, w := range wallets {
		for _, h := range hashes[1:] {
			want := scan(func(t *Transaction) bool { return t.WalletID == w && t.PaymentHash == h })
			assert.Equal(t, want, s.hashTxs(w, h, nil))
		}
	}
}
