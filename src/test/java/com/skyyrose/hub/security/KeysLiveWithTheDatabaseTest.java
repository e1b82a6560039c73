package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.skyyrose.hub.platform.DatabaseUrl;
import com.skyyrose.hub.support.HubIntegrationTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Keys that belong to the data live with the data (hub_keyring in PostgreSQL): two "instances" are two loads with
 * different data folders against one real database.
 */
class KeysLiveWithTheDatabaseTest {

    private static final String NOTHING = "";

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    private SingleConnectionDataSource dataSource;
    private Keyring keyring;
    private JdbcTemplate jdbc;

    @BeforeEach
    void freshDatabaseWithKeyringTable() throws Exception {
        DatabaseUrl db = DatabaseUrl.parse(HubIntegrationTest.freshDatabase("keyring"));
        dataSource = new SingleConnectionDataSource(db.jdbcUrl(), db.username(), db.password(), true);
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute(new ClassPathResource("db/migration/V120__hub_keyring.sql").getContentAsString(
                java.nio.charset.StandardCharsets.UTF_8));
        keyring = new Keyring(jdbc);
    }

    @AfterEach
    void close() {
        dataSource.destroy();
    }

    private static HubSecrets.Settings none() {
        return HubSecrets.Settings.explicit(NOTHING, NOTHING, NOTHING, NOTHING, NOTHING);
    }

    private static HubSecrets.Settings master(String key, int generation) {
        return new HubSecrets.Settings(NOTHING, NOTHING, NOTHING, NOTHING, NOTHING, key, generation);
    }

    private static TokenService tokens(HubSecrets secrets) {
        return new TokenService(secrets, "https://hub.test", "hub", Duration.ofMinutes(5), 0);
    }

    @Test
    void developmentKeysAreGeneratedOncePerDatabaseAndSharedByEveryInstance() {
        HubSecrets a = HubSecrets.load(false, dataA, none(), keyring);
        HubSecrets b = HubSecrets.load(false, dataB, none(), keyring);
        assertThat(b.signingKid()).isEqualTo(a.signingKid());
        assertThat(b.indexKey()).isEqualTo(a.indexKey());
        assertThat(b.dataKeys().get(b.primaryDataKid())).isEqualTo(a.dataKeys().get(a.primaryDataKid()));
        // what A encrypts, signs and hashes, B reads, verifies and finds
        byte[] aad = FieldCrypto.aad("hub_user", "email_enc", "u1");
        assertThat(new FieldCrypto(b).decrypt(new FieldCrypto(a).encrypt("ada@skyyrose.test", aad), aad))
                .isEqualTo("ada@skyyrose.test");
        assertThat(tokens(b).verify(tokens(a).issue("u1", "s1")).subject()).isEqualTo("u1");
        assertThat(new FieldCrypto(b).lookupHash("email", "ada@skyyrose.test"))
                .isEqualTo(new FieldCrypto(a).lookupHash("email", "ada@skyyrose.test"));
        assertThat(dataA.resolve("secrets")).as("nothing per data folder").doesNotExist();
        assertThat(dataB.resolve("secrets")).doesNotExist();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM hub_keyring", Integer.class)).isEqualTo(1);
    }

    @Test
    void aDataFolderWithKeysOfAnEarlierVersionHandsThemToTheDatabase() throws Exception {
        String earlierKid = "dev-earlier";
        String earlierIndex = HubSecrets.newAesKey();
        Files.createDirectories(dataA.resolve("secrets"));
        Files.writeString(dataA.resolve("secrets/dev-keys.json"), "{\"jwks\":" + com.fasterxml.jackson.databind
                .node.TextNode.valueOf(new JWKSet(HubSecrets.newJwtKey(earlierKid)).toString(false)) + ",\"jwtKid\":\""
                + earlierKid + "\",\"dataKid\":\"" + earlierKid + "\",\"dataKey\":\"" + HubSecrets.newAesKey()
                + "\",\"indexKey\":\"" + earlierIndex + "\"}");
        HubSecrets a = HubSecrets.load(false, dataA, none(), keyring);
        assertThat(a.signingKid()).isEqualTo(earlierKid);
        assertThat(a.indexKey()).isEqualTo(Base64.getDecoder().decode(earlierIndex));
        // a second instance without that folder gets the same keys from the database
        assertThat(HubSecrets.load(false, dataB, none(), keyring).signingKid()).isEqualTo(earlierKid);
    }

