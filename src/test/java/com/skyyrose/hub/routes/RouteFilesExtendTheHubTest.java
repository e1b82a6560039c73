package com.skyyrose.hub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.fakes.WooCommerceFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * The integration engineer's path: a running hub (reload on, a copy of routes/) gets a new provider file and a new
 * tool file (with its descriptor) dropped into its routes folder — no Java — and both are called end to end against
 * WireMock fakes speaking the vendors' wire formats.
 */
class RouteFilesExtendTheHubTest {

    @TempDir
    Path routes;

    @Test
    void aProviderFileAndAToolFileDroppedIntoARunningHubWorkEndToEnd() throws Exception {
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        try (OpenAiFake openai = new OpenAiFake();
                OpenAiFake mistral = new OpenAiFake("mistral-test-key", "mistral-small-latest");
                WooCommerceFake store = new WooCommerceFake()) {
            List<String> settings = new ArrayList<>(List.of("DATABASE_URL=" + HubIntegrationTest.TEST_DATABASE_URL,
                    "REDIS_URL=" + HubIntegrationTest.TEST_REDIS_URL, "HUB_ROUTES_DIR=" + routes,
                    "HUB_ROUTES_RELOAD=true", "HUB_ADMIN_EMAIL=" + TestAuth.ADMIN_EMAIL,
                    "HUB_ADMIN_PASSWORD=" + TestAuth.ADMIN_PASSWORD, "HUB_LLM_JUDGE=never",
                    "HUB_LLM_DEADLINE_MS=8000", "HUB_LLM_RETRY_BACKOFF=50ms", "HUB_LLM_QUORUM=all",
                    "HUB_LLM_PRICES=gpt-4o-mini=0.15/0.60,mistral-small-latest=0.20/0.60",
                    // what {{env:MISTRAL_*}} in the provider file reads (as settings: a test cannot set its own
                    // process environment; the hub's env: placeholders read both)
                    "MISTRAL_BASE_URL=" + mistral.baseUrl(), "MISTRAL_API_KEY=mistral-test-key"));
            openai.env().forEach((k, v) -> settings.add(k + "=" + v));
            // the store over http: WooCommerce's OAuth 1.0a signature, which the fake recomputes
            settings.addAll(List.of("WOOCOMMERCE_URL=" + store.url(), "WOOCOMMERCE_CONSUMER_KEY=" + WooCommerceFake.KEY,
                    "WOOCOMMERCE_CONSUMER_SECRET=" + store.secret(), "HUB_CONNECTOR_RETRY_BASE=10ms"));
            try (RunningHub hub = RunningHub.start(settings.toArray(String[]::new))) {
                String[] admin = TestAuth.admin(hub.http());
                assertThat(provider(hub, admin, "mistral")).as("not there before its file").isNull();

                Files.copy(Path.of("src/test/resources/route-files/mistral.camel.yaml"),
                        routes.resolve("round-table/providers/mistral.camel.yaml"));
                JsonNode listed = awaitSettled(hub, admin, "/api/v1/round-table/providers", r -> {
                    JsonNode p = provider(r.json(), "mistral");
                    return p != null && p.path("enabled").asBoolean();
                });
                listed = provider(listed, "mistral");
                assertThat(listed.path("model").asText()).isEqualTo("mistral-small-latest");
                assertThat(listed.path("base_url").asText()).isEqualTo(mistral.baseUrl());
                assertThat(listed.path("circuit").path("state").asText()).isEqualTo("closed");

                // a round asks both; the new provider's usage, cost and latency come back like any other's
                openai.answers("The Black Rose hoodie is heavyweight black cotton from Oakland.", 40, 20);
                // its first call is rate limited: the route's retries wait the announced Retry-After and try again
                mistral.rateLimitedThenAnswers(1, "SkyyRose's Black Rose hoodie: heavyweight black cotton, Oakland made.");
                TestHttp.Reply round = ask(hub, admin, "Describe the Black Rose hoodie in one line.");
                assertThat(round.status()).as(round.body()).isEqualTo(200);
                JsonNode m = candidate(round.json(), "mistral");
                assertThat(m.path("error").isMissingNode() || m.path("error").isNull()).as(m.toString()).isTrue();
                assertThat(m.path("model").asText()).isEqualTo("mistral-small-latest");
                assertThat(m.path("tokens").path("input").asInt()).isEqualTo(LlmFakeDefaults.IN);
                assertThat(m.path("tokens").path("output").asInt()).isEqualTo(LlmFakeDefaults.OUT);
                assertThat(m.path("cost_usd").asDouble()).isCloseTo(
                        (LlmFakeDefaults.IN * 0.20 + LlmFakeDefaults.OUT * 0.60) / 1e6,
                        org.assertj.core.data.Offset.offset(1e-9));
                assertThat(mistral.requests()).as("429, then the answer").hasSize(2);
                assertThat(mistral.requests().get(0).getHeader("Authorization")).isEqualTo("Bearer mistral-test-key");
                assertThat(candidate(round.json(), "openai").path("tokens").path("input").asInt()).isEqualTo(40);
                assertThat(hub.http().get("/metrics").body())
                        .containsPattern("gen_ai_client_token_usage_sum\\{[^}]*provider=\"mistral\"");

                // the file's own breaker (two failed calls out of two) opens; the round goes on without it
                mistral.reset();
                mistral.fails(400);
                for (int i = 0; i < 2; i++) {
                    JsonNode failed = candidate(ask(hub, admin, "Name a SkyyRose collection.").json(), "mistral");
                    assertThat(failed.path("error").asText()).startsWith("http_400");
                }
                assertThat(provider(hub, admin, "mistral").path("circuit").path("state").asText()).isEqualTo("open");
                JsonNode blocked = candidate(ask(hub, admin, "Name another SkyyRose collection.").json(), "mistral");
                assertThat(blocked.path("error").asText()).isEqualTo("circuit_open");

                // deleting the file removes the provider
                Files.delete(routes.resolve("round-table/providers/mistral.camel.yaml"));
                hub.await("/api/v1/round-table/providers", admin, r -> provider(r.json(), "mistral") == null
                        || !provider(r.json(), "mistral").path("enabled").asBoolean(), Duration.ofSeconds(60));

                toolFileAndDescriptor(hub, admin, store);
            }
        }
    }

