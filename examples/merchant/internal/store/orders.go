package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

const orderCols = `tenant_id, order_id, external_id, amount_sats, amount_cents, invoice_sats, memo, expires_in_s, status,
 payment_request, payment_hash, expires_at, paid_via, created_at, updated_at, settled_at, verify_url, receive_path`

func scanOrder(row interface{ Scan(...any) error }) (*Order, error) {
	var o Order
	var expiresIn, expiresAt, created, updated, settled int64
	err := row.Scan(&o.TenantID, &o.OrderID, &o.ExternalID, &o.AmountSats, &o.AmountCents, &o.InvoiceSats, &o.Memo,
		&expiresIn, &o.Status, &o.PaymentRequest, &o.PaymentHash, &expiresAt, &o.PaidVia, &created, &updated, &settled, &o.VerifyURL, &o.ReceivePath)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	o.ExpiresIn = time.Duration(expiresIn) * time.Second
	o.ExpiresAt, o.CreatedAt, o.UpdatedAt, o.SettledAt = fromMS(expiresAt), fromMS(created), fromMS(updated), fromMS(settled)
	return &o, nil
}

// InsertOrder stores o, or returns the tenant's existing order of that id.
func (s *SQL) InsertOrder(ctx context.Context, o *Order) (*Order, bool, error) {
	now := s.now()
	o.CreatedAt, o.UpdatedAt, o.Status = now, now, OrderCreated
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO orders (`+orderCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		o.TenantID, o.OrderID, o.ExternalID, o.AmountSats, o.AmountCents, o.InvoiceSats, o.Memo, int64(o.ExpiresIn/time.Second),
		o.Status, o.PaymentRequest, o.PaymentHash, ms(o.ExpiresAt), o.PaidVia, ms(now), ms(now), 0, o.VerifyURL, o.ReceivePath)
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
	moved := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		// The condition on status is the whole exactly-once rule: on
		// PostgreSQL a second transaction updating the same row waits for
		// the first, then re-reads the row, sees 'paid' and updates nothing.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE orders SET status = ?, paid_via = ?, settled_at = ?, updated_at = ?
 WHERE tenant_id = ? AND order_id = ? AND status = ?`), status, via, ms(now), ms(now), tenantID, orderID, OrderCreated)
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
	var out []Order
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+orderCols+` FROM orders WHERE status = ? AND check_after <= ? AND payment_hash <> ''
 ORDER BY check_after LIMIT ?`+s.skipLocked()), OrderCreated, ms(now), limit)
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
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+orderCols+` FROM orders WHERE tenant_id = ? AND status = ? AND payment_hash <> ''
 ORDER BY created_at LIMIT ?`), tenantID, OrderCreated, limit)
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