    @Test
    void masterKeyDerivesDataAndIndexKeysAndStoresTheJwtKeysetEncrypted() {
        String key = HubSecrets.newAesKey();
        HubSecrets a = HubSecrets.load(true, dataA, master(key, 1), keyring);
        HubSecrets b = HubSecrets.load(true, dataB, master(key, 1), keyring);
        assertThat(a.primaryDataKid()).isEqualTo("m1");
        assertThat(b.dataKeys().get("m1")).isEqualTo(a.dataKeys().get("m1"));
        assertThat(b.indexKey()).isEqualTo(a.indexKey());
        assertThat(a.indexKey()).as("index and data keys differ").isNotEqualTo(a.dataKeys().get("m1"));
        assertThat(tokens(b).verify(tokens(a).issue("u1", "s1")).subject()).isEqualTo("u1");
        String stored = jdbc.queryForObject("SELECT material FROM hub_keyring WHERE name = 'jwt-keys'", String.class);
        assertThat(stored).startsWith("v1:").doesNotContain("\"d\"").doesNotContain(a.signingKid());
        // a different master key yields different keys and cannot open the stored keyset: refuse, clearly
        assertThat(MasterKey.parse(HubSecrets.newAesKey()).indexKey()).isNotEqualTo(a.indexKey());
        assertThatThrownBy(() -> HubSecrets.load(true, dataA, master(HubSecrets.newAesKey(), 1), keyring))
                .hasMessageContaining("HUB_MASTER_KEY does not open");
        assertThatThrownBy(() -> HubSecrets.load(true, dataA, master("c2hvcnQ=", 1), keyring))
                .hasMessageContaining("at least 32 bytes");
    }

    @Test
    void rotatingTheDerivedDataKeyKeepsOldValuesReadable() {
        String key = HubSecrets.newAesKey();
        HubSecrets first = HubSecrets.load(true, dataA, master(key, 1), keyring);
        byte[] aad = FieldCrypto.aad("hub_credential", "secret_enc", "woo");
        String underM1 = new FieldCrypto(first).encrypt("ck_live", aad);
        HubSecrets rotated = HubSecrets.load(true, dataA, master(key, 2), keyring);
        assertThat(rotated.primaryDataKid()).isEqualTo("m2");
        FieldCrypto crypto = new FieldCrypto(rotated);
        assertThat(crypto.decrypt(underM1, aad)).isEqualTo("ck_live");
        assertThat(FieldCrypto.keyIdOf(crypto.encrypt("ck_live", aad))).isEqualTo("m2");
        assertThat(rotated.signingKid()).as("the JWT keyset is not touched").isEqualTo(first.signingKid());
    }

    @Test
    void explicitKeyVariablesStillWinOverTheMasterKey() {
        String jwks = new JWKSet(HubSecrets.newJwtKey("ops1")).toString(false);
        String index = HubSecrets.newAesKey();
        HubSecrets s = HubSecrets.load(true, dataA, new HubSecrets.Settings(jwks, NOTHING, "ops1:" + HubSecrets.newAesKey(),
                NOTHING, index, HubSecrets.newAesKey(), 1), keyring);
        assertThat(s.signingKid()).isEqualTo("ops1");
        assertThat(s.indexKey()).isEqualTo(Base64.getDecoder().decode(index));
        // explicit data keys keep decrypting; the derived key encrypts (re-encryption moves the rest over)
        assertThat(s.dataKeys()).containsKeys("ops1", "m1");
        assertThat(s.primaryDataKid()).isEqualTo("m1");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM hub_keyring", Integer.class))
                .as("no stored keyset when HUB_JWT_KEYS is set").isZero();
    }

    @Test
    void productionWithoutAMasterKeyOrEveryExplicitKeyRefusesToStart() {
        assertThatThrownBy(() -> HubSecrets.load(true, dataA, none(), keyring))
                .hasMessageContaining("Refusing to start in production").hasMessageContaining("HUB_MASTER_KEY");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM hub_keyring", Integer.class))
                .as("production never generates development keys").isZero();
    }
}
