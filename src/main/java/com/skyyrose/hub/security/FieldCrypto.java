package com.skyyrose.hub.security;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.subtle.AesGcmJce;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for sensitive columns, on Tink's AEAD primitive (random 96-bit nonce per encryption, 128-bit tag).
 * A stored value reads {@code v1:<kid>:<base64(nonce|ciphertext|tag)>}: the key id travels with each ciphertext,
 * so a new primary key can be added while old rows still decrypt, and {@link ReEncryptor} moves them over.
 * The associated data binds a ciphertext to its table, column and row id: a value copied to another row or
 * column does not decrypt.
 *
 * <p>Use: {@code crypto.encrypt(plain, FieldCrypto.aad("hub_user", "email", id))}. For columns that must be
 * looked up (e-mail), store {@link #lookupHash} next to the ciphertext.
 */
public final class FieldCrypto {

    private static final String VERSION = "v1";

    private final Map<String, Aead> keys = new LinkedHashMap<>();
    private final String primaryKid;
    private final byte[] indexKey;

    public FieldCrypto(HubSecrets secrets) {
        try {
            for (Map.Entry<String, byte[]> key : secrets.dataKeys().entrySet()) {
                keys.put(key.getKey(), new AesGcmJce(key.getValue()));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot initialise AES-256-GCM", e);
        }
        this.primaryKid = secrets.primaryDataKid();
        this.indexKey = secrets.indexKey();
    }

    /** The associated data for one cell: table, column and row id. */
    public static byte[] aad(String table, String column, Object rowId) {
        return (table + "\u0000" + column + "\u0000" + rowId).getBytes(StandardCharsets.UTF_8);
    }

    public String encrypt(String plaintext, byte[] aad) {
        try {
            byte[] sealed = keys.get(primaryKid).encrypt(plaintext.getBytes(StandardCharsets.UTF_8), aad);
            return VERSION + ":" + primaryKid + ":" + Base64.getEncoder().encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    /** Decrypts, or throws {@link CryptoException} for a tampered, moved or unknown-key value. */
    public String decrypt(String stored, byte[] aad) {
        String[] parts = stored == null ? new String[0] : stored.split(":", 3);
        if (parts.length != 3 || !VERSION.equals(parts[0])) {
            throw new CryptoException("not an encrypted value");
        }
        Aead key = keys.get(parts[1]);
        if (key == null) {
            throw new CryptoException("encrypted with unknown key id " + parts[1]);
        }
        try {
            return new String(key.decrypt(Base64.getDecoder().decode(parts[2]), aad), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CryptoException("ciphertext does not authenticate (tampered, or moved to another row)");
        }
    }

    /** The key id a stored value was encrypted with. */
    public static String keyIdOf(String stored) {
        String[] parts = stored.split(":", 3);
        return parts.length == 3 ? parts[1] : null;
    }

    public String primaryKeyId() {
        return primaryKid;
    }

    /** A keyed hash (HMAC-SHA256, hex) for equality lookups of an encrypted value, e.g. a normalised e-mail. */
    public String lookupHash(String purpose, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(indexKey, "HmacSHA256"));
            mac.update(purpose.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return java.util.HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stored value that cannot be decrypted. */
    public static class CryptoException extends RuntimeException {
        public CryptoException(String message) {
            super(message);
        }
    }
}
