package com.skyyrose.hub.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.security.Ownership;
import com.skyyrose.hub.security.Principal;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.component.direct.DirectEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The round table's HTTP operations (routes/round-table/round-table-api.camel.yaml): parse and cache lookup,
 * grounding from the brand-context and RAG routes when they exist, persistence and caching of results, reads.
 */
@Component("roundTableApi")
public class RoundTableApi {

    private static final Logger LOG = LoggerFactory.getLogger(RoundTableApi.class);
    static final String CACHE_HIT = "hub.llm.cacheHit";
    static final String CACHE_KEY = "hub.llm.cacheKey";
    static final String API_STARTED = "hub.llm.apiStarted";
    private static final String CACHE_PREFIX = "hub:round-table:cache:";

    private final ObjectMapper json;
    private final RoundTableService roundTable;
    private final RoundTableStore store;
    private final StringRedisTemplate redis;
    private final LlmProperties props;
    private final LlmMetrics metrics;
    private final ProviderRegistry registry;
    private final CamelContext camel;
    private final ProducerTemplate producer;

    public RoundTableApi(ObjectMapper json, RoundTableService roundTable, RoundTableStore store,
            StringRedisTemplate redis, LlmProperties props, LlmMetrics metrics, ProviderRegistry registry,
            CamelContext camel, ProducerTemplate producer) {
        this.json = json;
        this.roundTable = roundTable;
        this.store = store;
        this.redis = redis;
        this.props = props;
        this.metrics = metrics;
        this.registry = registry;
        this.camel = camel;
        this.producer = producer;
    }

    /** Reads the query; looks the identical request up in the cache unless {@code Cache-Control: no-cache}. */
    public void parseQuery(Exchange exchange) throws Exception {
        exchange.setProperty(API_STARTED, System.nanoTime());
        Long received = exchange.getCreated() > 0 ? exchange.getClock().getCreated() : null;
        if (received != null && LOG.isDebugEnabled()) {
            LOG.debug("query reached its route {} ms after the exchange was created",
                    System.currentTimeMillis() - received);
        }
        JsonNode body = json.readTree(exchange.getMessage().getBody(byte[].class));
        List<String> providers = new ArrayList<>();
        body.path("providers").forEach(p -> providers.add(p.asText()));
        List<Map<String, Object>> passages = body.has("passages")
                ? json.convertValue(body.get("passages"), new TypeReference<List<Map<String, Object>>>() { })
                : List.of();
        String principal = Principal.current(exchange).map(Principal::id).orElse("anonymous");
        RoundTableRequest request = new RoundTableRequest(body.path("prompt").asText(),
                body.hasNonNull("system") ? body.get("system").asText() : null, providers,
                body.hasNonNull("judge") ? body.get("judge").asText() : null,
                body.hasNonNull("temperature") ? body.get("temperature").asDouble() : null,
                body.hasNonNull("max_tokens") ? body.get("max_tokens").asInt() : null, null, passages, principal);
        if (request.prompt().isBlank()) {
            throw ProblemException.badRequest("prompt", "must not be blank");
        }
        if (body.hasNonNull("quorum")) {
            try {
                request = request.withQuorum(Quorum.parse(body.get("quorum").asText()));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("quorum", e.getMessage());
            }
        }
        exchange.getMessage().setBody(request);
        String key = cacheKey(request);
        exchange.setProperty(CACHE_KEY, key);
        String cacheControl = exchange.getMessage().getHeader("Cache-Control", String.class);
        if (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-cache")) {
            return;
        }
        try {
            String hit = redis.opsForValue().get(CACHE_PREFIX + key);
            if (hit != null) {
                exchange.setProperty(CACHE_HIT, hit);
            }
        } catch (RuntimeException e) {
            LOG.warn("Round-table cache unavailable, answering without it: {}", e.toString());
        }
    }

    /**
     * Same caller, prompt, system, panel and parameters (and caller-supplied passages) give the same key. The caller
     * is part of it: a cached answer is a stored result (its id, prompt and answer) that only its owner may read.
     */
    String cacheKey(RoundTableRequest r) throws JsonProcessingException, NoSuchAlgorithmException {
        Map<String, Object> canonical = new LinkedHashMap<>();
        canonical.put("principal", r.principalId());
        canonical.put("prompt", r.prompt());
        canonical.put("system", r.system());
        canonical.put("panel", roundTable.panel(r));
        canonical.put("judge", r.judge());
        canonical.put("temperature", r.temperature());
        canonical.put("max_tokens", r.maxTokens());
        canonical.put("passages", r.passages());
        if (r.quorum() != null) {
            canonical.put("quorum", r.quorum());
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(canonical));
        return HexFormat.of().formatHex(digest);
    }

