package com.skyyrose.hub.security;

import com.skyyrose.hub.api.OpenApiContract;
import com.skyyrose.hub.api.OperationGuard;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.api.RequestIds;
import com.skyyrose.hub.platform.RedisRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;

/**
 * The authentication chain of every contract operation whose {@code x-hub-permission} is not {@code public}, in
 * this order: credentials present and the JWT signature/claims valid (else 401) → the session live in Redis (else
 * 401; Redis unreachable → 503) → the permission granted (else 403) → the per-principal rate limit (else 429) →
 * the operation runs, with the {@link Principal} on the exchange. Partner API keys ({@code X-API-Key}, or
 * {@code Authorization: Bearer hub_...}) replace the first two steps. Mutating calls are audited when they end.
 */
@Order(0)
public class IdentityGuard implements OperationGuard {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityGuard.class);
    /** Exchange property a route sets when it wrote its own audit entry. */
    public static final String AUDITED = "hub.audited";
    private static final String API_KEY = "hub.apiKey";
    private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final TokenService tokens;
    private final SessionStore sessions;
    private final ApiKeyService apiKeys;
    private final RedisRateLimiter limiter;
    private final AuditLog audit;
    private final RedisRateLimiter.Limit userLimit;
    private final RedisRateLimiter.Limit keyLimit;
    private final MeterRegistry meters;

    public IdentityGuard(TokenService tokens, SessionStore sessions, ApiKeyService apiKeys, RedisRateLimiter limiter,
            AuditLog audit, RedisRateLimiter.Limit userLimit, RedisRateLimiter.Limit keyLimit, MeterRegistry meters) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.apiKeys = apiKeys;
        this.limiter = limiter;
        this.audit = audit;
        this.userLimit = userLimit;
        this.keyLimit = keyLimit;
        this.meters = meters;
    }

    @Override
    public void check(OpenApiContract.ContractOperation operation, Exchange exchange) {
        String permission = operation.permission();
        AuditLog.clientIp(exchange);
        if (Permissions.PUBLIC.equals(permission)) {
            return;
        }
        Principal principal = authenticate(exchange);
        if (!Permissions.AUTHENTICATED.equals(permission) && !principal.has(permission)) {
            meters.counter("hub.auth.denied", "reason", "forbidden").increment();
            audit.record(exchange, principal, "permission.denied", operation.operationId(), "denied", 403,
                    "needs " + permission);
            throw new ProblemException(Problem.of(ProblemType.FORBIDDEN, 403,
                    "This operation needs the permission '" + permission + "'."));
        }
        rateLimit(principal, exchange);
        exchange.setProperty(Principal.EXCHANGE_PROPERTY, principal);
        // who is asking, in every log line of this request (an id, never a name, e-mail or token)
        MDC.put(RequestIds.PRINCIPAL_MDC_KEY, principal.kind().name().toLowerCase(Locale.ROOT) + ":" + principal.id());
        if (!READ_METHODS.contains(operation.method().toUpperCase(Locale.ROOT))) {
            auditWhenDone(operation, exchange, principal);
        }
    }

    /**
     * For a public operation that shows more to some callers (readiness details): the caller's principal when valid
     * credentials came along, else nothing; never an error, since the operation itself needs none.
     */
    public void identifyIfPresent(Exchange exchange) {
        if (exchange.getMessage().getHeader("X-API-Key") == null
                && exchange.getMessage().getHeader("Authorization") == null) {
            return;
        }
        try {
            exchange.setProperty(Principal.EXCHANGE_PROPERTY, authenticate(exchange));
        } catch (RuntimeException e) {
            LOG.debug("credentials on a public operation not accepted: {}", e.toString());
        }
    }

    /** A caller admitted outside the contract (OpenAI-compatible API, MCP): who, and the rate-limit decision. */
    public record Admission(Principal principal, RedisRateLimiter.Decision decision) {
    }

    /**
     * The same chain for a surface that is not a contract operation (the OpenAI-compatible API, the MCP server):
     * credentials (401), session (401/503), then the principal's rate limit. The caller checks permissions and
     * answers a denied decision in its own error format; the {@link ProblemException}s say what failed.
     */
    public Admission admit(String apiKey, String authorization) {
        String bearer = bearer(authorization);
        if (apiKey == null && bearer != null && !bearer.isEmpty() && !bearer.startsWith(ApiKeyService.PREFIX)) {
            return admitUser(bearer);
        }
        Verified verified = verified(apiKey, authorization);
        Principal principal = verified.principal();
        RedisRateLimiter.Limit limit = userLimit;
        if (principal.kind() == Principal.Kind.API_KEY) {
            limit = verified.key() != null && verified.key().ratePerMinute() != null
                    ? RedisRateLimiter.Limit.perMinute(verified.key().ratePerMinute()) : keyLimit;
        }
        try {
            return admitted(principal, limiter.tryAcquire("principal:" + principal.id(), limit));
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
    }

    /**
     * A user's access token: the session check and the rate limit in one Redis round trip (the same two steps in the
     * same order as {@link #verified} then the limiter: a token of an ended session takes nothing from the bucket).
     */
    private Admission admitUser(String bearer) {
        TokenService.AccessClaims claims;
        RedisRateLimiter.Guarded live;
        try {
            claims = claims(bearer); // an unknown key id reloads the signing keys from the database
            live = limiter.tryAcquireIf(SessionStore.key(claims.sessionId()), "uid", claims.subject(), "role",
                    "principal:" + claims.subject(), userLimit);
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
        if (live == null) {
            throw sessionEnded();
        }
        return admitted(userPrincipal(new SessionStore.Session(claims.sessionId(), claims.subject(), live.field())),
                live.decision());
    }

    private Admission admitted(Principal principal, RedisRateLimiter.Decision decision) {
        if (!decision.allowed()) {
            meters.counter("hub.auth.rate_limited", "scope", "principal").increment();
        }
        return new Admission(principal, decision);
    }

    private Principal authenticate(Exchange exchange) {
        Verified verified = verified(exchange.getMessage().getHeader("X-API-Key", String.class),
                exchange.getMessage().getHeader("Authorization", String.class));
        if (verified.key() != null) {
            exchange.setProperty(API_KEY, verified.key());
        }
        return verified.principal();
    }

    private record Verified(Principal principal, ApiKeyService.ApiKey key) {
    }

    /**
     * The principal these credentials stand for (the first two steps of the chain), or a 401 problem (503 when the
     * session store is unreachable). Also used by {@link BodyLimitFilter} before a large body is read.
     */
    Principal verify(String apiKey, String authorization) {
        return verified(apiKey, authorization).principal();
    }

    private Verified verified(String apiKey, String authorization) {
        String bearer = bearer(authorization);
        try {
            if (apiKey != null || (bearer != null && bearer.startsWith(ApiKeyService.PREFIX))) {
                ApiKeyService.ApiKey key = apiKeys.authenticate(apiKey != null ? apiKey.trim() : bearer);
                if (key == null) {
                    throw unauthorized("invalid_token", "The API key is unknown, revoked or expired.");
                }
                return new Verified(new Principal(key.id(), Principal.Kind.API_KEY, key.name(), Set.of("partner"),
                        key.scopes()), key);
            }
            if (bearer == null || bearer.isEmpty()) {
                throw unauthorized(null, "Authentication required: send a bearer token or an API key.");
            }
            TokenService.AccessClaims claims = claims(bearer);
            SessionStore.Session session = sessions.find(claims.sessionId());
            if (session == null || !session.userId().equals(claims.subject())) {
                throw sessionEnded();
            }
            return new Verified(userPrincipal(session), null);
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
    }

    private static String bearer(String authorization) {
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    private TokenService.AccessClaims claims(String bearer) {
        try {
            return tokens.verify(bearer);
        } catch (TokenService.InvalidTokenException e) {
            throw unauthorized("invalid_token", "The access token is invalid or expired.");
        }
    }

    private static Principal userPrincipal(SessionStore.Session session) {
        return new Principal(session.userId(), Principal.Kind.USER, session.userId(), Set.of(session.role()),
                Permissions.grantsOf(session.role()), session.id());
    }

    private static ProblemException sessionEnded() {
        return unauthorized("invalid_token", "The session has ended; sign in again.");
    }

    private void rateLimit(Principal principal, Exchange exchange) {
        RedisRateLimiter.Limit limit = userLimit;
        if (principal.kind() == Principal.Kind.API_KEY) {
            ApiKeyService.ApiKey key = exchange.getProperty(API_KEY, ApiKeyService.ApiKey.class);
            limit = key != null && key.ratePerMinute() != null
                    ? RedisRateLimiter.Limit.perMinute(key.ratePerMinute()) : keyLimit;
        }
        RedisRateLimiter.Decision decision;
        try {
            decision = limiter.tryAcquire("principal:" + principal.id(), limit);
        } catch (DataAccessException e) {
            throw unavailable(e);
        }
        RateLimitHeaders.apply(exchange.getMessage(), decision);
        if (!decision.allowed()) {
            meters.counter("hub.auth.rate_limited", "scope", "principal").increment();
            throw new ProblemException(RateLimitHeaders.problem(decision,
                    "Rate limit exceeded for this " + (principal.kind() == Principal.Kind.API_KEY ? "API key" : "user")
                            + "."));
        }
    }

    private void auditWhenDone(OpenApiContract.ContractOperation operation, Exchange exchange, Principal principal) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (Boolean.TRUE.equals(done.getProperty(AUDITED, Boolean.class))) {
                    return;
                }
                Integer status = done.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
                int code = status == null ? (done.getException() != null ? 500 : 200) : status;
                audit.record(done, principal, operation.operationId(),
                        operation.method().toUpperCase(Locale.ROOT) + " " + done.getProperty(
                                com.skyyrose.hub.api.ContractOperationStrategy.REQUEST_PATH, String.class),
                        code < 400 ? "success" : "failure", code, null);
            }
        });
    }

    static ProblemException unauthorized(String error, String detail) {
        return new ProblemException(Problem.of(ProblemType.UNAUTHORIZED, 401, detail)
                .withHeader("WWW-Authenticate", error == null ? "Bearer realm=\"hub\""
                        : "Bearer realm=\"hub\", error=\"" + error + "\""));
    }

    static ProblemException unavailable(Exception cause) {
        LOG.warn("Identity store unreachable: {}", cause.toString());
        return new ProblemException(Problem.of(ProblemType.UNAVAILABLE, 503,
                "Sessions cannot be checked right now; try again shortly.").withHeader("Retry-After", "5"));
    }
}
