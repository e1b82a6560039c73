package com.skyyrose.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.skyyrose.hub.support.HubIntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class RedisRateLimiterTest extends HubIntegrationTest {

    @Autowired
    RedisRateLimiter limiter;

    @Autowired
    org.springframework.data.redis.core.StringRedisTemplate redis;

    @Test
    void allowsCapacityThenDeniesWithRetryAfter() {
        String key = "test:" + UUID.randomUUID();
        RedisRateLimiter.Limit limit = new RedisRateLimiter.Limit(3, Duration.ofMinutes(1));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(key, limit).allowed()).isTrue();
        }
        RedisRateLimiter.Decision denied = limiter.tryAcquire(key, limit);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.remaining()).isZero();
        assertThat(denied.retryAfterSeconds()).isBetween(1L, 20L);
        assertThat(limiter.tryAcquire("test:" + UUID.randomUUID(), limit).allowed()).as("keys are independent")
                .isTrue();
    }

    @Test
    void aGuardedDecisionTakesATokenOnlyWhileTheHashHoldsTheExpectedValue() {
        String key = "test:" + UUID.randomUUID();
        String hash = "test:guard:" + UUID.randomUUID();
        RedisRateLimiter.Limit limit = new RedisRateLimiter.Limit(2, Duration.ofMinutes(1));
        assertThat(limiter.tryAcquireIf(hash, "uid", "u1", "role", key, limit)).as("no hash").isNull();
        redis.opsForHash().putAll(hash, java.util.Map.of("uid", "u1", "role", "editor"));
        try {
            assertThat(limiter.tryAcquireIf(hash, "uid", "someone-else", "role", key, limit)).as("other value")
                    .isNull();
            RedisRateLimiter.Guarded first = limiter.tryAcquireIf(hash, "uid", "u1", "role", key, limit);
            assertThat(first.field()).isEqualTo("editor");
            assertThat(first.decision().allowed()).isTrue();
            assertThat(first.decision().remaining()).as("the refused checks took nothing").isEqualTo(1);
            assertThat(limiter.tryAcquireIf(hash, "uid", "u1", "role", key, limit).decision().allowed()).isTrue();
            RedisRateLimiter.Guarded denied = limiter.tryAcquireIf(hash, "uid", "u1", "role", key, limit);
            assertThat(denied.decision().allowed()).isFalse();
            assertThat(denied.decision().retryAfterSeconds()).isBetween(1L, 31L);
            assertThat(limiter.tryAcquire(key, limit).allowed()).as("the same bucket as tryAcquire").isFalse();
        } finally {
            redis.delete(hash);
        }
    }

    @Test
    void refillsOverThePeriod() throws Exception {
        String key = "test:" + UUID.randomUUID();
        RedisRateLimiter.Limit limit = new RedisRateLimiter.Limit(2, Duration.ofMillis(400));
        assertThat(limiter.tryAcquire(key, limit).allowed()).isTrue();
        assertThat(limiter.tryAcquire(key, limit).allowed()).isTrue();
        assertThat(limiter.tryAcquire(key, limit).allowed()).isFalse();
        Thread.sleep(450);
        assertThat(limiter.tryAcquire(key, limit).allowed()).isTrue();
    }

    @Test
    void concurrentCallersNeverExceedTheCapacity() throws Exception {
        String key = "test:" + UUID.randomUUID();
        RedisRateLimiter.Limit limit = new RedisRateLimiter.Limit(25, Duration.ofHours(1));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(() -> limiter.tryAcquire(key, limit).allowed());
            }
            long allowed = 0;
            for (Future<Boolean> f : pool.invokeAll(calls)) {
                if (f.get()) {
                    allowed++;
                }
            }
            assertThat(allowed).isEqualTo(25);
        } finally {
            pool.shutdownNow();
        }
    }
}