    public Map<String, Object> cachedReply(Exchange exchange) throws Exception {
        Map<String, Object> doc = json.readValue(exchange.getProperty(CACHE_HIT, String.class),
                new TypeReference<LinkedHashMap<String, Object>>() { });
        doc.put("cached", true);
        doc.put("total_latency_ms", elapsedMs(exchange));
        metrics.cacheHit();
        exchange.getMessage().setHeader("X-Hub-Cache", "hit");
        return doc;
    }

    /** Adds the brand context and passages the request does not carry, from the routes that provide them. */
    public RoundTableRequest ground(Exchange exchange) {
        RoundTableRequest request = exchange.getMessage().getBody(RoundTableRequest.class);
        Map<String, Object> brand = request.brandContext();
        if (brand.isEmpty()) {
            brand = brandContext();
        }
        List<Map<String, Object>> passages = request.passages();
        if (passages.isEmpty() && hasRoute("rag-retrieve")) {
            passages = retrieve(request.prompt());
        }
        return request.withGrounding(brand, passages);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> brandContext() {
        if (hasRoute("brand-context")) {
            try {
                Object ctx = producer.requestBody("direct:brand-context", (Object) null);
                if (ctx instanceof Map<?, ?> m && !m.isEmpty()) {
                    return (Map<String, Object>) m;
                }
            } catch (RuntimeException e) {
                LOG.warn("direct:brand-context failed, using the configured brand voice: {}", e.toString());
            }
        }
        return props.getBrand().asContext();
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> retrieve(String query) {
        try {
            Map<String, Object> ask = new LinkedHashMap<>();
            ask.put("query", query);
            // the question chooses the passages; those past rag-passages only check the answers' claims
            ask.put("k", Math.max(props.getRagPassages(), props.getScoringPassages()));
            Object found = producer.requestBody("direct:rag-retrieve", ask);
            if (found instanceof List<?> list) {
                List<Map<String, Object>> out = new ArrayList<>();
                list.forEach(o -> {
                    if (o instanceof Map<?, ?> m) {
                        Map<String, Object> p = (Map<String, Object>) m;
                        if (out.size() >= props.getRagPassages()) {
                            p = new LinkedHashMap<>(p);
                            p.put(Grounding.SCORING_ONLY, true);
                        }
                        out.add(p);
                    }
                });
                return out;
            }
        } catch (RuntimeException e) {
            LOG.warn("direct:rag-retrieve failed, answering without passages: {}", e.toString());
        }
        return List.of();
    }

    boolean hasRoute(String directName) {
        for (Route route : camel.getRoutes()) {
            if (route.getEndpoint() instanceof DirectEndpoint direct
                    && direct.getEndpointBaseUri().equals("direct://" + directName)
                    && camel.getRouteController().getRouteStatus(route.getRouteId()).isStarted()) {
                return true;
            }
        }
        return false;
    }

    /** Persists the result (with candidates), caches it when it is a successful, non-degraded round. */
    public Map<String, Object> record(Exchange exchange) throws Exception {
        RoundTableResult result = exchange.getMessage().getBody(RoundTableResult.class);
        RoundTableRequest request = exchange.getProperty(RoundTableService.REQUEST, RoundTableRequest.class);
        long saveStart = System.nanoTime();
        store.save(result, request.prompt(), request.principalId());
        LOG.debug("round {} persisted in {} ms", result.id(), (System.nanoTime() - saveStart) / 1_000_000);
        Map<String, Object> doc = json.convertValue(result, new TypeReference<LinkedHashMap<String, Object>>() { });
        if (!result.degraded() && result.winner() != null) {
            try {
                redis.opsForValue().set(CACHE_PREFIX + exchange.getProperty(CACHE_KEY, String.class),
                        json.writeValueAsString(doc), props.getCacheTtl());
            } catch (RuntimeException e) {
                LOG.warn("Round-table cache write failed: {}", e.toString());
            }
        }
        doc.put("total_latency_ms", elapsedMs(exchange));
        exchange.getMessage().setHeader("X-Hub-Cache", "miss");
        return doc;
    }

    public String getResult(Exchange exchange) {
        String id = exchange.getMessage().getHeader("id", String.class);
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (RuntimeException e) {
            throw ProblemException.notFound("No round-table result " + id + ".");
        }
        Principal principal = Principal.current(exchange).orElse(null);
        return store.find(uuid, Ownership.of(principal, "principal_id"))
                .orElseThrow(() -> ProblemException.notFound("No round-table result " + id + "."));
    }

    public Map<String, Object> listResults(Exchange exchange) {
        int limit = Requests.intParam(exchange, "limit", 20);
        int offset = Requests.intParam(exchange, "offset", 0);
        String provider = exchange.getMessage().getHeader("provider", String.class);
        String principal = exchange.getMessage().getHeader("principal", String.class);
        Map<String, Object> page = store.list(Ownership.of(Principal.current(exchange).orElse(null), "principal_id"),
                blankToNull(principal), blankToNull(provider), limit, offset);
        exchange.getMessage().setHeader("X-Total-Count", page.get("total"));
        return page;
    }

    public Map<String, Object> providers() {
        Map<String, Map<String, Object>> recent = store.recent(15);
        Map<String, LatencyBudgets.Budget> budgets = LatencyBudgets.of(
                registry.enabled().stream().map(ProviderRegistry.Provider::id).toList(), recent,
                props.getLatencyBudget());
        List<Map<String, Object>> list = new ArrayList<>();
        // the shipped providers (also when their file is gone: enabled false) and every provider file
        java.util.Set<String> ids = new java.util.LinkedHashSet<>(LlmProperties.PROVIDER_IDS);
        ids.addAll(registry.declared());
        List<String> ordered = new ArrayList<>(ids);
        ordered.sort(ProviderRegistry::panelOrder);
        for (String id : ordered) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("id", id);
            ProviderRegistry.Provider provider = registry.get(id).orElse(null);
            p.put("enabled", provider != null);
            if (provider != null) {
                p.put("model", provider.model());
                p.put("base_url", provider.baseUrl());
                CircuitBreaker.Metrics m = provider.circuit().getMetrics();
                Map<String, Object> circuit = new LinkedHashMap<>();
                circuit.put("state", provider.circuit().getState().name().toLowerCase(Locale.ROOT));
                circuit.put("failure_rate", m.getFailureRate() < 0 ? null : (double) m.getFailureRate());
                circuit.put("buffered_calls", m.getNumberOfBufferedCalls());
                circuit.put("failed_calls", m.getNumberOfFailedCalls());
                circuit.put("not_permitted_calls", m.getNumberOfNotPermittedCalls());
                circuit.put("slow_call_rate", m.getSlowCallRate() < 0 ? null : (double) m.getSlowCallRate());
                circuit.put("slow_calls", m.getNumberOfSlowCalls());
                p.put("circuit", circuit);
            }
            p.put("recent", recent.getOrDefault(id, Map.of("window_minutes", 15, "calls", 0)));
            if (provider != null) {
                p.put("latency_budget", budgets.get(id).asMap());
            }
            list.add(p);
        }
        Map<String, Object> local = new LinkedHashMap<>();
        local.put("id", LocalAnswerer.PROVIDER);
        local.put("enabled", true);
        local.put("description", "Offline fallback grounded in brand context and passages; not a model. Used only "
                + "when no provider is configured or all fail (degraded).");
        list.add(local);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("providers", list);
        out.put("deadline_ms", props.getDeadline().toMillis());
        LlmProperties.Quorum q = props.getQuorum();
        out.put("quorum", Map.of("default", q.getDefaultQuorum(), "grace_min_ms", q.getGraceMin().toMillis(),
                "grace_factor", q.getGraceFactor(), "grace_max_ms", q.getGraceMax().toMillis()));
        out.put("judge", Map.of("mode", props.getJudge().getMode(), "disagreement_threshold",
                props.getJudge().getDisagreementThreshold()));
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static long elapsedMs(Exchange exchange) {
        Long started = exchange.getProperty(API_STARTED, Long.class);
        return started == null ? 0 : (System.nanoTime() - started) / 1_000_000;
    }
}
