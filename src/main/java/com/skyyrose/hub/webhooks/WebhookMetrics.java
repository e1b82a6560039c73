package com.skyyrose.hub.webhooks;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * {@code hub.webhooks.*} meters: received, rejected, processed, retried, dead-lettered (per provider, source and
 * topic), and the inbox's queue depth and oldest pending age (refreshed from PostgreSQL by a timer, so a scrape
 * never queries the database).
 */
@Component
public class WebhookMetrics {

    private final MeterRegistry registry;
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong oldestAge = new AtomicLong();

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("hub.webhooks.queue.depth", depth, AtomicLong::get)
                .description("Pending webhook events in the inbox").register(registry);
        Gauge.builder("hub.webhooks.queue.oldest.age", oldestAge, AtomicLong::get).baseUnit("seconds")
                .description("Age of the oldest pending webhook event").register(registry);
    }

    public void received(String provider, String source, String topic) {
        registry.counter("hub.webhooks.received", "provider", provider, "source", source, "topic", topic)
                .increment();
    }

    public void ping(String provider, String source) {
        registry.counter("hub.webhooks.pings", "provider", provider, "source", source).increment();
    }

    public void rejected(String provider, String source, String reason) {
        registry.counter("hub.webhooks.rejected", "provider", provider, "source", source, "reason", reason)
                .increment();
    }

    public void processed(String provider, String source, String topic, String outcome) {
        registry.counter("hub.webhooks.processed", "provider", provider, "source", source, "topic", topic,
                "outcome", outcome).increment();
    }

    public void retried(String provider, String source, String topic) {
        registry.counter("hub.webhooks.retried", "provider", provider, "source", source, "topic", topic)
                .increment();
    }

    public void deadLettered(String provider, String source, String topic) {
        registry.counter("hub.webhooks.dead_lettered", "provider", provider, "source", source, "topic", topic)
                .increment();
    }

    public void queue(Map<String, Long> stats) {
        depth.set(stats.getOrDefault("depth", 0L));
        oldestAge.set(stats.getOrDefault("oldestAgeSeconds", 0L));
    }
}
