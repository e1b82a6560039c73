package com.skyyrose.hub.llm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Round-table metrics. Provider calls follow the OpenTelemetry GenAI conventions, exposed in Prometheus as
 * {@code gen_ai_client_operation_duration_seconds} and {@code gen_ai_client_token_usage} (labels provider, model,
 * outcome; token_type input|output); rounds, winners, cache hits and cost are {@code hub_round_table_*}.
 */
@Component
public class LlmMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger callsInFlight = new AtomicInteger();

    public LlmMetrics(MeterRegistry registry) {
        this.registry = registry;
        // late calls run on after their round closed: this shows they end (at their own timeout)
        Gauge.builder("hub.round_table.calls.in_flight", callsInFlight, AtomicInteger::get)
                .description("Provider calls running, late ones included").register(registry);
    }

    void callStarted() {
        callsInFlight.incrementAndGet();
    }

    void callEnded() {
        callsInFlight.decrementAndGet();
    }

    int callsInFlight() {
        return callsInFlight.get();
    }

    /** A provider that missed a round closed on quorum. */
    void late(String provider) {
        Counter.builder("hub.round_table.late").description("Providers late for a round closed on quorum")
                .tag("provider", provider).register(registry).increment();
    }

    /** How a round closed: all, quorum or deadline. */
    void closed(String on) {
        Counter.builder("hub.round_table.closed").description("Rounds by how they closed")
                .tag("on", on).register(registry).increment();
    }

    public void providerCall(String provider, String model, String outcome, long latencyMs, long in, long out,
            double costUsd) {
        String m = model == null ? "" : model;
        Timer.builder("gen_ai.client.operation.duration")
                .description("GenAI operation duration (chat), per provider call")
                .tags("provider", provider, "model", m, "outcome", outcome, "operation", "chat")
                .register(registry).record(latencyMs, TimeUnit.MILLISECONDS);
        if (in > 0 || out > 0) {
            tokens(provider, m, outcome, "input").record(in);
            tokens(provider, m, outcome, "output").record(out);
        }
        if (costUsd > 0) {
            Counter.builder("hub.round_table.cost.usd").description("Provider cost, USD")
                    .tags("provider", provider, "model", m).register(registry).increment(costUsd);
        }
    }

    private DistributionSummary tokens(String provider, String model, String outcome, String type) {
        return DistributionSummary.builder("gen_ai.client.token.usage")
                .description("GenAI tokens used per provider call")
                .tags("provider", provider, "model", model, "outcome", outcome, "token_type", type)
                .register(registry);
    }

    void round(String outcome, String winner) {
        Counter.builder("hub.round_table.rounds").description("Round-table rounds")
                .tag("outcome", outcome).register(registry).increment();
        if (winner != null) {
            Counter.builder("hub.round_table.wins").description("Rounds won, per provider")
                    .tag("provider", winner).register(registry).increment();
        }
    }

    void cacheHit() {
        Counter.builder("hub.round_table.cache.hits").description("Round-table answers served from the cache")
                .register(registry).increment();
    }
}
