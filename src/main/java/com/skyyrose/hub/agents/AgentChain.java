package com.skyyrose.hub.agents;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.fge.jsonschema.core.report.ProcessingMessage;
import com.github.fge.jsonschema.core.report.ProcessingReport;
import com.skyyrose.hub.llm.PlanShape;
import com.skyyrose.hub.llm.Quorum;
import com.skyyrose.hub.llm.RoundTableRequest;
import com.skyyrose.hub.llm.RoundTableResult;
import com.skyyrose.hub.llm.RoundTableStore;
import com.skyyrose.hub.privacy.PersonalDataGuard;
import com.skyyrose.hub.security.Principal;
import com.skyyrose.hub.tools.ToolDescriptor;
import com.skyyrose.hub.tools.ToolRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The beans the agent chains of routes/agents/*.camel.yaml call: settings in, prompt for the round table, the
 * winner's JSON plan out, each action vetted (allowed tool, schema, severity), and the Support escalation facts.
 */
@Component("agentChain")
public class AgentChain {

    private static final Logger LOG = LoggerFactory.getLogger(AgentChain.class);
    static final String CACHE_PREFIX = "hub:agent:cache:";

    private final ObjectMapper json;
    private final ToolRegistry tools;
    private final RoundTableStore roundTables;
    private final StringRedisTemplate redis;
    private final MeterRegistry meters;

    public AgentChain(ObjectMapper json, ToolRegistry tools, RoundTableStore roundTables, StringRedisTemplate redis,
            MeterRegistry meters) {
        this.json = json;
        this.tools = tools;
        this.roundTables = roundTables;
        this.redis = redis;
        this.meters = meters;
    }

    static AgentRun run(Exchange exchange) {
        AgentRun run = exchange.getProperty(AgentRun.PROPERTY, AgentRun.class);
        if (run == null) {
            throw new IllegalStateException("an agent chain runs only through POST /api/v1/agents/{id}/runs or direct:agent-run");
        }
        return run;
    }

    /** First step of every chain: the settings the route just set, and the RAG query. */
    public void begin(Exchange exchange) {
        AgentRun run = run(exchange);
        String temperature = var(exchange, "agent.temperature");
        run.agent = new AgentCatalog.Agent(run.agentId, var(exchange, "agent.name"), null,
                var(exchange, "agent.instructions"), AgentCatalog.list(var(exchange, "agent.providers")),
                AgentCatalog.list(var(exchange, "agent.tools")), var(exchange, "agent.judge"),
                temperature == null || temperature.isBlank() ? null : Double.valueOf(temperature.trim()),
                var(exchange, "agent.cache"), AgentCatalog.list(var(exchange, "agent.capabilities")), List.of(),
                var(exchange, "agent.quorum"));
        Map<String, Object> rag = new LinkedHashMap<>();
        rag.put("query", run.task);
        rag.put("k", 4);
        exchange.setVariable("ragQuery", rag);
        exchange.setVariable("useRoundTable", run.useRoundTable);
    }

    /** Commerce: the order or product the task is about, looked up before the round table (null = none). */
    public void lookup(Exchange exchange) {
        AgentRun run = run(exchange);
        Object order = run.parameters.get("order_id");
        Object product = run.parameters.get("product_id");
        Object customer = run.parameters.get("customer_id");
        Map<String, Object> call = null;
        if (order != null) {
            call = Map.of("tool", "woocommerce.orders.get", "arguments", Map.of("id", toLong(order)));
        } else if (product != null) {
            call = Map.of("tool", "woocommerce.products.get", "arguments", Map.of("id", toLong(product)));
        } else if (customer != null) {
            call = Map.of("tool", "woocommerce.customers.get", "arguments", Map.of("id", toLong(customer)));
        }
        if (call == null) {
            exchange.removeVariable("lookup");
        } else {
            exchange.setVariable("lookup", call);
        }
    }

