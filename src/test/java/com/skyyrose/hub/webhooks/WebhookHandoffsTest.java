package com.skyyrose.hub.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.skyyrose.hub.agents.AgentTestFakes;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * Webhooks reach the knowledge base and the SuperAgents: signed WooCommerce deliveries (as WooCommerce sends them)
 * go through the inbox, the topic router and the hand-off queue; the product is then found by the knowledge search
 * API, and the agent runs are listed by {@code GET /api/v1/runs?trigger=webhook} with their trigger. The LLM panel
 * and the shop are WireMock fakes; PostgreSQL and Redis are real. The hub runs on a database of its own, so no other
 * cached test hub (with other LLM settings) drains these hand-offs.
 */
@TestPropertySource(properties = {
        "WOOCOMMERCE_WEBHOOK_SECRET=handoff-secret",
        "HUB_WEBHOOKS_POLL_INTERVAL=50ms",
        "HUB_HANDOFFS_POLL_INTERVAL=100ms",
        "HUB_WEBHOOKS_BACKOFF_BASE=100ms",
        "HUB_WEBHOOKS_BACKOFF_MAX=300ms",
        "HUB_WEBHOOKS_MAX_ATTEMPTS=3",
        "HUB_WEBHOOKS_RECONCILE_ENABLED=false",
        "HUB_LOW_STOCK_THRESHOLD=5",
        "hub.knowledge.seed=false"
})
class WebhookHandoffsTest extends HubIntegrationTest {

