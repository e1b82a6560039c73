package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Encrypted rows in PostgreSQL survive a data-key rotation: a new primary key is added, the re-encryptor moves every
 * declared column to it, rows read back; ciphertexts moved to another row do not decrypt. The test rotates back
 * at the end so the shared test database stays readable with the test keys.
 */
class ReEncryptionTest extends HubIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    TransactionTemplate tx;
    @Autowired
    HubSecrets secrets;
    @Autowired
    FieldCrypto appCrypto;
    @Autowired
    List<EncryptedColumn> columns;

    @Test
    void rowsReadBackAfterRotationAndReEncryption() {
        String email = "rot-" + UUID.randomUUID() + "@skyyrose.test";
        TestHttp.Reply created = http().postJson("/api/v1/users", "{\"email\":\"" + email
                + "\",\"password\":\"rotation passphrase\",\"role\":\"viewer\"}", TestAuth.admin(http()));
        assertThat(created.status()).isEqualTo(201);
        String userId = created.json().get("id").asText();
        String credential = "woocommerce-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(http().send(http().request("/api/v1/credentials/" + credential)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"secret\":\"cs_live_abc\"}"))
                .header("Content-Type", "application/json").header("Authorization", TestAuth.admin(http())[1])
                .build()).status()).isEqualTo(204);
        String stored = jdbc.queryForObject("SELECT secret_enc FROM hub_credential WHERE name = ?", String.class,
                credential);
        assertThat(stored).startsWith("v1:" + secrets.primaryDataKid() + ":").doesNotContain("cs_live_abc");
        assertThat(jdbc.queryForObject("SELECT email_enc FROM hub_user WHERE id = ?::uuid", String.class, userId))
                .doesNotContain(email);

        Map<String, byte[]> keys = new LinkedHashMap<>(secrets.dataKeys());
        keys.put("rot2", Base64.getDecoder().decode(HubSecrets.newAesKey()));
        FieldCrypto rotated = new FieldCrypto(new HubSecrets(secrets.jwtKeys(), secrets.signingKid(), keys, "rot2",
                secrets.indexKey(), false));
        FieldCrypto back = new FieldCrypto(new HubSecrets(secrets.jwtKeys(), secrets.signingKid(), keys,
                secrets.primaryDataKid(), secrets.indexKey(), false));
        try {
            Map<String, Integer> moved = new ReEncryptor(jdbc, tx, rotated, columns).reEncryptAll();
            assertThat(moved.get("hub_user.email_enc")).isPositive();
            assertThat(moved.get("hub_credential.secret_enc")).isPositive();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM hub_user WHERE email_enc NOT LIKE 'v1:rot2:%'",
                    Integer.class)).isZero();
            String userCipher = jdbc.queryForObject("SELECT email_enc FROM hub_user WHERE id = ?::uuid", String.class,
                    userId);
            assertThat(rotated.decrypt(userCipher, FieldCrypto.aad("hub_user", "email_enc", userId)))
                    .isEqualTo(UserService.normaliseEmail(email));
            assertThat(new CredentialStore(jdbc, rotated).get(credential)).isEqualTo("cs_live_abc");
            // the app's crypto (old key only) cannot read rows under the new key: they really moved
            assertThatThrownBy(() -> appCrypto.decrypt(userCipher, FieldCrypto.aad("hub_user", "email_enc", userId)))
                    .isInstanceOf(FieldCrypto.CryptoException.class);
            // a ciphertext copied onto another row does not decrypt there
            String adminId = jdbc.queryForObject("SELECT id::text FROM hub_user WHERE id <> ?::uuid LIMIT 1",
                    String.class, userId);
            assertThatThrownBy(() -> rotated.decrypt(userCipher, FieldCrypto.aad("hub_user", "email_enc", adminId)))
                    .isInstanceOf(FieldCrypto.CryptoException.class);
            assertThat(new ReEncryptor(jdbc, tx, rotated, columns).reEncryptAll().values())
                    .as("nothing left to move").allMatch(n -> n == 0);
        } finally {
            new ReEncryptor(jdbc, tx, back, columns).reEncryptAll();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM hub_user WHERE email_enc NOT LIKE ?", Integer.class,
                "v1:" + secrets.primaryDataKid() + ":%")).isZero();
        TestHttp.Reply user = http().get("/api/v1/users/" + userId, TestAuth.admin(http()));
        assertThat(user.status()).isEqualTo(200);
        assertThat(user.json().get("email").asText()).isEqualTo(UserService.normaliseEmail(email));
        TestHttp.Reply endpoint = http().postJson("/api/v1/admin/re-encrypt", "", TestAuth.admin(http()));
        assertThat(endpoint.status()).isEqualTo(200);
        assertThat(endpoint.json().at("/reEncrypted/hub_user.email_enc").asInt()).isZero();
        assertThat(http().get("/api/v1/credentials", TestAuth.admin(http())).body()).contains(credential)
                .doesNotContain("cs_live_abc");
    }
}
