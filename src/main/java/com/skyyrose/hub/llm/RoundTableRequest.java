package com.skyyrose.hub.llm;

import java.util.List;
import java.util.Map;

/**
 * What {@code direct:round-table} takes: the question, the panel and parameters, and the grounding the caller
 * already has — brand context (the {@code direct:brand-context} Map) and retrieved passages (the
 * {@code direct:rag-retrieve} List of {id, document_id, title, text, score}). SuperAgents fill both in; the public
 * API fills them from the routes when present.
 *
 * @param providers requested panel (null or empty = every enabled provider)
 * @param judge     {@code never}, {@code auto} or {@code always} (null = configured default)
 * @param plan      the JSON answer shape the caller expects (allowed tools and their schemas), scored by the
 *                  selector as {@code plan}; null for plain questions
 * @param quorum    answers that close the round early ({@link Quorum}: all, all-but-one, a number; null =
 *                  configured default)
 */
public record RoundTableRequest(String prompt, String system, List<String> providers, String judge,
        Double temperature, Integer maxTokens, Map<String, Object> brandContext,
        List<Map<String, Object>> passages, String principalId, PlanShape plan, String quorum) {

    public RoundTableRequest {
        providers = providers == null ? List.of() : List.copyOf(providers);
        brandContext = brandContext == null ? Map.of() : brandContext;
        passages = passages == null ? List.of() : passages;
    }

    /** A request with the configured quorum. */
    public RoundTableRequest(String prompt, String system, List<String> providers, String judge, Double temperature,
            Integer maxTokens, Map<String, Object> brandContext, List<Map<String, Object>> passages,
            String principalId, PlanShape plan) {
        this(prompt, system, providers, judge, temperature, maxTokens, brandContext, passages, principalId, plan,
                null);
    }

    /** A plain question (no expected answer shape). */
    public RoundTableRequest(String prompt, String system, List<String> providers, String judge, Double temperature,
            Integer maxTokens, Map<String, Object> brandContext, List<Map<String, Object>> passages,
            String principalId) {
        this(prompt, system, providers, judge, temperature, maxTokens, brandContext, passages, principalId, null);
    }

    public RoundTableRequest withGrounding(Map<String, Object> brand, List<Map<String, Object>> retrieved) {
        return new RoundTableRequest(prompt, system, providers, judge, temperature, maxTokens, brand, retrieved,
                principalId, plan, quorum);
    }

    public RoundTableRequest withQuorum(String q) {
        return new RoundTableRequest(prompt, system, providers, judge, temperature, maxTokens, brandContext,
                passages, principalId, plan, q);
    }
}
