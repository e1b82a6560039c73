package com.skyyrose.hub.agents;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Page;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.security.Principal;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The escalation queue: cases a SuperAgent handed to a person (Support's escalation rules) become rows that
 * operators list, claim and resolve ({@code /api/v1/escalations}, routes/agents/escalations.camel.yaml).
 * Transitions are single conditional UPDATEs, so two operators never both claim one case: open → claimed → resolved,
 * or open → resolved directly; anything else is 409.
 */
@Component("escalations")
public class Escalations {

    private static final Logger LOG = LoggerFactory.getLogger(Escalations.class);
    private static final Set<String> STATUSES = Set.of("open", "claimed", "resolved");
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    /** One gauge read per scrape serves all three gauges. */
    private static final long SNAPSHOT_MILLIS = 500;

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private volatile Snapshot snapshot = new Snapshot(0, 0, 0, 0);

    private record Snapshot(long open, long claimed, double oldestOpenSeconds, long takenAt) {
    }

    public Escalations(JdbcTemplate jdbc, ObjectMapper json, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.json = json;
        this.meters = meters;
        Gauge.builder("hub.agents.escalations", this, e -> e.snapshot().open)
                .description("Escalations waiting in the queue, by status").tag("status", "open").register(meters);
        Gauge.builder("hub.agents.escalations", this, e -> e.snapshot().claimed)
                .description("Escalations waiting in the queue, by status").tag("status", "claimed").register(meters);
        Gauge.builder("hub.agents.escalations.oldest.open.age", this, e -> e.snapshot().oldestOpenSeconds)
                .description("How long the oldest unclaimed escalation has waited (0 when none)").baseUnit("seconds")
                .register(meters);
    }

    private Snapshot snapshot() {
        Snapshot s = snapshot;
        if (System.currentTimeMillis() - s.takenAt < SNAPSHOT_MILLIS) {
            return s;
        }
        try {
            s = jdbc.queryForObject("""
                    SELECT count(*) FILTER (WHERE status = 'open') AS open,
                           count(*) FILTER (WHERE status = 'claimed') AS claimed,
                           coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'open')), 0)
                               AS oldest
                    FROM agent_escalation WHERE status <> 'resolved'
                    """, (rs, i) -> new Snapshot(rs.getLong("open"), rs.getLong("claimed"), rs.getDouble("oldest"),
                    System.currentTimeMillis()));
            snapshot = s;
        } catch (Exception e) {
            LOG.debug("escalation gauges not refreshed: {}", e.toString());
        }
        return s;
    }

    /**
     * {@code direct:agent-escalate}, after the agent decided: the run's case joins the queue; the body becomes the
     * new escalation (what {@code direct:escalation-notify} hands on).
     */
    public Map<String, Object> open(Exchange exchange) throws Exception {
        AgentRun run = AgentChain.run(exchange);
        if (run.escalation == null) {
            throw new IllegalStateException("no escalation decided for run " + run.id);
        }
        UUID id = UUID.randomUUID();
        Object facts = run.escalation.get("facts");
        jdbc.update("""
                INSERT INTO agent_escalation (id, run_id, agent_id, queue, rule, facts)
                VALUES (?, ?, ?, ?, ?, ?::jsonb)
                """, id, run.id, run.agentId, String.valueOf(run.escalation.get("queue")),
                String.valueOf(run.escalation.get("rule")), json.writeValueAsString(facts == null ? Map.of() : facts));
        run.escalation.put("id", id.toString());
        meters.counter("hub.agents.escalations.transitions", "agent", run.agentId, "to", "open").increment();
        return find(id).orElseThrow();
    }

    // ---- REST ---------------------------------------------------------------------------------------------

    /** GET /api/v1/escalations — the queue, oldest first; {@code status} filters. */
    public Map<String, Object> list(Exchange exchange) {
        String status = exchange.getMessage().getHeader("status", String.class);
        int limit = Requests.intParam(exchange, "limit", 20);
        int offset = Requests.intParam(exchange, "offset", 0);
        List<Object> args = new ArrayList<>();
        String where = "";
        if (status != null && !status.isBlank()) {
            if (!STATUSES.contains(status)) {
                throw ProblemException.badRequest("status", "must be open, claimed or resolved");
            }
            where = " WHERE e.status = ?";
            args.add(status);
        }
        Long total = jdbc.queryForObject("SELECT count(*) FROM agent_escalation e" + where, Long.class,
                args.toArray());
        args.add(limit);
        args.add(offset);
        List<Map<String, Object>> items = jdbc.query(SELECT + where + " ORDER BY e.created_at, e.id LIMIT ? OFFSET ?",
                (rs, i) -> row(rs), args.toArray());
        return Page.of(exchange, items, total, limit, offset);
    }

    /** GET /api/v1/escalations/{escalationId} */
    public Map<String, Object> get(Exchange exchange) {
        UUID id = id(exchange);
        return find(id).orElseThrow(() -> notFound(id));
    }

    /** POST /api/v1/escalations/{escalationId}/claim — open → claimed; claiming one's own claim again is a no-op. */
    public Map<String, Object> claim(Exchange exchange) {
        Principal who = principal(exchange);
        UUID id = id(exchange);
        int n = jdbc.update("""
                UPDATE agent_escalation SET status = 'claimed', claimed_by = ?, claimed_at = now(), updated_at = now()
                WHERE id = ? AND status = 'open'
                """, who.id(), id);
        Map<String, Object> current = find(id).orElseThrow(() -> notFound(id));
        if (n == 1) {
            transition(current, "claimed");
            return current;
        }
        if ("claimed".equals(current.get("status")) && who.id().equals(current.get("claimed_by"))) {
            return current;
        }
        throw conflict(current, "claim");
    }

    /**
     * POST /api/v1/escalations/{escalationId}/resolve — open or claimed by the caller (any claim for admins) →
     * resolved with the resolution text.
     */
    public Map<String, Object> resolve(Exchange exchange) throws Exception {
        Principal who = principal(exchange);
        UUID id = id(exchange);
        JsonNode body = json.readTree(exchange.getMessage().getBody(byte[].class));
        String resolution = body.path("resolution").asText("").strip();
        if (resolution.isEmpty()) {
            throw ProblemException.badRequest("resolution", "must not be blank");
        }
        int n = jdbc.update("""
                UPDATE agent_escalation SET status = 'resolved', resolved_by = ?, resolved_at = now(), resolution = ?,
                       claimed_by = coalesce(claimed_by, ?), claimed_at = coalesce(claimed_at, now()),
                       updated_at = now()
                WHERE id = ? AND (status = 'open' OR (status = 'claimed' AND (claimed_by = ? OR ?)))
                """, who.id(), resolution, who.id(), id, who.id(), who.isAdmin());
        Map<String, Object> current = find(id).orElseThrow(() -> notFound(id));
        if (n == 1) {
            transition(current, "resolved");
            return current;
        }
        throw conflict(current, "resolve");
    }

    // ---- reading ------------------------------------------------------------------------------------------

    private static final String SELECT = """
            SELECT e.*, r.task, r.principal_id AS requested_by, extract(epoch FROM now() - e.created_at) AS age
            FROM agent_escalation e JOIN agent_run r ON r.id = e.run_id""";

    Optional<Map<String, Object>> find(UUID id) {
        return jdbc.query(SELECT + " WHERE e.id = ?", (rs, i) -> row(rs), id).stream().findFirst();
    }

    private Map<String, Object> row(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getObject("id", UUID.class).toString());
        m.put("status", rs.getString("status"));
        m.put("queue", rs.getString("queue"));
        m.put("agent", rs.getString("agent_id"));
        m.put("run_id", rs.getObject("run_id", UUID.class).toString());
        m.put("rule", rs.getString("rule"));
        try {
            m.put("facts", json.readValue(rs.getString("facts"), MAP));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        m.put("task", rs.getString("task"));
        m.put("requested_by", rs.getString("requested_by"));
        m.put("created_at", instant(rs.getTimestamp("created_at")));
        m.put("age_seconds", Math.round(rs.getDouble("age")));
        m.put("claimed_by", rs.getString("claimed_by"));
        m.put("claimed_at", instant(rs.getTimestamp("claimed_at")));
        m.put("resolved_by", rs.getString("resolved_by"));
        m.put("resolved_at", instant(rs.getTimestamp("resolved_at")));
        m.put("resolution", rs.getString("resolution"));
        return m;
    }

    private void transition(Map<String, Object> escalation, String to) {
        meters.counter("hub.agents.escalations.transitions", "agent", String.valueOf(escalation.get("agent")), "to",
                to).increment();
        snapshot = new Snapshot(0, 0, 0, 0); // the next scrape reads the new state
    }

    private static ProblemException conflict(Map<String, Object> current, String action) {
        String state = switch (String.valueOf(current.get("status"))) {
            case "claimed" -> "claimed by " + current.get("claimed_by");
            case "resolved" -> "already resolved by " + current.get("resolved_by");
            default -> String.valueOf(current.get("status"));
        };
        return new ProblemException(ProblemType.CONFLICT, 409, "Cannot " + action + " escalation " + current.get("id")
                + ": it is " + state + ".");
    }

    private static ProblemException notFound(UUID id) {
        return ProblemException.notFound("No escalation " + id + ".");
    }

    private static UUID id(Exchange exchange) {
        String s = exchange.getMessage().getHeader("escalationId", String.class);
        try {
            return UUID.fromString(s);
        } catch (Exception e) {
            throw ProblemException.notFound("No escalation " + s + ".");
        }
    }

    private static Principal principal(Exchange exchange) {
        return Principal.current(exchange).orElseThrow(() -> new ProblemException(ProblemType.UNAUTHORIZED, 401,
                "Authentication required."));
    }

    private static String instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant().toString();
    }
}
