package com.skyyrose.hub.routes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Route file revisions in PostgreSQL ({@code route_file_revision}, {@code route_file}, {@code route_file_instance};
 * migration V95). Storing a revision updates {@code route_file}, whose trigger NOTIFYs every instance.
 */
@Component
public class RouteFileStore {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public RouteFileStore(JdbcTemplate jdbc, PlatformTransactionManager txm) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(txm);
    }

    /** One revision of a file; {@code content} null means the revision deletes the file. */
    public record Revision(String path, int revision, String content, String contentSha256, String baselineSha256,
            Integer restoredFrom, String message, String createdBy, Instant createdAt) {
    }

    /** An edited file: its current revision, and whether a release superseded it. */
    public record EditedFile(Revision current, Instant supersededAt, String supersededBySha256) {
        public boolean superseded() {
            return supersededAt != null;
        }
    }

    /** What one instance reported for one file. */
    public record InstanceReport(String instanceId, String path, int revision, String status, String error,
            Instant at) {
    }

    /** Thrown when the file changed since the caller read it (412). */
    public static class StaleRevisionException extends RuntimeException {
        public StaleRevisionException(String message) {
            super(message, null, false, false);
        }
    }

    private static final RowMapper<Revision> REVISION = (rs, i) -> new Revision(rs.getString("path"),
            rs.getInt("revision"), rs.getString("content"), rs.getString("content_sha256"),
            rs.getString("baseline_sha256"), (Integer) rs.getObject("restored_from"), rs.getString("message"),
            rs.getString("created_by"), rs.getTimestamp("created_at").toInstant());

    public List<EditedFile> editedFiles() {
        return jdbc.query("""
                SELECT r.*, f.superseded_at, f.superseded_by_sha256 FROM route_file f
                JOIN route_file_revision r ON r.path = f.path AND r.revision = f.current_revision
                ORDER BY f.path
                """, (rs, i) -> new EditedFile(REVISION.mapRow(rs, i), rs.getTimestamp("superseded_at") == null
                        ? null : rs.getTimestamp("superseded_at").toInstant(), rs.getString("superseded_by_sha256")));
    }

    public Optional<EditedFile> editedFile(String path) {
        return jdbc.query("""
                SELECT r.*, f.superseded_at, f.superseded_by_sha256 FROM route_file f
                JOIN route_file_revision r ON r.path = f.path AND r.revision = f.current_revision
                WHERE f.path = ?
                """, (rs, i) -> new EditedFile(REVISION.mapRow(rs, i), rs.getTimestamp("superseded_at") == null
                        ? null : rs.getTimestamp("superseded_at").toInstant(), rs.getString("superseded_by_sha256")),
                path).stream().findFirst();
    }

    /** Newest first. */
    public List<Revision> history(String path) {
        return jdbc.query("SELECT * FROM route_file_revision WHERE path = ? ORDER BY revision DESC", REVISION, path);
    }

    public Optional<Revision> revision(String path, int revision) {
        return jdbc.query("SELECT * FROM route_file_revision WHERE path = ? AND revision = ?", REVISION, path,
                revision).stream().findFirst();
    }

    /**
     * Stores a new current revision, provided the file's current revision is still {@code expectedRevision} (0: no
     * revision yet, or the shipped file runs because the last one was superseded) — checked under a per-path lock,
     * so two editors who read the same version cannot both win.
     */
    public Revision store(String path, int expectedRevision, String content, String baselineSha256,
            Integer restoredFrom, String message, String author) {
        return tx.execute(status -> {
            jdbc.queryForObject("SELECT pg_advisory_xact_lock(hashtext('route_file:' || ?))", Object.class, path);
            Optional<EditedFile> now = editedFile(path);
            int current = now.filter(f -> !f.superseded()).map(f -> f.current().revision()).orElse(0);
            if (current != expectedRevision) {
                throw new StaleRevisionException("The file " + path + " changed meanwhile (now revision " + current
                        + ").");
            }
            int next = now.map(f -> f.current().revision()).orElse(0) + 1;
            jdbc.update("""
                    INSERT INTO route_file_revision (path, revision, content, content_sha256, baseline_sha256,
                        restored_from, message, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, path, next, content, content == null ? null : sha256(content), baselineSha256, restoredFrom,
                    message, author);
            jdbc.update("""
                    INSERT INTO route_file (path, current_revision) VALUES (?, ?)
                    ON CONFLICT (path) DO UPDATE SET current_revision = EXCLUDED.current_revision,
                        superseded_at = NULL, superseded_by_sha256 = NULL, updated_at = clock_timestamp()
                    """, path, next);
            return revision(path, next).orElseThrow();
        });
    }

    /** Marks the revision superseded by a shipped file (no-op when already marked or no longer current). */
    public boolean markSuperseded(String path, int revision, String shippedSha256) {
        return jdbc.update("""
                UPDATE route_file SET superseded_at = clock_timestamp(), superseded_by_sha256 = ?,
                    updated_at = clock_timestamp()
                WHERE path = ? AND current_revision = ? AND superseded_at IS NULL
                """, shippedSha256 == null ? "absent" : shippedSha256, path, revision) > 0;
    }

    public void report(String instanceId, String path, int revision, String status, String error) {
        jdbc.update("""
                INSERT INTO route_file_instance (instance_id, path, revision, status, error) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (instance_id, path) DO UPDATE SET revision = EXCLUDED.revision, status = EXCLUDED.status,
                    error = EXCLUDED.error, updated_at = clock_timestamp()
                """, instanceId, path, revision, status, error);
    }

    /** Reports of instances seen in the last {@code aliveSeconds}. */
    public List<InstanceReport> reports(int aliveSeconds) {
        return jdbc.query("""
                SELECT r.* FROM route_file_instance r JOIN hub_instance h ON h.instance_id = r.instance_id
                WHERE h.last_seen_at > now() - make_interval(secs => ?) ORDER BY r.path, r.instance_id
                """, (rs, i) -> new InstanceReport(rs.getString("instance_id"), rs.getString("path"),
                rs.getInt("revision"), rs.getString("status"), rs.getString("error"),
                rs.getTimestamp("updated_at").toInstant()), aliveSeconds);
    }

    /** Instances seen in the last {@code aliveSeconds}. */
    public List<String> liveInstances(int aliveSeconds) {
        return jdbc.queryForList("SELECT instance_id FROM hub_instance WHERE last_seen_at > now() - "
                + "make_interval(secs => ?) ORDER BY instance_id", String.class, aliveSeconds);
    }

    /** Changes whenever any file's current revision or superseded mark changes: the periodic check compares it. */
    public String fingerprint() {
        return jdbc.queryForObject("SELECT coalesce(md5(string_agg(path || ':' || current_revision || ':' || "
                + "coalesce(superseded_at::text, ''), ',' ORDER BY path)), '') FROM route_file", String.class);
    }

    public static String sha256(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
