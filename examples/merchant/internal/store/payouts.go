package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

const payoutCols = `tenant_id, id, request_key, idempotency_key, kind, destination, amount_sats, max_fee_sats, status, operation,
 payment_hash, started_at, current_key, arrived_by, resent_with, fee_sats, error, attempts, lease_until, created_at, updated_at, invoice`

func scanPayout(row interface{ Scan(...any) error }) (*Payout, error) {
	var p Payout
	var started, arrived, lease, created, updated int64
	err := row.Scan(&p.TenantID, &p.ID, &p.RequestKey, &p.IdempotencyKey, &p.Kind, &p.Destination, &p.AmountSats, &p.MaxFeeSats,
		&p.Status, &p.Operation, &p.PaymentHash, &started, &p.CurrentKey, &arrived, &p.ResentWith, &p.FeeSats, &p.Error, &p.Attempts, &lease, &created, &updated, &p.Invoice)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p.ArrivedBy = fromMS(arrived)
	p.StartedAt, p.LeaseUntil, p.CreatedAt, p.UpdatedAt = fromMS(started), fromMS(lease), fromMS(created), fromMS(updated)
	return &p, nil
}

// ErrInvoiceInPayout is InsertPayout's answer (and SetPayoutInvoice's)
// when the tenant has another payout of the same invoice (by payment
// hash) that has not failed: a second one could only be answered with
// the first one's payment.
var ErrInvoiceInPayout = errors.New("store: the invoice is in another payout")

// hashLock is the payment hash a payout holds against a second payout of
// its invoice (the hash_lock column, under a partial unique index): the
// invoice's, for BOLT11 and lightning-address payouts.
func hashLock(p *Payout) string {
	if p.Kind == PayoutUsername {
		return ""
	}
	return p.PaymentHash
}

// InsertPayout commits a queued payout with its idempotency key. A
// request key the tenant used before answers that payout (created
// false); an invoice in another live payout of the tenant is
// ErrInvoiceInPayout. Both are decided by unique indexes, so concurrent
// requests (and replicas) agree.
func (s *SQL) InsertPayout(ctx context.Context, p *Payout) (*Payout, bool, error) {
	now := s.now()
	p.CreatedAt, p.UpdatedAt, p.Status = now, now, PayoutQueued
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO payouts (`+payoutCols+`, hash_lock) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		p.TenantID, p.ID, p.RequestKey, p.IdempotencyKey, p.Kind, p.Destination, p.AmountSats, p.MaxFeeSats, p.Status, p.Operation,
		p.PaymentHash, 0, p.IdempotencyKey, 0, "", 0, "", 0, 0, ms(now), ms(now), p.Invoice, hashLock(p))
	if isUniqueViolation(err) {
		// Which index: the request key first (a repeated request is
		// answered with its payout, whatever it paid), then the invoice.
		var ex *Payout
		ex, err = scanPayout(s.db.QueryRowContext(ctx, s.q(`SELECT `+payoutCols+` FROM payouts WHERE tenant_id = ? AND request_key = ?`), p.TenantID, p.RequestKey))
		if !errors.Is(err, ErrNotFound) {
			return ex, false, err
		}
		if h := hashLock(p); h != "" {
			var n int
			if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM payouts WHERE tenant_id = ? AND hash_lock = ? AND status <> ?`),
				p.TenantID, h, PayoutFailed).Scan(&n); err != nil {
				return nil, false, err
			}
			if n > 0 {
				return nil, false, ErrInvoiceInPayout
			}
		}
		return nil, false, ErrConflict
	}
	if err != nil {
		return nil, false, err
	}
	return p, true, nil
}

// Payout returns the tenant's payout.
func (s *SQL) Payout(ctx context.Context, tenantID, id string) (*Payout, error) {
	return scanPayout(s.db.QueryRowContext(ctx, s.q(`SELECT `+payoutCols+` FROM payouts WHERE tenant_id = ? AND id = ?`), tenantID, id))
}

// ClaimPayouts claims non-final payouts whose lease is over.
func (s *SQL) ClaimPayouts(ctx context.Context, limit int, lease time.Duration) ([]Payout, error) {
	var out []Payout
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+payoutCols+` FROM payouts WHERE status IN (?, ?, ?, ?) AND lease_until <= ?
 ORDER BY lease_until, created_at LIMIT ?`+s.skipLocked()), PayoutQueued, PayoutSending, PayoutUnknown, PayoutInFlight, ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			p, err := scanPayout(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, *p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			out[i].LeaseUntil = now.Add(lease)
			out[i].Attempts++
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE payouts SET lease_until = ?, attempts = ? WHERE tenant_id = ? AND id = ?`),
				ms(out[i].LeaseUntil), out[i].Attempts, out[i].TenantID, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// SetPayoutInvoice commits p.Invoice and p.PaymentHash, the invoice a
// queued lightning-address payout will pay (fetched from the address),
// before anything is sent; only while p's claim holds (p.Attempts, as
// MarkSending and UpdatePayout), so a worker whose lease ran out cannot
// replace the invoice the current claim is about to pay. The invoice's
// hash is locked as an inserted BOLT11 payout's is (ErrInvoiceInPayout
// when another live payout of the tenant holds it).
func (s *SQL) SetPayoutInvoice(ctx context.Context, p *Payout) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE payouts SET invoice = ?, payment_hash = ?, hash_lock = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND status = ? AND attempts = ?`),
		p.Invoice, p.PaymentHash, hashLock(p), ms(s.now()), p.TenantID, p.ID, PayoutQueued, p.Attempts)
	if isUniqueViolation(err) {
		return false, ErrInvoiceInPayout
	}
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// MarkSending commits that the send is about to start, while p's claim
// holds (see UpdatePayout). It writes the invoice with its payment hash,
// so the row's two always agree: the send pays p.Invoice.
func (s *SQL) MarkSending(ctx context.Context, p *Payout, startedAt time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE payouts SET status = ?, operation = ?, invoice = ?, payment_hash = ?, error = ?, started_at = ?, updated_at = ?
 WHERE tenant_id = ? AND id = ? AND status = ? AND attempts = ?`), PayoutSending, p.Operation, p.Invoice, p.PaymentHash, p.Error, ms(startedAt), ms(s.now()),
		p.TenantID, p.ID, PayoutQueued, p.Attempts)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ErrStale is UpdatePayout's answer when the row is no longer the
// caller's to write: final already, or claimed again since (its lease ran
// out and another worker holds it now).
var ErrStale = errors.New("store: payout claimed by another worker or final")

// UpdatePayout writes the payout's outcome fields, only while p's claim
// holds: p.Attempts is the claim's number (ClaimPayouts counts it up), so
// a worker whose lease ran out and was claimed again writes nothing
// (ErrStale). A final payout is never changed again.
func (s *SQL) UpdatePayout(ctx context.Context, p *Payout) error {
	p.UpdatedAt = s.now()
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE payouts SET status = ?, operation = ?, payment_hash = ?, started_at = ?, current_key = ?, arrived_by = ?, resent_with = ?, fee_sats = ?, error = ?,
 lease_until = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND attempts = ? AND status NOT IN (?, ?)`),
		p.Status, p.Operation, p.PaymentHash, ms(p.StartedAt), p.CurrentKey, ms(p.ArrivedBy), p.ResentWith, p.FeeSats, p.Error, ms(p.LeaseUntil), ms(p.UpdatedAt),
		p.TenantID, p.ID, p.Attempts, PayoutSucceeded, PayoutFailed)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrStale
	}
	return nil
}
