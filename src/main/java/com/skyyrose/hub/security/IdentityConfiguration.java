package com.skyyrose.hub.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.OpenApiContract;
import com.skyyrose.hub.platform.RedisRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** Wires identity and access from {@code hub.security.*} settings (see application.yaml). */
@Configuration(proxyBeanMethods = false)
public class IdentityConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityConfiguration.class);

    /** The JdbcTemplate makes this wait for Flyway: the keyring table exists before keys are read. */
    @Bean
    HubSecrets hubSecrets(@Value("${hub.production}") boolean production, @Value("${hub.data-dir}") Path dataDir,
            @Value("${hub.security.jwt.keys:}") String jwtKeys,
            @Value("${hub.security.jwt.signing-kid:}") String signingKid,
            @Value("${hub.security.encryption.keys:}") String encryptionKeys,
            @Value("${hub.security.encryption.primary-kid:}") String primaryKid,
            @Value("${hub.security.encryption.key-generation:1}") int keyGeneration,
            @Value("${hub.security.index-key:}") String indexKey,
            @Value("${hub.security.master-key:}") String masterKey,
            JdbcTemplate jdbc) {
        return HubSecrets.load(production, dataDir, new HubSecrets.Settings(jwtKeys, signingKid, encryptionKeys,
                primaryKid, indexKey, masterKey, keyGeneration), new Keyring(jdbc));
    }

    @Bean
    FieldCrypto fieldCrypto(HubSecrets secrets) {
        return new FieldCrypto(secrets);
    }

    @Bean
    EncryptedColumn userEmailColumn() {
        return UserService.EMAIL_COLUMN;
    }

    @Bean
    EncryptedColumn credentialSecretColumn() {
        return CredentialStore.COLUMN;
    }

    @Bean
    TokenService tokenService(HubSecrets secrets, @Value("${hub.security.jwt.issuer}") String issuer,
            @Value("${hub.security.jwt.audience}") String audience,
            @Value("${hub.security.access-token-ttl}") Duration accessTtl,
            @Value("${hub.security.jwt.clock-skew-seconds}") int skew) {
        return new TokenService(secrets, issuer, audience, accessTtl, skew);
    }

    /** Rotates the JWT signing key stored in the database, and keeps this instance's keys current with it. */
    @Bean("jwtKeyRotation")
    JwtKeyRotation jwtKeyRotation(TokenService tokens, JdbcTemplate jdbc, HubSecrets secrets,
            @Value("${hub.security.jwt.keyset-refresh:30s}") Duration refreshEvery) {
        return new JwtKeyRotation(tokens, new Keyring(jdbc), secrets, refreshEvery);
    }

    @Bean
    SessionStore sessionStore(StringRedisTemplate redis, @Value("${hub.security.refresh-token-ttl}") Duration ttl) {
        return new SessionStore(redis, ttl);
    }

    /** Argon2id, at most {@code max-concurrent} hashes at once (each holds {@code memory-kib}). */
    @Bean
    PasswordHasher passwordHasher(MeterRegistry meters,
            @Value("${hub.security.password-hash.memory-kib:19456}") int memoryKib,
            @Value("${hub.security.password-hash.iterations:2}") int iterations,
            @Value("${hub.security.password-hash.max-concurrent:2}") int maxConcurrent,
            @Value("${hub.security.password-hash.max-wait:250ms}") Duration maxWait) {
        return new PasswordHasher(memoryKib, iterations, maxConcurrent, maxWait, meters);
    }

    @Bean
    UserService userService(JdbcTemplate jdbc, FieldCrypto crypto, PasswordHasher hasher) {
        return new UserService(jdbc, crypto, hasher);
    }

    @Bean
    ApiKeyService apiKeyService(JdbcTemplate jdbc, StringRedisTemplate redis) {
        return new ApiKeyService(jdbc, redis);
    }

    @Bean
    IdentityGuard identityGuard(TokenService tokens, SessionStore sessions, ApiKeyService keys,
            RedisRateLimiter limiter, AuditLog audit, MeterRegistry meters,
            @Value("${hub.security.rate-limit.user-per-minute}") int userPerMinute,
            @Value("${hub.security.rate-limit.key-per-minute}") int keyPerMinute) {
        return new IdentityGuard(tokens, sessions, keys, limiter, audit, RedisRateLimiter.Limit.perMinute(userPerMinute),
                RedisRateLimiter.Limit.perMinute(keyPerMinute), meters);
    }

    @Bean("identityApi")
    IdentityApi identityApi(UserService users, SessionStore sessions, TokenService tokens, ApiKeyService keys,
            AuditLog audit, RedisRateLimiter limiter, StringRedisTemplate redis, JdbcTemplate jdbc, FieldCrypto crypto,
            ReEncryptor reEncryptor, ObjectMapper json, MeterRegistry meters,
            @Value("${hub.security.rate-limit.login-ip-per-minute}") int loginIpPerMinute,
            SignInThrottle signIns) {
        return new IdentityApi(users, sessions, tokens, keys, audit, limiter, redis, jdbc, crypto, reEncryptor, json,
                meters, RedisRateLimiter.Limit.perMinute(loginIpPerMinute), signIns);
    }

    /** Failed sign-ins slow down per account + address (exponentially) and, more loosely, per account. */
    @Bean
    SignInThrottle signInThrottle(StringRedisTemplate redis, RedisRateLimiter limiter,
            @Value("${hub.security.rate-limit.login-failures}") int loginFailures,
            @Value("${hub.security.rate-limit.login-delay-base:5s}") Duration delayBase,
            @Value("${hub.security.rate-limit.login-failure-window}") Duration failureWindow,
            @Value("${hub.security.rate-limit.login-account-failures:50}") int accountFailures) {
        return new SignInThrottle(redis, limiter, loginFailures, delayBase, failureWindow, accountFailures);
    }

    /** The first admin from HUB_ADMIN_EMAIL / HUB_ADMIN_PASSWORD, and a warning for admin-only permissions. */
    @Bean
    ApplicationRunner identityBootstrap(UserService users, OpenApiContract contract,
            @Value("${hub.security.admin.email:}") String email,
            @Value("${hub.security.admin.password:}") String password) {
        return args -> {
            try {
                users.bootstrapAdmin(email, password);
            } catch (RuntimeException e) {
                LOG.error("Could not create the first administrator: {}", e.toString());
            }
            Map<String, String> adminOnly = new TreeMap<>();
            for (OpenApiContract.ContractOperation op : contract.operations()) {
                String perm = op.permission();
                if (Permissions.PUBLIC.equals(perm) || Permissions.AUTHENTICATED.equals(perm)) {
                    continue;
                }
                boolean granted = Permissions.ROLES.entrySet().stream()
                        .anyMatch(r -> !r.getKey().equals("admin") && Permissions.allows(r.getValue(), perm));
                if (!granted) {
                    adminOnly.put(op.operationId(), String.valueOf(perm));
                }
            }
            LOG.info("Operations only administrators may call (no other role grants their permission): {}", adminOnly);
        };
    }
}
