package com.skyyrose.hub.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.skyyrose.hub.fakes.AnthropicFake;
import com.skyyrose.hub.fakes.GeminiFake;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.fakes.OpenAiFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.RunningHub;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Quorum and grace (issue 23): a hanging provider must not hold the round for the whole deadline. WireMock fakes
 * with fixed delays: ~10 ms for the providers that are up, 30 s for a hanging one (far past the deadline).
 * Elapsed-time bounds are generous for a loaded machine but well below the deadline they are contrasted with.
 */
@org.springframework.test.annotation.DirtiesContext
class RoundTableQuorumTest extends HubIntegrationTest {

    static final OpenAiFake OPENAI = new OpenAiFake();
    static final AnthropicFake ANTHROPIC = new AnthropicFake();
    static final GeminiFake GEMINI = new GeminiFake();
    static final long DEADLINE_MS = 6000;
    static final int HANGS_MS = 30_000;
    /** A round that closes on quorum takes ~1 s (the minimum grace); the deadline is 6 s. */
    static final long QUICK_MS = 3000;

    static final String ON_BRAND = "The Black Rose hoodie is SkyyRose luxury streetwear from Oakland: heavyweight "
            + "black cotton with a gothic romance edge, where love meets luxury.";
    static final String BLAND = "This hoodie is a comfortable sweatshirt with a hood, available in black, good for "
            + "everyday wear.";
    static final String SLOW = "The Black Rose hoodie: heavyweight black cotton fleece from SkyyRose, Oakland.";

    @DynamicPropertySource
    static void providers(DynamicPropertyRegistry registry) {
        for (LlmVendorFake fake : List.of(OPENAI, ANTHROPIC, GEMINI)) {
            fake.env().forEach((k, v) -> registry.add(k, () -> v));
        }
        registry.add("HUB_LLM_DEADLINE_MS", () -> String.valueOf(DEADLINE_MS));
        registry.add("HUB_LLM_RETRY_BACKOFF", () -> "50ms");
        registry.add("HUB_LLM_JUDGE", () -> "never");
        registry.add("HUB_LLM_CB_WINDOW", () -> "3");
        registry.add("HUB_LLM_CB_MIN_CALLS", () -> "3");
        registry.add("HUB_LLM_CB_SLOW_CALL", () -> "1s");
        registry.add("HUB_LLM_LATENCY_BUDGET_MARGIN", () -> "300ms");
    }

    @Autowired
    ProviderRegistry providers;

    @Autowired
    LlmMetrics metrics;

    @Autowired
    JdbcTemplate jdbc;

    static boolean warm;

    /** One round before the timed ones: the first round of a context loads the selector's embedding model. */
    @BeforeEach
    void warmUp() {
        if (!warm) {
            for (LlmVendorFake fake : List.of(OPENAI, ANTHROPIC, GEMINI)) {
                fake.answersAfter(10, ON_BRAND);
            }
            ask(null);
            awaitNoCallInFlight(DEADLINE_MS + 3000);
            warm = true;
        }
    }

    @BeforeEach
    void reset() {
        for (LlmVendorFake fake : List.of(OPENAI, ANTHROPIC, GEMINI)) {
            fake.reset();
        }
        providers.enabled().stream().map(com.skyyrose.hub.llm.ProviderRegistry.Provider::circuit).forEach(CircuitBreaker::reset);
    }

    /** Late calls of one test must not reach the next one's circuit breakers. */
    @AfterEach
    void drain() {
        awaitNoCallInFlight(DEADLINE_MS + 3000);
    }

    @AfterAll
    static void stop() {
        OPENAI.close();
        ANTHROPIC.close();
        GEMINI.close();
    }

