package com.skyyrose.hub.partners;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.skyyrose.hub.support.TestHttp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Event subscriptions end to end: store webhooks → partner events in the store event's transaction → signed
 * deliveries to WireMock receivers, verified with the Standard Webhooks algorithm written in the test; ordering per
 * resource, retries → dead letters → automatic disable → resume and replay, secret rotation, pause, the SSRF
 * check, and usage figures.
 */
class PartnerDeliveriesTest extends PartnerHubTest {

    @AfterAll
    static void stopReceiver() {
        RECEIVER.resetAll();
    }

    String receiver(String path, int status) {
        RECEIVER.stubFor(post(urlEqualTo(path)).willReturn(status == 200 ? ok() : aResponse().withStatus(status)));
        return "http://127.0.0.1:" + RECEIVER.port() + path;
    }

    static List<LoggedRequest> received(String path) {
        return RECEIVER.findAll(postRequestedFor(urlEqualTo(path)));
    }

    JsonNode subscribe(String[] partner, String url, String topics) {
        TestHttp.Reply r = http().postJson("/api/v1/partner/subscriptions", "{\"url\":\"" + url + "\",\"topics\":["
                + topics + "]}", auth(partner));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    static final String ALL = "\"product.updated\",\"product.deleted\",\"inventory.changed\",\"order.status_changed\"";

    @Test
    void signedEventsReachEachSubscriberInOrderPerResourceAndOrdersOnlyTheirPartner() throws Exception {
        String m = marker();
        String[] a = partner("Events A");
        String[] b = partner("Events B");
        String pathA = "/hooks/a-" + m;
        String pathB = "/hooks/b-" + m;
        JsonNode subA = subscribe(a, receiver(pathA, 200), ALL);
        JsonNode subB = subscribe(b, receiver(pathB, 200), ALL);
        assertThat(subA.get("id").asText()).startsWith("sub_");
        String secretA = subA.get("secret").asText();
        String secretB = subB.get("secret").asText();
        assertThat(secretA).startsWith("whsec_");
        assertThat(http().get("/api/v1/partner/subscriptions/" + subA.get("id").asText(), auth(a)).body())
                .doesNotContain(secretA);

        // A holds its deliveries back, so every event below is queued at once: order must come from the worker
        assertThat(http().postJson("/api/v1/partner/subscriptions/" + subA.get("id").asText() + "/pause", "",
                auth(a)).json().get("status").asText()).isEqualTo("paused");
        long productId = newId();
        String sku = "EVT-" + m;
        Instant t = Instant.now().minusSeconds(600);
        for (int q = 10; q >= 5; q--) {
            send("product.updated", product(productId, sku, "publish", "instock", q, t.plusSeconds(10 - q)));
            int expected = q;
            await("stock " + q + " applied", () -> {
                JsonNode item = catalogItem(sku, auth(b));
                return item != null && item.get("stock_quantity").asInt() == expected;
            });
        }
        long orderId = newId();
        send("order.created", order(orderId, "processing", a[0], t));
        await("order mirrored", () -> http().get("/api/v1/partner/orders/" + orderId, auth(a)).status() == 200);
        send("order.updated", order(orderId, "completed", a[0], t.plusSeconds(5)));
        await("order completed", () -> "completed".equals(http().get("/api/v1/partner/orders/" + orderId, auth(a))
                .json().path("status").asText()));
        // unpublishing takes the product out of the catalog: product.deleted
        send("product.updated", product(productId, sku, "draft", "instock", 5, t.plusSeconds(30)));

        // 6 product.updated + 5 inventory.changed + 1 product.deleted; B gets none of A's order events
        await("B's deliveries", () -> received(pathB).size() >= 12);
        assertThat(received(pathA)).isEmpty();
        assertThat(http().postJson("/api/v1/partner/subscriptions/" + subA.get("id").asText() + "/resume", "",
                auth(a)).json().get("status").asText()).isEqualTo("active");
        await("A's deliveries", () -> received(pathA).size() >= 14);
        Thread.sleep(300);
        assertThat(received(pathA)).hasSize(14);
        assertThat(received(pathB)).hasSize(12);

        for (var entry : Map.of(pathA, secretA, pathB, secretB).entrySet()) {
            List<String> productSequence = new ArrayList<>();
            for (LoggedRequest r : received(entry.getKey())) {
                String body = r.getBodyAsString();
                assertThat(verifies(entry.getValue(), r.getHeader("webhook-id"), r.getHeader("webhook-timestamp"),
                        body, r.getHeader("webhook-signature"))).as("signature of " + body).isTrue();
                assertThat(r.getHeader("webhook-id")).startsWith("msg_");
                assertThat(r.getHeader("Content-Type")).startsWith("application/json");
                JsonNode event = TestHttp.json().readTree(body);
                assertThat(event.get("timestamp").asText()).isNotBlank();
                String type = event.get("type").asText();
                if (type.startsWith("product.") || type.equals("inventory.changed")) {
                    productSequence.add(type + ":" + event.get("data").path("stock_quantity").asText(""));
                }
                if (type.equals("order.status_changed")) {
                    assertThat(entry.getKey()).isEqualTo(pathA);
                    assertThat(event.get("data").get("id").asLong()).isEqualTo(orderId);
                    assertThat(body).doesNotContain("john.doe@example.com", "billing", "969 Market");
                }
            }
            // per resource, in the order the store changed it
            assertThat(productSequence).as(entry.getKey()).containsExactly("product.updated:10",
                    "product.updated:9", "inventory.changed:9", "product.updated:8", "inventory.changed:8",
                    "product.updated:7", "inventory.changed:7", "product.updated:6", "inventory.changed:6",
                    "product.updated:5", "inventory.changed:5", "product.deleted:");
        }
        List<String> orderStatuses = new ArrayList<>();
        for (LoggedRequest r : received(pathA)) {
            JsonNode event = TestHttp.json().readTree(r.getBodyAsString());
            if (event.get("type").asText().equals("order.status_changed")) {
                orderStatuses.add(event.get("data").get("previous_status").asText("null") + ">"
                        + event.get("data").get("status").asText());
            }
        }
        assertThat(orderStatuses).containsExactly("null>processing", "processing>completed");
        JsonNode inventory = received(pathB).stream().map(r -> {
            try {
                return TestHttp.json().readTree(r.getBodyAsString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).filter(e -> e.get("type").asText().equals("inventory.changed")).findFirst().orElseThrow();
        assertThat(inventory.get("data").get("previous").get("stock_quantity").asInt()).isEqualTo(10);
        assertThat(inventory.get("data").get("sku").asText()).isEqualTo(sku);

        // the deliveries list: attempts, status codes, latency
        JsonNode deliveries = http().get("/api/v1/partner/subscriptions/" + subA.get("id").asText()
                + "/deliveries?limit=100", auth(a)).json().get("items");
        assertThat(deliveries).hasSize(14);
        for (JsonNode d : deliveries) {
            assertThat(d.get("status").asText()).isEqualTo("delivered");
            assertThat(d.get("attempts").asInt()).isEqualTo(1);
            assertThat(d.get("last_status_code").asInt()).isEqualTo(200);
            assertThat(d.get("attempt_log").get(0).get("latency_ms").isInt()).isTrue();
            assertThat(d.get("lag_ms").asLong()).isGreaterThanOrEqualTo(0);
        }

        // usage: requests and deliveries per partner, for the partner and on the admins' page and in /metrics
        JsonNode usage = http().get("/api/v1/partner/usage", auth(a)).json();
        assertThat(usage.get("requests").asLong()).isGreaterThan(3);
        assertThat(usage.get("deliveries").asLong()).isEqualTo(14);
        assertThat(usage.get("lag_p99_ms").isNumber()).isTrue();
        String all = http().get("/api/v1/partner-usage", admin()).body();
        assertThat(all).contains(a[0], b[0]);
        String metrics = http().get("/metrics").body();
        assertThat(metrics).containsPattern("hub_partner_requests_total\\{[^}]*partner=\"" + a[0] + "\"")
                .containsPattern("hub_partner_deliveries_total\\{[^}]*outcome=\"delivered\"[^}]*partner=\"" + a[0]
                        + "\"")
                .containsPattern("hub_partner_delivery_lag_seconds_count\\{[^}]*partner=\"" + b[0] + "\"");
    }

    @Test
    void aFailingReceiverIsRetriedThenDeadLetteredThenDisabledAndReplayDeliversTheSameMessage() {
        String m = marker();
        String[] a = partner("Failing Receiver");
        String path = "/hooks/fail-" + m;
        JsonNode sub = subscribe(a, receiver(path, 500), "\"product.updated\"");
        String subId = sub.get("id").asText();
        Instant t = Instant.now().minusSeconds(300);
        send("product.updated", product(newId(), "FAIL-1-" + m, "publish", "instock", 1, t));
        send("product.updated", product(newId(), "FAIL-2-" + m, "publish", "instock", 1, t));

        String deliveriesPath = "/api/v1/partner/subscriptions/" + subId + "/deliveries";
        await("two dead letters", () -> http().get(deliveriesPath + "?status=dead", auth(a)).json().get("items")
                .size() == 2);
        JsonNode dead = http().get(deliveriesPath + "?status=dead", auth(a)).json().get("items");
        for (JsonNode d : dead) {
            assertThat(d.get("attempts").asInt()).as("retried before the dead letter").isGreaterThan(2);
            assertThat(d.get("last_status_code").asInt()).isEqualTo(500);
            assertThat(d.get("last_error").asText()).contains("500");
            assertThat(d.get("attempt_log")).hasSize(d.get("attempts").asInt());
            d.get("attempt_log").forEach(at -> assertThat(at.get("status_code").asInt()).isEqualTo(500));
            // every attempt is the same message: one webhook-id, the body signed anew each time
            List<LoggedRequest> tries = received(path).stream().filter(r -> r.getHeader("webhook-id")
                    .equals(d.get("webhook_id").asText())).toList();
            assertThat(tries).hasSize(d.get("attempts").asInt());
            tries.forEach(r -> assertThat(verifies(sub.get("secret").asText(), r.getHeader("webhook-id"),
                    r.getHeader("webhook-timestamp"), r.getBodyAsString(), r.getHeader("webhook-signature"))).isTrue());
        }
        JsonNode status = http().get("/api/v1/partner/subscriptions/" + subId, auth(a)).json();
        assertThat(status.get("status").asText()).isEqualTo("disabled");
        assertThat(status.get("disabled_reason").asText()).contains("dead letters in a row").contains("HTTP 500");
        JsonNode usage = http().get("/api/v1/partner/usage", auth(a)).json();
        assertThat(usage.get("failures").asLong()).isGreaterThan(4);
        assertThat(usage.get("dead_letters").asLong()).isEqualTo(2);

        // the receiver is fixed; replay queues the dead letter again, resume sends it with the same webhook-id
        receiver(path, 200);
        long first = dead.get(0).get("id").asLong();
        String replayPath = deliveriesPath + "/" + first + "/replay";
        TestHttp.Reply replay = http().postJson(replayPath, "", auth(a));
        assertThat(replay.status()).as(replay.body()).isEqualTo(202);
        assertThat(replay.json().get("status").asText()).isEqualTo("pending");
        assertThat(http().postJson(replayPath, "", auth(a)).status()).isEqualTo(409);
        int before = received(path).size();
        JsonNode resumed = http().postJson("/api/v1/partner/subscriptions/" + subId + "/resume", "", auth(a)).json();
        assertThat(resumed.get("status").asText()).isEqualTo("active");
        assertThat(resumed.path("disabled_reason").isMissingNode() || resumed.get("disabled_reason").isNull()).isTrue();
        await("replayed delivery delivered", () -> http().get(deliveriesPath + "?status=delivered", auth(a)).json()
                .get("items").size() == 1);
        List<LoggedRequest> after = received(path).subList(before, received(path).size());
        assertThat(after).hasSize(1);
        assertThat(after.get(0).getHeader("webhook-id")).isEqualTo(dead.get(0).get("webhook_id").asText());
        assertThat(http().get("/metrics").body()).containsPattern("hub_partner_deliveries_total\\{[^}]*outcome=\"dead\""
                + "[^}]*partner=\"" + a[0] + "\"");
    }

    @Test
    void aRotatedSecretSignsBesideThePreviousOneAndPauseHoldsDeliveries() throws Exception {
        String m = marker();
        String[] a = partner("Rotating");
        String path = "/hooks/rotate-" + m;
        JsonNode sub = subscribe(a, receiver(path, 200), "\"product.updated\"");
        String subId = sub.get("id").asText();
        String oldSecret = sub.get("secret").asText();
        TestHttp.Reply rotated = http().postJson("/api/v1/partner/subscriptions/" + subId + "/rotate-secret", "",
                auth(a));
        assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
        String newSecret = rotated.json().get("secret").asText();
        assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);

        http().postJson("/api/v1/partner/subscriptions/" + subId + "/pause", "", auth(a));
        String sku = "ROT-" + m;
        send("product.updated", product(newId(), sku, "publish", "instock", 4, Instant.now().minusSeconds(5)));
        await("product mirrored", () -> catalogItem(sku, auth(a)) != null);
        await("delivery queued", () -> http().get("/api/v1/partner/subscriptions/" + subId, auth(a)).json()
                .get("pending").asInt() == 1);
        Thread.sleep(500);
        assertThat(received(path)).as("paused: nothing sent").isEmpty();
        http().postJson("/api/v1/partner/subscriptions/" + subId + "/resume", "", auth(a));
        await("delivered after resume", () -> received(path).size() == 1);

        LoggedRequest r = received(path).get(0);
        String header = r.getHeader("webhook-signature");
        assertThat(header.split(" ")).hasSize(2);
        for (String secret : List.of(newSecret, oldSecret)) {
            assertThat(verifies(secret, r.getHeader("webhook-id"), r.getHeader("webhook-timestamp"),
                    r.getBodyAsString(), header)).isTrue();
        }
        assertThat(verifies("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]),
                r.getHeader("webhook-id"), r.getHeader("webhook-timestamp"), r.getBodyAsString(), header)).isFalse();
        // a body changed in transit does not verify
        assertThat(verifies(newSecret, r.getHeader("webhook-id"), r.getHeader("webhook-timestamp"),
                r.getBodyAsString().replace(sku, sku + "X"), header)).isFalse();

        assertThat(http().method("DELETE", "/api/v1/partner/subscriptions/" + subId, auth(a)).status())
                .isEqualTo(204);
        assertThat(http().get("/api/v1/partner/subscriptions/" + subId, auth(a)).status()).isEqualTo(404);
    }

    @Test
    void subscriptionUrlsPassTheSsrfGuardAndTopicsAreChecked() {
        String[] a = partner("Careless");
        Map<String, Integer> refused = Map.of(
                "http://hooks.example.com/x", 400,          // https only (not allow-listed)
                "https://10.1.2.3/x", 400,                  // private address
                "https://169.254.169.254/latest/meta-data", 400,
                "https://[::ffff:127.0.0.1]/x", 400,
                "not a url", 400);
        List<String> failures = new ArrayList<>();
        for (var e : refused.entrySet()) {
            TestHttp.Reply r = http().postJson("/api/v1/partner/subscriptions", "{\"url\":\"" + e.getKey()
                    + "\",\"topics\":[\"product.updated\"]}", auth(a));
            if (r.status() != e.getValue() || !r.contentType().startsWith("application/problem+json")) {
                failures.add(e.getKey() + " -> " + r.status() + " " + r.body());
            }
        }
        assertThat(failures).isEmpty();
        TestHttp.Reply topic = http().postJson("/api/v1/partner/subscriptions",
                "{\"url\":\"https://hooks.example.com/x\",\"topics\":[\"customer.created\"]}", auth(a));
        assertThat(topic.status()).isEqualTo(400);
        assertThat(topic.body()).contains("topics");
        // a credential bound to no partner cannot subscribe
        assertThat(http().postJson("/api/v1/partner/subscriptions", "{\"url\":\"" + receiver("/hooks/none", 200)
                + "\",\"topics\":[\"product.updated\"]}", admin()).status()).isEqualTo(409);
        assertThat(http().get("/api/v1/partner/subscriptions", auth(a)).json().get("items").size()).isZero();
        assertThat(received("/hooks/none")).isEmpty();
    }

    @Test
    void aStaleOrRepeatedStoreEventMakesNoEventAndA410DisablesTheSubscription() throws Exception {
        String m = marker();
        String[] a = partner("Gone Receiver");
        String path = "/hooks/gone-" + m;
        JsonNode sub = subscribe(a, receiver(path, 200), "\"product.updated\"");
        String subId = sub.get("id").asText();
        // the signing secret is stored encrypted, never in clear
        String stored = jdbc.queryForObject("SELECT secret_enc FROM partner_subscription WHERE id = ?", String.class,
                subId);
        assertThat(stored).doesNotContain(sub.get("secret").asText().substring(6));

        long id = newId();
        String sku = "DUP-" + m;
        Instant t = Instant.now().minusSeconds(120);
        var newer = product(id, sku, "publish", "instock", 3, t.plusSeconds(60));
        send("product.updated", newer);
        await("first delivery", () -> received(path).size() == 1);
        send("product.updated", newer);                                           // the same state again
        send("product.updated", product(id, sku, "publish", "instock", 9, t));    // an older state, late
        await("both store events settled", () -> jdbc.queryForObject("SELECT count(*) FROM webhook_event WHERE"
                + " resource_id = ? AND status = 'pending'", Long.class, Long.toString(id)) == 0);
        Thread.sleep(500);
        assertThat(received(path)).hasSize(1);

        receiver(path, 410);
        send("product.updated", product(id, sku, "publish", "instock", 2, Instant.now()));
        await("disabled after 410", () -> "disabled".equals(http().get("/api/v1/partner/subscriptions/" + subId,
                auth(a)).json().path("status").asText()));
        assertThat(http().get("/api/v1/partner/subscriptions/" + subId, auth(a)).json().get("disabled_reason")
                .asText()).contains("410");
    }

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;
}
