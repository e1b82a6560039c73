package com.skyyrose.hub.webhooks;

import io.micrometer.observation.ObservationPredicate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/**
 * Webhook deliveries are left out of Spring's per-request HTTP observation ({@code http_server_requests_seconds}).
 * On the intake path it cost about a tenth of the request threads' CPU (JFR, bench/webhooks.sh), and the path is
 * measured anyway: counts per source, topic and outcome in {@code hub_webhooks_*}, latency per intake route in
 * {@code camel_route_policy_seconds{routeId="webhook-intake-…"}}.
 */
@Configuration(proxyBeanMethods = false)
public class WebhookObservation {

    @Bean
    ObservationPredicate webhookIntakeNotObserved() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && request.getCarrier() != null && request.getCarrier().getRequestURI().startsWith("/webhooks/"));
    }
}
