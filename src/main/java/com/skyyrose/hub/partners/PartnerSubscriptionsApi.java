package com.skyyrose.hub.partners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.security.FieldCrypto;
import com.skyyrose.hub.tools.SsrfGuard;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A partner's event subscriptions, their deliveries, replay, secret rotation, pause and resume. Every query names
 * the calling partner: another partner's subscription or delivery is not found (404).
 */
@Component("partnerSubscriptionsApi")
public class PartnerSubscriptionsApi {

    static final Set<String> TOPICS = Set.of("product.updated", "product.deleted", "inventory.changed",
            "order.status_changed");

    private final JdbcTemplate jdbc;
    private final PartnerScope scope;
    private final SsrfGuard ssrf;
    private final FieldCrypto crypto;
    private final ObjectMapper json;
    private final PartnerProperties properties;
    private final TransactionTemplate transactions;

    public PartnerSubscriptionsApi(JdbcTemplate jdbc, PartnerScope scope, SsrfGuard ssrf, FieldCrypto crypto,
            ObjectMapper json, PartnerProperties properties, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.scope = scope;
        this.ssrf = ssrf;
        this.crypto = crypto;
        this.json = json;
        this.properties = properties;
        this.transactions = transactions;
    }

    /** POST /api/v1/partner/subscriptions → 201 {id, …, secret}. */
    public Map<String, Object> create(byte[] body, Exchange exchange) {
        String partner = scope.partnerOf(exchange);
        if (partner == null) {
            throw notAPartner();
        }
        JsonNode in = Requests.jsonObject(json, body);
        String url = in.path("url").asText("").trim();
        ssrf.check("/url", url);
        Set<String> topics = new LinkedHashSet<>();
        in.path("topics").forEach(t -> topics.add(t.asText()));
        if (topics.isEmpty() || !TOPICS.containsAll(topics)) {
            throw ProblemException.badRequest("/topics", "must name topics among " + TOPICS);
        }
        String id = PartnerScope.newId("sub");
        String secret = StandardWebhooks.newSecret();
        jdbc.update("INSERT INTO partner_subscription (id, partner_id, url, topics, secret_enc) VALUES (?, ?, ?, ?, ?)",
                ps -> {
                    ps.setString(1, id);
                    ps.setString(2, partner);
                    ps.setString(3, url);
                    ps.setArray(4, ps.getConnection().createArrayOf("text", topics.toArray()));
                    ps.setString(5, encrypt(id, "secret_enc", secret));
                });
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        exchange.getMessage().setHeader("Location", "/api/v1/partner/subscriptions/" + id);
        Map<String, Object> out = subscription(partner, id);
        out.put("secret", secret);
        return out;
    }

    /** GET /api/v1/partner/subscriptions. */
    public Map<String, Object> list(Exchange exchange) {
        String partner = scope.partnerOf(exchange);
        List<Map<String, Object>> items = partner == null ? List.of() : jdbc.query(SELECT
                + " WHERE s.partner_id = ? ORDER BY s.created_at, s.id", (rs, i) -> map(rs), partner);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        return out;
    }

    /** GET /api/v1/partner/subscriptions/{subscriptionId}. */
    public Map<String, Object> get(Exchange exchange) {
        return subscription(scope.partnerOf(exchange), subscriptionId(exchange));
    }

    /** DELETE /api/v1/partner/subscriptions/{subscriptionId} → 204. */
    public void delete(Exchange exchange) {
        String partner = scope.partnerOf(exchange);
        String id = subscriptionId(exchange);
        subscription(partner, id);
        transactions.executeWithoutResult(tx -> {
            jdbc.update("DELETE FROM partner_delivery_attempt WHERE delivery_id IN"
                    + " (SELECT id FROM partner_delivery WHERE subscription_id = ?)", id);
            jdbc.update("DELETE FROM partner_delivery WHERE subscription_id = ?", id);
            jdbc.update("DELETE FROM partner_subscription WHERE id = ? AND partner_id = ?", id, partner);
        });
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody(null);
    }

