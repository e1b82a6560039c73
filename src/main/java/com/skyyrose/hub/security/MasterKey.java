package com.skyyrose.hub.security;

import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.subtle.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * {@code HUB_MASTER_KEY}: the one secret a deployment needs. Every other key is derived from it with HKDF-SHA256
 * (RFC 5869, Tink's implementation), one purpose per {@code info} label, or — for the JWT signing keyset, which
 * must be a random EC key — stored in the database encrypted under a derived wrapping key.
 * The master key never changes for a database: the e-mail lookup hashes depend on the index key derived from it.
 */
public final class MasterKey {

    private static final byte[] SALT = "devskyy-hub".getBytes(StandardCharsets.UTF_8);
    private static final String WRAP_PREFIX = "v1:";

    private final byte[] key;

    private MasterKey(byte[] key) {
        this.key = key;
    }

    /** Parses the base64 value; at least 32 bytes (Render's {@code generateValue: true} gives exactly 32). */
    public static MasterKey parse(String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("HUB_MASTER_KEY is not valid base64");
        }
        if (bytes.length < 32) {
            throw new IllegalStateException("HUB_MASTER_KEY must be at least 32 bytes (base64), it has " + bytes.length);
        }
        return new MasterKey(bytes);
    }

    /** A 32-byte key for one purpose; the same master key and label always give the same key. */
    public byte[] derive(String purpose) {
        try {
            return Hkdf.computeHkdf("HMACSHA256", key, SALT,
                    ("devskyy-hub/" + purpose).getBytes(StandardCharsets.UTF_8), 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HKDF failed", e);
        }
    }

    /** The AES-256 data key of rotation generation {@code generation} (1, 2, ...). */
    public byte[] dataKey(int generation) {
        return derive("data-key/" + generation);
    }

    public byte[] indexKey() {
        return derive("index-key");
    }

    /** Encrypts a keyring entry (AES-256-GCM; the entry's name is the associated data, so entries cannot swap). */
    public String seal(String name, String plaintext) {
        try {
            byte[] sealed = new AesGcmJce(derive("keyring-wrap")).encrypt(plaintext.getBytes(StandardCharsets.UTF_8),
                    FieldCrypto.aad("hub_keyring", "material", name));
            return WRAP_PREFIX + Base64.getEncoder().encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt keyring entry " + name, e);
        }
    }

    public String open(String name, String stored) {
        if (stored == null || !stored.startsWith(WRAP_PREFIX)) {
            throw new IllegalStateException("keyring entry " + name + " is not encrypted under a master key");
        }
        try {
            byte[] plain = new AesGcmJce(derive("keyring-wrap")).decrypt(
                    Base64.getDecoder().decode(stored.substring(WRAP_PREFIX.length())),
                    FieldCrypto.aad("hub_keyring", "material", name));
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("HUB_MASTER_KEY does not open the keyring entry '" + name + "' stored in "
                    + "this database: it was created under another master key (the master key of a database never "
                    + "changes)");
        }
    }
}
