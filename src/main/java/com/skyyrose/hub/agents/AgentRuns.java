package com.skyyrose.hub.agents;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.skyyrose.hub.api.Page;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.api.ProblemType;
import com.skyyrose.hub.api.Requests;
import com.skyyrose.hub.observability.TraceContinuation;
import com.skyyrose.hub.platform.InstanceRegistry;
import com.skyyrose.hub.security.Ownership;
import com.skyyrose.hub.security.Principal;
import com.skyyrose.hub.security.PrincipalDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Agent runs: the REST operations (routes/agents/agent-api.camel.yaml), the runner that sends a run's exchange
 * through {@code direct:agent-<id>}, {@code direct:record-run}'s persistence, approval of waiting actions, and the
 * sweep that fails runs whose hub instance died.
 */
@Component("agentRuns")
public class AgentRuns {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRuns.class);
    static final String AWAITING_APPROVAL = "awaiting_approval";
    /** The permission to approve a waiting run (operators, admins), declared on approveRun in the contract. */
    static final String APPROVE = "agents:approve";
    private static final TypeReference<List<Map<String, Object>>> LIST = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final ObjectMapper canonical;
    private final AgentCatalog catalog;
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final MeterRegistry meters;
    private final InstanceRegistry instances;
    private final PrincipalDirectory directory;
    private final ServicePrincipal service;
    private final Duration syncDeadline;
    private final Duration orphanAfter;
    private final ExecutorService workers;

    public AgentRuns(JdbcTemplate jdbc, ObjectMapper json, AgentCatalog catalog, CamelContext camel,
            ProducerTemplate producer, MeterRegistry meters, InstanceRegistry instances, PrincipalDirectory directory,
            ServicePrincipal service,
            @Value("${hub.agents.sync-deadline:55s}") Duration syncDeadline,
            @Value("${hub.agents.orphan-after:90s}") Duration orphanAfter,
            @Value("${hub.agents.workers:16}") int workers) {
        this.jdbc = jdbc;
        this.json = json;
        this.canonical = json.copy().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        this.catalog = catalog;
        this.camel = camel;
        this.producer = producer;
        this.meters = meters;
        this.instances = instances;
        this.directory = directory;
        this.service = service;
        this.syncDeadline = syncDeadline;
        this.orphanAfter = orphanAfter;
        AtomicInteger n = new AtomicInteger();
        // a run continues the trace of the request that started it (tasks carry the caller's trace context)
        this.workers = io.opentelemetry.context.Context.taskWrapping(
                Executors.newFixedThreadPool(Math.max(1, workers), r -> {
                    Thread t = new Thread(r, "agent-run-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }));
    }

    // ---- REST ---------------------------------------------------------------------------------------------

    /** GET /api/v1/agents */
    public Map<String, Object> listAgents() {
        Map<String, Map<String, Object>> stats = stats();
        List<Map<String, Object>> out = new ArrayList<>();
        for (AgentCatalog.Agent agent : catalog.agents()) {
            out.add(summary(agent, stats.get(agent.id())));
        }
        return Map.of("agents", out);
    }

    /** GET /api/v1/agents/{agentId} */
    public Map<String, Object> getAgent(Exchange exchange) {
        String id = exchange.getMessage().getHeader("agentId", String.class);
        AgentCatalog.Agent agent = catalog.find(id)
                .orElseThrow(() -> ProblemException.notFound("No agent '" + id + "' is running."));
        Map<String, Object> out = summary(agent, stats().get(id));
        out.put("route", AgentCatalog.routeId(id));
        out.put("chain", agent.chain());
        out.put("settings", agent.settings());
        return out;
    }

    private Map<String, Object> summary(AgentCatalog.Agent agent, Map<String, Object> stats) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", agent.id());
        m.put("name", agent.name());
        m.put("description", agent.description());
        m.put("capabilities", agent.capabilities());
        m.put("allowed_tools", agent.tools());
        if (stats == null) {
            stats = new LinkedHashMap<>();
            stats.put("runs", 0);
            stats.put("success_rate", null);
            stats.put("p50_latency_ms", null);
            stats.put("cost_usd", 0.0);
        }
        m.put("stats", stats);
        return m;
    }

    private Map<String, Map<String, Object>> stats() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        jdbc.query("""
                SELECT agent_id, count(*) AS runs,
                       count(*) FILTER (WHERE status IN ('succeeded', 'escalated')) AS ok,
                       count(*) FILTER (WHERE status IN ('succeeded', 'escalated', 'failed')) AS finished,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
                       coalesce(sum(cost_usd), 0) AS cost
                FROM agent_run GROUP BY agent_id
                """, rs -> {
            Map<String, Object> s = new LinkedHashMap<>();
            long finished = rs.getLong("finished");
            s.put("runs", rs.getLong("runs"));
            s.put("success_rate", finished == 0 ? null : (double) rs.getLong("ok") / finished);
            double p50 = rs.getDouble("p50");
            s.put("p50_latency_ms", rs.wasNull() ? null : Math.round(p50));
            s.put("cost_usd", rs.getBigDecimal("cost").doubleValue());
            out.put(rs.getString("agent_id"), s);
        });
        return out;
    }

    /** POST /api/v1/agents/{agentId}/runs */
    public Object createRun(Exchange exchange) throws Exception {
        Principal principal = principal(exchange);
        String agentId = exchange.getMessage().getHeader("agentId", String.class);
        AgentCatalog.Agent agent = catalog.find(agentId)
                .orElseThrow(() -> ProblemException.notFound("No agent '" + agentId + "' is running."));
        JsonNode body = json.readTree(exchange.getMessage().getBody(byte[].class));
        String task = body.path("task").asText("");
        if (task.isBlank()) {
            throw ProblemException.badRequest("task", "must not be blank");
        }
        Map<String, Object> parameters = body.path("parameters").isObject()
                ? json.convertValue(body.get("parameters"), MAP) : Map.of();
        boolean useRoundTable = !body.has("use_round_table") || body.get("use_round_table").asBoolean(true);
        String hash = sha256(canonical.writeValueAsString(json.convertValue(body, Object.class)));
        String key = exchange.getMessage().getHeader("Idempotency-Key", String.class);
        if (key != null && (key.isBlank() || key.length() > 200)) {
            throw ProblemException.badRequest("Idempotency-Key", "must be 1 to 200 characters");
        }
        boolean async = preferAsync(exchange.getMessage().getHeader("Prefer", String.class));

        UUID id = UUID.randomUUID();
        boolean inserted = insert(id, agentId, principal.id(), task, json.writeValueAsString(body), hash, key,
                Map.of("kind", "api"));
        if (!inserted) {
            Map<String, Object> existing = jdbc.queryForMap(
                    "SELECT id, request_hash, agent_id FROM agent_run WHERE principal_id = ? AND idempotency_key = ?",
                    principal.id(), key);
            if (!hash.equals(existing.get("request_hash")) || !agentId.equals(existing.get("agent_id"))) {
                throw new ProblemException(Problem.of(ProblemType.CONFLICT, 422, "Idempotency-Key '" + key
                        + "' was used with a different request."));
            }
            UUID runId = (UUID) existing.get("id");
            Map<String, Object> view = view(runId).orElseThrow();
            boolean done = !"running".equals(view.get("status"));
            return reply(exchange, view, done ? 200 : 202);
        }

        AgentRun run = new AgentRun(id, agentId, principal.id(), task, parameters, useRoundTable);
        run.agent = agent;
        if (body.path("actions").isArray()) {
            for (JsonNode a : body.get("actions")) {
                run.actions.add(AgentRun.action(run.actions.size(), a.path("tool").asText(null),
                        json.convertValue(a.path("arguments").isMissingNode() ? json.createObjectNode()
                                : a.get("arguments"), Object.class), "caller"));
            }
        }
        CompletableFuture<Void> done = CompletableFuture.runAsync(
                () -> execute(AgentCatalog.routeId(agentId), run, principal), workers);
        if (!async) {
            try {
                done.get(syncDeadline.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.info("agent run {} passed the synchronous deadline ({}); answering 202", id, syncDeadline);
            }
        }
        Map<String, Object> view = view(id).orElseThrow();
        return reply(exchange, view, "running".equals(view.get("status")) ? 202 : 200);
    }

    /** One new {@code running} row; false when the principal already used the idempotency key. */
    private boolean insert(UUID id, String agentId, String principalId, String task, String request, String hash,
            String key, Map<String, Object> trigger) throws Exception {
        return jdbc.update("""
                INSERT INTO agent_run (id, agent_id, principal_id, status, task, request, request_hash,
                                       idempotency_key, instance_id, trigger, trace_id)
                VALUES (?, ?, ?, 'running', ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?)
                ON CONFLICT (principal_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                """, id, agentId, principalId, task, request, hash, key, instances.instanceId(),
                json.writeValueAsString(trigger), TraceContinuation.currentTraceId()) == 1;
    }

    /**
     * {@code direct:agent-run}, the building block any route may call: body {@code {agent, task, parameters?,
     * use_round_table?, trigger?, idempotency_key?}}. The agent's chain runs on the calling thread as the configured
     * service principal ({@link ServicePrincipal}) and the finished run (as {@code GET /api/v1/runs/{id}} shows it)
     * becomes the body. The run's {@code trigger} is the body's, else {@code {kind: webhook, event_id, topic,
     * handoff_id}} when the exchange carries a webhook event, else {@code {kind: route, route_id}}. The same
     * idempotency key returns the run it started before (without running again).
     */
    public Map<String, Object> runFromRoute(Exchange exchange) throws Exception {
        Object in = exchange.getMessage().getBody();
        if (!(in instanceof Map<?, ?> raw)) {
            throw new IllegalArgumentException("direct:agent-run needs a Map body {agent, task, parameters?}");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) raw;
        String agentId = body.get("agent") == null ? null : String.valueOf(body.get("agent")).strip();
        AgentCatalog.Agent agent = catalog.find(agentId)
                .orElseThrow(() -> new IllegalArgumentException("No agent '" + agentId + "' is running."));
        String task = body.get("task") == null ? "" : String.valueOf(body.get("task"));
        if (task.isBlank()) {
            throw new IllegalArgumentException("direct:agent-run: task must not be blank");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = body.get("parameters") instanceof Map<?, ?> p
                ? new LinkedHashMap<>((Map<String, Object>) p) : new LinkedHashMap<>();
        boolean useRoundTable = !Boolean.FALSE.equals(body.get("use_round_table"));
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("task", task);
        request.put("parameters", parameters);
        request.put("use_round_table", useRoundTable);
        String requestJson = canonical.writeValueAsString(request);
        String key = body.get("idempotency_key") == null ? null : String.valueOf(body.get("idempotency_key"));
        Principal principal = service.principal();
        UUID id = UUID.randomUUID();
        if (!insert(id, agentId, principal.id(), task, requestJson, sha256(requestJson), key, trigger(exchange, body))) {
            UUID existing = jdbc.queryForObject("SELECT id FROM agent_run WHERE principal_id = ? AND idempotency_key = ?",
                    UUID.class, principal.id(), key);
            return view(existing).orElseThrow();
        }
        AgentRun run = new AgentRun(id, agentId, principal.id(), task, parameters, useRoundTable);
        run.agent = agent;
        execute(AgentCatalog.routeId(agentId), run, principal);
        return view(id).orElseThrow();
    }

    private static Map<String, Object> trigger(Exchange exchange, Map<String, Object> body) {
        Map<String, Object> trigger = new LinkedHashMap<>();
        if (body.get("trigger") instanceof Map<?, ?> given) {
            given.forEach((k, v) -> trigger.put(String.valueOf(k), v));
        } else if (exchange.getMessage().getHeader("WebhookEventId") != null) {
            trigger.put("kind", "webhook");
            trigger.put("event_id", exchange.getMessage().getHeader("WebhookEventId", Long.class));
            trigger.put("topic", exchange.getMessage().getHeader("WebhookTopic", String.class));
            Object handoff = exchange.getMessage().getHeader("WebhookHandoffId");
            if (handoff != null) {
                trigger.put("handoff_id", exchange.getMessage().getHeader("WebhookHandoffId", Long.class));
            }
        } else {
            trigger.put("kind", "route");
            trigger.put("route_id", exchange.getFromRouteId());
        }
        return trigger;
    }

    /**
     * After {@code direct:agent-run}: true when the run failed before any tool ran (nothing happened outside the
     * hub, e.g. no LLM provider answered), so running it again is safe. A run whose actions ran stays as it is.
     */
    public boolean retryable(Exchange exchange) {
        return retryable(exchange.getMessage().getBody());
    }

    static boolean retryable(Object body) {
        if (!(body instanceof Map<?, ?> run) || !"failed".equals(run.get("status"))) {
            return false;
        }
        if (run.get("actions") instanceof List<?> actions) {
            for (Object a : actions) {
                if (a instanceof Map<?, ?> action && ("succeeded".equals(action.get("status"))
                        || "failed".equals(action.get("status")))) {
                    return false;
                }
            }
        }
        return true;
    }

    private Object reply(Exchange exchange, Map<String, Object> view, int status) {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader("Location", "/api/v1/runs/" + view.get("id"));
        return view;
    }

    static boolean preferAsync(String prefer) {
        return prefer != null && prefer.toLowerCase(Locale.ROOT).contains("respond-async");
    }

    /**
     * GET /api/v1/runs/{runId} — a run the caller may see ({@link #visible}); anyone else's answers 404.
     */
    public Map<String, Object> getRun(Exchange exchange) {
        Principal principal = principal(exchange);
        UUID id = uuid(exchange.getMessage().getHeader("runId", String.class));
        return view(id, visible(principal)).orElseThrow(() -> ProblemException.notFound("No run " + id + "."));
    }

    /**
     * The runs a principal may see: its own (all with {@code records:read-all}), and those awaiting approval for
     * whoever may approve them (they must see what they approve).
     */
    static Ownership.Filter visible(Principal principal) {
        return Ownership.of(principal, "principal_id").orFor(principal, APPROVE,
                "status = '" + AWAITING_APPROVAL + "'");
    }

    /** GET /api/v1/approvals — runs awaiting approval, oldest first, with their actions. */
    public Map<String, Object> listAwaitingApproval(Exchange exchange) {
        Principal principal = principal(exchange);
        String agentId = exchange.getMessage().getHeader("agent", String.class);
        List<Object> args = new ArrayList<>(List.of(AWAITING_APPROVAL));
        String where = "status = ?";
        if (agentId != null && !agentId.isBlank()) {
            where += " AND agent_id = ?";
            args.add(agentId);
        }
        return page(exchange, where, args, visible(principal), "created_at, id", true);
    }

    /**
     * GET /api/v1/runs — every agent's runs, newest first, the caller's own (all for admins), filtered by what
     * started them ({@code trigger=webhook|api|route}), agent and status.
     */
    public Map<String, Object> listAllRuns(Exchange exchange) {
        Principal principal = principal(exchange);
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder("TRUE");
        String trigger = exchange.getMessage().getHeader("trigger", String.class);
        if (trigger != null && !trigger.isBlank()) {
            if ("api".equals(trigger)) {
                where.append(" AND (trigger IS NULL OR trigger ->> 'kind' = 'api')");
            } else {
                where.append(" AND trigger ->> 'kind' = ?");
                args.add(trigger);
            }
        }
        String agentId = exchange.getMessage().getHeader("agent", String.class);
        if (agentId != null && !agentId.isBlank()) {
            where.append(" AND agent_id = ?");
            args.add(agentId);
        }
        String status = exchange.getMessage().getHeader("status", String.class);
        if (status != null && !status.isBlank()) {
            where.append(" AND status = ?");
            args.add(status);
        }
        return page(exchange, where.toString(), args, Ownership.of(principal, "principal_id"), "created_at DESC, id",
                false);
    }

    /** GET /api/v1/agents/{agentId}/runs — newest first, the caller's own (see {@link Ownership}). */
    public Map<String, Object> listRuns(Exchange exchange) {
        Principal principal = principal(exchange);
        List<Object> args = new ArrayList<>(List.of(exchange.getMessage().getHeader("agentId", String.class)));
        return page(exchange, "agent_id = ?", args, Ownership.of(principal, "principal_id"), "created_at DESC, id",
                false);
    }

    /** One page of runs matching {@code where} (limit/offset from the request), with or without actions and trace. */
    private Map<String, Object> page(Exchange exchange, String condition, List<Object> args, Ownership.Filter owned,
            String order, boolean full) {
        int limit = Requests.intParam(exchange, "limit", 20);
        int offset = Requests.intParam(exchange, "offset", 0);
        String where = condition + " AND " + owned.sql();
        Long total = jdbc.queryForObject("SELECT count(*) FROM agent_run WHERE " + where, Long.class,
                owned.around(args));
        List<Map<String, Object>> items = jdbc.query("SELECT * FROM agent_run WHERE " + where + " ORDER BY " + order
                + " LIMIT ? OFFSET ?", (rs, i) -> row(rs, full), owned.around(args, limit, offset));
        return Page.of(exchange, items, total == null ? 0 : total, limit, offset);
    }

    /** POST /api/v1/runs/{runId}/approve — run the actions waiting for approval, then record the run again. */
    public Map<String, Object> approve(Exchange exchange) throws Exception {
        Principal principal = principal(exchange);
        UUID id = uuid(exchange.getMessage().getHeader("runId", String.class));
        Map<String, Object> current = view(id, visible(principal))
                .orElseThrow(() -> ProblemException.notFound("No run " + id + "."));
        int claimed = jdbc.update("UPDATE agent_run SET status = 'running', instance_id = ?, updated_at = now() "
                + "WHERE id = ? AND status = 'awaiting_approval'", instances.instanceId(), id);
        if (claimed == 0) {
            throw new ProblemException(ProblemType.CONFLICT, 409, "Run " + id + " is " + current.get("status")
                    + ", not awaiting approval.");
        }
        String agentId = (String) current.get("agent");
        @SuppressWarnings("unchecked")
        Map<String, Object> request = (Map<String, Object>) current.get("request");
        @SuppressWarnings("unchecked")
        Map<String, Object> parameters = request.get("parameters") instanceof Map<?, ?> p
                ? (Map<String, Object>) p : Map.of();
        AgentRun run = new AgentRun(id, agentId, (String) current.get("principal_id"), (String) current.get("task"),
                parameters, true);
        run.agent = catalog.find(agentId).orElse(null);
        run.answer = (String) current.get("answer");
        run.costUsd = ((Number) current.get("cost_usd")).doubleValue();
        Object rt = current.get("round_table_id");
        run.roundTableId = rt == null ? null : UUID.fromString(rt.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> escalation = (Map<String, Object>) current.get("escalation");
        run.escalation = escalation;
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> trace = (List<Map<String, Object>>) current.get("trace");
        run.trace.addAll(trace);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> actions = (List<Map<String, Object>>) current.get("actions");
        for (Map<String, Object> a : actions) {
            Map<String, Object> action = new LinkedHashMap<>(a);
            if ("awaiting_approval".equals(action.get("status"))) {
                action.put("route", "run");
                action.put("status", "pending");
                action.put("approved_by", principal.id());
            } else {
                action.put("route", "done");
            }
            run.actions.add(action);
        }
        // an approved action runs only if both may run it: the approver, and the run's creator as it is now
        // a run a route started belongs to the service principal, which the directory of users and keys does not hold
        Principal creator = service.is(run.principalId) ? service.principal()
                : directory.find(run.principalId).orElse(null);
        execute("agent-approved", run, principal.actingFor(creator));
        return view(id).orElseThrow();
    }

    // ---- the runner and direct:record-run -------------------------------------------------------------------

    void execute(String routeId, AgentRun run, Principal principal) {
        Timer.Sample sample = Timer.start(meters);
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(AgentRun.PROPERTY, run);
        exchange.setProperty(Principal.EXCHANGE_PROPERTY, principal);
        String status;
        try {
            String uri = "agent-approved".equals(routeId) ? "direct:agent-approved" : "direct:" + routeId;
            producer.send(uri, exchange);
            if (exchange.getException() != null) {
                fail(run, exchange.getException());
                status = "failed";
            } else {
                status = exchange.getProperty("hub.agent.status", String.class);
                if (status == null) { // a chain without direct:record-run
                    status = record(exchange);
                }
            }
        } catch (Exception e) {
            fail(run, e);
            status = "failed";
        }
        meters.counter("hub.agents.runs", "agent", run.agentId, "status", status).increment();
        if ("failed".equals(status)) {
            meters.counter("hub.agents.failures", "agent", run.agentId).increment();
        }
        sample.stop(meters.timer("hub.agents.run.duration", "agent", run.agentId));
    }

    /** {@code direct:record-run}: the run's outcome, answer, actions and trace into PostgreSQL. */
    public String record(Exchange exchange) throws Exception {
        AgentRun run = AgentChain.run(exchange);
        String status = "succeeded";
        String error = null;
        synchronized (run.actions) {
            for (Map<String, Object> a : run.actions) {
                if ("failed".equals(a.get("status"))) {
                    status = "failed";
                    error = "action " + a.get("index") + " (" + a.get("tool") + ") failed: " + a.get("error");
                }
            }
            if (error == null && run.actions.stream().anyMatch(a -> "awaiting_approval".equals(a.get("status")))) {
                status = "awaiting_approval";
            }
        }
        if (error == null && run.escalation != null) {
            status = "escalated";
        }
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("step", "record");
        step.put("endpoint", "direct://record-run");
        step.put("started_at", java.time.Instant.now().toString());
        step.put("duration_ms", 0);
        step.put("outcome", "ok");
        run.trace.add(step);
        save(run, status, error);
        exchange.setProperty("hub.agent.status", status);
        return status;
    }

    private void fail(AgentRun run, Throwable e) {
        LOG.warn("agent run {} ({}) failed: {}", run.id, run.agentId, e.toString());
        String reason = e instanceof ProblemException pe ? pe.problem().detail() : e.getMessage();
        try {
            save(run, "failed", reason == null ? e.getClass().getSimpleName() : reason);
        } catch (Exception saveError) {
            LOG.error("agent run {}: failure not recorded", run.id, saveError);
        }
    }

    private void save(AgentRun run, String status, String error) throws Exception {
        List<Map<String, Object>> actions;
        synchronized (run.actions) {
            actions = new ArrayList<>();
            for (Map<String, Object> a : run.actions) {
                Map<String, Object> copy = new LinkedHashMap<>(a);
                copy.remove("route");
                actions.add(copy);
            }
        }
        List<Map<String, Object>> trace;
        synchronized (run.trace) {
            trace = new ArrayList<>(run.trace);
        }
        long elapsed = (System.nanoTime() - run.startedNanos) / 1_000_000;
        boolean terminal = !"awaiting_approval".equals(status);
        jdbc.update("""
                UPDATE agent_run SET status = ?, answer = ?, escalation = ?::jsonb, round_table_id = ?,
                       actions = ?::jsonb, trace = ?::jsonb, error = ?, cost_usd = ?,
                       duration_ms = coalesce(duration_ms, 0) + ?, updated_at = now(),
                       finished_at = CASE WHEN ? THEN now() ELSE NULL END
                WHERE id = ?
                """, status, run.answer, run.escalation == null ? null : json.writeValueAsString(run.escalation),
                run.roundTableId, json.writeValueAsString(actions), json.writeValueAsString(trace), error,
                run.costUsd, elapsed, terminal, run.id);
    }

    // ---- restart safety ---------------------------------------------------------------------------------

    /** Runs left {@code running} by an instance that stopped heart-beating are failed with the reason. */
    public int sweep() {
        int n = jdbc.update("""
                UPDATE agent_run r SET status = 'failed', updated_at = now(), finished_at = now(),
                       error = 'the hub instance running it (' || coalesce(r.instance_id, '?') || ') stopped'
                WHERE r.status = 'running' AND r.instance_id IS DISTINCT FROM ?
                  AND r.updated_at < now() - make_interval(secs => ?)
                  AND NOT EXISTS (SELECT 1 FROM hub_instance i WHERE i.instance_id = r.instance_id
                                  AND i.last_seen_at > now() - make_interval(secs => ?))
                """, instances.instanceId(), orphanAfter.toSeconds(), orphanAfter.toSeconds());
        if (n > 0) {
            LOG.warn("failed {} agent run(s) orphaned by a stopped hub instance", n);
        }
        return n;
    }

    @PreDestroy
    void shutdown() {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
            int n = jdbc.update("UPDATE agent_run SET status = 'failed', updated_at = now(), finished_at = now(), "
                    + "error = 'the hub instance stopped before the run finished' "
                    + "WHERE status = 'running' AND instance_id = ?", instances.instanceId());
            if (n > 0) {
                LOG.warn("marked {} unfinished agent run(s) failed at shutdown", n);
            }
        } catch (Exception e) {
            LOG.warn("agent runs at shutdown: {}", e.toString());
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------

    Optional<Map<String, Object>> view(UUID id) {
        return view(id, new Ownership.Filter("TRUE", List.of()));
    }

    /** The run if the filter lets its reader see it. */
    private Optional<Map<String, Object>> view(UUID id, Ownership.Filter owned) {
        List<Map<String, Object>> rows = jdbc.query("SELECT * FROM agent_run WHERE id = ? AND " + owned.sql(),
                (rs, i) -> row(rs, true), owned.with(id));
        return rows.stream().findFirst();
    }

    private Map<String, Object> row(ResultSet rs, boolean full) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getObject("id", UUID.class).toString());
        m.put("agent", rs.getString("agent_id"));
        m.put("status", rs.getString("status"));
        m.put("task", rs.getString("task"));
        m.put("principal_id", rs.getString("principal_id"));
        m.put("answer", rs.getString("answer"));
        m.put("escalation", parse(rs.getString("escalation"), MAP));
        Object rt = rs.getObject("round_table_id");
        m.put("round_table_id", rt == null ? null : rt.toString());
        m.put("error", rs.getString("error"));
        m.put("trace_id", rs.getString("trace_id"));
        m.put("cost_usd", rs.getBigDecimal("cost_usd").doubleValue());
        long duration = rs.getLong("duration_ms");
        m.put("duration_ms", rs.wasNull() ? null : duration);
        m.put("created_at", instant(rs.getTimestamp("created_at")));
        m.put("finished_at", instant(rs.getTimestamp("finished_at")));
        Map<String, Object> trigger = parse(rs.getString("trigger"), MAP);
        m.put("trigger", trigger == null ? Map.of("kind", "api") : trigger);
        if (full) {
            m.put("request", parse(rs.getString("request"), MAP));
            m.put("actions", parse(rs.getString("actions"), LIST));
            m.put("trace", parse(rs.getString("trace"), LIST));
        }
        return m;
    }

    private <T> T parse(String text, TypeReference<T> type) {
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, type);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant().toString();
    }

    private static Principal principal(Exchange exchange) {
        return Principal.current(exchange).orElseThrow(() -> new ProblemException(ProblemType.UNAUTHORIZED, 401,
                "Authentication required."));
    }

    private static UUID uuid(String s) {
        try {
            return UUID.fromString(s);
        } catch (Exception e) {
            throw ProblemException.notFound("No run " + s + ".");
        }
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
