package com.skyyrose.hub.security;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.nio.charset.StandardCharsets;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Partner API keys. A key reads {@code hub_<id>_<secret>}: the id finds the row, the secret (256 random bits) is
 * checked against its SHA-256 in constant time; the secret itself is shown once and never stored. Keys carry
 * scopes (permissions, wildcards allowed but never {@code *}), an optional expiry and an optional per-key rate
 * limit; they can be revoked; their last use is recorded (at most once a minute per key, via a Redis marker).
 */
public class ApiKeyService {

    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String PREFIX = "hub_";

    private final JdbcTemplate jdbc;
    private final StringRedisTemplate redis;

    public ApiKeyService(JdbcTemplate jdbc, StringRedisTemplate redis) {
        this.jdbc = jdbc;
        this.redis = redis;
    }

    public record ApiKey(String id, String name, Set<String> scopes, Integer ratePerMinute, Instant expiresAt,
            Instant revokedAt, Instant lastUsedAt, String createdBy, Instant createdAt) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("name", name);
            m.put("scopes", scopes);
            m.put("ratePerMinute", ratePerMinute);
            m.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
            m.put("revokedAt", revokedAt == null ? null : revokedAt.toString());
            m.put("lastUsedAt", lastUsedAt == null ? null : lastUsedAt.toString());
            m.put("createdBy", createdBy);
            m.put("createdAt", createdAt.toString());
            return m;
        }
    }

    public record Created(ApiKey key, String secret) {
    }

    public Created create(String name, Set<String> scopes, Instant expiresAt, Integer ratePerMinute, String createdBy) {
        String id = token(9);
        String secret = token(32);
        jdbc.update("INSERT INTO api_key (id, name, secret_hash, scopes, rate_per_minute, expires_at, created_by) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", ps -> {
                    ps.setString(1, id);
                    ps.setString(2, name);
                    ps.setString(3, SessionStore.hash(secret));
                    ps.setArray(4, ps.getConnection().createArrayOf("text", scopes.toArray()));
                    ps.setObject(5, ratePerMinute);
                    ps.setTimestamp(6, expiresAt == null ? null : Timestamp.from(expiresAt));
                    ps.setString(7, createdBy);
                });
        return new Created(find(id), PREFIX + id + "_" + secret);
    }

    /** The key if the presented value is a valid, unrevoked, unexpired key; null otherwise. */
    public ApiKey authenticate(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 128) {
            return null;
        }
        String rest = presented.substring(PREFIX.length());
        int sep = rest.indexOf('_');
        if (sep < 1) {
            return null;
        }
        String id = rest.substring(0, sep);
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT secret_hash FROM api_key WHERE id = ? "
                + "AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())", id);
        String expected = rows.isEmpty() ? SessionStore.hash("no such key") : (String) rows.get(0).get("secret_hash");
        boolean ok = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                SessionStore.hash(rest.substring(sep + 1)).getBytes(StandardCharsets.US_ASCII));
        if (rows.isEmpty() || !ok) {
            return null;
        }
        ApiKey key = find(id);
        markUsed(id);
        return key;
    }

    private void markUsed(String id) {
        Boolean first = redis.opsForValue().setIfAbsent("hub:auth:key-used:" + id, "1", Duration.ofMinutes(1));
        if (Boolean.TRUE.equals(first)) {
            jdbc.update("UPDATE api_key SET last_used_at = now() WHERE id = ?", id);
        }
    }

    public ApiKey find(String id) {
        List<ApiKey> keys = jdbc.query("SELECT * FROM api_key WHERE id = ?", (rs, i) -> map(rs), id);
        return keys.isEmpty() ? null : keys.get(0);
    }

    public List<ApiKey> list(int limit, int offset) {
        return jdbc.query("SELECT * FROM api_key ORDER BY created_at DESC, id LIMIT ? OFFSET ?", (rs, i) -> map(rs),
                limit, offset);
    }

    /** Revokes; false when there is no such key or it was already revoked. */
    public boolean revoke(String id) {
        return jdbc.update("UPDATE api_key SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL", id) == 1;
    }

    private static ApiKey map(java.sql.ResultSet rs) throws java.sql.SQLException {
        Array scopes = rs.getArray("scopes");
        Timestamp expires = rs.getTimestamp("expires_at");
        Timestamp revoked = rs.getTimestamp("revoked_at");
        Timestamp used = rs.getTimestamp("last_used_at");
        return new ApiKey(rs.getString("id"), rs.getString("name"),
                new LinkedHashSet<>(Arrays.asList((String[]) scopes.getArray())),
                (Integer) rs.getObject("rate_per_minute"),
                expires == null ? null : expires.toInstant(), revoked == null ? null : revoked.toInstant(),
                used == null ? null : used.toInstant(), rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant());
    }

    private static String token(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        // URL-safe, without '_' so the id/secret separator stays unambiguous
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('_', 'x');
    }
}