    private static final String KEY = "handoff-secret";

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();
    static final WooCommerceFake STORE = FAKES.store;

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
        // generous: the first round table of a cold JVM on the shared test machine can take seconds
        registry.add("HUB_LLM_DEADLINE_MS", () -> "30000");
        String database = freshDatabase("handoffs");
        registry.add("DATABASE_URL", () -> database);
    }

    @Autowired
    JdbcTemplate jdbc;

    @BeforeEach
    void reset() {
        FAKES.panel.forEach(LlmVendorFake::reset);
    }

    private static void panelAnswers(String answer) {
        FAKES.panel.forEach(f -> f.answers("{\"answer\":\"" + answer + "\",\"actions\":[]}"));
    }

    private long deliver(String topic, String body) {
        TestHttp.Reply reply = new WooCommerceSender(http(), KEY).deliver("default", topic, body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("eventId").asLong();
    }

    private static <T> T await(Supplier<T> value, Predicate<T> done, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = value.get();
            if (done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(what + " not reached; last value " + last);
    }

    /** The event is processed and every hand-off it recorded is finished. */
    private List<Map<String, Object>> awaitHandoffsFinished(long eventId) {
        await(() -> jdbc.queryForObject("SELECT status FROM webhook_event WHERE id = ?", String.class, eventId),
                "processed"::equals, "event " + eventId + " processed");
        return await(() -> jdbc.queryForList("SELECT target, status, attempts, outcome, last_error FROM"
                + " webhook_handoff WHERE event_id = ? ORDER BY id", eventId),
                rows -> rows.stream().noneMatch(r -> List.of("pending", "running").contains(r.get("status"))),
                "hand-offs of event " + eventId + " finished");
    }

    private List<String> searchSources(String query) {
        JsonNode results = http().postJson("/api/v1/knowledge/search", "{\"query\":\"" + query + "\",\"k\":3}",
                TestAuth.admin(http())).json().get("results");
        List<String> sources = new ArrayList<>();
        results.forEach(r -> sources.add(r.get("source_id").asText()));
        return sources;
    }

    /** The webhook-started runs (admin's view) whose trigger names this event. */
    private List<JsonNode> webhookRuns(String agent, long eventId) {
        JsonNode page = http().get("/api/v1/runs?trigger=webhook&agent=" + agent + "&limit=100",
                TestAuth.admin(http())).json();
        List<JsonNode> runs = new ArrayList<>();
        page.get("items").forEach(r -> {
            if (r.at("/trigger/event_id").asLong() == eventId) {
                runs.add(r);
            }
        });
        return runs;
    }

    private static long uniqueId() {
        return ThreadLocalRandom.current().nextLong(1_000_000, 1_000_000_000L);
    }

    @Test
    void productChangesReachTheKnowledgeBaseAndLowStockWakesOperations() {
        panelAnswers("Reorder 40 units of the Midnight Rose bomber.");
        long productId = uniqueId();
        String sourceId = "wc-product-" + productId;
        ObjectNode product = WooCommerceSender.sample("product").put("id", productId)
                .put("name", "Midnight Rose Bomber").put("sku", "MRB-" + productId).put("manage_stock", true)
                .put("stock_quantity", 12).put("date_modified_gmt", "2026-12-01T10:00:00")
                .put("short_description", "<p>Quilted black satin bomber jacket.</p>")
                .put("description", "<p>A hand-embroidered crimson rose blooms across the back of this bomber.</p>");
        long created = deliver("product.created", WooCommerceSender.wpJson(product));
        assertThat(awaitHandoffsFinished(created)).extracting(r -> r.get("target") + " " + r.get("status"))
                .containsExactly("knowledge.reindex done");
        assertThat(searchSources("bomber with a hand-embroidered crimson rose").get(0)).isEqualTo(sourceId);

        // the stock falls to 3 (below 5) and the text changes: the document follows, Operations is asked
        product.put("stock_quantity", 3).put("date_modified_gmt", "2026-12-01T10:05:00")
                .put("description", "<p>Now with a detachable storm hood lined in rose-gold silk.</p>");
        long updated = deliver("product.updated", WooCommerceSender.wpJson(product));
        assertThat(awaitHandoffsFinished(updated)).extracting(r -> r.get("target") + " " + r.get("status"))
                .containsExactly("knowledge.reindex done", "agent.operations.low-stock done");
        assertThat(searchSources("detachable storm hood lined in rose-gold silk").get(0)).isEqualTo(sourceId);
        JsonNode document = http().get("/api/v1/knowledge/documents?collection=products&limit=100",
                TestAuth.admin(http())).json();
        JsonNode stored = null;
        for (JsonNode d : document.get("items")) {
            if (d.get("source_id").asText().equals(sourceId)) {
                stored = d;
            }
        }
        assertThat(stored).as("one document per product").isNotNull();
        assertThat(stored.get("title").asText()).isEqualTo("Midnight Rose Bomber");
        assertThat(stored.get("revision").asInt()).isEqualTo(2);
        String text = http().get("/api/v1/knowledge/documents/" + stored.get("id").asText(), TestAuth.admin(http()))
                .json().get("chunks").toString();
        assertThat(text).contains("detachable storm hood").contains("MRB-" + productId)
                .doesNotContain("crimson rose blooms");

        List<JsonNode> runs = webhookRuns("operations", updated);
        assertThat(runs).hasSize(1);
        JsonNode run = http().get("/api/v1/runs/" + runs.get(0).get("id").asText(), TestAuth.admin(http())).json();
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("principal_id").asText()).isEqualTo("service:webhooks");
        assertThat(run.get("task").asText()).contains("Midnight Rose Bomber").contains("fell to 3");
        assertThat(run.get("answer").asText()).isEqualTo("Reorder 40 units of the Midnight Rose bomber.");
        assertThat(run.at("/trigger/kind").asText()).isEqualTo("webhook");
        assertThat(run.at("/trigger/event_id").asLong()).isEqualTo(updated);
        assertThat(run.at("/trigger/topic").asText()).isEqualTo("product.updated");
        assertThat(run.at("/request/parameters/product_id").asLong()).isEqualTo(productId);
        assertThat(FAKES.openAi.requests().stream().map(LoggedRequest::getBodyAsString)
                .anyMatch(b -> b.contains("Midnight Rose Bomber") && b.contains("SkyyRose Operations agent"))).isTrue();

        // still low (2): the document is refreshed, the agent is not woken again for a product that stays low
        product.put("stock_quantity", 2).put("date_modified_gmt", "2026-12-01T10:10:00");
        long stillLow = deliver("product.updated", WooCommerceSender.wpJson(product));
        assertThat(awaitHandoffsFinished(stillLow)).extracting(r -> r.get("target"))
                .containsExactly("knowledge.reindex");
        // restocked, then low again: woken again
        product.put("stock_quantity", 30).put("date_modified_gmt", "2026-12-01T10:15:00");
        awaitHandoffsFinished(deliver("product.updated", WooCommerceSender.wpJson(product)));
        product.put("stock_quantity", 4).put("date_modified_gmt", "2026-12-01T10:20:00");
        long lowAgain = deliver("product.updated", WooCommerceSender.wpJson(product));
        assertThat(awaitHandoffsFinished(lowAgain)).extracting(r -> r.get("target"))
                .containsExactly("knowledge.reindex", "agent.operations.low-stock");
        assertThat(webhookRuns("operations", lowAgain)).hasSize(1);

        // deleted in the shop: the document goes
        long deleted = deliver("product.deleted", "{\"id\":" + productId + "}");
        assertThat(awaitHandoffsFinished(deleted)).extracting(r -> r.get("target") + " " + r.get("status"))
                .containsExactly("knowledge.remove done");
        assertThat(searchSources("detachable storm hood lined in rose-gold silk")).doesNotContain(sourceId);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM knowledge_document WHERE source_id = ?", Integer.class,
                sourceId)).isZero();
    }

    @Test
    void aDraftProductIsNotInTheKnowledgeBase() {
        long productId = uniqueId();
        ObjectNode product = WooCommerceSender.sample("product").put("id", productId).put("status", "draft")
                .put("name", "Unreleased Thorn Parka").put("description", "<p>Secret winter drop, thorn embroidery.</p>");
        long created = deliver("product.created", WooCommerceSender.wpJson(product));
        assertThat(awaitHandoffsFinished(created)).extracting(r -> r.get("status")).containsExactly("done");
        assertThat(searchSources("secret winter drop thorn embroidery parka")).doesNotContain("wc-product-" + productId);
    }

    @Test
    void anOrderWithACustomerNoteRunsSupportWithTheNoteAsItsTask() {
        panelAnswers("We will gift-wrap it and add a card.");
        ObjectNode shopOrder = STORE.addOrder("processing", "89.00");
        long orderId = shopOrder.get("id").asLong();
        String note = "Please gift-wrap the Black Rose hoodie, it is a birthday present for my sister.";
        ObjectNode order = WooCommerceSender.sample("order").put("id", orderId).put("total", "89.00")
                .put("customer_note", note);
        long eventId = deliver("order.created", WooCommerceSender.wpJson(order));
        assertThat(awaitHandoffsFinished(eventId)).extracting(r -> r.get("target") + " " + r.get("status"))
                .containsExactly("agent.support.order-note done");

        List<JsonNode> runs = webhookRuns("support", eventId);
        assertThat(runs).hasSize(1);
        JsonNode listed = runs.get(0);
        assertThat(listed.get("task").asText()).isEqualTo(note);
        assertThat(listed.at("/trigger/kind").asText()).isEqualTo("webhook");
        JsonNode run = http().get("/api/v1/runs/" + listed.get("id").asText(), TestAuth.admin(http())).json();
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("answer").asText()).isEqualTo("We will gift-wrap it and add a card.");
        assertThat(run.at("/request/parameters/order_id").asLong()).isEqualTo(orderId);
        List<String> steps = new ArrayList<>();
        run.get("trace").forEach(s -> steps.add(s.get("step").asText()));
        assertThat(steps).containsExactly("brand", "rag", "tool", "round_table", "record"); // the order looked up
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/orders/" + orderId)).hasSize(1);
        assertThat(FAKES.openAi.requests().stream().map(LoggedRequest::getBodyAsString)
                .anyMatch(b -> b.contains("gift-wrap the Black Rose hoodie"))).isTrue();
        // the hand-off names the run it started
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_handoff WHERE event_id = ?", String.class, eventId))
                .isEqualTo("run " + listed.get("id").asText() + " succeeded");

        // webhook runs belong to the service principal: an operator's list does not show them, an admin's does
        String[] operator = TestAuth.withPermissions(http(), "agents:read");
        JsonNode theirs = http().get("/api/v1/runs?trigger=webhook", operator).json();
        assertThat(theirs.get("items").toString()).doesNotContain(listed.get("id").asText());
        assertThat(http().get("/api/v1/runs/" + listed.get("id").asText(), operator).status()).isEqualTo(404);
        assertThat(http().get("/api/v1/runs?trigger=api", TestAuth.admin(http())).json().get("items").toString())
                .doesNotContain(listed.get("id").asText());
        assertThat(http().get("/api/v1/runs?trigger=sometimes", TestAuth.admin(http())).status()).isEqualTo(400);

        // an order without a note wakes nobody
        long quiet = deliver("order.created", WooCommerceSender.wpJson(WooCommerceSender.sample("order")
                .put("id", uniqueId())));
        assertThat(awaitHandoffsFinished(quiet)).isEmpty();
    }

    @Test
    void aFailingHandoffIsRetriedWithBackoffThenDeadLetteredAndALeftOverLeaseIsTakenOver() {
        long productId = uniqueId();
        long eventId = deliver("product.created", WooCommerceSender.wpJson(WooCommerceSender.sample("product")
                .put("id", productId).put("name", "Lease Test Tee")));
        awaitHandoffsFinished(eventId);
        // a target nobody wrote a route for fails at every attempt: retried, then dead with the reason
        long failing = jdbc.queryForObject("INSERT INTO webhook_handoff (event_id, target, source, topic, resource,"
                + " resource_id) VALUES (?, 'agent.nobody', 'default', 'product.created', 'product', ?) RETURNING id",
                Long.class, eventId, Long.toString(productId));
        Map<String, Object> dead = await(() -> jdbc.queryForMap("SELECT status, attempts, last_error FROM"
                + " webhook_handoff WHERE id = ?", failing), r -> "dead".equals(r.get("status")), "dead letter");
        assertThat(dead.get("attempts")).isEqualTo(3);
        assertThat((String) dead.get("last_error")).contains("no route handoff-agent.nobody");
        // operators see an event's hand-offs, dead letters included, with the event
        JsonNode event = http().get("/api/v1/webhooks/events/" + eventId, TestAuth.admin(http())).json();
        assertThat(event.get("handoffs").toString()).contains("\"target\":\"knowledge.reindex\"")
                .contains("\"target\":\"agent.nobody\",\"status\":\"dead\",\"attempts\":3")
                .contains("no route handoff-agent.nobody");

        // a row left 'running' by a worker that died (its lease over) is claimed again and finished
        jdbc.update("DELETE FROM knowledge_document WHERE source_id = ?", "wc-product-" + productId);
        long orphan = jdbc.queryForObject("INSERT INTO webhook_handoff (event_id, target, source, topic, resource,"
                + " resource_id, status, attempts, next_attempt_at) VALUES (?, 'knowledge.reindex', 'default',"
                + " 'product.created', 'product', ?, 'running', 1, now() - interval '1 second') RETURNING id",
                Long.class, eventId, Long.toString(productId));
        Map<String, Object> done = await(() -> jdbc.queryForMap("SELECT status, attempts, outcome FROM webhook_handoff"
                + " WHERE id = ?", orphan), r -> "done".equals(r.get("status")), "orphaned lease taken over");
        assertThat(done.get("attempts")).isEqualTo(2);
        assertThat((String) done.get("outcome")).startsWith("indexed wc-product-" + productId);
        assertThat(searchSources("Lease Test Tee")).contains("wc-product-" + productId);
    }
}