    @Test
    void oneHangingProviderIsLateAndTheRoundAnswersFromTheOthersLongBeforeTheDeadline() {
        OPENAI.answersAfter(10, ON_BRAND);
        ANTHROPIC.answersAfter(10, BLAND);
        GEMINI.answersAfter(HANGS_MS, SLOW);

        long start = System.nanoTime();
        JsonNode r = ask(null);
        long elapsedMs = ms(start);

        assertThat(elapsedMs).as("closed on quorum + grace, not at the %d ms deadline", DEADLINE_MS)
                .isLessThan(QUICK_MS);
        assertThat(r.path("degraded").asBoolean()).isFalse();
        assertThat(r.path("candidates")).hasSize(3);
        assertThat(candidate(r, "openai").path("text").asText()).isEqualTo(ON_BRAND);
        assertThat(candidate(r, "anthropic").path("text").asText()).isEqualTo(BLAND);
        JsonNode gemini = candidate(r, "gemini");
        assertThat(gemini.path("error").asText()).isEqualTo("late");
        assertThat(gemini.has("text")).isFalse();
        // latency so far: the 1 s minimum grace after the quorum, not the deadline
        assertThat(gemini.path("latency_ms").asLong()).isBetween(900L, QUICK_MS);
        assertThat(r.path("winner").path("provider").asText()).isEqualTo("openai");
        assertThat(r.path("round").path("closed_on").asText()).isEqualTo("quorum");
        assertThat(r.path("round").path("quorum").asInt()).isEqualTo(2);
        assertThat(r.path("round").path("panel").asInt()).isEqualTo(3);
        assertThat(r.path("round").path("grace_ms").asLong()).isEqualTo(1000);
        assertThat(r.path("round").path("late").toString()).isEqualTo("[\"gemini\"]");
        assertThat(r.path("selection").path("rationale").asText())
                .startsWith("openai leads")
                .contains("The round closed on quorum: 2 of 3 providers answered")
                .contains("late, answer discarded: gemini (");

        // the late call runs on after the round answered, and ends at its own timeout (the deadline), not after
        // the 30 s the fake would hold it: no thread is left behind
        assertThat(metrics.callsInFlight()).isGreaterThanOrEqualTo(1);
        awaitNoCallInFlight(DEADLINE_MS + 3000);
        assertThat(ms(start)).isLessThan(DEADLINE_MS + 3000);
        // it passed the deadline as well, so it counts for gemini's breaker as a failure
        assertThat(circuit("gemini").path("failed_calls").asInt()).isEqualTo(1);
        assertThat(circuit("openai").path("failed_calls").asInt()).isZero();
    }

    @Test
    void twoHangingProvidersHoldTheRoundToTheDeadlineOnlyWhenNoQuorumIsPossible() {
        OPENAI.answersAfter(10, ON_BRAND);
        ANTHROPIC.answersAfter(HANGS_MS, BLAND);
        GEMINI.answersAfter(HANGS_MS, SLOW);

        // default quorum 2 of 3: one answer can never make it, so the round waits for the others to the deadline
        long start = System.nanoTime();
        JsonNode waited = ask(null);
        long waitedMs = ms(start);

        assertThat(waitedMs).isBetween(DEADLINE_MS - 200, DEADLINE_MS + 2500);
        assertThat(candidate(waited, "anthropic").path("error").asText()).isEqualTo("timeout");
        assertThat(candidate(waited, "gemini").path("error").asText()).isEqualTo("timeout");
        assertThat(waited.path("round").path("closed_on").asText()).isEqualTo("deadline");
        assertThat(waited.path("round").has("quorum_ms")).isFalse();
        assertThat(waited.path("winner").path("provider").asText()).isEqualTo("openai");
        assertThat(waited.path("selection").path("rationale").asText()).doesNotContain("closed on quorum");

        // a quorum of one is reached by the provider that is up: both hanging ones are late
        start = System.nanoTime();
        JsonNode quick = ask("\"quorum\":1");
        assertThat(ms(start)).isLessThan(QUICK_MS);
        assertThat(candidate(quick, "anthropic").path("error").asText()).isEqualTo("late");
        assertThat(candidate(quick, "gemini").path("error").asText()).isEqualTo("late");
        assertThat(quick.path("round").path("quorum").asInt()).isEqualTo(1);
        assertThat(quick.path("round").path("late").toString()).isEqualTo("[\"anthropic\",\"gemini\"]");
    }

    @Test
    void aQuorumOfAllWaitsForEveryProviderAsBefore() {
        OPENAI.answersAfter(10, ON_BRAND);
        ANTHROPIC.answersAfter(10, BLAND);
        GEMINI.answersAfter(2500, SLOW);

        JsonNode byDefault = ask(null);
        assertThat(candidate(byDefault, "gemini").path("error").asText()).isEqualTo("late");

        long start = System.nanoTime();
        JsonNode all = ask("\"quorum\":\"all\"");
        assertThat(ms(start)).isGreaterThanOrEqualTo(2500);
        JsonNode gemini = candidate(all, "gemini");
        assertThat(gemini.has("error")).as(gemini.toString()).isFalse();
        assertThat(gemini.path("text").asText()).isEqualTo(SLOW);
        assertThat(gemini.path("latency_ms").asLong()).isGreaterThanOrEqualTo(2500);
        assertThat(all.path("round").path("closed_on").asText()).isEqualTo("all");
        assertThat(all.path("round").path("quorum").asInt()).isEqualTo(3);
        assertThat(all.path("selection").path("rationale").asText()).doesNotContain("closed on quorum");
    }

