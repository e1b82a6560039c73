-- The brand knowledge base: documents, their chunks and the chunks' embeddings (all-MiniLM-L6-v2, 384 dims).
--
-- Vector search runs in PostgreSQL. pgvector is not installed on every target (not on the local PostgreSQL 15,
-- not in the embedded PostgreSQL 16), so embeddings are stored in the contrib extension `cube` (trusted since
-- PostgreSQL 13, shipped with every standard build): a cube holds at most 100 dimensions, so each unit-length
-- embedding is four 96-dimension point cubes. For unit vectors the squared Euclidean distance is
-- 2 - 2 * cosine, so  sum((e_i <-> q_i)^2)  over the four parts ranks exactly like cosine, computed in C.
CREATE EXTENSION IF NOT EXISTS cube;

CREATE TABLE knowledge_document (
    id             UUID PRIMARY KEY,
    source_id      TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    tags           TEXT[] NOT NULL DEFAULT '{}',
    collection     TEXT,
    content_sha256 TEXT NOT NULL,
    chars          INTEGER NOT NULL,
    chunk_count    INTEGER NOT NULL DEFAULT 0,
    revision       INTEGER NOT NULL DEFAULT 1,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by     TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE knowledge_chunk (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id UUID NOT NULL REFERENCES knowledge_document (id) ON DELETE CASCADE,
    ordinal     INTEGER NOT NULL,
    text        TEXT NOT NULL,
    -- copied from the document so a search filters without a join
    tags        TEXT[] NOT NULL DEFAULT '{}',
    collection  TEXT,
    e1 cube NOT NULL,
    e2 cube NOT NULL,
    e3 cube NOT NULL,
    e4 cube NOT NULL,
    UNIQUE (document_id, ordinal)
);
-- keep the vectors inline (no TOAST compression or out-of-line storage): a scan reads them straight from the page
ALTER TABLE knowledge_chunk ALTER COLUMN e1 SET STORAGE PLAIN, ALTER COLUMN e2 SET STORAGE PLAIN,
    ALTER COLUMN e3 SET STORAGE PLAIN, ALTER COLUMN e4 SET STORAGE PLAIN;
CREATE INDEX knowledge_chunk_tags ON knowledge_chunk USING gin (tags);
CREATE INDEX knowledge_chunk_collection ON knowledge_chunk (lower(collection));
CREATE INDEX knowledge_document_updated ON knowledge_document (updated_at DESC, id);
