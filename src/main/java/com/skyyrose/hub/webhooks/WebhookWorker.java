package com.skyyrose.hub.webhooks;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.observability.TraceContinuation;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Processes pending inbox events. One batch = one PostgreSQL transaction holding its rows with
 * {@code FOR UPDATE SKIP LOCKED} (other workers and instances take other rows). Each event runs in a savepoint:
 * dedupe key, the topic router ({@code direct:webhook-dispatch}, handlers write through the same transaction) and
 * the status update commit together, so an event's effects are applied exactly once even if the process dies
 * mid-batch (the transaction rolls back and the rows are pending again). A failure rolls the event's savepoint
 * back and schedules a retry with exponential backoff and jitter, or dead-letters it after the last attempt.
 */
@Component("webhookWorker")
public class WebhookWorker {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookWorker.class);
    public static final String DISPATCH = "direct:webhook-dispatch";
    public static final String OUTCOME = "WebhookOutcome";

    private final WebhookInbox inbox;
    private final WebhookProperties properties;
    private final WebhookMetrics metrics;
    private final TransactionTemplate transactions;
    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final TraceContinuation traces;

    public WebhookWorker(WebhookInbox inbox, WebhookProperties properties, WebhookMetrics metrics,
            TransactionTemplate transactions, ProducerTemplate producer, ObjectMapper json,
            TraceContinuation traces) {
        this.traces = traces;
        this.inbox = inbox;
        this.properties = properties;
        this.metrics = metrics;
        this.transactions = transactions;
        this.producer = producer;
        this.json = json;
    }

    /** Drains due events batch by batch until none is left (or a batch fails); returns how many were handled. */
    public int drain() {
        int total = 0;
        while (true) {
            Integer n = transactions.execute(this::processBatch);
            if (n == null || n == 0) {
                return total;
            }
            total += n;
        }
    }

    private int processBatch(TransactionStatus tx) {
        var events = inbox.claimDue(properties.getBatchSize());
        for (WebhookInbox.StoredEvent event : events) {
            Object savepoint = tx.createSavepoint();
            try {
                if (!inbox.takeKey(event)) {
                    inbox.markDuplicate(event.id());
                    metrics.processed(event.provider(), event.source(), event.topic(), "duplicate");
                } else {
                    String outcome = dispatch(event);
                    inbox.markProcessed(event.id(), outcome);
                    metrics.processed(event.provider(), event.source(), event.topic(), outcome);
                }
                tx.releaseSavepoint(savepoint);
            } catch (Exception e) {
                tx.rollbackToSavepoint(savepoint);
                fail(event, e);
            }
        }
        return events.size();
    }

    /** Dispatches in a span that continues the trace of the delivery that brought the event. */
    private String dispatch(WebhookInbox.StoredEvent event) throws Exception {
        try (TraceContinuation.Resumed span = traces.resume("webhook " + event.topic(),
                TraceContinuation.traceparentIn(event.headersJson()))) {
            span.tag("hub.webhook.event_id", Long.toString(event.id()));
            span.tag("hub.webhook.topic", event.topic());
            try {
                return dispatchNow(event);
            } catch (Exception e) {
                span.failed(e);
                throw e;
            }
        }
    }

    private String dispatchNow(WebhookInbox.StoredEvent event) throws Exception {
        Map<String, Object> payload = event.payload() == null ? Map.of()
                : json.readValue(event.payload(), new TypeReference<LinkedHashMap<String, Object>>() { });
        Exchange result = producer.send(DISPATCH, exchange -> {
            var m = exchange.getMessage();
            m.setBody(payload);
            m.setHeader("WebhookEventId", event.id());
            m.setHeader("WebhookProvider", event.provider());
            m.setHeader("WebhookSource", event.source());
            m.setHeader("WebhookOrigin", event.origin());
            m.setHeader("WebhookTopic", event.topic());
            m.setHeader("WebhookResource", event.resource());
            m.setHeader("WebhookResourceId", event.resourceId());
            m.setHeader(StoreStateHandlers.RECEIVED_GMT, StoreStateHandlers.gmt(event.receivedAt()));
        });
        if (result.getException() != null) {
            throw result.getException();
        }
        String outcome = result.getMessage().getHeader(OUTCOME, String.class);
        return outcome == null ? "routed" : outcome;
    }

    private void fail(WebhookInbox.StoredEvent event, Exception error) {
        int attempt = event.attempts() + 1;
        boolean dead = properties.exhausted(attempt);
        String message = error.getClass().getSimpleName() + ": " + error.getMessage();
        Instant next = Instant.now().plus(backoff(attempt));
        inbox.markFailed(event.id(), message, dead, next);
        if (dead) {
            metrics.deadLettered(event.provider(), event.source(), event.topic());
            LOG.warn("Webhook event {} ({}) dead-lettered after {} attempts: {}", event.id(), event.topic(),
                    attempt, message);
        } else {
            metrics.retried(event.provider(), event.source(), event.topic());
            LOG.info("Webhook event {} ({}) failed attempt {}, retry at {}: {}", event.id(), event.topic(), attempt,
                    next, message);
        }
    }

    /** base · 2^(attempt-1), capped, with jitter ({@link WebhookProperties#retryDelay}). */
    Duration backoff(int attempt) {
        return properties.retryDelay(attempt);
    }
}
