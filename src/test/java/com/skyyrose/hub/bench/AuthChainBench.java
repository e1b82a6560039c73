package com.skyyrose.hub.bench;

import com.nimbusds.jose.jwk.JWKSet;
import com.skyyrose.hub.security.HubSecrets;
import com.skyyrose.hub.security.Permissions;
import com.skyyrose.hub.security.SessionStore;
import com.skyyrose.hub.security.TokenService;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The auth chain's own cost, single-threaded, without HTTP: ES256 verification, the Redis session lookup, the
 * permission match. Run with bench/auth-chain.sh (argument: a redis://host:port/db URL). Prints mean and p99.
 */
public final class AuthChainBench {

    public static void main(String[] args) {
        java.net.URI redisUri = java.net.URI.create(args.length > 0 ? args[0] : "redis://127.0.0.1:6379/1");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        RedisStandaloneConfiguration conf = new RedisStandaloneConfiguration(redisUri.getHost(), redisUri.getPort());
        conf.setDatabase(redisUri.getPath().length() > 1 ? Integer.parseInt(redisUri.getPath().substring(1)) : 0);
        LettuceConnectionFactory factory = new LettuceConnectionFactory(conf);
        factory.afterPropertiesSet();
        StringRedisTemplate redis = new StringRedisTemplate(factory);
        redis.afterPropertiesSet();
        try {
            HubSecrets secrets = new HubSecrets(new JWKSet(HubSecrets.newJwtKey("b1")), "b1",
                    Map.of("b1", Base64.getDecoder().decode(HubSecrets.newAesKey())), "b1", new byte[32], false);
            TokenService tokens = new TokenService(secrets, "iss", "aud", Duration.ofMinutes(15), 30);
            SessionStore sessions = new SessionStore(redis, Duration.ofMinutes(5));
            SessionStore.Created session = sessions.create("bench-user", "operator");
            String token = tokens.issue("bench-user", session.sessionId());
            var grants = Permissions.grantsOf("operator");
            long[] verify = new long[n];
            long[] lookup = new long[n];
            long[] total = new long[n];
            for (int warm = 0; warm < 2; warm++) {
                for (int i = 0; i < n; i++) {
                    long t0 = System.nanoTime();
                    TokenService.AccessClaims claims = tokens.verify(token);
                    long t1 = System.nanoTime();
                    SessionStore.Session s = sessions.find(claims.sessionId());
                    long t2 = System.nanoTime();
                    if (s == null || !Permissions.allows(grants, "tools:invoke")) {
                        throw new IllegalStateException("chain failed");
                    }
                    long t3 = System.nanoTime();
                    verify[i] = t1 - t0;
                    lookup[i] = t2 - t1;
                    total[i] = t3 - t0;
                }
            }
            System.out.printf("auth chain, %d iterations, single thread, %d cores%n", n,
                    Runtime.getRuntime().availableProcessors());
            report("JWT ES256 verify + claims", verify);
            report("Redis session lookup (HMGET)", lookup);
            report("whole chain (verify + session + permission)", total);
            sessions.delete(session.sessionId());
        } finally {
            factory.destroy();
        }
    }

    private static void report(String name, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0) / 1000.0;
        System.out.printf("  %-45s mean %7.1f us  p50 %7.1f us  p99 %7.1f us%n", name, mean,
                sorted[sorted.length / 2] / 1000.0, sorted[(int) (sorted.length * 0.99)] / 1000.0);
    }
}
