package com.skyyrose.hub.knowledge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.Requests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The knowledge base operations of the contract and the building blocks other routes call:
 * {@code direct:rag-retrieve} ({@link #retrieve}) and {@code direct:assemble-prompt} ({@link #assemblePrompt}).
 */
@Component("knowledgeApi")
public class KnowledgeApi {

    public static final int MAX_K = 50;

    private final KnowledgeStore store;
    private final BrandContextService brand;
    private final PromptAssembler prompts;
    private final ObjectMapper json;
    private final int defaultTokenBudget;

    public KnowledgeApi(KnowledgeStore store, BrandContextService brand, PromptAssembler prompts, ObjectMapper json,
            @Value("${hub.knowledge.prompt-token-budget}") int defaultTokenBudget) {
        this.store = store;
        this.brand = brand;
        this.prompts = prompts;
        this.json = json;
        this.defaultTokenBudget = defaultTokenBudget;
    }

    /** POST /api/v1/knowledge/documents → 201 with the stored document (200 when identical content was re-posted). */
    public Map<String, Object> create(byte[] body, Exchange exchange) {
        if (body.length > store.maxBytes() + 64 * 1024L) {
            throw store.tooLarge(body.length);
        }
        JsonNode doc = Requests.jsonObject(json, body);
        KnowledgeStore.NewDocument in = new KnowledgeStore.NewDocument(text(doc, "source_id"), text(doc, "title"),
                text(doc, "content_type"), text(doc, "content"), strings(doc.get("tags")), text(doc, "collection"));
        if (in.title() == null || in.title().isBlank()) {
            throw ProblemException.badRequest("/title", "is required");
        }
        Map<String, Object> stored = store.ingest(in, BrandApi.who(exchange));
        boolean unchanged = Boolean.TRUE.equals(stored.get("unchanged"));
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, unchanged ? 200 : 201);
        exchange.getMessage().setHeader("Location", "/api/v1/knowledge/documents/" + stored.get("id"));
        return stored;
    }

    /** GET /api/v1/knowledge/documents. */
    public Map<String, Object> list(Exchange exchange) {
        return store.list(exchange.getMessage().getHeader("tag", String.class),
                exchange.getMessage().getHeader("collection", String.class),
                Requests.intParam(exchange, "limit", 50), Requests.intParam(exchange, "offset", 0));
    }

    /** GET /api/v1/knowledge/documents/{documentId}. */
    public Map<String, Object> get(Exchange exchange) {
        return store.document(documentId(exchange), true);
    }

    /** DELETE /api/v1/knowledge/documents/{documentId} → 204. */
    public void delete(Exchange exchange) {
        UUID id = documentId(exchange);
        if (!store.delete(id, BrandApi.who(exchange))) {
            throw ProblemException.notFound("Knowledge document " + id + " does not exist.");
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        exchange.getMessage().setBody(null);
    }

    /** POST /api/v1/knowledge/search. */
    public Map<String, Object> search(byte[] body) {
        JsonNode q = Requests.jsonObject(json, body);
        Map<String, Object> request = json.convertValue(q, Map.class);
        List<Map<String, Object>> hits = store.search(query(request));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("query", request.get("query"));
        out.put("results", hits);
        return out;
    }

    /**
     * {@code direct:rag-retrieve}: body {query, k, tags?, collection?, min_score?} → list of
     * {id, document_id, title, text, score} (plus source_id, ordinal, tags, collection), best first.
     */
    public List<Map<String, Object>> retrieve(Map<String, Object> body) {
        if (body == null) {
            throw ProblemException.badRequest("query", "is required");
        }
        return store.search(query(body));
    }

    /**
     * {@code direct:assemble-prompt}: body {instructions, task, query? (defaults to task), k?, tags?, collection?,
     * token_budget?, brand?: true} → {system, user, passage_ids, estimated_tokens, dropped_passages}.
     */
    public Map<String, Object> assemblePrompt(Map<String, Object> body) {
        String task = body.get("task") == null ? null : String.valueOf(body.get("task"));
        if (task == null || task.isBlank()) {
            throw ProblemException.badRequest("task", "is required");
        }
        Map<String, Object> retrieval = new LinkedHashMap<>(body);
        retrieval.putIfAbsent("query", task);
        retrieval.putIfAbsent("k", 5);
        List<Map<String, Object>> passages = Boolean.FALSE.equals(body.get("rag")) ? List.of() : retrieve(retrieval);
        Map<String, Object> brandContext = Boolean.FALSE.equals(body.get("brand")) ? null : brand.current();
        int budget = body.get("token_budget") instanceof Number n ? n.intValue() : defaultTokenBudget;
        return prompts.assemble(brandContext, passages, body.get("instructions") == null ? ""
                : String.valueOf(body.get("instructions")), task, budget).toMap();
    }

    private KnowledgeStore.Query query(Map<String, Object> body) {
        Object query = body.get("query");
        if (!(query instanceof String s) || s.isBlank()) {
            throw ProblemException.badRequest("/query", "is required (non-empty text)");
        }
        int k = 5;
        if (body.get("k") != null) {
            if (!(body.get("k") instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
                throw ProblemException.badRequest("/k", "must be an integer between 1 and " + MAX_K);
            }
            k = n.intValue();
        }
        if (k < 1 || k > MAX_K) {
            throw ProblemException.badRequest("/k", "must be between 1 and " + MAX_K + " (was " + k + ")");
        }
        Double minScore = null;
        if (body.get("min_score") != null) {
            if (!(body.get("min_score") instanceof Number n) || n.doubleValue() < -1 || n.doubleValue() > 1) {
                throw ProblemException.badRequest("/min_score", "must be a number between -1 and 1");
            }
            minScore = n.doubleValue();
        }
        List<String> tags = new ArrayList<>();
        if (body.get("tags") instanceof List<?> l) {
            l.forEach(t -> tags.add(String.valueOf(t)));
        } else if (body.get("tags") instanceof String t) {
            tags.add(t);
        }
        Object collection = body.get("collection");
        return new KnowledgeStore.Query(s, k, tags, collection == null ? null : String.valueOf(collection), minScore);
    }

    private static UUID documentId(Exchange exchange) {
        String raw = exchange.getMessage().getHeader("documentId", String.class);
        try {
            return UUID.fromString(raw);
        } catch (RuntimeException e) {
            throw ProblemException.badRequest("documentId", "must be a UUID");
        }
    }

    private static String text(JsonNode doc, String field) {
        JsonNode v = doc.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node != null && node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
