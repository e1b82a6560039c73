package com.skyyrose.hub.platform;

import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Token-bucket rate limits shared by every hub instance: one atomic Lua script per decision, Redis's own clock
 * (so instances with drifting clocks agree), and a TTL on every bucket so idle keys disappear.
 */
@Component
public class RedisRateLimiter {

    private static final String PREFIX = "ratelimit:";

    // KEYS[1] bucket; ARGV: capacity, refill tokens per ms, cost. Returns {allowed, remaining, retryAfterMs}.
    private static final RedisScript<List> TOKEN_BUCKET = new DefaultRedisScript<>("""
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local cost = tonumber(ARGV[3])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
            local tokens = tonumber(data[1])
            local ts = tonumber(data[2])
            if tokens == nil or ts == nil then
              tokens = capacity
              ts = now
            end
            tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
            local allowed = 0
            local retry = 0
            if tokens >= cost then
              tokens = tokens - cost
              allowed = 1
            else
              retry = math.ceil((cost - tokens) / rate)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
            return {allowed, math.floor(tokens), retry}
            """, List.class);

    private final StringRedisTemplate redis;

    public RedisRateLimiter(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** At most {@code capacity} requests, refilled evenly over {@code period}. */
    public record Limit(int capacity, Duration period) {
        public Limit {
            if (capacity < 1 || period.isZero() || period.isNegative()) {
                throw new IllegalArgumentException("a limit needs capacity >= 1 and a positive period");
            }
        }

        public static Limit perMinute(int capacity) {
            return new Limit(capacity, Duration.ofMinutes(1));
        }
    }

    /** The outcome, with what a client needs for {@code RateLimit-*} / {@code Retry-After} headers. */
    public record Decision(boolean allowed, long remaining, Duration retryAfter, Limit limit) {
        /** Whole seconds to wait, at least 1 when denied (for Retry-After). */
        public long retryAfterSeconds() {
            return allowed ? 0 : Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        }
    }

    public Decision tryAcquire(String key, Limit limit) {
        double perMs = (double) limit.capacity() / limit.period().toMillis();
        List<?> result = redis.execute(TOKEN_BUCKET, List.of(PREFIX + key),
                Integer.toString(limit.capacity()), Double.toString(perMs), "1");
        if (result == null || result.size() < 3) {
            throw new IllegalStateException("rate limit script returned " + result);
        }
        boolean allowed = ((Number) result.get(0)).longValue() == 1;
        long remaining = ((Number) result.get(1)).longValue();
        long retryMs = ((Number) result.get(2)).longValue();
        return new Decision(allowed, remaining, Duration.ofMillis(retryMs), limit);
    }
}
