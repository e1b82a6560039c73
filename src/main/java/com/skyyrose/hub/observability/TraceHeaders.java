package com.skyyrose.hub.observability;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import java.util.function.BiConsumer;

/**
 * The W3C {@code traceparent} of the current span, for an outgoing vendor call: the vendor's side (and any proxy
 * that records traces) joins our trace. Nothing is added when tracing is off (no current span).
 */
public final class TraceHeaders {

    private TraceHeaders() {
    }

    public static void inject(BiConsumer<String, String> header) {
        W3CTraceContextPropagator.getInstance().inject(Context.current(), header, BiConsumer::accept);
    }
}