    /** GET /api/v1/partner/subscriptions/{subscriptionId}/deliveries?status=&limit=&offset= (newest first). */
    public Map<String, Object> deliveries(Exchange exchange) {
        String partner = scope.partnerOf(exchange);
        String id = subscriptionId(exchange);
        subscription(partner, id);
        String status = exchange.getMessage().getHeader("status", String.class);
        int limit = Requests.intParam(exchange, "limit", 50);
        int offset = Requests.intParam(exchange, "offset", 0);
        List<Object> args = new ArrayList<>(List.of(id, partner));
        String filter = "";
        if (status != null && !status.isBlank()) {
            filter = " AND d.status = ?";
            args.add(status);
        }
        args.add(limit);
        args.add(offset);
        List<Map<String, Object>> items = jdbc.query(DELIVERY_SELECT + " WHERE d.subscription_id = ?"
                + " AND s.partner_id = ?" + filter + " ORDER BY d.id DESC LIMIT ? OFFSET ?",
                (rs, i) -> delivery(rs), args.toArray());
        attachAttempts(items);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        return out;
    }

    /** POST …/deliveries/{deliveryId}/replay → 202: pending again, due now, same webhook-id. */
    public Map<String, Object> replay(Exchange exchange) {
        String partner = scope.partnerOf(exchange);
        String id = subscriptionId(exchange);
        long deliveryId = exchange.getMessage().getHeader("deliveryId", Long.class);
        int n = jdbc.update("UPDATE partner_delivery d SET status = 'pending', next_attempt_at = now(),"
                + " lease_until = NULL, delivered_at = NULL, lag_ms = NULL FROM partner_subscription s"
                + " WHERE s.id = d.subscription_id AND d.id = ? AND d.subscription_id = ? AND s.partner_id = ?"
                + " AND d.status <> 'pending'", deliveryId, id, partner);
        Map<String, Object> delivery = delivery(partner, id, deliveryId);
        if (n == 0) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, 409,
                    "Delivery " + deliveryId + " is already pending."));
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 202);
        return delivery;
    }

    /** POST …/rotate-secret: a new secret; the previous one keeps signing (second signature) for the grace. */
    public Map<String, Object> rotate(Exchange exchange) {
        String partner = scope.partnerOf(exchange);
        String id = subscriptionId(exchange);
        subscription(partner, id);
        String secret = StandardWebhooks.newSecret();
        Instant until = Instant.now().plus(properties.getDelivery().getPreviousSecretGrace());
        transactions.executeWithoutResult(tx -> {
            String current = jdbc.queryForObject("SELECT secret_enc FROM partner_subscription WHERE id = ? FOR UPDATE",
                    String.class, id);
            String previous = encrypt(id, "previous_secret_enc", decrypt(id, "secret_enc", current));
            jdbc.update("UPDATE partner_subscription SET secret_enc = ?, previous_secret_enc = ?,"
                    + " previous_secret_until = ?, updated_at = now() WHERE id = ? AND partner_id = ?",
                    encrypt(id, "secret_enc", secret), previous, Timestamp.from(until), id, partner);
        });
        Map<String, Object> out = subscription(partner, id);
        out.put("secret", secret);
        return out;
    }

    /** POST …/pause. */
    public Map<String, Object> pause(Exchange exchange) {
        return setStatus(exchange, "paused");
    }

    /** POST …/resume: active again, a hub-set disable reason and the dead-letter streak cleared. */
    public Map<String, Object> resume(Exchange exchange) {
        return setStatus(exchange, "active");
    }

    private Map<String, Object> setStatus(Exchange exchange, String status) {
        String partner = scope.partnerOf(exchange);
        String id = subscriptionId(exchange);
        subscription(partner, id);
        jdbc.update("UPDATE partner_subscription SET status = ?, disabled_reason = NULL, consecutive_dead = 0,"
                + " updated_at = now() WHERE id = ? AND partner_id = ?", status, id, partner);
        return subscription(partner, id);
    }

    // ---- reading

    private static final String SELECT = "SELECT s.*,"
            + " (SELECT count(*) FROM partner_delivery d WHERE d.subscription_id = s.id AND d.status = 'pending')"
            + "   AS pending,"
            + " (SELECT count(*) FROM partner_delivery d WHERE d.subscription_id = s.id AND d.status = 'dead') AS dead"
            + " FROM partner_subscription s";

    private static final String DELIVERY_SELECT = "SELECT d.*, e.topic FROM partner_delivery d"
            + " JOIN partner_event e ON e.id = d.event_id JOIN partner_subscription s ON s.id = d.subscription_id";

    private Map<String, Object> subscription(String partner, String id) {
        List<Map<String, Object>> rows = partner == null ? List.of()
                : jdbc.query(SELECT + " WHERE s.id = ? AND s.partner_id = ?", (rs, i) -> map(rs), id, partner);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("Subscription " + id + " does not exist.");
        }
        return rows.get(0);
    }

    private Map<String, Object> delivery(String partner, String subscription, long id) {
        List<Map<String, Object>> rows = partner == null ? List.of() : jdbc.query(DELIVERY_SELECT
                + " WHERE d.id = ? AND d.subscription_id = ? AND s.partner_id = ?", (rs, i) -> delivery(rs), id,
                subscription, partner);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("Delivery " + id + " does not exist.");
        }
        attachAttempts(rows);
        return rows.get(0);
    }

    private static Map<String, Object> map(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getString("id"));
        m.put("url", rs.getString("url"));
        Array topics = rs.getArray("topics");
        m.put("topics", Arrays.asList((String[]) topics.getArray()));
        m.put("status", rs.getString("status"));
        m.put("disabled_reason", rs.getString("disabled_reason"));
        m.put("pending", rs.getLong("pending"));
        m.put("dead", rs.getLong("dead"));
        m.put("created_at", rs.getTimestamp("created_at").toInstant().toString());
        m.put("updated_at", rs.getTimestamp("updated_at").toInstant().toString());
        return m;
    }

    private static Map<String, Object> delivery(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        long id = rs.getLong("id");
        m.put("id", id);
        m.put("webhook_id", PartnerDeliveryWorker.webhookId(id));
        m.put("event_type", rs.getString("topic"));
        m.put("status", rs.getString("status"));
        m.put("attempts", rs.getInt("attempts"));
        m.put("next_attempt_at", "pending".equals(rs.getString("status"))
                ? rs.getTimestamp("next_attempt_at").toInstant().toString() : null);
        m.put("last_status_code", (Integer) rs.getObject("last_status_code"));
        m.put("last_latency_ms", (Integer) rs.getObject("last_latency_ms"));
        m.put("last_error", rs.getString("last_error"));
        m.put("created_at", rs.getTimestamp("created_at").toInstant().toString());
        Timestamp delivered = rs.getTimestamp("delivered_at");
        m.put("delivered_at", delivered == null ? null : delivered.toInstant().toString());
        m.put("lag_ms", (Long) rs.getObject("lag_ms"));
        return m;
    }

    /** Adds each delivery's attempts (number, time, status code, latency, error). */
    private void attachAttempts(List<Map<String, Object>> deliveries) {
        if (deliveries.isEmpty()) {
            return;
        }
        Map<Long, List<Map<String, Object>>> byDelivery = new LinkedHashMap<>();
        for (Map<String, Object> d : deliveries) {
            List<Map<String, Object>> log = new ArrayList<>();
            byDelivery.put((Long) d.get("id"), log);
            d.put("attempt_log", log);
        }
        jdbc.query(con -> {
            var ps = con.prepareStatement("SELECT * FROM partner_delivery_attempt WHERE delivery_id = ANY (?)"
                    + " ORDER BY delivery_id, attempt");
            ps.setArray(1, con.createArrayOf("bigint", byDelivery.keySet().toArray()));
            return ps;
        }, rs -> {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("attempt", rs.getInt("attempt"));
            a.put("at", rs.getTimestamp("at").toInstant().toString());
            a.put("status_code", (Integer) rs.getObject("status_code"));
            a.put("latency_ms", (Integer) rs.getObject("latency_ms"));
            a.put("error", rs.getString("error"));
            byDelivery.get(rs.getLong("delivery_id")).add(a);
        });
    }

    private String encrypt(String id, String column, String secret) {
        return crypto.encrypt(secret, FieldCrypto.aad("partner_subscription", column, id));
    }

    private String decrypt(String id, String column, String stored) {
        return crypto.decrypt(stored, FieldCrypto.aad("partner_subscription", column, id));
    }

    private static String subscriptionId(Exchange exchange) {
        return exchange.getMessage().getHeader("subscriptionId", String.class);
    }

    /** A caller with partner permissions but no partner (a user, an unbound key): nothing to subscribe for. */
    static ProblemException notAPartner() {
        return new ProblemException(Problem.of(ProblemType.CONFLICT, 409, "This credential is not bound to a "
                + "partner; use an API key from POST /api/v1/partners/{id}/api-keys."));
    }
}
