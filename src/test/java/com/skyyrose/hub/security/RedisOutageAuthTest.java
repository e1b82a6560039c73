package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.OwnRedisServer;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against a Redis of the test's own that really stops: authenticated calls answer 503 (sessions cannot be
 * checked), never 500, while /health stays 200; when Redis is back, signing in and calling work again without a
 * restart. Also the per-IP sign-in limit, with client addresses given by a trusted (loopback) proxy.
 */
class RedisOutageAuthTest {

    private OwnRedisServer redis;

    @AfterEach
    void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.stop();
        }
    }

    @Test
    void authenticatedCallsAre503WhileRedisIsDownAndRecover() throws Exception {
        redis = new OwnRedisServer().start();
        try (RunningHub hub = RunningHub.start("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                "REDIS_URL=" + redis.url(), "HUB_ROUTES_RELOAD=false", "HUB_LOGIN_IP_PER_MINUTE=3")) {
            TestHttp http = hub.http();
            String[] admin = TestAuth.bearer(TestAuth.login(http, TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD)
                    .get("access_token").asText());
            assertThat(http.get("/api/v1/auth/me", admin).status()).isEqualTo(200);

            redis.stop();
            TestHttp.Reply down = http.get("/api/v1/auth/me", admin);
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.contentType()).startsWith("application/problem+json");
            assertThat(down.header("Retry-After")).isPresent();
            assertThat(http.get("/api/v1/agents", "X-API-Key", "hub_abc_def").status()).isIn(401, 503);
            assertThat(http.postJson("/api/v1/auth/token", "{\"grant_type\":\"password\",\"username\":\""
                    + TestAuth.ADMIN_EMAIL + "\",\"password\":\"" + TestAuth.ADMIN_PASSWORD + "\"}").status())
                    .isEqualTo(503);
            assertThat(http.get("/health").status()).isEqualTo(200);

            redis.start();
            // the restarted Redis is empty, so the old session is gone: sign in again, no hub restart needed
            hub.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            TestHttp.Reply login;
            do {
                login = http.postJson("/api/v1/auth/token", "{\"grant_type\":\"password\",\"username\":\""
                        + TestAuth.ADMIN_EMAIL + "\",\"password\":\"" + TestAuth.ADMIN_PASSWORD + "\"}",
                        "X-Forwarded-For", "198.51.100.1");
                if (login.status() == 200) {
                    break;
                }
                RunningHub.sleep(200);
            } while (System.nanoTime() < deadline);
            assertThat(login.status()).isEqualTo(200);
            assertThat(http.get("/api/v1/auth/me", TestAuth.bearer(login.json().get("access_token").asText()))
                    .status()).isEqualTo(200);

            // sign-in throttled per client IP (3 per minute here), each address on its own
            String bad = "{\"grant_type\":\"password\",\"username\":\"nobody@skyyrose.test\",\"password\":\"x\"}";
            for (int i = 0; i < 3; i++) {
                assertThat(http.postJson("/api/v1/auth/token", bad, "X-Forwarded-For", "203.0.113.7").status())
                        .isEqualTo(401);
            }
            TestHttp.Reply limited = http.postJson("/api/v1/auth/token", bad, "X-Forwarded-For", "203.0.113.7");
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.header("Retry-After")).isPresent();
            assertThat(limited.header("RateLimit-Limit")).contains("3");
            assertThat(http.postJson("/api/v1/auth/token", bad, "X-Forwarded-For", "203.0.113.8").status())
                    .isEqualTo(401);
        }
    }
}
