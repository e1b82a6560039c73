package com.skyyrose.hub.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.tracing.Tracer;
import io.lettuce.core.tracing.TracerProvider;
import io.lettuce.core.tracing.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pausing recording: the sampler keeps nothing, not even a caller's sampled trace; Redis commands get no tracer. */
class SpanRecordingTest {

    final SpanRecording recording = new SpanRecording();

    @Test
    void pausedTheSamplerDropsEverySpanAndResumedItAsksTheConfiguredOne() {
        Sampler sampler = recording.sampler(Sampler.parentBased(Sampler.alwaysOn()));
        Context sampledParent = Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(
                "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getSampled(),
                TraceState.getDefault())));
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        assertThat(sampler.shouldSample(sampledParent, traceId, "s", SpanKind.SERVER, Attributes.empty(), List.of())
                .getDecision()).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);

        recording.set(false, "test");
        assertThat(recording.isOn()).isFalse();
        assertThat(recording.changedAt()).isNotNull();
        assertThat(sampler.shouldSample(sampledParent, traceId, "s", SpanKind.SERVER, Attributes.empty(), List.of())
                .getDecision()).isEqualTo(SamplingDecision.DROP);
        assertThat(sampler.shouldSample(Context.root(), traceId, "s", SpanKind.INTERNAL, Attributes.empty(), List.of())
                .getDecision()).isEqualTo(SamplingDecision.DROP);

        recording.set(true, "test");
        assertThat(sampler.shouldSample(sampledParent, traceId, "s", SpanKind.SERVER, Attributes.empty(), List.of())
                .getDecision()).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    }

    @Test
    void pausedRedisCommandsGetLettucesNoOpTracer() {
        Tracer traced = new Tracer() {
            @Override
            public Span nextSpan() {
                return null;
            }

            @Override
            public Span nextSpan(io.lettuce.core.tracing.TraceContext traceContext) {
                return null;
            }
        };
        TracerProvider provider = () -> traced;
        Tracing tracing = recording.redisTracing(new Tracing() {
            @Override
            public TracerProvider getTracerProvider() {
                return provider;
            }

            @Override
            public io.lettuce.core.tracing.TraceContextProvider initialTraceContextProvider() {
                return () -> null;
            }

            @Override
            public boolean isEnabled() {
                return true;
            }

            @Override
            public boolean includeCommandArgsInSpanTags() {
                return false;
            }

            @Override
            public Endpoint createEndpoint(java.net.SocketAddress socketAddress) {
                return null;
            }
        });
        assertThat(tracing.isEnabled()).isTrue(); // Lettuce reads it once per connection
        assertThat(tracing.getTracerProvider().getTracer()).isSameAs(traced);
        recording.set(false, "test");
        assertThat(tracing.getTracerProvider().getTracer())
                .isSameAs(Tracing.disabled().getTracerProvider().getTracer());
        recording.set(true, "test");
        assertThat(tracing.getTracerProvider().getTracer()).isSameAs(traced);
    }
}
