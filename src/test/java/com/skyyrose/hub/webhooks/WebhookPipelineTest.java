package com.skyyrose.hub.webhooks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The whole webhook pipeline over HTTP against real PostgreSQL: WooCommerce deliveries exactly as WooCommerce
 * sends them (sample resources from the REST docs), the ping, signatures, dedupe, ordering, dead letters and
 * replay, reconciliation against a WireMock store, WordPress, retention and metrics.
 */
@TestPropertySource(properties = {
        // as WooCommerce stores it (escaped); WooCommerce signs with the decoded form Sk&y<Rose>"
        "WOOCOMMERCE_WEBHOOK_SECRET=Sk&amp;y&lt;Rose&gt;&quot;",
        // a second store whose operator pasted the decoded secret
        "hub.webhooks.woocommerce.eu.secret=Sk&y<Rose>\"",
        "WORDPRESS_WEBHOOK_SECRET=wp-secret-1",
        "HUB_WEBHOOKS_POLL_INTERVAL=50ms",
        "HUB_WEBHOOKS_BACKOFF_BASE=100ms",
        "HUB_WEBHOOKS_BACKOFF_MAX=300ms",
        "HUB_WEBHOOKS_MAX_ATTEMPTS=3",
        "HUB_WEBHOOKS_RECONCILE_ENABLED=false"
})
class WebhookPipelineTest extends HubIntegrationTest {

    private static final String KEY = "Sk&y<Rose>\"";
    private static final WireMockServer STORE = new WireMockServer(options().dynamicPort());

