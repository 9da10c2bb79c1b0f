package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

const orderCols = `tenant_id, order_id, external_id, amount_sats, amount_cents, invoice_sats, memo, expires_in_s, status,
 payment_request, payment_hash, expires_at, paid_via, created_at, updated_at, settled_at, verify_url, receive_path, paid_at`

func scanOrder(row interface{ Scan(...any) error }) (*Order, error) {
	var o Order
	var expiresIn, expiresAt, created, updated, settled, paid int64
	err := row.Scan(&o.TenantID, &o.OrderID, &o.ExternalID, &o.AmountSats, &o.AmountCents, &o.InvoiceSats, &o.Memo,
		&expiresIn, &o.Status, &o.PaymentRequest, &o.PaymentHash, &expiresAt, &o.PaidVia, &created, &updated, &settled, &o.VerifyURL, &o.ReceivePath, &paid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	o.ExpiresIn = time.Duration(expiresIn) * time.Second
	o.ExpiresAt, o.CreatedAt, o.UpdatedAt, o.SettledAt = fromMS(expiresAt), fromMS(created), fromMS(updated), fromMS(settled)
	o.PaidAt = fromMS(paid)
	return &o, nil
}

// InsertOrder stores o, or returns the tenant's existing order of that id.
func (s *SQL) InsertOrder(ctx context.Context, o *Order) (*Order, bool, error) {
	now := s.now()
	o.CreatedAt, o.UpdatedAt, o.Status = now, now, OrderCreated
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO orders (`+orderCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		o.TenantID, o.OrderID, o.ExternalID, o.AmountSats, o.AmountCents, o.InvoiceSats, o.Memo, int64(o.ExpiresIn/time.Second),
		o.Status, o.PaymentRequest, o.PaymentHash, ms(o.ExpiresAt), o.PaidVia, ms(now), ms(now), 0, o.VerifyURL, o.ReceivePath, 0)
	if isUniqueViolation(err) {
		ex, err := s.Order(ctx, o.TenantID, o.OrderID)
		if errors.Is(err, ErrNotFound) {
			return nil, false, ErrConflict // the external id is taken by another order id
		}
		return ex, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return o, true, nil
}

// DeleteOrderWithoutInvoice removes an order that has no invoice.
func (s *SQL) DeleteOrderWithoutInvoice(ctx context.Context, tenantID, orderID string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM orders WHERE tenant_id = ? AND order_id = ? AND payment_hash = ''`), tenantID, orderID)
	return err
}

// SetOrderInvoice records the order's invoice, unless it has another
// already (ErrNotFound then).
func (s *SQL) SetOrderInvoice(ctx context.Context, tenantID, orderID string, inv OrderInvoice) error {
	return s.execOne(ctx, `UPDATE orders SET payment_request = ?, payment_hash = ?, invoice_sats = ?, expires_at = ?, verify_url = ?, receive_path = ?, updated_at = ?
 WHERE tenant_id = ? AND order_id = ? AND (payment_hash = '' OR payment_hash = ?)`,
		inv.PaymentRequest, inv.PaymentHash, inv.InvoiceSats, ms(inv.ExpiresAt), inv.VerifyURL, inv.ReceivePath, ms(s.now()), tenantID, orderID, inv.PaymentHash)
}

// Order returns the tenant's order.
func (s *SQL) Order(ctx context.Context, tenantID, orderID string) (*Order, error) {
	return scanOrder(s.db.QueryRowContext(ctx, s.q(`SELECT `+orderCols+` FROM orders WHERE tenant_id = ? AND order_id = ?`), tenantID, orderID))
}

// OrderByPaymentHash returns the tenant's order whose invoice has the hash.
func (s *SQL) OrderByPaymentHash(ctx context.Context, tenantID, hash string) (*Order, error) {
	if hash == "" {
		return nil, ErrNotFound
	}
	return scanOrder(s.db.QueryRowContext(ctx, s.q(`SELECT `+orderCols+` FROM orders WHERE tenant_id = ? AND payment_hash = ?`), tenantID, hash))
}

