package com.skyyrose.hub.webhooks;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/** The webhook inbox table ({@code webhook_event}): store, claim, settle, list and replay events. */
@Component
public class WebhookInbox {

    /**
     * A delivery to store (the raw payload exactly as received). {@code rejection} is null for an event to
     * process, or why its (unsigned) topic/resource headers do not fit its body: then it is stored as
     * {@code rejected} and never processed.
     */
    public record NewEvent(String provider, String source, String origin, String topic, String resource,
            String resourceId, String webhookId, String deliveryId, String modifiedGmt, String dedupeKey,
            String payloadSha256, String headersJson, byte[] payload, String rejection) {

        public NewEvent(String provider, String source, String origin, String topic, String resource,
                String resourceId, String webhookId, String deliveryId, String modifiedGmt, String dedupeKey,
                String payloadSha256, String headersJson, byte[] payload) {
            this(provider, source, origin, topic, resource, resourceId, webhookId, deliveryId, modifiedGmt, dedupeKey,
                    payloadSha256, headersJson, payload, null);
        }

        String status() {
            return rejection == null ? "pending" : "rejected";
        }
    }

    /** A stored event as workers and the API see it. */
    public record StoredEvent(long id, String provider, String source, String origin, String topic, String resource,
            String resourceId, String webhookId, String deliveryId, String modifiedGmt, String dedupeKey,
            String payloadSha256, String headersJson, byte[] payload, Instant payloadPurgedAt, Instant receivedAt,
            String status, boolean replay, int attempts, Instant nextAttemptAt, String lastError, String outcome,
            Instant processedAt) {
    }

    private static final String COLUMNS = "id, provider, source, origin, topic, resource, resource_id, webhook_id,"
            + " delivery_id, modified_gmt, dedupe_key, payload_sha256, headers::text AS headers, payload,"
            + " payload_purged_at, received_at, status, replay, attempts, next_attempt_at, last_error, outcome,"
            + " processed_at";

    /** {@link #COLUMNS} without the raw payload (null in the rows a list reads). */
    private static final String LIST_COLUMNS = COLUMNS.replace(" payload,", " NULL::bytea AS payload,");

    private static final RowMapper<StoredEvent> ROW = WebhookInbox::map;

    private final JdbcTemplate jdbc;

    public WebhookInbox(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    private static final String INSERT = "INSERT INTO webhook_event (provider, source, origin, topic, resource,"
            + " resource_id, webhook_id, delivery_id, modified_gmt, dedupe_key, payload_sha256, headers, status,"
            + " last_error, outcome, processed_at, payload)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, CASE WHEN ?::text IS NULL THEN NULL ELSE 'rejected' END,"
            + " CASE WHEN ?::text IS NULL THEN NULL ELSE now() END, ?)";

    /** Inserts the event (committed on return: the caller may then answer 2xx). */
    public long store(NewEvent e) {
        Long id = jdbc.queryForObject(INSERT + " RETURNING id", Long.class,
                e.provider(), e.source(), e.origin(), e.topic(), e.resource(), e.resourceId(), e.webhookId(),
                e.deliveryId(), e.modifiedGmt(), e.dedupeKey(), e.payloadSha256(), e.headersJson(), e.status(),
                e.rejection(), e.rejection(), e.rejection(), e.payload());
        return id;
    }

    /**
     * Inserts the events in one transaction (one commit for all of them) and returns their ids in order; when
     * anything fails the transaction is rolled back and none of them is stored.
     */
    public List<Long> storeAll(List<NewEvent> events) {
        return jdbc.execute((ConnectionCallback<List<Long>>) con -> {
            boolean autoCommit = con.getAutoCommit();
            con.setAutoCommit(false);
            try (PreparedStatement ps = con.prepareStatement(INSERT, new String[] {"id"})) {
                for (NewEvent e : events) {
                    int i = 1;
                    for (Object v : new Object[] {e.provider(), e.source(), e.origin(), e.topic(), e.resource(),
                            e.resourceId(), e.webhookId(), e.deliveryId(), e.modifiedGmt(), e.dedupeKey(),
                            e.payloadSha256(), e.headersJson(), e.status(), e.rejection(), e.rejection(),
                            e.rejection()}) {
                        ps.setString(i++, (String) v);
                    }
                    ps.setBytes(i, e.payload());
                    ps.addBatch();
                }
                ps.executeBatch();
                List<Long> ids = new ArrayList<>(events.size());
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    while (keys.next()) {
                        ids.add(keys.getLong(1));
                    }
                }
                if (ids.size() != events.size()) {
                    throw new SQLException("Expected " + events.size() + " generated ids, got " + ids.size());
                }
                con.commit();
                return ids;
            } catch (SQLException | RuntimeException e) {
                try {
                    con.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                try {
                    con.setAutoCommit(autoCommit);
                } catch (SQLException ignored) {
                    // a broken connection: the pool evicts it
                }
            }
        });
    }

    /** True when some event already carries this resource state (used by reconciliation to skip known state). */
    public boolean knownState(String source, String resource, String resourceId, String modifiedGmt) {
        Boolean known = jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM webhook_event WHERE source = ?"
                + " AND resource = ? AND resource_id = ? AND modified_gmt = ?)", Boolean.class,
                source, resource, resourceId, modifiedGmt);
        return Boolean.TRUE.equals(known);
    }

