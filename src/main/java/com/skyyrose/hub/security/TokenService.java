package com.skyyrose.hub.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Access tokens per RFC 8725 / RFC 9068: ES256 only (the verifier pins the algorithm and never takes it from the
 * token, so {@code none} and HS/RS confusion fail), explicit type {@code at+jwt}, required {@code iss}, {@code aud},
 * {@code sub}, {@code exp}, {@code iat}, {@code sid}, {@code jti}, and a future {@code nbf} rejected. The key is
 * chosen by {@code kid} from the configured keyset: one key signs, every key in the set verifies, so a new
 * signing key can be rolled out without logging anyone out.
 * <p>
 * An ES256 verification costs about as much CPU as the rest of an authenticated request's checks together, and a
 * client sends the same token on every call for its lifetime, so the verified claims are kept in a bounded cache
 * keyed by the token's SHA-256 (never by the token itself) for at most a minute and never past the token's expiry.
 * Only tokens that passed every check get there; the session check in Redis still runs on every request, so sign-out
 * and revocation stay immediate.
 */
public final class TokenService {

    public static final JOSEObjectType ACCESS_TOKEN_TYPE = new JOSEObjectType("at+jwt");

    /** The keys in use; replaced as a whole when the keyset is rotated (see {@link JwtKeyRotation}). */
    private volatile Keys keys;
    /** Asked once when a token names a key this instance does not know (another instance may have rotated). */
    private volatile Runnable unknownKeyListener = () -> { };
    private final String issuer;
    private final String audience;
    private final Duration accessTtl;
    private final int clockSkewSeconds;
    private final Cache<String, AccessClaims> verified = Caffeine.newBuilder().maximumSize(20_000)
            .expireAfterWrite(Duration.ofMinutes(1)).build();

    private record Keys(ECDSASigner signer, String signingKid, JWKSet publicKeys,
            DefaultJWTProcessor<SecurityContext> processor) {
    }

    public TokenService(HubSecrets secrets, String issuer, String audience, Duration accessTtl, int clockSkewSeconds) {
        this.issuer = issuer;
        this.audience = audience;
        this.accessTtl = accessTtl;
        this.clockSkewSeconds = clockSkewSeconds;
        useKeys(secrets.jwtKeys(), secrets.signingKid());
    }

    /** Signs with {@code signingKid} from now on and accepts every key of {@code jwks} (a rotation). */
    public void useKeys(JWKSet jwks, String signingKid) {
        ECDSASigner signer;
        try {
            ECKey signing = (ECKey) jwks.getKeyByKeyId(signingKid);
            signer = new ECDSASigner(signing);
        } catch (JOSEException | ClassCastException | NullPointerException e) {
            throw new IllegalStateException("JWT signing key " + signingKid + " unusable", e);
        }
        JWKSet publicKeys = jwks.toPublicJWKSet();
        this.keys = new Keys(signer, signingKid, publicKeys, processor(publicKeys));
    }

    public void onUnknownKey(Runnable listener) {
        this.unknownKeyListener = listener;
    }

    public String signingKid() {
        return keys.signingKid();
    }

    private DefaultJWTProcessor<SecurityContext> processor(JWKSet publicKeys) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(ACCESS_TOKEN_TYPE));
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(publicKeys)));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new HashSet<>(Set.of(audience)), new JWTClaimsSet.Builder().issuer(issuer).build(),
                new HashSet<>(Set.of("iss", "aud", "sub", "exp", "iat", "sid", "jti")), new HashSet<>());
        claims.setMaxClockSkew(clockSkewSeconds);
        p.setJWTClaimsSetVerifier(claims);
        return p;
    }

    /** The verified claims of an access token we can trust. */
    public record AccessClaims(String subject, String sessionId, Instant expiresAt) {
    }

    public String issue(String userId, String sessionId) {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer).audience(audience).subject(userId)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(accessTtl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("sid", sessionId)
                .build();
        Keys current = keys;
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(current.signingKid())
                .type(ACCESS_TOKEN_TYPE).build(), claims);
        try {
            jwt.sign(current.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
        return jwt.serialize();
    }

    /** Verifies a token; throws {@link InvalidTokenException} for anything not issued by us and still valid. */
    public AccessClaims verify(String token) {
        if (token == null) {
            throw new InvalidTokenException();
        }
        String key = sha256(token);
        // one verification per token even when many requests carry it at once (the rest wait for its result); a
        // failure is thrown to each caller and never cached
        AccessClaims known = verified.get(key, k -> verifySignatureAndClaims(token));
        if (Instant.now().isAfter(known.expiresAt().plusSeconds(clockSkewSeconds))) {
            verified.invalidate(key);
            throw new InvalidTokenException();
        }
        return known;
    }

    /** A SHA-256 digest per thread: {@code MessageDigest.getInstance} searches the providers on every call. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private static String sha256(String token) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return Base64.getEncoder().encodeToString(digest.digest(token.getBytes(StandardCharsets.US_ASCII)));
    }

    private AccessClaims verifySignatureAndClaims(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            String kid = jwt.getHeader().getKeyID();
            if (kid != null && keys.publicKeys().getKeyByKeyId(kid) == null) {
                unknownKeyListener.run();
            }
            JWTClaimsSet claims = keys.processor().process(jwt, null);
            Object sid = claims.getClaim("sid");
            if (!(sid instanceof String s) || s.isBlank()) {
                throw new InvalidTokenException();
            }
            return new AccessClaims(claims.getSubject(), s, claims.getExpirationTime().toInstant());
        } catch (InvalidTokenException e) {
            throw e;
        } catch (Exception e) {
            throw new InvalidTokenException();
        }
    }

    public Duration accessTtl() {
        return accessTtl;
    }

    /** The token is not one we accept; why is deliberately not told to the client. */
    public static final class InvalidTokenException extends RuntimeException {
        public InvalidTokenException() {
            super("invalid token", null, false, false);
        }
    }
}
