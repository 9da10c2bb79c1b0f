package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

const eventCols = `id, tenant_id, event_type, order_id, payload, status, attempts, next_attempt_at, last_error, created_at, delivered_at`

// eventColsOf is eventCols, each qualified by the table alias.
func eventColsOf(alias string) string {
	cols := strings.Split(eventCols, ", ")
	for i := range cols {
		cols[i] = alias + "." + cols[i]
	}
	return strings.Join(cols, ", ")
}

func scanEvent(row interface{ Scan(...any) error }) (*Event, error) {
	var e Event
	var next, created, delivered int64
	if err := row.Scan(&e.ID, &e.TenantID, &e.Type, &e.OrderID, &e.Payload, &e.Status, &e.Attempts, &next, &e.LastError, &created, &delivered); err != nil {
		return nil, err
	}
	e.NextAttemptAt, e.CreatedAt, e.DeliveredAt = fromMS(next), fromMS(created), fromMS(delivered)
	return &e, nil
}

// eventStage is an event's place in its order's life: order.paid and
// order.expired (stage 0) end the order's first state, order.paid_late
// (stage 1) follows an order.expired. It orders one order's events before
// their creation times do, which a clock stepping back could reverse.
func eventStage(table string) string {
	return `(CASE ` + table + `.event_type WHEN 'order.paid_late' THEN 1 ELSE 0 END)`
}

// earlierPending is true for an outbox row e while another event of the
// same order that comes before it (an earlier stage, or the same stage
// and created before it, the id breaking a tie) is still pending: being
// delivered, or waiting for its retry. A delivered event blocks nothing,
// and neither would one in any other final state. The lookup uses the
// outbox_once index (tenant_id, order_id, event_type).
var earlierPending = `EXISTS (SELECT 1 FROM outbox p WHERE p.tenant_id = e.tenant_id AND p.order_id = e.order_id AND p.status = '` + EventPending + `'
 AND (` + eventStage("p") + ` < ` + eventStage("e") + ` OR (` + eventStage("p") + ` = ` + eventStage("e") + `
 AND (p.created_at < e.created_at OR (p.created_at = e.created_at AND p.id < e.id)))))`

// ClaimEvents claims due outbox rows: the claim moves next_attempt_at to
// now+lease and counts the attempt, so a replica that dies mid-delivery
// leaves the row to be retried when the lease ends.
//
// One order's events are delivered in order: an event is not claimed
// while an earlier one of its order is pending (earlierPending), so
// order.paid_late waits for the order.expired before it even when the
// shop's endpoint was down and order.expired is waiting for a retry, and
// the shop's last word on the order is the last that happened. That holds
// across replicas: the earlier event stays pending until its delivery is
// recorded, and a replica that skips its locked row (SKIP LOCKED) still
// sees it pending, so no replica takes the later one in the meantime.
func (s *SQL) ClaimEvents(ctx context.Context, limit int, lease time.Duration) ([]Event, error) {
	var out []Event
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		rows, err := tx.QueryContext(ctx, s.q(`SELECT `+eventColsOf("e")+` FROM outbox e WHERE e.status = ? AND e.next_attempt_at <= ?
 AND NOT `+earlierPending+`
 ORDER BY e.next_attempt_at LIMIT ?`+s.skipLocked()), EventPending, ms(now), limit)
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
