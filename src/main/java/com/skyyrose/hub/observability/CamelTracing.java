package com.skyyrose.hub.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.List;
import java.util.Set;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.springframework.boot.actuate.autoconfigure.tracing.otlp.OtlpHttpSpanExporterBuilderCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Camel's part of a trace, on only with tracing ({@code OTEL_EXPORTER_OTLP_ENDPOINT}): every route an exchange
 * enters is a span, and so is each step that does work of its own — a bean, a processor, a fan-out, a breaker, a
 * split — and each call to an endpoint outside the hub (a client span that carries {@code traceparent} on), so a
 * slow agent run shows which step took the time. Pollers that fire every second (heartbeat, inbox and job pollers)
 * are left out: they would bury the traces that matter; the work they pick up starts traces of its own where it
 * continues one (webhook events).
 * <p>
 * Built on Camel's own hooks (a route policy factory and an intercept strategy) and the OpenTelemetry API directly,
 * not on Camel's tracers (camel-observation, camel-opentelemetry2): their decorators tag every span with six to ten
 * attributes (URI, exchange id, scheme, path, ...), copy the message's headers to look for a parent and write trace
 * headers into the message, and camel-observation adds the Observation layer's handlers on top (bench/tracing.sh
 * measured camel-observation at +26–49% of a webhook delivery's CPU). Here a span is its name, its parent, its kind
 * and an error status when the step failed.
 * <p>
 * The exchange carries its open spans (a property holding a small immutable stack), so parents are right across
 * threads (a multicast's branches copy it). A step's span is the thread's current OpenTelemetry context only while
 * the step runs on that thread: code in a step (a provider call, a vendor request) sees it, and the scope never
 * outlives the thread that opened it.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "true")
public class CamelTracing {

    /** EIPs that are spans of their own; the rest (set a header, filter, log) would only add noise. */
    static final Set<String> STEP_KINDS = Set.of("bean", "process", "recipientList", "multicast", "circuitBreaker",
            "split", "aggregate", "enrich", "pollEnrich", "loop", "throttle", "delay", "wireTap", "toD");

    /** Routes fed by these start no trace: timers and schedulers poll all the time. */
    static final List<String> POLLERS = List.of("timer:", "scheduler:");

    /** Endpoints that are routes of the hub: the called route's span stands for the call. */
    static final List<String> IN_PROCESS = List.of("direct:", "seda:", "vm:");

    @Bean
    CamelSpans camelSpans(CamelContext camel, OpenTelemetry openTelemetry, SpanRecording recording) {
        CamelSpans spans = new CamelSpans(openTelemetry.getTracer("org.apache.camel"),
                openTelemetry.getPropagators().getTextMapPropagator(), recording);
        // before the routes are created (Camel starts them once the application context is ready)
        camel.addRoutePolicyFactory(spans);
        camel.getCamelContextExtension().addInterceptStrategy(spans);
        return spans;
    }

    /**
     * The OTLP exporter marshals spans from reusable buffers rather than an object per span and attribute (the
     * allocations were a share of the export's cost at thousands of spans a second).
     */
    @Bean
    OtlpHttpSpanExporterBuilderCustomizer reusableExportBuffers() {
        return builder -> builder.setMemoryMode(io.opentelemetry.sdk.common.export.MemoryMode.REUSABLE_DATA);
    }

    /** Route, step and endpoint-call spans of Camel exchanges. */
    public static final class CamelSpans implements RoutePolicyFactory, InterceptStrategy {

        /** The exchange property holding the exchange's open spans. */
        static final String OPEN_SPANS = "hub.openSpans";
        static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

        private final Tracer tracer;
        private final TextMapPropagator propagator;
        private final SpanRecording recording;

        CamelSpans(Tracer tracer, TextMapPropagator propagator, SpanRecording recording) {
            this.tracer = tracer;
            this.propagator = propagator;
            this.recording = recording;
        }

        /** One open span of an exchange, above the ones it was opened in; owner = the route policy or step. */
        record Open(Span span, Object owner, Open below) {
        }

        @Override
        public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
            if (route instanceof RouteDefinition definition && definition.getInput() != null) {
                if (isPoller(definition.getInput().getEndpointUri())) {
                    return null; // Camel adds no policy for a factory's null
                }
            }
            return new RouteSpan(routeId);
        }