    /** Locks up to {@code limit} due pending events for the current transaction (skipping rows others hold). */
    public List<StoredEvent> claimDue(int limit) {
        return jdbc.query("SELECT " + COLUMNS + " FROM webhook_event WHERE status = 'pending'"
                + " AND next_attempt_at <= now() ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED",
                ROW, limit);
    }

    /** Takes the dedupe key for this event; false when another event already processed the same state. */
    public boolean takeKey(StoredEvent e) {
        if (e.replay()) {
            return jdbc.update("INSERT INTO webhook_processed_key (dedupe_key, event_id) VALUES (?, ?)"
                    + " ON CONFLICT (dedupe_key) DO UPDATE SET event_id = EXCLUDED.event_id, processed_at = now()",
                    e.dedupeKey(), e.id()) == 1;
        }
        return jdbc.update("INSERT INTO webhook_processed_key (dedupe_key, event_id) VALUES (?, ?)"
                + " ON CONFLICT (dedupe_key) DO NOTHING", e.dedupeKey(), e.id()) == 1;
    }

    public void markProcessed(long id, String outcome) {
        jdbc.update("UPDATE webhook_event SET status = 'processed', outcome = ?, processed_at = now(),"
                + " attempts = attempts + 1, last_error = NULL, replay = false WHERE id = ?", outcome, id);
    }

    public void markDuplicate(long id) {
        jdbc.update("UPDATE webhook_event SET status = 'duplicate', outcome = 'duplicate', processed_at = now(),"
                + " replay = false WHERE id = ?", id);
    }

    /** Records a failed attempt: back to pending at {@code nextAttempt}, or dead when {@code dead}. */
    public void markFailed(long id, String error, boolean dead, Instant nextAttempt) {
        jdbc.update("UPDATE webhook_event SET attempts = attempts + 1, last_error = ?, status = ?,"
                + " next_attempt_at = ? WHERE id = ?", truncate(error, 4000), dead ? "dead" : "pending",
                Timestamp.from(nextAttempt), id);
    }

    public StoredEvent find(long id) {
        List<StoredEvent> found = jdbc.query("SELECT " + COLUMNS + " FROM webhook_event WHERE id = ?", ROW, id);
        return found.isEmpty() ? null : found.get(0);
    }

    /** A page of events, newest first, with the total count for the same filters. */
    public record Page(List<StoredEvent> events, long total) {
    }

    public Page list(String status, String topic, String source, String provider, int limit, int offset) {
        StringBuilder where = new StringBuilder(" WHERE true");
        List<Object> args = new ArrayList<>();
        if (status != null) {
            where.append(" AND status = ?");
            args.add(status);
        }
        if (topic != null) {
            where.append(" AND topic = ?");
            args.add(topic);
        }
        if (source != null) {
            where.append(" AND source = ?");
            args.add(source);
        }
        if (provider != null) {
            where.append(" AND provider = ?");
            args.add(provider);
        }
        Long total = jdbc.queryForObject("SELECT count(*) FROM webhook_event" + where, Long.class, args.toArray());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(limit);
        pageArgs.add(offset);
        // a list never carries raw payloads (personal data; up to megabytes each): one event's read has it
        List<StoredEvent> events = jdbc.query("SELECT " + LIST_COLUMNS + " FROM webhook_event" + where
                + " ORDER BY id DESC LIMIT ? OFFSET ?", ROW, pageArgs.toArray());
        return new Page(events, total == null ? 0 : total);
    }

