package com.skyyrose.hub.security;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Rotation of the JWT signing key kept in the database ({@code POST /api/v1/admin/jwt-keys/rotate}): a new EC P-256
 * key is added to the stored keyset and signs from then on; the previous keys keep verifying (the newest
 * {@link #KEPT} stay), so nobody is signed out. Every instance picks the new keyset up — at once when a token names
 * a key it does not know, otherwise within {@code refreshEvery}. Keys from {@code HUB_JWT_KEYS} rotate by editing
 * that variable instead.
 */
public final class JwtKeyRotation implements DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(JwtKeyRotation.class);
    /** Keys kept in the set: the signing key and the ones before it (tokens live 15 minutes). */
    static final int KEPT = 3;
    private static final long MIN_RELOAD_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final TokenService tokens;
    private final Keyring keyring;
    private final MasterKey master;
    private final ScheduledExecutorService refresher;
    private volatile String lastMaterial;
    /** When a token with an unknown key last made this instance look (System.nanoTime; may be negative). */
    private volatile long lastLookForUnknownKey = System.nanoTime() - 2 * MIN_RELOAD_GAP_NANOS;

    public JwtKeyRotation(TokenService tokens, Keyring keyring, HubSecrets secrets, Duration refreshEvery) {
        this.tokens = tokens;
        this.keyring = keyring;
        this.master = secrets.storedJwtKeysUnder();
        if (master == null) {
            this.refresher = null;
            return;
        }
        this.lastMaterial = keyring.get(HubSecrets.JWT_ENTRY).orElse(null);
        tokens.onUnknownKey(this::reloadSoon);
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jwt-keyset-refresh");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, refreshEvery.toMillis());
        refresher.scheduleWithFixedDelay(this::reloadQuietly, period, period, TimeUnit.MILLISECONDS);
    }

    /** Adds a new signing key to the stored keyset and signs with it; returns the new kid and the kept ones. */
    public Map<String, Object> rotate() {
        if (master == null) {
            throw new ProblemException(ProblemType.CONFLICT, 409, "The JWT keys are not stored by the hub: they come "
                    + "from HUB_JWT_KEYS (rotate by adding a key there and pointing HUB_JWT_SIGNING_KID at it) or are "
                    + "development keys (set HUB_MASTER_KEY).");
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            String sealed = keyring.get(HubSecrets.JWT_ENTRY).orElseThrow();
            HubSecrets.StoredJwtKeys current = HubSecrets.StoredJwtKeys.parse(master.open(HubSecrets.JWT_ENTRY, sealed));
            String kid = "m-" + UUID.randomUUID().toString().substring(0, 8);
            List<JWK> keys = new ArrayList<>();
            keys.add(HubSecrets.newJwtKey(kid));
            current.keys().getKeys().stream().limit(KEPT - 1).forEach(keys::add);
            HubSecrets.StoredJwtKeys next = new HubSecrets.StoredJwtKeys(new JWKSet(keys), kid);
            String nextSealed = master.seal(HubSecrets.JWT_ENTRY, next.toJson());
            // compare-and-set: two rotations at once do not lose each other's key
            if (keyring.replace(HubSecrets.JWT_ENTRY, sealed, nextSealed)) {
                apply(nextSealed, next);
                LOG.info("JWT signing key rotated to {} (verifying with {})", kid, keyIds(next.keys()));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("signingKid", kid);
                out.put("keyIds", keyIds(next.keys()));
                return out;
            }
        }
        throw new ProblemException(ProblemType.CONFLICT, 409, "The keyset changed during the rotation; try again.");
    }

    /** Reads the stored keyset and uses it if it changed (another instance rotated). */
    public synchronized void reload() {
        if (master == null) {
            return;
        }
        String sealed = keyring.get(HubSecrets.JWT_ENTRY).orElse(null);
        if (sealed != null && !sealed.equals(lastMaterial)) {
            HubSecrets.StoredJwtKeys stored = HubSecrets.StoredJwtKeys.parse(master.open(HubSecrets.JWT_ENTRY, sealed));
            apply(sealed, stored);
            LOG.info("JWT keyset reloaded from the database: signing key {}", stored.signingKid());
        }
    }

    private synchronized void apply(String sealed, HubSecrets.StoredJwtKeys keys) {
        tokens.useKeys(keys.keys(), keys.signingKid());
        lastMaterial = sealed;
    }

    /** A token named an unknown key: look in the database, at most once a second (a forged kid costs nothing). */
    private void reloadSoon() {
        long now = System.nanoTime();
        if (now - lastLookForUnknownKey > MIN_RELOAD_GAP_NANOS) {
            lastLookForUnknownKey = now;
            reloadQuietly();
        }
    }

    private void reloadQuietly() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.warn("Could not reload the JWT keyset: {}", e.toString());
        }
    }

    private static List<String> keyIds(JWKSet set) {
        return set.getKeys().stream().map(JWK::getKeyID).toList();
    }

    @Override
    public void destroy() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
