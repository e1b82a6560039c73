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

    // The token bucket: KEYS[1] bucket; ARGV: capacity, refill tokens per ms, cost. Leaves allowed, tokens, retry (ms).
    private static final String BUCKET = """
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
            """;

    // Returns {allowed, remaining, retryAfterMs}.
    private static final RedisScript<List> TOKEN_BUCKET = new DefaultRedisScript<>(
            BUCKET + "return {allowed, math.floor(tokens), retry}\n", List.class);

    // The bucket behind a check of a hash (e.g. a live session): KEYS[2] the hash; ARGV[4] its field, ARGV[5] the value
    // it must hold, ARGV[6] a field to return. Returns {-1} (bucket untouched) when the field differs or the hash is
    // gone, else {allowed, remaining, retryAfterMs, value of ARGV[6]}.
    private static final RedisScript<List> GUARDED_TOKEN_BUCKET = new DefaultRedisScript<>("""
            local guard = redis.call('HMGET', KEYS[2], ARGV[4], ARGV[6])
            if guard[1] ~= ARGV[5] then return {-1} end
            """ + BUCKET + "return {allowed, math.floor(tokens), retry, guard[2]}\n", List.class);

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
        List<?> result = redis.execute(TOKEN_BUCKET, List.of(PREFIX + key), arguments(limit));
        return decision(result, limit);
    }

    /** A decision taken only if a Redis hash holds an expected value, with another field of that hash. */
    public record Guarded(Decision decision, String field) {
    }

    /**
     * One round trip for "is this hash still what the caller says, and may it go on": when {@code hashKey}'s
     * {@code field} equals {@code expected}, a token is taken from {@code key}'s bucket and the decision comes back
     * with {@code returnField}'s value; otherwise null and the bucket is untouched. (Identity: the session check and
     * the principal's rate limit of the OpenAI-compatible API in one script instead of two calls.)
     */
    public Guarded tryAcquireIf(String hashKey, String field, String expected, String returnField, String key,
            Limit limit) {
        String[] bucket = arguments(limit);
        List<?> result = redis.execute(GUARDED_TOKEN_BUCKET, List.of(PREFIX + key, hashKey), bucket[0], bucket[1],
                bucket[2], field, expected, returnField);
        if (result != null && result.size() == 1 && ((Number) result.get(0)).longValue() == -1) {
            return null;
        }
        if (result == null || result.size() < 4) {
            throw new IllegalStateException("rate limit script returned " + result);
        }
        return new Guarded(decision(result, limit), result.get(3) == null ? null : result.get(3).toString());
    }

    private static String[] arguments(Limit limit) {
        double perMs = (double) limit.capacity() / limit.period().toMillis();
        return new String[] {Integer.toString(limit.capacity()), Double.toString(perMs), "1"};
    }

    private static Decision decision(List<?> result, Limit limit) {
        if (result == null || result.size() < 3) {
            throw new IllegalStateException("rate limit script returned " + result);
        }
        boolean allowed = ((Number) result.get(0)).longValue() == 1;
        long remaining = ((Number) result.get(1)).longValue();
        long retryMs = ((Number) result.get(2)).longValue();
        return new Decision(allowed, remaining, Duration.ofMillis(retryMs), limit);
    }
}
