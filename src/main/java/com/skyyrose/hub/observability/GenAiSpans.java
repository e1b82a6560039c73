package com.skyyrose.hub.observability;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * One client span per LLM call, named and tagged as the OpenTelemetry GenAI semantic conventions say
 * ({@code chat <model>}, {@code gen_ai.system}, {@code gen_ai.request.model}, {@code gen_ai.response.model},
 * {@code gen_ai.usage.input_tokens}/{@code output_tokens}, {@code error.type}), child of the round-table branch
 * that makes the call, so a trace shows which provider took the time. A no-op when tracing is off.
 */
@Component
public class GenAiSpans {

    /** Provider ids whose vendor has a name of its own in the conventions; any other id is its own system. */
    private static final Map<String, String> SYSTEMS = Map.of(
            "openai", "openai", "openai-compatible", "openai", "anthropic", "anthropic", "gemini", "gcp.gemini");

    private final Tracer tracer;

    public GenAiSpans(ObjectProvider<Tracer> tracer) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
    }

    /** Starts the span of one chat call and makes it current (the HTTP client sends its traceparent). */
    public Call chat(String providerId, String model) {
        Span span = tracer.spanBuilder().name("chat " + model).kind(Span.Kind.CLIENT).start();
        span.tag("gen_ai.operation.name", "chat");
        span.tag("gen_ai.system", SYSTEMS.getOrDefault(providerId, providerId.toLowerCase(Locale.ROOT)));
        span.tag("gen_ai.request.model", model);
        span.tag("hub.provider", providerId);
        return new Call(span, tracer.withSpan(span));
    }

    /** An LLM call in progress: record what came back, then close (ends the span). */
    public static final class Call implements AutoCloseable {
        private final Span span;
        private final Tracer.SpanInScope scope;

        Call(Span span, Tracer.SpanInScope scope) {
            this.span = span;
            this.scope = scope;
        }

        public void response(String model, long inputTokens, long outputTokens, String finishReason) {
            if (model != null) {
                span.tag("gen_ai.response.model", model);
            }
            span.tag("gen_ai.usage.input_tokens", inputTokens);
            span.tag("gen_ai.usage.output_tokens", outputTokens);
            if (finishReason != null) {
                span.tag("gen_ai.response.finish_reasons", finishReason);
            }
        }

        public void failed(String errorType) {
            span.tag("error.type", errorType);
            span.error(new IllegalStateException(errorType));
        }

        @Override
        public void close() {
            scope.close();
            span.end();
        }
    }
}
