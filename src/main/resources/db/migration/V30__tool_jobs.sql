-- Long-running tool jobs (Tripo3D 3D generation, FASHN try-on). The vendor task is created when the job is
-- accepted; a scheduled route polls the vendor until a terminal status. Several hub instances share this table:
-- a poller claims due jobs with FOR UPDATE SKIP LOCKED and takes a lease (lease_until) for the duration of its
-- vendor call, so no two instances poll the same job at once and a crashed instance's lease simply expires.
CREATE TABLE tool_job (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('3d', 'tryon')),
    vendor          TEXT NOT NULL,
    vendor_task_id  TEXT NOT NULL,
    status          TEXT NOT NULL,
    vendor_status   TEXT,
    progress        INTEGER,
    request         JSONB NOT NULL,
    result          JSONB,
    error           JSONB,
    principal_id    TEXT,
    polls           INTEGER NOT NULL DEFAULT 0,
    next_poll_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until     TIMESTAMPTZ,
    lease_owner     TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ
);

CREATE INDEX tool_job_due ON tool_job (next_poll_at) WHERE finished_at IS NULL;
CREATE INDEX tool_job_status ON tool_job (kind, status);
