package com.skyyrose.hub.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's secret keys, from the environment only: the JWT signing keyset ({@code HUB_JWT_KEYS}, a JWK Set of
 * EC P-256 private keys, each with a {@code kid}; {@code HUB_JWT_SIGNING_KID} names the one that signs, the others
 * still verify), the AES-256 data keys ({@code HUB_ENCRYPTION_KEYS} = {@code kid:base64,kid:base64};
 * {@code HUB_ENCRYPTION_PRIMARY_KID} names the one that encrypts) and the key of the keyed lookup hashes
 * ({@code HUB_INDEX_KEY}, base64, 32 bytes).
 *
 * <p>The rule: in production ({@code HUB_ENV=production}, or on Render, which sets {@code RENDER}) every one of
 * them must be set or the hub refuses to start. Elsewhere a missing one is replaced by a development key generated
 * once and kept in {@code HUB_DATA_DIR/secrets/dev-keys.json} (outside git), and the hub says so in the log.
 */
public final class HubSecrets {

    private static final Logger LOG = LoggerFactory.getLogger(HubSecrets.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JWKSet jwtKeys;
    private final String signingKid;
    private final Map<String, byte[]> dataKeys;
    private final String primaryDataKid;
    private final byte[] indexKey;
    private final boolean production;

    public HubSecrets(JWKSet jwtKeys, String signingKid, Map<String, byte[]> dataKeys, String primaryDataKid,
            byte[] indexKey, boolean production) {
        this.jwtKeys = jwtKeys;
        this.signingKid = signingKid;
        this.dataKeys = Map.copyOf(dataKeys);
        this.primaryDataKid = primaryDataKid;
        this.indexKey = indexKey.clone();
        this.production = production;
        validate();
    }

    private void validate() {
        if (jwtKeys.getKeys().isEmpty()) {
            throw new IllegalStateException("HUB_JWT_KEYS holds no key");
        }
        for (JWK key : jwtKeys.getKeys()) {
            if (!(key instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve()) || key.getKeyID() == null) {
                throw new IllegalStateException("HUB_JWT_KEYS: every key must be an EC P-256 JWK with a kid");
            }
        }
        JWK signing = jwtKeys.getKeyByKeyId(signingKid);
        if (signing == null || !signing.isPrivate()) {
            throw new IllegalStateException("HUB_JWT_SIGNING_KID does not name a private key in HUB_JWT_KEYS");
        }
        dataKeys.forEach((kid, key) -> {
            if (key.length != 32) {
                throw new IllegalStateException("HUB_ENCRYPTION_KEYS: key " + kid + " is not 32 bytes (AES-256)");
            }
            if (!kid.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new IllegalStateException("HUB_ENCRYPTION_KEYS: key id '" + kid + "' must match [A-Za-z0-9_-]{1,32}");
            }
        });
        if (!dataKeys.containsKey(primaryDataKid)) {
            throw new IllegalStateException("HUB_ENCRYPTION_PRIMARY_KID does not name a key in HUB_ENCRYPTION_KEYS");
        }
        if (indexKey.length < 32) {
            throw new IllegalStateException("HUB_INDEX_KEY must be at least 32 bytes (base64)");
        }
    }

    /** Reads the secrets from configuration values (blank = not set), applying the production rule. */
    public static HubSecrets load(boolean production, Path dataDir, String jwtKeys, String signingKid,
            String encryptionKeys, String primaryKid, String indexKey) {
        boolean jwtSet = !blank(jwtKeys);
        boolean dataSet = !blank(encryptionKeys);
        boolean indexSet = !blank(indexKey);
        if (production && !(jwtSet && dataSet && indexSet)) {
            throw new IllegalStateException("Refusing to start in production without real secrets: set "
                    + (jwtSet ? "" : "HUB_JWT_KEYS ") + (dataSet ? "" : "HUB_ENCRYPTION_KEYS ")
                    + (indexSet ? "" : "HUB_INDEX_KEY ") + "(see the README, 'Secrets').");
        }
        DevKeys dev = jwtSet && dataSet && indexSet ? null : DevKeys.loadOrCreate(dataDir.resolve("secrets"));
        try {
            JWKSet jwks = jwtSet ? JWKSet.parse(jwtKeys.trim()) : JWKSet.parse(dev.jwks);
            String kid = !blank(signingKid) ? signingKid.trim()
                    : jwtSet ? jwks.getKeys().get(0).getKeyID() : dev.jwtKid;
            Map<String, byte[]> data = dataSet ? parseDataKeys(encryptionKeys) : Map.of(dev.dataKid, decode(dev.dataKey));
            String primary = !blank(primaryKid) ? primaryKid.trim()
                    : dataSet ? data.keySet().iterator().next() : dev.dataKid;
            byte[] index = indexSet ? decode(indexKey.trim()) : decode(dev.indexKey);
            if (dev != null) {
                LOG.warn("Using DEVELOPMENT keys from {} for {}{}{}— never use them in production "
                        + "(HUB_ENV=production refuses to start without real ones)", dev.file,
                        jwtSet ? "" : "JWT signing ", dataSet ? "" : "data encryption ", indexSet ? "" : "lookup hashes ");
            }
            return new HubSecrets(jwks, kid, data, primary, index, production);
        } catch (ParseException e) {
            throw new IllegalStateException("HUB_JWT_KEYS is not a valid JWK Set", e);
        }
    }

    /** {@code kid:base64,kid:base64} in order (the first is primary unless HUB_ENCRYPTION_PRIMARY_KID says). */
    static Map<String, byte[]> parseDataKeys(String spec) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String part : spec.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            int colon = part.indexOf(':');
            if (colon < 1) {
                throw new IllegalStateException("HUB_ENCRYPTION_KEYS entries are kid:base64key");
            }
            keys.put(part.substring(0, colon), decode(part.substring(colon + 1)));
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("HUB_ENCRYPTION_KEYS holds no key");
        }
        return keys;
    }

    private static byte[] decode(String b64) {
        try {
            return Base64.getDecoder().decode(b64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("a configured key is not valid base64");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    public JWKSet jwtKeys() {
        return jwtKeys;
    }

    public String signingKid() {
        return signingKid;
    }

    public Map<String, byte[]> dataKeys() {
        return dataKeys;
    }

    public String primaryDataKid() {
        return primaryDataKid;
    }

    public byte[] indexKey() {
        return indexKey.clone();
    }

    public boolean production() {
        return production;
    }

    /** A new EC P-256 signing key as a private JWK (what an operator adds to HUB_JWT_KEYS to rotate). */
    public static ECKey newJwtKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String newAesKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** Prints fresh production secrets: {@code java -cp devskyy-hub.jar ... HubSecrets}. */
    public static void main(String[] args) {
        String kid = "k" + System.currentTimeMillis() / 1000;
        System.out.println("HUB_JWT_KEYS=" + new JWKSet(List.of(newJwtKey(kid))).toString(false));
        System.out.println("HUB_JWT_SIGNING_KID=" + kid);
        System.out.println("HUB_ENCRYPTION_KEYS=" + kid + ":" + newAesKey());
        System.out.println("HUB_ENCRYPTION_PRIMARY_KID=" + kid);
        System.out.println("HUB_INDEX_KEY=" + newAesKey());
    }

    /** Development keys kept under HUB_DATA_DIR/secrets, created once (atomically, so parallel starts agree). */
    private record DevKeys(Path file, String jwks, String jwtKid, String dataKid, String dataKey, String indexKey) {

        static DevKeys loadOrCreate(Path dir) {
            Path file = dir.resolve("dev-keys.json");
            try {
                Files.createDirectories(dir);
                if (!Files.exists(file)) {
                    String kid = "dev-" + UUID.randomUUID().toString().substring(0, 8);
                    Map<String, String> fresh = new LinkedHashMap<>();
                    fresh.put("jwks", new JWKSet(List.of(newJwtKey(kid))).toString(false));
                    fresh.put("jwtKid", kid);
                    fresh.put("dataKid", kid);
                    fresh.put("dataKey", newAesKey());
                    fresh.put("indexKey", newAesKey());
                    Path tmp = Files.createTempFile(dir, "dev-keys", ".tmp");
                    try {
                        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                    } catch (UnsupportedOperationException ignored) {
                        // not a POSIX file system
                    }
                    Files.writeString(tmp, JSON.writeValueAsString(fresh));
                    try {
                        // a hard link is created atomically and never replaces: a parallel start keeps the winner
                        Files.createLink(file, tmp);
                    } catch (FileAlreadyExistsException raced) {
                        // another instance created them first
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
                Map<?, ?> keys = JSON.readValue(Files.readString(file), Map.class);
                return new DevKeys(file, (String) keys.get("jwks"), (String) keys.get("jwtKid"),
                        (String) keys.get("dataKid"), (String) keys.get("dataKey"), (String) keys.get("indexKey"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot create development keys under " + dir, e);
            }
        }
    }
}
