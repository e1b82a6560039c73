package com.skyyrose.hub.partners;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Turns applied store changes into partner events, inside the webhook worker's transaction (called from
 * {@code routes/webhooks/webhook-router.camel.yaml} after the state handlers): the partner view of the product or
 * order is updated, and each event is written with one delivery row per matching subscription, so an event exists
 * exactly when the store change committed. Topics:
 * <ul>
 * <li>{@code product.updated} — a published product changed (its catalog item is the data);</li>
 * <li>{@code inventory.changed} — its stock status or quantity differs from the last known values;</li>
 * <li>{@code product.deleted} — a published product was deleted or left the catalog (unpublished);</li>
 * <li>{@code order.status_changed} — an order attributed to a partner changed status; for that partner only.</li>
 * </ul>
 */
@Component("partnerEvents")
public class PartnerEvents {

    /** Exchange variable holding the store payload as the worker handed it to the router (before hand-offs). */
    public static final String PAYLOAD_VARIABLE = "storeEvent";

    private final JdbcTemplate jdbc;
    private final PartnerProperties properties;
    private final ObjectMapper json;

    public PartnerEvents(JdbcTemplate jdbc, PartnerProperties properties, ObjectMapper json) {
        this.jdbc = jdbc;
        this.properties = properties;
        // event bodies keep explicit nulls (previous_status of a first status, a product without SKU...)
        this.json = json.copy().setSerializationInclusion(JsonInclude.Include.ALWAYS);
    }

    /** The router's step for an applied product/order change or deletion. */
    public void onStoreChange(Exchange exchange) {
        var m = exchange.getMessage();
        if (!properties.getSource().equals(m.getHeader("WebhookSource", String.class))) {
            return;
        }
        String topic = m.getHeader("WebhookTopic", String.class);
        String resource = m.getHeader("WebhookResource", String.class);
        Long id = longOrNull(m.getHeader("WebhookResourceId"));
        if (topic == null || id == null) {
            return;
        }
        Instant occurred = receivedAt(m.getHeader("WebhookEventId"));
        Object payload = exchange.getVariable(PAYLOAD_VARIABLE);
        Map<String, Object> body = payload instanceof Map<?, ?> p ? cast(p) : cast(m.getBody(Map.class));
        if (topic.endsWith(".deleted")) {
            if ("product".equals(resource)) {
                productDeleted(id, occurred);
            }
        } else if ("product".equals(resource)) {
            product(id, body == null ? Map.of() : body, occurred);
        } else if ("order".equals(resource)) {
            order(id, body == null ? Map.of() : body, occurred);
        }
    }

