-- The account's custodial restrictions as last read from Blink (JSON;
-- '' when none), shown beside the wind-down banner. They are read with the
-- wind-down, so wind_down_checked_at dates both.
ALTER TABLE tenants ADD COLUMN restrictions TEXT NOT NULL DEFAULT '';