    /**
     * Queues an event again, processing it even if its state was seen (operator replay). A rejected event (its
     * headers did not fit its body) is never queued.
     */
    public boolean replay(long id) {
        return jdbc.update("UPDATE webhook_event SET status = 'pending', replay = true, attempts = 0,"
                + " next_attempt_at = now(), last_error = NULL WHERE id = ? AND status NOT IN ('pending', 'rejected')"
                + " AND payload IS NOT NULL", id) == 1;
    }

    /** Queues dead letters again (optionally one source/topic); returns the ids queued. */
    public List<Long> replayDead(String source, String topic, int limit) {
        return jdbc.queryForList("UPDATE webhook_event SET status = 'pending', replay = true, attempts = 0,"
                + " next_attempt_at = now(), last_error = NULL WHERE id IN (SELECT id FROM webhook_event"
                + " WHERE status = 'dead' AND payload IS NOT NULL AND (?::text IS NULL OR source = ?)"
                + " AND (?::text IS NULL OR topic = ?) ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING id",
                Long.class, source, source, topic, topic, limit);
    }

    /** The hand-offs an event recorded (webhook_handoff), oldest first, as the event's API view shows them. */
    public List<Map<String, Object>> handoffs(long eventId) {
        return jdbc.query("SELECT id, target, status, attempts, outcome, last_error, created_at, finished_at"
                + " FROM webhook_handoff WHERE event_id = ? ORDER BY id", (rs, i) -> {
                    Map<String, Object> h = new LinkedHashMap<>();
                    h.put("id", rs.getLong("id"));
                    h.put("target", rs.getString("target"));
                    h.put("status", rs.getString("status"));
                    h.put("attempts", rs.getInt("attempts"));
                    h.put("outcome", rs.getString("outcome"));
                    h.put("lastError", rs.getString("last_error"));
                    h.put("createdAt", String.valueOf(instant(rs, "created_at")));
                    Instant finished = instant(rs, "finished_at");
                    h.put("finishedAt", finished == null ? null : finished.toString());
                    return h;
                }, eventId);
    }

    /** Depth of the pending queue and age in seconds of its oldest event (0 when empty). */
    public Map<String, Long> queueStats() {
        Map<String, Object> row = jdbc.queryForMap("SELECT count(*) AS depth, COALESCE(EXTRACT(EPOCH FROM"
                + " (now() - min(received_at))), 0)::bigint AS oldest FROM webhook_event WHERE status = 'pending'");
        Map<String, Long> stats = new LinkedHashMap<>();
        stats.put("depth", ((Number) row.get("depth")).longValue());
        stats.put("oldestAgeSeconds", ((Number) row.get("oldest")).longValue());
        return stats;
    }

    /** Drops raw payloads of settled events older than the retention period; keeps the metadata. */
    public int purgePayloads(java.time.Duration retention, int batch) {
        return jdbc.update("UPDATE webhook_event SET payload = NULL, payload_purged_at = now() WHERE id IN ("
                + " SELECT id FROM webhook_event WHERE payload IS NOT NULL AND status <> 'pending'"
                + " AND received_at < now() - make_interval(secs => ?) LIMIT ? FOR UPDATE SKIP LOCKED)",
                (double) retention.toSeconds(), batch);
    }

    private static StoredEvent map(ResultSet rs, int n) throws SQLException {
        return new StoredEvent(rs.getLong("id"), rs.getString("provider"), rs.getString("source"),
                rs.getString("origin"), rs.getString("topic"), rs.getString("resource"), rs.getString("resource_id"),
                rs.getString("webhook_id"), rs.getString("delivery_id"), rs.getString("modified_gmt"),
                rs.getString("dedupe_key"), rs.getString("payload_sha256"), rs.getString("headers"),
                rs.getBytes("payload"), instant(rs, "payload_purged_at"), instant(rs, "received_at"),
                rs.getString("status"), rs.getBoolean("replay"), rs.getInt("attempts"),
                instant(rs, "next_attempt_at"), rs.getString("last_error"), rs.getString("outcome"),
                instant(rs, "processed_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    static String text(byte[] payload) {
        return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }
}