    /** Support: hand the case to a person instead of answering; the reason is the rule that fired. */
    public void escalate(Exchange exchange) {
        AgentRun run = run(exchange);
        String rule = exchange.getVariable("escalationRule", String.class);
        Map<String, Object> escalation = new LinkedHashMap<>();
        escalation.put("rule", rule);
        escalation.put("queue", "support-escalations");
        // the facts SupportFacts collected from the store (order total, status, days since shipped) and the message
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("order_total", exchange.getVariable("orderTotal"));
        facts.put("order_status", exchange.getVariable("orderStatus"));
        facts.put("days_since_shipped", exchange.getVariable("parcelDays"));
        facts.put("facts_source", exchange.getVariable("factsSource"));
        facts.put("legal_threat", exchange.getVariable("legalThreat"));
        facts.put("parcel_lost", exchange.getVariable("parcelLost"));
        escalation.put("facts", facts);
        run.escalation = escalation;
        run.answer = "This case has been escalated to the SkyyRose care team (" + rule
                + "); a person will reply personally.";
    }

    /** The round-table request: instructions and the JSON reply format as system, the task (and lookup) as prompt. */
    public RoundTableRequest roundTableAsk(Exchange exchange) throws Exception {
        AgentRun run = run(exchange);
        AgentCatalog.Agent agent = run.agent;
        StringBuilder system = new StringBuilder();
        system.append("You are the SkyyRose ").append(agent.name()).append(" agent.\n");
        if (agent.instructions() != null) {
            system.append(agent.instructions().strip()).append('\n');
        }
        system.append("\nReply with one JSON object only: {\"answer\": string, \"actions\": [{\"tool\": string, "
                + "\"arguments\": object}]}. Use only these tools, with arguments matching their JSON Schema "
                + "(an empty actions list is fine):\n");
        for (String name : agent.tools()) {
            Optional<ToolDescriptor> tool = tools.find(name);
            tool.ifPresent(t -> system.append("- ").append(t.name()).append(" (").append(t.severity()).append("): ")
                    .append(t.description()).append(" Arguments schema: ").append(t.parameters()).append('\n'));
        }
        StringBuilder prompt = new StringBuilder("Task: ").append(run.task);
        if (!run.parameters.isEmpty()) {
            prompt.append("\nParameters: ").append(json.writeValueAsString(run.parameters));
        }
        Object lookup = exchange.getVariable("lookupResult");
        if (lookup != null) {
            prompt.append("\nLooked up: ").append(json.writeValueAsString(lookup));
        }
        // what the run looked up and was given names its customer: those values are masked for the vendors
        PersonalDataGuard.remember(exchange, lookup instanceof Map<?, ?> m && m.containsKey("result")
                ? m.get("result") : lookup);
        PersonalDataGuard.remember(exchange, run.parameters);
        run.system = system.toString();
        run.prompt = prompt.toString();
        @SuppressWarnings("unchecked")
        Map<String, Object> brand = exchange.getVariable("brand", Map.class);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> passages = exchange.getVariable("passages", List.class);
        // the selector scores each candidate against this shape: the agent's registered tools and their schemas
        List<String> registered = agent.tools().stream().filter(t -> tools.find(t).isPresent()).toList();
        PlanShape shape = new PlanShape(registered,
                (tool, arguments) -> schemaProblems(tools.find(tool).orElseThrow(), arguments));
        // agent.quorum (optional): when the round may close without its slowest providers
        String quorum = agent.quorum() == null || agent.quorum().isBlank() ? null : Quorum.parse(agent.quorum());
        return new RoundTableRequest(run.prompt, run.system, agent.providers(), agent.judge(), agent.temperature(),
                null, brand, passages, run.principalId, shape, quorum);
    }

