package com.skyyrose.hub.security;

import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.platform.RedisRateLimiter;
import org.apache.camel.Message;

/** The {@code RateLimit-*} (IETF draft) and {@code X-RateLimit-*} headers of a rate-limit decision. */
final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    static void apply(Message message, RedisRateLimiter.Decision d) {
        long reset = d.allowed() ? 0 : d.retryAfterSeconds();
        message.setHeader("RateLimit-Limit", Integer.toString(d.limit().capacity()));
        message.setHeader("RateLimit-Remaining", Long.toString(Math.max(0, d.remaining())));
        message.setHeader("RateLimit-Reset", Long.toString(reset));
        message.setHeader("X-RateLimit-Limit", Integer.toString(d.limit().capacity()));
        message.setHeader("X-RateLimit-Remaining", Long.toString(Math.max(0, d.remaining())));
        message.setHeader("X-RateLimit-Reset", Long.toString(reset));
    }

    static Problem problem(RedisRateLimiter.Decision d, String detail) {
        String retry = Long.toString(d.retryAfterSeconds());
        String limit = Integer.toString(d.limit().capacity());
        return Problem.of(ProblemType.RATE_LIMITED, 429, detail)
                .withHeader("Retry-After", retry)
                .withHeader("RateLimit-Limit", limit)
                .withHeader("RateLimit-Remaining", "0")
                .withHeader("RateLimit-Reset", retry)
                .withHeader("X-RateLimit-Limit", limit)
                .withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", retry);
    }
}
