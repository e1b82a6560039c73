package com.skyyrose.hub.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Legal-threat detection on words, not names; which failed hand-off runs may run again. */
class SupportRulesTest {

    @Test
    void legalThreatsAreFound() {
        for (String text : List.of("I will sue you if my refund does not come.", "I WILL SUE SKYYROSE",
                "i'm gonna sue", "My lawyer will hear about this.", "See you in small claims court.",
                "I'll take you to court over this hoodie.", "We are suing.", "Sue you, SkyyRose!",
                "Honestly I might sue.")) {
            assertThat(LegalThreat.in(text, List.of())).as(text).isTrue();
        }
    }

    @Test
    void theNameSueIsNotAThreat() {
        for (String text : List.of("Hi, this is Sue. Where is my order?", "Sue here - can Sue's parcel be rerouted?",
                "Please send the gift to Sue Parker.", "Can Sue change the size to M?",
                "My order for the food court staff is late.", "Thanks, Sue")) {
            assertThat(LegalThreat.in(text, List.of("Sue", "Parker"))).as(text).isFalse();
        }
        // the customer's own name written in lower case where names go
        assertThat(LegalThreat.in("hi it's sue, my parcel is late", List.of("Sue"))).isFalse();
        // ... but the customer named Sue can still threaten to sue
        assertThat(LegalThreat.in("This is Sue and I will sue you.", List.of("Sue"))).isTrue();
    }

    @Test
    void onlyARunThatFailedBeforeAnyToolRanIsRetried() {
        assertThat(AgentRuns.retryable(Map.of("status", "failed", "actions", List.of()))).isTrue();
        assertThat(AgentRuns.retryable(Map.of("status", "failed", "actions",
                List.of(Map.of("status", "refused"))))).isTrue();
        assertThat(AgentRuns.retryable(Map.of("status", "failed", "actions",
                List.of(Map.of("status", "failed"))))).isFalse();
        assertThat(AgentRuns.retryable(Map.of("status", "succeeded", "actions", List.of()))).isFalse();
        assertThat(AgentRuns.retryable(Map.of("status", "escalated"))).isFalse();
    }
}
