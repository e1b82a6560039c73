package com.skyyrose.hub.partners;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.Requests;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The partner read API, served from the hub's mirror of the store ({@code wc_product}/{@code wc_order} plus the
 * partner columns), never by calling WooCommerce: the catalog of published products (cursor-paginated, ETag),
 * one product by SKU, and the status of the calling partner's own orders.
 */
@Component("partnerReadApi")
public class PartnerReadApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ITEM_SELECT = "SELECT w.product_id, w.sku, w.name, w.price, pp.regular_price,"
            + " w.stock_status, w.stock_quantity, pp.collections, pp.images, w.updated_at"
            + " FROM wc_product w LEFT JOIN partner_product pp ON pp.source = w.source AND pp.product_id = w.product_id"
            + " WHERE w.source = ? AND w.status = 'publish' AND NOT w.deleted";

    private final JdbcTemplate jdbc;
    private final PartnerProperties properties;
    private final PartnerScope scope;
    private final ObjectMapper json;

    public PartnerReadApi(JdbcTemplate jdbc, PartnerProperties properties, PartnerScope scope, ObjectMapper json) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.scope = scope;
        // the feed keeps explicit nulls (next_cursor, sku, stock_quantity...) as the contract shows them
        this.json = json.copy().setSerializationInclusion(JsonInclude.Include.ALWAYS);
    }

    /** GET /api/v1/partner/catalog?limit=&cursor=&updated_since= (ordered by updated_at, id). */
    public Object catalog(Exchange exchange) {
        scope.partnerOf(exchange);
        int limit = Requests.intParam(exchange, "limit", 50);
        StringBuilder sql = new StringBuilder(ITEM_SELECT);
        List<Object> args = new ArrayList<>(List.of(properties.getSource()));
        String since = exchange.getMessage().getHeader("updated_since", String.class);
        if (since != null && !since.isBlank()) {
            try {
                args.add(Timestamp.from(OffsetDateTime.parse(since.trim()).toInstant()));
            } catch (DateTimeParseException e) {
                throw ProblemException.badRequest("updated_since", "must be an RFC 3339 date-time");
            }
            sql.append(" AND w.updated_at >= ?");
        }
        String cursor = exchange.getMessage().getHeader("cursor", String.class);
        if (cursor != null && !cursor.isBlank()) {
            Cursor c = Cursor.decode(cursor.trim());
            sql.append(" AND (w.updated_at, w.product_id) > (?, ?)");
            args.add(c.at());
            args.add(c.id());
        }
        sql.append(" ORDER BY w.updated_at, w.product_id LIMIT ?");
        args.add(limit + 1);
        List<Object[]> keys = new ArrayList<>();
        List<Map<String, Object>> items = jdbc.query(sql.toString(), (rs, i) -> {
            keys.add(new Object[] {rs.getTimestamp("updated_at"), rs.getLong("product_id")});
            return item(rs);
        }, args.toArray());
        String next = null;
        if (items.size() > limit) {
            items = items.subList(0, limit);
            Object[] last = keys.get(limit - 1);
            next = new Cursor((Timestamp) last[0], (Long) last[1]).encode();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("next_cursor", next);
        return withETag(exchange, out);
    }

    /** GET /api/v1/partner/catalog/{sku}. */
    public Object catalogItem(Exchange exchange) {
        scope.partnerOf(exchange);
        String sku = exchange.getMessage().getHeader("sku", String.class);
        List<Map<String, Object>> rows = jdbc.query(ITEM_SELECT + " AND w.sku = ? ORDER BY w.product_id LIMIT 1",
                (rs, i) -> item(rs), properties.getSource(), sku);
        if (rows.isEmpty()) {
            throw ProblemException.notFound("No published product with SKU " + sku + ".");
        }
        return withETag(exchange, rows.get(0));
    }

    /** GET /api/v1/partner/orders/{orderId}: only orders attributed to the calling partner; 404 for any other. */
    public Map<String, Object> order(Exchange exchange) {
        String partner = scope.partnerOf(exchange);
        String raw = exchange.getMessage().getHeader("orderId", String.class);
        Map<String, Object> view = null;
        if (partner != null && raw != null && raw.trim().matches("[0-9]{1,18}")) {
            view = orderView(jdbc, properties.getSource(), Long.parseLong(raw.trim()), partner);
        }
        if (view == null) {
            throw ProblemException.notFound("Order " + raw + " does not exist or is not attributed to this partner.");
        }
        return view;
    }

    /** The catalog item of one published product (null if not published); also the data of product.updated. */
    static Map<String, Object> catalogItem(JdbcTemplate jdbc, String source, long id) {
        List<Map<String, Object>> rows = jdbc.query(ITEM_SELECT + " AND w.product_id = ?", (rs, i) -> item(rs),
                source, id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /** An order as its partner may see it: status, dates and shipment, no customer data; null if not theirs. */
    static Map<String, Object> orderView(JdbcTemplate jdbc, String source, long id, String partner) {
        List<Map<String, Object>> rows = jdbc.query("SELECT o.order_id, o.status, o.date_created_gmt, o.modified_gmt,"
                + " po.date_completed_gmt, po.shipping, po.updated_at FROM partner_order po JOIN wc_order o"
                + " ON o.source = po.source AND o.order_id = po.order_id"
                + " WHERE po.source = ? AND po.order_id = ? AND po.partner_id = ? AND NOT o.deleted", (rs, i) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getLong("order_id"));
                    m.put("status", rs.getString("status"));
                    m.put("date_created_gmt", rs.getString("date_created_gmt"));
                    m.put("date_modified_gmt", rs.getString("modified_gmt"));
                    m.put("date_completed_gmt", rs.getString("date_completed_gmt"));
                    m.put("shipping", parse(rs.getString("shipping")));
                    m.put("updated_at", rs.getTimestamp("updated_at").toInstant().toString());
                    return m;
                }, source, id, partner);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static Map<String, Object> item(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("product_id"));
        m.put("sku", rs.getString("sku"));
        m.put("name", rs.getString("name"));
        m.put("price", money(rs.getBigDecimal("price")));
        m.put("regular_price", money(rs.getBigDecimal("regular_price")));
        m.put("stock_status", rs.getString("stock_status"));
        m.put("stock_quantity", (Integer) rs.getObject("stock_quantity"));
        m.put("collections", parse(rs.getString("collections")));
        m.put("images", parse(rs.getString("images")));
        m.put("updated_at", rs.getTimestamp("updated_at").toInstant().toString());
        return m;
    }

    /** The JSON bytes with a strong ETag over them; 304 without a body when If-None-Match names that tag. */
    private Object withETag(Exchange exchange, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        String tag = "\"" + sha256(bytes).substring(0, 32) + "\"";
        var m = exchange.getMessage();
        String ifNoneMatch = m.getHeader("If-None-Match", String.class);
        m.setHeader("ETag", tag);
        m.setHeader("Cache-Control", "private, no-cache");
        if (ifNoneMatch != null && matches(ifNoneMatch, tag)) {
            m.setHeader(Exchange.HTTP_RESPONSE_CODE, 304);
            m.setHeader(Exchange.CONTENT_TYPE, "application/json");
            return null;
        }
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        return bytes;
    }

    static boolean matches(String ifNoneMatch, String tag) {
        for (String candidate : ifNoneMatch.split(",")) {
            String c = candidate.trim();
            if (c.equals("*") || c.equals(tag) || c.equals("W/" + tag)) {
                return true;
            }
        }
        return false;
    }

    private static String money(BigDecimal v) {
        return v == null ? null : v.toPlainString();
    }

    private static Object parse(String text) {
        if (text == null) {
            return List.of();
        }
        try {
            return JSON.readValue(text, new TypeReference<Object>() { });
        } catch (JsonProcessingException e) {
            return List.of();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Position after the last item of a page: its updated_at (to the microsecond) and product id. */
    record Cursor(Timestamp at, long id) {
        String encode() {
            Instant i = at.toInstant();
            String raw = i.getEpochSecond() + "." + i.getNano() + ":" + id;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String cursor) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                String[] parts = raw.split("[.:]");
                Instant at = Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
                return new Cursor(Timestamp.from(at), Long.parseLong(parts[2]));
            } catch (RuntimeException e) {
                throw ProblemException.badRequest("cursor", "is not a cursor this API returned");
            }
        }
    }
}
