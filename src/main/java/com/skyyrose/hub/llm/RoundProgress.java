package com.skyyrose.hub.llm;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One round's progress, shared by its fan-out branches: how many providers answered, when the quorum was reached
 * and so when the round closes (quorum + grace, else the deadline). A branch waits for its provider's call with
 * {@link #await}; when the round closes first the branch returns at once (its provider is {@code late}) while the
 * call itself runs on to its own timeout and is discarded. Every branch returning is what ends the recipient
 * list early: Camel's multicast has no completion predicate, only its timeout.
 */
final class RoundProgress {

    private final int branches;
    private final int quorum;
    private final long started;
    private final long deadline;
    private final LlmProperties.Quorum policy;
    private int finished;
    private int answered;
    private long quorumAt = -1;
    private long graceNanos;
    private long closeAt;

    RoundProgress(int branches, String quorumSpec, long started, long deadline, LlmProperties.Quorum policy) {
        this.branches = branches;
        this.quorum = Quorum.of(quorumSpec, branches);
        this.started = started;
        this.deadline = deadline;
        this.policy = policy;
        this.closeAt = deadline;
    }

    /** A provider's call finished (answer or error); the first time the quorum is met the grace period starts. */
    synchronized void finished(Candidate c) {
        finished++;
        if (c != null && c.ok()) {
            answered++;
        }
        long now = System.nanoTime();
        if (quorumAt < 0 && answered >= quorum && finished < branches) {
            quorumAt = now;
            graceNanos = grace(now - started);
            closeAt = Math.min(deadline, now + graceNanos);
        }
        notifyAll();
    }

    /** The larger of grace-min and grace-factor × the time the quorum took, at most grace-max. */
    long grace(long tookNanos) {
        long byFactor = (long) (tookNanos * policy.getGraceFactor());
        long grace = Math.max(policy.getGraceMin().toNanos(), byFactor);
        return Math.min(grace, policy.getGraceMax().toNanos());
    }

    /** The call's candidate, or null when the round closed (quorum + grace, or deadline) before it finished. */
    Candidate await(CompletableFuture<Candidate> call) throws InterruptedException {
        synchronized (this) {
            while (!call.isDone()) {
                long left = closeAt - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return call.getNow(null);
    }

    /** Whether the round closed on its quorum before the deadline (a missing provider is late, not timed out). */
    synchronized boolean closedOnQuorum() {
        return quorumAt >= 0 && closeAt < deadline && System.nanoTime() < deadline;
    }

    int quorum() {
        return quorum;
    }

    int branches() {
        return branches;
    }

    /**
     * How the round closed, for the result: {@code all} (every provider finished), {@code quorum} (some were
     * late) or {@code deadline} (some timed out); the quorum, when it was reached and the grace given.
     */
    synchronized Map<String, Object> summary(List<Candidate> candidates) {
        List<String> late = candidates.stream().filter(c -> "late".equals(c.error())).map(Candidate::provider)
                .toList();
        boolean timedOut = candidates.stream().anyMatch(c -> "timeout".equals(c.error()));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("closed_on", !late.isEmpty() ? "quorum" : timedOut ? "deadline" : "all");
        s.put("quorum", quorum);
        s.put("panel", branches);
        if (quorumAt >= 0) {
            s.put("quorum_ms", Duration.ofNanos(quorumAt - started).toMillis());
            s.put("grace_ms", Duration.ofNanos(graceNanos).toMillis());
        }
        s.put("late", late);
        return s;
    }
}
