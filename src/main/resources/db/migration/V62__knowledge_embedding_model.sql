-- (Numbered after V61 although it belongs to the knowledge base: databases already at V60 must apply it in order.)
-- Which embedding model produced a document's chunk vectors. Vectors of different models do not compare, so the
-- hub re-embeds documents whose model differs from HUB_KNOWLEDGE_EMBEDDING_MODEL (KnowledgeReembedder). Every
-- chunk stored before this migration was embedded with the float32 all-MiniLM-L6-v2.
ALTER TABLE knowledge_document ADD COLUMN embedding_model TEXT NOT NULL DEFAULT 'all-minilm-l6-v2';
