package com.skyyrose.hub.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AES-256-GCM framing and AAD binding, JWT key rotation, and the production secrets rule (no servers needed). */
class CryptoAndKeysTest {

    @TempDir
    Path dataDir;

    private static HubSecrets secrets(JWKSet jwks, String kid, Map<String, byte[]> data, String primary) {
        return new HubSecrets(jwks, kid, data, primary, new byte[32], false);
    }

    private static byte[] aes() {
        return Base64.getDecoder().decode(HubSecrets.newAesKey());
    }

    @Test
    void encryptsWithRandomNoncesAndKeyIdAndBindsTableColumnRow() {
        JWKSet jwks = new JWKSet(HubSecrets.newJwtKey("j1"));
        FieldCrypto crypto = new FieldCrypto(secrets(jwks, "j1", Map.of("a", aes()), "a"));
        byte[] aad = FieldCrypto.aad("hub_user", "email_enc", "row-1");
        String one = crypto.encrypt("jane@example.com", aad);
        String two = crypto.encrypt("jane@example.com", aad);
        assertThat(one).startsWith("v1:a:").isNotEqualTo(two).doesNotContain("jane");
        assertThat(Base64.getDecoder().decode(one.substring(5))).hasSize(12 + "jane@example.com".length() + 16);
        assertThat(crypto.decrypt(one, aad)).isEqualTo("jane@example.com");

        assertThatThrownBy(() -> crypto.decrypt(one, FieldCrypto.aad("hub_user", "email_enc", "row-2")))
                .as("moved to another row").isInstanceOf(FieldCrypto.CryptoException.class);
        assertThatThrownBy(() -> crypto.decrypt(one, FieldCrypto.aad("hub_credential", "email_enc", "row-1")))
                .as("moved to another table").isInstanceOf(FieldCrypto.CryptoException.class);
        byte[] raw = Base64.getDecoder().decode(one.substring(5));
        raw[15] ^= 1;
        String tampered = "v1:a:" + Base64.getEncoder().encodeToString(raw);
        assertThatThrownBy(() -> crypto.decrypt(tampered, aad)).as("tampered")
                .isInstanceOf(FieldCrypto.CryptoException.class);
        assertThatThrownBy(() -> crypto.decrypt("v1:zz:" + one.substring(5), aad)).as("unknown key id")
                .isInstanceOf(FieldCrypto.CryptoException.class);
    }

    @Test
    void oldDataKeysStillDecryptAfterANewPrimary() {
        JWKSet jwks = new JWKSet(HubSecrets.newJwtKey("j1"));
        byte[] a = aes();
        byte[] b = aes();
        FieldCrypto before = new FieldCrypto(secrets(jwks, "j1", Map.of("a", a), "a"));
        byte[] aad = FieldCrypto.aad("t", "c", 1);
        String old = before.encrypt("secret", aad);
        Map<String, byte[]> both = new LinkedHashMap<>();
        both.put("b", b);
        both.put("a", a);
        FieldCrypto after = new FieldCrypto(secrets(jwks, "j1", both, "b"));
        assertThat(after.decrypt(old, aad)).isEqualTo("secret");
        assertThat(after.encrypt("secret", aad)).startsWith("v1:b:");
    }

    @Test
    void tokensSignedByTheOldKeyVerifyAfterANewKeyBecomesPrimary() {
        var k1 = HubSecrets.newJwtKey("k1");
        var k2 = HubSecrets.newJwtKey("k2");
        Map<String, byte[]> data = Map.of("a", aes());
        TokenService old = new TokenService(secrets(new JWKSet(k1), "k1", data, "a"), "iss", "aud",
                Duration.ofMinutes(15), 0);
        String oldToken = old.issue("user-1", "session-1");
        TokenService rotated = new TokenService(secrets(new JWKSet(List.of(k2, k1)), "k2", data, "a"), "iss", "aud",
                Duration.ofMinutes(15), 0);
        assertThat(rotated.verify(oldToken).subject()).isEqualTo("user-1");
        String newToken = rotated.issue("user-2", "session-2");
        assertThat(newToken).isNotEqualTo(oldToken);
        assertThat(rotated.verify(newToken).sessionId()).isEqualTo("session-2");
        // once the old key is removed from the set, its tokens stop verifying
        TokenService retired = new TokenService(secrets(new JWKSet(k2), "k2", data, "a"), "iss", "aud",
                Duration.ofMinutes(15), 0);
        assertThatThrownBy(() -> retired.verify(oldToken)).isInstanceOf(TokenService.InvalidTokenException.class);
        assertThat(old.verify(oldToken).subject()).isEqualTo("user-1");
        assertThatThrownBy(() -> old.verify(newToken)).as("unknown kid")
                .isInstanceOf(TokenService.InvalidTokenException.class);
    }

    @Test
    void aVerifiedTokenIsRememberedOnlyUntilItExpiresAndOnlyByItsExactBytes() throws Exception {
        var k1 = HubSecrets.newJwtKey("k1");
        TokenService tokens = new TokenService(secrets(new JWKSet(k1), "k1", Map.of("a", aes()), "a"), "iss", "aud",
                Duration.ofSeconds(1), 0);
        String token = tokens.issue("user-1", "session-1");
        assertThat(tokens.verify(token).subject()).isEqualTo("user-1");
        assertThat(tokens.verify(token).subject()).as("from the cache").isEqualTo("user-1");
        // a token differing in one signature character is verified on its own (and fails), not served from the cache
        int last = token.length() - 2;
        String tampered = token.substring(0, last) + (token.charAt(last) == 'A' ? 'B' : 'A') + token.substring(last + 1);
        assertThatThrownBy(() -> tokens.verify(tampered)).isInstanceOf(TokenService.InvalidTokenException.class);
        Thread.sleep(2_100);
        assertThatThrownBy(() -> tokens.verify(token)).as("expired while cached")
                .isInstanceOf(TokenService.InvalidTokenException.class);
    }

    @Test
    void productionRefusesToStartWithoutRealSecrets() {
        assertThatThrownBy(() -> HubSecrets.load(true, dataDir, HubSecrets.Settings.explicit("", "", "", "", ""), null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HUB_JWT_KEYS").hasMessageContaining("HUB_ENCRYPTION_KEYS")
                .hasMessageContaining("HUB_INDEX_KEY");
        assertThat(Files.exists(dataDir.resolve("secrets"))).as("no dev keys in production").isFalse();
        String jwks = new JWKSet(HubSecrets.newJwtKey("p1")).toString(false);
        HubSecrets real = HubSecrets.load(true, dataDir, HubSecrets.Settings.explicit(jwks, "p1",
                "p1:" + HubSecrets.newAesKey(), "p1", HubSecrets.newAesKey()), null);
        assertThat(real.signingKid()).isEqualTo("p1");
        assertThatThrownBy(() -> HubSecrets.load(true, dataDir, HubSecrets.Settings.explicit(jwks, "p1",
                "p1:c2hvcnQ=", "p1", HubSecrets.newAesKey()), null)).hasMessageContaining("32 bytes");
    }
}
