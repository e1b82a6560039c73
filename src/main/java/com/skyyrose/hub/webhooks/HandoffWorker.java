package com.skyyrose.hub.webhooks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.observability.TraceContinuation;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Drains {@code webhook_handoff}, the queue the topic router fills in each event's transaction. A worker claims one
 * due row with {@code FOR UPDATE SKIP LOCKED} and leases it ({@code running} until {@code next_attempt_at}; a worker
 * that dies leaves it to be claimed again after the lease), sends the event's payload with the webhook headers to the
 * target's route {@code handoff-<target>} (routes/webhooks/webhook-handoffs.camel.yaml), and marks the row
 * {@code done} (or {@code superseded}) with the route's {@value #OUTCOME} header. An exception schedules a retry
 * with the webhook events' backoff ({@link WebhookProperties#retryDelay}) or, after the last attempt, dead-letters
 * the row. Knowledge and agent targets have their own workers, so a slow agent run never holds up indexing.
 * Each hand-off runs in a span that continues the trace of the delivery that brought its event (so the agent run it
 * starts carries that trace id).
 */
@Component("handoffWorker")
public class HandoffWorker {

    private static final Logger LOG = LoggerFactory.getLogger(HandoffWorker.class);
    public static final String OUTCOME = "WebhookHandoffOutcome";
    public static final String HANDOFF_ID = "WebhookHandoffId";
    public static final String ROUTE_PREFIX = "handoff-";
    private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {
    };

    /** A claimed row; {@code attempts} counts this attempt. */
    record Claimed(long id, long eventId, String target, String provider, String source, String topic,
            String resource, String resourceId, int attempts, String traceparent) {
    }

    private final JdbcTemplate jdbc;
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final WebhookProperties retry;
    private final HandoffProperties properties;
    private final MeterRegistry meters;
    private final TraceContinuation traces;

    public HandoffWorker(JdbcTemplate jdbc, CamelContext camel, ProducerTemplate producer, ObjectMapper json,
            WebhookProperties retry, HandoffProperties properties, MeterRegistry meters, TraceContinuation traces) {
        this.jdbc = jdbc;
        this.camel = camel;
        this.producer = producer;
        this.json = json;
        this.retry = retry;
        this.properties = properties;
        this.meters = meters;
        this.traces = traces;
    }

    public int drainKnowledge() {
        return drain("knowledge.%");
    }

    public int drainAgents() {
        return drain("agent.%");
    }

    /** Runs due hand-offs whose target matches {@code lane} (SQL LIKE) one by one until none is due. */
    int drain(String lane) {
        int n = 0;
        for (Claimed c = claim(lane); c != null; c = claim(lane)) {
            run(c);
            n++;
        }
        return n;
    }

    private Claimed claim(String lane) {
        List<Claimed> rows = jdbc.query("""
                UPDATE webhook_handoff h SET status = 'running', attempts = h.attempts + 1, updated_at = now(),
                       next_attempt_at = now() + make_interval(secs => ?)
                FROM webhook_event e
                WHERE h.id = (SELECT id FROM webhook_handoff WHERE status IN ('pending', 'running')
                              AND next_attempt_at <= now() AND target LIKE ?
                              ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
                  AND e.id = h.event_id
                RETURNING h.id, h.event_id, h.target, h.source, h.topic, h.resource, h.resource_id, h.attempts,
                          e.provider, e.headers::text AS headers
                """, (rs, i) -> new Claimed(rs.getLong("id"), rs.getLong("event_id"), rs.getString("target"),
                rs.getString("provider"), rs.getString("source"), rs.getString("topic"), rs.getString("resource"),
                rs.getString("resource_id"), rs.getInt("attempts"),
                TraceContinuation.traceparentIn(rs.getString("headers"))),
                (double) properties.getLease().toSeconds(), lane);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private void run(Claimed c) {
        try (TraceContinuation.Resumed span = traces.resume("handoff " + c.target(), c.traceparent())) {
            span.tag("hub.webhook.event_id", Long.toString(c.eventId()));
            span.tag("hub.webhook.handoff_id", Long.toString(c.id()));
            runNow(c, span);
        }
    }

    private void runNow(Claimed c, TraceContinuation.Resumed span) {
        try {
            Route route = camel.getRoute(ROUTE_PREFIX + c.target());
            if (route == null) {
                throw new IllegalStateException("no route " + ROUTE_PREFIX + c.target()
                        + " (routes/webhooks/webhook-handoffs.camel.yaml)");
            }
            byte[] payload = jdbc.query("SELECT payload FROM webhook_event WHERE id = ?",
                    rs -> rs.next() ? rs.getBytes(1) : null, c.eventId());
            if (payload == null) {
                throw new IllegalStateException("the payload of webhook event " + c.eventId() + " was purged");
            }
            Map<String, Object> body = json.readValue(payload, MAP);
            Exchange result = producer.send(route.getEndpoint(), exchange -> {
                var m = exchange.getMessage();
                m.setBody(body);
                m.setHeader(HANDOFF_ID, c.id());
                m.setHeader("WebhookHandoffTarget", c.target());
                m.setHeader("WebhookHandoffAttempt", c.attempts());
                m.setHeader("WebhookEventId", c.eventId());
                m.setHeader("WebhookProvider", c.provider());
                m.setHeader("WebhookSource", c.source());
                m.setHeader("WebhookTopic", c.topic());
                m.setHeader("WebhookResource", c.resource());
                m.setHeader("WebhookResourceId", c.resourceId());
            });
            if (result.getException() != null) {
                throw result.getException();
            }
            String outcome = result.getMessage().getHeader(OUTCOME, String.class);
            String status = "superseded".equals(outcome) ? "superseded" : "done";
            jdbc.update("UPDATE webhook_handoff SET status = ?, outcome = ?, last_error = NULL, finished_at = now(),"
                    + " updated_at = now() WHERE id = ? AND status = 'running' AND attempts = ?", status,
                    WebhookInbox.truncate(outcome, 500), c.id(), c.attempts());
            count(c, status);
        } catch (Exception e) {
            span.failed(e);
            fail(c, e);
        }
    }

    private void fail(Claimed c, Exception error) {
        boolean dead = retry.exhausted(c.attempts());
        String message = error.getClass().getSimpleName() + ": " + error.getMessage();
        Instant next = Instant.now().plus(retry.retryDelay(c.attempts()));
        try {
            jdbc.update("UPDATE webhook_handoff SET status = ?, last_error = ?, next_attempt_at = ?, updated_at = now()"
                    + " WHERE id = ? AND status = 'running' AND attempts = ?", dead ? "dead" : "pending",
                    WebhookInbox.truncate(message, 4000), Timestamp.from(next), c.id(), c.attempts());
        } catch (Exception e) {
            LOG.warn("hand-off {}: failure not recorded (the lease expires and it runs again): {}", c.id(), e.toString());
        }
        count(c, dead ? "dead" : "retried");
        if (dead) {
            LOG.warn("Hand-off {} ({} for event {}) dead-lettered after {} attempts: {}", c.id(), c.target(),
                    c.eventId(), c.attempts(), message);
        } else {
            LOG.info("Hand-off {} ({} for event {}) failed attempt {}, retry at {}: {}", c.id(), c.target(),
                    c.eventId(), c.attempts(), next, message);
        }
    }

    private void count(Claimed c, String outcome) {
        meters.counter("hub.webhooks.handoffs", "target", c.target(), "outcome", outcome).increment();
    }
}
