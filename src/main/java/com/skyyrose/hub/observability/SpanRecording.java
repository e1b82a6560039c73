package com.skyyrose.hub.observability;

import io.lettuce.core.tracing.TraceContextProvider;
import io.lettuce.core.tracing.TracerProvider;
import io.lettuce.core.tracing.Tracing;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this instance records spans now (tracing on), paused and resumed without a restart: {@code PUT
 * /api/v1/ops/tracing} reaches every instance through Redis ({@link TracingSwitch}). Paused, an instance traces as
 * tracing off does: the sampler keeps nothing (a caller's sampled {@code traceparent} included), Camel's routes open
 * no spans, Redis commands and PostgreSQL statements are not instrumented; spans keep their ids, so logs and problem
 * documents still name a trace. Only the idle exporter stays loaded. Operators pause tracing when the collector is
 * down or its bill runs high; {@code bench/tracing-switch.sh} compares traced and untraced deliveries inside one
 * process with it.
 */
public final class SpanRecording {

    private static final Logger LOG = LoggerFactory.getLogger(SpanRecording.class);

    private volatile boolean on = true;
    private volatile Instant changedAt;

    public boolean isOn() {
        return on;
    }

    /** When recording was last paused or resumed on this instance; null if never since it started. */
    public Instant changedAt() {
        return changedAt;
    }

    void set(boolean recording, String why) {
        if (on != recording) {
            on = recording;
            changedAt = Instant.now();
            LOG.info("span recording {} ({})", recording ? "resumed" : "paused", why);
        }
    }

    /** {@code recording} while on; paused, every span is dropped at its start. */
    Sampler sampler(Sampler recording) {
        return new Sampler() {
            @Override
            public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                    Attributes attributes, List<LinkData> parentLinks) {
                return on ? recording.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks)
                        : SamplingResult.drop();
            }

            @Override
            public String getDescription() {
                return "Pausable{" + recording.getDescription() + "}";
            }
        };
    }

    /**
     * Lettuce's command tracing while on; paused, its no-op tracer (Lettuce decides whether tracing is enabled once per
     * connection, but asks for the tracer on every command).
     */
    Tracing redisTracing(Tracing traced) {
        Tracing off = Tracing.disabled();
        return new Tracing() {
            @Override
            public TracerProvider getTracerProvider() {
                return on ? traced.getTracerProvider() : off.getTracerProvider();
            }

            @Override
            public TraceContextProvider initialTraceContextProvider() {
                return on ? traced.initialTraceContextProvider() : off.initialTraceContextProvider();
            }

            @Override
            public boolean isEnabled() {
                return true;
            }

            @Override
            public boolean includeCommandArgsInSpanTags() {
                return traced.includeCommandArgsInSpanTags();
            }

            @Override
            public Endpoint createEndpoint(SocketAddress socketAddress) {
                return traced.createEndpoint(socketAddress);
            }
        };
    }
}
