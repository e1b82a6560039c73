package com.skyyrose.hub.observability;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Work done later for an earlier request — a webhook event processed by the worker after the intake stored it —
 * continues that request's trace: the intake keeps its {@code traceparent} with the event, and the worker's span
 * is its child. Without one (tracing was off at intake, reconciliation) the work starts a trace of its own.
 * A no-op when tracing is off.
 */
@Component
public class TraceContinuation {

    /** Where a stored event keeps the trace of the request that brought it. */
    public static final String HEADER = "traceparent";

    private final Tracer tracer;
    private final Propagator propagator;

    public TraceContinuation(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
        this.propagator = propagator.getIfAvailable(() -> Propagator.NOOP);
    }

    /** The current trace as headers to store with deferred work (empty when tracing is off). */
    public static Map<String, String> current() {
        Map<String, String> headers = new HashMap<>(2);
        TraceHeaders.inject(headers::put);
        return headers;
    }

    private static final java.util.regex.Pattern STORED = java.util.regex.Pattern.compile(
            "\"" + HEADER + "\"\\s*:\\s*\"(00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})\"");

    /** The traceparent kept in stored headers (a JSON object of header names to values), or null. */
    public static String traceparentIn(String headersJson) {
        if (headersJson == null) {
            return null;
        }
        java.util.regex.Matcher m = STORED.matcher(headersJson);
        return m.find() ? m.group(1) : null;
    }

    /** The trace id of a traceparent (for operators: the console and the API show it), or null. */
    public static String traceId(String traceparent) {
        return traceparent == null ? null : traceparent.substring(3, 35);
    }

    /** The current trace's id, or null when there is none (tracing off). */
    public static String currentTraceId() {
        io.opentelemetry.api.trace.SpanContext context = io.opentelemetry.api.trace.Span.current().getSpanContext();
        return context.isValid() ? context.getTraceId() : null;
    }

    /** Starts a consumer span continuing {@code traceparent} (or a new trace) and makes it current until closed. */
    public Resumed resume(String name, String traceparent) {
        Span.Builder builder = traceparent == null || traceparent.isBlank() ? tracer.spanBuilder()
                : propagator.extract(Map.of(HEADER, traceparent), (carrier, key) -> carrier.get(key));
        Span span = builder.name(name).kind(Span.Kind.CONSUMER).start();
        return new Resumed(span, tracer.withSpan(span));
    }

    /** A resumed trace's span in scope; closing ends it. */
    public static final class Resumed implements AutoCloseable {
        private final Span span;
        private final Tracer.SpanInScope scope;

        Resumed(Span span, Tracer.SpanInScope scope) {
            this.span = span;
            this.scope = scope;
        }

        public void tag(String key, String value) {
            if (value != null) {
                span.tag(key, value);
            }
        }

        public void failed(Throwable error) {
            span.error(error);
        }

        @Override
        public void close() {
            scope.close();
            span.end();
        }
    }
}
