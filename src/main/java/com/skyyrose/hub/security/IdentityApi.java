package com.skyyrose.hub.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.platform.RedisRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The identity and access operations (routes in {@code IdentityRoutes}): token (password and refresh grants),
 * logout, me, password change, users, API keys, audit, credentials and re-encryption.
 */
public class IdentityApi {

    private final UserService users;
    private final SessionStore sessions;
    private final TokenService tokens;
    private final ApiKeyService apiKeys;
    private final AuditLog audit;
    private final RedisRateLimiter limiter;
    private final StringRedisTemplate redis;
    private final JdbcTemplate jdbc;
    private final FieldCrypto crypto;
    private final ReEncryptor reEncryptor;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final RedisRateLimiter.Limit loginIpLimit;
    private final SignInThrottle signIns;

    public IdentityApi(UserService users, SessionStore sessions, TokenService tokens, ApiKeyService apiKeys,
            AuditLog audit, RedisRateLimiter limiter, StringRedisTemplate redis, JdbcTemplate jdbc, FieldCrypto crypto,
            ReEncryptor reEncryptor, ObjectMapper json, MeterRegistry meters, RedisRateLimiter.Limit loginIpLimit,
            SignInThrottle signIns) {
        this.users = users;
        this.sessions = sessions;
        this.tokens = tokens;
        this.apiKeys = apiKeys;
        this.audit = audit;
        this.limiter = limiter;
        this.redis = redis;
        this.jdbc = jdbc;
        this.crypto = crypto;
        this.reEncryptor = reEncryptor;
        this.json = json;
        this.meters = meters;
        this.loginIpLimit = loginIpLimit;
        this.signIns = signIns;
    }

    // ---- tokens ------------------------------------------------------------------------------------------------

    public Map<String, Object> token(Exchange exchange) {
        Map<String, String> form = formOrJson(exchange);
        String grant = form.getOrDefault("grant_type", "");
        exchange.setProperty(IdentityGuard.AUDITED, true);
        try {
            return switch (grant) {
                case "password" -> passwordGrant(exchange, form.get("username"), form.get("password"));
                case "refresh_token" -> refreshGrant(exchange, form.get("refresh_token"));
                default -> throw ProblemException.badRequest("grant_type", "must be 'password' or 'refresh_token'");
            };
        } catch (DataAccessException e) {
            throw IdentityGuard.unavailable(e);
        }
    }

