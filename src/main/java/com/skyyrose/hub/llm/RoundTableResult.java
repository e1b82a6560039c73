package com.skyyrose.hub.llm;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * What {@code direct:round-table} returns, and (as JSON) what the API answers: the winner with its full text,
 * every candidate with its scores, tokens and cost, and how the selection was made; {@code round} says how the
 * fan-out closed (every provider, quorum + grace with the late ones, or the deadline).
 */
public record RoundTableResult(String id, Winner winner, List<Candidate> candidates, Selection selection,
        boolean degraded, boolean cached, @JsonProperty("total_latency_ms") long totalLatencyMs,
        Candidate.Tokens tokens, @JsonProperty("cost_usd") double costUsd,
        @JsonProperty("created_at") String createdAt, Map<String, Object> round,
        @JsonProperty("personal_data") Map<String, Object> personalData) {

    public record Winner(String provider, String model, String text, Double score) {
    }

    public record Selection(String method, Map<String, Double> weights, String rationale, Double agreement,
            Map<String, Object> judge) {
    }
}
