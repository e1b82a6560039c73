-- Commerce partners (issue 19): partners, their API keys, the partner view of the store mirror, and signed event
-- subscriptions with durable deliveries.

CREATE TABLE partner (
    id            TEXT PRIMARY KEY,                 -- prt_<random>
    name          TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active',   -- active | deleted
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at    TIMESTAMPTZ,
    CONSTRAINT partner_status CHECK (status IN ('active', 'deleted'))
);

-- An API key bound to a partner: the key authenticates with role partner and acts for this partner only.
CREATE TABLE partner_api_key (
    key_id     TEXT PRIMARY KEY REFERENCES api_key (id),
    partner_id TEXT NOT NULL REFERENCES partner (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX partner_api_key_partner ON partner_api_key (partner_id);

-- What the partner feed needs of a product beyond wc_product (written in the store event's transaction, after
-- wc_product): the previous stock values tell inventory.changed apart, published tells product.deleted for a
-- product that left the catalog.
CREATE TABLE partner_product (
    source         TEXT NOT NULL,
    product_id     BIGINT NOT NULL,
    regular_price  NUMERIC(14, 2),
    collections    JSONB NOT NULL DEFAULT '[]'::jsonb,  -- [{id, name, slug}] (WooCommerce categories)
    images         JSONB NOT NULL DEFAULT '[]'::jsonb,  -- [{src, alt}]
    stock_status   TEXT,
    stock_quantity INT,
    published      BOOLEAN NOT NULL DEFAULT false,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, product_id)
);

-- Orders attributed to a partner (order meta key hub.partners.order-meta-key), with the fields a partner may see.
CREATE TABLE partner_order (
    source             TEXT NOT NULL,
    order_id           BIGINT NOT NULL,
    partner_id         TEXT NOT NULL,
    status             TEXT,
    shipping           JSONB NOT NULL DEFAULT '{}'::jsonb,  -- {methods: [..], tracking: [{provider, number, shipped_at}]}
    date_completed_gmt TEXT,
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (source, order_id)
);
CREATE INDEX partner_order_partner ON partner_order (partner_id, order_id);

CREATE TABLE partner_subscription (
    id                   TEXT PRIMARY KEY,              -- sub_<random>
    partner_id           TEXT NOT NULL REFERENCES partner (id),
    url                  TEXT NOT NULL,
    topics               TEXT[] NOT NULL,
    secret_enc           TEXT NOT NULL,                 -- whsec_… (FieldCrypto, AAD partner_subscription/secret_enc/id)
    previous_secret_enc  TEXT,                          -- after a rotation: also signs until previous_secret_until
    previous_secret_until TIMESTAMPTZ,
    status               TEXT NOT NULL DEFAULT 'active', -- active | paused | disabled
    disabled_reason      TEXT,
    consecutive_dead     INT NOT NULL DEFAULT 0,        -- dead letters since the last success
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT partner_subscription_status CHECK (status IN ('active', 'paused', 'disabled'))
);
CREATE INDEX partner_subscription_partner ON partner_subscription (partner_id, created_at);

-- One row per event; body is the exact JSON that is signed and sent ({type, timestamp, data}).
CREATE TABLE partner_event (
    id           BIGSERIAL PRIMARY KEY,
    topic        TEXT NOT NULL,
    resource_key TEXT NOT NULL,           -- product:<id> | order:<id>: events of one resource stay in order
    partner_id   TEXT,                    -- set for events only one partner may see (its orders)
    body         TEXT NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per (event, subscription): the durable delivery queue.
CREATE TABLE partner_delivery (
    id               BIGSERIAL PRIMARY KEY,   -- webhook-id msg_<id>, the same for every attempt and replay
    subscription_id  TEXT NOT NULL REFERENCES partner_subscription (id),
    event_id         BIGINT NOT NULL REFERENCES partner_event (id),
    resource_key     TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending', -- pending | delivered | dead
    attempts         INT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until      TIMESTAMPTZ,
    last_status_code INT,
    last_latency_ms  INT,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ,
    lag_ms           BIGINT,                  -- event occurred → delivered
    CONSTRAINT partner_delivery_status CHECK (status IN ('pending', 'delivered', 'dead'))
);
CREATE INDEX partner_delivery_due ON partner_delivery (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX partner_delivery_order ON partner_delivery (subscription_id, resource_key, id) WHERE status = 'pending';
CREATE INDEX partner_delivery_list ON partner_delivery (subscription_id, id DESC);

CREATE TABLE partner_delivery_attempt (
    delivery_id BIGINT NOT NULL REFERENCES partner_delivery (id),
    attempt     INT NOT NULL,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    status_code INT,
    latency_ms  INT,
    error       TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
