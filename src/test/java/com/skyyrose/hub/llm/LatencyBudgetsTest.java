package com.skyyrose.hub.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Latency budgets: far above the others' median p95 (factor and margin both exceeded) is slow, a little is not. */
class LatencyBudgetsTest {

    static final List<String> PANEL = List.of("openai", "anthropic", "gemini");

    static LlmProperties.LatencyBudget policy() {
        LlmProperties.LatencyBudget p = new LlmProperties.LatencyBudget();
        p.setFactor(3);
        p.setMargin(Duration.ofSeconds(1));
        p.setMinimumCalls(3);
        return p;
    }

    static Map<String, Object> recent(long calls, Long p95) {
        return p95 == null ? Map.of("calls", calls) : Map.of("calls", calls, "latency_ms_p95_with_late", p95);
    }

    @Test
    void aProviderFarAboveTheOthersIsSlowAndTheOthersAreNot() {
        Map<String, LatencyBudgets.Budget> b = LatencyBudgets.of(PANEL, Map.of("openai", recent(10, 800L),
                "anthropic", recent(10, 1200L), "gemini", recent(10, 9000L)), policy());

        assertThat(b.get("gemini").slow()).isTrue();
        assertThat(b.get("gemini").referenceMs()).isEqualTo(1000);
        assertThat(b.get("gemini").budgetMs()).isEqualTo(3000);
        assertThat(b.get("openai").slow()).isFalse();
        assertThat(b.get("anthropic").slow()).isFalse();
    }

    @Test
    void aFewTimesSlowerButWithinTheMarginIsNotSlow() {
        Map<String, LatencyBudgets.Budget> b = LatencyBudgets.of(PANEL, Map.of("openai", recent(10, 100L),
                "anthropic", recent(10, 100L), "gemini", recent(10, 900L)), policy());

        // 9 × the others, but only 800 ms more: budget max(300, 1100)
        assertThat(b.get("gemini").budgetMs()).isEqualTo(1100);
        assertThat(b.get("gemini").slow()).isFalse();
    }

    @Test
    void tooFewCallsOrNoPeersAreNotJudged() {
        Map<String, LatencyBudgets.Budget> b = LatencyBudgets.of(PANEL, Map.of("openai", recent(10, 100L),
                "anthropic", recent(2, 100L), "gemini", recent(10, 9000L)), policy());
        assertThat(b.get("anthropic").p95Ms()).isNull();
        assertThat(b.get("anthropic").slow()).isFalse();
        assertThat(b.get("gemini").referenceMs()).isEqualTo(100);
        assertThat(b.get("gemini").slow()).isTrue();

        Map<String, LatencyBudgets.Budget> alone = LatencyBudgets.of(List.of("gemini"),
                Map.of("gemini", recent(10, 9000L)), policy());
        assertThat(alone.get("gemini").slow()).isFalse();
        assertThat(alone.get("gemini").referenceMs()).isNull();
    }
}
