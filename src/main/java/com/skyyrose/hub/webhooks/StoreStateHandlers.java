package com.skyyrose.hub.webhooks;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Topic handlers that keep the hub's copy of store state ({@code wc_order}, {@code wc_product},
 * {@code wc_customer}, {@code wc_coupon}, {@code wp_post}) current. A row only moves forward: an event whose
 * {@code date_modified_gmt} is older than the stored one is "stale" and changes nothing, so out-of-order deliveries
 * are harmless. Each method sets the {@code WebhookOutcome} header ({@code applied} or {@code stale}); the router
 * hands off to agents/knowledge only for {@code applied}. Runs inside the worker's transaction.
 *
 * <p>Deletions in modification order. A WooCommerce delete body is {@code {"id": N}} with no time, so a delete is
 * dated by when the hub received it (GMT, {@code deleted_gmt}): the deletion happened no later than that.
 * <ul>
 * <li>A delete is applied only when the stored state was not modified after that time; otherwise (e.g. a delete
 * retried after a newer update was processed) it is {@code stale} and the newer state stays.</li>
 * <li>A create/update/restore is applied to a deleted row only when its {@code date_modified_gmt} is after the
 * deletion: an older update arriving late does not bring the resource back; a newer one (restored from the
 * trash, modified again) does. An update without a modification time never undoes a dated deletion.</li>
 * </ul>
 * Store and hub clocks are compared, so both should keep NTP time; a deletion received more than a clock's drift
 * after a restore could be taken for the newer change (the reconciler does not bring deletions).
 */
@Component("webhookState")
public class StoreStateHandlers {

    /** Header with the event's receipt time, GMT, formatted as WooCommerce's date_modified_gmt. */
    public static final String RECEIVED_GMT = "WebhookReceivedGmt";
    private static final DateTimeFormatter GMT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private final JdbcTemplate jdbc;

