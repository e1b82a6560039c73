package com.skyyrose.hub.agents;

import com.skyyrose.hub.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * {@code hub.agents.service-principal.*}: who an agent run started by a route ({@code direct:agent-run}, e.g. a
 * webhook hand-off) runs as. It holds only the configured permissions: the agent's tools check them like a user's,
 * risky actions still wait for approval, and an approver runs them only if this principal holds them too. Its runs
 * are its own records (admins see them with {@code GET /api/v1/runs?trigger=webhook}).
 */
@Component
@ConfigurationProperties("hub.agents.service-principal")
public class ServicePrincipal {

    /** The principal id on the runs (never a user id: users' ids are UUIDs). */
    private String id = "service:webhooks";
    private String name = "Webhook hand-offs";
    /** Read what the agents look up; no writes unless configured (HUB_AGENTS_SERVICE_PERMISSIONS). */
    private List<String> permissions = new ArrayList<>(List.of("agents:run", "agents:read", "brand:read",
            "knowledge:read", "woocommerce:read", "woocommerce:customers", "wordpress:read"));

    public Principal principal() {
        Set<String> grants = new LinkedHashSet<>();
        for (String p : permissions) {
            if (p != null && !p.isBlank()) {
                grants.add(p.strip());
            }
        }
        return new Principal(id, Principal.Kind.SYSTEM, name, Set.of("service"), grants);
    }

    public boolean is(String principalId) {
        return id.equals(principalId);
    }

    public String getId() { return id; }
    public void setId(String id) { this.id = id; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public List<String> getPermissions() { return permissions; }
    public void setPermissions(List<String> permissions) { this.permissions = permissions; }
}
