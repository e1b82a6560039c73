package com.skyyrose.hub.security;

import com.skyyrose.hub.api.ContractOperationStrategy;
import jakarta.servlet.http.HttpServletRequest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The audit log in PostgreSQL: logins, logouts, failed logins, permission denials, key creation and revocation,
 * and every mutating API call, with actor, action, target, outcome, request id, IP and time. Callers pass no
 * secrets: only ids, names and outcomes. Writing never fails the request (a failure is logged).
 */
@Component
public class AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    /** Exchange property caching the client address. */
    public static final String CLIENT_IP = "hub.clientIp";

    private final JdbcTemplate jdbc;

    public AuditLog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public record Entry(long id, Instant at, String actor, String actorKind, String action, String target,
            String outcome, Integer status, String requestId, String ip, String detail) {
    }

    public void record(Exchange exchange, Principal actor, String action, String target, String outcome,
            Integer status, String detail) {
        record(actor == null ? null : actor.id(), actor == null ? null : actor.kind().name().toLowerCase(),
                action, target, outcome, status,
                exchange == null ? null : exchange.getProperty(ContractOperationStrategy.REQUEST_ID, String.class),
                exchange == null ? null : clientIp(exchange), detail);
    }

    public void record(String actor, String actorKind, String action, String target, String outcome, Integer status,
            String requestId, String ip, String detail) {
        try {
            jdbc.update("INSERT INTO audit_log (actor, actor_kind, action, target, outcome, status, request_id, ip, "
                    + "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", actor, actorKind, action, target, outcome, status,
                    requestId, ip, detail);
        } catch (RuntimeException e) {
            LOG.error("Could not write audit entry {} {} {}: {}", action, target, outcome, e.toString());
        }
    }

    /** Filtered, newest first, keyset-paginated by id ({@code before}). */
    public List<Entry> find(String actor, String action, String outcome, Instant since, Instant until, Long before,
            int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_log WHERE TRUE");
        List<Object> args = new ArrayList<>();
        if (actor != null) {
            sql.append(" AND actor = ?");
            args.add(actor);
        }
        if (action != null) {
            sql.append(" AND action = ?");
            args.add(action);
        }
        if (outcome != null) {
            sql.append(" AND outcome = ?");
            args.add(outcome);
        }
        if (since != null) {
            sql.append(" AND at >= ?");
            args.add(Timestamp.from(since));
        }
        if (until != null) {
            sql.append(" AND at < ?");
            args.add(Timestamp.from(until));
        }
        if (before != null) {
            sql.append(" AND id < ?");
            args.add(before);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        return jdbc.query(sql.toString(), (rs, i) -> new Entry(rs.getLong("id"),
                rs.getTimestamp("at").toInstant(), rs.getString("actor"), rs.getString("actor_kind"),
                rs.getString("action"), rs.getString("target"), rs.getString("outcome"),
                (Integer) rs.getObject("status"), rs.getString("request_id"), rs.getString("ip"),
                rs.getString("detail")), args.toArray());
    }

    public static Map<String, Object> toMap(Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("at", e.at().toString());
        m.put("actor", e.actor());
        m.put("actorKind", e.actorKind());
        m.put("action", e.action());
        m.put("target", e.target());
        m.put("outcome", e.outcome());
        m.put("status", e.status());
        m.put("requestId", e.requestId());
        m.put("ip", e.ip());
        m.put("detail", e.detail());
        return m;
    }

    /** The client's address as the servlet container sees it (proxy headers honoured per server settings). */
    public static String clientIp(Exchange exchange) {
        String known = exchange.getProperty(CLIENT_IP, String.class);
        if (known != null) {
            return known;
        }
        Object request = exchange.getMessage().getHeader("CamelHttpServletRequest");
        if (request == null && exchange.getIn() != null) {
            request = exchange.getIn().getHeader("CamelHttpServletRequest");
        }
        if (request instanceof HttpServletRequest http) {
            exchange.setProperty(CLIENT_IP, http.getRemoteAddr());
            return http.getRemoteAddr();
        }
        return null;
    }
}
