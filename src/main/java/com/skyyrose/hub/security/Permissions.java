package com.skyyrose.hub.security;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one table of roles and what they may do. A grant is an exact permission ({@code brand:read}), a wildcard
 * over a resource ({@code brand:*}) or over an action ({@code *:read}), or {@code *} (everything). A permission an
 * operation declares that no grant matches is held by admins only: unknown never means public.
 *
 * <p>Special values of {@code x-hub-permission}: {@code public} (no authentication) and {@code authenticated}
 * (any signed-in user or key; the operation checks ownership itself).
 */
public final class Permissions {

    public static final String PUBLIC = "public";
    public static final String AUTHENTICATED = "authenticated";
    /**
     * Seeing every principal's records (agent runs, round-table results, tool jobs, GDPR exports...): without it a
     * caller sees only its own ({@link Ownership}). Admins hold it; no wildcard but {@code *} grants it.
     */
    public static final String SEE_ALL = "records:read-all";

    /**
     * Permissions only administrators hold, whatever a wildcard says (they manage identities and secrets).
     * {@code gdpr:export} (export anyone's personal data) and {@code gdpr:erase} are among them; exporting one's own
     * data needs no permission (the operation is {@code authenticated} and checks who is asked for).
     */
    private static final Set<String> ADMIN_ONLY_RESOURCES = Set.of("users", "api-keys", "audit", "crypto",
            "credentials", "gdpr", "records");

    public static final Map<String, List<String>> ROLES = Map.of(
            "admin", List.of("*"),
            // runs agents and tools (each connector's tools are named by their own permission namespace),
            // reads everything operational, replays webhooks, inspects routes in the ops console
            "operator", List.of("agents:*", "round-table:*", "tools:*", "woocommerce:*", "wordpress:*",
                    "tripo3d:*", "fashn:*", "brand:read", "knowledge:read", "webhooks:read", "webhooks:replay",
                    "routes:inspect", "metrics:read"),
            // curates brand DNA and the knowledge base
            "editor", List.of("brand:*", "knowledge:*", "agents:read", "round-table:read", "tools:read"),
            // integration engineer: reads and changes the route files every instance runs (route files API)
            "integrator", List.of("routes:write", "routes:inspect"),
            // commerce partner over REST: the partner-facing operations only
            "partner", List.of("brand:read", "knowledge:read", "partner:*"),
            // read-only
            "viewer", List.of("*:read"));

    private Permissions() {
    }

    public static boolean isRole(String role) {
        return role != null && ROLES.containsKey(role);
    }

    public static Set<String> grantsOf(String role) {
        return Set.copyOf(ROLES.getOrDefault(role, List.of()));
    }

    /** Whether one of the grants allows the permission. */
    public static boolean allows(Collection<String> grants, String permission) {
        if (permission == null || permission.isBlank()) {
            return grants.contains("*");
        }
        for (String grant : grants) {
            if (matches(grant, permission)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(String grant, String permission) {
        if (grant.equals("*")) {
            return true;
        }
        if (grant.equals(permission)) {
            return true;
        }
        int g = grant.indexOf(':');
        int p = permission.indexOf(':');
        if (g < 0 || p < 0) {
            return false;
        }
        String grantResource = grant.substring(0, g);
        String grantAction = grant.substring(g + 1);
        String resource = permission.substring(0, p);
        String action = permission.substring(p + 1);
        if (grantResource.equals("*") && ADMIN_ONLY_RESOURCES.contains(resource)) {
            return false;
        }
        return (grantResource.equals("*") || grantResource.equals(resource))
                && (grantAction.equals("*") || grantAction.equals(action));
    }

    /** Normalises and checks scopes an admin gives an API key: well-formed, and never {@code *}. */
    public static Set<String> checkScopes(Collection<String> scopes) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : scopes) {
            String scope = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
            if (!scope.matches("(\\*|[a-z0-9-]+):(\\*|[a-z0-9-]+)")) {
                throw new IllegalArgumentException("scope '" + raw + "' is not resource:action");
            }
            out.add(scope);
        }
        return out;
    }
}
