package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

const tenantCols = `id, name, mode, status, key_prefix, key_last4, conn_ct, conn_key_id, lightning_address, scopes,
 account_id, wallet_id, currency, payouts_enabled, blink_whsec_ct, blink_whsec_key_id, shop_webhook_url, shop_whsec_ct,
 shop_whsec_key_id, api_token_hash, last_tx_id, created_at, updated_at, wind_down, wind_down_checked_at, restrictions`

func scanTenant(row interface{ Scan(...any) error }) (*Tenant, error) {
	var t Tenant
	var connCT, connKID, bwCT, bwKID, swCT, swKID sql.NullString
	var scopes string
	var payouts int
	var created, updated, wdChecked int64
	err := row.Scan(&t.ID, &t.Name, &t.Mode, &t.Status, &t.KeyPrefix, &t.KeyLast4, &connCT, &connKID,
		&t.LightningAddress, &scopes, &t.AccountID, &t.WalletID, &t.Currency, &payouts, &bwCT, &bwKID, &t.ShopWebhookURL,
		&swCT, &swKID, &t.APITokenHash, &t.LastTxID, &created, &updated, &t.WindDown, &wdChecked, &t.Restrictions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if scopes != "" {
		t.Scopes = strings.Split(scopes, ",")
	}
	t.PayoutsEnabled = payouts != 0
	t.Secrets = TenantSecrets{
		Conn:         Sealed{connCT.String, connKID.String},
		BlinkWebhook: Sealed{bwCT.String, bwKID.String},
		ShopWebhook:  Sealed{swCT.String, swKID.String},
	}
	t.CreatedAt, t.UpdatedAt, t.WindDownCheckedAt = fromMS(created), fromMS(updated), fromMS(wdChecked)
	return &t, nil
}

func nullable(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// CreateTenant inserts t.
func (s *SQL) CreateTenant(ctx context.Context, t *Tenant) error {
	now := s.now()
	t.CreatedAt, t.UpdatedAt = now, now
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO tenants (`+tenantCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		t.ID, t.Name, t.Mode, t.Status, t.KeyPrefix, t.KeyLast4, nullable(t.Secrets.Conn.Ciphertext), nullable(t.Secrets.Conn.KeyID),
		t.LightningAddress, strings.Join(t.Scopes, ","), t.AccountID, t.WalletID, t.Currency, boolInt(t.PayoutsEnabled),
		nullable(t.Secrets.BlinkWebhook.Ciphertext), nullable(t.Secrets.BlinkWebhook.KeyID), t.ShopWebhookURL,
		nullable(t.Secrets.ShopWebhook.Ciphertext), nullable(t.Secrets.ShopWebhook.KeyID), t.APITokenHash, t.LastTxID,
		ms(now), ms(now), t.WindDown, ms(t.WindDownCheckedAt), t.Restrictions)
	if isUniqueViolation(err) {
		return ErrConflict
	}
	return err
}

// Tenant returns the tenant with id.
func (s *SQL) Tenant(ctx context.Context, id string) (*Tenant, error) {
	return scanTenant(s.db.QueryRowContext(ctx, s.q(`SELECT `+tenantCols+` FROM tenants WHERE id = ?`), id))
}

// TenantByTokenHash returns the tenant whose API token hashes to tokenHash.
func (s *SQL) TenantByTokenHash(ctx context.Context, tokenHash string) (*Tenant, error) {
	return scanTenant(s.db.QueryRowContext(ctx, s.q(`SELECT `+tenantCols+` FROM tenants WHERE api_token_hash = ?`), tokenHash))
}

func (s *SQL) tenants(ctx context.Context, where string, args ...any) ([]Tenant, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+tenantCols+` FROM tenants `+where+` ORDER BY created_at, id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, rows.Err()
}

// ActiveTenants lists the active tenants.
func (s *SQL) ActiveTenants(ctx context.Context) ([]Tenant, error) {
	return s.tenants(ctx, `WHERE status = ?`, StatusActive)
}

// AllTenants lists every tenant.
func (s *SQL) AllTenants(ctx context.Context) ([]Tenant, error) { return s.tenants(ctx, ``) }

func (s *SQL) execOne(ctx context.Context, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// SetShopWebhook sets where and with which secret the shop's events go.
func (s *SQL) SetShopWebhook(ctx context.Context, tenantID, url string, secret Sealed) error {
	return s.execOne(ctx, `UPDATE tenants SET shop_webhook_url = ?, shop_whsec_ct = ?, shop_whsec_key_id = ?, updated_at = ? WHERE id = ? AND status = ?`,
		url, nullable(secret.Ciphertext), nullable(secret.KeyID), ms(s.now()), tenantID, StatusActive)
}

// SetBlinkWebhookSecret sets the secret Blink's deliveries are verified with.
func (s *SQL) SetBlinkWebhookSecret(ctx context.Context, tenantID string, secret Sealed) error {
	return s.execOne(ctx, `UPDATE tenants SET blink_whsec_ct = ?, blink_whsec_key_id = ?, updated_at = ? WHERE id = ? AND status = ?`,
		nullable(secret.Ciphertext), nullable(secret.KeyID), ms(s.now()), tenantID, StatusActive)
}

// SetLastTransaction records the last ledger entry the stream delivered.
func (s *SQL) SetLastTransaction(ctx context.Context, tenantID, txID string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE tenants SET last_tx_id = ? WHERE id = ?`), txID, tenantID)
	return err
}

// SetAccountNotices records the account's wind-down and custodial
// restrictions as read at checkedAt.
func (s *SQL) SetAccountNotices(ctx context.Context, tenantID string, n AccountNotices) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE tenants SET wind_down = ?, restrictions = ?, wind_down_checked_at = ? WHERE id = ?`),
		n.WindDown, n.Restrictions, ms(n.CheckedAt), tenantID)
	return err
}

// ErrPayoutsInFlight is DisconnectTenant's answer while a payout may have
// been sent and is not final: its key is still needed to finish it.
var ErrPayoutsInFlight = errors.New("store: payouts in flight")

// DisconnectTenant disables the tenant and wipes its ciphertexts, then
// scrubs them from the database files (Scrub; its failure is not the
// disconnect's, which is committed by then). Queued payouts (never sent)
// fail with it; a payout that may have been sent keeps the tenant
// connected (ErrPayoutsInFlight) until it is final, so that every payout
// reaches a final state.
func (s *SQL) DisconnectTenant(ctx context.Context, tenantID string) error {
	if err := s.disconnectTenant(ctx, tenantID); err != nil {
		return err
	}
	// Bounded, and not ended by a caller that went away: the wipe is
	// committed, this only shortens how long its bytes stay on disk.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	s.Scrub(ctx)
	return nil
}

func (s *SQL) disconnectTenant(ctx context.Context, tenantID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := ms(s.now())
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM payouts WHERE tenant_id = ? AND status IN (?, ?, ?)`),
			tenantID, PayoutSending, PayoutUnknown, PayoutInFlight).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrPayoutsInFlight
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE payouts SET status = ?, error = ?, updated_at = ? WHERE tenant_id = ? AND status = ?`),
			PayoutFailed, "the tenant disconnected before it was sent", now, tenantID, PayoutQueued); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE tenants SET status = ?, conn_ct = NULL, conn_key_id = NULL, blink_whsec_ct = NULL,
 blink_whsec_key_id = NULL, shop_whsec_ct = NULL, shop_whsec_key_id = NULL, shop_webhook_url = '', updated_at = ? WHERE id = ?`),
			StatusDisabled, now, tenantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

// ReplaceSealed swaps old ciphertexts for new ones where the row still
// holds old. The old ones stay in the WAL until Scrub (tenants.Rotate
// calls it once at the end).
func (s *SQL) ReplaceSealed(ctx context.Context, tenantID string, old, new TenantSecrets) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE tenants SET conn_ct = ?, conn_key_id = ?, blink_whsec_ct = ?, blink_whsec_key_id = ?,
 shop_whsec_ct = ?, shop_whsec_key_id = ?, updated_at = ?
 WHERE id = ? AND COALESCE(conn_ct, '') = ? AND COALESCE(blink_whsec_ct, '') = ? AND COALESCE(shop_whsec_ct, '') = ?`),
		nullable(new.Conn.Ciphertext), nullable(new.Conn.KeyID), nullable(new.BlinkWebhook.Ciphertext), nullable(new.BlinkWebhook.KeyID),
		nullable(new.ShopWebhook.Ciphertext), nullable(new.ShopWebhook.KeyID), ms(s.now()),
		tenantID, old.Conn.Ciphertext, old.BlinkWebhook.Ciphertext, old.ShopWebhook.Ciphertext)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
