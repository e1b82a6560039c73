package com.skyyrose.hub.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.skyyrose.hub.fakes.AnthropicFake;
import com.skyyrose.hub.fakes.GeminiFake;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The round table end to end: the real hub, the real langchain4j clients, and WireMock fakes speaking each
 * vendor's wire format (request shape checked by the stubs: auth header, model, messages).
 */
@org.springframework.test.annotation.DirtiesContext
class RoundTableApiTest extends HubIntegrationTest {

    static final String RAG_PASSAGE = "The Black Rose hoodie is cut from 450 gsm heavyweight black cotton fleece.";

    /**
     * Stand-ins for the brand and knowledge capabilities' routes, in their interop shapes, with answers this test
     * controls: they replace the real {@code brand-context} and {@code rag-retrieve} routes in this test's own
     * context (dirtied afterwards), and the round table must use them.
     */
    static class InteropRoutes {
        static org.apache.camel.builder.RouteBuilder brandAndRagStandIns() {
            return new org.apache.camel.builder.RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:brand-context").routeId("test-brand-context").process(e -> e.getMessage().setBody(
                            Map.of("version", "brand-route-7", "name", "SkyyRose", "tagline", "Where Love Meets Luxury",
                                    "location", "Oakland, California",
                                    "tone", Map.of("primary", "confident", "descriptors", List.of("romantic", "bold"),
                                            "avoid", List.of("cheap", "bargain")),
                                    "collections", List.of(Map.of("name", "Love Hurts", "tagline", "Wear your heart",
                                            "description", "Bold passion in red and black.")))));
                    from("direct:rag-retrieve").routeId("test-rag-retrieve").process(e -> {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> ask = e.getMessage().getBody(Map.class);
                        e.getMessage().setBody(ask.get("query").toString().contains("NO-PASSAGES") ? List.of()
                                : List.of(Map.of("id", "c1", "document_id", "d1", "title", "Black Rose hoodie",
                                        "text", RAG_PASSAGE, "score", 0.91)));
                    });
                }
            };
        }
    }

    static final OpenAiFake OPENAI = new OpenAiFake();
    static final AnthropicFake ANTHROPIC = new AnthropicFake();
    static final GeminiFake GEMINI = new GeminiFake();
    static final long DEADLINE_MS = 3000;

    static final String ON_BRAND = "The Black Rose hoodie is SkyyRose luxury streetwear from Oakland: heavyweight "
            + "black cotton with a gothic romance edge, where love meets luxury.";
    static final String BLAND = "This hoodie is a comfortable sweatshirt with a hood, available in black, good for "
            + "everyday wear.";
    static final String OFF_TOPIC = "Tomorrow the weather in Berlin will be cloudy with light rain and a high of "
            + "twelve degrees.";

    @DynamicPropertySource
    static void providers(DynamicPropertyRegistry registry) {
        for (LlmVendorFake fake : List.of(OPENAI, ANTHROPIC, GEMINI)) {
            fake.env().forEach((k, v) -> registry.add(k, () -> v));
        }
        registry.add("HUB_LLM_DEADLINE_MS", () -> String.valueOf(DEADLINE_MS));
        registry.add("HUB_LLM_RETRY_BACKOFF", () -> "50ms");
        registry.add("HUB_LLM_CB_WINDOW", () -> "3");
        registry.add("HUB_LLM_CB_MIN_CALLS", () -> "3");
        registry.add("HUB_LLM_CB_OPEN_FOR", () -> "1s");
        registry.add("HUB_LLM_JUDGE", () -> "never");
        registry.add("HUB_LLM_JUDGE_THRESHOLD", () -> "0.6");
    }

    @Autowired
    ProviderRegistry providers;

    @Autowired
    org.apache.camel.CamelContext camel;

    @BeforeEach
    void useStandInsForBrandAndRag() throws Exception {
        if (camel.getRoute("test-brand-context") == null) {
            for (String real : List.of("brand-context", "rag-retrieve")) {
                camel.getRouteController().stopRoute(real);
                camel.removeRoute(real);
            }
            camel.addRoutes(InteropRoutes.brandAndRagStandIns());
        }
    }

    @BeforeEach
    void reset() {
        for (LlmVendorFake fake : List.of(OPENAI, ANTHROPIC, GEMINI)) {
            fake.reset();
        }
        providers.enabled().stream().map(com.skyyrose.hub.llm.ProviderRegistry.Provider::circuit).forEach(CircuitBreaker::reset);
    }

    @AfterAll
    static void stop() {
        OPENAI.close();
        ANTHROPIC.close();
        GEMINI.close();
    }

    /** A prompt no earlier run has cached. */
    static String prompt(String text) {
        return text + " [" + UUID.randomUUID() + "]";
    }

    TestHttp.Reply ask(String body, String... extraHeaders) {
        String[] auth = TestAuth.admin(http());
        String[] headers = new String[auth.length + extraHeaders.length];
        System.arraycopy(auth, 0, headers, 0, auth.length);
        System.arraycopy(extraHeaders, 0, headers, auth.length, extraHeaders.length);
        return http().postJson("/api/v1/round-table/query", body, headers);
    }

    static String query(String prompt, String extra) {
        return "{\"prompt\":" + TestHttp.json().valueToTree(prompt) + (extra == null ? "" : "," + extra) + "}";
    }

    static JsonNode candidate(JsonNode result, String provider) {
        for (JsonNode c : result.path("candidates")) {
            if (c.path("provider").asText().equals(provider)) {
                return c;
            }
        }
        throw new AssertionError("no candidate " + provider + " in " + result);
    }

    @Test
    void allThreeAnswerAndTheWinnerIsChosenWithEveryScoreExplained() {
        OPENAI.answers(ON_BRAND, 52, 31);
        ANTHROPIC.answers(BLAND, 48, 22);
        GEMINI.answers(OFF_TOPIC, 45, 18);

        TestHttp.Reply reply = ask(query(prompt("Describe the Black Rose hoodie in two lines."), null));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode r = reply.json();
        assertThat(r.path("degraded").asBoolean()).isFalse();
        assertThat(r.path("cached").asBoolean()).isFalse();
        assertThat(r.path("candidates")).hasSize(3);
        assertThat(r.path("winner").path("provider").asText()).isEqualTo("openai");
        assertThat(r.path("winner").path("text").asText()).isEqualTo(ON_BRAND);
        JsonNode openai = candidate(r, "openai");
        assertThat(openai.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(openai.path("tokens").path("input").asInt()).isEqualTo(52);
        assertThat(openai.path("tokens").path("output").asInt()).isEqualTo(31);
        // gpt-4o-mini: 0.15 / 0.60 USD per million tokens
        assertThat(openai.path("cost_usd").asDouble()).isCloseTo((52 * 0.15 + 31 * 0.60) / 1e6,
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(candidate(r, "anthropic").path("tokens").path("input").asInt()).isEqualTo(48);
        assertThat(candidate(r, "gemini").path("tokens").path("output").asInt()).isEqualTo(18);
        for (JsonNode c : r.path("candidates")) {
            assertThat(c.path("scores").fieldNames()).toIterable()
                    .contains("relevance", "agreement", "brand_fit", "form");
            assertThat(c.path("score").isNumber()).isTrue();
        }
        assertThat(candidate(r, "gemini").path("score").asDouble())
                .isLessThan(candidate(r, "openai").path("score").asDouble());
        assertThat(r.path("selection").path("method").asText()).isEqualTo("scores");
        assertThat(r.path("selection").path("weights").path("grounding").isNumber()).isTrue();
        assertThat(r.path("selection").path("weights").has("plan")).as("a plain question has no plan to score").isFalse();
        assertThat(r.path("selection").path("rationale").asText()).startsWith("openai leads");
        assertThat(r.path("tokens").path("input").asInt()).isEqualTo(52 + 48 + 45);
        for (LlmVendorFake fake : List.of(OPENAI, ANTHROPIC, GEMINI)) {
            assertThat(fake.unmatched()).isEmpty();
            assertThat(fake.requests()).hasSize(1);
        }
        // the brand voice reached the providers as the system prompt
        assertThat(OPENAI.requests().get(0).getBodyAsString()).contains("Where Love Meets Luxury");

        TestHttp.Reply stored = http().get("/api/v1/round-table/results/" + r.path("id").asText(),
                TestAuth.admin(http()));
        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.json().path("winner").path("provider").asText()).isEqualTo("openai");
        assertThat(stored.json().path("candidates")).hasSize(3);

        TestHttp.Reply page = http().get("/api/v1/round-table/results?limit=5&provider=openai",
                TestAuth.admin(http()));
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.json().path("items").findValuesAsText("id")).contains(r.path("id").asText());
        assertThat(page.header("X-Total-Count")).isPresent();
        assertThat(page.json().path("totals").path("cost_usd").asDouble()).isGreaterThan(0);
    }

    @Test
    void brandContextAndPassagesComeFromTheirRoutesOrFromTheCaller() {
        OPENAI.answers(ON_BRAND);
        ANTHROPIC.answers(BLAND);
        GEMINI.answers(OFF_TOPIC);

        JsonNode retrieved = ask(query(prompt("How heavy is the Black Rose hoodie?"), null)).json();

        String sent = OPENAI.requests().get(0).getBodyAsString();
        assertThat(sent).contains("Wear your heart").contains(RAG_PASSAGE);
        assertThat(candidate(retrieved, "openai").path("scores").has("grounding")).isTrue();

        OPENAI.reset();
        OPENAI.answers(ON_BRAND);
        ask(query(prompt("How heavy is the Black Rose hoodie? NO-PASSAGES"),
                "\"passages\":[{\"title\":\"Caller note\",\"text\":\"Caller-supplied passage about fleece weight.\"}]"));
        String withCallerPassages = OPENAI.requests().get(0).getBodyAsString();
        assertThat(withCallerPassages).contains("Caller-supplied passage").doesNotContain(RAG_PASSAGE);
    }

    @Test
    void oneProviderFailingWith500DoesNotFailTheRound() {
        OPENAI.answers(ON_BRAND);
        ANTHROPIC.fails(500);
        GEMINI.answers(BLAND);

        TestHttp.Reply reply = ask(query(prompt("Describe the Black Rose hoodie."), null));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode r = reply.json();
        assertThat(r.path("degraded").asBoolean()).isFalse();
        assertThat(r.path("winner").path("provider").asText()).isEqualTo("openai");
        JsonNode failed = candidate(r, "anthropic");
        assertThat(failed.path("error").asText()).startsWith("http_500").contains("Internal server error");
        assertThat(failed.has("text")).isFalse();
        assertThat(candidate(r, "gemini").has("error")).isFalse();
        // 5xx is retried: max-attempts (3) requests in all
        assertThat(ANTHROPIC.requests()).hasSize(3);
        assertThat(r.path("selection").path("rationale").asText()).contains("anthropic did not count: http_500");
    }

    @Test
    void aProviderHangingPastTheDeadlineIsRecordedAsTimeoutAndTheRoundReturnsInTime() {
        OPENAI.answers(ON_BRAND);
        ANTHROPIC.answers(BLAND);
        GEMINI.answersAfter(15_000, OFF_TOPIC);

        long start = System.nanoTime();
        // quorum "all": wait for every provider up to the deadline (RoundTableQuorumTest covers the default)
        TestHttp.Reply reply = ask(query(prompt("Describe the Black Rose hoodie, please."), "\"quorum\":\"all\""));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(elapsedMs).isLessThan(DEADLINE_MS + 1500);
        JsonNode r = reply.json();
        assertThat(candidate(r, "gemini").path("error").asText()).isEqualTo("timeout");
        assertThat(candidate(r, "gemini").path("latency_ms").asLong()).isEqualTo(DEADLINE_MS);
        assertThat(r.path("round").path("closed_on").asText()).isEqualTo("deadline");
        assertThat(r.path("winner").path("provider").asText()).isEqualTo("openai");
        assertThat(r.path("degraded").asBoolean()).isFalse();
    }

    @Test
    void a429WithRetryAfterIsRetriedAfterTheAnnouncedDelay() {
        OPENAI.rateLimitedThenAnswers(1, ON_BRAND);
        ANTHROPIC.answers(BLAND);
        GEMINI.answers(OFF_TOPIC);

        // quorum "all": the retried provider answers after the others' quorum + grace would have closed the round
        TestHttp.Reply reply = ask(query(prompt("Describe the Black Rose hoodie for the shop."),
                "\"quorum\":\"all\""));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode openai = candidate(reply.json(), "openai");
        assertThat(openai.has("error")).as(openai.toString()).isFalse();
        assertThat(openai.path("text").asText()).isEqualTo(ON_BRAND);
        assertThat(OPENAI.requests()).hasSize(2);
        // waited the announced second (not the 50 ms backoff)
        assertThat(openai.path("latency_ms").asLong()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void whenEveryProviderFailsTheLocalAnswererRespondsDegradedAndIsNotCached() {
        OPENAI.fails(401);
        ANTHROPIC.fails(529);
        GEMINI.fails(429);
        String body = query(prompt("Tell me about the Love Hurts collection."), "\"judge\":\"never\"");

        TestHttp.Reply reply = ask(body);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode r = reply.json();
        assertThat(r.path("degraded").asBoolean()).isTrue();
        assertThat(r.path("winner").path("provider").asText()).isEqualTo("local");
        assertThat(r.path("winner").has("model")).isFalse();
        assertThat(r.path("winner").path("text").asText()).contains("SkyyRose").contains("Love Hurts")
                .contains("no language model");
        assertThat(r.path("selection").path("method").asText()).isEqualTo("local-fallback");
        assertThat(candidate(r, "openai").path("error").asText()).startsWith("http_401")
                .contains("Incorrect API key");
        assertThat(candidate(r, "anthropic").path("error").asText()).startsWith("http_529").contains("Overloaded");
        assertThat(candidate(r, "gemini").path("error").asText()).startsWith("http_429")
                .contains("Resource has been exhausted");
        // 401 is not retried
        assertThat(OPENAI.requests()).hasSize(1);

        TestHttp.Reply again = ask(body);
        assertThat(again.json().path("cached").asBoolean()).isFalse();
        assertThat(OPENAI.requests()).hasSize(2);
    }

    @Test
    void aPanelOfOnlyUnconfiguredProvidersIsAnsweredLocally() {
        TestHttp.Reply reply = ask(query(prompt("What is SkyyRose?"), "\"providers\":[\"openai-compatible\"]"));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode r = reply.json();
        assertThat(r.path("degraded").asBoolean()).isTrue();
        assertThat(r.path("winner").path("provider").asText()).isEqualTo("local");
        assertThat(candidate(r, "openai-compatible").path("error").asText()).isEqualTo("not_configured");
        assertThat(r.path("candidates")).hasSize(2);
        for (LlmVendorFake fake : List.of(OPENAI, ANTHROPIC, GEMINI)) {
            assertThat(fake.requests()).isEmpty();
        }
    }

    @Test
    void whenCandidatesDisagreeTheJudgeComparesTheLeadersInBothOrders() {
        OPENAI.answers(ON_BRAND);
        ANTHROPIC.answers(BLAND);
        GEMINI.answers(OFF_TOPIC);
        // the judge (gemini: another family than both finalists) prefers the bland answer in either position
        GEMINI.answersWhenBodyContains("Answer A:\\n" + BLAND, "A\nIt answers the question plainly.",
                LlmVendorFake.TARGETED);
        GEMINI.answersWhenBodyContains("Answer B:\\n" + BLAND, "B\nIt answers the question plainly.",
                LlmVendorFake.TARGETED);

        TestHttp.Reply reply = ask(query(prompt("Describe the Black Rose hoodie in a line."),
                "\"judge\":\"auto\""));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode r = reply.json();
        JsonNode judge = r.path("selection").path("judge");
        assertThat(judge.path("trigger").asText()).as(r.toString()).startsWith("disagreement");
        assertThat(judge.path("provider").asText()).isEqualTo("gemini");
        assertThat(TestHttp.json().convertValue(judge.path("finalists"), List.class))
                .containsExactly("openai", "anthropic");
        assertThat(judge.path("verdicts")).hasSize(2);
        assertThat(TestHttp.json().convertValue(judge.path("verdicts").get(0).path("order"), List.class))
                .containsExactly("openai", "anthropic");
        assertThat(TestHttp.json().convertValue(judge.path("verdicts").get(1).path("order"), List.class))
                .containsExactly("anthropic", "openai");
        assertThat(judge.path("consistent").asBoolean()).isTrue();
        assertThat(judge.path("verdicts").get(0).path("reasoning").asText()).contains("plainly");
        assertThat(r.path("winner").path("provider").asText()).isEqualTo("anthropic");
        assertThat(r.path("selection").path("method").asText()).isEqualTo("scores+judge");
        assertThat(candidate(r, "anthropic").path("scores").path("judge").asDouble()).isEqualTo(1.0);
        List<LoggedRequest> judgeCalls = GEMINI.requests().stream()
                .filter(q -> q.getBodyAsString().contains("impartial judge")).toList();
        assertThat(judgeCalls).hasSize(2);
        assertThat(judgeCalls).anySatisfy(q -> assertThat(q.getBodyAsString()).contains("Answer A:\\n" + ON_BRAND))
                .anySatisfy(q -> assertThat(q.getBodyAsString()).contains("Answer A:\\n" + BLAND));
        // the judge sees the passages and is asked for factual consistency first
        assertThat(judgeCalls).allSatisfy(q -> assertThat(q.getBodyAsString()).contains("Passages:\\n[1]")
                .contains(RAG_PASSAGE).contains("First check factual consistency"));
    }

    @Test
    void aJudgeThatOnlyPrefersAPositionDoesNotDecide() {
        OPENAI.answers(ON_BRAND);
        ANTHROPIC.answers(BLAND);
        GEMINI.answers(OFF_TOPIC);
        GEMINI.answersWhenBodyContains("impartial judge", "A\nThe first one is better.", LlmVendorFake.TARGETED);

        TestHttp.Reply reply = ask(query(prompt("Describe the Black Rose hoodie briefly."),
                "\"judge\":\"always\""));

        JsonNode r = reply.json();
        JsonNode judge = r.path("selection").path("judge");
        assertThat(judge.path("trigger").asText()).isEqualTo("always");
        assertThat(judge.path("consistent").asBoolean()).isFalse();
        assertThat(judge.has("winner")).isFalse();
        assertThat(r.path("selection").path("method").asText()).isEqualTo("scores");
        assertThat(r.path("winner").path("provider").asText()).isEqualTo("openai");
    }

    @Test
    void anIdenticalRequestIsAnsweredFromTheCacheUnlessNoCacheIsAsked() {
        OPENAI.answers(ON_BRAND);
        ANTHROPIC.answers(BLAND);
        GEMINI.answers(OFF_TOPIC);
        String body = query(prompt("Describe the Black Rose hoodie for the newsletter."), "\"temperature\":0.2");

        TestHttp.Reply first = ask(body);
        TestHttp.Reply second = ask(body);

        assertThat(first.json().path("cached").asBoolean()).isFalse();
        assertThat(first.header("X-Hub-Cache")).contains("miss");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().path("cached").asBoolean()).isTrue();
        assertThat(second.header("X-Hub-Cache")).contains("hit");
        assertThat(second.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
        assertThat(second.json().path("winner").path("text").asText()).isEqualTo(ON_BRAND);
        assertThat(OPENAI.requests()).hasSize(1);

        TestHttp.Reply otherParameters = ask(body.replace("0.2", "0.9"));
        assertThat(otherParameters.json().path("cached").asBoolean()).isFalse();

        TestHttp.Reply fresh = ask(body, "Cache-Control", "no-cache");
        assertThat(fresh.json().path("cached").asBoolean()).isFalse();
        assertThat(OPENAI.requests()).hasSize(3);

        String metrics = http().get("/metrics").body();
        assertThat(metrics).contains("hub_round_table_cache_hits_total")
                .containsPattern("gen_ai_client_operation_duration_seconds_count\\{[^}]*model=\"gpt-4o-mini\"[^}]*"
                        + "outcome=\"success\"[^}]*provider=\"openai\"")
                .containsPattern("gen_ai_client_token_usage_sum\\{[^}]*provider=\"anthropic\"")
                .contains("hub_round_table_rounds_total").contains("hub_round_table_wins_total")
                .contains("hub_round_table_cost_usd_total");
    }

    @Test
    void theCircuitOpensAfterRepeatedFailuresAndClosesLater() {
        OPENAI.fails(503);
        ANTHROPIC.answers(BLAND);
        GEMINI.answers(ON_BRAND);
        for (int i = 0; i < 3; i++) {
            TestHttp.Reply r = ask(query(prompt("Round " + i + " about hoodies."), null));
            assertThat(candidate(r.json(), "openai").path("error").asText()).startsWith("http_503");
        }
        assertThat(circuitState("openai")).isEqualTo("open");
        int callsWhileOpen = OPENAI.requests().size();

        TestHttp.Reply blocked = ask(query(prompt("Round 4 about hoodies."), null));
        assertThat(candidate(blocked.json(), "openai").path("error").asText()).isEqualTo("circuit_open");
        assertThat(OPENAI.requests()).hasSize(callsWhileOpen);
        assertThat(blocked.json().path("degraded").asBoolean()).isFalse();

        OPENAI.reset();
        OPENAI.answers(ON_BRAND);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!circuitState("openai").equals("half_open") && System.nanoTime() < deadline) {
            RunningHub.sleep(100);
        }
        assertThat(circuitState("openai")).isEqualTo("half_open");
        TestHttp.Reply recovered = ask(query(prompt("Round 5 about hoodies."), null));
        assertThat(candidate(recovered.json(), "openai").has("error")).isFalse();
        assertThat(circuitState("openai")).isEqualTo("closed");
    }

    @Test
    void theProvidersOperationListsModelsCircuitsAndRecentFigures() {
        OPENAI.answers(ON_BRAND);
        ANTHROPIC.fails(500);
        GEMINI.answers(BLAND);
        ask(query(prompt("Describe the Signature tee."), null));

        TestHttp.Reply reply = http().get("/api/v1/round-table/providers", TestAuth.admin(http()));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode openai = provider(reply.json(), "openai");
        assertThat(openai.path("enabled").asBoolean()).isTrue();
        assertThat(openai.path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(openai.path("circuit").path("state").asText()).isEqualTo("closed");
        assertThat(openai.path("recent").path("calls").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(provider(reply.json(), "anthropic").path("recent").path("errors").asLong())
                .isGreaterThanOrEqualTo(1);
        assertThat(provider(reply.json(), "openai-compatible").path("enabled").asBoolean()).isFalse();
        assertThat(provider(reply.json(), "local").path("enabled").asBoolean()).isTrue();
    }

    @Test
    void unknownResultsAreNotFoundAndInvalidQueriesAreRejected() {
        assertThat(http().get("/api/v1/round-table/results/" + UUID.randomUUID(), TestAuth.admin(http())).status())
                .isEqualTo(404);
        TestHttp.Reply bad = ask("{\"prompt\":\"hi\",\"judge\":\"sometimes\"}");
        assertThat(bad.status()).isEqualTo(400);
        TestHttp.Reply missing = ask("{\"system\":\"no prompt\"}");
        assertThat(missing.status()).isEqualTo(400);
    }

    private String circuitState(String id) {
        return provider(http().get("/api/v1/round-table/providers", TestAuth.admin(http())).json(), id)
                .path("circuit").path("state").asText();
    }

    private static JsonNode provider(JsonNode providers, String id) {
        for (JsonNode p : providers.path("providers")) {
            if (p.path("id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no provider " + id + " in " + providers);
    }
}
