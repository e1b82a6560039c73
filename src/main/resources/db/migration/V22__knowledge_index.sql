-- Per-instance in-memory search index of the knowledge base (KnowledgeIndex), kept current across instances.
--
-- 1. Each chunk's unit embedding also as 384 little-endian float4 (1,536 bytes) so an instance loads it without
--    parsing the cube text. Out of line (EXTERNAL: no compression attempt), so the SQL scan over the cubes stays
--    as fast as before. Rows written before this migration have NULL and are read from the cubes instead.
ALTER TABLE knowledge_chunk ADD COLUMN embedding bytea;
ALTER TABLE knowledge_chunk ALTER COLUMN embedding SET STORAGE EXTERNAL;

-- 2. A change counter and log. Every committed insert/update/delete of a document bumps the counter by one and
--    logs the document id under the new value. The trigger is deferred to commit, so the counter row is locked
--    only for the moment of the commit, and values are handed out in commit order: an instance that reads value V
--    knows every change up to V is committed and can re-read exactly the documents logged after its own value.
--    Chunks are only ever written in the same transaction as their document.
CREATE TABLE knowledge_index_version (
    id      BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    version BIGINT NOT NULL
);
INSERT INTO knowledge_index_version (id, version) VALUES (true, 0);

CREATE TABLE knowledge_change (
    version     BIGINT PRIMARY KEY,
    document_id UUID, -- NULL: everything changed (TRUNCATE): instances reload in full
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX knowledge_change_at ON knowledge_change (changed_at);

CREATE FUNCTION knowledge_document_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v   BIGINT;
    doc UUID;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        doc := NULL;
    ELSIF TG_OP = 'DELETE' THEN
        doc := OLD.id;
    ELSE
        doc := NEW.id;
    END IF;
    UPDATE knowledge_index_version SET version = version + 1 RETURNING version INTO v;
    INSERT INTO knowledge_change (version, document_id) VALUES (v, doc);
    -- a hint to listening instances (delivered at commit; identical payloads in one transaction are merged)
    PERFORM pg_notify('hub_knowledge', coalesce(doc::text, '*'));
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER knowledge_document_changed
    AFTER INSERT OR UPDATE OR DELETE ON knowledge_document
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION knowledge_document_changed();

CREATE TRIGGER knowledge_truncated AFTER TRUNCATE ON knowledge_document
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_document_changed();
CREATE TRIGGER knowledge_chunk_truncated AFTER TRUNCATE ON knowledge_chunk
    FOR EACH STATEMENT EXECUTE FUNCTION knowledge_document_changed();
