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
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Or, simpler, one secret: {@code HUB_MASTER_KEY}, from which the data and index keys are derived and under
 * which the JWT signing keyset is stored in the database (see {@link #load}). The rule: in production
 * ({@code HUB_ENV=production}, or on Render, which sets {@code RENDER}) either the master key or all three explicit
 * variables must be set, or the hub refuses to start. Elsewhere a missing one is replaced by a development key
 * generated once per database and kept in it, and the hub says so in the log. Keys that belong to the data live
 * with the data: instances sharing a database share its keys.
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
    /** Set when the JWT keyset is the one stored in the database under this master key (it can be rotated). */
    private MasterKey storedJwtKeysUnder;

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

    /** The key settings as configured (blank = not set). */
    public record Settings(String jwtKeys, String signingKid, String encryptionKeys, String primaryKid,
            String indexKey, String masterKey, int dataKeyGeneration) {

        /** Only the explicit key variables, as before HUB_MASTER_KEY existed. */
        public static Settings explicit(String jwtKeys, String signingKid, String encryptionKeys, String primaryKid,
                String indexKey) {
            return new Settings(jwtKeys, signingKid, encryptionKeys, primaryKid, indexKey, "", 1);
        }
    }

    static final String JWT_ENTRY = "jwt-keys";
    static final String DEVELOPMENT_ENTRY = "development-keys";

    /**
     * Resolves the keys, each explicit variable first: then, with {@code HUB_MASTER_KEY}, data keys {@code m1..mN}
     * and the index key derived from it and the JWT keyset from the database (generated on first start, stored
     * encrypted under it); without it, in development only, one generated set kept in the database, so that every
     * instance on the database shares it. Production without a master key needs all three explicit variables.
     */
    public static HubSecrets load(boolean production, Path dataDir, Settings s, Keyring keyring) {
        boolean jwtSet = !blank(s.jwtKeys());
        boolean dataSet = !blank(s.encryptionKeys());
        boolean indexSet = !blank(s.indexKey());
        boolean masterSet = !blank(s.masterKey());
        if (production && !masterSet && !(jwtSet && dataSet && indexSet)) {
            throw new IllegalStateException("Refusing to start in production without real secrets: set HUB_MASTER_KEY"
                    + " (base64, >= 32 bytes), or all of " + (jwtSet ? "" : "HUB_JWT_KEYS ")
                    + (dataSet ? "" : "HUB_ENCRYPTION_KEYS ") + (indexSet ? "" : "HUB_INDEX_KEY ")
                    + "(see the README, 'Secrets').");
        }
        try {
            if (masterSet) {
                return fromMasterKey(production, MasterKey.parse(s.masterKey()), s, keyring);
            }
            DevKeys dev = jwtSet && dataSet && indexSet ? null : DevKeys.loadOrCreate(keyring, dataDir);
            JWKSet jwks = jwtSet ? JWKSet.parse(s.jwtKeys().trim()) : JWKSet.parse(dev.jwks);
            String kid = !blank(s.signingKid()) ? s.signingKid().trim()
                    : jwtSet ? jwks.getKeys().get(0).getKeyID() : dev.jwtKid;
            Map<String, byte[]> data = dataSet ? parseDataKeys(s.encryptionKeys())
                    : Map.of(dev.dataKid, decode(dev.dataKey));
            String primary = !blank(s.primaryKid()) ? s.primaryKid().trim()
                    : dataSet ? data.keySet().iterator().next() : dev.dataKid;
            byte[] index = indexSet ? decode(s.indexKey().trim()) : decode(dev.indexKey);
            if (dev != null) {
                LOG.warn("Using DEVELOPMENT keys kept in this database (hub_keyring '{}') for {}{}{}— never use them "
                        + "in production (HUB_ENV=production needs HUB_MASTER_KEY)", DEVELOPMENT_ENTRY,
                        jwtSet ? "" : "JWT signing ", dataSet ? "" : "data encryption ", indexSet ? "" : "lookup hashes ");
            }
            return new HubSecrets(jwks, kid, data, primary, index, production);
        } catch (ParseException e) {
            throw new IllegalStateException("HUB_JWT_KEYS is not a valid JWK Set", e);
        }
    }

    /** Data keys m1..mN (plus explicit ones, which still decrypt), index key and the stored JWT keyset. */
    private static HubSecrets fromMasterKey(boolean production, MasterKey master, Settings s, Keyring keyring)
            throws ParseException {
        if (s.dataKeyGeneration() < 1) {
            throw new IllegalStateException("HUB_ENCRYPTION_KEY_GENERATION must be 1 or more");
        }
        Map<String, byte[]> data = new LinkedHashMap<>();
        if (!blank(s.encryptionKeys())) {
            data.putAll(parseDataKeys(s.encryptionKeys()));
        }
        for (int generation = 1; generation <= s.dataKeyGeneration(); generation++) {
            data.put("m" + generation, master.dataKey(generation));
        }
        String primary = !blank(s.primaryKid()) ? s.primaryKid().trim() : "m" + s.dataKeyGeneration();
        byte[] index = !blank(s.indexKey()) ? decode(s.indexKey().trim()) : master.indexKey();
        JWKSet jwks;
        String kid;
        if (!blank(s.jwtKeys())) {
            jwks = JWKSet.parse(s.jwtKeys().trim());
            kid = !blank(s.signingKid()) ? s.signingKid().trim() : jwks.getKeys().get(0).getKeyID();
        } else {
            StoredJwtKeys stored = StoredJwtKeys.loadOrCreate(master, keyring);
            jwks = stored.keys();
            kid = !blank(s.signingKid()) ? s.signingKid().trim() : stored.signingKid();
        }
        LOG.info("Keys from HUB_MASTER_KEY: data key {} encrypts (known: {}), JWT signing key {}{}", primary,
                data.keySet(), kid, blank(s.jwtKeys()) ? " (stored encrypted in the database)" : " (HUB_JWT_KEYS)");
        HubSecrets secrets = new HubSecrets(jwks, kid, data, primary, index, production);
        if (blank(s.jwtKeys()) && blank(s.signingKid())) {
            secrets.storedJwtKeysUnder = master;
        }
        return secrets;
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

    /** The master key the JWT keyset is stored under, or null when it comes from HUB_JWT_KEYS or development keys. */
    MasterKey storedJwtKeysUnder() {
        return storedJwtKeysUnder;
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

    /**
     * Prints fresh production secrets: {@code java -cp devskyy-hub.jar ... HubSecrets}. HUB_MASTER_KEY alone is
     * enough; the explicit set is for deployments that manage each key themselves.
     */
    public static void main(String[] args) {
        System.out.println("HUB_MASTER_KEY=" + newAesKey());
        System.out.println("# or, instead, every key on its own:");
        String kid = "k" + System.currentTimeMillis() / 1000;
        System.out.println("HUB_JWT_KEYS=" + new JWKSet(List.of(newJwtKey(kid))).toString(false));
        System.out.println("HUB_JWT_SIGNING_KID=" + kid);
        System.out.println("HUB_ENCRYPTION_KEYS=" + kid + ":" + newAesKey());
        System.out.println("HUB_ENCRYPTION_PRIMARY_KID=" + kid);
        System.out.println("HUB_INDEX_KEY=" + newAesKey());
    }

    /**
     * The JWT signing keyset kept in the database, encrypted under the master key: generated on the first start,
     * read by every later one and by every other instance on the database.
     */
    record StoredJwtKeys(JWKSet keys, String signingKid) {
        // package-private: JwtKeyRotation writes new versions

        static StoredJwtKeys loadOrCreate(MasterKey master, Keyring keyring) {
            String sealed = keyring.getOrCreate(JWT_ENTRY, () -> {
                String kid = "m-" + UUID.randomUUID().toString().substring(0, 8);
                return master.seal(JWT_ENTRY, new StoredJwtKeys(new JWKSet(newJwtKey(kid)), kid).toJson());
            });
            return parse(master.open(JWT_ENTRY, sealed));
        }

        static StoredJwtKeys parse(String json) {
            try {
                Map<?, ?> map = JSON.readValue(json, Map.class);
                return new StoredJwtKeys(JWKSet.parse((String) map.get("jwks")), (String) map.get("signingKid"));
            } catch (IOException | ParseException e) {
                throw new IllegalStateException("the stored JWT keyset is unreadable", e);
            }
        }

        String toJson() {
            try {
                return JSON.writeValueAsString(Map.of("jwks", keys.toString(false), "signingKid", signingKid));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Development keys, generated once per database and kept there (hub_keyring 'development-keys'), so that all
     * instances on a database agree. A data folder that still holds keys of an earlier version
     * ({@code secrets/dev-keys.json}) hands them over on the first start, so its data stays readable.
     */
    private record DevKeys(String jwks, String jwtKid, String dataKid, String dataKey, String indexKey) {

        static DevKeys loadOrCreate(Keyring keyring, Path dataDir) {
            if (keyring == null) {
                throw new IllegalStateException("development keys live in the database, and there is none");
            }
            String json = keyring.getOrCreate(DEVELOPMENT_ENTRY, () -> earlierOrFresh(dataDir));
            try {
                Map<?, ?> keys = JSON.readValue(json, Map.class);
                return new DevKeys((String) keys.get("jwks"), (String) keys.get("jwtKid"),
                        (String) keys.get("dataKid"), (String) keys.get("dataKey"), (String) keys.get("indexKey"));
            } catch (IOException e) {
                throw new IllegalStateException("the stored development keys are unreadable", e);
            }
        }

        private static String earlierOrFresh(Path dataDir) {
            try {
                Path earlier = dataDir == null ? null : dataDir.resolve("secrets/dev-keys.json");
                if (earlier != null && Files.isReadable(earlier)) {
                    LOG.info("Moving the development keys of {} into the database", earlier);
                    return Files.readString(earlier);
                }
                String kid = "dev-" + UUID.randomUUID().toString().substring(0, 8);
                Map<String, String> fresh = new LinkedHashMap<>();
                fresh.put("jwks", new JWKSet(List.of(newJwtKey(kid))).toString(false));
                fresh.put("jwtKid", kid);
                fresh.put("dataKid", kid);
                fresh.put("dataKey", newAesKey());
                fresh.put("indexKey", newAesKey());
                return JSON.writeValueAsString(fresh);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create development keys", e);
            }
        }
    }
}
