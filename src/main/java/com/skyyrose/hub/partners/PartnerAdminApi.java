package com.skyyrose.hub.partners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.security.ApiKeyService;
import com.skyyrose.hub.security.Permissions;
import com.skyyrose.hub.security.Principal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Partner onboarding for administrators: partners CRUD and API keys bound to a partner. */
@Component("partnerAdminApi")
public class PartnerAdminApi {

    private final JdbcTemplate jdbc;
    private final ApiKeyService apiKeys;
    private final PartnerProperties properties;
    private final ObjectMapper json;
    private final TransactionTemplate transactions;

    public PartnerAdminApi(JdbcTemplate jdbc, ApiKeyService apiKeys, PartnerProperties properties, ObjectMapper json,
            TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.apiKeys = apiKeys;
        this.properties = properties;
        this.json = json;
        this.transactions = transactions;
    }

    /** POST /api/v1/partners → 201. */
    public Map<String, Object> create(byte[] body, Exchange exchange) {
        JsonNode in = Requests.jsonObject(json, body);
        String name = in.path("name").asText("").trim();
        String email = in.path("contact_email").asText("").trim();
        if (name.isEmpty()) {
            throw ProblemException.badRequest("/name", "must not be blank");
        }
        String id = PartnerScope.newId("prt");
        jdbc.update("INSERT INTO partner (id, name, contact_email) VALUES (?, ?, ?)", id, name, email);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        exchange.getMessage().setHeader("Location", "/api/v1/partners/" + id);
        return partner(id, false);
    }

    /** GET /api/v1/partners. */
    public Map<String, Object> list(Exchange exchange) {
        boolean all = Boolean.parseBoolean(String.valueOf(exchange.getMessage().getHeader("include_deleted")));
        int limit = Requests.intParam(exchange, "limit", 50);
        int offset = Requests.intParam(exchange, "offset", 0);
        String where = all ? "" : " WHERE p.status = 'active'";
        List<Map<String, Object>> items = jdbc.query(SELECT + where + " ORDER BY p.created_at, p.id LIMIT ? OFFSET ?",
                (rs, i) -> map(rs), limit, offset);
        long total = jdbc.queryForObject("SELECT count(*) FROM partner p" + where, Long.class);
        exchange.getMessage().setHeader("X-Total-Count", total);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("total", total);
        return out;
    }

    /** GET /api/v1/partners/{partnerId}. */
    public Map<String, Object> get(Exchange exchange) {
        return partner(partnerId(exchange), true);
    }

    /** PATCH /api/v1/partners/{partnerId}. */
    public Map<String, Object> update(byte[] body, Exchange exchange) {
        String id = partnerId(exchange);
        JsonNode in = Requests.jsonObject(json, body);
        if (in.has("name") && in.get("name").asText().isBlank()) {
            throw ProblemException.badRequest("/name", "must not be blank");
        }
        int n = jdbc.update("UPDATE partner SET name = COALESCE(?, name), contact_email = COALESCE(?, contact_email),"
                + " updated_at = now() WHERE id = ? AND status = 'active'",
                in.has("name") ? in.get("name").asText().trim() : null,
                in.has("contact_email") ? in.get("contact_email").asText().trim() : null, id);
        if (n == 0) {
            throw notFound(id);
        }
        return partner(id, false);
    }

