package com.skyyrose.hub.support;

import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Empties rate-limit buckets between tests (whoever the caller was), so each test starts with full buckets. */
public final class RateLimitBuckets {

    private RateLimitBuckets() {
    }

    /** Deletes every bucket whose key (after {@code ratelimit:}) starts with the prefix. */
    public static void clear(StringRedisTemplate redis, String... prefixes) {
        List<String> keys = new ArrayList<>();
        for (String prefix : prefixes) {
            try (Cursor<String> cursor = redis.scan(ScanOptions.scanOptions().match("ratelimit:" + prefix + "*")
                    .count(500).build())) {
                cursor.forEachRemaining(keys::add);
            }
        }
        if (!keys.isEmpty()) {
            redis.delete(keys);
        }
    }
}
