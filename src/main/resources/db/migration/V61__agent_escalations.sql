-- The Support escalation queue (com.skyyrose.hub.agents.Escalations): a case an agent handed to a person,
-- claimed and resolved by operators under /api/v1/escalations. The customer's words stay in agent_run.task
-- (one copy of personal data); an escalation goes when its run is deleted.
CREATE TABLE agent_escalation (
    id          UUID PRIMARY KEY,
    run_id      UUID NOT NULL UNIQUE REFERENCES agent_run (id) ON DELETE CASCADE,
    agent_id    TEXT NOT NULL,
    queue       TEXT NOT NULL,
    rule        TEXT NOT NULL,
    facts       JSONB NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'resolved')),
    claimed_by  TEXT,
    claimed_at  TIMESTAMPTZ,
    resolved_by TEXT,
    resolved_at TIMESTAMPTZ,
    resolution  TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- the work queue: oldest first per status; also what the open-count and oldest-age gauges read
CREATE INDEX agent_escalation_queue ON agent_escalation (status, created_at, id);
