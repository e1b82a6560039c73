package com.skyyrose.hub.llm;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One provider's answer in a round, or its failure ({@code error} = {@code timeout}, {@code circuit_open},
 * {@code http_500: ...}). {@code scores} are filled by the selector; {@code score} is their weighted total;
 * {@code claims} lists the answer's supported and contradicted claims ({@link ClaimGrounding}) when there was
 * evidence to check them against.
 */
public record Candidate(String provider, String model, String text, String error,
        @JsonProperty("latency_ms") long latencyMs, Tokens tokens, @JsonProperty("cost_usd") double costUsd,
        @JsonProperty("finish_reason") String finishReason, Map<String, Double> scores, Double score,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> claims) {

    public Candidate(String provider, String model, String text, String error, long latencyMs, Tokens tokens,
            double costUsd, String finishReason, Map<String, Double> scores, Double score) {
        this(provider, model, text, error, latencyMs, tokens, costUsd, finishReason, scores, score, null);
    }

    public record Tokens(long input, long output) {
    }

    public static Candidate failed(String provider, String model, String error, long latencyMs) {
        return new Candidate(provider, model, null, error, latencyMs, new Tokens(0, 0), 0, null, Map.of(), null);
    }

    @JsonIgnore
    public boolean ok() {
        return error == null && text != null;
    }

    public Candidate scored(Map<String, Double> componentScores, double total) {
        return new Candidate(provider, model, text, error, latencyMs, tokens, costUsd, finishReason,
                new LinkedHashMap<>(componentScores), total, claims);
    }

    /** The same candidate with another text (e.g. placeholders restored to the caller's values). */
    public Candidate withText(String replaced) {
        return new Candidate(provider, model, replaced, error, latencyMs, tokens, costUsd, finishReason, scores, score,
                claims);
    }

    public Candidate withClaims(Map<String, Object> checked) {
        return new Candidate(provider, model, text, error, latencyMs, tokens, costUsd, finishReason, scores, score,
                checked);
    }
}
