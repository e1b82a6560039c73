-- The LLM round table: every result (with the full response document) and every candidate, for
-- GET /api/v1/round-table/results, per-principal cost and token totals and provider latency/error figures.
CREATE TABLE round_table_result (
    id               UUID PRIMARY KEY,
    principal_id     TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    prompt           TEXT NOT NULL,
    winner_provider  TEXT,
    winner_model     TEXT,
    method           TEXT NOT NULL,
    degraded         BOOLEAN NOT NULL,
    total_latency_ms BIGINT NOT NULL,
    input_tokens     BIGINT NOT NULL,
    output_tokens    BIGINT NOT NULL,
    cost_usd         NUMERIC(14, 8) NOT NULL,
    response         JSONB NOT NULL
);
CREATE INDEX round_table_result_created ON round_table_result (created_at DESC, id);
CREATE INDEX round_table_result_principal ON round_table_result (principal_id, created_at DESC);

CREATE TABLE round_table_candidate (
    result_id     UUID NOT NULL REFERENCES round_table_result (id) ON DELETE CASCADE,
    position      INT NOT NULL,
    provider      TEXT NOT NULL,
    model         TEXT,
    text          TEXT,
    error         TEXT,
    latency_ms    BIGINT NOT NULL,
    input_tokens  BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    cost_usd      NUMERIC(14, 8) NOT NULL,
    score         DOUBLE PRECISION,
    scores        JSONB NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (result_id, position)
);
CREATE INDEX round_table_candidate_recent ON round_table_candidate (provider, created_at DESC);