    public StoreStateHandlers(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void order(Exchange exchange) {
        Map<String, Object> o = body(exchange);
        int items = o.get("line_items") instanceof List<?> l ? l.size() : 0;
        upsert(exchange, "wc_order", "order_id",
                "status, currency, total, customer_id, line_items, date_created_gmt",
                "?, ?, ?, ?, ?, ?",
                "status = EXCLUDED.status, currency = EXCLUDED.currency, total = EXCLUDED.total,"
                        + " customer_id = EXCLUDED.customer_id, line_items = EXCLUDED.line_items,"
                        + " date_created_gmt = EXCLUDED.date_created_gmt",
                str(o.get("status")), str(o.get("currency")), money(o.get("total")), longOrNull(o.get("customer_id")),
                items, str(o.get("date_created_gmt")));
    }

    public void product(Exchange exchange) {
        Map<String, Object> p = body(exchange);
        upsert(exchange, "wc_product", "product_id",
                "name, slug, sku, status, price, stock_status, stock_quantity, permalink",
                "?, ?, ?, ?, ?, ?, ?, ?",
                "name = EXCLUDED.name, slug = EXCLUDED.slug, sku = EXCLUDED.sku, status = EXCLUDED.status,"
                        + " price = EXCLUDED.price, stock_status = EXCLUDED.stock_status,"
                        + " stock_quantity = EXCLUDED.stock_quantity, permalink = EXCLUDED.permalink",
                str(p.get("name")), str(p.get("slug")), str(p.get("sku")), str(p.get("status")), money(p.get("price")),
                str(p.get("stock_status")), intOrNull(p.get("stock_quantity")), str(p.get("permalink")));
    }

    public void customer(Exchange exchange) {
        Map<String, Object> c = body(exchange);
        upsert(exchange, "wc_customer", "customer_id", "email, first_name, role", "?, ?, ?",
                "email = EXCLUDED.email, first_name = EXCLUDED.first_name, role = EXCLUDED.role",
                str(c.get("email")), str(c.get("first_name")), str(c.get("role")));
    }

    public void coupon(Exchange exchange) {
        Map<String, Object> c = body(exchange);
        upsert(exchange, "wc_coupon", "coupon_id", "code, discount_type, amount", "?, ?, ?",
                "code = EXCLUDED.code, discount_type = EXCLUDED.discount_type, amount = EXCLUDED.amount",
                str(c.get("code")), str(c.get("discount_type")), money(c.get("amount")));
    }

    /** WordPress post or page (fields as in wp/v2 or WP_Post: ID/id, post_title/title, post_status/status...). */
    public void post(Exchange exchange) {
        Map<String, Object> body = body(exchange);
        @SuppressWarnings("unchecked")
        Map<String, Object> p = body.get("post") instanceof Map<?, ?> m ? (Map<String, Object>) m : body;
        Object title = p.containsKey("post_title") ? p.get("post_title") : p.get("title");
        if (title instanceof Map<?, ?> rendered) {
            title = rendered.get("rendered");
        }
        upsert(exchange, "wp_post", "post_id", "post_type, title, status, link", "?, ?, ?, ?",
                "post_type = EXCLUDED.post_type, title = EXCLUDED.title, status = EXCLUDED.status,"
                        + " link = EXCLUDED.link",
                str(first(p, "post_type", "type")), str(title), str(first(p, "post_status", "status")),
                str(first(p, "guid", "link")));
    }

    /** {@code *.deleted}: marks the row deleted (a deleted event carries only {id}); creates it if unknown. */
    public void deleted(Exchange exchange) {
        String resource = exchange.getMessage().getHeader("WebhookResource", String.class);
        String table;
        String key;
        switch (resource == null ? "" : resource) {
            case "order" -> { table = "wc_order"; key = "order_id"; }
            case "product" -> { table = "wc_product"; key = "product_id"; }
            case "customer" -> { table = "wc_customer"; key = "customer_id"; }
            case "coupon" -> { table = "wc_coupon"; key = "coupon_id"; }
            case "post", "page" -> { table = "wp_post"; key = "post_id"; }
            default -> {
                outcome(exchange, "ignored");
                return;
            }
        }
        Long id = resourceId(exchange);
        if (id == null) {
            outcome(exchange, "ignored");
            return;
        }
        String source = exchange.getMessage().getHeader("WebhookSource", String.class);
        String deletedAt = exchange.getMessage().getHeader(RECEIVED_GMT, String.class);
        if (deletedAt == null) {
            deletedAt = gmt(Instant.now());
        }
        int changed = jdbc.update("INSERT INTO " + table + " (source, " + key + ", deleted, deleted_gmt)"
                + " VALUES (?, ?, true, ?) ON CONFLICT (source, " + key + ") DO UPDATE SET deleted = true,"
                + " deleted_gmt = GREATEST(" + table + ".deleted_gmt, EXCLUDED.deleted_gmt),"
                + " events_applied = " + table + ".events_applied + 1, updated_at = now()"
                + " WHERE " + table + ".modified_gmt IS NULL"
                + " OR replace(" + table + ".modified_gmt, ' ', 'T') <= EXCLUDED.deleted_gmt", source, id, deletedAt);
        outcome(exchange, changed == 1 ? "applied" : "stale");
    }

    /** An instant as date_modified_gmt is written (second precision, 'T', no zone). */
    static String gmt(Instant instant) {
        return instant == null ? null : GMT.format(instant);
    }

    /**
     * Inserts or updates one state row, only when the event's modification time is not older than the stored one.
     * {@code restored} and {@code updated} events clear the deleted flag.
     */
    private void upsert(Exchange exchange, String table, String key, String columns, String placeholders,
            String updates, Object... values) {
        Long id = resourceId(exchange);
        if (id == null) {
            outcome(exchange, "ignored");
            return;
        }
        Map<String, Object> body = body(exchange);
        String modified = str(first(body, "date_modified_gmt", "post_modified_gmt", "modified_gmt"));
        if (modified == null && body.get("post") instanceof Map<?, ?> post) {
            modified = str(post.get("post_modified_gmt"));
        }
        String source = exchange.getMessage().getHeader("WebhookSource", String.class);
        Object[] args = new Object[values.length + 3];
        args[0] = source;
        args[1] = id;
        System.arraycopy(values, 0, args, 2, values.length);
        args[values.length + 2] = modified;
        int changed = jdbc.update("INSERT INTO " + table + " (source, " + key + ", " + columns + ", modified_gmt)"
                + " VALUES (?, ?, " + placeholders + ", ?) ON CONFLICT (source, " + key + ") DO UPDATE SET "
                + updates + ", modified_gmt = EXCLUDED.modified_gmt, deleted = false,"
                + " events_applied = " + table + ".events_applied + 1, updated_at = now()"
                + " WHERE (" + table + ".modified_gmt IS NULL OR EXCLUDED.modified_gmt IS NULL"
                + " OR EXCLUDED.modified_gmt >= " + table + ".modified_gmt)"
                // a deleted resource comes back only with a state modified after its deletion
                + " AND (NOT " + table + ".deleted OR " + table + ".deleted_gmt IS NULL"
                + " OR replace(EXCLUDED.modified_gmt, ' ', 'T') > " + table + ".deleted_gmt)", args);
        outcome(exchange, changed == 1 ? "applied" : "stale");
    }

    private static Long resourceId(Exchange exchange) {
        String id = exchange.getMessage().getHeader("WebhookResourceId", String.class);
        if (id == null) {
            return null;
        }
        try {
            return Long.parseLong(id.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void outcome(Exchange exchange, String outcome) {
        exchange.getMessage().setHeader(WebhookWorker.OUTCOME, outcome);
    }

    /** The event payload as the topic router passes it (a Map), or empty. Shared with {@link StoreKnowledge}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> body(Exchange exchange) {
        Object b = exchange.getMessage().getBody();
        return b instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The first present, non-empty value among the keys. Shared with {@link StoreKnowledge}. */
    static Object first(Map<String, Object> m, String... keys) {
        for (String k : keys) {
            Object v = m.get(k);
            if (v != null && !(v instanceof String s && s.isEmpty())) {
                return v;
            }
        }
        return null;
    }

    private static String str(Object v) {
        return v == null ? null : v instanceof String s ? (s.isEmpty() ? null : s) : String.valueOf(v);
    }

    /** WooCommerce sends money as strings ("21.99"); empty means unset. */
    private static BigDecimal money(Object v) {
        String s = str(v);
        return s == null ? null : new BigDecimal(s.trim());
    }

    private static Long longOrNull(Object v) {
        String s = str(v);
        return s == null ? null : Long.valueOf(s.trim());
    }

    private static Integer intOrNull(Object v) {
        String s = str(v);
        return s == null ? null : Integer.valueOf(s.trim());
    }
}
