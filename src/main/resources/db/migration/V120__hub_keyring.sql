-- Keys that belong to the data live with the data: every instance on this database reads the same ones.
-- 'jwt-keys' is the JWT signing keyset, AES-256-GCM-encrypted under a key derived from HUB_MASTER_KEY;
-- 'development-keys' holds the generated keys of development mode (no HUB_MASTER_KEY), which production never reads.
CREATE TABLE hub_keyring (
    name        text PRIMARY KEY,
    material    text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
