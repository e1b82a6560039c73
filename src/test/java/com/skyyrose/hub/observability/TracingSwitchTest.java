package com.skyyrose.hub.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * An instance that starts while recording is paused (on the real Redis the tests use) starts paused; the
 * announcement path is TraceSpansTest's.
 */
class TracingSwitchTest {

    LettuceConnectionFactory connections;
    StringRedisTemplate redis;

    @BeforeEach
    void connect() {
        URI url = URI.create(System.getenv().getOrDefault("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"));
        RedisStandaloneConfiguration config = new RedisStandaloneConfiguration(url.getHost(), url.getPort());
        String path = url.getPath() == null ? "" : url.getPath().replace("/", "");
        config.setDatabase(path.isEmpty() ? 0 : Integer.parseInt(path));
        connections = new LettuceConnectionFactory(config);
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
    }

    @AfterEach
    void close() {
        redis.delete(TracingSwitch.KEY);
        connections.destroy();
    }

    SpanRecording started() {
        SpanRecording recording = new SpanRecording();
        new TracingSwitch().tracingSwitchListener(connections, redis, recording);
        return recording;
    }

    @Test
    void anInstanceStartsAsTheStoredSettingSays() {
        redis.opsForValue().set(TracingSwitch.KEY, "off");
        assertThat(started().isOn()).isFalse();
        redis.opsForValue().set(TracingSwitch.KEY, "on");
        assertThat(started().isOn()).isTrue();
        redis.delete(TracingSwitch.KEY);
        assertThat(started().isOn()).isTrue();
    }
}
