-- webhook_handoff becomes the queue of hand-off work (knowledge base, SuperAgent runs). The webhook worker still
-- inserts a row in the event's transaction (so a hand-off is never lost and never happens for a rolled-back or
-- stale event); the hand-off workers (com.skyyrose.hub.webhooks.HandoffWorker) claim rows with
-- FOR UPDATE SKIP LOCKED under a lease, run the target's route (routes/webhooks/webhook-handoffs.camel.yaml),
-- and mark them done, or retry them with the webhook backoff, then dead-letter them.
--   status: pending | running (leased until next_attempt_at) | done | superseded (a newer hand-off for the same
--           knowledge document came first) | dead | skipped (recorded before hand-offs were processed)
ALTER TABLE webhook_handoff
    ADD COLUMN attempts        INT NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN last_error      TEXT,
    ADD COLUMN outcome         TEXT,          -- what the target did: a run id, a document id, removed, ...
    ADD COLUMN updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN finished_at     TIMESTAMPTZ;

-- Rows recorded while nothing read them would wake agents for old events (every order ever created): they are
-- closed, not processed.
UPDATE webhook_handoff SET status = 'skipped', finished_at = now(),
       last_error = 'recorded before hand-offs were processed (V86); not run'
WHERE status = 'pending';

ALTER TABLE webhook_handoff ADD CONSTRAINT webhook_handoff_status
    CHECK (status IN ('pending', 'running', 'done', 'superseded', 'dead', 'skipped'));
DROP INDEX webhook_handoff_pending;
CREATE INDEX webhook_handoff_due ON webhook_handoff (next_attempt_at, id) WHERE status IN ('pending', 'running');
-- the newest knowledge hand-off of one resource (a late older one is superseded)
CREATE INDEX webhook_handoff_resource ON webhook_handoff (source, resource, resource_id, id);

-- What started an agent run: {"kind": "api"} or {"kind": "webhook", "event_id": N, "topic": ..., "handoff_id": N}.
ALTER TABLE agent_run ADD COLUMN trigger JSONB;
CREATE INDEX agent_run_trigger ON agent_run ((trigger ->> 'kind'), created_at DESC);
