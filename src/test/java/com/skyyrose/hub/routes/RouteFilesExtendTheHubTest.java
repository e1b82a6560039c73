package com.skyyrose.hub.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.fakes.OpenAiFake;
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
 * The integration engineer's path: a running hub (reload on, a copy of routes/) gets a new provider file dropped into
 * its routes folder — no Java — and the round table calls it end to end against a WireMock fake speaking the
 * OpenAI-compatible wire format (a YAML-only REST tool is not done: see the issue 17 report).
 */
class RouteFilesExtendTheHubTest {

    @TempDir
    Path routes;

    @Test
    void aProviderFileDroppedIntoARunningHubJoinsTheRoundTable() throws Exception {
        FileSystemUtils.copyRecursively(Path.of("routes"), routes);
        try (OpenAiFake openai = new OpenAiFake();
                OpenAiFake mistral = new OpenAiFake("mistral-test-key", "mistral-small-latest")) {
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
            }
        }
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