    /** The winner's reply: {answer, actions} when it is JSON, else the text is the answer and there are no actions. */
    public void plan(Exchange exchange) {
        AgentRun run = run(exchange);
        RoundTableResult result = exchange.getVariable("roundTable", RoundTableResult.class);
        if (result == null) {
            throw new IllegalStateException("the round table returned nothing");
        }
        try {
            roundTables.save(result, run.prompt, run.principalId);
            run.roundTableId = java.util.UUID.fromString(result.id());
        } catch (Exception e) {
            LOG.warn("agent run {}: round-table result not stored: {}", run.id, e.toString());
        }
        run.costUsd += result.costUsd();
        if (result.personalData() != null) {
            // kinds and counts of what the vendors did not see (never the values) on the run's trace
            synchronized (run.trace) {
                for (int i = run.trace.size() - 1; i >= 0; i--) {
                    if ("round_table".equals(run.trace.get(i).get("step"))) {
                        run.trace.get(i).put("personal_data", result.personalData());
                        break;
                    }
                }
            }
        }
        String text = result.winner() == null ? null : result.winner().text();
        if (text == null) {
            return;
        }
        JsonNode reply = PlanShape.parse(text);
        if (reply == null || !reply.isObject()) {
            run.answer = text;
            return;
        }
        run.answer = reply.path("answer").isTextual() ? reply.path("answer").asText() : reply.path("answer").toString();
        JsonNode planned = reply.path("actions");
        if (planned.isArray()) {
            for (JsonNode a : planned) {
                Map<String, Object> action = AgentRun.action(run.actions.size(), a.path("tool").asText(null),
                        json.convertValue(a.path("arguments").isMissingNode() ? json.createObjectNode()
                                : a.get("arguments"), Object.class), "plan");
                run.actions.add(action);
            }
        }
    }

    /**
     * Before the action router: every action not yet vetted gets its {@code route}: {@code refused} (not an allowed
     * tool, unknown, or arguments breaking the schema), {@code run} (read-only and low severity) or
     * {@code approval} (high and destructive).
     */
    public List<Map<String, Object>> vet(Exchange exchange) {
        AgentRun run = run(exchange);
        List<String> allowed = run.agent == null ? List.of() : run.agent.tools();
        synchronized (run.actions) {
            for (Map<String, Object> action : run.actions) {
                if (action.containsKey("status")) {
                    continue;
                }
                String name = (String) action.get("tool");
                Optional<ToolDescriptor> tool = name == null ? Optional.empty() : tools.find(name);
                if (name == null || !allowed.contains(name)) {
                    refuse(run, action, "tool '" + name + "' is not among the " + run.agentId + " agent's allowed tools");
                    continue;
                }
                if (tool.isEmpty()) {
                    refuse(run, action, "no tool named '" + name + "' is registered");
                    continue;
                }
                List<String> problems = schemaProblems(tool.get(), action.get("arguments"));
                if (!problems.isEmpty()) {
                    action.put("severity", tool.get().severity());
                    refuse(run, action, "arguments break the tool's schema: " + String.join("; ", problems));
                    continue;
                }
                // the severity of this call, not the tool's default: a post with status publish is high
                String severity = tool.get().severityFor(json.valueToTree(action.get("arguments")));
                action.put("severity", severity);
                boolean risky = "high".equals(severity) || "destructive".equals(severity);
                action.put("route", risky ? "approval" : "run");
                action.put("status", risky ? "awaiting_approval" : "pending");
            }
            return new ArrayList<>(run.actions);
        }
    }

    private void refuse(AgentRun run, Map<String, Object> action, String reason) {
        action.put("route", "refused");
        action.put("status", "refused");
        action.put("reason", reason);
        count(run, action, "refused");
    }

    /** Split branch: the {tool, arguments} call for this action, or its cached read-only result. */
    public void actionPrepare(Exchange exchange) throws Exception {
        AgentRun run = run(exchange);
        @SuppressWarnings("unchecked")
        Map<String, Object> action = exchange.getMessage().getBody(Map.class);
        exchange.setVariable("action", action);
        exchange.setVariable("toolCall", Map.of("tool", action.get("tool"), "arguments", action.get("arguments")));
        Duration ttl = cacheTtl(run);
        // a cached result is served only to a caller who may run the tool now; anyone else goes on to
        // direct:tool-dispatch, which refuses them (403) as it would without a cache
        Principal principal = Principal.current(exchange).orElse(null);
        Optional<ToolDescriptor> tool = tools.find((String) action.get("tool"));
        if ("read_only".equals(action.get("severity")) && !ttl.isZero() && principal != null && tool.isPresent()
                && principal.has(tool.get().permission())) {
            String cached = redis.opsForValue().get(cacheKey(principal, run, action));
            if (cached != null) {
                action.put("result", json.readValue(cached, Object.class));
                action.put("cached", true);
                action.put("status", "succeeded");
                count(run, action, "cached");
            }
        }
    }

