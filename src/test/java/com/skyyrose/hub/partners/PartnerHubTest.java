package com.skyyrose.hub.partners;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import com.skyyrose.hub.webhooks.WooCommerceSender;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A hub for the partner tests: a database of its own (other cached hubs' delivery workers must not take these
 * deliveries), a WooCommerce source whose signed webhooks feed the store mirror, 127.0.0.1 allow-listed for the
 * WireMock receivers, and fast retries (50 ms doubling to 200 ms, dead after 2 s, disabled after 2 dead letters).
 */
abstract class PartnerHubTest extends HubIntegrationTest {

    static final String STORE_SECRET = "partner-store-secret";
    static final String DATABASE = freshDatabase("partners");
    static final WireMockServer RECEIVER = new WireMockServer(WireMockConfiguration.options().dynamicPort()
            .containerThreads(40));
    private static final AtomicLong IDS = new AtomicLong(7_000_000 + (System.nanoTime() % 1_000_000) * 10);

    static {
        RECEIVER.start();
    }

    @DynamicPropertySource
    static void partnerHub(DynamicPropertyRegistry registry) {
        registry.add("DATABASE_URL", () -> DATABASE);
        registry.add("WOOCOMMERCE_WEBHOOK_SECRET", () -> STORE_SECRET);
        registry.add("HUB_SSRF_ALLOWLIST", () -> "127.0.0.1");
        registry.add("HUB_WEBHOOKS_POLL_INTERVAL", () -> "50ms");
        registry.add("HUB_PARTNER_DELIVERY_POLL_INTERVAL", () -> "50ms");
        registry.add("HUB_PARTNER_DELIVERY_BACKOFF_BASE", () -> "50ms");
        registry.add("HUB_PARTNER_DELIVERY_BACKOFF_MAX", () -> "200ms");
        registry.add("HUB_PARTNER_DELIVERY_RETRY_WINDOW", () -> "2s");
        registry.add("HUB_PARTNER_DISABLE_AFTER_DEAD_LETTERS", () -> "2");
        registry.add("HUB_PARTNER_DELIVERY_TIMEOUT", () -> "3s");
    }

    static long newId() {
        return IDS.incrementAndGet();
    }

    WooCommerceSender store() {
        return new WooCommerceSender(http(), STORE_SECRET);
    }

    String[] admin() {
        return TestAuth.admin(http());
    }

    /** A new partner and a key bound to it: {partnerId, X-API-Key, key}. */
    String[] partner(String name) {
        TestHttp.Reply created = http().postJson("/api/v1/partners", "{\"name\":\"" + name
                + "\",\"contact_email\":\"ops@" + name.toLowerCase().replace(' ', '-') + ".example\"}", admin());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asText();
        TestHttp.Reply key = http().postJson("/api/v1/partners/" + id + "/api-keys", "{\"name\":\"feed\"}", admin());
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        return new String[] {id, "X-API-Key", key.json().get("key").asText()};
    }

    static String[] auth(String[] partner) {
        return new String[] {partner[1], partner[2]};
    }

    /** A product state as WooCommerce sends it. */
    static ObjectNode product(long id, String sku, String status, String stockStatus, Integer quantity,
            Instant modified) {
        ObjectNode p = WooCommerceSender.sample("product");
        p.put("id", id);
        p.put("sku", sku);
        p.put("name", "Rose hoodie " + sku);
        p.put("status", status);
        p.put("stock_status", stockStatus);
        if (quantity == null) {
            p.putNull("stock_quantity");
        } else {
            p.put("stock_quantity", quantity);
            p.put("manage_stock", true);
        }
        p.put("price", "89.00");
        p.put("regular_price", "120.00");
        p.put("date_modified_gmt", gmt(modified));
        return p;
    }

    /** An order state; {@code partner} goes into the _partner_id meta when not null. */
    static ObjectNode order(long id, String status, String partner, Instant modified) {
        ObjectNode o = WooCommerceSender.sample("order");
        o.put("id", id);
        o.put("status", status);
        o.put("date_modified_gmt", gmt(modified));
        var meta = o.putArray("meta_data");
        if (partner != null) {
            meta.addObject().put("id", 1).put("key", "_partner_id").put("value", partner);
        }
        ObjectNode tracking = meta.addObject().put("id", 2).put("key", "_wc_shipment_tracking_items");
        tracking.putArray("value").addObject().put("tracking_provider", "UPS").put("tracking_number", "1Z999AA1"
                + id).put("date_shipped", "1700000000");
        return o;
    }

    static String gmt(Instant at) {
        return at.toString().substring(0, 19);
    }

    void send(String topic, ObjectNode resource) {
        TestHttp.Reply r = store().deliver("default", topic, WooCommerceSender.wpJson(resource));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return;
            }
            RunningHub.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    JsonNode catalogItem(String sku, String[] who) {
        TestHttp.Reply r = http().get("/api/v1/partner/catalog/" + sku, who);
        return r.status() == 200 ? r.json() : null;
    }

    static String marker() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Standard Webhooks verification as the specification describes it, written here independently of the hub:
     * key = base64-decode(secret without "whsec_"), expected = base64(HMAC-SHA256(key, id + "." + timestamp + "."
     * + body)); the header holds space-separated "v1,<sig>" entries, any one matching is enough; the timestamp
     * must be within 5 minutes.
     */
    static boolean verifies(String secret, String msgId, String timestamp, String body, String signatureHeader) {
        try {
            long ts = Long.parseLong(timestamp);
            if (Math.abs(Instant.now().getEpochSecond() - ts) > 300) {
                return false;
            }
            byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((msgId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            for (String entry : signatureHeader.split(" ")) {
                int comma = entry.indexOf(',');
                if (comma > 0 && entry.substring(0, comma).equals("v1") && MessageDigest.isEqual(expected,
                        Base64.getDecoder().decode(entry.substring(comma + 1)))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
