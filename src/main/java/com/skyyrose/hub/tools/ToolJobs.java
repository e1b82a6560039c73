package com.skyyrose.hub.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Page;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.security.Ownership;
import com.skyyrose.hub.security.Principal;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Long-running tool jobs (3D generation, try-on) in PostgreSQL: created when the vendor accepted the task, claimed
 * by pollers with {@code FOR UPDATE SKIP LOCKED} plus a lease (so several instances never poll one job at once and
 * a crashed instance's job is picked up again when its lease expires), finished with the vendor's outcome.
 */
@Component("toolJobs")
public class ToolJobs {

    public static final List<String> STATUSES = List.of("queued", "running", "succeeded", "failed");
    public static final List<String> KINDS = List.of("3d", "tryon");

    /** A job a poller holds the lease of. */
    public record Claimed(UUID id, String kind, String vendor, String vendorTaskId, int polls, JsonNode request,
            Instant createdAt) {
    }

    /** Internal reads (the creator's own reply, pollers): no owner filter. */
    private static final Ownership.Filter ALL = new Ownership.Filter("TRUE", List.of());

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    public ToolJobs(JdbcTemplate jdbc, ObjectMapper json, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.json = json;
        for (String kind : KINDS) {
            for (String status : STATUSES) {
                AtomicLong value = counts.computeIfAbsent(kind + "/" + status, k -> new AtomicLong());
                Gauge.builder("hub.tools.jobs", value, AtomicLong::get).description("Tool jobs by kind and status")
                        .tag("kind", kind).tag("status", status).register(meters);
            }
        }
    }

    public Map<String, Object> create(String kind, String vendor, String vendorTaskId, JsonNode request,
            Exchange exchange) {
        UUID id = UUID.randomUUID();
        String principal = exchange == null ? null : Principal.current(exchange).map(Principal::id).orElse(null);
        jdbc.update("INSERT INTO tool_job (id, kind, vendor, vendor_task_id, status, request, principal_id, next_poll_at)"
                        + " VALUES (?, ?, ?, ?, 'queued', ?::jsonb, ?, now())",
                id, kind, vendor, vendorTaskId, request.toString(), principal);
        return find(kind, id, ALL);
    }

    /** Claims up to {@code limit} due jobs for {@code lease}; other instances skip the locked rows. */
    public List<Claimed> claimDue(String owner, int limit, Duration lease, List<String> vendors) {
        if (vendors.isEmpty()) {
            return List.of();
        }
        String in = String.join(",", java.util.Collections.nCopies(vendors.size(), "?"));
        List<Object> args = new java.util.ArrayList<>(List.of(owner, (double) lease.toSeconds()));
        args.addAll(vendors);
        args.add(limit);
        return jdbc.query("""
                UPDATE tool_job SET lease_owner = ?, lease_until = now() + make_interval(secs => ?), polls = polls + 1
                 WHERE id IN (SELECT id FROM tool_job
                               WHERE finished_at IS NULL AND next_poll_at <= now() AND vendor IN (%s)
                                 AND (lease_until IS NULL OR lease_until < now())
                               ORDER BY next_poll_at LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING id, kind, vendor, vendor_task_id, polls, request, created_at
                """.formatted(in), (rs, n) -> new Claimed(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getString("vendor"),
                rs.getString("vendor_task_id"), rs.getInt("polls"), readJson(rs.getString("request")),
                rs.getTimestamp("created_at").toInstant()), args.toArray());
    }

    /** Records a poll's outcome and releases the lease; {@code nextPoll} null when the job is finished. */
    public boolean record(UUID id, String owner, String status, String vendorStatus, Integer progress, JsonNode result,
            JsonNode error, Duration nextPoll) {
        boolean finished = nextPoll == null;
        return jdbc.update("""
                UPDATE tool_job SET status = ?, vendor_status = ?, progress = COALESCE(?, progress),
                       result = COALESCE(?::jsonb, result), error = COALESCE(?::jsonb, error),
                       next_poll_at = now() + make_interval(secs => ?), lease_until = NULL, lease_owner = NULL,
                       updated_at = now(), finished_at = CASE WHEN ? THEN now() ELSE NULL END
                 WHERE id = ? AND lease_owner = ?
                """, status, vendorStatus, progress, result == null ? null : result.toString(),
                error == null ? null : error.toString(), finished ? 0.0 : nextPoll.toMillis() / 1000.0, finished, id,
                owner) == 1;
    }

    /** The vendor could not be asked: keep the status, release the lease, try again after {@code delay}. */
    public void retryLater(UUID id, String owner, Duration delay) {
        jdbc.update("UPDATE tool_job SET next_poll_at = now() + make_interval(secs => ?), lease_until = NULL,"
                + " lease_owner = NULL, updated_at = now() WHERE id = ? AND lease_owner = ?",
                delay.toMillis() / 1000.0, id, owner);
    }

    /** GET /api/v1/3d/jobs/{jobId}: the caller's own job (see {@link Ownership}), else 404. */
    public Map<String, Object> get3dJob(Exchange exchange) {
        return find("3d", jobId(exchange), owned(exchange));
    }

    /** GET /api/v1/tryon/jobs/{jobId}: the caller's own job (see {@link Ownership}), else 404. */
    public Map<String, Object> getTryOnJob(Exchange exchange) {
        return find("tryon", jobId(exchange), owned(exchange));
    }

    private static Ownership.Filter owned(Exchange exchange) {
        return Ownership.of(Principal.current(exchange).orElse(null), "principal_id");
    }

    /** REST: a job accepted by a tool → 202 with Location. */
    public Object accepted(Exchange exchange) {
        @SuppressWarnings("unchecked")
        Map<String, Object> reply = (Map<String, Object>) exchange.getMessage().getBody();
        @SuppressWarnings("unchecked")
        Map<String, Object> job = (Map<String, Object>) reply.get("result");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        exchange.getMessage().setHeader("Location", ("3d".equals(job.get("kind")) ? "/api/v1/3d/jobs/"
                : "/api/v1/tryon/jobs/") + job.get("id"));
        return job;
    }

    /**
     * GET /api/v1/jobs?kind=&status=&limit=&offset= — the caller's 3D and try-on jobs (see {@link Ownership}),
     * newest first, with their progress.
     */
    public Map<String, Object> list(Exchange exchange) {
        String kind = exchange.getMessage().getHeader("kind", String.class);
        String status = exchange.getMessage().getHeader("status", String.class);
        int limit = Requests.intParam(exchange, "limit", 50);
        int offset = Requests.intParam(exchange, "offset", 0);
        Ownership.Filter owned = owned(exchange);
        String where = " WHERE (?::text IS NULL OR kind = ?) AND (?::text IS NULL OR status = ?) AND " + owned.sql();
        List<Object> args = new java.util.ArrayList<>();
        args.add(kind);
        args.add(kind);
        args.add(status);
        args.add(status);
        List<Map<String, Object>> items = jdbc.query("SELECT * FROM tool_job" + where
                + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?", (rs, n) -> toMap(rs),
                owned.around(args, limit, offset));
        Long total = jdbc.queryForObject("SELECT count(*) FROM tool_job" + where, Long.class, owned.around(args));
        return Page.of(exchange, items, total, limit, offset);
    }

    /** The job of this kind if {@code owned} lets its reader see it; 404 problem otherwise. */
    public Map<String, Object> find(String kind, UUID id, Ownership.Filter owned) {
        List<Map<String, Object>> rows = jdbc.query("SELECT * FROM tool_job WHERE id = ? AND kind = ? AND "
                + owned.sql(), (rs, n) -> toMap(rs), owned.with(id, kind));
        if (rows.isEmpty()) {
            throw ProblemException.notFound("No " + ("3d".equals(kind) ? "3D" : "try-on") + " job " + id + ".");
        }
        return rows.get(0);
    }

    /** Refreshes the per-status gauges (called by the poller). */
    public void refreshCounts() {
        Map<String, Long> now = new LinkedHashMap<>();
        jdbc.query("SELECT kind, status, count(*) AS n FROM tool_job GROUP BY kind, status",
                rs -> {
                    now.put(rs.getString("kind") + "/" + rs.getString("status"), rs.getLong("n"));
                });
        counts.forEach((key, value) -> value.set(now.getOrDefault(key, 0L)));
    }

    private static UUID jobId(Exchange exchange) {
        try {
            return UUID.fromString(exchange.getMessage().getHeader("jobId", String.class));
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("jobId", "is not a UUID");
        }
    }

    private Map<String, Object> toMap(ResultSet rs) throws SQLException {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", rs.getObject("id", UUID.class).toString());
        job.put("kind", rs.getString("kind"));
        job.put("status", rs.getString("status"));
        job.put("vendor", rs.getString("vendor"));
        job.put("vendor_task_id", rs.getString("vendor_task_id"));
        putIfPresent(job, "vendor_status", rs.getString("vendor_status"));
        Object progress = rs.getObject("progress");
        putIfPresent(job, "progress", progress);
        putIfPresent(job, "result", rs.getString("result") == null ? null : readJson(rs.getString("result")));
        putIfPresent(job, "error", rs.getString("error") == null ? null : readJson(rs.getString("error")));
        if ("tryon".equals(rs.getString("kind"))) {
            job.put("notice", "FASHN keeps output image URLs for 72 hours after completion; copy them before "
                    + "they expire (see result.expires_at).");
        }
        job.put("created_at", iso(rs.getTimestamp("created_at")));
        job.put("updated_at", iso(rs.getTimestamp("updated_at")));
        putIfPresent(job, "finished_at", iso(rs.getTimestamp("finished_at")));
        return job;
    }

    private static void putIfPresent(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static String iso(Timestamp ts) {
        return ts == null ? null : ts.toInstant().toString();
    }

    private JsonNode readJson(String text) {
        try {
            return json.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
