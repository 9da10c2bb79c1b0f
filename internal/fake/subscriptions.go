package fake

import (
	"context"
	"strconv"
	"time"

	"github.com/blink-sdk/blink-go/internal/fake/graph/model"
	"github.com/blink-sdk/blink-go/internal/fake/scalars"
)

// Subscriptions emit their current value at once, then whenever the state
// they report on changes; like the real server they never complete the
// stream: it ends when the client stops it or disconnects.

// stream runs emit at once and after every state change until ctx ends.
// emit returns the next value, whether to send it, and an optional time
// after which to run again without a change (for expiry).
func stream[T any](ctx context.Context, s *Server, emit func() (T, bool, time.Duration)) <-chan T {
	out := make(chan T, 1)
	wake, cancel := s.watch()
	go func() {
		defer cancel()
		defer close(out)
		for {
			v, ok, again := emit()
			if ok {
				select {
				case out <- v:
				case <-ctx.Done():
					return
				}
			}
			var timer *time.Timer
			var fire <-chan time.Time
			if again > 0 {
				timer = time.NewTimer(again)
				fire = timer.C
			}
			select {
			case <-ctx.Done():
			case <-wake:
			case <-fire:
			}
			if timer != nil {
				timer.Stop()
			}
			if ctx.Err() != nil {
				return
			}
		}
	}()
	return out
}

// RealtimePrice streams the price: at once, again every
// PriceUpdateInterval of the server's clock (as the real server's price
// trigger publishes it) and whenever it changes.
func (r *subscriptionResolver) RealtimePrice(ctx context.Context, in model.RealtimePriceInput) (<-chan *model.RealtimePricePayload, error) {
	var last int64 = -1
	var lastAt time.Time
	return stream(ctx, r.s, func() (*model.RealtimePricePayload, bool, time.Duration) {
		p, err := r.s.realtimePrice(in.Currency)
		if err != nil {
			if last == -2 {
				return nil, false, 0
			}
			last = -2
			return &model.RealtimePricePayload{Errors: gqlErrors(err.(*AppError))}, true, 0
		}
		now := r.s.now()
		if int64(p.BtcSatPrice.Base) == last && now.Before(lastAt.Add(PriceUpdateInterval)) {
			return nil, false, max(lastAt.Add(PriceUpdateInterval).Sub(now), time.Millisecond)
		}
		last, lastAt = int64(p.BtcSatPrice.Base), now
		return &model.RealtimePricePayload{Errors: []model.Error{}, RealtimePrice: p}, true, PriceUpdateInterval
	}), nil
}

// statusStream streams an invoice's payment status, by hash or request.
func (r *subscriptionResolver) statusStream(ctx context.Context, hash, request string) <-chan *model.LnInvoicePaymentStatusPayload {
	var last string
	return stream(ctx, r.s, func() (*model.LnInvoicePaymentStatusPayload, bool, time.Duration) {
		st, e := r.s.invoiceStatus(hash, request)
		if e != nil {
			if last == "error" {
				return nil, false, 0
			}
			last = "error"
			return &model.LnInvoicePaymentStatusPayload{Errors: gqlErrors(e)}, true, 0
		}
		var again time.Duration
		if *st.Status == statusPending {
			again = r.s.untilExpiry(*st.PaymentHash) + time.Second
		}
		if string(*st.Status) == last {
			return nil, false, again
		}
		last = string(*st.Status)
		return &model.LnInvoicePaymentStatusPayload{
			Errors: []model.Error{}, PaymentHash: st.PaymentHash, PaymentRequest: st.PaymentRequest,
			PaymentPreimage: st.PaymentPreimage, Status: st.Status,
		}, true, again
	})
}

// untilExpiry is how long until the invoice expires by the server's clock.
func (s *Server) untilExpiry(hash string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.invoices[hash]
	if inv == nil {
		return 0
	}
	return max(inv.expiresAt.Sub(s.now()), 0)
}

func (r *subscriptionResolver) LnInvoicePaymentStatusByHash(ctx context.Context, in model.LnInvoicePaymentStatusByHashInput) (<-chan *model.LnInvoicePaymentStatusPayload, error) {
	return r.statusStream(ctx, in.PaymentHash, ""), nil
}

func (r *subscriptionResolver) LnInvoicePaymentStatusByPaymentRequest(ctx context.Context, in model.LnInvoicePaymentStatusByPaymentRequestInput) (<-chan *model.LnInvoicePaymentStatusPayload, error) {
	return r.statusStream(ctx, "", in.PaymentRequest), nil
}

func (r *subscriptionResolver) LnInvoicePaymentStatus(ctx context.Context, in model.LnInvoicePaymentStatusInput) (<-chan *model.LnInvoicePaymentStatusPayload, error) {
	return r.statusStream(ctx, "", in.PaymentRequest), nil
}

// PriceUpdateInterval is how often myUpdates sends the price again, by
// the server's clock, as the real server's price trigger does.
const PriceUpdateInterval = 30 * time.Second

