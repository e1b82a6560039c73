package com.skyyrose.hub.tools;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Retries (only idempotent calls, only 429/5xx/connection errors, honouring Retry-After), and the circuit breaker
 * opening on repeated 5xx — against the WooCommerce fake with failures injected in WooCommerce's error format.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectorResilienceTest extends HubIntegrationTest {

    static final WooCommerceFake STORE = new WooCommerceFake();

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        registry.add("WOOCOMMERCE_URL", STORE::url);
        registry.add("WOOCOMMERCE_CONSUMER_KEY", () -> WooCommerceFake.KEY);
        registry.add("WOOCOMMERCE_CONSUMER_SECRET", STORE::secret);
        // this store is reached with Basic auth (as over https), the other tests use OAuth 1.0a over plain http
        registry.add("WOOCOMMERCE_AUTH", () -> "basic");
        registry.add("HUB_CONNECTOR_RETRY_BASE", () -> "10ms");
        registry.add("HUB_CONNECTOR_BREAKER_MIN_CALLS", () -> "4");
        registry.add("HUB_CONNECTOR_BREAKER_OPEN_FOR", () -> "60s");
    }

    @AfterAll
    static void stop() {
        STORE.close();
    }

    @BeforeEach
    void reset() {
        STORE.reset();
    }

    TestHttp.Reply invoke(String tool, String arguments) {
        return http().postJson("/api/v1/tools/" + tool + "/invocations", "{\"arguments\":" + arguments + "}",
                TestAuth.admin(http()));
    }

    @Test
    @Order(1)
    void a429WithRetryAfterIsWaitedOutThenRetried() {
        long id = STORE.addProduct("Rose", "10.00").get("id").asLong();
        STORE.server().stubFor(get(urlPathEqualTo("/wp-json/wc/v3/products/" + id)).atPriority(1)
                .inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(WooCommerceFake.error(429, "woocommerce_rest_too_many_requests", "Too many requests.")
                        .withHeader("Retry-After", "1"))
                .willSetStateTo("open"));
        long started = System.nanoTime();
        TestHttp.Reply reply = invoke("woocommerce.products.get", "{\"id\": " + id + "}");
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().get("result").get("name").asText()).isEqualTo("Rose");
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/products/" + id)).hasSize(2).allSatisfy(r -> {
            assertThat(r.getHeader("Authorization")).isEqualTo("Basic " + java.util.Base64.getEncoder()
                    .encodeToString((WooCommerceFake.KEY + ":" + STORE.secret()).getBytes()));
            assertThat(r.queryParameter("oauth_signature").isPresent()).isFalse();
        });
        assertThat(elapsedMs).as("waited Retry-After: 1").isGreaterThanOrEqualTo(1000);
    }

    @Test
    @Order(2)
    void anIdempotentReadIsRetriedAfterA503() {
        long id = STORE.addProduct("Rose", "10.00").get("id").asLong();
        STORE.server().stubFor(get(urlPathEqualTo("/wp-json/wc/v3/products/" + id)).atPriority(1)
                .inScenario("blip").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(WooCommerceFake.error(503, "service_unavailable", "Maintenance."))
                .willSetStateTo("back"));
        TestHttp.Reply reply = invoke("woocommerce.products.get", "{\"id\": " + id + "}");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/products/" + id)).hasSize(2);
    }

    @Test
    @Order(3)
    void aNonIdempotentCreateIsNotRetried() {
        STORE.server().stubFor(post(urlPathEqualTo("/wp-json/wc/v3/products")).atPriority(1)
                .willReturn(WooCommerceFake.error(503, "service_unavailable", "Maintenance.")));
        TestHttp.Reply reply = invoke("woocommerce.products.create", "{\"product\": {\"name\": \"Once\"}}");
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.json().get("vendor_status").asInt()).isEqualTo(503);
        assertThat(STORE.requests("POST", "/wp-json/wc/v3/products")).hasSize(1);
    }

    @Test
    @Order(4)
    void theCircuitOpensOnRepeated5xxAndStopsCallingTheVendor() {
        STORE.server().stubFor(get(urlPathEqualTo("/wp-json/wc/v3/products/77")).atPriority(1)
                .willReturn(WooCommerceFake.error(500, "internal_server_error", "Fatal error.")));
        TestHttp.Reply first = invoke("woocommerce.products.get", "{\"id\": 77}");
        assertThat(first.status()).isIn(502, 503);
        int calls = STORE.requests("GET", "/wp-json/wc/v3/products/77").size();
        // earlier 5xx in this class already count in the window: the circuit may open after the first failure
        assertThat(calls).isBetween(1, 4);

        TestHttp.Reply open = invoke("woocommerce.products.get", "{\"id\": 77}");
        assertThat(open.status()).isEqualTo(503);
        assertThat(open.json().get("detail").asText()).contains("circuit open");
        assertThat(open.header("Retry-After")).isPresent();
        assertThat(STORE.requests("GET", "/wp-json/wc/v3/products/77")).hasSize(calls);
        assertThat(http().get("/metrics").body()).contains("hub_connector_circuit_open{")
                .containsPattern("hub_connector_circuit_open\\{[^}]*connector=\"woocommerce\"[^}]*} 1.0");
    }
}
