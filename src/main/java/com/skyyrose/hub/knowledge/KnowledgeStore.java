package com.skyyrose.hub.knowledge;

import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Documents, chunks and embeddings in PostgreSQL, and exact cosine top-k search.
 * <p>
 * Each unit-length 384-dimension embedding is stored as four 96-dimension {@code cube} points (contrib extension
 * {@code cube}, available wherever pgvector may not be) and as 384 float4 bytes for loading. For unit vectors
 * {@code |a-b|^2 = 2 - 2 cos(a,b)}, so the sum of the four squared part distances orders chunks exactly by cosine;
 * the score reported is the cosine.
 * <p>
 * Search runs from this instance's in-memory index ({@link KnowledgeIndex}, {@code HUB_KNOWLEDGE_INDEX=memory},
 * the default) once it is loaded, else in PostgreSQL; both return the same chunks, order and scores, and both
 * reflect every change committed on any instance before the search started.
 */
@Service
public class KnowledgeStore {

    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeStore.class);
    static final int PARTS = 4;
    static final int PART_DIMS = Embedder.DIMENSIONS / PARTS;

    /** A document to ingest. */
    public record NewDocument(String sourceId, String title, String contentType, String content, List<String> tags,
            String collection) {
    }

    /** A search. tags: any of them; collection: exact (case-insensitive); minScore: cosine floor. */
    public record Query(String text, int k, List<String> tags, String collection, Double minScore) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final Embedder embedder;
    private final TextChunker chunker;
    private final long maxBytes;
    private final int batchSize;
    private final Timer searchTimer;
    private final Counter chunksEmbedded;
    private final KnowledgeIndex index;

    public KnowledgeStore(JdbcTemplate jdbc, TransactionTemplate tx, Embedder embedder, KnowledgeIndex index,
            MeterRegistry meters,
            @Value("${hub.knowledge.chunk-size}") int chunkSize,
            @Value("${hub.knowledge.chunk-overlap}") int chunkOverlap,
            @Value("${hub.knowledge.max-document-bytes}") long maxBytes,
            @Value("${hub.knowledge.embedding-batch}") int batchSize) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.embedder = embedder;
        this.index = index;
        this.chunker = new TextChunker(chunkSize, chunkOverlap);
        this.maxBytes = maxBytes;
        this.batchSize = Math.max(1, batchSize);
        this.searchTimer = Timer.builder("hub.knowledge.search").description("Knowledge base vector searches")
                .publishPercentiles(0.5, 0.99).register(meters);
        this.chunksEmbedded = Counter.builder("hub.knowledge.chunks.embedded")
                .description("Chunks embedded and stored").register(meters);
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * Ingests a document: extracts its text, chunks, embeds and stores it. A document with the same source id is
     * replaced atomically (readers see the old chunks until the new ones commit). Posting identical content again
     * changes nothing.
     */
    public Map<String, Object> ingest(NewDocument doc, String who) {
        String mediaType = DocumentText.mediaType(doc.contentType() == null ? "text/plain" : doc.contentType());
        if (!DocumentText.SUPPORTED.contains(mediaType)) {
            throw new ProblemException(Problem.of(ProblemType.UNSUPPORTED_MEDIA_TYPE, 415,
                    "content_type " + mediaType + " is not supported; use one of text/plain, text/markdown, text/html.")
                    .withErrors(List.of(new Problem.FieldError("/content_type", "unsupported: " + mediaType))));
        }
        if (doc.content() == null || doc.content().isBlank()) {
            throw ProblemException.badRequest("/content", "the document is empty");
        }
        long bytes = doc.content().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxBytes) {
            throw tooLarge(bytes);
        }
        String text = DocumentText.extract(mediaType, doc.content());
        List<String> chunks = chunker.chunk(text);
        if (chunks.isEmpty()) {
            throw ProblemException.badRequest("/content", "the document has no text once its markup is removed");
        }
        List<String> tags = normalizeTags(doc.tags());
        String collection = doc.collection() == null || doc.collection().isBlank() ? null : doc.collection().strip();
        String sourceId = doc.sourceId() == null || doc.sourceId().isBlank() ? "doc-" + sha256(doc.content())
                : doc.sourceId().strip();
        String hash = sha256(mediaType + "\n" + doc.title() + "\n" + tags + "\n" + collection + "\n" + doc.content());

        long started = System.nanoTime();
        UUID id = tx.execute(status -> {
            jdbc.queryForObject("SELECT pg_advisory_xact_lock(hashtextextended(?, 5))", Object.class,
                    "knowledge:" + sourceId);
            List<Map<String, Object>> existing = jdbc.queryForList(
                    "SELECT id, content_sha256, embedding_model FROM knowledge_document WHERE source_id = ?", sourceId);
            if (!existing.isEmpty() && hash.equals(existing.get(0).get("content_sha256"))
                    && embedder.modelName().equals(existing.get(0).get("embedding_model"))) {
                return null; // identical, embedded by the current model: nothing to do
            }
            UUID docId = existing.isEmpty() ? UUID.randomUUID() : (UUID) existing.get(0).get("id");
            Array tagArray = jdbc.execute((java.sql.Connection c) -> c.createArrayOf("text", tags.toArray()));
            if (existing.isEmpty()) {
                jdbc.update("INSERT INTO knowledge_document (id, source_id, title, content_type, tags, collection, "
                        + "content_sha256, chars, created_by, updated_by, embedding_model) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", docId, sourceId, doc.title(), mediaType, tagArray,
                        collection, hash, text.length(), who, who, embedder.modelName());
            } else {
                jdbc.update("UPDATE knowledge_document SET title = ?, content_type = ?, tags = ?, collection = ?, "
                        + "content_sha256 = ?, chars = ?, revision = revision + 1, updated_by = ?, updated_at = now(), "
                        + "embedding_model = ? WHERE id = ?", doc.title(), mediaType, tagArray, collection, hash,
                        text.length(), who, embedder.modelName(), docId);
                jdbc.update("DELETE FROM knowledge_chunk WHERE document_id = ?", docId);
            }
            long lastLog = System.nanoTime();
            for (int from = 0; from < chunks.size(); from += batchSize) {
                List<String> batch = chunks.subList(from, Math.min(chunks.size(), from + batchSize));
                List<float[]> vectors = embedder.embedAll(batch);
                insertChunks(docId, from, batch, vectors, tagArray, collection);
                chunksEmbedded.increment(batch.size());
                if (System.nanoTime() - lastLog > 5_000_000_000L) {
                    lastLog = System.nanoTime();
                    LOG.info("ingesting {}: {}/{} chunks embedded and stored", sourceId, from + batch.size(),
                            chunks.size());
                }
            }
            jdbc.update("UPDATE knowledge_document SET chunk_count = ? WHERE id = ?", chunks.size(), docId);
            return docId;
        });
        if (id == null) {
            Map<String, Object> unchanged = new LinkedHashMap<>(findBySource(sourceId));
            unchanged.put("unchanged", true);
            return unchanged;
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        LOG.info("ingested {} ({} chars, {} chunks) in {} ms ({} chunks/s)", sourceId, text.length(), chunks.size(), ms,
                ms == 0 ? chunks.size() : chunks.size() * 1000L / ms);
        return document(id, false);
    }

    /** Ids of the documents whose chunks were embedded by another model than the current one. */
    public List<UUID> documentsEmbeddedByAnotherModel() {
        return jdbc.queryForList("SELECT id FROM knowledge_document WHERE embedding_model <> ? ORDER BY created_at",
                UUID.class, embedder.modelName());
    }

    /**
     * Re-embeds one document's stored chunks with the current model (texts, ordinals and ids unchanged) in one
     * transaction under the document's ingestion lock; the document row's update tells every instance's index.
     * Returns the number of chunks re-embedded (0 when another instance or an ingestion got there first).
     */
    public int reembed(UUID documentId) {
        Integer done = tx.execute(status -> {
            List<Map<String, Object>> doc = jdbc.queryForList(
                    "SELECT source_id, embedding_model FROM knowledge_document WHERE id = ?", documentId);
            if (doc.isEmpty()) {
                return 0;
            }
            jdbc.queryForObject("SELECT pg_advisory_xact_lock(hashtextextended(?, 5))", Object.class,
                    "knowledge:" + doc.get(0).get("source_id"));
            String model = jdbc.queryForObject("SELECT embedding_model FROM knowledge_document WHERE id = ?",
                    String.class, documentId);
            if (embedder.modelName().equals(model)) {
                return 0;
            }
            List<Map<String, Object>> chunks = jdbc.queryForList(
                    "SELECT id, text FROM knowledge_chunk WHERE document_id = ? ORDER BY ordinal", documentId);
            for (int from = 0; from < chunks.size(); from += batchSize) {
                List<Map<String, Object>> batch = chunks.subList(from, Math.min(chunks.size(), from + batchSize));
                List<float[]> vectors = embedder.embedAll(batch.stream().map(c -> (String) c.get("text")).toList());
                jdbc.batchUpdate("UPDATE knowledge_chunk SET e1 = ?::cube, e2 = ?::cube, e3 = ?::cube, e4 = ?::cube, "
                        + "embedding = ? WHERE id = ?", new org.springframework.jdbc.core.BatchPreparedStatementSetter() {
                            @Override
                            public void setValues(PreparedStatement ps, int i) throws SQLException {
                                String[] parts = cubes(vectors.get(i));
                                for (int p = 0; p < PARTS; p++) {
                                    ps.setString(1 + p, parts[p]);
                                }
                                ps.setBytes(5, KnowledgeIndex.bytes(vectors.get(i)));
                                ps.setLong(6, ((Number) batch.get(i).get("id")).longValue());
                            }

                            @Override
                            public int getBatchSize() {
                                return batch.size();
                            }
                        });
                chunksEmbedded.increment(batch.size());
            }
            jdbc.update("UPDATE knowledge_document SET embedding_model = ? WHERE id = ?", embedder.modelName(),
                    documentId);
            return chunks.size();
        });
        return done == null ? 0 : done;
    }

    private void insertChunks(UUID docId, int firstOrdinal, List<String> texts, List<float[]> vectors, Array tags,
            String collection) {
        jdbc.batchUpdate("INSERT INTO knowledge_chunk (document_id, ordinal, text, tags, collection, e1, e2, e3, e4, "
                + "embedding) VALUES (?, ?, ?, ?, ?, ?::cube, ?::cube, ?::cube, ?::cube, ?)",
                new org.springframework.jdbc.core.BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        ps.setObject(1, docId);
                        ps.setInt(2, firstOrdinal + i);
                        ps.setString(3, texts.get(i));
                        ps.setArray(4, tags);
                        ps.setString(5, collection);
                        String[] parts = cubes(vectors.get(i));
                        for (int p = 0; p < PARTS; p++) {
                            ps.setString(6 + p, parts[p]);
                        }
                        ps.setBytes(10, KnowledgeIndex.bytes(vectors.get(i)));
                    }

                    @Override
                    public int getBatchSize() {
                        return texts.size();
                    }
                });
    }

    /** The four cube literals of a 384-dimension vector. */
    static String[] cubes(float[] v) {
        if (v.length != Embedder.DIMENSIONS) {
            throw new IllegalArgumentException("expected " + Embedder.DIMENSIONS + " dimensions, got " + v.length);
        }
        String[] parts = new String[PARTS];
        for (int p = 0; p < PARTS; p++) {
            StringBuilder sb = new StringBuilder(PART_DIMS * 12).append('(');
            for (int i = 0; i < PART_DIMS; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(v[p * PART_DIMS + i]);
            }
            parts[p] = sb.append(')').toString();
        }
        return parts;
    }

    /**
     * Exact cosine top-k over the stored chunks: from this instance's in-memory index when it is loaded
     * ({@link KnowledgeIndex}, brought up to date with every committed change first), else computed by PostgreSQL.
     * Both give the same chunks, order and scores.
     */
    public List<Map<String, Object>> search(Query q) {
        float[] vector = embedder.embed(q.text());
        return searchTimer.record(() -> searchVector(vector, q));
    }

    List<Map<String, Object>> searchVector(float[] vector, Query q) {
        List<Map<String, Object>> hits = searchMemory(vector, q);
        return hits != null ? hits : searchDatabase(vector, q);
    }

    /**
     * The search from the in-memory index, or null when it is not available (not loaded, database mode). One round
     * trip: the chunks' rows and the change counter are read in one statement; if the counter shows a change the
     * index has not applied yet, it catches up and ranks again.
     */
    List<Map<String, Object>> searchMemory(float[] vector, Query q) {
        String collection = q.collection() == null || q.collection().isBlank() ? null : q.collection().strip();
        List<String> tags = normalizeTags(q.tags());
        for (int attempt = 0; attempt < 3; attempt++) {
            KnowledgeIndex.Ranking ranked = index.rank(vector, q.k(), tags, collection, maxDistance(q));
            if (ranked == null) {
                return null;
            }
            Long[] ids = ranked.hits().stream().map(VectorIndex.Hit::chunkId).toArray(Long[]::new);
            Map<Long, Map<String, Object>> rows = new java.util.HashMap<>();
            long[] current = {-1};
            jdbc.query("SELECT v.version, c.id, c.document_id, d.title, d.source_id, c.ordinal, c.text, c.tags, "
                    + "c.collection FROM knowledge_index_version v LEFT JOIN (knowledge_chunk c JOIN "
                    + "knowledge_document d ON d.id = c.document_id) ON c.id = ANY(?)", rs -> {
                        current[0] = rs.getLong("version");
                        if (rs.getObject("id") != null) {
                            rows.put(rs.getLong("id"), hit(rs, 0));
                        }
                    }, (Object) ids);
            if (current[0] > ranked.version()) {
                index.catchUpForSearch(); // a change committed that this index has not applied yet
                continue;
            }
            List<Map<String, Object>> out = new ArrayList<>(ranked.hits().size());
            for (VectorIndex.Hit h : ranked.hits()) {
                Map<String, Object> row = rows.get(h.chunkId());
                if (row != null) {
                    row.put("score", score(h.distance()));
                    out.add(row);
                }
            }
            return out;
        }
        return null; // changes keep arriving faster than this index applies them: ask PostgreSQL
    }

    private static double maxDistance(Query q) {
        return q.minScore() == null ? 4.0 : 2.0 - 2.0 * q.minScore();
    }

    private static double score(double distance) {
        return Math.round((1.0 - distance / 2.0) * 1e6) / 1e6;
    }

    private static Map<String, Object> hit(ResultSet rs, double distance) throws SQLException {
        Map<String, Object> hit = new LinkedHashMap<>();
        hit.put("id", "chunk-" + rs.getLong("id"));
        hit.put("document_id", rs.getObject("document_id", UUID.class).toString());
        hit.put("title", rs.getString("title"));
        hit.put("text", rs.getString("text"));
        hit.put("score", score(distance));
        hit.put("source_id", rs.getString("source_id"));
        hit.put("ordinal", rs.getInt("ordinal"));
        hit.put("tags", List.of((String[]) rs.getArray("tags").getArray()));
        if (rs.getString("collection") != null) {
            hit.put("collection", rs.getString("collection"));
        }
        return hit;
    }

    /** The search computed by PostgreSQL (exact scan over the cube columns). */
    List<Map<String, Object>> searchDatabase(float[] vector, Query q) {
        // The query vector goes into the SQL as constants (they are formatted floats, nothing from the caller):
        // as bind parameters, a cached generic plan would re-parse the four cubes for every row scanned.
        String[] parts = cubes(vector);
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        List<String> tags = normalizeTags(q.tags());
        if (!tags.isEmpty()) {
            where.append(where.length() == 0 ? " WHERE " : " AND ").append("tags && ?::text[]");
            args.add("{" + String.join(",", tags.stream().map(t -> "\"" + t.replace("\\", "\\\\")
                    .replace("\"", "\\\"") + "\"").toList()) + "}");
        }
        if (q.collection() != null && !q.collection().isBlank()) {
            where.append(where.length() == 0 ? " WHERE " : " AND ").append("lower(collection) = lower(?)");
            args.add(q.collection().strip());
        }
        args.add(q.k());
        args.add(maxDistance(q));
        String sql = "SELECT c.id, c.document_id, d.title, d.source_id, c.ordinal, c.text, c.tags, c.collection, "
                + "s.dist FROM (SELECT id, (e1 <-> '" + parts[0] + "'::cube)^2 + (e2 <-> '" + parts[1] + "'::cube)^2 "
                + "+ (e3 <-> '" + parts[2] + "'::cube)^2 + (e4 <-> '" + parts[3] + "'::cube)^2 AS dist "
                + "FROM knowledge_chunk" + where + " ORDER BY dist, id LIMIT ?) s "
                + "JOIN knowledge_chunk c ON c.id = s.id JOIN knowledge_document d ON d.id = c.document_id "
                + "WHERE s.dist <= ? ORDER BY s.dist, c.id";
        return jdbc.query(sql, (rs, i) -> hit(rs, rs.getDouble("dist")), args.toArray());
    }

    public Map<String, Object> list(String tag, String collection, int limit, int offset) {
        StringBuilder where = new StringBuilder(" WHERE true");
        List<Object> args = new ArrayList<>();
        if (tag != null && !tag.isBlank()) {
            where.append(" AND ? = ANY(tags)");
            args.add(tag.strip().toLowerCase(Locale.ROOT));
        }
        if (collection != null && !collection.isBlank()) {
            where.append(" AND lower(collection) = lower(?)");
            args.add(collection.strip());
        }
        Integer total = jdbc.queryForObject("SELECT count(*) FROM knowledge_document" + where, Integer.class,
                args.toArray());
        List<Object> page = new ArrayList<>(args);
        page.add(limit);
        page.add(offset);
        List<Map<String, Object>> items = jdbc.query("SELECT * FROM knowledge_document" + where
                + " ORDER BY updated_at DESC, id LIMIT ? OFFSET ?", (rs, i) -> documentRow(rs), page.toArray());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("total", total);
        out.put("limit", limit);
        out.put("offset", offset);
        return out;
    }

    public Map<String, Object> document(UUID id, boolean withChunks) {
        List<Map<String, Object>> rows = jdbc.query("SELECT * FROM knowledge_document WHERE id = ?",
                (rs, i) -> documentRow(rs), id);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("Knowledge document " + id + " does not exist.");
        }
        Map<String, Object> doc = new LinkedHashMap<>(rows.get(0));
        if (withChunks) {
            doc.put("chunks", jdbc.query("SELECT id, ordinal, text FROM knowledge_chunk WHERE document_id = ? "
                    + "ORDER BY ordinal", (rs, i) -> {
                        Map<String, Object> c = new LinkedHashMap<>();
                        c.put("id", "chunk-" + rs.getLong("id"));
                        c.put("ordinal", rs.getInt("ordinal"));
                        c.put("text", rs.getString("text"));
                        return c;
                    }, id));
        }
        return doc;
    }

    Map<String, Object> findBySource(String sourceId) {
        List<Map<String, Object>> rows = jdbc.query("SELECT * FROM knowledge_document WHERE source_id = ?",
                (rs, i) -> documentRow(rs), sourceId);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("No knowledge document has source id " + sourceId + ".");
        }
        return rows.get(0);
    }

    /** Removes the document with this source id (a product deleted in the shop); false when there is none. */
    public boolean deleteBySource(String sourceId, String who) {
        int n = jdbc.update("DELETE FROM knowledge_document WHERE source_id = ?", sourceId);
        if (n > 0) {
            LOG.info("knowledge document {} deleted by {}", sourceId, who);
        }
        return n > 0;
    }

    public boolean delete(UUID id, String who) {
        int n = jdbc.update("DELETE FROM knowledge_document WHERE id = ?", id);
        if (n > 0) {
            LOG.info("knowledge document {} deleted by {}", id, who);
        }
        return n > 0;
    }

    private static Map<String, Object> documentRow(ResultSet rs) throws SQLException {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", rs.getObject("id", UUID.class).toString());
        d.put("source_id", rs.getString("source_id"));
        d.put("title", rs.getString("title"));
        d.put("content_type", rs.getString("content_type"));
        d.put("tags", List.of((String[]) rs.getArray("tags").getArray()));
        if (rs.getString("collection") != null) {
            d.put("collection", rs.getString("collection"));
        }
        d.put("chars", rs.getInt("chars"));
        d.put("chunk_count", rs.getInt("chunk_count"));
        d.put("revision", rs.getInt("revision"));
        d.put("created_by", rs.getString("created_by"));
        d.put("created_at", rs.getObject("created_at", OffsetDateTime.class).toString());
        d.put("updated_by", rs.getString("updated_by"));
        d.put("updated_at", rs.getObject("updated_at", OffsetDateTime.class).toString());
        return d;
    }

    static List<String> normalizeTags(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String t : tags) {
            if (t != null && !t.isBlank()) {
                out.add(t.strip().toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(out);
    }

    ProblemException tooLarge(long bytes) {
        return new ProblemException(Problem.of(ProblemType.VALIDATION_FAILED, 413, "The document is " + bytes
                + " bytes; the knowledge base accepts documents of at most " + maxBytes + " bytes.")
                .withErrors(List.of(new Problem.FieldError("/content", "larger than " + maxBytes + " bytes"))));
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