    static {
        STORE.start();
    }

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        // a database of its own: the workers of other cached test hubs (default retry policy: 8 attempts, 5 s
        // backoff) would otherwise claim its events, and a dead letter could take minutes instead of seconds
        String database = freshDatabase("pipeline");
        registry.add("DATABASE_URL", () -> database);
        registry.add("hub.webhooks.woocommerce.recon.secret", () -> "recon-secret");
        registry.add("hub.webhooks.woocommerce.recon.store-url", STORE::baseUrl);
        registry.add("hub.webhooks.woocommerce.recon.consumer-key", () -> "ck_test");
        registry.add("hub.webhooks.woocommerce.recon.consumer-secret", () -> "cs_test");
    }

    @AfterAll
    static void stopStore() {
        STORE.stop();
    }

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    WebhookReconciler reconciler;
    @Autowired
    WebhookRetention retention;
    @Autowired
    WebhookWorker worker;
    @Autowired
    WebhookInbox inbox;

    private static long uniqueId() {
        return ThreadLocalRandom.current().nextLong(1_000_000, Long.MAX_VALUE / 4);
    }

    private WooCommerceSender woo() {
        return new WooCommerceSender(http(), KEY);
    }

    private long eventCount() {
        return jdbc.queryForObject("SELECT count(*) FROM webhook_event", Long.class);
    }

    private static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done, String what) {
        return await(value, done, what, Duration.ofSeconds(20));
    }

    private static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done, String what,
            Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = value.get();
            if (done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(what + " not reached; last value " + last);
    }

    private String status(long eventId) {
        return jdbc.queryForObject("SELECT status FROM webhook_event WHERE id = ?", String.class, eventId);
    }

    private String awaitSettled(long eventId) {
        return await(() -> status(eventId), s -> !"pending".equals(s), "event " + eventId + " settled",
                Duration.ofSeconds(20));
    }

    /** Waits for a dead letter (this class's 3 attempts with a short backoff; a generous limit for a slow machine). */
    private String awaitDead(long eventId) {
        return await(() -> status(eventId), s -> !"pending".equals(s), "event " + eventId + " settled",
                Duration.ofSeconds(150));
    }

    @Test
    void pingIsAnsweredWithExactly200AndStoresNothing() {
        long before = eventCount();
        TestHttp.Reply reply = woo().ping("default", 12);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(eventCount()).isEqualTo(before);
        // an unknown source is 404 even for a ping
        assertThat(woo().ping("nosuchstore", 12).status()).isEqualTo(404);
    }

    @Test
    void signedOrderIsStoredRawBeforeTheAnswerAndProcessedIntoStateAndHandoff() {
        long orderId = uniqueId();
        ObjectNode order = WooCommerceSender.sample("order").put("id", orderId);
        String body = WooCommerceSender.wpJson(order);
        assertThat(body).contains("https:\\/\\/example.com"); // raw bytes differ from a re-serialisation

        TestHttp.Reply reply = woo().deliver("default", "order.created", body);
        assertThat(reply.status()).isEqualTo(200);
        long eventId = reply.json().get("eventId").asLong();
        // stored before the 200: the row exists the moment the answer arrives, byte for byte
        Map<String, Object> row = jdbc.queryForMap("SELECT topic, resource, resource_id, modified_gmt, payload,"
                + " headers->>'X-WC-Webhook-Delivery-ID' AS delivery, received_at FROM webhook_event WHERE id = ?",
                eventId);
        assertThat(new String((byte[]) row.get("payload"), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(row.get("topic")).isEqualTo("order.created");
        assertThat(row.get("resource")).isEqualTo("order");
        assertThat(row.get("resource_id")).isEqualTo(Long.toString(orderId));
        assertThat(row.get("modified_gmt")).isEqualTo("2017-03-22T19:28:08");
        assertThat((String) row.get("delivery")).isNotBlank();
        assertThat(row.get("received_at")).isNotNull();

        assertThat(awaitSettled(eventId)).isEqualTo("processed");
        Map<String, Object> state = jdbc.queryForMap("SELECT status, total, currency, line_items, events_applied"
                + " FROM wc_order WHERE source = 'default' AND order_id = ?", orderId);
        assertThat(state.get("status")).isEqualTo("processing");
        assertThat(state.get("total").toString()).isEqualTo("29.35");
        assertThat(state.get("line_items")).isEqualTo(2);
        assertThat(state.get("events_applied")).isEqualTo(1);
        // an order without a customer note wakes no agent (WebhookHandoffsTest: one with a note wakes Support)
        assertThat(jdbc.queryForList("SELECT target FROM webhook_handoff WHERE event_id = ?", String.class, eventId))
                .isEmpty();

        JsonNode api = http().get("/api/v1/webhooks/events/" + eventId, TestAuth.admin(http())).json();
        assertThat(api.get("status").asText()).isEqualTo("processed");
        assertThat(api.get("outcome").asText()).isEqualTo("applied");
        assertThat(api.at("/payload/id").asLong()).isEqualTo(orderId);
        assertThat(api.at("/headers/X-WC-Webhook-Topic").asText()).isEqualTo("order.created");
    }

    @Test
    void secretWithAmpersandAndLessThanIsEntityDecodedLikeWooCommerce() {
        for (String source : List.of("default", "eu")) {
            ObjectNode product = WooCommerceSender.sample("product").put("id", uniqueId());
            TestHttp.Reply reply = woo().deliver(source, "product.updated", WooCommerceSender.wpJson(product));
            assertThat(reply.status()).as(source).isEqualTo(200);
        }
        // signing with the escaped form (what a naive receiver would use) must not verify
        ObjectNode product = WooCommerceSender.sample("product").put("id", uniqueId());
        String body = WooCommerceSender.wpJson(product);
        assertThat(woo().deliver("default", "product.updated", body,
                WooCommerceSender.sign("Sk&amp;y&lt;Rose&gt;&quot;", body)).status()).isEqualTo(401);
    }

    @Test
    void tamperedOrUnsignedBodyIs401AndNothingIsStored() {
        ObjectNode order = WooCommerceSender.sample("order").put("id", uniqueId());
        String body = WooCommerceSender.wpJson(order);
        String signature = WooCommerceSender.sign(KEY, body);
        String tampered = body.replace("\"total\":\"29.35\"", "\"total\":\"0.01\"");
        assertThat(tampered).isNotEqualTo(body);
        double rejectedBefore = rejectedMetric();
        long before = eventCount();

        TestHttp.Reply bad = woo().deliver("default", "order.created", tampered, signature);
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(woo().deliver("default", "order.created", body, null).status()).isEqualTo(401);
        assertThat(woo().deliver("default", "order.created", body, "not base64 !").status()).isEqualTo(401);
        assertThat(eventCount()).isEqualTo(before);
        assertThat(rejectedMetric()).isEqualTo(rejectedBefore + 3);
        // an unknown store is 404
        assertThat(woo().deliver("nosuchstore", "order.created", body).status()).isEqualTo(404);
    }

    @Test
    void bodyOfAnUndeclaredMediaTypeIs415AndAMissingRequiredBodyIs400() {
        ObjectNode order = WooCommerceSender.sample("order").put("id", uniqueId());
        String body = WooCommerceSender.wpJson(order);
        long before = eventCount();
        // correctly signed, but not a media type the contract declares for the webhook (checked without the
        // JSON-schema validation the webhook operations skip: x-hub-validate-body: false)
        TestHttp.Reply wrongType = http().send(http().request("/webhooks/woocommerce/default")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "text/plain")
                .header("X-WC-Webhook-Topic", "order.created")
                .header("X-WC-Webhook-Signature", WooCommerceSender.sign(KEY, body)).build());
        assertThat(wrongType.status()).isEqualTo(415);
        assertThat(wrongType.contentType()).startsWith("application/problem+json");
        // the WordPress operation requires a body
        TestHttp.Reply empty = http().send(http().request("/webhooks/wordpress/default")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Content-Type", "application/json")
                .header("X-WP-Webhook-Signature", WooCommerceSender.sign("wp-secret-1", "")).build());
        assertThat(empty.status()).isEqualTo(400);
        assertThat(eventCount()).isEqualTo(before);
        // media type parameters are fine
        TestHttp.Reply ok = http().send(http().request("/webhooks/woocommerce/default")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("X-WC-Webhook-Topic", "order.created")
                .header("X-WC-Webhook-Signature", WooCommerceSender.sign(KEY, body)).build());
        assertThat(ok.status()).isEqualTo(200);
    }

    private double rejectedMetric() {
        String metrics = http().get("/metrics").body();
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("hub_webhooks_rejected_total{") && line.contains("source=\"default\"")
                    && line.contains("signature")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Test
    void sameStateDeliveredTwiceIsProcessedOnce() {
        long customerId = uniqueId();
        String body = WooCommerceSender.wpJson(WooCommerceSender.sample("customer").put("id", customerId));
        long first = woo().deliver("default", "customer.created", body).json().get("eventId").asLong();
        long second = woo().deliver("default", "customer.created", body).json().get("eventId").asLong();
        assertThat(second).isNotEqualTo(first); // both deliveries are stored
        assertThat(List.of(awaitSettled(first), awaitSettled(second))).containsExactlyInAnyOrder("processed",
                "duplicate");
        assertThat(jdbc.queryForObject("SELECT events_applied FROM wc_customer WHERE source = 'default'"
                + " AND customer_id = ?", Integer.class, customerId)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_handoff WHERE target = 'agent.marketing.welcome'"
                + " AND resource_id = ?", Integer.class, Long.toString(customerId))).isEqualTo(1);
    }

    @Test
    void outOfOrderUpdatesNeverMoveStateBackwards() {
        long orderId = uniqueId();
        ObjectNode newer = WooCommerceSender.sample("order").put("id", orderId).put("status", "completed")
                .put("date_modified_gmt", "2026-11-27T10:00:05");
        ObjectNode older = WooCommerceSender.sample("order").put("id", orderId).put("status", "on-hold")
                .put("date_modified_gmt", "2026-11-27T10:00:01");
        long a = woo().deliver("default", "order.updated", WooCommerceSender.wpJson(newer)).json().get("eventId")
                .asLong();
        assertThat(awaitSettled(a)).isEqualTo("processed");
        long b = woo().deliver("default", "order.updated", WooCommerceSender.wpJson(older)).json().get("eventId")
                .asLong();
        assertThat(awaitSettled(b)).isEqualTo("processed");
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_event WHERE id = ?", String.class, b))
                .isEqualTo("stale");
        assertThat(jdbc.queryForObject("SELECT status FROM wc_order WHERE source = 'default' AND order_id = ?",
                String.class, orderId)).isEqualTo("completed");
        // the stale on-hold did not wake the Support agent
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_handoff WHERE resource_id = ?", Integer.class,
                Long.toString(orderId))).isZero();

        // a newer problem status does
        ObjectNode failed = WooCommerceSender.sample("order").put("id", orderId).put("status", "failed")
                .put("date_modified_gmt", "2026-11-27T10:00:09");
        long c = woo().deliver("default", "order.updated", WooCommerceSender.wpJson(failed)).json().get("eventId")
                .asLong();
        assertThat(awaitSettled(c)).isEqualTo("processed");
        assertThat(jdbc.queryForList("SELECT target FROM webhook_handoff WHERE event_id = ?", String.class, c))
                .containsExactly("agent.support.problem-status");
    }

    @Test
    void deletionMarksStateDeletedAndAsksToRemoveFromKnowledge() {
        long productId = uniqueId();
        long created = woo().deliver("default", "product.created",
                WooCommerceSender.wpJson(WooCommerceSender.sample("product").put("id", productId)))
                .json().get("eventId").asLong();
        assertThat(awaitSettled(created)).isEqualTo("processed");
        long deleted = woo().deliver("default", "product.deleted", "{\"id\":" + productId + "}").json()
                .get("eventId").asLong();
        assertThat(awaitSettled(deleted)).isEqualTo("processed");
        assertThat(jdbc.queryForObject("SELECT deleted FROM wc_product WHERE source = 'default' AND product_id = ?",
                Boolean.class, productId)).isTrue();
        assertThat(jdbc.queryForList("SELECT target FROM webhook_handoff WHERE resource_id = ? ORDER BY id",
                String.class, Long.toString(productId))).containsExactly("knowledge.reindex", "knowledge.remove");
    }

    /** Sends a signed body with any topic/resource headers (only the body is signed, as in WooCommerce). */
    private TestHttp.Reply deliverAs(String topic, String resource, String body) {
        return http().send(http().request("/webhooks/woocommerce/default")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json")
                .header("X-WC-Webhook-Topic", topic).header("X-WC-Webhook-Resource", resource)
                .header("X-WC-Webhook-Signature", WooCommerceSender.sign(KEY, body)).build());
    }

    private int handoffs(long resourceId) {
        return jdbc.queryForObject("SELECT count(*) FROM webhook_handoff WHERE resource_id = ?", Integer.class,
                Long.toString(resourceId));
    }

    @Test
    void aCapturedBodyReSentWithOtherTopicHeadersIsRejectedOrADuplicateAndNeverActedOn() {
        long orderId = uniqueId();
        String body = WooCommerceSender.wpJson(WooCommerceSender.sample("order").put("id", orderId)
                .put("status", "failed"));
        long original = woo().deliver("default", "order.updated", body).json().get("eventId").asLong();
        assertThat(awaitSettled(original)).isEqualTo("processed");
        assertThat(handoffs(orderId)).isEqualTo(1); // the Support agent, once

        // the same signed bytes as a customer deletion (issue 15: stored as a new customer.deleted and processed)
        TestHttp.Reply asDelete = deliverAs("customer.deleted", "customer", body);
        assertThat(asDelete.status()).isEqualTo(200);
        assertThat(asDelete.json().get("status").asText()).isEqualTo("rejected");
        long deleteId = asDelete.json().get("eventId").asLong();
        // another resource's update, and a topic whose resource header disagrees with it
        long asCustomer = deliverAs("customer.updated", "customer", body).json().get("eventId").asLong();
        long mismatch = deliverAs("order.updated", "customer", body).json().get("eventId").asLong();
        // the same resource under another event: it fits, but it is the same state (same body) — a duplicate
        long asCreated = deliverAs("order.created", "order", body).json().get("eventId").asLong();

        assertThat(awaitSettled(asCreated)).isEqualTo("duplicate");
        for (long id : List.of(deleteId, asCustomer, mismatch)) {
            Map<String, Object> row = jdbc.queryForMap("SELECT status, outcome, last_error, attempts FROM"
                    + " webhook_event WHERE id = ?", id);
            assertThat(row.get("status")).as("event " + id).isEqualTo("rejected");
            assertThat(row.get("outcome")).isEqualTo("rejected");
            assertThat((Integer) row.get("attempts")).as("never processed").isZero();
            assertThat((String) row.get("last_error")).isNotBlank();
        }
        assertThat(jdbc.queryForObject("SELECT last_error FROM webhook_event WHERE id = ?", String.class, deleteId))
                .contains("deleted event carries only");
        assertThat(jdbc.queryForObject("SELECT last_error FROM webhook_event WHERE id = ?", String.class,
                asCustomer)).contains("is an order, not a customer");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM wc_customer WHERE source = 'default'"
                + " AND customer_id = ?", Integer.class, orderId)).isZero();
        assertThat(jdbc.queryForObject("SELECT events_applied FROM wc_order WHERE source = 'default'"
                + " AND order_id = ?", Integer.class, orderId)).isEqualTo(1);
        assertThat(handoffs(orderId)).as("no agent woken again").isEqualTo(1);
        // an operator cannot replay a rejected event into processing, and the list shows it as rejected
        assertThat(http().send(http().request("/api/v1/webhooks/events/" + deleteId + "/replay")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).headers(auth()).build()).status())
                .isEqualTo(409);
        assertThat(status(deleteId)).isEqualTo("rejected");
        JsonNode listed = http().get("/api/v1/webhooks/events?status=rejected&limit=100", auth()).json();
        assertThat(listed.get("items").findValuesAsText("id")).contains(Long.toString(deleteId));
    }

    @Test
    void bodiesThatDoNotFitTheirTopicAreRejected() {
        long id = uniqueId();
        // a deletion body under an update topic; a product under the coupon topic; an action naming another action
        long deletionAsUpdate = deliverAs("product.updated", "product", "{\"id\":" + id + "}").json()
                .get("eventId").asLong();
        long productAsCoupon = deliverAs("coupon.updated", "coupon",
                WooCommerceSender.wpJson(WooCommerceSender.sample("product").put("id", id))).json().get("eventId")
                .asLong();
        long otherAction = deliverAs("action.woocommerce_a", "action",
                "{\"action\":\"woocommerce_b\",\"arg\":" + id + "}").json().get("eventId").asLong();
        for (long eventId : List.of(deletionAsUpdate, productAsCoupon, otherAction)) {
            assertThat(status(eventId)).as("event " + eventId).isEqualTo("rejected");
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM wc_product WHERE source = 'default' AND product_id = ?",
                Integer.class, id)).isZero();
        // the genuine shapes still fit
        long genuine = woo().deliver("default", "product.deleted", "{\"id\":" + id + "}").json().get("eventId")
                .asLong();
        assertThat(awaitSettled(genuine)).isEqualTo("processed");
    }

    @Test
    void aDeleteOlderThanTheStoredStateChangesNothing() {
        long productId = uniqueId();
        // the stored state was modified after the delete was received (as when a delete is retried after a newer
        // update was processed): the hub dates a delete by its receipt, and this state is newer than that
        ObjectNode newer = WooCommerceSender.sample("product").put("id", productId).put("name", "Newer")
                .put("date_modified_gmt", "2099-01-01T00:00:00");
        long updated = woo().deliver("default", "product.updated", WooCommerceSender.wpJson(newer)).json()
                .get("eventId").asLong();
        assertThat(awaitSettled(updated)).isEqualTo("processed");
        long deleted = woo().deliver("default", "product.deleted", "{\"id\":" + productId + "}").json()
                .get("eventId").asLong();
        assertThat(awaitSettled(deleted)).isEqualTo("processed");
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_event WHERE id = ?", String.class, deleted))
                .isEqualTo("stale");
        assertThat(jdbc.queryForMap("SELECT deleted, name FROM wc_product WHERE source = 'default'"
                + " AND product_id = ?", productId)).containsEntry("deleted", false).containsEntry("name", "Newer");
        assertThat(jdbc.queryForList("SELECT target FROM webhook_handoff WHERE resource_id = ?", String.class,
                Long.toString(productId))).containsExactly("knowledge.reindex"); // no knowledge.remove
    }

    @Test
    void anUpdateOlderThanTheDeleteDoesNotResurrectItButANewerOneRestoresIt() {
        long productId = uniqueId();
        long created = woo().deliver("default", "product.created",
                WooCommerceSender.wpJson(WooCommerceSender.sample("product").put("id", productId))).json()
                .get("eventId").asLong();
        assertThat(awaitSettled(created)).isEqualTo("processed");
        long deleted = woo().deliver("default", "product.deleted", "{\"id\":" + productId + "}").json()
                .get("eventId").asLong();
        assertThat(awaitSettled(deleted)).isEqualTo("processed");
        String deletedGmt = jdbc.queryForObject("SELECT deleted_gmt FROM wc_product WHERE source = 'default'"
                + " AND product_id = ?", String.class, productId);
        assertThat(deletedGmt).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}");

        // an update made before the deletion, delivered late
        ObjectNode late = WooCommerceSender.sample("product").put("id", productId).put("name", "Late")
                .put("date_modified_gmt", "2017-03-24T08:00:00");
        long lateId = woo().deliver("default", "product.updated", WooCommerceSender.wpJson(late)).json()
                .get("eventId").asLong();
        assertThat(awaitSettled(lateId)).isEqualTo("processed");
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_event WHERE id = ?", String.class, lateId))
                .isEqualTo("stale");
        assertThat(jdbc.queryForObject("SELECT deleted FROM wc_product WHERE source = 'default' AND product_id = ?",
                Boolean.class, productId)).as("still deleted").isTrue();

        // restored from the trash later: modified after the deletion, so it is back
        ObjectNode restored = WooCommerceSender.sample("product").put("id", productId).put("name", "Restored")
                .put("date_modified_gmt", "2099-01-01T00:00:00");
        long restoredId = woo().deliver("default", "product.restored", WooCommerceSender.wpJson(restored)).json()
                .get("eventId").asLong();
        assertThat(awaitSettled(restoredId)).isEqualTo("processed");
        assertThat(jdbc.queryForMap("SELECT deleted, name FROM wc_product WHERE source = 'default'"
                + " AND product_id = ?", productId)).containsEntry("deleted", false)
                .containsEntry("name", "Restored");
    }

    @Test
    void failingHandlerRetriesThenDeadLettersAndReplaySucceedsAfterTheFix() {
        long couponId = uniqueId();
        String body = WooCommerceSender.wpJson(WooCommerceSender.sample("coupon").put("id", couponId));
        // a real fault: the handler's table is gone (as after a bad deploy)
        jdbc.execute("ALTER TABLE wc_coupon RENAME TO wc_coupon_away");
        long eventId;
        try {
            eventId = woo().deliver("default", "coupon.created", body).json().get("eventId").asLong();
            assertThat(awaitDead(eventId)).isEqualTo("dead");
        } finally {
            jdbc.execute("ALTER TABLE wc_coupon_away RENAME TO wc_coupon"); // the fix
        }
        Map<String, Object> dead = jdbc.queryForMap("SELECT attempts, last_error FROM webhook_event WHERE id = ?",
                eventId);
        // retried with backoff, then dead: 3 attempts here (another instance's policy may allow up to 8)
        assertThat((Integer) dead.get("attempts")).isBetween(3, 8);
        assertThat((String) dead.get("last_error")).contains("wc_coupon");
        JsonNode listed = http().get("/api/v1/webhooks/events?status=dead&topic=coupon.created&source=default",
                TestAuth.admin(http())).json();
        assertThat(listed.get("items").findValuesAsText("id")).contains(Long.toString(eventId));
        // the metrics are this instance's: it made at least some of the attempts (it polls fastest)
        assertThat(metricSum("hub_webhooks_retried_total", "coupon.created")
                + metricSum("hub_webhooks_dead_lettered_total", "coupon.created")).isGreaterThanOrEqualTo(1);

        TestHttp.Reply replay = http().send(http().request("/api/v1/webhooks/events/" + eventId + "/replay")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).headers(auth()).build());
        assertThat(replay.status()).isEqualTo(202);
        assertThat(awaitSettled(eventId)).isEqualTo("processed");
        assertThat(jdbc.queryForObject("SELECT code FROM wc_coupon WHERE source = 'default' AND coupon_id = ?",
                String.class, couponId)).isEqualTo("10off");
        // replaying a pending event or an unknown one is refused
        assertThat(http().send(http().request("/api/v1/webhooks/events/999999999999/replay")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).headers(auth()).build()).status())
                .isEqualTo(404);
    }

    @Test
    void bulkReplayRequeuesDeadLettersOfOneTopic() {
        long couponId = uniqueId();
        String body = WooCommerceSender.wpJson(WooCommerceSender.sample("coupon").put("id", couponId)
                .put("code", "bulk" + couponId));
        jdbc.execute("ALTER TABLE wc_coupon RENAME TO wc_coupon_away");
        long eventId;
        try {
            eventId = woo().deliver("default", "coupon.updated", body).json().get("eventId").asLong();
            assertThat(awaitDead(eventId)).isEqualTo("dead");
        } finally {
            jdbc.execute("ALTER TABLE wc_coupon_away RENAME TO wc_coupon");
        }
        TestHttp.Reply reply = http().send(http().request("/api/v1/webhooks/dead-letters/replay")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"topic\":\"coupon.updated\"}"))
                .header("Content-Type", "application/json").headers(auth()).build());
        assertThat(reply.status()).isEqualTo(202);
        assertThat(reply.json().get("eventIds").findValuesAsText("")).isNotNull();
        assertThat(reply.json().toString()).contains(Long.toString(eventId));
        assertThat(awaitSettled(eventId)).isEqualTo("processed");
    }

    private String[] auth() {
        String[] headers = TestAuth.admin(http());
        return headers.length == 0 ? new String[] {"X-Test", "1"} : headers;
    }

    private double metricSum(String name, String topic) {
        double sum = 0;
        for (String line : http().get("/metrics").body().split("\n")) {
            if (line.startsWith(name + "{") && line.contains("topic=\"" + topic + "\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Test
    void reconciliationFeedsMissedOrdersThroughThePipelineOnce() {
        long missed = uniqueId();
        long seen = uniqueId();
        ObjectNode seenOrder = WooCommerceSender.sample("order").put("id", seen)
                .put("date_modified_gmt", "2026-11-27T11:00:00");
        // 'seen' arrived by webhook; 'missed' never did (WooCommerce does not retry)
        long seenEvent = new WooCommerceSender(http(), "recon-secret")
                .deliver("recon", "order.updated", WooCommerceSender.wpJson(seenOrder)).json().get("eventId").asLong();
        assertThat(awaitSettled(seenEvent)).isEqualTo("processed");
        ObjectNode missedOrder = WooCommerceSender.sample("order").put("id", missed).put("status", "on-hold")
                .put("date_modified_gmt", "2026-11-27T11:00:02");
        String page = "[" + WooCommerceSender.wpJson(seenOrder) + "," + WooCommerceSender.wpJson(missedOrder) + "]";
        STORE.stubFor(get(urlPathEqualTo("/wp-json/wc/v3/orders")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("X-WP-Total", "2")
                .withHeader("X-WP-TotalPages", "1").withBody(page)));
        STORE.stubFor(get(urlPathEqualTo("/wp-json/wc/v3/products")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("X-WP-TotalPages", "1").withBody("[]")));

        assertThat(reconciler.reconcileAll()).containsEntry("recon", 1);
        String basic = "Basic " + Base64.getEncoder().encodeToString("ck_test:cs_test".getBytes());
        STORE.verify(getRequestedFor(urlPathEqualTo("/wp-json/wc/v3/orders"))
                .withHeader("Authorization", equalTo(basic)).withQueryParam("dates_are_gmt", equalTo("true")));
        Long eventId = jdbc.queryForObject("SELECT id FROM webhook_event WHERE source = 'recon' AND resource_id = ?"
                + " AND origin = 'reconciliation'", Long.class, Long.toString(missed));
        assertThat(awaitSettled(eventId)).isEqualTo("processed");
        assertThat(jdbc.queryForObject("SELECT status FROM wc_order WHERE source = 'recon' AND order_id = ?",
                String.class, missed)).isEqualTo("on-hold");
        // the cursor moved to the newest state seen; a second run finds nothing new
        assertThat(jdbc.queryForObject("SELECT modified_gmt FROM webhook_reconcile_cursor WHERE source = 'recon'"
                + " AND resource = 'order'", String.class)).isGreaterThanOrEqualTo("2026-11-27T11:00:02");
        assertThat(reconciler.reconcileAll()).containsEntry("recon", 0);
        STORE.verify(getRequestedFor(urlPathEqualTo("/wp-json/wc/v3/orders"))
                .withQueryParam("modified_after", equalTo(jdbc.queryForObject("SELECT modified_gmt FROM"
                        + " webhook_reconcile_cursor WHERE source = 'recon' AND resource = 'order'", String.class))));
    }

    @Test
    void wordpressPostEventIsVerifiedStoredAndProcessed() {
        long postId = uniqueId();
        String body = "{\"post\":{\"ID\":" + postId + ",\"post_type\":\"post\",\"post_title\":\"Black Rose\","
                + "\"post_status\":\"publish\",\"post_modified_gmt\":\"2026-11-27 09:10:11\","
                + "\"guid\":\"https:\\/\\/skyyrose.example\\/?p=" + postId + "\"}}";
        String signature = WooCommerceSender.sign("wp-secret-1", body);
        TestHttp.Reply reply = http().send(http().request("/webhooks/wordpress/default")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("X-WP-Webhook-Topic", "post_update")
                .header("X-WP-Webhook-Signature", signature).build());
        assertThat(reply.status()).isEqualTo(200);
        long eventId = reply.json().get("eventId").asLong();
        assertThat(awaitSettled(eventId)).isEqualTo("processed");
        assertThat(jdbc.queryForObject("SELECT topic FROM webhook_event WHERE id = ?", String.class, eventId))
                .isEqualTo("post.updated");
        assertThat(jdbc.queryForObject("SELECT title FROM wp_post WHERE source = 'default' AND post_id = ?",
                String.class, postId)).isEqualTo("Black Rose");
        assertThat(jdbc.queryForList("SELECT target FROM webhook_handoff WHERE event_id = ?", String.class, eventId))
                .containsExactly("knowledge.reindex");
        // wrong signature: 401
        assertThat(http().send(http().request("/webhooks/wordpress/default")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("X-WP-Webhook-Signature", WooCommerceSender.sign("other", body)).build()).status())
                .isEqualTo(401);
    }

    @Test
    void retentionPurgesOldPayloadsAndKeepsMetadata() {
        long orderId = uniqueId();
        long eventId = woo().deliver("default", "order.updated",
                WooCommerceSender.wpJson(WooCommerceSender.sample("order").put("id", orderId))).json()
                .get("eventId").asLong();
        assertThat(awaitSettled(eventId)).isEqualTo("processed");
        long fresh = woo().deliver("default", "order.updated",
                WooCommerceSender.wpJson(WooCommerceSender.sample("order").put("id", uniqueId()))).json()
                .get("eventId").asLong();
        assertThat(awaitSettled(fresh)).isEqualTo("processed");
        jdbc.update("UPDATE webhook_event SET received_at = now() - interval '31 days' WHERE id = ?", eventId);

        assertThat(retention.purge()).isGreaterThanOrEqualTo(1);
        Map<String, Object> row = jdbc.queryForMap("SELECT payload, payload_purged_at, topic, resource_id, status,"
                + " payload_sha256 FROM webhook_event WHERE id = ?", eventId);
        assertThat(row.get("payload")).isNull();
        assertThat(row.get("payload_purged_at")).isNotNull();
        assertThat(row.get("resource_id")).isEqualTo(Long.toString(orderId));
        assertThat(row.get("payload_sha256")).isNotNull();
        assertThat(jdbc.queryForObject("SELECT payload IS NOT NULL FROM webhook_event WHERE id = ?", Boolean.class,
                fresh)).isTrue();
        // a purged event cannot be replayed
        assertThat(http().send(http().request("/api/v1/webhooks/events/" + eventId + "/replay")
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).headers(auth()).build()).status())
                .isEqualTo(409);
    }

    @Test
    void concurrentWorkersAsOnSeveralInstancesProcessEachEventOnce() throws Exception {
        long base = uniqueId();
        int n = 300;
        for (int i = 0; i < n; i++) {
            String id = Long.toString(base + i);
            byte[] body = WooCommerceSender.wpJson(WooCommerceSender.sample("order").put("id", base + i))
                    .getBytes(StandardCharsets.UTF_8);
            inbox.store(new WebhookInbox.NewEvent("woocommerce", "default", "webhook", "order.created", "order", id,
                    null, null, "2017-03-22T19:28:08",
                    WebhookIntake.dedupeKey("default", "order", id, "2017-03-22T19:28:08",
                            WebhookSignatures.sha256Hex(body)),
                    WebhookSignatures.sha256Hex(body), "{}", body));
        }
        // four more drainers racing the hub's own workers, like other instances on the same database
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        var results = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
        for (int t = 0; t < 4; t++) {
            results.add(pool.submit(worker::drain));
        }
        for (var r : results) {
            r.get();
        }
        pool.shutdown();
        String ids = "SELECT (" + base + " + g)::text FROM generate_series(0, " + (n - 1) + ") g";
        await(() -> jdbc.queryForObject("SELECT count(*) FROM webhook_event WHERE resource_id IN (" + ids
                + ") AND status = 'processed'", Integer.class), c -> c == n, "all processed");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM wc_order WHERE source = 'default' AND order_id"
                + " BETWEEN ? AND ? AND events_applied = 1", Integer.class, base, base + n - 1)).isEqualTo(n);
        // order.created without a customer note hands nothing off
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_handoff WHERE resource_id IN (" + ids + ")",
                Integer.class)).isZero();
    }

    @Test
    void metricsCountReceivedProcessedAndQueue() {
        long eventId = woo().deliver("default", "action.woocommerce_bench",
                "{\"action\":\"woocommerce_bench\",\"arg\":" + uniqueId() + "}").json().get("eventId").asLong();
        assertThat(awaitSettled(eventId)).isEqualTo("processed");
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_event WHERE id = ?", String.class, eventId))
                .isEqualTo("no-handler");
        String metrics = await(() -> http().get("/metrics").body(), m -> m.contains("hub_webhooks_queue_depth"),
                "queue gauge");
        assertThat(metrics).contains("hub_webhooks_received_total{").contains("hub_webhooks_processed_total{")
                .contains("hub_webhooks_queue_oldest_age_seconds");
        assertThat(metricSum("hub_webhooks_received_total", "action.woocommerce_bench")).isGreaterThanOrEqualTo(1);
        // deliveries are timed by their intake route (Spring's per-request observation skips them: WebhookObservation)
        assertThat(metrics).containsPattern(
                "camel_route_policy_seconds_count\\{[^}]*routeId=\"webhook-intake-woocommerce\"")
                .doesNotContainPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/webhooks/");
    }
}
