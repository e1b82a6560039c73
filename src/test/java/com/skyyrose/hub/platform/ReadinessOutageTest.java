package com.skyyrose.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.OwnRedisServer;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestHttp;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness against a real Redis that really goes away: the test runs a redis-server of its own (never the shared
 * one), stops it, and starts it again on the same port.
 */
class ReadinessOutageTest {

    private OwnRedisServer redis;

    @AfterEach
    void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void readinessGoesDownWithRedisAndRecovers() throws Exception {
        redis = new OwnRedisServer().start();
        try (RunningHub hub = RunningHub.start("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + redis.url(), "HUB_ROUTES_RELOAD=false")) {
            hub.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(20));

            redis.stop();
            TestHttp.Reply down = hub.await("/health/ready", r -> r.status() == 503, Duration.ofSeconds(20));
            assertThat(down.json().get("status").asText()).isEqualTo("DOWN");
            assertThat(down.json().at("/components/redis/status").asText()).isEqualTo("DOWN");
            // why is for the log and for operators, not for anonymous probes
            assertThat(down.json().at("/components/redis").has("error")).isFalse();
            assertThat(down.json().at("/components/postgres/status").asText()).isEqualTo("UP");
            // liveness does not depend on Redis
            assertThat(hub.http().get("/health").status()).isEqualTo(200);

            redis.start();
            TestHttp.Reply up = hub.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(30));
            assertThat(up.json().at("/components/redis/status").asText()).isEqualTo("UP");
        }
    }
}
