package com.skyyrose.hub.security;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Key material kept in the database ({@code hub_keyring}), so every instance on one database uses the same keys.
 * What is stored is already protected by the caller (the JWT keyset is encrypted under the master key).
 */
public final class Keyring {

    private final JdbcTemplate jdbc;

    public Keyring(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<String> get(String name) {
        List<String> rows = jdbc.queryForList("SELECT material FROM hub_keyring WHERE name = ?", String.class, name);
        return rows.stream().findFirst();
    }

    /**
     * The stored material, or {@code fresh} stored first. Instances starting at once agree: the first insert wins,
     * every other one reads what it wrote.
     */
    public String getOrCreate(String name, Supplier<String> fresh) {
        Optional<String> known = get(name);
        if (known.isPresent()) {
            return known.get();
        }
        jdbc.update("INSERT INTO hub_keyring (name, material) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                name, fresh.get());
        return get(name).orElseThrow(() -> new IllegalStateException("keyring entry " + name + " vanished"));
    }

    /** Replaces the material only if it still is {@code expected} (a concurrent change makes this return false). */
    public boolean replace(String name, String expected, String material) {
        return jdbc.update("UPDATE hub_keyring SET material = ?, updated_at = now() WHERE name = ? AND material = ?",
                material, name, expected) == 1;
    }
}
