-- Usage of the OpenAI-compatible API (and MCP agent calls): one row per completion, what it used and cost, for
-- budgets (monthly USD per user / API key) and GET /api/v1/usage.
CREATE TABLE llm_usage (
    id             BIGSERIAL PRIMARY KEY,
    principal_id   TEXT        NOT NULL,
    principal_kind TEXT        NOT NULL,
    model          TEXT        NOT NULL,
    provider       TEXT,
    input_tokens   BIGINT      NOT NULL DEFAULT 0,
    output_tokens  BIGINT      NOT NULL DEFAULT 0,
    cost_usd       NUMERIC(14, 8) NOT NULL DEFAULT 0,
    round_table_id UUID,
    agent_run_id   UUID,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX llm_usage_principal_month ON llm_usage (principal_id, created_at);
