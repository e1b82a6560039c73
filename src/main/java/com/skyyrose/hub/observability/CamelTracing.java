package com.skyyrose.hub.observability;

import io.micrometer.core.instrument.observation.MeterObservationHandler;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Set;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.observation.MicrometerObservationSpanAdapter;
import org.apache.camel.observation.MicrometerObservationTracer;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.tracing.ActiveSpanManager;
import org.apache.camel.tracing.SpanAdapter;
import org.apache.camel.tracing.SpanDecorator;
import org.apache.camel.tracing.SpanKind;
import org.apache.camel.tracing.decorators.AbstractInternalSpanDecorator;
import org.apache.camel.tracing.decorators.DirectSpanDecorator;
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
 * <p>
 * Cheaper than Camel's defaults where they only repeat themselves (bench/tracing.sh measures the cost): a call to a
 * {@code direct:} route is one span, the route's, not also a client span around it that writes trace headers into
 * the message; routes entered in-process and step spans are internal spans that read and write no trace headers
 * (only a route a request or message enters from outside extracts {@code traceparent}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "true")
public class CamelTracing {

    /** EIPs that are spans of their own; the rest (set a header, filter, log) would only add noise. */
    static final Set<String> STEP_KINDS = Set.of("bean", "process", "recipientList", "multicast", "circuitBreaker",
            "split", "aggregate", "enrich", "pollEnrich", "loop", "throttle", "delay", "wireTap", "toD");

    /**
     * Routes fed by these start no trace: timers and schedulers poll all the time. They get no tracing route policy
     * (rather than Camel's exclude patterns, which match every endpoint URI against them on each route entry, exit,
     * send and reply: a few percent of a webhook delivery's CPU).
     */
    static final java.util.List<String> POLLERS = java.util.List.of("timer:", "scheduler:");

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
        camelTracer.setTracingStrategy(camelTracer.steps());
        camelTracer.addDecorator(new InProcessCall());
        // registers the route policy factory and event notifier before the routes are created (Camel owns its life)
        camelTracer.init(camel);
        return camelTracer;
    }

    /** A call to a {@code direct:} route: the called route's span stands for it (no second span). */
    static final class InProcessCall extends DirectSpanDecorator {
        @Override
        public boolean newSpan() {
            return false;
        }
    }

    /**
     * Camel's tracer with step spans (children of the exchange's current span), and internal spans for routes
     * entered in-process. Camel's span kinds have no "internal", and its adapter's constructor is package-private:
     * one method handle each, looked up once.
     */
    public static class StepTracer extends MicrometerObservationTracer {

        private static final MethodHandle ADAPTER;
        private static final MethodHandle OBSERVATION_OF;

        static {
            try {
                MethodHandles.Lookup camel = MethodHandles.privateLookupIn(MicrometerObservationSpanAdapter.class,
                        MethodHandles.lookup());
                ADAPTER = camel.findConstructor(MicrometerObservationSpanAdapter.class,
                        MethodType.methodType(void.class, Observation.class, Tracer.class));
                OBSERVATION_OF = camel.findVirtual(MicrometerObservationSpanAdapter.class,
                        "getMicrometerObservation", MethodType.methodType(Observation.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

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

        @Override
        public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
            if (route instanceof RouteDefinition definition && definition.getInput() != null) {
                String from = definition.getInput().getEndpointUri();
                if (from != null && POLLERS.stream().anyMatch(from::startsWith)) {
                    return null; // Camel adds no policy for a factory's null
                }
            }
            return super.createRoutePolicy(context, routeId, route);
        }

        @Override
        protected SpanAdapter startExchangeBeginSpan(Exchange exchange, SpanDecorator decorator, String operationName,
                SpanKind kind, SpanAdapter parent) {
            if (parent != null && decorator instanceof AbstractInternalSpanDecorator) {
                // entered from another route of this exchange: its trace is the exchange's, nothing to extract
                Observation.Context context = new Observation.Context();
                context.put(CAMEL_ROUTE_SPAN, true);
                return internalSpan(Observation.createNotStarted(operationName, () -> context,
                        getObservationRegistry()), parent);
            }
            return super.startExchangeBeginSpan(exchange, decorator, operationName, kind, parent);
        }

        SpanAdapter internalSpan(Observation observation, SpanAdapter parent) {
            try {
                observation.parentObservation((Observation) OBSERVATION_OF.invoke(parent));
                return (SpanAdapter) ADAPTER.invoke(observation.start(), getTracer());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
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
                SpanAdapter span = internalSpan(Observation.createNotStarted(CAMEL_COMPONENT, Observation.Context::new,
                        getObservationRegistry()).contextualName(name), parent);
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
