-- Identity and access: users, partner API keys, the audit log, and encrypted third-party credentials.
-- E-mail addresses are personal data: stored AES-256-GCM encrypted (email_enc), found by a keyed hash
-- (email_hash = HMAC-SHA256 under HUB_INDEX_KEY of the lower-cased address).
CREATE TABLE hub_user (
    id            UUID PRIMARY KEY,
    email_hash    TEXT NOT NULL UNIQUE,
    email_enc     TEXT NOT NULL,
    display_name  TEXT,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'editor', 'partner', 'viewer')),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Partner API keys: the secret is shown once; only its SHA-256 is kept (the secret has 256 bits of entropy).
CREATE TABLE api_key (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    secret_hash     TEXT NOT NULL,
    scopes          TEXT[] NOT NULL,
    rate_per_minute INTEGER CHECK (rate_per_minute IS NULL OR rate_per_minute > 0),
    expires_at      TIMESTAMPTZ,
    revoked_at      TIMESTAMPTZ,
    last_used_at    TIMESTAMPTZ,
    created_by      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Who did what, when, from where, and how it ended. Never secrets or tokens.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor       TEXT,
    actor_kind  TEXT,
    action      TEXT NOT NULL,
    target      TEXT,
    outcome     TEXT NOT NULL,
    status      INTEGER,
    request_id  TEXT,
    ip          TEXT,
    detail      TEXT
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_actor ON audit_log (actor, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, id DESC);

-- Third-party credentials (WooCommerce/WordPress keys...), AES-256-GCM encrypted with AAD (table, column, name).
CREATE TABLE hub_credential (
    name        TEXT PRIMARY KEY,
    secret_enc  TEXT NOT NULL,
    updated_by  TEXT,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
