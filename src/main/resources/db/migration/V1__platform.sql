-- Platform bookkeeping. Later capabilities add their own migrations (V2__..., V3__...).
-- The hub instances that have run against this database and when each was last seen: several
-- identical instances share one database on Render, and operators want to see them.
CREATE TABLE hub_instance (
    instance_id  TEXT PRIMARY KEY,
    version      TEXT NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