    @Test
    void anInvalidQuorumIsRejected() {
        for (String bad : List.of("0", "\"most\"", "1.5", "true")) {
            TestHttp.Reply reply = http().postJson("/api/v1/round-table/query",
                    query(prompt("Describe the hoodie."), "\"quorum\":" + bad), TestAuth.admin(http()));
            assertThat(reply.status()).as(bad + ": " + reply.body()).isEqualTo(400);
            assertThat(reply.contentType()).contains("application/problem+json");
        }
    }

    @Test
    void aProviderFarSlowerThanItsPeersIsLateFlaggedAndOpensItsBreakerOnSlowCallsNotFailures() {
        // only this test's calls in the providers operation's 15-minute window
        jdbc.update("UPDATE round_table_candidate SET created_at = created_at - interval '1 hour' "
                + "WHERE created_at > now() - interval '1 hour'");
        OPENAI.answersAfter(10, ON_BRAND);
        ANTHROPIC.answersAfter(10, BLAND);
        // slower than the 1 s slow-call threshold and the grace, but well within the deadline
        GEMINI.answersAfter(1500, SLOW);

        for (int i = 0; i < 3; i++) {
            JsonNode r = ask(null);
            assertThat(candidate(r, "gemini").path("error").asText()).isEqualTo("late");
        }
        awaitNoCallInFlight(DEADLINE_MS + 3000);
        assertThat(GEMINI.requests()).hasSize(3);

        JsonNode list = http().get("/api/v1/round-table/providers", TestAuth.admin(http())).json();
        JsonNode gemini = provider(list, "gemini");
        // every late answer arrived before the deadline: slow calls, not failures — and they opened the breaker
        assertThat(gemini.path("circuit").path("failed_calls").asInt()).isZero();
        assertThat(gemini.path("circuit").path("slow_calls").asInt()).isEqualTo(3);
        assertThat(gemini.path("circuit").path("slow_call_rate").asDouble()).isEqualTo(100.0);
        assertThat(gemini.path("circuit").path("state").asText()).isEqualTo("open");
        assertThat(provider(list, "openai").path("circuit").path("state").asText()).isEqualTo("closed");
        // latency budget from history: gemini's p95 (late calls at their latency so far) far above the others'
        assertThat(gemini.path("recent").path("late").asInt()).isEqualTo(3);
        JsonNode budget = gemini.path("latency_budget");
        assertThat(budget.path("slow").asBoolean()).as(budget.toString()).isTrue();
        assertThat(budget.path("p95_ms").asLong()).isGreaterThan(budget.path("budget_ms").asLong());
        assertThat(provider(list, "openai").path("latency_budget").path("slow").asBoolean()).isFalse();
        assertThat(provider(list, "anthropic").path("latency_budget").path("slow").asBoolean()).isFalse();

        // open: gemini is not called, and the round closes as soon as the others answered
        long start = System.nanoTime();
        JsonNode blocked = ask(null);
        assertThat(ms(start)).isLessThan(QUICK_MS);
        assertThat(candidate(blocked, "gemini").path("error").asText()).isEqualTo("circuit_open");
        assertThat(blocked.path("round").path("closed_on").asText()).isEqualTo("all");
        assertThat(GEMINI.requests()).hasSize(3);
    }

    JsonNode ask(String extra) {
        TestHttp.Reply reply = http().postJson("/api/v1/round-table/query",
                query(prompt("Describe the Black Rose hoodie."), extra), TestAuth.admin(http()));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    void awaitNoCallInFlight(long withinMs) {
        long until = System.nanoTime() + withinMs * 1_000_000;
        while (metrics.callsInFlight() > 0 && System.nanoTime() < until) {
            RunningHub.sleep(50);
        }
        assertThat(metrics.callsInFlight()).as("provider calls still running").isZero();
    }

    JsonNode circuit(String id) {
        return provider(http().get("/api/v1/round-table/providers", TestAuth.admin(http())).json(), id)
                .path("circuit");
    }

    static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static String prompt(String text) {
        return text + " [" + UUID.randomUUID() + "]";
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

    static JsonNode provider(JsonNode providers, String id) {
        for (JsonNode p : providers.path("providers")) {
            if (p.path("id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no provider " + id + " in " + providers);
    }
}
