-- One live payout per invoice and tenant. hash_lock is the payment hash of
-- the invoice a BOLT11 or lightning-address payout pays ('' for username
-- payouts), written with the hash (InsertPayout, SetPayoutInvoice); the
-- partial unique index refuses a second payout of an invoice while the
-- first is not failed, race-free on SQLite and PostgreSQL alike. A second
-- payout of one invoice could only be answered with the first one's
-- payment (ALREADY_PAID, or "a payment is in flight"): it would send
-- nothing and be reported paid.
--
-- A separate column, not payment_hash itself, so that this migration
-- cannot fail on a database that already holds such duplicates: the
-- earliest live payout of each invoice takes the lock; the later ones keep
-- none (the worker fails them when Blink shows the earlier payment).
ALTER TABLE payouts ADD COLUMN hash_lock TEXT NOT NULL DEFAULT '';
UPDATE payouts SET hash_lock = payment_hash
 WHERE payment_hash <> '' AND kind <> 'username' AND status <> 'failed'
   AND NOT EXISTS (SELECT 1 FROM payouts o WHERE o.tenant_id = payouts.tenant_id AND o.payment_hash = payouts.payment_hash
       AND o.kind <> 'username' AND o.status <> 'failed' AND (o.created_at < payouts.created_at OR (o.created_at = payouts.created_at AND o.id < payouts.id)));
CREATE UNIQUE INDEX payouts_one_per_invoice ON payouts (tenant_id, hash_lock) WHERE hash_lock <> '' AND status <> 'failed';
