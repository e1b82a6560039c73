package com.skyyrose.hub.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import com.skyyrose.hub.security.Ownership;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Round-table results and their candidates in PostgreSQL (V50__round_table.sql). */
@Component
public class RoundTableStore {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper json;

    public RoundTableStore(JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper json) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    public void save(RoundTableResult r, String prompt, String principalId) {
        String doc = write(r);
        tx.executeWithoutResult(status -> {
            jdbc.update("INSERT INTO round_table_result (id, principal_id, created_at, prompt, winner_provider, "
                    + "winner_model, method, degraded, total_latency_ms, input_tokens, output_tokens, cost_usd, "
                    + "response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)",
                    UUID.fromString(r.id()), principalId, Timestamp.from(Instant.parse(r.createdAt())), prompt,
                    r.winner() == null ? null : r.winner().provider(),
                    r.winner() == null ? null : r.winner().model(), r.selection().method(), r.degraded(),
                    r.totalLatencyMs(), r.tokens().input(), r.tokens().output(), r.costUsd(), doc);
            List<Object[]> rows = new ArrayList<>();
            for (int i = 0; i < r.candidates().size(); i++) {
                Candidate c = r.candidates().get(i);
                rows.add(new Object[] {UUID.fromString(r.id()), i, c.provider(), c.model(), c.text(), c.error(),
                        c.latencyMs(), c.tokens().input(), c.tokens().output(), c.costUsd(), c.score(),
                        write(c.scores())});
            }
            jdbc.batchUpdate("INSERT INTO round_table_candidate (result_id, position, provider, model, text, error, "
                    + "latency_ms, input_tokens, output_tokens, cost_usd, score, scores) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)", rows);
        });
    }

    /** The result if {@code owned} lets its reader see it (see {@link Ownership}). */
    public Optional<String> find(UUID id, Ownership.Filter owned) {
        return jdbc.query("SELECT response::text FROM round_table_result WHERE id = ? AND " + owned.sql(),
                (rs, n) -> rs.getString(1), owned.with(id)).stream().findFirst();
    }

    /** One page of the results {@code owned} lets its reader see (newest first) and their totals. */
    public Map<String, Object> list(Ownership.Filter owned, String principalId, String provider, int limit,
            int offset) {
        StringBuilder where = new StringBuilder(" WHERE " + owned.sql());
        List<Object> args = new ArrayList<>(owned.args());
        if (principalId != null) {
            where.append(" AND principal_id = ?");
            args.add(principalId);
        }
        if (provider != null) {
            where.append(" AND winner_provider = ?");
            args.add(provider);
        }
        Map<String, Object> totals = jdbc.queryForObject("SELECT count(*), coalesce(sum(cost_usd), 0), "
                + "coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0) FROM round_table_result" + where,
                (rs, n) -> {
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("results", rs.getLong(1));
                    t.put("cost_usd", rs.getBigDecimal(2).doubleValue());
                    t.put("tokens", Map.of("input", rs.getLong(3), "output", rs.getLong(4)));
                    return t;
                }, args.toArray());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(limit);
        pageArgs.add(offset);
        List<Map<String, Object>> items = jdbc.query("SELECT id, created_at, principal_id, left(prompt, 200), "
                + "winner_provider, winner_model, method, degraded, total_latency_ms, input_tokens, output_tokens, "
                + "cost_usd FROM round_table_result" + where + " ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
                (rs, n) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getString(1));
                    m.put("created_at", rs.getTimestamp(2).toInstant().toString());
                    m.put("principal", rs.getString(3));
                    m.put("prompt", rs.getString(4));
                    m.put("winner_provider", rs.getString(5));
                    m.put("winner_model", rs.getString(6));
                    m.put("method", rs.getString(7));
                    m.put("degraded", rs.getBoolean(8));
                    m.put("total_latency_ms", rs.getLong(9));
                    m.put("tokens", Map.of("input", rs.getLong(10), "output", rs.getLong(11)));
                    m.put("cost_usd", rs.getBigDecimal(12).doubleValue());
                    return m;
                }, pageArgs.toArray());
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("items", items);
        page.put("total", totals.get("results"));
        page.put("limit", limit);
        page.put("offset", offset);
        page.put("totals", totals);
        return page;
    }

    /**
     * Per provider over the last {@code minutes}: calls, errors, timeouts, late, latency p50/p95 of answered calls
     * and p95 with late and timed-out calls at their latency so far.
     */
    public Map<String, Map<String, Object>> recent(int minutes) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        jdbc.query("SELECT provider, count(*), count(*) FILTER (WHERE error IS NOT NULL), "
                + "count(*) FILTER (WHERE error = 'timeout'), "
                + "percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE error IS NULL), "
                + "percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE error IS NULL), "
                + "max(created_at) FILTER (WHERE error IS NOT NULL), count(*) FILTER (WHERE error = 'late'), "
                // late and timed-out calls count at their latency so far: the latency budget must see them
                + "percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) "
                + "FILTER (WHERE error IS NULL OR error IN ('late', 'timeout')) "
                + "FROM round_table_candidate WHERE created_at > now() - make_interval(mins => ?) GROUP BY provider",
                rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("window_minutes", minutes);
                    m.put("calls", rs.getLong(2));
                    m.put("errors", rs.getLong(3));
                    m.put("timeouts", rs.getLong(4));
                    Object p50 = rs.getObject(5);
                    Object p95 = rs.getObject(6);
                    m.put("latency_ms_p50", p50 == null ? null : Math.round(((Number) p50).doubleValue()));
                    m.put("latency_ms_p95", p95 == null ? null : Math.round(((Number) p95).doubleValue()));
                    Timestamp lastError = rs.getTimestamp(7);
                    m.put("last_error_at", lastError == null ? null : lastError.toInstant().toString());
                    m.put("late", rs.getLong(8));
                    Object p95WithLate = rs.getObject(9);
                    m.put("latency_ms_p95_with_late", p95WithLate == null ? null
                            : Math.round(((Number) p95WithLate).doubleValue()));
                    out.put(rs.getString(1), m);
                }, minutes);
        return out;
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
