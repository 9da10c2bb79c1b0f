package testserver_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConcurrentPaymentsKeepTheLedgerConsistent(t *testing.T) {
	f := newFixture(t)
	const n = 20
	prs := make([]string, n)
	for i := range prs {
		prs[i], _ = createInvoice(t, f.srv, f.bobKey, f.bob.BTCWalletID, 100)
	}
	var wg sync.WaitGroup
	results := make([]string, 2*n)
	for i, pr := range prs {
		for j := range 2 { // every invoice twice, at once
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := try(f.srv, f.aliceK, mPay, map[string]any{"input": map[string]any{"walletId": f.alice.BTCWalletID, "paymentRequest": pr}})
				if err == nil {
					results[2*i+j] = payStatus(r)
				}
			}()
		}
	}
	wg.Wait()
	count := map[string]int{}
	for _, r := range results {
		count[r]++
	}
	assert.Equal(t, map[string]int{"SUCCESS": n, "ALREADY_PAID": n}, count)
	assert.Equal(t, int64(1_000_000-n*100), f.srv.Balance(f.alice.BTCWalletID))
	assert.Equal(t, int64(500_000+n*100), f.srv.Balance(f.bob.BTCWalletID))
	require.Len(t, f.srv.Ledger(f.alice.BTCWalletID), n)
}
