-- An order whose invoice is paid after the order expired (a payment
-- accepted before the expiry that settled late, e.g. a held HTLC) moves
-- once from 'expired' to 'paid_late' (orders.status has no CHECK
-- constraint: the new value needs no schema change). paid_at is when the
-- payment was recorded, for 'paid' and 'paid_late' alike; settled_at stays
-- when the order left 'created'.
ALTER TABLE orders ADD COLUMN paid_at BIGINT NOT NULL DEFAULT 0;

-- The reconciler looks again at orders expired within a grace window.
CREATE INDEX orders_late ON orders (status, expires_at);
