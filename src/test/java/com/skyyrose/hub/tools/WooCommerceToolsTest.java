package com.skyyrose.hub.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.security.Principal;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The registry, the router and every WooCommerce tool against a fake store speaking REST v3. */
class WooCommerceToolsTest extends HubIntegrationTest {

    static final WooCommerceFake STORE = new WooCommerceFake();

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        registry.add("WOOCOMMERCE_URL", STORE::url);
        registry.add("WOOCOMMERCE_CONSUMER_KEY", () -> WooCommerceFake.KEY);
        registry.add("WOOCOMMERCE_CONSUMER_SECRET", STORE::secret);
    }

    @AfterAll
    static void stop() {
        STORE.close();
    }

    @Autowired
    ProducerTemplate producer;
    @Autowired
    StringRedisTemplate redis;

    @BeforeEach
    void resetStore() {
        STORE.reset();
    }

    TestHttp.Reply invoke(String tool, String arguments) {
        return http().postJson("/api/v1/tools/" + tool + "/invocations", "{\"arguments\":" + arguments + "}",
                TestAuth.admin(http()));
    }

    @Test
    void registryListsEveryToolRouteWithItsDescriptor() {
        TestHttp.Reply reply = http().get("/api/v1/tools", TestAuth.admin(http()));
        assertThat(reply.status()).isEqualTo(200);
        List<String> names = new java.util.ArrayList<>();
        reply.json().get("tools").forEach(t -> names.add(t.get("name").asText()));
        assertThat(names).contains("woocommerce.products.list", "woocommerce.products.get",
                "woocommerce.products.create", "woocommerce.products.update", "woocommerce.products.batch",
                "woocommerce.orders.list", "woocommerce.orders.get", "woocommerce.orders.update_status",
                "woocommerce.customers.get");
        assertThat(reply.json().get("count").asInt()).isEqualTo(names.size());
        // every registered tool is invoked by a test (this class, ToolJobsTest, WordPressToolsTest): a new tool
        // route with a descriptor must be added here together with its test
        assertThat(names).containsExactlyInAnyOrder("woocommerce.products.list", "woocommerce.products.get",
                "woocommerce.products.create", "woocommerce.products.update", "woocommerce.products.batch",
                "woocommerce.orders.list", "woocommerce.orders.get", "woocommerce.orders.update_status",
                "woocommerce.customers.get", "wordpress.posts.create", "wordpress.posts.update",
                "wordpress.media.upload", "tripo3d.generate", "fashn.tryon");

        JsonNode one = http().get("/api/v1/tools/woocommerce.products.batch", TestAuth.admin(http())).json();
        assertThat(one.get("severity").asText()).isEqualTo("destructive");
        assertThat(one.get("idempotent").asBoolean()).isFalse();
        assertThat(one.get("permission").asText()).isEqualTo("woocommerce:write");
        assertThat(one.get("parameters").get("type").asText()).isEqualTo("object");
        assertThat(http().get("/api/v1/tools/nope.nothing.here", TestAuth.admin(http())).status()).isEqualTo(404);
    }

    @Test
    void listWalksEveryPageWithSignedRequests() {
        for (int i = 0; i < 25; i++) {
            STORE.addProduct("Rose " + i, "49.00");
        }
        TestHttp.Reply reply = invoke("woocommerce.products.list", "{\"all_pages\": true, \"per_page\": 10}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode result = reply.json().get("result");
        assertThat(result.get("items")).hasSize(25);
        assertThat(result.get("total").asInt()).isEqualTo(25);
        assertThat(result.get("total_pages").asInt()).isEqualTo(3);
        assertThat(result.get("pages_fetched").asInt()).isEqualTo(3);
        var requests = STORE.requests("GET", "/wp-json/wc/v3/products");
        assertThat(requests).hasSize(3);
        // plain-http store: OAuth 1.0a one-legged, signed in the query (the fake recomputes the HMAC)
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.queryParameter("oauth_signature_method").firstValue()).isEqualTo("HMAC-SHA256");
            assertThat(r.queryParameter("oauth_consumer_key").firstValue()).isEqualTo(WooCommerceFake.KEY);
            assertThat(r.getHeader("Authorization")).isNull();
        });
        assertThat(requests.stream().map(r -> r.queryParameter("page").firstValue())).containsExactly("1", "2", "3");

        TestHttp.Reply single = invoke("woocommerce.products.list", "{\"page\": 2, \"per_page\": 20}");
        assertThat(single.json().get("result").get("items")).hasSize(5);
        assertThat(single.json().get("result").get("pages_fetched").asInt()).isEqualTo(1);
    }

    @Test
    void notFoundAndBadCredentialsAreMapped() {
        TestHttp.Reply missing = invoke("woocommerce.products.get", "{\"id\": 999999}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("vendor_code").asText()).isEqualTo("woocommerce_rest_product_invalid_id");
        assertThat(missing.json().get("detail").asText()).contains("WooCommerce: Invalid ID.");

        long id = STORE.addProduct("Black Rose Hoodie", "120.00").get("id").asLong();
        STORE.rotateSecret("cs_rotated");
        TestHttp.Reply denied = invoke("woocommerce.products.get", "{\"id\": " + id + "}");
        assertThat(denied.status()).isEqualTo(502);
        assertThat(denied.json().get("vendor_status").asInt()).isEqualTo(401);
        assertThat(denied.json().get("detail").asText()).contains("refused the hub's credentials")
                .contains("woocommerce_rest_cannot_view");
        // a 401 is not retried
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/products/" + id)).hasSize(1);
    }

    @Test
    void batchOverOneHundredIsSplit() {
        StringBuilder create = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            create.append(i == 0 ? "" : ",").append("{\"name\":\"Rose ").append(i).append("\",\"regular_price\":\"10.00\"}");
        }
        long doomed = STORE.addProduct("Old", "1.00").get("id").asLong();
        TestHttp.Reply reply = invoke("woocommerce.products.batch",
                "{\"create\": [" + create + "], \"delete\": [" + doomed + "]}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode result = reply.json().get("result");
        assertThat(result.get("create")).hasSize(250);
        assertThat(result.get("delete")).hasSize(1);
        assertThat(result.get("requests").asInt()).isEqualTo(3);
        var batches = STORE.requests("POST", "/wp-json/wc/v3/products/batch");
        assertThat(batches).hasSize(3);
        assertThat(batches).allSatisfy(r -> {
            JsonNode body = json(r.getBodyAsString());
            assertThat(body.path("create").size() + body.path("delete").size()).isLessThanOrEqualTo(100);
        });
        assertThat(STORE.productCount()).isEqualTo(250);
    }

    @Test
    void everyOtherWooCommerceToolReachesTheStore() {
        TestHttp.Reply created = invoke("woocommerce.products.create",
                "{\"product\": {\"name\": \"Black Rose Hoodie\", \"regular_price\": \"120.00\", \"status\": \"draft\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        long id = created.json().get("result").get("id").asLong();
        assertThat(STORE.product(id).get("name").asText()).isEqualTo("Black Rose Hoodie");

        TestHttp.Reply updated = invoke("woocommerce.products.update",
                "{\"id\": " + id + ", \"changes\": {\"sale_price\": \"99.00\"}}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(STORE.product(id).get("sale_price").asText()).isEqualTo("99.00");
        assertThat(STORE.requests("PUT", "/wp-json/wc/v3/products/" + id)).hasSize(1);

        TestHttp.Reply got = invoke("woocommerce.products.get", "{\"id\": " + id + "}");
        assertThat(got.json().get("result").get("regular_price").asText()).isEqualTo("120.00");

        long orderId = STORE.addOrder("processing", "240.00").get("id").asLong();
        STORE.addOrder("completed", "80.00");
        TestHttp.Reply orders = invoke("woocommerce.orders.list", "{\"status\": \"processing\"}");
        assertThat(orders.json().get("result").get("items").findValuesAsText("id")).containsExactly(Long.toString(orderId));
        assertThat(invoke("woocommerce.orders.get", "{\"id\": " + orderId + "}").json().get("result").get("total")
                .asText()).isEqualTo("240.00");
        TestHttp.Reply status = invoke("woocommerce.orders.update_status",
                "{\"id\": " + orderId + ", \"status\": \"completed\"}");
        assertThat(status.status()).isEqualTo(200);
        assertThat(STORE.order(orderId).get("status").asText()).isEqualTo("completed");

        long customerId = STORE.addCustomer("ava@example.com").get("id").asLong();
        TestHttp.Reply customer = invoke("woocommerce.customers.get", "{\"id\": " + customerId + "}");
        assertThat(customer.json().get("result").get("email").asText()).isEqualTo("ava@example.com");
        assertThat(customer.json().get("tool").asText()).isEqualTo("woocommerce.customers.get");

        // calls, errors and latency per tool and per connector
        String metrics = http().get("/metrics").body();
        assertThat(metrics).containsPattern("hub_tools_invocations_seconds_count\\{[^}]*outcome=\"success\"[^}]*"
                + "tool=\"woocommerce.customers.get\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("hub_connector_calls_seconds_count\\{[^}]*connector=\"woocommerce\"[^}]*"
                + "operation=\"orders.update_status\"[^}]*outcome=\"2xx\"[^}]*} [1-9]");
    }

    @Test
    void argumentsAreCheckedAgainstTheToolSchema() {
        TestHttp.Reply wrongType = invoke("woocommerce.products.get", "{\"id\": \"forty-two\"}");
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("errors").findValuesAsText("field")).containsExactly("/arguments/id");

        TestHttp.Reply missing = invoke("woocommerce.orders.update_status", "{\"id\": 5}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().get("errors").findValuesAsText("field")).contains("/arguments/status");

        TestHttp.Reply extra = invoke("woocommerce.products.get", "{\"id\": 5, \"drop_table\": true}");
        assertThat(extra.status()).isEqualTo(400);
        assertThat(extra.json().get("errors").findValuesAsText("field")).contains("/arguments/drop_table");
        // nothing reached the store
        assertThat(STORE.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void aPrincipalWithoutTheToolPermissionIsRefused() {
        long id = STORE.addOrder("processing", "10.00").get("id").asLong();
        Principal reader = new Principal("u-" + UUID.randomUUID(), Principal.Kind.USER, "Reader", Set.of("viewer"),
                Set.of("tools:invoke", "woocommerce:read"));
        Map<String, Object> request = Map.of("tool", "woocommerce.orders.update_status",
                "arguments", Map.of("id", id, "status", "completed"));
        Exception refused = producer.send("direct:tool-dispatch", ex -> {
            ex.setProperty(Principal.EXCHANGE_PROPERTY, reader);
            ex.getMessage().setBody(request);
        }).getException();
        assertThat(refused).isInstanceOf(ProblemException.class);
        assertThat(((ProblemException) refused).problem().status()).isEqualTo(403);
        assertThat(refused.getMessage()).contains("woocommerce:orders");
        assertThat(STORE.order(id).get("status").asText()).isEqualTo("processing");

        // the same principal may read, and gets the router's {tool, result}
        Object reply = producer.send("direct:tool-dispatch", ex -> {
            ex.setProperty(Principal.EXCHANGE_PROPERTY, reader);
            ex.getMessage().setBody(Map.of("tool", "woocommerce.orders.get", "arguments", Map.of("id", id)));
        }).getMessage().getBody();
        assertThat(reply).isInstanceOf(Map.class);
        assertThat(((JsonNode) ((Map<?, ?>) reply).get("result")).get("id").asLong()).isEqualTo(id);
    }

    @Test
    void overHttpACallerWithoutTheToolPermissionGets403AndTheStoreIsUntouched() {
        long id = STORE.addOrder("processing", "12.00").get("id").asLong();
        String[] reader = TestAuth.withPermissions(http(), "tools:invoke", "woocommerce:read");
        TestHttp.Reply refused = http().postJson("/api/v1/tools/woocommerce.orders.update_status/invocations",
                "{\"arguments\":{\"id\":" + id + ",\"status\":\"completed\"}}", reader);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asText()).contains("woocommerce:orders");
        assertThat(STORE.order(id).get("status").asText()).isEqualTo("processing");

        TestHttp.Reply read = http().postJson("/api/v1/tools/woocommerce.orders.get/invocations",
                "{\"arguments\":{\"id\":" + id + "}}", reader);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).contains("\"id\":" + id);
    }

    @Test
    void theToolRateLimitAnswers429WithRetryAfter() {
        long id = STORE.addCustomer("rate@example.com").get("id").asLong();
        com.skyyrose.hub.support.RateLimitBuckets.clear(redis, "tool:woocommerce.customers.get:");
        try {
            int allowed = 0;
            TestHttp.Reply reply = null;
            for (int i = 0; i < 70; i++) {
                reply = invoke("woocommerce.customers.get", "{\"id\": " + id + "}");
                if (reply.status() != 200) {
                    break;
                }
                allowed++;
            }
            // 60 per minute: the bucket's 60 plus what refilled while the loop ran (1 per second)
            assertThat(allowed).isBetween(60, 69);
            assertThat(reply.status()).isEqualTo(429);
            assertThat(Long.parseLong(reply.header("Retry-After").orElseThrow())).isPositive();
            assertThat(STORE.requests("GET", "/wp-json/wc/v3/customers/" + id)).hasSize(allowed);
        } finally {
            com.skyyrose.hub.support.RateLimitBuckets.clear(redis, "tool:woocommerce.customers.get:");
        }
    }

    private static JsonNode json(String text) {
        try {
            return TestHttp.json().readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
