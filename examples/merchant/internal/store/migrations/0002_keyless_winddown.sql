-- Keyless invoices are checked with their LUD-21 verify URL (an address has
-- no look-up by payment hash), so the order keeps it and the receive path.
ALTER TABLE orders ADD COLUMN verify_url TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN receive_path TEXT NOT NULL DEFAULT '';

-- The account's regional wind-down as last read from Blink (JSON of
-- blink.WindDown; '' when none), for the tenant's dashboard banner.
ALTER TABLE tenants ADD COLUMN wind_down TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN wind_down_checked_at BIGINT NOT NULL DEFAULT 0;