// MyUpdates streams the caller's account events: on subscribe a Price
// (accounts whose display currency is USD) and a RealtimePrice, both again
// every PriceUpdateInterval of the server's clock and when the price
// changes; then an update per incoming lightning, intraledger or on-chain
// transaction (an on-chain deposit once pending and once confirmed) and
// per on-chain send. Outgoing lightning and intraledger payments produce
// no event, as on the real server. Without a valid key it answers
// NOT_AUTHENTICATED.
func (r *subscriptionResolver) MyUpdates(ctx context.Context) (<-chan *model.MyUpdatesPayload, error) {
	c := callerFrom(ctx)
	if c.acct == nil {
		return nil, &AppError{Code: "NOT_AUTHENTICATED", Message: "Not Authenticated for subscription"}
	}
	s := r.s
	me := model.NewUser(live{s}, c.acct.id)
	wallets := []string{c.acct.btcWallet, c.acct.usdWallet}
	var lastPrice int64 = -1
	var lastPriceAt time.Time
	s.mu.Lock()
	var seen int64
	pendingSeen := map[string]int{}
	for _, id := range wallets {
		if w := s.wallets[id]; w != nil {
			if len(w.txs) > 0 {
				seen = max(seen, w.txs[len(w.txs)-1].seq)
			}
			pendingSeen[id] = len(w.pendingLog)
		}
	}
	s.mu.Unlock()
	var queue []*model.MyUpdatesPayload
	push := func(u model.UserUpdate) {
		queue = append(queue, &model.MyUpdatesPayload{Errors: []model.Error{}, Me: me, Update: u})
	}
	return stream(ctx, s, func() (*model.MyUpdatesPayload, bool, time.Duration) {
		now := s.now()
		cur := s.displayCurrency(c.acct.id) // the account's, as upstream (my-updates.ts:300-319)
		if p, err := s.realtimePrice(&cur); err == nil &&
			(int64(p.BtcSatPrice.Base) != lastPrice || !now.Before(lastPriceAt.Add(PriceUpdateInterval))) {
			lastPrice, lastPriceAt = int64(p.BtcSatPrice.Base), now
			if cur == "USD" {
				push(s.usdPrice())
			}
			push(p)
		}
		s.mu.Lock()
		for _, id := range wallets {
			w := s.wallets[id]
			for _, t := range w.pendingLog[pendingSeen[id]:] {
				push(s.pendingReceiptUpdate(t))
			}
			pendingSeen[id] = len(w.pendingLog)
		}
		txs := s.walletTxsSince(wallets, seen)
		for i := len(txs) - 1; i >= 0; i-- {
			t := txs[i]
			if t.seq <= seen {
				continue
			}
			seen = t.seq
			if u := s.userUpdate(t); u != nil {
				push(u)
			}
		}
		s.mu.Unlock()
		again := max(lastPriceAt.Add(PriceUpdateInterval).Sub(now), time.Millisecond)
		if len(queue) == 0 {
			return nil, false, again
		}
		next := queue[0]
		queue = queue[1:]
		if len(queue) > 0 {
			return next, true, time.Nanosecond // come back at once for the rest
		}
		return next, true, again
	}), nil
}

// displayCurrency is an account's display currency.
func (s *Server) displayCurrency(accountID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[accountID]; a != nil {
		return a.displayCurrency
	}
	return ""
}

// usdPrice is myUpdates' Price event: US cents per sat, base/10^12.
func (s *Server) usdPrice() *model.Price {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &model.Price{
		Base: scalars.SafeInt(s.satPriceBase()), Offset: PriceOffset, CurrencyUnit: "USDCENT",
		FormattedAmount: strconv.FormatFloat(float64(s.price)/satsPerBTC, 'f', -1, 64),
	}
}

// pendingReceiptUpdate is the OnchainReceiptPending event of an
// unconfirmed deposit. Callers hold s.mu.
func (s *Server) pendingReceiptUpdate(t *Transaction) model.UserUpdate {
	usdPerSat := float64(s.price) / satsPerBTC / 100
	return &model.OnChainUpdate{
		Amount: abs(t.Amount), DisplayCurrencyPerSat: usdPerSat, UsdPerSat: usdPerSat,
		Transaction: toModelTx(t), TxHash: t.TxHash, TxNotificationType: model.TxNotificationTypeOnchainReceiptPending,
		WalletID: t.WalletID,
	}
}

// Tick makes the server look at its clock again: subscriptions send what
// is due by it (myUpdates' prices every PriceUpdateInterval, an invoice's
// EXPIRED). Call it after moving the clock of Config.Now; with the real
// clock it is never needed.
func (s *Server) Tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleDue()
	s.changed()
	s.sweepInvoiceWebhooks()
	if s.wh.started {
		s.kick() // webhook retries due by the clock
	}
}

// userUpdate is the myUpdates event of a new transaction, or nil.
// Callers hold s.mu.
func (s *Server) userUpdate(t *Transaction) model.UserUpdate {
	mt := toModelTx(t)
	usdPerSat := float64(s.price) / satsPerBTC / 100
	switch {
	case t.Via == "onchain":
		typ := model.TxNotificationTypeOnchainPayment
		if t.Direction == "RECEIVE" {
			typ = model.TxNotificationTypeOnchainReceipt
		}
		return &model.OnChainUpdate{
			Amount: abs(t.Amount), DisplayCurrencyPerSat: usdPerSat, UsdPerSat: usdPerSat,
			Transaction: mt, TxHash: t.TxHash, TxNotificationType: typ, WalletID: t.WalletID,
		}
	case t.Direction != "RECEIVE" || t.refund:
		return nil
	case t.Via == "lightning":
		return &model.LnUpdate{PaymentHash: t.PaymentHash, Status: model.InvoicePaymentStatusPaid, Transaction: mt, WalletID: t.WalletID}
	default:
		return &model.IntraLedgerUpdate{
			Amount: abs(t.Amount), DisplayCurrencyPerSat: usdPerSat, UsdPerSat: usdPerSat,
			Transaction: mt, TxNotificationType: model.TxNotificationTypeIntraLedgerReceipt, WalletID: t.WalletID,
		}
	}
}
