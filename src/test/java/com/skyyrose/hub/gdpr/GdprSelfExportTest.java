package com.skyyrose.hub.gdpr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import com.skyyrose.hub.webhooks.WooCommerceSender;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * A self-export searches only what the hub knows about the caller's account (reproduced: a viewer naming a shop
 * customer got her address and other principals' prompts about her), and the ZIP's CSV cells are never formulas.
 */
@TestPropertySource(properties = {
        "WOOCOMMERCE_WEBHOOK_SECRET=self-export-secret",
        "HUB_WEBHOOKS_RECONCILE_ENABLED=false",
        "HUB_GDPR_WORKER_INTERVAL=200"
})
class GdprSelfExportTest extends HubIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    GdprExports exports;

    @Test
    void aViewerCannotWidenASelfExportWithNames() {
        String email = "self-" + UUID.randomUUID() + "@example.org";
        String viewerId = createUser(email, "viewer", "Vera Viewer");
        String[] viewer = login(email);
        TestHttp.Reply reply = http().postJson("/api/v1/gdpr/export", "{\"names\":[\"Janet Quimby\"]}", viewer);
        assertThat(reply.status()).as(reply.body()).isEqualTo(403);
        assertThat(reply.contentType()).startsWith("application/problem+json");
        assertThat(reply.body()).contains("names");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM gdpr_export WHERE requested_by = ?", Long.class,
                viewerId)).isZero();
    }

    @Test
    void aSelfExportFollowsTheAccountNotNamesFoundInTheShopsPayloads() {
        String tag = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
        String email = "gift-giver-" + tag + "@example.org";
        String janet = "Janet Quimby" + tag;
        String marker = "about-janet-" + UUID.randomUUID();
        createUser(email, "viewer", "Gina Giver" + tag);
        String[] viewer = login(email);

        // the viewer's order, shipped to Janet as a gift: the payload carries the viewer's e-mail and Janet's name
        long orderId = ThreadLocalRandom.current().nextLong(10_000_000, 90_000_000);
        ObjectNode order = WooCommerceSender.sample("order");
        order.put("id", orderId);
        order.put("customer_id", 0);
        order.put("date_modified_gmt", Instant.now().toString().substring(0, 19));
        ((ObjectNode) order.get("billing")).put("email", email).put("first_name", "Gina")
                .put("last_name", "Giver" + tag);
        ((ObjectNode) order.get("shipping")).put("first_name", "Janet").put("last_name", "Quimby" + tag);
        TestHttp.Reply delivered = new WooCommerceSender(http(), "self-export-secret").deliver("default",
                "order.created", WooCommerceSender.wpJson(order));
        assertThat(delivered.status()).as(delivered.body()).isEqualTo(200);
        // another principal's prompt about Janet (not about the viewer)
        TestHttp.Reply round = http().postJson("/api/v1/round-table/query", "{\"prompt\":\"Write a card for "
                + janet + " (" + marker + ")\"}", TestAuth.admin(http()));
        assertThat(round.status()).as(round.body()).isEqualTo(200);
        awaitTrue(() -> jdbc.queryForObject("SELECT count(*) FROM webhook_event WHERE resource_id = ?", Long.class,
                Long.toString(orderId)) == 1);

        String self = document(http().postJson("/api/v1/gdpr/export", "{}", viewer), viewer);
        assertThat(self).contains(email).contains(Long.toString(orderId));
        assertThat(self).as("a prompt that names someone else").doesNotContain(marker);

        // a holder of gdpr:export may widen an export with names
        String[] admin = TestAuth.admin(http());
        String full = document(http().postJson("/api/v1/gdpr/export", "{\"email\":\"" + email + "\",\"names\":[\""
                + janet + "\"]}", admin), admin);
        assertThat(full).contains(marker);
    }

    @Test
    void csvCellsASpreadsheetWouldEvaluateAreNeutralised() throws Exception {
        String doc = "{\"data\":{\"orders\":[{\"table\":\"wc_order\",\"relation\":\"belongs to the person\","
                + "\"record\":{\"note\":\"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\",\"plus\":\"+1 510\","
                + "\"minus\":\"-2+3\",\"at\":\"@SUM(A1)\",\"tab\":\"\\tcmd\",\"cr\":\"\\rcmd\",\"total\":-5,"
                + "\"plain\":\"hoodie\"}}]}}";
        String csv = unzip(exports.zip("csv-test", doc)).get("orders.csv");
        // the record's line (a quoted cell holds the CR, so split after the header's CRLF only)
        String row = csv.substring(csv.indexOf("\r\n") + 2);
        assertThat(row).contains("\"'=HYPERLINK(", "'+1 510", "'-2+3", "'@SUM(A1)", "'\tcmd", ",-5,", "hoodie");
        assertThat(row).contains("\"'\rcmd\"");
        assertThat(row).doesNotContain(",=", ",+", ",@");
        assertThat(GdprExports.neutralised("fine")).isEqualTo("fine");
    }

    // ---- helpers

    private String createUser(String email, String role, String name) {
        TestHttp.Reply created = http().postJson("/api/v1/users", "{\"email\":\"" + email + "\",\"password\":"
                + "\"self export password\",\"role\":\"" + role + "\",\"displayName\":\"" + name + "\"}",
                TestAuth.admin(http()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    private String[] login(String email) {
        return TestAuth.bearer(TestAuth.login(http(), email, "self export password").get("access_token").asText());
    }

    /** Waits for the export and returns its JSON document. */
    private String document(TestHttp.Reply accepted, String[] who) {
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = accepted.json().get("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            job = http().get("/api/v1/gdpr/exports/" + id, who).json();
            if (!job.get("status").asText().matches("queued|running")) {
                break;
            }
            RunningHub.sleep(100);
        }
        assertThat(job.get("status").asText()).as(String.valueOf(job)).isEqualTo("succeeded");
        TestHttp.Reply doc = http().get(job.get("links").get("json").asText(), who);
        assertThat(doc.status()).isEqualTo(200);
        return doc.body();
    }

    private void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            RunningHub.sleep(100);
        }
    }

    private static Map<String, String> unzip(byte[] bytes) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                files.put(e.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return files;
    }
}
