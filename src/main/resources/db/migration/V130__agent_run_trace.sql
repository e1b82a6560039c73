-- The trace of the request that started an agent run (with tracing on): operators go from a failed run in the
-- console to its trace in their tracing backend.
ALTER TABLE agent_run ADD COLUMN trace_id text;
