package com.skyyrose.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestHttp;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness against a real Redis that really goes away: the test runs a redis-server of its own (never the shared
 * one), stops it, and starts it again on the same port.
 */
class ReadinessOutageTest {

    private Process redis;

    @AfterEach
    void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void readinessGoesDownWithRedisAndRecovers() throws Exception {
        int port = freePort();
        redis = startRedis(port);
        try (RunningHub hub = RunningHub.start("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=redis://127.0.0.1:" + port, "HUB_ROUTES_RELOAD=false")) {
            hub.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(20));

            redis.destroy();
            assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();
            TestHttp.Reply down = hub.await("/health/ready", r -> r.status() == 503, Duration.ofSeconds(20));
            assertThat(down.json().get("status").asText()).isEqualTo("DOWN");
            assertThat(down.json().at("/components/redis/status").asText()).isEqualTo("DOWN");
            assertThat(down.json().at("/components/redis/error").asText()).isNotBlank();
            assertThat(down.json().at("/components/postgres/status").asText()).isEqualTo("UP");
            // liveness does not depend on Redis
            assertThat(hub.http().get("/health").status()).isEqualTo(200);

            redis = startRedis(port);
            TestHttp.Reply up = hub.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(30));
            assertThat(up.json().at("/components/redis/status").asText()).isEqualTo("UP");
        }
    }

    private static Process startRedis(int port) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on " + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
