package com.skyyrose.hub.webhooks;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Records, in the event's transaction, a hand-off to a capability that consumes webhook events later (knowledge
 * base indexing, the SuperAgents): one {@code webhook_handoff} row with status {@code pending}. The hand-off
 * routes in {@code routes/webhooks/webhook-handoffs.camel.yaml} are the extension points: when a capability
 * lands, its route replaces (or follows) this step with the real call.
 */
@Component("webhookHandoff")
public class WebhookHandoff {

    public static final String TARGET = "WebhookHandoffTarget";

    private final JdbcTemplate jdbc;

    public WebhookHandoff(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public void record(Exchange exchange) {
        Message m = exchange.getMessage();
        String target = m.getHeader(TARGET, String.class);
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("hand-off route did not set " + TARGET);
        }
        jdbc.update("INSERT INTO webhook_handoff (event_id, target, source, topic, resource, resource_id)"
                + " VALUES (?, ?, ?, ?, ?, ?)", m.getHeader("WebhookEventId", Long.class), target,
                m.getHeader("WebhookSource", String.class), m.getHeader("WebhookTopic", String.class),
                m.getHeader("WebhookResource", String.class), m.getHeader("WebhookResourceId", String.class));
    }
}
