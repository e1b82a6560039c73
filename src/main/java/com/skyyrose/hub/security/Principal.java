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
 */
public record Principal(String id, Kind kind, String displayName, Set<String> roles, Set<String> permissions,
        String sessionId) {

    public static final String EXCHANGE_PROPERTY = "hub.principal";

    public enum Kind { USER, API_KEY, SYSTEM }

    public Principal {
        roles = Set.copyOf(roles);
        permissions = Set.copyOf(permissions);
    }

    public Principal(String id, Kind kind, String displayName, Set<String> roles, Set<String> permissions) {
        this(id, kind, displayName, roles, permissions, null);
    }

    public boolean has(String permission) {
        return Permissions.allows(permissions, permission);
    }

    public boolean isAdmin() {
        return roles.contains("admin");
    }

    public static Optional<Principal> current(Exchange exchange) {
        return Optional.ofNullable(exchange.getProperty(EXCHANGE_PROPERTY, Principal.class));
    }
}
