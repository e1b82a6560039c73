package com.skyyrose.hub.security;

import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * Who is calling: a user (JWT) or a partner (API key), with the permissions the hub grants it. The identity guard
 * puts it on the exchange as {@link #EXCHANGE_PROPERTY} before a contract operation is routed; routes and beans
 * read it from there (audit "who", per-principal limits, tool permissions). Permissions may be wildcards
 * ({@code brand:*}, {@code *:read}, {@code *}); {@link #has} understands them (see {@link Permissions}).
 * {@code sessionId} is the login session of a user (null for API keys).
 *
 * <p>{@code onBehalfOf}, when set, is another principal whose rights must hold too: an approver runs a waiting
 * run's actions on behalf of its creator, and an action runs only if both may run it ({@link #actingFor}).
 */
public record Principal(String id, Kind kind, String displayName, Set<String> roles, Set<String> permissions,
        String sessionId, Principal onBehalfOf) {

    public static final String EXCHANGE_PROPERTY = "hub.principal";

    public enum Kind { USER, API_KEY, SYSTEM }

    public Principal {
        roles = Set.copyOf(roles);
        permissions = Set.copyOf(permissions);
    }

    public Principal(String id, Kind kind, String displayName, Set<String> roles, Set<String> permissions,
            String sessionId) {
        this(id, kind, displayName, roles, permissions, sessionId, null);
    }

    public Principal(String id, Kind kind, String displayName, Set<String> roles, Set<String> permissions) {
        this(id, kind, displayName, roles, permissions, null, null);
    }

    /**
     * This principal acting for {@code creator}: it keeps its identity (audit, limits, caches), but holds a
     * permission only when the creator holds it too. An unknown creator (deleted user, revoked key) holds nothing.
     */
    public Principal actingFor(Principal creator) {
        Principal none = new Principal("unknown", Kind.SYSTEM, "unknown", Set.of(), Set.of());
        return new Principal(id, kind, displayName, roles, permissions, sessionId, creator == null ? none : creator);
    }

    public boolean has(String permission) {
        return Permissions.allows(permissions, permission) && (onBehalfOf == null || onBehalfOf.has(permission));
    }

    public boolean isAdmin() {
        return roles.contains("admin") && (onBehalfOf == null || onBehalfOf.isAdmin());
    }

    public static Optional<Principal> current(Exchange exchange) {
        return Optional.ofNullable(exchange.getProperty(EXCHANGE_PROPERTY, Principal.class));
    }
}
