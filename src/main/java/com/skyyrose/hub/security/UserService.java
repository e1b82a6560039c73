package com.skyyrose.hub.security;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Users in PostgreSQL: Argon2id password hashes with the OWASP parameters (m=19 MiB, t=2, p=1; at most a few at
 * once, see {@link PasswordHasher}), e-mail encrypted (AES-256-GCM, AAD hub_user/email/id) and found by a keyed
 * hash. The role is set by an admin only.
 */
public class UserService {

    private static final Logger LOG = LoggerFactory.getLogger(UserService.class);
    public static final EncryptedColumn EMAIL_COLUMN = new EncryptedColumn("hub_user", "id", "email_enc");
    public static final int MIN_PASSWORD = 12;

    private final JdbcTemplate jdbc;
    private final FieldCrypto crypto;
    private final PasswordHasher argon2;
    /** Hashed once so that an unknown e-mail costs as much as a wrong password. */
    private final String dummyHash;

    public UserService(JdbcTemplate jdbc, FieldCrypto crypto, PasswordHasher hasher) {
        this.jdbc = jdbc;
        this.crypto = crypto;
        this.argon2 = hasher;
        this.dummyHash = hasher.unmatchableHash();
    }

    public record User(String id, String email, String displayName, String role, boolean disabled,
            String createdAt) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("email", email);
            if (displayName != null) {
                m.put("displayName", displayName);
            }
            m.put("role", role);
            m.put("disabled", disabled);
            m.put("createdAt", createdAt);
            return m;
        }
    }

    public static String normaliseEmail(String email) {
        return email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
    }

    public String emailHash(String email) {
        return crypto.lookupHash("user-email", normaliseEmail(email));
    }

    /** Creates the first admin from env when there is no admin yet (idempotent; safe with several instances). */
    public void bootstrapAdmin(String email, String password) {
        if (email == null || email.isBlank() || password == null || password.isBlank()) {
            Integer admins = jdbc.queryForObject("SELECT count(*) FROM hub_user WHERE role = 'admin'", Integer.class);
            if (admins == null || admins == 0) {
                LOG.warn("No administrator exists and HUB_ADMIN_EMAIL/HUB_ADMIN_PASSWORD are not set: "
                        + "nobody can sign in until they are");
            }
            return;
        }
        Integer admins = jdbc.queryForObject("SELECT count(*) FROM hub_user WHERE role = 'admin'", Integer.class);
        if (admins != null && admins > 0) {
            return;
        }
        if (findByEmail(email) != null) {
            LOG.warn("HUB_ADMIN_EMAIL names an existing non-admin user; no admin was created");
            return;
        }
        try {
            create(email, password, "Administrator", "admin");
            LOG.info("Created the first administrator from HUB_ADMIN_EMAIL");
        } catch (EmailTakenException raced) {
            // another instance created it at the same moment (the e-mail hash is unique)
        }
    }

    public User create(String email, String password, String displayName, String role) {
        if (!Permissions.isRole(role)) {
            throw new IllegalArgumentException("unknown role " + role);
        }
        String id = UUID.randomUUID().toString();
        try {
            jdbc.update("INSERT INTO hub_user (id, email_hash, email_enc, display_name, password_hash, role) "
                    + "VALUES (?::uuid, ?, ?, ?, ?, ?)", id, emailHash(email),
                    crypto.encrypt(normaliseEmail(email), FieldCrypto.aad("hub_user", "email_enc", id)),
                    displayName, argon2.encode(password), role);
        } catch (DuplicateKeyException e) {
            throw new EmailTakenException();
        }
        return find(id);
    }

    /** The user when the password matches and the account is enabled; null otherwise (constant-ish time). */
    public User authenticate(String email, String password) {
        List<Map<String, Object>> rows = jdbc.queryForList(
                "SELECT id::text AS id, password_hash, disabled FROM hub_user WHERE email_hash = ?", emailHash(email));
        if (rows.isEmpty()) {
            argon2.matches(password, dummyHash);
            return null;
        }
        Map<String, Object> row = rows.get(0);
        if (!argon2.matches(password, (String) row.get("password_hash")) || Boolean.TRUE.equals(row.get("disabled"))) {
            return null;
        }
        return find((String) row.get("id"));
    }

    public boolean passwordMatches(String userId, String password) {
        List<String> hashes = jdbc.queryForList("SELECT password_hash FROM hub_user WHERE id = ?::uuid",
                String.class, userId);
        return !hashes.isEmpty() && argon2.matches(password, hashes.get(0));
    }

    public void setPassword(String userId, String password) {
        jdbc.update("UPDATE hub_user SET password_hash = ?, updated_at = now() WHERE id = ?::uuid",
                argon2.encode(password), userId);
    }

    public User find(String id) {
        if (!isUuid(id)) {
            return null;
        }
        List<User> users = jdbc.query("SELECT id::text AS id, email_enc, display_name, role, disabled, created_at "
                + "FROM hub_user WHERE id = ?::uuid", (rs, i) -> map(rs), id);
        return users.isEmpty() ? null : users.get(0);
    }

    public User findByEmail(String email) {
        List<User> users = jdbc.query("SELECT id::text AS id, email_enc, display_name, role, disabled, created_at "
                + "FROM hub_user WHERE email_hash = ?", (rs, i) -> map(rs), emailHash(email));
        return users.isEmpty() ? null : users.get(0);
    }

    public List<User> list(int limit, int offset) {
        return new ArrayList<>(jdbc.query("SELECT id::text AS id, email_enc, display_name, role, disabled, created_at "
                + "FROM hub_user ORDER BY created_at, id LIMIT ? OFFSET ?", (rs, i) -> map(rs), limit, offset));
    }

    /** Changes role and/or disabled (admin only); returns the user or null when unknown. */
    public User update(String id, String role, Boolean disabled, String displayName) {
        if (role != null && !Permissions.isRole(role)) {
            throw new IllegalArgumentException("unknown role " + role);
        }
        int n = jdbc.update("UPDATE hub_user SET role = COALESCE(?, role), disabled = COALESCE(?, disabled), "
                + "display_name = COALESCE(?, display_name), updated_at = now() WHERE id = ?::uuid",
                role, disabled, displayName, id);
        return n == 0 ? null : find(id);
    }

    private User map(java.sql.ResultSet rs) throws java.sql.SQLException {
        String id = rs.getString("id");
        return new User(id, crypto.decrypt(rs.getString("email_enc"), FieldCrypto.aad("hub_user", "email_enc", id)),
                rs.getString("display_name"), rs.getString("role"), rs.getBoolean("disabled"),
                rs.getTimestamp("created_at").toInstant().toString());
    }

    static boolean isUuid(String id) {
        return id != null && id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    }

    /** Another user already has this e-mail. */
    public static final class EmailTakenException extends RuntimeException {
        public EmailTakenException() {
            super("e-mail taken", null, false, false);
        }
    }
}
