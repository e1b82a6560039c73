-- Webhook inbox: every signed delivery (and every event found by reconciliation) is stored here before the
-- sender gets a 2xx; workers process it asynchronously, once per dedupe key.
CREATE TABLE webhook_event (
    id                BIGSERIAL PRIMARY KEY,
    provider          TEXT NOT NULL,                 -- woocommerce | wordpress
    source            TEXT NOT NULL,                 -- configured store/site name
    origin            TEXT NOT NULL DEFAULT 'webhook', -- webhook | reconciliation
    topic             TEXT NOT NULL,                 -- e.g. order.updated
    resource          TEXT,
    resource_id       TEXT,
    webhook_id        TEXT,
    delivery_id       TEXT,
    modified_gmt      TEXT,                          -- the resource's date_modified_gmt when present
    dedupe_key        TEXT NOT NULL,
    payload_sha256    TEXT NOT NULL,
    headers           JSONB NOT NULL DEFAULT '{}'::jsonb,
    payload           BYTEA,                         -- raw body as received; NULL once purged (retention)
    payload_purged_at TIMESTAMPTZ,
    received_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    status            TEXT NOT NULL DEFAULT 'pending', -- pending | processed | duplicate | dead
    replay            BOOLEAN NOT NULL DEFAULT false, -- set by an operator replay: process even if the key was seen
    attempts          INT NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error        TEXT,
    outcome           TEXT,                          -- what the handler did (applied, stale, ignored...)
    processed_at      TIMESTAMPTZ,
    CONSTRAINT webhook_event_status CHECK (status IN ('pending', 'processed', 'duplicate', 'dead'))
);
CREATE INDEX webhook_event_pending ON webhook_event (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_event_dedupe ON webhook_event (dedupe_key);
CREATE INDEX webhook_event_list ON webhook_event (source, topic, status, id DESC);
CREATE INDEX webhook_event_received ON webhook_event (received_at) WHERE payload IS NOT NULL;

-- One row per dedupe key that has been processed: written in the same transaction as the handlers' effects,
-- so a key's effects are applied once even when the same state arrives twice or a worker dies mid-way.
CREATE TABLE webhook_processed_key (
    dedupe_key   TEXT PRIMARY KEY,
    event_id     BIGINT NOT NULL REFERENCES webhook_event (id),
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Reconciliation cursor per store and resource: the newest date_modified_gmt seen by the last run.
CREATE TABLE webhook_reconcile_cursor (
    source        TEXT NOT NULL,
    resource      TEXT NOT NULL,
    modified_gmt  TEXT NOT NULL,
    last_run_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, resource)
);

-- Current state of store resources as last reported by webhooks/reconciliation (newest date_modified wins, so
-- out-of-order deliveries never move state backwards). events_applied counts the events that changed the row.
CREATE TABLE wc_order (
    source           TEXT NOT NULL,
    order_id         BIGINT NOT NULL,
    status           TEXT,
    currency         TEXT,
    total            NUMERIC(14, 2),
    customer_id      BIGINT,
    line_items       INT,
    date_created_gmt TEXT,
    modified_gmt     TEXT,
    deleted          BOOLEAN NOT NULL DEFAULT false,
    events_applied   INT NOT NULL DEFAULT 1,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, order_id)
);
CREATE TABLE wc_product (
    source         TEXT NOT NULL,
    product_id     BIGINT NOT NULL,
    name           TEXT,
    slug           TEXT,
    sku            TEXT,
    status         TEXT,
    price          NUMERIC(14, 2),
    stock_status   TEXT,
    stock_quantity INT,
    permalink      TEXT,
    modified_gmt   TEXT,
    deleted        BOOLEAN NOT NULL DEFAULT false,
    events_applied INT NOT NULL DEFAULT 1,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, product_id)
);
-- customer personal data kept to what marketing/support need (email, first name); erasure is the privacy
-- capability's job (it can delete rows by email).
CREATE TABLE wc_customer (
    source         TEXT NOT NULL,
    customer_id    BIGINT NOT NULL,
    email          TEXT,
    first_name     TEXT,
    role           TEXT,
    modified_gmt   TEXT,
    deleted        BOOLEAN NOT NULL DEFAULT false,
    events_applied INT NOT NULL DEFAULT 1,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, customer_id)
);
CREATE TABLE wc_coupon (
    source         TEXT NOT NULL,
    coupon_id      BIGINT NOT NULL,
    code           TEXT,
    discount_type  TEXT,
    amount         NUMERIC(14, 2),
    modified_gmt   TEXT,
    deleted        BOOLEAN NOT NULL DEFAULT false,
    events_applied INT NOT NULL DEFAULT 1,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, coupon_id)
);
CREATE TABLE wp_post (
    source         TEXT NOT NULL,
    post_id        BIGINT NOT NULL,
    post_type      TEXT,
    title          TEXT,
    status         TEXT,
    link           TEXT,
    modified_gmt   TEXT,
    deleted        BOOLEAN NOT NULL DEFAULT false,
    events_applied INT NOT NULL DEFAULT 1,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, post_id)
);

-- Hand-offs to capabilities that land later (knowledge-base indexing, SuperAgents): the topic router records
-- what each event asks of them, in the event's transaction; those capabilities drain their rows (status pending).
CREATE TABLE webhook_handoff (
    id          BIGSERIAL PRIMARY KEY,
    event_id    BIGINT NOT NULL REFERENCES webhook_event (id),
    target      TEXT NOT NULL,          -- knowledge.reindex | knowledge.remove | agent.operations | ...
    source      TEXT NOT NULL,
    topic       TEXT NOT NULL,
    resource    TEXT,
    resource_id TEXT,
    status      TEXT NOT NULL DEFAULT 'pending',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX webhook_handoff_pending ON webhook_handoff (target, id) WHERE status = 'pending';
