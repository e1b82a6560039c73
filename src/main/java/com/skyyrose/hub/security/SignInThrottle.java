package com.skyyrose.hub.security;

import com.skyyrose.hub.platform.RedisRateLimiter;
import java.time.Duration;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Failed sign-ins slow down per account <em>and</em> client address, so guessing stays throttled while a
 * stranger cannot lock the owner out:
 * <ul>
 * <li>per account + address: the first {@code freeFailures} within the window cost nothing; each further one
 * closes that pair for {@code base · 2^(n − free)}, at most the window (5 s, 10 s, 20 s … 15 min). The owner,
 * signing in from another address, is not affected.</li>
 * <li>per account, from every address together: a looser token bucket ({@code accountLimit}, e.g. 50 per 15
 * minutes). Only a guesser spread over many addresses empties it; then the account is closed for everyone until
 * the bucket refills (the price of stopping a distributed guess).</li>
 * <li>per address, for every account: the sign-in limit in {@link IdentityApi} (attempts per minute).</li>
 * </ul>
 * A closed pair or account answers 429 with {@code Retry-After} before any password hash runs. Every key has a
 * TTL; a successful sign-in clears its pair's count.
 */
public final class SignInThrottle {

    static final String PAIR_FAILURES = "hub:auth:login-fail:";
    static final String LOCK = "hub:auth:login-lock:";
    static final String ACCOUNT_BUCKET = "login-fail:"; // under the rate limiter's "ratelimit:" prefix

    // KEYS[1] account lock, KEYS[2] pair lock. The longer remaining lock in ms (0 when open).
    private static final RedisScript<Long> CLOSED_FOR = new DefaultRedisScript<>("""
            local a = redis.call('PTTL', KEYS[1])
            local p = redis.call('PTTL', KEYS[2])
            return math.max(a, p, 0)
            """, Long.class);

    // KEYS[1] pair failure count, KEYS[2] pair lock; ARGV free, base ms, max ms, window ms. The pair's lock in ms.
    private static final RedisScript<Long> PAIR_FAILED = new DefaultRedisScript<>("""
            local n = redis.call('INCR', KEYS[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            local over = n - tonumber(ARGV[1])
            if over < 0 then return 0 end
            local delay = tonumber(ARGV[3])
            if over < 40 then delay = math.min(delay, tonumber(ARGV[2]) * (2 ^ over)) end
            redis.call('SET', KEYS[2], '1', 'PX', math.floor(delay))
            return math.floor(delay)
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisRateLimiter limiter;
    private final int freeFailures;
    private final Duration base;
    private final Duration window;
    private final RedisRateLimiter.Limit accountLimit;

    public SignInThrottle(StringRedisTemplate redis, RedisRateLimiter limiter, int freeFailures, Duration base,
            Duration window, int accountFailures) {
        this.redis = redis;
        this.limiter = limiter;
        this.freeFailures = Math.max(1, freeFailures);
        this.base = base;
        this.window = window;
        this.accountLimit = new RedisRateLimiter.Limit(accountFailures, window);
    }

    /** How long this account is closed for this address (zero when it may try). One Redis round trip. */
    public Duration closedFor(String account, String ip) {
        Long ms = redis.execute(CLOSED_FOR, List.of(LOCK + account, pairLock(account, ip)));
        return Duration.ofMillis(ms == null ? 0 : ms);
    }

    /** Records a failed sign-in; returns how long the pair (or the whole account) is now closed. */
    public Duration failed(String account, String ip) {
        Long pair = redis.execute(PAIR_FAILED, List.of(PAIR_FAILURES + account + ":" + ip, pairLock(account, ip)),
                Integer.toString(freeFailures), Long.toString(base.toMillis()), Long.toString(window.toMillis()),
                Long.toString(window.toMillis()));
        Duration closed = Duration.ofMillis(pair == null ? 0 : pair);
        RedisRateLimiter.Decision everywhere = limiter.tryAcquire(ACCOUNT_BUCKET + account, accountLimit);
        if (!everywhere.allowed() || everywhere.remaining() <= 0) {
            Duration lock = everywhere.allowed() ? window.dividedBy(accountLimit.capacity())
                    : everywhere.retryAfter();
            lock = lock.isZero() ? Duration.ofSeconds(1) : lock;
            redis.opsForValue().set(LOCK + account, "1", lock);
            closed = closed.compareTo(lock) > 0 ? closed : lock;
        }
        return closed;
    }

    /** A successful sign-in from this address forgets the pair's failures. */
    public void succeeded(String account, String ip) {
        redis.delete(List.of(PAIR_FAILURES + account + ":" + ip, pairLock(account, ip)));
    }

    public RedisRateLimiter.Limit accountLimit() {
        return accountLimit;
    }

    private static String pairLock(String account, String ip) {
        return LOCK + account + ":" + ip;
    }
}
