-- SuperAgent runs (com.skyyrose.hub.agents): one row per run with its actions and trace, for
-- GET /api/v1/runs/{id}, the per-agent stats of GET /api/v1/agents and approval of waiting actions.
CREATE TABLE agent_run (
    id              UUID PRIMARY KEY,
    agent_id        TEXT NOT NULL,
    principal_id    TEXT NOT NULL,
    status          TEXT NOT NULL,
    task            TEXT NOT NULL,
    request         JSONB NOT NULL,
    request_hash    TEXT NOT NULL,
    idempotency_key TEXT,
    answer          TEXT,
    escalation      JSONB,
    round_table_id  UUID,
    actions         JSONB NOT NULL DEFAULT '[]',
    trace           JSONB NOT NULL DEFAULT '[]',
    error           TEXT,
    cost_usd        NUMERIC(14, 8) NOT NULL DEFAULT 0,
    duration_ms     BIGINT,
    instance_id     TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ
);
CREATE INDEX agent_run_agent ON agent_run (agent_id, created_at DESC, id);
CREATE INDEX agent_run_principal ON agent_run (principal_id, created_at DESC);
CREATE INDEX agent_run_running ON agent_run (status, updated_at) WHERE status IN ('queued', 'running');
CREATE UNIQUE INDEX agent_run_idempotency ON agent_run (principal_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
