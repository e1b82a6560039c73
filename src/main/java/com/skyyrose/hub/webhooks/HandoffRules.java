package com.skyyrose.hub.webhooks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The decisions and agent requests of the hand-off routes (routes/webhooks/): which store changes wake an agent,
 * and the {@code direct:agent-run} body {@code {agent, task, parameters}} each one sends. The routes say which rule
 * applies where; the wording of the tasks is here.
 */
@Component("handoffRules")
public class HandoffRules {

    /** Header with the product's stock before this event was applied (null: unknown product or no stock kept). */
    public static final String PREVIOUS_STOCK = "WebhookPreviousStock";

    private final HandoffProperties properties;
    private final JdbcTemplate jdbc;

    public HandoffRules(HandoffProperties properties, JdbcTemplate jdbc) {
        this.properties = properties;
        this.jdbc = jdbc;
    }

    /** Before the product's state is applied: remember its stored stock, to see the new one cross the threshold. */
    public void rememberStock(Exchange exchange) {
        String id = exchange.getMessage().getHeader("WebhookResourceId", String.class);
        List<Integer> stock;
        try {
            stock = jdbc.queryForList("SELECT stock_quantity FROM wc_product WHERE source = ? AND product_id = ?"
                    // locked: a concurrent newer update of the same product waits and then sees this one's stock
                    + " AND NOT deleted FOR UPDATE", Integer.class, exchange.getMessage().getHeader("WebhookSource", String.class),
                    Long.parseLong(id == null ? "" : id.trim()));
        } catch (NumberFormatException e) {
            stock = List.of();
        }
        exchange.getMessage().setHeader(PREVIOUS_STOCK, stock.isEmpty() ? null : stock.get(0));
    }

    /**
     * True when the product's stock fell below {@code HUB_LOW_STOCK_THRESHOLD} with this change: it is below now
     * and was not before (unknown counts as not below). A product that stays low does not wake the agent again at
     * every edit; restocked and falling again, it does.
     */
    public boolean lowStock(Exchange exchange) {
        Integer now = integer(body(exchange).get("stock_quantity"));
        if (now == null || now >= properties.getLowStockThreshold()) {
            return false;
        }
        Integer before = exchange.getMessage().getHeader(PREVIOUS_STOCK, Integer.class);
        return before == null || before >= properties.getLowStockThreshold();
    }

    /** True for an order whose customer wrote a note at checkout. */
    public boolean hasCustomerNote(Exchange exchange) {
        Object note = body(exchange).get("customer_note");
        return note instanceof String s && !s.isBlank();
    }

    /** order.created with a note → Support, the note as its task. */
    public Map<String, Object> orderNote(Exchange exchange) {
        Map<String, Object> order = body(exchange);
        return request(exchange, "support", String.valueOf(order.get("customer_note")).strip(),
                Map.of("order_id", id(exchange)));
    }

    /** order.updated to failed, on-hold, cancelled or refunded → Support checks it and drafts the customer update. */
    public Map<String, Object> problemStatus(Exchange exchange) {
        Map<String, Object> order = body(exchange);
        Object number = order.get("number") == null ? id(exchange) : order.get("number");
        return request(exchange, "support", "Order #" + number + " is now " + order.get("status")
                + ". Check what happened and draft a short update for the customer.", Map.of("order_id", id(exchange)));
    }

    /** customer.created → Marketing plans the new customer's welcome. */
    public Map<String, Object> welcome(Exchange exchange) {
        return request(exchange, "marketing", "A new customer just created an account (customer #" + id(exchange)
                + "). Plan their welcome: which products and stories to show them first.",
                Map.of("customer_id", id(exchange)));
    }

    /** product.updated below the stock threshold → Operations proposes what to do. */
    public Map<String, Object> lowStockRun(Exchange exchange) {
        Map<String, Object> p = body(exchange);
        return request(exchange, "operations", "Stock of '" + p.get("name") + "' (product #" + id(exchange)
                + (p.get("sku") == null || "".equals(p.get("sku")) ? "" : ", SKU " + p.get("sku")) + ") fell to "
                + p.get("stock_quantity") + ", below the threshold of " + properties.getLowStockThreshold()
                + ". Check its recent orders and propose a restock.", Map.of("product_id", id(exchange)));
    }

    /**
     * The request, keyed per hand-off attempt: a lease taken over after a crash starts a new run (the old one is
     * failed by the orphan sweep), a repeated send within one attempt returns the same run.
     */
    private static Map<String, Object> request(Exchange exchange, String agent, String task,
            Map<String, Object> parameters) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("agent", agent);
        r.put("task", task);
        r.put("parameters", new LinkedHashMap<>(parameters));
        Object handoff = exchange.getMessage().getHeader(HandoffWorker.HANDOFF_ID);
        if (handoff != null) {
            r.put("idempotency_key", "webhook-handoff-" + handoff + "-"
                    + exchange.getMessage().getHeader("WebhookHandoffAttempt"));
        }
        return r;
    }

    private static long id(Exchange exchange) {
        return Long.parseLong(exchange.getMessage().getHeader("WebhookResourceId", String.class).trim());
    }

    private static Integer integer(Object v) {
        if (v instanceof Number n) {
            return n.intValue();
        }
        if (v instanceof String s && !s.isBlank()) {
            try {
                return Integer.valueOf(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> body(Exchange exchange) {
        Object b = exchange.getMessage().getBody();
        return b instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
