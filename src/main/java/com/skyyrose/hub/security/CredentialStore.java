package com.skyyrose.hub.security;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Third-party credentials (WooCommerce consumer key/secret, WordPress application passwords...) kept
 * AES-256-GCM encrypted in {@code hub_credential}, AAD bound to the credential's name. Capabilities read them
 * with {@link #get}; admins set them with {@code PUT /api/v1/credentials/{name}}; they are never returned by the API.
 */
@Component
public class CredentialStore {

    public static final EncryptedColumn COLUMN = new EncryptedColumn("hub_credential", "name", "secret_enc");

    private final JdbcTemplate jdbc;
    private final FieldCrypto crypto;

    public CredentialStore(JdbcTemplate jdbc, FieldCrypto crypto) {
        this.jdbc = jdbc;
        this.crypto = crypto;
    }

    /** The decrypted secret, or null when none is stored under this name. */
    public String get(String name) {
        List<String> values = jdbc.queryForList("SELECT secret_enc FROM hub_credential WHERE name = ?", String.class,
                name);
        return values.isEmpty() ? null : crypto.decrypt(values.get(0), FieldCrypto.aad(COLUMN.table(),
                COLUMN.column(), name));
    }

    public void put(String name, String secret, String actor) {
        put(jdbc, crypto, name, secret, actor);
    }

    static void put(JdbcTemplate jdbc, FieldCrypto crypto, String name, String secret, String actor) {
        jdbc.update("INSERT INTO hub_credential (name, secret_enc, updated_by) VALUES (?, ?, ?) "
                + "ON CONFLICT (name) DO UPDATE SET secret_enc = EXCLUDED.secret_enc, updated_by = EXCLUDED.updated_by, "
                + "updated_at = now()", name, crypto.encrypt(secret, FieldCrypto.aad(COLUMN.table(), COLUMN.column(),
                        name)), actor);
    }
}
