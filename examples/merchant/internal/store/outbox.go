package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

const eventCols = `id, tenant_id, event_type, order_id, payload, status, attempts, next_attempt_at, last_error, created_at, delivered_at`

func scanEvent(row interface{ Scan(...any) error }) (*Event, error) {
	var e Event
	var next, created, delivered int64
	if err := row.Scan(&e.ID, &e.TenantID, &e.Type, &e.OrderID, &e.Payload, &e.Status, &e.Attempts, &next, &e.LastError, &created, &delivered); err != nil {
		return nil, err
	}
	e.NextAttemptAt, e.CreatedAt, e.DeliveredAt = fromMS(next), fromMS(created), fromMS(delivered)
	return &e, nil
}

// ClaimEvents claims due outbox rows: the claim moves next_attempt_at to
// now+lease and counts the attempt, so a replica that dies mid-delivery
// leaves the row to be retried when the lease ends.
func (s *SQL) ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]Event, error) {
	var out []Event
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+eventCols+` FROM outbox WHERE status = ? AND next_attempt_at <= ?
 ORDER BY next_attempt_at LIMIT ?`+s.skipLocked()), EventPending, ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, *e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out) == 0 {
			return nil
		}
		args := []any{ms(now.Add(lease))}
		marks := make([]string, len(out))
		for i := range out {
			out[i].Attempts++
			args = append(args, out[i].ID)
			marks[i] = "?"
		}
		_, err = tx.ExecContext(ctx, s.q(`UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1 WHERE id IN (`+strings.Join(marks, ", ")+`)`), args...)
		return err
	})
	return out, err
}

// MarkDelivered records the shop's 2xx.
func (s *SQL) MarkDelivered(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE outbox SET status = ?, delivered_at = ?, last_error = '' WHERE id = ?`), EventDelivered, ms(s.now()), id)
	return err
}

// RetryEvent schedules the next attempt.
func (s *SQL) RetryEvent(ctx context.Context, id string, next time.Time, lastError string) error {
	if len(lastError) > 500 {
		lastError = lastError[:500]
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND status = ?`), ms(next), lastError, id, EventPending)
	return err
}

// Events lists a tenant's outbox, oldest first.
func (s *SQL) Events(ctx context.Context, tenantID string) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+eventCols+` FROM outbox WHERE tenant_id = ? ORDER BY created_at, id`), tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}
