package com.skyyrose.hub.agents;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The facts Support's escalation rules decide on (routes/agents/support.camel.yaml), from the store, not from the
 * customer's words: the order ({@code order_id}) as the shop answered the chain's lookup
 * ({@code woocommerce.orders.get}), else as the hub's mirror {@code wc_order} last saw it (total and status). A
 * typed "$740" changes nothing. Shipping: the Shipment Tracking extension's {@code date_shipped}
 * ({@code _wc_shipment_tracking_items}), else the date the order was completed (WooCommerce's "shipped").
 * What only the customer can say stays theirs: that the parcel is lost, and whether they threaten legal action
 * ({@link LegalThreat}, which knows the customer's name from the lookup).
 */
@Component("supportFacts")
public class SupportFacts {

    private static final Pattern LOST = Pattern.compile("\\b(lost|never (arrived|received|came)|missing)\\b",
            Pattern.CASE_INSENSITIVE);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public SupportFacts(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Sets orderTotal, orderStatus, parcelDays (-1 = unknown), parcelLost, legalThreat and factsSource. */
    public void collect(Exchange exchange) {
        AgentRun run = AgentChain.run(exchange);
        Map<String, Object> order = shopOrder(exchange.getVariable("lookupResult"));
        String source = "shop";
        if (order == null) {
            order = mirroredOrder(run.parameters.get("order_id"));
            source = order == null ? "none" : "wc_order";
        }
        double total = order == null ? -1 : number(order.get("total"));
        Instant shipped = order == null ? null : shippedAt(order);
        double days = shipped == null ? -1 : Duration.between(shipped, Instant.now()).toHours() / 24.0;
        List<String> names = new ArrayList<>();
        if (order != null && order.get("billing") instanceof Map<?, ?> billing) {
            names.add(string(billing.get("first_name")));
            names.add(string(billing.get("last_name")));
        }
        if (order != null && order.get("first_name") != null) { // a customer looked up
            names.add(string(order.get("first_name")));
            names.add(string(order.get("last_name")));
        }
        exchange.setVariable("orderTotal", total);
        exchange.setVariable("orderStatus", order == null ? null : string(order.get("status")));
        exchange.setVariable("parcelDays", Math.floor(days * 10) / 10);
        exchange.setVariable("parcelLost", Boolean.TRUE.equals(run.parameters.get("parcel_lost"))
                || LOST.matcher(run.task).find());
        exchange.setVariable("legalThreat", Boolean.TRUE.equals(run.parameters.get("legal_threat"))
                || LegalThreat.in(run.task, names));
        exchange.setVariable("factsSource", source);
    }

    /** The order the lookup returned ({tool, result}); null when the lookup was not an order or did not run. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> shopOrder(Object lookup) {
        if (!(lookup instanceof Map<?, ?> reply) || !"woocommerce.orders.get".equals(reply.get("tool"))
                || reply.get("result") == null) {
            return null;
        }
        Map<String, Object> order = json.convertValue(reply.get("result"), Map.class);
        return order.containsKey("total") ? order : null;
    }

    private Map<String, Object> mirroredOrder(Object orderId) {
        if (orderId == null) {
            return null;
        }
        long id;
        try {
            id = orderId instanceof Number n ? n.longValue() : Long.parseLong(orderId.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT status, total, currency FROM wc_order"
                + " WHERE order_id = ? AND NOT deleted ORDER BY (source = 'default') DESC, updated_at DESC LIMIT 1", id);
        return rows.isEmpty() ? null : new LinkedHashMap<>(rows.get(0));
    }

    private static Instant shippedAt(Map<String, Object> order) {
        if (order.get("meta_data") instanceof List<?> meta) {
            for (Object m : meta) {
                if (m instanceof Map<?, ?> entry && "_wc_shipment_tracking_items".equals(entry.get("key"))
                        && entry.get("value") instanceof List<?> items) {
                    for (Object item : items) {
                        if (item instanceof Map<?, ?> tracking && tracking.get("date_shipped") != null) {
                            try {
                                return Instant.ofEpochSecond(Long.parseLong(tracking.get("date_shipped").toString()));
                            } catch (NumberFormatException ignored) {
                                // not a timestamp: try the next one
                            }
                        }
                    }
                }
            }
        }
        String completed = string(order.get("date_completed_gmt"));
        if (completed != null) {
            try {
                return LocalDateTime.parse(completed.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            } catch (Exception ignored) {
                return null;
            }
        }
        return null;
    }

    private static double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        String s = string(v);
        if (s == null) {
            return -1;
        }
        try {
            return new BigDecimal(s.trim()).doubleValue();
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String string(Object v) {
        return v == null || "".equals(v) ? null : v.toString();
    }
}
