package com.skyyrose.hub.partners;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Usage per partner. As Prometheus metrics (this instance): {@code hub_partner_requests_total{partner}},
 * {@code hub_partner_deliveries_total{partner,outcome=delivered|failed|dead}} and
 * {@code hub_partner_delivery_lag_seconds{partner}} (store event received → delivered). For the API and the
 * console (all instances, last 24 h): requests from hourly Redis counters (TTL 25 h), deliveries, failures, dead
 * letters, pending and lag from the delivery tables.
 */
@Component("partnerUsage")
public class PartnerUsage {

    private static final Logger LOG = LoggerFactory.getLogger(PartnerUsage.class);
    static final int WINDOW_HOURS = 24;

    private final JdbcTemplate jdbc;
    private final StringRedisTemplate redis;
    private final MeterRegistry meters;
    private final PartnerScope scope;

    public PartnerUsage(JdbcTemplate jdbc, StringRedisTemplate redis, MeterRegistry meters, PartnerScope scope) {
        this.jdbc = jdbc;
        this.redis = redis;
        this.meters = meters;
        this.scope = scope;
    }

    /** Counts one partner API request. A Redis outage loses the count, never the request. */
    void request(String partner) {
        Counter.builder("hub.partner.requests").tag("partner", partner).register(meters).increment();
        String key = "hub:partner:requests:" + partner + ":" + hour(Instant.now());
        try {
            redis.opsForValue().increment(key);
            redis.expire(key, Duration.ofHours(WINDOW_HOURS + 1));
        } catch (DataAccessException e) {
            LOG.debug("partner request count not stored: {}", e.toString());
        }
    }

    void delivered(String partner, Duration lag) {
        Counter.builder("hub.partner.deliveries").tag("partner", partner).tag("outcome", "delivered")
                .register(meters).increment();
        Timer.builder("hub.partner.delivery.lag").tag("partner", partner).publishPercentiles(0.5, 0.99)
                .register(meters).record(lag);
    }

    void failed(String partner, boolean dead) {
        Counter.builder("hub.partner.deliveries").tag("partner", partner).tag("outcome", dead ? "dead" : "failed")
                .register(meters).increment();
    }

    /** GET /api/v1/partner-usage: every active partner. */
    public Map<String, Object> all() {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> p : jdbc.queryForList("SELECT id, name FROM partner WHERE status = 'active'"
                + " ORDER BY name, id")) {
            items.add(of((String) p.get("id"), (String) p.get("name")));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("window_hours", WINDOW_HOURS);
        out.put("items", items);
        return out;
    }

    /** GET /api/v1/partner/usage: the calling partner's own (409 for a caller bound to no partner). */
    public Map<String, Object> own(Exchange exchange) {
        String partner = scope.partnerOf(exchange);
        if (partner == null) {
            throw PartnerSubscriptionsApi.notAPartner();
        }
        String name = jdbc.queryForObject("SELECT name FROM partner WHERE id = ?", String.class, partner);
        return of(partner, name);
    }

    Map<String, Object> of(String partner, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("partner_id", partner);
        m.put("name", name);
        m.put("requests", requests(partner));
        Map<String, Object> d = jdbc.queryForMap("SELECT"
                + " count(*) FILTER (WHERE d.status = 'delivered' AND d.delivered_at > now() - interval '24 hours')"
                + "   AS deliveries,"
                + " count(*) FILTER (WHERE d.status = 'dead' AND d.created_at > now() - interval '24 hours') AS dead,"
                + " count(*) FILTER (WHERE d.status = 'pending') AS pending,"
                + " extract(epoch FROM now() - min(d.created_at) FILTER (WHERE d.status = 'pending'))::bigint"
                + "   AS oldest_pending,"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY d.lag_ms) FILTER (WHERE d.status = 'delivered'"
                + "   AND d.delivered_at > now() - interval '24 hours') AS p50,"
                + " percentile_cont(0.99) WITHIN GROUP (ORDER BY d.lag_ms) FILTER (WHERE d.status = 'delivered'"
                + "   AND d.delivered_at > now() - interval '24 hours') AS p99"
                + " FROM partner_delivery d JOIN partner_subscription s ON s.id = d.subscription_id"
                + " WHERE s.partner_id = ?", partner);
        Long failures = jdbc.queryForObject("SELECT count(*) FROM partner_delivery_attempt a"
                + " JOIN partner_delivery d ON d.id = a.delivery_id JOIN partner_subscription s ON s.id = d.subscription_id"
                + " WHERE s.partner_id = ? AND a.at > now() - interval '24 hours'"
                + " AND (a.status_code IS NULL OR a.status_code NOT BETWEEN 200 AND 299)", Long.class, partner);
        m.put("deliveries", ((Number) d.get("deliveries")).longValue());
        m.put("failures", failures);
        m.put("dead_letters", ((Number) d.get("dead")).longValue());
        m.put("pending", ((Number) d.get("pending")).longValue());
        m.put("lag_p50_ms", d.get("p50") == null ? null : Math.round(((Number) d.get("p50")).doubleValue()));
        m.put("lag_p99_ms", d.get("p99") == null ? null : Math.round(((Number) d.get("p99")).doubleValue()));
        m.put("oldest_pending_seconds", d.get("oldest_pending") == null ? null
                : ((Number) d.get("oldest_pending")).longValue());
        return m;
    }

    private long requests(String partner) {
        long now = hour(Instant.now());
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < WINDOW_HOURS; i++) {
            keys.add("hub:partner:requests:" + partner + ":" + (now - i));
        }
        try {
            long sum = 0;
            List<String> values = redis.opsForValue().multiGet(keys);
            if (values != null) {
                for (String v : values) {
                    sum += v == null ? 0 : Long.parseLong(v);
                }
            }
            return sum;
        } catch (DataAccessException e) {
            return -1;
        }
    }

    private static long hour(Instant at) {
        return at.getEpochSecond() / 3600;
    }
}
