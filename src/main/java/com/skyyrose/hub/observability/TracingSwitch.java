package com.skyyrose.hub.observability;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.autoconfigure.tracing.TracingProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * With tracing on: which spans are recorded, and the switch that pauses recording on every instance. The state is
 * kept in Redis ({@link #KEY}: an instance that starts reads it) and each change is announced on {@link #CHANNEL}
 * (every instance applies it as it hears it; {@link TracingControl} writes both).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "true")
public class TracingSwitch {

    private static final Logger LOG = LoggerFactory.getLogger(TracingSwitch.class);

    /** "on" or "off": whether the hub's instances record spans (absent: on). */
    public static final String KEY = "hub:tracing:recording";
    public static final String CHANNEL = "hub:tracing:changed";

    /** Recording on; what Redis holds is read once the Redis client exists (it needs the tracer: a cycle here). */
    @Bean
    SpanRecording spanRecording() {
        return new SpanRecording();
    }

    @Bean
    RedisMessageListenerContainer tracingSwitchListener(RedisConnectionFactory redisConnections,
            StringRedisTemplate redis, SpanRecording recording) {
        try {
            String stored = redis.opsForValue().get(KEY);
            if (stored != null) {
                recording.set(!"off".equals(stored), "as stored in Redis at start-up");
            }
        } catch (RuntimeException e) {
            LOG.warn("could not read from Redis whether spans are recorded; recording: {}", e.toString());
        }
        RedisMessageListenerContainer container = new RedisMessageListenerContainer();
        container.setConnectionFactory(redisConnections);
        container.addMessageListener((message, pattern) -> recording.set(
                !"off".equals(new String(message.getBody(), StandardCharsets.UTF_8)), "announced on Redis"),
                new ChannelTopic(CHANNEL));
        container.setRecoveryInterval(2000); // keep starting when Redis is briefly away
        return container;
    }

    /**
     * Spring Boot's sampler (a child follows its parent; a new trace is kept with the configured probability), except
     * that a client call with no parent starts no trace, and nothing is kept while recording is paused.
     */
    @Bean
    Sampler otelSampler(TracingProperties properties, SpanRecording recording) {
        return recording.sampler(Sampler.parentBased(new NoClientRoots(
                Sampler.traceIdRatioBased(properties.getSampling().getProbability()))));
    }

    /** Drops new traces that would start with a client call; asks {@code roots} about the rest. */
    record NoClientRoots(Sampler roots) implements Sampler {
        @Override
        public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                Attributes attributes, List<LinkData> parentLinks) {
            return spanKind == SpanKind.CLIENT ? SamplingResult.drop()
                    : roots.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
        }

        @Override
        public String getDescription() {
            return "NoClientRoots{" + roots.getDescription() + "}";
        }
    }
}
