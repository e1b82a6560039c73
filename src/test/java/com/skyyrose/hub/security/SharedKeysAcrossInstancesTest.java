package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hubs on one database, each with its own data folder and no key variables set (how a new user tries it):
 * they share the database's keys, so a token from A is accepted by B and the admin A created signs in on B.
 */
class SharedKeysAcrossInstancesTest {

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    /** Settings of a hub on the shared database with every explicit key variable blank. */
    private static String[] settings(String database, Path dataDir, String... more) {
        List<String> all = new ArrayList<>(List.of("DATABASE_URL=" + database,
                "REDIS_URL=" + System.getenv().getOrDefault("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
                "HUB_DATA_DIR=" + dataDir, "HUB_ROUTES_RELOAD=false", "HUB_ENV=development",
                "HUB_JWT_KEYS=", "HUB_JWT_SIGNING_KID=", "HUB_ENCRYPTION_KEYS=", "HUB_ENCRYPTION_PRIMARY_KID=",
                "HUB_INDEX_KEY="));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void developmentInstancesOnOneDatabaseShareItsKeys() {
        String database = HubIntegrationTest.freshDatabase("sharedkeys");
        try (RunningHub a = RunningHub.start(settings(database, dataA));
                RunningHub b = RunningHub.start(settings(database, dataB,
                        // only A creates the first administrator
                        "HUB_ADMIN_EMAIL=", "HUB_ADMIN_PASSWORD="))) {
            assertTokensAndAccountsCross(a, b);
            var rotate = a.http().post("/api/v1/admin/jwt-keys/rotate", "application/json", "",
                    TestAuth.bearer(TestAuth.login(a.http(), TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD)
                            .get("access_token").asText()));
            assertThat(rotate.status()).as("development keys are not rotated through the API").isEqualTo(409);
            assertThat(dataA.resolve("secrets")).as("no keys per data folder").doesNotExist();
            assertThat(dataB.resolve("secrets")).doesNotExist();
        }
    }

    @Test
    void masterKeyInstancesOnOneDatabaseShareTheStoredJwtKeyset() {
        String database = HubIntegrationTest.freshDatabase("masterkeys");
        String masterKey = "HUB_MASTER_KEY=" + HubSecrets.newAesKey();
        try (RunningHub a = RunningHub.start(settings(database, dataA, masterKey));
                RunningHub b = RunningHub.start(settings(database, dataB, masterKey,
                        "HUB_ADMIN_EMAIL=", "HUB_ADMIN_PASSWORD="))) {
            assertTokensAndAccountsCross(a, b);
            String stored = a.context().getBean(org.springframework.jdbc.core.JdbcTemplate.class)
                    .queryForObject("SELECT material FROM hub_keyring WHERE name = 'jwt-keys'", String.class);
            assertThat(stored).as("encrypted under the master key").startsWith("v1:").doesNotContain("\"d\"");

            // rotation through the API: A signs with the new key at once, B accepts it at once, old tokens stay valid
            String oldToken = TestAuth.login(a.http(), TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD)
                    .get("access_token").asText();
            String oldKid = kid(oldToken);
            var rotated = a.http().post("/api/v1/admin/jwt-keys/rotate", "application/json", "",
                    TestAuth.bearer(oldToken));
            assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
            String newKid = rotated.json().get("signingKid").asText();
            assertThat(newKid).isNotEqualTo(oldKid);
            assertThat(rotated.json().get("keyIds").toString()).contains(newKid, oldKid);
            String newToken = TestAuth.login(a.http(), TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD)
                    .get("access_token").asText();
            assertThat(kid(newToken)).isEqualTo(newKid);
            assertThat(b.http().get("/api/v1/auth/me", TestAuth.bearer(newToken)).status())
                    .as("B accepts a token signed with the key A just made").isEqualTo(200);
            assertThat(b.http().get("/api/v1/auth/me", TestAuth.bearer(oldToken)).status())
                    .as("tokens signed before the rotation stay valid").isEqualTo(200);
            // B has taken the new keyset over: it signs with the new key too
            String fromB = TestAuth.login(b.http(), TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD)
                    .get("access_token").asText();
            assertThat(kid(fromB)).isEqualTo(newKid);
            assertThat(a.context().getBean(org.springframework.jdbc.core.JdbcTemplate.class)
                    .queryForObject("SELECT material FROM hub_keyring WHERE name = 'jwt-keys'", String.class))
                    .isNotEqualTo(stored).startsWith("v1:");
        }
    }

    private static String kid(String jwt) {
        try {
            return com.nimbusds.jwt.SignedJWT.parse(jwt).getHeader().getKeyID();
        } catch (java.text.ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertTokensAndAccountsCross(RunningHub a, RunningHub b) {
        JsonNode onA = TestAuth.login(a.http(), TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        String[] bearer = TestAuth.bearer(onA.get("access_token").asText());
        assertThat(a.http().get("/api/v1/auth/me", bearer).status()).isEqualTo(200);
        var me = b.http().get("/api/v1/auth/me", bearer);
        assertThat(me.status()).as("A's token on B: " + me.body()).isEqualTo(200);
        // B finds the account A created (same index key) and reads its encrypted e-mail (same data key)
        JsonNode onB = TestAuth.login(b.http(), TestAuth.ADMIN_EMAIL, TestAuth.ADMIN_PASSWORD);
        var meOnB = b.http().get("/api/v1/auth/me", TestAuth.bearer(onB.get("access_token").asText()));
        assertThat(meOnB.status()).isEqualTo(200);
        assertThat(meOnB.body()).contains(TestAuth.ADMIN_EMAIL);
    }
}
