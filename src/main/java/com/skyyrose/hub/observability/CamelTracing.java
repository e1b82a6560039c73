package com.skyyrose.hub.observability;

import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import java.util.Set;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.observation.MicrometerObservationTracer;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.tracing.ActiveSpanManager;
import org.apache.camel.tracing.SpanAdapter;
import org.apache.camel.tracing.SpanKind;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Camel's part of a trace, on only with tracing ({@code OTEL_EXPORTER_OTLP_ENDPOINT}): every route an exchange
 * enters and every endpoint it calls is a span (Camel's Micrometer Observation tracer), and so is each step that
 * does work of its own — a bean, a processor, a fan-out, a breaker, a split — so a slow agent run shows which step
 * took the time. Pollers that fire every second (heartbeat, inbox and job pollers) are left out: they would bury
 * the traces that matter; the work they pick up starts traces of its own where it continues one (webhook events).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "true")
public class CamelTracing {

    /** EIPs that are spans of their own; the rest (set a header, filter, log) would only add noise. */
    static final Set<String> STEP_KINDS = Set.of("bean", "process", "recipientList", "multicast", "circuitBreaker",
            "split", "aggregate", "enrich", "pollEnrich", "loop", "throttle", "delay", "wireTap", "toD");

    /** Endpoint patterns whose exchanges start no trace: timers and schedulers poll all the time. */
    static final String EXCLUDED = "timer:*,scheduler:*";

    /**
     * Camel's observations are spans only: without this, Spring's meter handler would also make a timer of every
     * Camel span ({@code camel_component_seconds} with a tag per component, clashing in Prometheus) — the route
     * metrics already come from camel-micrometer. First among the meter handlers, it takes Camel's observations
     * and does nothing with them; Spring's HTTP and the hub's own observations keep their metrics.
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    MeterObservationHandler<Observation.Context> camelObservationsWithoutMeters() {
        return new MeterObservationHandler<>() {
            @Override
            public boolean supportsContext(Observation.Context context) {
                return CAMEL_COMPONENT.equals(context.getName()) || context.containsKey(CAMEL_ROUTE_SPAN);
            }
        };
    }

    /** How Camel's tracer marks its observations: sending spans by name, route spans by a context key. */
    static final String CAMEL_COMPONENT = "camel.component";
    static final String CAMEL_ROUTE_SPAN = "camel.micrometer.abstract-internal";

    @Bean(initMethod = "", destroyMethod = "")
    StepTracer camelTracer(CamelContext camel, Tracer tracer, ObservationRegistry observations) {
        StepTracer camelTracer = new StepTracer();
        camelTracer.setTracer(tracer);
        camelTracer.setObservationRegistry(observations);
        camelTracer.setExcludePatterns(EXCLUDED);
        camelTracer.setTracingStrategy(camelTracer.steps());
        // registers the route policy factory and event notifier before the routes are created (Camel owns its life)
        camelTracer.init(camel);
        return camelTracer;
    }

    /** Camel's tracer with step spans: a step span is a child of the exchange's current span. */
    public static class StepTracer extends MicrometerObservationTracer {

        InterceptStrategy steps() {
            return new InterceptStrategy() {
                @Override
                public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition,
                        Processor target, Processor nextTarget) {
                    if (!STEP_KINDS.contains(definition.getShortName())) {
                        return target;
                    }
                    return new StepSpan(target, definition.getShortName() + " " + definition.getLabel());
                }
            };
        }

        final class StepSpan extends DelegateAsyncProcessor {
            private final String name;

            StepSpan(Processor target, String name) {
                super(target);
                this.name = name.length() > 120 ? name.substring(0, 120) : name;
            }

            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                SpanAdapter parent = ActiveSpanManager.getSpan(exchange);
                if (parent == null) {
                    // an excluded exchange (a poller): no trace to add to
                    return processor.process(exchange, callback);
                }
                // Camel's span kinds have no "internal"; a producer span whose trace headers go nowhere (the no-op
                // inject adapter) keeps the parent from the exchange, whichever thread runs the step
                SpanAdapter span = startSendingEventSpan(name, SpanKind.PRODUCER, parent, exchange, (k, v) -> { });
                span.setTag("camel.step", name);
                ActiveSpanManager.activate(exchange, span);
                return processor.process(exchange, doneSync -> {
                    if (exchange.getException() != null) {
                        span.setError(true);
                    }
                    ActiveSpanManager.deactivate(exchange);
                    finishSpan(span);
                    callback.done(doneSync);
                });
            }
        }
    }
}