    private Map<String, Object> passwordGrant(Exchange exchange, String username, String password) {
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            throw ProblemException.badRequest(username == null || username.isBlank() ? "username" : "password",
                    "is required");
        }
        String ip = AuditLog.clientIp(exchange);
        RedisRateLimiter.Decision perIp = limiter.tryAcquire("login-ip:" + ip, loginIpLimit);
        if (!perIp.allowed()) {
            meters.counter("hub.auth.rate_limited", "scope", "login-ip").increment();
            audit.record(exchange, null, "login.throttled", null, "denied", 429, "per IP");
            throw new ProblemException(RateLimitHeaders.problem(perIp, "Too many sign-in attempts from this address."));
        }
        String account = users.emailHash(username);
        String client = ip == null ? "unknown" : ip;
        Duration closed = signIns.closedFor(account, client);
        if (!closed.isZero()) {
            audit.record(exchange, null, "login.throttled", null, "denied", 429, "per account and address");
            throw new ProblemException(RateLimitHeaders.problem(new RedisRateLimiter.Decision(false, 0, closed,
                    signIns.accountLimit()), "Too many failed sign-ins for this account; wait before trying again."));
        }
        UserService.User user = users.authenticate(username, password);
        if (user == null) {
            meters.counter("hub.auth.login", "outcome", "failure").increment();
            signIns.failed(account, client);
            audit.record(exchange, null, "login.failed", null, "failure", 401, null);
            throw IdentityGuard.unauthorized("invalid_grant", "Wrong e-mail or password.");
        }
        signIns.succeeded(account, client);
        SessionStore.Created session = sessions.create(user.id(), user.role());
        meters.counter("hub.auth.login", "outcome", "success").increment();
        audit.record(exchange, userPrincipal(user, session.sessionId()), "login", "user:" + user.id(), "success", 200,
                null);
        return tokenResponse(exchange, user.id(), session.sessionId(), session.refreshToken());
    }

    private Map<String, Object> refreshGrant(Exchange exchange, String refreshToken) {
        if (refreshToken == null || refreshToken.isBlank()) {
            throw ProblemException.badRequest("refresh_token", "is required");
        }
        SessionStore.Session before = null;
        int dot = refreshToken.indexOf('.');
        if (dot > 0) {
            before = sessions.find(refreshToken.substring(0, dot));
        }
        SessionStore.Rotated rotated = sessions.rotate(refreshToken);
        if (rotated.outcome() == SessionStore.Rotation.REUSED) {
            audit.record(exchange, null, "refresh.reused", "session:" + rotated.sessionId(), "denied", 401,
                    "token family revoked" + (before != null ? " for user " + before.userId() : ""));
            meters.counter("hub.auth.refresh_reuse").increment();
            throw IdentityGuard.unauthorized("invalid_grant",
                    "This refresh token was already used; the session has been ended.");
        }
        if (rotated.outcome() == SessionStore.Rotation.INVALID || before == null) {
            audit.record(exchange, null, "refresh.failed", null, "failure", 401, null);
            throw IdentityGuard.unauthorized("invalid_grant", "The refresh token is invalid or expired.");
        }
        return tokenResponse(exchange, before.userId(), rotated.sessionId(), rotated.refreshToken());
    }

    private Map<String, Object> tokenResponse(Exchange exchange, String userId, String sid, String refresh) {
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", tokens.issue(userId, sid));
        body.put("token_type", "Bearer");
        body.put("expires_in", tokens.accessTtl().toSeconds());
        body.put("refresh_token", refresh);
        return body;
    }

    public void logout(Exchange exchange) {
        Principal p = principal(exchange);
        if (p.sessionId() != null) {
            sessions.delete(p.sessionId());
        }
        exchange.setProperty(IdentityGuard.AUDITED, true);
        audit.record(exchange, p, "logout", "session:" + p.sessionId(), "success", 204, null);
        noContent(exchange);
    }

    public Map<String, Object> me(Exchange exchange) {
        Principal p = principal(exchange);
        Map<String, Object> body = new LinkedHashMap<>();
        if (p.kind() == Principal.Kind.USER) {
            UserService.User user = users.find(p.id());
            if (user == null) {
                throw ProblemException.notFound("No such user.");
            }
            body.putAll(user.toMap());
        } else {
            body.put("id", p.id());
            body.put("name", p.displayName());
        }
        body.put("kind", p.kind().name().toLowerCase());
        body.put("permissions", p.permissions());
        return body;
    }

    public void changePassword(Exchange exchange) {
        Principal p = principal(exchange);
        if (p.kind() != Principal.Kind.USER) {
            throw new ProblemException(ProblemType.FORBIDDEN, 403, "Only users have passwords.");
        }
        JsonNode body = body(exchange);
        String current = text(body, "currentPassword");
        String next = text(body, "newPassword");
        if (current == null || !users.passwordMatches(p.id(), current)) {
            exchange.setProperty(IdentityGuard.AUDITED, true);
            audit.record(exchange, p, "password.change", "user:" + p.id(), "failure", 400, "wrong current password");
            throw ProblemException.badRequest("/currentPassword", "is wrong");
        }
        checkPassword("newPassword", next);
        users.setPassword(p.id(), next);
        sessions.deleteAll(p.id());
        noContent(exchange);
    }

    // ---- users -------------------------------------------------------------------------------------------------

    public Map<String, Object> listUsers(Exchange exchange) {
        int limit = intParam(exchange, "limit", 50, 1, 200);
        int offset = intParam(exchange, "offset", 0, 0, Integer.MAX_VALUE);
        return Map.of("items", users.list(limit, offset).stream().map(UserService.User::toMap).toList());
    }

    public Map<String, Object> createUser(Exchange exchange) {
        JsonNode body = body(exchange);
        String email = text(body, "email");
        String password = text(body, "password");
        String role = text(body, "role");
        if (email == null || !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw ProblemException.badRequest("/email", "must be an e-mail address");
        }
        checkPassword("/password", password);
        if (!Permissions.isRole(role)) {
            throw ProblemException.badRequest("/role", "must be one of " + Permissions.ROLES.keySet());
        }
        try {
            UserService.User user = users.create(email, password, text(body, "displayName"), role);
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
            exchange.getMessage().setHeader("Location", "/api/v1/users/" + user.id());
            return user.toMap();
        } catch (UserService.EmailTakenException e) {
            throw new ProblemException(ProblemType.CONFLICT, 409, "A user with this e-mail exists.");
        }
    }

    /** A user may read themself; reading anyone else needs users:read, and is otherwise "not found". */
    public Map<String, Object> getUser(Exchange exchange) {
        Principal p = principal(exchange);
        String id = exchange.getMessage().getHeader("userId", String.class);
        if (!(p.kind() == Principal.Kind.USER && p.id().equals(id)) && !p.has("users:read")) {
            throw ProblemException.notFound("No such user.");
        }
        UserService.User user = users.find(id);
        if (user == null) {
            throw ProblemException.notFound("No such user.");
        }
        return user.toMap();
    }

    public Map<String, Object> updateUser(Exchange exchange) {
        String id = exchange.getMessage().getHeader("userId", String.class);
        JsonNode body = body(exchange);
        String role = text(body, "role");
        if (role != null && !Permissions.isRole(role)) {
            throw ProblemException.badRequest("/role", "must be one of " + Permissions.ROLES.keySet());
        }
        Boolean disabled = body.hasNonNull("disabled") ? body.get("disabled").asBoolean() : null;
        UserService.User user = UserService.isUuid(id) ? users.update(id, role, disabled, text(body, "displayName"))
                : null;
        if (user == null) {
            throw ProblemException.notFound("No such user.");
        }
        if (role != null || Boolean.TRUE.equals(disabled)) {
            // a new role or a disabled account takes effect at once: its sessions end
            sessions.deleteAll(id);
        }
        return user.toMap();
    }

    public Map<String, Object> revokeSessions(Exchange exchange) {
        String id = exchange.getMessage().getHeader("userId", String.class);
        if (users.find(id) == null) {
            throw ProblemException.notFound("No such user.");
        }
        return Map.of("revoked", sessions.deleteAll(id));
    }

    // ---- API keys ----------------------------------------------------------------------------------------------

    public Map<String, Object> listApiKeys(Exchange exchange) {
        int limit = intParam(exchange, "limit", 50, 1, 200);
        int offset = intParam(exchange, "offset", 0, 0, Integer.MAX_VALUE);
        return Map.of("items", apiKeys.list(limit, offset).stream().map(ApiKeyService.ApiKey::toMap).toList());
    }

    public Map<String, Object> createApiKey(Exchange exchange) {
        Principal p = principal(exchange);
        JsonNode body = body(exchange);
        String name = text(body, "name");
        if (name == null || name.isBlank()) {
            throw ProblemException.badRequest("/name", "is required");
        }
        List<String> requested = new ArrayList<>();
        body.path("scopes").forEach(s -> requested.add(s.asText()));
        Set<String> scopes;
        try {
            scopes = Permissions.checkScopes(requested);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("/scopes", e.getMessage());
        }
        if (scopes.isEmpty()) {
            throw ProblemException.badRequest("/scopes", "at least one scope is required");
        }
        Instant expires = null;
        if (body.hasNonNull("expiresAt")) {
            try {
                expires = Instant.parse(body.get("expiresAt").asText());
            } catch (DateTimeParseException e) {
                throw ProblemException.badRequest("/expiresAt", "must be an RFC 3339 time");
            }
        }
        Integer rate = body.hasNonNull("ratePerMinute") ? body.get("ratePerMinute").asInt() : null;
        if (rate != null && rate < 1) {
            throw ProblemException.badRequest("/ratePerMinute", "must be at least 1");
        }
        ApiKeyService.Created created = apiKeys.create(name, scopes, expires, rate, p.id());
        exchange.setProperty(IdentityGuard.AUDITED, true);
        audit.record(exchange, p, "api-key.create", "api-key:" + created.key().id(), "success", 201,
                "scopes " + scopes);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 201);
        exchange.getMessage().setHeader("Cache-Control", "no-store");
        Map<String, Object> out = new LinkedHashMap<>(created.key().toMap());
        out.put("secret", created.secret());
        return out;
    }

    public void revokeApiKey(Exchange exchange) {
        Principal p = principal(exchange);
        String id = exchange.getMessage().getHeader("keyId", String.class);
        boolean revoked = apiKeys.revoke(id);
        exchange.setProperty(IdentityGuard.AUDITED, true);
        audit.record(exchange, p, "api-key.revoke", "api-key:" + id, revoked ? "success" : "failure",
                revoked ? 204 : 404, null);
        if (!revoked) {
            throw ProblemException.notFound("No such active API key.");
        }
        noContent(exchange);
    }

    // ---- audit -------------------------------------------------------------------------------------------------

    public Map<String, Object> listAudit(Exchange exchange) {
        Message in = exchange.getMessage();
        int limit = intParam(exchange, "limit", 50, 1, 500);
        Long before = in.getHeader("before", Long.class);
        List<AuditLog.Entry> entries = audit.find(in.getHeader("actor", String.class),
                in.getHeader("action", String.class), in.getHeader("outcome", String.class),
                instant(in, "since"), instant(in, "until"), before, limit);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", entries.stream().map(AuditLog::toMap).toList());
        if (entries.size() == limit) {
            out.put("next", entries.get(entries.size() - 1).id());
        }
        return out;
    }

    // ---- credentials and keys ----------------------------------------------------------------------------------

    public Map<String, Object> listCredentials(Exchange exchange) {
        return Map.of("items", jdbc.queryForList(
                "SELECT name, updated_by AS \"updatedBy\", updated_at::text AS \"updatedAt\" FROM hub_credential "
                        + "ORDER BY name"));
    }

    public void putCredential(Exchange exchange) {
        Principal p = principal(exchange);
        String name = exchange.getMessage().getHeader("name", String.class);
        String secret = text(body(exchange), "secret");
        if (secret == null || secret.isEmpty()) {
            throw ProblemException.badRequest("/secret", "is required");
        }
        CredentialStore.put(jdbc, crypto, name, secret, p.id());
        noContent(exchange);
    }

    public Map<String, Object> reEncrypt(Exchange exchange) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("primaryKeyId", crypto.primaryKeyId());
        out.put("reEncrypted", reEncryptor.reEncryptAll());
        return out;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static Principal userPrincipal(UserService.User user, String sid) {
        return new Principal(user.id(), Principal.Kind.USER, user.id(), Set.of(user.role()),
                Permissions.grantsOf(user.role()), sid);
    }

    private static Principal principal(Exchange exchange) {
        return Principal.current(exchange).orElseThrow(() -> IdentityGuard.unauthorized(null, "Authentication required."));
    }

    private static void checkPassword(String field, String password) {
        if (password == null || password.length() < UserService.MIN_PASSWORD || password.length() > 256) {
            throw ProblemException.badRequest(field, "must be " + UserService.MIN_PASSWORD + " to 256 characters");
        }
    }

    private static void noContent(Exchange exchange) {
        exchange.getMessage().setBody(null);
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
    }

    private JsonNode body(Exchange exchange) {
        byte[] raw = exchange.getMessage().getBody(byte[].class);
        try {
            JsonNode node = raw == null || raw.length == 0 ? json.createObjectNode() : json.readTree(raw);
            if (!node.isObject()) {
                throw ProblemException.badRequest("body", "must be a JSON object");
            }
            return node;
        } catch (java.io.IOException e) {
            throw ProblemException.badRequest("body", "is not valid JSON");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The token endpoint's fields, from a form-encoded body (as OAuth2 clients send them) or JSON. */
    private Map<String, String> formOrJson(Exchange exchange) {
        Message in = exchange.getMessage();
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, "", String.class).toLowerCase();
        Map<String, String> fields = new LinkedHashMap<>();
        Object rawBody = in.getBody();
        if (rawBody instanceof Map<?, ?> map) {
            map.forEach((k, v) -> fields.put(String.valueOf(k), v instanceof String[] arr && arr.length > 0 ? arr[0]
                    : v instanceof List<?> l && !l.isEmpty() ? String.valueOf(l.get(0)) : String.valueOf(v)));
            return fields;
        }
        byte[] raw = in.getBody(byte[].class);
        if (contentType.startsWith("application/json")) {
            body(exchange).fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue().asText()));
            return fields;
        }
        // only the body: Camel also keeps request headers in the message's header map, and a header is no credential
        if (raw != null && raw.length > 0) {
            for (String pair : new String(raw, StandardCharsets.UTF_8).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    fields.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        } else if (contentType.startsWith("application/x-www-form-urlencoded")
                && RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
            // Camel parsed the form into its header map (so the body reads empty), where request headers and query
            // values stand too: a field counts only if no request header and no query parameter carries its name
            HttpServletRequest request = attributes.getRequest();
            Set<String> inQuery = new HashSet<>();
            if (request.getQueryString() != null) {
                for (String pair : request.getQueryString().split("&")) {
                    int eq = pair.indexOf('=');
                    inQuery.add(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8));
                }
            }
            for (String name : List.of("grant_type", "username", "password", "refresh_token")) {
                String v = in.getHeader(name, String.class);
                if (v != null && request.getHeader(name) == null && !inQuery.contains(name)) {
                    fields.put(name, v);
                }
            }
        }
        return fields;
    }

    private static int intParam(Exchange exchange, String name, int dflt, int min, int max) {
        Integer v = exchange.getMessage().getHeader(name, Integer.class);
        return v == null ? dflt : Math.max(min, Math.min(max, v));
    }

    private static Instant instant(Message in, String name) {
        String v = in.getHeader(name, String.class);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name, "must be an RFC 3339 time");
        }
    }

}
