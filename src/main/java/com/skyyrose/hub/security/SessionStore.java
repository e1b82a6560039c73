package com.skyyrose.hub.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Login sessions in Redis, shared by every instance. A session is created per login, named by the {@code sid} of
 * its access tokens, and lives as long as its refresh token (TTL). It also holds the hash of the current refresh
 * token and a fingerprint of every one it replaced: a refresh token is {@code <sid>.<secret>} and rotates on every
 * use; showing a replaced one again, at any time in the family's life, means it leaked, so the whole session (the
 * token family) is deleted.
 */
public final class SessionStore {

    private static final String SESSION = "hub:auth:session:";
    private static final String USER_SESSIONS = "hub:auth:user-sessions:";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Rotations one family may make before it must sign in again: bounds a session's size (each replaced token
     * keeps a 16-byte fingerprint) while a client refreshing every minute for the 7-day lifetime stays within it.
     */
    static final int MAX_ROTATIONS = 20_000;

    // KEYS[1] session; ARGV: presented hash, new hash, ttl ms, max rotations.
    // 1 rotated, -1 reuse (family revoked), 0 unknown/invalid, -2 rotation limit reached (session ended).
    // Every replaced token stays in the session hash as field 'u:<first 32 hex of its hash>' for as long as the
    // family lives, so a stolen old token is recognised however many rotations later it is shown ('used' is the
    // space-separated list older hubs kept, truncated after ~120 rotations; still honoured while such sessions live).
    private static final RedisScript<Long> ROTATE = new DefaultRedisScript<>("""
            local cur = redis.call('HGET', KEYS[1], 'refresh')
            if not cur then return 0 end
            if cur == ARGV[1] then
              local n = redis.call('HINCRBY', KEYS[1], 'rotations', 1)
              if n > tonumber(ARGV[4]) then
                redis.call('DEL', KEYS[1])
                return -2
              end
              redis.call('HSET', KEYS[1], 'refresh', ARGV[2], 'u:' .. string.sub(ARGV[1], 1, 32), '1')
              redis.call('PEXPIRE', KEYS[1], ARGV[3])
              return 1
            end
            local reused = redis.call('HEXISTS', KEYS[1], 'u:' .. string.sub(ARGV[1], 1, 32)) == 1
            if not reused then
              local used = redis.call('HGET', KEYS[1], 'used')
              reused = used and string.find(used .. ' ', ' ' .. ARGV[1] .. ' ', 1, true) ~= nil
            end
            if reused then
              redis.call('DEL', KEYS[1])
              return -1
            end
            return 0
            """, Long.class);

    private final StringRedisTemplate redis;
    private final Duration ttl;

    public SessionStore(StringRedisTemplate redis, Duration refreshTtl) {
        this.redis = redis;
        this.ttl = refreshTtl;
    }

    public record Session(String id, String userId, String role) {
    }

    /** A new session and its first refresh token. */
    public record Created(String sessionId, String refreshToken) {
    }

    public enum Rotation { ROTATED, REUSED, INVALID }

    public record Rotated(Rotation outcome, String sessionId, String refreshToken) {
    }

    public Created create(String userId, String role) {
        String sid = UUID.randomUUID().toString();
        String secret = secret();
        String key = SESSION + sid;
        redis.opsForHash().putAll(key, Map.of("uid", userId, "role", role, "refresh", hash(secret),
                "created", Long.toString(System.currentTimeMillis())));
        redis.expire(key, ttl);
        redis.opsForSet().add(USER_SESSIONS + userId, sid);
        redis.expire(USER_SESSIONS + userId, ttl);
        return new Created(sid, sid + "." + secret);
    }

    /** The Redis hash of a session: fields {@code uid} (its user) and {@code role}, as {@link #find} reads them. */
    static String key(String sid) {
        return SESSION + sid;
    }

    /** The live session, or null when it expired or was ended. */
    public Session find(String sid) {
        List<Object> values = redis.opsForHash().multiGet(key(sid), List.of("uid", "role"));
        if (values == null || values.get(0) == null) {
            return null;
        }
        return new Session(sid, (String) values.get(0), (String) values.get(1));
    }

    public Rotated rotate(String refreshToken) {
        int dot = refreshToken == null ? -1 : refreshToken.indexOf('.');
        if (dot < 1 || dot == refreshToken.length() - 1 || refreshToken.length() > 200) {
            return new Rotated(Rotation.INVALID, null, null);
        }
        String sid = refreshToken.substring(0, dot);
        String fresh = secret();
        Long result = redis.execute(ROTATE, List.of(SESSION + sid), hash(refreshToken.substring(dot + 1)),
                hash(fresh), Long.toString(ttl.toMillis()), Integer.toString(MAX_ROTATIONS));
        long r = result == null ? 0 : result;
        if (r == 1) {
            // the session lives on: so must the index that lets "end all sessions of a user" find it
            Session session = find(sid);
            if (session != null) {
                redis.expire(USER_SESSIONS + session.userId(), ttl);
            }
            return new Rotated(Rotation.ROTATED, sid, sid + "." + fresh);
        }
        return new Rotated(r == -1 ? Rotation.REUSED : Rotation.INVALID, sid, null);
    }

    public void delete(String sid) {
        redis.delete(SESSION + sid);
    }

    /** Ends every session of a user (admin revoke, password change, role change); returns how many were live. */
    public int deleteAll(String userId) {
        Set<String> sids = redis.opsForSet().members(USER_SESSIONS + userId);
        int n = 0;
        if (sids != null && !sids.isEmpty()) {
            Long deleted = redis.delete(sids.stream().map(s -> SESSION + s).toList());
            n = deleted == null ? 0 : deleted.intValue();
        }
        redis.delete(USER_SESSIONS + userId);
        return n;
    }

    public Duration ttl() {
        return ttl;
    }

    private static String secret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
