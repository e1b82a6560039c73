package com.skyyrose.hub.llm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import com.skyyrose.hub.privacy.Pseudonymizer;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps around the fan-out of {@code direct:round-table} (routes/round-table/round-table.camel.yaml):
 * {@link #prepare} chooses the panel, the deadline and the quorum ({@link RoundProgress}); each branch's
 * {@link #answer} waits for its provider until the round closes; after the recipient list, {@link #select} marks
 * providers that missed the deadline as {@code timeout}, falls back to the local answerer when nobody answered, scores
 * every candidate, asks the judge when configured or when the candidates disagree, and builds the result.
 */
@Component("roundTable")
public class RoundTableService {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RoundTableService.class);

    static final String REQUEST = "hub.llm.request";
    static final String PANEL = "hub.llm.panel";
    static final String PANEL_IDS = "hub.llm.panel-ids";
    static final String BRANCH = "direct:round-table-branch";
    static final String DEADLINE = "hub.llm.deadline";
    static final String STARTED = "hub.llm.started";
    static final String COLLECTED = "hub.llm.candidates";
    static final String PROGRESS = "hub.llm.progress";

    private final ProviderRegistry registry;
    private final ProviderCaller caller;
    private final LocalAnswerer local;
    private final LlmProperties props;
    private final Selector selector;
    private final RoundTableJudge judge;
    private final LlmConfiguration config;
    private final LlmMetrics metrics;
    private final RoundTablePrivacy privacy;

    public RoundTableService(ProviderRegistry registry, ProviderCaller caller, LocalAnswerer local,
            LlmProperties props, LlmMetrics metrics, LlmConfiguration config, RoundTablePrivacy privacy) {
        this.registry = registry;
        this.caller = caller;
        this.local = local;
        this.props = props;
        this.metrics = metrics;
        this.selector = new Selector(props.getWeights());
        this.judge = new RoundTableJudge(registry, caller, props.getJudge());
        this.config = config;
        this.privacy = privacy;
    }

    /**
     * The provider ids a request's panel resolves to (panel order): requested ones (a requested provider that is not
     * configured is listed with error not_configured), else every enabled provider.
     */
    public List<String> panel(RoundTableRequest request) {
        if (request.providers().isEmpty()) {
            return registry.enabled().stream().map(ProviderRegistry.Provider::id).toList();
        }
        List<String> panel = new ArrayList<>(new java.util.LinkedHashSet<>(request.providers()));
        panel.sort(ProviderRegistry::panelOrder);
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
        // every branch is direct:round-table-branch; a branch finds its provider by its index in the fan-out
        List<String> asked = panel(request).stream().filter(registry::isEnabled).toList();
        List<String> endpoints = java.util.Collections.nCopies(asked.size(), BRANCH);
        exchange.setProperty(PANEL_IDS, asked);
        // personal data is pseudonymised per request; a panel provider with policy 'refuse' refuses it here (422)
        privacy.open(exchange, request, asked);
        // the providers' deadline starts after the masking (it counts in the round's latency, not in theirs)
        exchange.setProperty(DEADLINE, System.nanoTime() + props.getDeadline().toNanos());
        exchange.setProperty(PANEL, endpoints);
        exchange.removeProperty(COLLECTED);
        exchange.setProperty(PROGRESS, new RoundProgress(endpoints.size(),
                request.quorum() != null ? request.quorum() : props.getQuorum().getDefaultQuorum(),
                exchange.getProperty(STARTED, Long.class), exchange.getProperty(DEADLINE, Long.class),
                props.getQuorum()));
    }

    /**
     * One provider branch: the call runs on the call pool (bounded by the deadline through its HTTP timeout)
     * while the branch waits for it only until the round closes; a provider still running then is {@code late}
     * (round closed on quorum) or {@code timeout} (deadline), and its answer is discarded. Never throws.
     */
    public Candidate answer(Exchange exchange) throws InterruptedException {
        @SuppressWarnings("unchecked")
        List<String> ids = exchange.getProperty(PANEL_IDS, List.class);
        Integer index = exchange.getProperty(Exchange.MULTICAST_INDEX, Integer.class);
        if (ids == null || index == null || index < 0 || index >= ids.size()) {
            throw new IllegalStateException("direct:round-table-branch runs only as a branch of direct:round-table");
        }
        return answer(ids.get(index), exchange);
    }

    /** The branch of one provider (see {@link #answer(Exchange)}). */
    public Candidate answer(String providerId, Exchange exchange) throws InterruptedException {
        RoundTableRequest request = exchange.getProperty(REQUEST, RoundTableRequest.class);
        long deadline = exchange.getProperty(DEADLINE, Long.class);
        RoundProgress round = exchange.getProperty(PROGRESS, RoundProgress.class);
        Pseudonymizer pseudonyms = RoundTablePrivacy.session(exchange);
        long start = System.nanoTime();
        metrics.callStarted();
        CompletableFuture<Candidate> call;
        try {
            call = CompletableFuture.supplyAsync(() -> caller.answer(providerId, request, deadline, pseudonyms),
                    config.callPool());
        } catch (RuntimeException e) {
            metrics.callEnded();
            throw e;
        }
        call.whenComplete((c, e) -> {
            metrics.callEnded();
            round.finished(c);
        });
        Candidate c = round.await(call);
        if (c != null) {
            return c;
        }
        String model = registry.get(providerId).map(ProviderRegistry.Provider::model).orElse(null);
        if (round.closedOnQuorum()) {
            metrics.late(providerId);
            return Candidate.failed(providerId, model, "late", (System.nanoTime() - start) / 1_000_000);
        }
        return Candidate.failed(providerId, model, "timeout", props.getDeadline().toMillis());
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
        // scoring and the judge see the masked request, as the providers did
        RoundTableRequest masked = RoundTablePrivacy.masked(exchange, request);
        Pseudonymizer pseudonyms = RoundTablePrivacy.session(exchange);
        Selector.Scored scored = selector.score(masked.prompt(), candidates, masked.brandContext(),
                masked.passages(), request.maxTokens(), request.plan());
        List<Candidate> result = new ArrayList<>(scored.candidates());
        int winner = scored.winner();
        String method = degraded ? "local-fallback" : "scores";
        Map<String, Object> verdict = null;
        if (!degraded && scored.ranking().size() >= 2 && wantsJudge(request, scored.agreement())) {
            int a = scored.ranking().get(0);
            int b = scored.ranking().get(1);
            verdict = judge.judge(masked.prompt(), masked.passages(), result.get(a), result.get(b),
                    config.judgePool(), pseudonyms);
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
        RoundProgress progress = exchange.getProperty(PROGRESS, RoundProgress.class);
        Map<String, Object> round = progress == null ? null : progress.summary(candidates);
        String rationale = scored.rationale() + closure(round, candidates);
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
        // the caller sees the real values where the models used placeholders
        result = RoundTablePrivacy.restore(result, pseudonyms);
        verdict = RoundTablePrivacy.restore(verdict, pseudonyms);
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
                Math.round(cost * 1e8) / 1e8, Instant.now().toString(), round,
                privacy.summary(asked(exchange, request), pseudonyms));
        metrics.round(degraded ? "degraded" : "ok", w == null ? null : w.provider());
        if (round != null) {
            metrics.closed((String) round.get("closed_on"));
        }
        exchange.getMessage().setBody(r);
    }

    /** The providers this round asked (set by {@link #prepare}; the registry is not walked again per round). */
    @SuppressWarnings("unchecked")
    private List<String> asked(Exchange exchange, RoundTableRequest request) {
        List<String> ids = exchange.getProperty(PANEL_IDS, List.class);
        return ids != null ? ids : panel(request).stream().filter(registry::isEnabled).toList();
    }

    /** The rationale's sentence on a round closed on quorum: when, after what grace, who was late. */
    static String closure(Map<String, Object> round, List<Candidate> candidates) {
        if (round == null || !"quorum".equals(round.get("closed_on"))) {
            return "";
        }
        StringBuilder late = new StringBuilder();
        for (Candidate c : candidates) {
            if ("late".equals(c.error())) {
                late.append(late.length() == 0 ? "" : ", ").append(c.provider()).append(" (")
                        .append(c.latencyMs()).append(" ms so far)");
            }
        }
        return " The round closed on quorum: " + round.get("quorum") + " of " + round.get("panel")
                + " providers answered in " + round.get("quorum_ms") + " ms, then " + round.get("grace_ms")
                + " ms of grace; late, answer discarded: " + late + ".";
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
