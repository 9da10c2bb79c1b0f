-- One schema for SQLite and PostgreSQL: TEXT, BIGINT and INTEGER only, times
-- as Unix milliseconds, ids chosen by the application (no SERIAL/AUTOINCREMENT),
-- ciphertexts as base64 TEXT with the id of the master key beside each.

CREATE TABLE tenants (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    mode                TEXT NOT NULL,              -- 'key' (connection string) or 'address' (keyless, lightning address only)
    status              TEXT NOT NULL,              -- 'active' or 'disabled'
    key_prefix          TEXT NOT NULL DEFAULT '',   -- display only, e.g. 'blink_'
    key_last4           TEXT NOT NULL DEFAULT '',   -- display only
    conn_ct             TEXT,                       -- AES-256-GCM(connection string), base64; NULL once disconnected
    conn_key_id         TEXT,
    lightning_address   TEXT NOT NULL DEFAULT '',
    scopes              TEXT NOT NULL DEFAULT '',   -- comma-separated, as granted
    account_id          TEXT NOT NULL DEFAULT '',   -- the Blink account (external ids are unique per account)
    wallet_id           TEXT NOT NULL DEFAULT '',
    currency            TEXT NOT NULL DEFAULT '',
    payouts_enabled     INTEGER NOT NULL DEFAULT 0,
    blink_whsec_ct      TEXT,                       -- AES-256-GCM(the Blink endpoint's whsec_ secret)
    blink_whsec_key_id  TEXT,
    shop_webhook_url    TEXT NOT NULL DEFAULT '',
    shop_whsec_ct       TEXT,                       -- AES-256-GCM(the secret the server signs shop deliveries with)
    shop_whsec_key_id   TEXT,
    api_token_hash      TEXT NOT NULL UNIQUE,       -- hex sha256 of the tenant's API token
    last_tx_id          TEXT NOT NULL DEFAULT '',   -- MyUpdates resume point
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

-- One active tenant per Blink account: invoice external ids (the order ids)
-- are unique per account, so two tenants on one account would share them.
CREATE UNIQUE INDEX tenants_one_per_account ON tenants (account_id) WHERE status = 'active' AND account_id <> '';

CREATE TABLE orders (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    order_id         TEXT NOT NULL,                 -- the shop's id, as given
    external_id      TEXT NOT NULL,                 -- the invoice's ExternalID (^[a-z0-9_-]{1,100}$)
    amount_sats      BIGINT NOT NULL DEFAULT 0,     -- asked in sats (0 when asked in cents)
    amount_cents     BIGINT NOT NULL DEFAULT 0,     -- asked in cents (0 when asked in sats)
    invoice_sats     BIGINT NOT NULL DEFAULT 0,     -- what the invoice asks
    memo             TEXT NOT NULL DEFAULT '',
    expires_in_s     BIGINT NOT NULL,
    status           TEXT NOT NULL,                 -- 'created', 'paid', 'expired'
    payment_request  TEXT NOT NULL DEFAULT '',
    payment_hash     TEXT NOT NULL DEFAULT '',
    expires_at       BIGINT NOT NULL DEFAULT 0,
    paid_via         TEXT NOT NULL DEFAULT '',      -- 'stream', 'webhook', 'reconciler'
    check_after      BIGINT NOT NULL DEFAULT 0,     -- the reconciler's claim: not before this time
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    settled_at       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, order_id)
);
CREATE UNIQUE INDEX orders_external_id ON orders (tenant_id, external_id);
CREATE INDEX orders_hash ON orders (tenant_id, payment_hash);
CREATE INDEX orders_open ON orders (status, check_after);

CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,              -- the event id, also the svix-id of every attempt
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    event_type       TEXT NOT NULL,                 -- 'order.paid', 'order.expired'
    order_id         TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,                 -- 'pending', 'delivered'
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE UNIQUE INDEX outbox_once ON outbox (tenant_id, order_id, event_type);

CREATE TABLE payouts (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    id               TEXT NOT NULL,                 -- the server's payout id (also the memo of memo-carrying sends)
    request_key      TEXT NOT NULL,                 -- the shop's Idempotency-Key header (or the payout id)
    idempotency_key  TEXT NOT NULL UNIQUE,          -- X-Idempotency-Key of the first send, committed before it
    kind             TEXT NOT NULL,                 -- 'bolt11', 'address', 'username'
    destination      TEXT NOT NULL,
    amount_sats      BIGINT NOT NULL DEFAULT 0,
    max_fee_sats     BIGINT NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,                 -- 'queued', 'sending', 'unknown', 'in_flight', 'succeeded', 'failed'
    operation        TEXT NOT NULL DEFAULT '',
    payment_hash     TEXT NOT NULL DEFAULT '',
    started_at       BIGINT NOT NULL DEFAULT 0,
    current_key      TEXT NOT NULL DEFAULT '',      -- idempotency key of the send to finish (FinishPayment may have sent again)
    arrived_by       BIGINT NOT NULL DEFAULT 0,     -- OutcomeUnknownError.ArrivedBy, kept across restarts
    resent_with      TEXT NOT NULL DEFAULT '',
    fee_sats         BIGINT NOT NULL DEFAULT 0,
    error            TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    lease_until      BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX payouts_request ON payouts (tenant_id, request_key);
CREATE INDEX payouts_open ON payouts (status, lease_until);