// SettleOrder moves the order out of 'created' and enqueues ev with it.
func (s *SQL) SettleOrder(ctx context.Context, tenantID, orderID, status, via string, ev *Event) (bool, error) {
	now := ms(s.now())
	paidAt := int64(0)
	if status == OrderPaid {
		paidAt = now
	}
	// The condition on status is the whole exactly-once rule: on
	// PostgreSQL a second transaction updating the same row waits for
	// the first, then re-reads the row, sees 'paid' and updates nothing.
	return s.moveOrder(ctx, ev, `UPDATE orders SET status = ?, paid_via = ?, settled_at = ?, paid_at = ?, updated_at = ?
 WHERE tenant_id = ? AND order_id = ? AND status = ?`, status, via, now, paidAt, now, tenantID, orderID, OrderCreated)
}

// SettleLateOrder moves the order from 'expired' to 'paid_late' and
// enqueues ev with it.
func (s *SQL) SettleLateOrder(ctx context.Context, tenantID, orderID, via string, ev *Event) (bool, error) {
	now := ms(s.now())
	// As in SettleOrder, the condition on status makes it once: never from
	// 'paid', never twice from 'expired'. settled_at keeps when it expired.
	return s.moveOrder(ctx, ev, `UPDATE orders SET status = ?, paid_via = ?, paid_at = ?, updated_at = ?
 WHERE tenant_id = ? AND order_id = ? AND status = ?`, OrderPaidLate, via, now, now, tenantID, orderID, OrderExpired)
}

// moveOrder runs the conditional UPDATE and, when it moved the one row,
// inserts ev, in one transaction.
func (s *SQL) moveOrder(ctx context.Context, ev *Event, update string, args ...any) (bool, error) {
	moved := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(update), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		moved = true
		if ev == nil {
			return nil
		}
		now := s.now()
		ev.Status, ev.CreatedAt, ev.NextAttemptAt = EventPending, now, now
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO outbox (id, tenant_id, event_type, order_id, payload, status, attempts, next_attempt_at, created_at)
 VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`), ev.ID, ev.TenantID, ev.Type, ev.OrderID, ev.Payload, ev.Status, ms(now), ms(now))
		return err
	})
	if err != nil {
		return false, err
	}
	return moved, nil
}

// ClaimOpenOrders claims due open orders for the reconciler.
func (s *SQL) ClaimOpenOrders(ctx context.Context, limit int, lease time.Duration) ([]Order, error) {
	return s.claimOrders(ctx, `status = ?`, []any{OrderCreated}, limit, lease)
}

// ClaimExpiredOrders claims due orders that expired at or after since, for
// the reconciler's look for a late payment.
func (s *SQL) ClaimExpiredOrders(ctx context.Context, since time.Time, limit int, lease time.Duration) ([]Order, error) {
	return s.claimOrders(ctx, `status = ? AND expires_at >= ?`, []any{OrderExpired, ms(since)}, limit, lease)
}

// claimOrders takes up to limit orders matching where whose check is due
// (check_after), and moves their next check to now+lease, in one
// transaction (FOR UPDATE SKIP LOCKED on PostgreSQL: replicas take
// different orders).
func (s *SQL) claimOrders(ctx context.Context, where string, args []any, limit int, lease time.Duration) ([]Order, error) {
	var out []Order
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+orderCols+` FROM orders WHERE `+where+` AND check_after <= ? AND payment_hash <> ''
 ORDER BY check_after LIMIT ?`+s.skipLocked()), append(args, ms(now), limit)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			o, err := scanOrder(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, *o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, o := range out {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE orders SET check_after = ? WHERE tenant_id = ? AND order_id = ?`),
				ms(now.Add(lease)), o.TenantID, o.OrderID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// OpenOrders lists a tenant's open orders that have an invoice.
func (s *SQL) OpenOrders(ctx context.Context, tenantID string, limit int) ([]Order, error) {
	return s.listOrders(ctx, `SELECT `+orderCols+` FROM orders WHERE tenant_id = ? AND status = ? AND payment_hash <> ''
 ORDER BY created_at LIMIT ?`, tenantID, OrderCreated, limit)
}

// ExpiredOrders lists a tenant's orders that expired at or after since,
// the most recent expiries first.
func (s *SQL) ExpiredOrders(ctx context.Context, tenantID string, since time.Time, limit int) ([]Order, error) {
	return s.listOrders(ctx, `SELECT `+orderCols+` FROM orders WHERE tenant_id = ? AND status = ? AND expires_at >= ? AND payment_hash <> ''
 ORDER BY expires_at DESC LIMIT ?`, tenantID, OrderExpired, ms(since), limit)
}

func (s *SQL) listOrders(ctx context.Context, query string, args ...any) ([]Order, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}
