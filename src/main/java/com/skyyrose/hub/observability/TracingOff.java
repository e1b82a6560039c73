package com.skyyrose.hub.observability;

import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing off ({@code OTEL_EXPORTER_OTLP_ENDPOINT} unset) means spans are not recorded. Spring Boot's
 * {@code management.tracing.enabled=false} only drops the exporter and propagation: its sampler still records every
 * span at the configured probability and the batch processor hands them to nobody (JFR of the pass-through bench:
 * span building and the observation's tracing handler on every request). This sampler drops them at the start:
 * spans stay non-recording, with ids, so logs and problem documents still name a trace.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "false")
class TracingOff {

    @Bean
    Sampler tracingOffSampler() {
        return Sampler.alwaysOff();
    }
}