    /** DELETE /api/v1/partners/{partnerId} → 204: keys revoked, subscriptions disabled, queued deliveries dropped. */
    public void delete(Exchange exchange) {
        String id = partnerId(exchange);
        Boolean done = transactions.execute(tx -> {
            int n = jdbc.update("UPDATE partner SET status = 'deleted', deleted_at = now(), updated_at = now()"
                    + " WHERE id = ? AND status = 'active'", id);
            if (n == 0) {
                return false;
            }
            jdbc.update("UPDATE api_key SET revoked_at = now() WHERE revoked_at IS NULL"
                    + " AND id IN (SELECT key_id FROM partner_api_key WHERE partner_id = ?)", id);
            jdbc.update("UPDATE partner_subscription SET status = 'disabled', disabled_reason = 'partner deleted',"
                    + " updated_at = now() WHERE partner_id = ?", id);
            jdbc.update("UPDATE partner_delivery SET status = 'dead', last_error = 'partner deleted'"
                    + " WHERE status = 'pending' AND subscription_id IN"
                    + " (SELECT id FROM partner_subscription WHERE partner_id = ?)", id);
            return true;
        });
        if (!Boolean.TRUE.equals(done)) {
            throw notFound(id);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody(null);
    }

    /** POST /api/v1/partners/{partnerId}/api-keys → 201 {id, key, …}; the key is shown only here. */
    public Map<String, Object> createKey(byte[] body, Exchange exchange) {
        String id = partnerId(exchange);
        JsonNode in = body == null || body.length == 0 ? json.createObjectNode() : Requests.jsonObject(json, body);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT name FROM partner WHERE id = ? AND status = 'active'",
                id);
        if (rows.isEmpty()) {
            throw notFound(id);
        }
        Instant expires = null;
        if (in.hasNonNull("expires_at")) {
            try {
                expires = Instant.parse(in.get("expires_at").asText());
            } catch (DateTimeParseException e) {
                throw ProblemException.badRequest("/expires_at", "must be an RFC 3339 date-time");
            }
            if (!expires.isAfter(Instant.now())) {
                throw ProblemException.badRequest("/expires_at", "must be in the future");
            }
        }
        int rate = in.hasNonNull("rate_per_minute") ? in.get("rate_per_minute").asInt() : properties.getKeyRatePerMinute();
        String keyName = in.hasNonNull("name") ? in.get("name").asText() : "partner " + rows.get(0).get("name");
        String createdBy = Principal.current(exchange).map(Principal::id).orElse("system");
        Instant expiresAt = expires;
        ApiKeyService.Created created = transactions.execute(tx -> {
            ApiKeyService.Created c = apiKeys.create(keyName, new LinkedHashSet<>(Permissions.grantsOf("partner")),
                    expiresAt, rate, createdBy);
            jdbc.update("INSERT INTO partner_api_key (key_id, partner_id) VALUES (?, ?)", c.key().id(), id);
            return c;
        });
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", created.key().id());
        out.put("key", created.secret());
        out.put("partner_id", id);
        out.put("name", keyName);
        out.put("rate_per_minute", rate);
        out.put("expires_at", expiresAt == null ? null : expiresAt.toString());
        return out;
    }

    private static final String SELECT = "SELECT p.*,"
            + " (SELECT count(*) FROM partner_api_key k JOIN api_key a ON a.id = k.key_id"
            + "   WHERE k.partner_id = p.id AND a.revoked_at IS NULL) AS api_keys,"
            + " (SELECT count(*) FROM partner_subscription s WHERE s.partner_id = p.id) AS subscriptions"
            + " FROM partner p";

    private Map<String, Object> partner(String id, boolean includeDeleted) {
        List<Map<String, Object>> rows = jdbc.query(SELECT + " WHERE p.id = ?"
                + (includeDeleted ? "" : " AND p.status = 'active'"), (rs, i) -> map(rs), id);
        if (rows.isEmpty()) {
            throw notFound(id);
        }
        return rows.get(0);
    }

    private static Map<String, Object> map(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getString("id"));
        m.put("name", rs.getString("name"));
        m.put("contact_email", rs.getString("contact_email"));
        m.put("status", rs.getString("status"));
        m.put("api_keys", rs.getLong("api_keys"));
        m.put("subscriptions", rs.getLong("subscriptions"));
        m.put("created_at", rs.getTimestamp("created_at").toInstant().toString());
        m.put("updated_at", rs.getTimestamp("updated_at").toInstant().toString());
        return m;
    }

    private static String partnerId(Exchange exchange) {
        return exchange.getMessage().getHeader("partnerId", String.class);
    }

    static ProblemException notFound(String id) {
        return new ProblemException(Problem.of(ProblemType.NOT_FOUND, 404, "Partner " + id + " does not exist."));
    }
}
