package com.skyyrose.hub.llm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps around the fan-out of {@code direct:round-table} (routes/round-table/round-table.camel.yaml):
 * {@link #prepare} chooses the panel and the deadline; after the recipient list, {@link #select} marks providers
 * that missed the deadline as {@code timeout}, falls back to the local answerer when nobody answered, scores
 * every candidate, asks the judge when configured or when the candidates disagree, and builds the result.
 */
@Component("roundTable")
public class RoundTableService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoundTableService.class);

    static final String REQUEST = "hub.llm.request";
    static final String PANEL = "hub.llm.panel";
    static final String DEADLINE = "hub.llm.deadline";
    static final String STARTED = "hub.llm.started";
    static final String COLLECTED = "hub.llm.candidates";

    private final ProviderRegistry registry;
    private final ProviderCaller caller;
    private final LocalAnswerer local;
    private final LlmProperties props;
    private final Selector selector;
    private final RoundTableJudge judge;
    private final LlmConfiguration config;
    private final LlmMetrics metrics;

    public RoundTableService(ProviderRegistry registry, ProviderCaller caller, LocalAnswerer local,
            LlmProperties props, LlmMetrics metrics, LlmConfiguration config) {
        this.registry = registry;
        this.caller = caller;
        this.local = local;
        this.props = props;
        this.metrics = metrics;
        this.selector = new Selector(props.getWeights());
        this.judge = new RoundTableJudge(registry, caller, props.getJudge());
        this.config = config;
    }

    /** The provider ids a request's panel resolves to (panel order): requested ones, else every enabled provider. */
    public List<String> panel(RoundTableRequest request) {
        List<String> panel = new ArrayList<>();
        boolean everyEnabled = request.providers().isEmpty();
        for (String id : LlmProperties.PROVIDER_IDS) {
            // a provider asked for by name but not configured is listed with error not_configured
            if (everyEnabled ? registry.isEnabled(id) : request.providers().contains(id)) {
                panel.add(id);
            }
        }
        return panel;
    }

    /** Before the fan-out: the panel's endpoints (enabled providers only) and the round's deadline. */
    public void prepare(Exchange exchange) {
        RoundTableRequest request = exchange.getMessage().getBody(RoundTableRequest.class);
        if (request == null || request.prompt() == null || request.prompt().isBlank()) {
            throw new IllegalArgumentException("direct:round-table needs a RoundTableRequest with a prompt");
        }
        exchange.setProperty(REQUEST, request);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(DEADLINE, System.nanoTime() + props.getDeadline().toNanos());
        List<String> endpoints = new ArrayList<>();
        for (String id : panel(request)) {
            if (registry.isEnabled(id)) {
                endpoints.add("direct:llm-" + id);
            }
        }
        exchange.setProperty(PANEL, endpoints);
        exchange.removeProperty(COLLECTED);
    }

    /** One provider branch: answers within the round's deadline; never throws. */
    public Candidate answer(String providerId, Exchange exchange) {
        RoundTableRequest request = exchange.getProperty(REQUEST, RoundTableRequest.class);
        long deadline = exchange.getProperty(DEADLINE, Long.class);
        return caller.answer(providerId, request, deadline);
    }

    /** After the fan-out: score, judge, choose; the body becomes a {@link RoundTableResult}. */
    public void select(Exchange exchange) {
        RoundTableRequest request = exchange.getProperty(REQUEST, RoundTableRequest.class);
        long started = exchange.getProperty(STARTED, Long.class);
        long selectStart = System.nanoTime();
        @SuppressWarnings("unchecked")
        List<Candidate> collected = exchange.getProperty(COLLECTED, List.class);
        List<Candidate> got = collected == null ? List.of() : List.copyOf(collected);
        List<Candidate> candidates = new ArrayList<>();
        long deadlineMs = props.getDeadline().toMillis();
        for (String id : panel(request)) {
            Candidate c = got.stream().filter(x -> x.provider().equals(id)).findFirst().orElse(null);
            if (c == null) {
                c = registry.get(id).map(p -> Candidate.failed(id, p.model(), "timeout", deadlineMs))
                        .orElseGet(() -> Candidate.failed(id, null, "not_configured", 0));
            }
            candidates.add(c);
        }
        boolean degraded = candidates.stream().noneMatch(Candidate::ok);
        if (degraded) {
            candidates.add(local.answer(request));
        }
        TextEmbedder embedder = TextEmbedder.forRound();
        Selector.Scored scored = selector.score(request.prompt(), candidates, request.brandContext(),
                request.passages(), request.maxTokens(), request.plan(), embedder);
        List<Candidate> result = new ArrayList<>(scored.candidates());
        int winner = scored.winner();
        String method = degraded ? "local-fallback" : "scores";
        Map<String, Object> verdict = null;
        if (!degraded && scored.ranking().size() >= 2 && wantsJudge(request, scored.agreement())) {
            int a = scored.ranking().get(0);
            int b = scored.ranking().get(1);
            verdict = judge.judge(request.prompt(), request.passages(), result.get(a), result.get(b),
                    config.judgePool());
            verdict.put("trigger", judgeMode(request).equals("always") ? "always"
                    : "disagreement (agreement " + Selector.fmt(scored.agreement()) + " < "
                            + Selector.fmt(props.getJudge().getDisagreementThreshold()) + ")");
            Object judged = verdict.get("winner");
            // the judge chooses between answers the facts leave equal; it never lifts a contradicted answer
            if (judged != null && scored.tier(a) != scored.tier(b)) {
                verdict.put("overruled", "facts: " + result.get(a).provider() + " has "
                        + (scored.tier(b) == 0 ? "no contradicted claim" : "more support") + " than "
                        + result.get(b).provider());
                judged = null;
            }
            if (judged != null) {
                method = "scores+judge";
                int judgedIndex = judged.equals(result.get(a).provider()) ? a : b;
                int other = judgedIndex == a ? b : a;
                result.set(judgedIndex, withJudge(result.get(judgedIndex), 1.0));
                result.set(other, withJudge(result.get(other), 0.0));
                winner = judgedIndex;
            }
        }
        String rationale = scored.rationale();
        if (verdict != null) {
            rationale += verdict.get("overruled") != null
                    ? " The judge preferred " + verdict.get("winner") + ", but the facts decide ("
                            + verdict.get("overruled") + ")."
                    : verdict.get("winner") != null
                    ? " The judge (" + verdict.get("provider") + ") preferred " + verdict.get("winner")
                            + " in both orders, so " + verdict.get("winner") + " wins."
                    : " The judge gave no consistent verdict; the scores decide.";
        }
        if (degraded) {
            rationale = "Every provider failed or none is configured: the local offline answer (not a model) is "
                    + "returned. " + rationale;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("round timings: fan-out {} ms, selection {} ms", (selectStart - started) / 1_000_000,
                    (System.nanoTime() - selectStart) / 1_000_000);
        }
        Candidate w = winner >= 0 ? result.get(winner) : null;
        long in = 0;
        long out = 0;
        double cost = 0;
        for (Candidate c : result) {
            in += c.tokens().input();
            out += c.tokens().output();
            cost += c.costUsd();
        }
        RoundTableResult r = new RoundTableResult(UUID.randomUUID().toString(),
                w == null ? null : new RoundTableResult.Winner(w.provider(), w.model(), w.text(), w.score()),
                result, new RoundTableResult.Selection(method, weightsUsed(result), rationale, scored.agreement(),
                        verdict),
                degraded, false, (System.nanoTime() - started) / 1_000_000, new Candidate.Tokens(in, out),
                Math.round(cost * 1e8) / 1e8, Instant.now().toString());
        metrics.round(degraded ? "degraded" : "ok", w == null ? null : w.provider());
        exchange.getMessage().setBody(r);
    }

    /** The weights of the components that scored this round (no {@code plan} weight for a plain question). */
    private Map<String, Double> weightsUsed(List<Candidate> scored) {
        Map<String, Double> used = new LinkedHashMap<>();
        selector.weights().forEach((component, weight) -> {
            if (scored.stream().anyMatch(c -> c.scores() != null && c.scores().containsKey(component))) {
                used.put(component, weight);
            }
        });
        return used.isEmpty() ? selector.weights() : used;
    }

    private static Candidate withJudge(Candidate c, double judgeScore) {
        Map<String, Double> s = new LinkedHashMap<>(c.scores());
        s.put("judge", judgeScore);
        return c.scored(s, c.score());
    }

    private String judgeMode(RoundTableRequest request) {
        String mode = request.judge() != null ? request.judge() : props.getJudge().getMode();
        return mode == null ? "auto" : mode.toLowerCase(Locale.ROOT);
    }

    private boolean wantsJudge(RoundTableRequest request, Double agreement) {
        return switch (judgeMode(request)) {
            case "always" -> true;
            case "auto" -> agreement != null && agreement < props.getJudge().getDisagreementThreshold();
            default -> false;
        };
    }
}