    /** A WooCommerce endpoint the hub does not wrap (coupons) becomes a tool with one route file and its descriptor. */
    private void toolFileAndDescriptor(RunningHub hub, String[] admin, WooCommerceFake store) throws Exception {
        long coupon = store.addCoupon("ROSE15", "15.00", "percent").get("id").asLong();
        String tool = "/api/v1/tools/woocommerce.coupons.get";
        assertThat(hub.http().get(tool, admin).status()).as("not there before its files").isEqualTo(404);

        Files.copy(Path.of("src/test/resources/route-files/woocommerce-coupons.tools.yml"),
                routes.resolve("tools/woocommerce-coupons.tools.yml"));
        Files.copy(Path.of("src/test/resources/route-files/woocommerce-coupons.camel.yaml"),
                routes.resolve("tools/woocommerce-coupons.camel.yaml"));
        awaitSettled(hub, admin, tool, r -> r.status() == 200);
        assertThat(hub.http().get("/api/v1/tools", admin).body()).contains("woocommerce.coupons.get");

        TestHttp.Reply got = invoke(hub, admin, coupon);
        assertThat(got.status()).as(got.body()).isEqualTo(200);
        JsonNode result = got.json().path("result");
        assertThat(result.path("code").asText()).as(got.body()).isEqualTo("ROSE15");
        assertThat(result.path("amount").asText()).isEqualTo("15.00");
        assertThat(result.path("discount_type").asText()).isEqualTo("percent");
        assertThat(result.path("id").asLong()).isEqualTo(coupon);
        assertThat(result.has("email_restrictions")).as("shaped by the route's jsonpath").isFalse();
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> calls =
                store.requests("GET", "/wp-json/wc/v3/coupons/" + coupon);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).getQueryParams()).containsKey("oauth_signature");
        assertThat(calls.get(0).containsHeader("Authorization")).as("the caller's token never reaches the vendor")
                .isFalse();

        // the store's own error becomes a problem type
        TestHttp.Reply missing = invoke(hub, admin, 999_999);
        assertThat(missing.status()).as(missing.body()).isEqualTo(404);
        assertThat(missing.contentType()).contains("application/problem+json");
        assertThat(missing.json().path("type").asText()).as(missing.body()).isNotBlank();
        assertThat(missing.json().path("vendor_code").asText()).isEqualTo("woocommerce_rest_coupon_invalid_id");

        // an idempotent tool is retried after the store's 503 + Retry-After
        store.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .get(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/wp-json/wc/v3/coupons/" + coupon))
                .atPriority(1).inScenario("busy").whenScenarioStateIs(
                        com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(WooCommerceFake.error(503, "busy", "Try again shortly.").withHeader("Retry-After", "1"))
                .willSetStateTo("recovered"));
        store.server().resetRequests();
        TestHttp.Reply retried = invoke(hub, admin, coupon);
        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().path("result").path("code").asText()).isEqualTo("ROSE15");
        assertThat(store.requests("GET", "/wp-json/wc/v3/coupons/" + coupon)).hasSize(2);

        // a tool that is not idempotent is called once: the store's 503 is the answer, not retried
        String create = "/api/v1/tools/woocommerce.coupons.create/invocations";
        String coupon20 = "{\"arguments\":{\"code\":\"ROSE20\",\"amount\":\"20.00\",\"discount_type\":\"percent\"}}";
        store.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .post(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/wp-json/wc/v3/coupons"))
                .atPriority(1).inScenario("busy-create").whenScenarioStateIs(
                        com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(WooCommerceFake.error(503, "busy", "Try again shortly.").withHeader("Retry-After", "1"))
                .willSetStateTo("recovered"));
        TestHttp.Reply refused = hub.http().postJson(create, coupon20, admin);
        assertThat(refused.status()).as(refused.body()).isGreaterThanOrEqualTo(500);
        assertThat(refused.contentType()).contains("application/problem+json");
        assertThat(store.requests("POST", "/wp-json/wc/v3/coupons")).as("not retried").hasSize(1);
        // the same call once the store is back creates the coupon, and the route's jsonpath shapes the answer
        TestHttp.Reply created = hub.http().postJson(create, coupon20, admin);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.json().path("result").path("code").asText()).isEqualTo("ROSE20");
        assertThat(created.json().path("result").path("id").asLong()).isPositive();
        assertThat(created.json().path("result").has("amount")).isFalse();
        assertThat(store.requests("POST", "/wp-json/wc/v3/coupons")).hasSize(2);

        // the store keeps failing: WooCommerce's breaker (HUB_CONNECTOR_BREAKER_*: 50% of the last 5 calls) opens and
        // the tool answers 503 + Retry-After without calling the store
        store.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock
                .post(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/wp-json/wc/v3/coupons"))
                .atPriority(1).willReturn(WooCommerceFake.error(500, "down", "Internal error.")));
        TestHttp.Reply open = null;
        int attempts = 0;
        while (attempts < 6) {
            attempts++;
            open = hub.http().postJson(create, coupon20, admin);
            if (open.status() == 503) {
                break;
            }
            assertThat(open.status()).as(open.body()).isEqualTo(502);
        }
        assertThat(open.status()).as(open.body()).isEqualTo(503);
        assertThat(open.header("Retry-After")).isPresent();
        assertThat(open.json().path("detail").asText()).contains("circuit open");
        assertThat(store.requests("POST", "/wp-json/wc/v3/coupons")).as("the open circuit does not call the store")
                .hasSize(2 + attempts - 1);
    }

    static TestHttp.Reply invoke(RunningHub hub, String[] admin, long couponId) {
        return hub.http().postJson("/api/v1/tools/woocommerce.coupons.get/invocations",
                "{\"arguments\":{\"id\":" + couponId + "}}", admin);
    }

    /** The token counts the vendor fakes answer with after a rate limit (LlmVendorFake.rateLimitedThenAnswers). */
    static final class LlmFakeDefaults {
        static final int IN = 40;
        static final int OUT = 20;
    }

    /**
     * Waits until the condition holds, and still holds a few seconds later: a new file is often reloaded twice (its
     * creation and its first write), and a reload replaces the file's routes.
     */
    static JsonNode awaitSettled(RunningHub hub, String[] admin, String path,
            java.util.function.Predicate<TestHttp.Reply> condition) {
        hub.await(path, admin, condition, Duration.ofSeconds(60));
        RunningHub.sleep(3000);
        return hub.await(path, admin, condition, Duration.ofSeconds(60)).json();
    }

    static TestHttp.Reply ask(RunningHub hub, String[] admin, String prompt) {
        String body = "{\"prompt\":" + TestHttp.json().valueToTree(prompt + " [" + UUID.randomUUID() + "]") + "}";
        return hub.http().postJson("/api/v1/round-table/query", body, admin);
    }

    static JsonNode provider(RunningHub hub, String[] admin, String id) {
        return provider(hub.http().get("/api/v1/round-table/providers", admin).json(), id);
    }

    static JsonNode provider(JsonNode list, String id) {
        for (JsonNode p : list.path("providers")) {
            if (p.path("id").asText().equals(id)) {
                return p;
            }
        }
        return null;
    }

    static JsonNode candidate(JsonNode result, String provider) {
        for (JsonNode c : result.path("candidates")) {
            if (c.path("provider").asText().equals(provider)) {
                return c;
            }
        }
        throw new AssertionError("no candidate " + provider + " in " + result);
    }
}
