package com.skyyrose.hub.security;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * A principal by id, with the permissions it holds now (not when it last signed in): for work done later on its
 * behalf, such as a run's actions approved by someone else. A disabled user, a revoked or expired key, or an id
 * nobody has is absent.
 */
@Component
public class PrincipalDirectory {

    private final UserService users;
    private final ApiKeyService apiKeys;

    public PrincipalDirectory(UserService users, ApiKeyService apiKeys) {
        this.users = users;
        this.apiKeys = apiKeys;
    }

    public Optional<Principal> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        UserService.User user = users.find(id);
        if (user != null) {
            return user.disabled() ? Optional.empty() : Optional.of(new Principal(user.id(), Principal.Kind.USER,
                    user.id(), Set.of(user.role()), Permissions.grantsOf(user.role())));
        }
        ApiKeyService.ApiKey key = apiKeys.find(id);
        if (key == null || key.revokedAt() != null
                || (key.expiresAt() != null && key.expiresAt().isBefore(Instant.now()))) {
            return Optional.empty();
        }
        return Optional.of(new Principal(key.id(), Principal.Kind.API_KEY, key.name(), Set.of("partner"),
                key.scopes()));
    }
}