    private void product(long id, Map<String, Object> p, Instant occurred) {
        String source = properties.getSource();
        List<Map<String, Object>> prior = jdbc.queryForList("SELECT stock_status, stock_quantity, published"
                + " FROM partner_product WHERE source = ? AND product_id = ? FOR UPDATE", source, id);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT status, deleted, stock_status, stock_quantity"
                + " FROM wc_product WHERE source = ? AND product_id = ?", source, id);
        if (rows.isEmpty()) {
            return;
        }
        Map<String, Object> row = rows.get(0);
        boolean published = "publish".equals(row.get("status")) && !Boolean.TRUE.equals(row.get("deleted"));
        jdbc.update("INSERT INTO partner_product (source, product_id, regular_price, collections, images,"
                + " stock_status, stock_quantity, published) VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?)"
                + " ON CONFLICT (source, product_id) DO UPDATE SET regular_price = EXCLUDED.regular_price,"
                + " collections = EXCLUDED.collections, images = EXCLUDED.images,"
                + " stock_status = EXCLUDED.stock_status, stock_quantity = EXCLUDED.stock_quantity,"
                + " published = EXCLUDED.published, updated_at = now()",
                source, id, money(p.get("regular_price")), write(collections(p.get("categories"))),
                write(images(p.get("images"))), row.get("stock_status"), row.get("stock_quantity"), published);
        boolean wasPublished = !prior.isEmpty() && Boolean.TRUE.equals(prior.get(0).get("published"));
        String key = "product:" + id;
        if (published) {
            Map<String, Object> item = PartnerReadApi.catalogItem(jdbc, source, id);
            emit("product.updated", key, null, item, occurred);
            if (!prior.isEmpty() && (!Objects.equals(prior.get(0).get("stock_status"), row.get("stock_status"))
                    || !Objects.equals(prior.get(0).get("stock_quantity"), row.get("stock_quantity")))) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("id", id);
                data.put("sku", item == null ? null : item.get("sku"));
                data.put("stock_status", row.get("stock_status"));
                data.put("stock_quantity", row.get("stock_quantity"));
                Map<String, Object> previous = new LinkedHashMap<>();
                previous.put("stock_status", prior.get(0).get("stock_status"));
                previous.put("stock_quantity", prior.get(0).get("stock_quantity"));
                data.put("previous", previous);
                emit("inventory.changed", key, null, data, occurred);
            }
        } else if (wasPublished) {
            emit("product.deleted", key, null, deletedData(source, id, "unpublished"), occurred);
        }
    }

    private void productDeleted(long id, Instant occurred) {
        String source = properties.getSource();
        int was = jdbc.update("UPDATE partner_product SET published = false, updated_at = now()"
                + " WHERE source = ? AND product_id = ? AND published", source, id);
        if (was == 1) {
            emit("product.deleted", "product:" + id, null, deletedData(source, id, "deleted"), occurred);
        }
    }

    private Map<String, Object> deletedData(String source, long id, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", id);
        List<String> sku = jdbc.queryForList("SELECT sku FROM wc_product WHERE source = ? AND product_id = ?",
                String.class, source, id);
        data.put("sku", sku.isEmpty() ? null : sku.get(0));
        data.put("reason", reason);
        return data;
    }

    private void order(long id, Map<String, Object> o, Instant occurred) {
        String source = properties.getSource();
        String partner = metaValue(o.get("meta_data"), properties.getOrderMetaKey());
        List<Map<String, Object>> prior = jdbc.queryForList("SELECT partner_id, status FROM partner_order"
                + " WHERE source = ? AND order_id = ? FOR UPDATE", source, id);
        if (partner == null && !prior.isEmpty()) {
            partner = (String) prior.get(0).get("partner_id"); // attribution stays when a later body omits the meta
        }
        if (partner == null) {
            return;
        }
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT status, date_created_gmt, modified_gmt"
                + " FROM wc_order WHERE source = ? AND order_id = ?", source, id);
        if (rows.isEmpty()) {
            return;
        }
        String status = (String) rows.get(0).get("status");
        Map<String, Object> shipping = shipping(o);
        jdbc.update("INSERT INTO partner_order (source, order_id, partner_id, status, shipping, date_completed_gmt)"
                + " VALUES (?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (source, order_id) DO UPDATE SET"
                + " partner_id = EXCLUDED.partner_id, status = EXCLUDED.status, shipping = EXCLUDED.shipping,"
                + " date_completed_gmt = EXCLUDED.date_completed_gmt, updated_at = now()",
                source, id, partner, status, write(shipping), str(o.get("date_completed_gmt")));
        String previous = prior.isEmpty() ? null : (String) prior.get(0).get("status");
        if (!Objects.equals(previous, status)) {
            Map<String, Object> data = PartnerReadApi.orderView(jdbc, source, id, partner);
            if (data != null) {
                data.put("previous_status", previous);
                emit("order.status_changed", "order:" + id, partner, data, occurred);
            }
        }
    }

    /**
     * Writes the event and one delivery per subscription that wants it (active or paused, of an active partner;
     * restricted to {@code partner} when set) in one statement; nothing is written when no subscription matches.
     */
    int emit(String topic, String resourceKey, String partner, Map<String, Object> data, Instant occurred) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("type", topic);
        envelope.put("timestamp", occurred.toString());
        envelope.put("data", data);
        return jdbc.update("WITH subs AS (SELECT s.id FROM partner_subscription s JOIN partner p ON p.id = s.partner_id"
                + "   WHERE p.status = 'active' AND s.status IN ('active', 'paused') AND ? = ANY (s.topics)"
                + "   AND (?::text IS NULL OR s.partner_id = ?)),"
                + " ev AS (INSERT INTO partner_event (topic, resource_key, partner_id, body, occurred_at)"
                + "   SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM subs) RETURNING id)"
                // not due before an older pending delivery of the same resource (see the worker's claim)
                + " INSERT INTO partner_delivery (subscription_id, event_id, resource_key, next_attempt_at)"
                + " SELECT subs.id, ev.id, ?, GREATEST(now(), (SELECT max(p.next_attempt_at) FROM partner_delivery p"
                + "   WHERE p.subscription_id = subs.id AND p.resource_key = ? AND p.status = 'pending'))"
                + " FROM subs CROSS JOIN ev",
                topic, partner, partner, topic, resourceKey, partner, write(envelope), Timestamp.from(occurred),
                resourceKey, resourceKey);
    }

    private Instant receivedAt(Object eventId) {
        Long id = longOrNull(eventId);
        if (id != null) {
            List<Timestamp> at = jdbc.queryForList("SELECT received_at FROM webhook_event WHERE id = ?",
                    Timestamp.class, id);
            if (!at.isEmpty()) {
                return at.get(0).toInstant();
            }
        }
        return Instant.now();
    }

    /** WooCommerce meta_data [{id, key, value}]: the value of {@code key}, as text. */
    static String metaValue(Object meta, String key) {
        if (meta instanceof List<?> list) {
            for (Object e : list) {
                if (e instanceof Map<?, ?> entry && key.equals(entry.get("key")) && entry.get("value") != null) {
                    String v = String.valueOf(entry.get("value")).trim();
                    return v.isEmpty() ? null : v;
                }
            }
        }
        return null;
    }

    /** Shipment fields only: shipping method titles and tracking (WooCommerce Shipment Tracking meta). */
    private Map<String, Object> shipping(Map<String, Object> o) {
        List<String> methods = new ArrayList<>();
        if (o.get("shipping_lines") instanceof List<?> lines) {
            for (Object l : lines) {
                if (l instanceof Map<?, ?> line && line.get("method_title") != null) {
                    methods.add(String.valueOf(line.get("method_title")));
                }
            }
        }
        List<Map<String, Object>> tracking = new ArrayList<>();
        if (o.get("meta_data") instanceof List<?> meta) {
            for (Object e : meta) {
                if (e instanceof Map<?, ?> entry && "_wc_shipment_tracking_items".equals(entry.get("key"))
                        && entry.get("value") instanceof List<?> items) {
                    for (Object i : items) {
                        if (i instanceof Map<?, ?> item) {
                            Map<String, Object> t = new LinkedHashMap<>();
                            t.put("provider", str(item.get("tracking_provider")) != null
                                    ? str(item.get("tracking_provider")) : str(item.get("custom_tracking_provider")));
                            t.put("number", str(item.get("tracking_number")));
                            t.put("shipped_at", str(item.get("date_shipped")));
                            tracking.add(t);
                        }
                    }
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("methods", methods);
        out.put("tracking", tracking);
        return out;
    }

    private static List<Map<String, Object>> collections(Object categories) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (categories instanceof List<?> list) {
            for (Object c : list) {
                if (c instanceof Map<?, ?> cat) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", cat.get("id"));
                    m.put("name", cat.get("name"));
                    m.put("slug", cat.get("slug"));
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static List<Map<String, Object>> images(Object images) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (images instanceof List<?> list) {
            for (Object i : list) {
                if (i instanceof Map<?, ?> img && img.get("src") != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("src", img.get("src"));
                    m.put("alt", img.get("alt"));
                    out.add(m);
                }
            }
        }
        return out;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static String str(Object v) {
        return v == null ? null : v instanceof String s ? (s.isEmpty() ? null : s) : String.valueOf(v);
    }

    private static BigDecimal money(Object v) {
        String s = str(v);
        try {
            return s == null ? null : new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long longOrNull(Object v) {
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
