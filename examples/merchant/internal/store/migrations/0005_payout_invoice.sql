-- A lightning-address payout first fetches an invoice from the address
-- (LNURL-pay) and commits it here, then pays that invoice: its outcome is
-- then looked up by payment hash, exactly, like a BOLT11 payout's.
ALTER TABLE payouts ADD COLUMN invoice TEXT NOT NULL DEFAULT '';