        @Override
        public Processor wrapProcessorInInterceptors(CamelContext context, NamedNode definition, Processor target,
                Processor nextTarget) {
            String kind = definition.getShortName();
            if (STEP_KINDS.contains(kind)) {
                return new StepSpan(target, clip(kind + " " + definition.getLabel()), SpanKind.INTERNAL);
            }
            if (definition instanceof ToDefinition to && to.getEndpointUri() != null
                    && IN_PROCESS.stream().noneMatch(to.getEndpointUri()::startsWith)) {
                // a call out of the hub (HTTP to a vendor): a client span, its traceparent in the request
                String uri = to.getEndpointUri();
                int query = uri.indexOf('?');
                return new StepSpan(target, clip("to " + (query < 0 ? uri : uri.substring(0, query))),
                        SpanKind.CLIENT);
            }
            return target;
        }

        private static String clip(String name) {
            return name.length() > 120 ? name.substring(0, 120) : name;
        }

        static Open open(Exchange exchange) {
            return exchange.getProperty(OPEN_SPANS, Open.class);
        }

        static void ended(Span span, Exchange exchange) {
            if (exchange.isFailed()) {
                span.setStatus(StatusCode.ERROR);
                if (exchange.getException() != null) {
                    span.setAttribute(ERROR_TYPE, exchange.getException().getClass().getName());
                }
            }
            span.end();
        }

        /** A route's span: a child of the span the exchange is in, of the thread's current one, or of the caller. */
        final class RouteSpan extends RoutePolicySupport {
            private final String routeId;

            RouteSpan(String routeId) {
                this.routeId = routeId;
            }

            @Override
            public void onExchangeBegin(Route route, Exchange exchange) {
                Open top = open(exchange);
                if (top == null && !recording.isOn()) {
                    return; // recording paused: a new exchange opens no spans (one begun before closes its own)
                }
                Span span;
                if (top != null) {
                    span = tracer.spanBuilder(routeId).setParent(Context.root().with(top.span())).startSpan();
                } else if (Span.current().getSpanContext().isValid()) {
                    // entered in-process from traced work: the HTTP request's span, a resumed webhook trace
                    span = tracer.spanBuilder(routeId).startSpan();
                } else if (polled(exchange)) {
                    return; // a poller's exchange that no traced work took up: no trace of its own
                } else {
                    // entered from outside with nothing traced around it: the caller's traceparent, if it sent one
                    Context caller = propagator.extract(Context.root(), exchange.getMessage(), MESSAGE_HEADERS);
                    span = tracer.spanBuilder(routeId).setParent(caller).setSpanKind(SpanKind.SERVER).startSpan();
                }
                exchange.setProperty(OPEN_SPANS, new Open(span, this, top));
            }

            @Override
            public void onExchangeDone(Route route, Exchange exchange) {
                for (Open o = open(exchange); o != null; o = o.below()) {
                    if (o.owner() == this) {
                        exchange.setProperty(OPEN_SPANS, o.below());
                        ended(o.span(), exchange);
                        return;
                    }
                }
            }
        }

        private static boolean polled(Exchange exchange) {
            return exchange.getFromEndpoint() != null && isPoller(exchange.getFromEndpoint().getEndpointUri());
        }

        private static boolean isPoller(String uri) {
            return uri != null && POLLERS.stream().anyMatch(uri::startsWith);
        }

        /** A step's (or an outside call's) span around its processor; current on the thread while it runs there. */
        final class StepSpan extends DelegateAsyncProcessor {
            private final String name;
            private final SpanKind kind;

            StepSpan(Processor target, String name, SpanKind kind) {
                super(target);
                this.name = name;
                this.kind = kind;
            }

            @Override
            public boolean process(Exchange exchange, AsyncCallback callback) {
                Open top = open(exchange);
                if (top == null) {
                    // an untraced exchange (a poller's): no trace to add to
                    return processor.process(exchange, callback);
                }
                Span span = tracer.spanBuilder(name).setParent(Context.root().with(top.span())).setSpanKind(kind)
                        .startSpan();
                exchange.setProperty(OPEN_SPANS, new Open(span, this, top));
                if (kind == SpanKind.CLIENT) {
                    propagator.inject(Context.root().with(span), exchange.getMessage(), Message::setHeader);
                }
                try (Scope ignored = span.makeCurrent()) {
                    return processor.process(exchange, doneSync -> {
                        exchange.setProperty(OPEN_SPANS, top);
                        ended(span, exchange);
                        callback.done(doneSync);
                    });
                }
            }
        }

        /** Reads a caller's trace headers from a Camel message. */
        static final TextMapGetter<Message> MESSAGE_HEADERS = new TextMapGetter<>() {
            @Override
            public Iterable<String> keys(Message message) {
                return message.getHeaders().keySet();
            }

            @Override
            public String get(Message message, String key) {
                Object value = message == null ? null : message.getHeader(key);
                return value == null ? null : value.toString();
            }
        };
    }
}