    public void actionDone(Exchange exchange) throws Exception {
        AgentRun run = run(exchange);
        @SuppressWarnings("unchecked")
        Map<String, Object> action = exchange.getVariable("action", Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> reply = exchange.getVariable("toolResult", Map.class);
        Object result = reply == null ? null : reply.get("result");
        if (result instanceof JsonNode node) {
            result = json.convertValue(node, Object.class);
        }
        action.put("result", result);
        action.put("status", "succeeded");
        action.remove("error");
        count(run, action, "succeeded");
        Duration ttl = cacheTtl(run);
        Principal principal = Principal.current(exchange).orElse(null);
        if ("read_only".equals(action.get("severity")) && !ttl.isZero() && principal != null) {
            redis.opsForValue().set(cacheKey(principal, run, action), json.writeValueAsString(result), ttl);
        }
    }

    public void actionFailed(Exchange exchange) {
        AgentRun run = run(exchange);
        @SuppressWarnings("unchecked")
        Map<String, Object> action = exchange.getVariable("action", Map.class);
        Exception error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        action.put("status", "failed");
        action.put("error", error == null ? "unknown error" : error.getMessage());
        count(run, action, "failed");
    }

    public void awaitApproval(Exchange exchange) {
        AgentRun run = run(exchange);
        @SuppressWarnings("unchecked")
        Map<String, Object> action = exchange.getMessage().getBody(Map.class);
        action.put("status", "awaiting_approval");
        count(run, action, "awaiting_approval");
    }

    private void count(AgentRun run, Map<String, Object> action, String outcome) {
        String tool = action.get("tool") instanceof String s && tools.find(s).isPresent() ? s : "unknown";
        meters.counter("hub.agents.actions", "agent", run.agentId, "tool", tool, "outcome", outcome).increment();
    }

    private List<String> schemaProblems(ToolDescriptor tool, Object arguments) {
        List<String> out = new ArrayList<>();
        try {
            JsonNode args = json.valueToTree(arguments == null ? Map.of() : arguments);
            if (!args.isObject()) {
                return List.of("arguments must be an object");
            }
            ProcessingReport report = tools.schema(tool).validate(args, true);
            for (ProcessingMessage m : report) {
                JsonNode node = m.asJson();
                String pointer = node.path("instance").path("pointer").asText("");
                out.add((pointer.isEmpty() ? "arguments" : pointer) + ": " + m.getMessage());
            }
        } catch (Exception e) {
            out.add(e.getMessage());
        }
        return out;
    }

    private Duration cacheTtl(AgentRun run) {
        String cache = run.agent == null ? null : run.agent.cache();
        if (cache == null || cache.isBlank() || cache.equals("0") || cache.equalsIgnoreCase("off")) {
            return Duration.ZERO;
        }
        try {
            return org.springframework.boot.convert.DurationStyle.detectAndParse(cache.trim());
        } catch (Exception e) {
            return Duration.ZERO;
        }
    }

    /**
     * Per agent, tool, arguments and caller: a result one caller looked up (an order with an address) is never
     * served to another, whatever they may run. The caller is hashed in with the arguments, so the key names no one.
     */
    private String cacheKey(Principal principal, AgentRun run, Map<String, Object> action) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update((principal.kind() + ":" + principal.id() + "\n").getBytes(StandardCharsets.UTF_8));
        byte[] digest = sha.digest(
                json.writeValueAsString(json.valueToTree(action.get("arguments"))).getBytes(StandardCharsets.UTF_8));
        return CACHE_PREFIX + run.agentId + ":" + action.get("tool") + ":" + HexFormat.of().formatHex(digest);
    }

    private static String var(Exchange exchange, String name) {
        Object v = exchange.getVariable(name);
        return v == null ? null : v.toString();
    }

    private static long toLong(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong(o.toString().trim());
    }

    @SuppressWarnings("unused")
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
