package com.skyyrose.hub.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Quorum specs and the grace period. */
class QuorumTest {

    @Test
    void specsResolveAgainstThePanel() {
        assertThat(Quorum.of("all-but-one", 3)).isEqualTo(2);
        assertThat(Quorum.of("all-but-one", 2)).isEqualTo(1);
        assertThat(Quorum.of("all-but-one", 1)).as("a panel of one waits for its provider").isEqualTo(1);
        assertThat(Quorum.of("all", 4)).isEqualTo(4);
        assertThat(Quorum.of("2", 4)).isEqualTo(2);
        assertThat(Quorum.of("7", 3)).as("at most the panel").isEqualTo(3);
        assertThat(Quorum.parse(" ALL ")).isEqualTo("all");
        for (String bad : new String[] {"0", "-1", "most", "1.5", ""}) {
            assertThatThrownBy(() -> Quorum.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("all-but-one");
        }
    }

    @Test
    void graceIsTheLargerOfTheMinimumAndHalfTheQuorumTimeCapped() {
        LlmProperties.Quorum policy = new LlmProperties.Quorum();
        RoundProgress round = new RoundProgress(3, "all-but-one", 0, Long.MAX_VALUE, policy);
        assertThat(round.grace(Duration.ofMillis(40).toNanos())).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(round.grace(Duration.ofSeconds(4).toNanos())).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(round.grace(Duration.ofSeconds(30).toNanos())).isEqualTo(Duration.ofSeconds(5).toNanos());
    }

    @Test
    void aBranchStopsWaitingAtQuorumPlusGraceButNeverPastTheDeadline() throws Exception {
        LlmProperties.Quorum policy = new LlmProperties.Quorum();
        policy.setGraceMin(Duration.ofMillis(200));
        long now = System.nanoTime();
        Candidate answer = new Candidate("openai", "m", "text", null, 5, new Candidate.Tokens(0, 0), 0, null,
                java.util.Map.of(), null);

        RoundProgress round = new RoundProgress(3, "all-but-one", now, now + Duration.ofSeconds(30).toNanos(),
                policy);
        round.finished(answer);
        round.finished(answer);
        long waited = System.nanoTime();
        assertThat(round.await(new java.util.concurrent.CompletableFuture<>())).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - waited)).isBetween(Duration.ofMillis(100),
                Duration.ofSeconds(10));
        assertThat(round.closedOnQuorum()).isTrue();

        // the grace would end after the deadline: the round closes at the deadline, and the missing are timeouts
        now = System.nanoTime();
        RoundProgress tight = new RoundProgress(3, "all-but-one", now, now + Duration.ofMillis(100).toNanos(),
                policy);
        tight.finished(answer);
        tight.finished(answer);
        assertThat(tight.await(new java.util.concurrent.CompletableFuture<>())).isNull();
        assertThat(tight.closedOnQuorum()).isFalse();
    }
}
