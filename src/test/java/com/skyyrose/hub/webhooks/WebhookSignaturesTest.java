package com.skyyrose.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class WebhookSignaturesTest {

    private static final byte[] BODY = "{\"id\":1,\"url\":\"https:\\/\\/x\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void entityDecodingFollowsPhpHtmlEntityDecode() {
        assertThat(WebhookSignatures.htmlEntityDecode("a&amp;b&lt;c&gt;&quot;&#39;&#x41;")).isEqualTo("a&b<c>\"'A");
        // incomplete or unknown entities stay as typed (PHP needs the ';')
        assertThat(WebhookSignatures.htmlEntityDecode("a&b<c&copy x&nosuch;")).isEqualTo("a&b<c&copy x&nosuch;");
    }

    @Test
    void verifiesBase64HexAndPrefixedSignaturesOnly() {
        byte[] key = "k&<".getBytes(StandardCharsets.UTF_8);
        byte[] mac = WebhookSignatures.hmacSha256(key, BODY);
        String b64 = java.util.Base64.getEncoder().encodeToString(mac);
        assertThat(WebhookSignatures.verify(key, BODY, b64)).isTrue();
        assertThat(WebhookSignatures.verify(key, BODY, HexFormat.of().formatHex(mac))).isTrue();
        assertThat(WebhookSignatures.verify(key, BODY, "sha256=" + HexFormat.of().formatHex(mac))).isTrue();
        assertThat(WebhookSignatures.verify(key, BODY, null)).isFalse();
        assertThat(WebhookSignatures.verify(key, BODY, "")).isFalse();
        assertThat(WebhookSignatures.verify(key, BODY, "%%%")).isFalse();
        assertThat(WebhookSignatures.verify("other".getBytes(StandardCharsets.UTF_8), BODY, b64)).isFalse();
        byte[] tampered = BODY.clone();
        tampered[5] = '2';
        assertThat(WebhookSignatures.verify(key, tampered, b64)).isFalse();
        assertThat(WebhookSignatures.wooCommerceSignature("k&amp;&lt;", BODY)).isEqualTo(b64);
    }

    @Test
    void dedupeKeyUsesModificationTimeOrBodyHashAndNeverTheTopic() {
        String sha = WebhookSignatures.sha256Hex(BODY);
        assertThat(WebhookIntake.dedupeKey("s", "order", "7", "2026-01-01T00:00:00", sha))
                .isEqualTo("s|order|7|2026-01-01T00:00:00");
        assertThat(WebhookIntake.dedupeKey("s", "order", "7", null, sha)).isEqualTo("s|sha256:" + sha);
        assertThat(WebhookIntake.dedupeKey("s", "customer", "7", null, sha)).as("whatever the headers say")
                .isEqualTo(WebhookIntake.dedupeKey("s", "order", "7", null, sha));
    }

    @Test
    void wordPressTopicsAreNormalised() {
        assertThat(WebhookIntake.normaliseWordPressTopic("post_update", "post")).isEqualTo("post.updated");
        assertThat(WebhookIntake.normaliseWordPressTopic("post_create", null)).isEqualTo("post.created");
        assertThat(WebhookIntake.normaliseWordPressTopic("trash", "page")).isEqualTo("page.deleted");
        assertThat(WebhookIntake.normaliseWordPressTopic(null, "page")).isEqualTo("page.updated");
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndIsCapped() {
        WebhookProperties p = new WebhookProperties();
        p.setBackoffBase(Duration.ofSeconds(5));
        p.setBackoffMax(Duration.ofMinutes(1));
        WebhookWorker worker = new WebhookWorker(null, p, null, null, null, null, null);
        for (int i = 0; i < 50; i++) {
            assertThat(worker.backoff(1).toMillis()).isBetween(2500L, 5000L);
            assertThat(worker.backoff(3).toMillis()).isBetween(10_000L, 20_000L);
            assertThat(worker.backoff(20).toMillis()).isBetween(30_000L, 60_000L);
        }
    }
}
