package com.skyyrose.hub.platform;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.springframework.stereotype.Component;

/**
 * The Prometheus text exposition of every meter: JVM, HTTP server requests, Camel routes. Served by the
 * {@code getMetrics} route so that {@code /metrics} is part of the contract like every other path.
 */
@Component("prometheusScrape")
public class PrometheusScrape {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public PrometheusScrape(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    public String scrape() {
        return registry.scrape();
    }
}
