package com.skyyrose.hub.assistants;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.agents.AgentCatalog;
import com.skyyrose.hub.api.Problem;
import com.skyyrose.hub.api.ProblemException;
import com.skyyrose.hub.llm.LlmProperties;
import com.skyyrose.hub.security.Principal;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The models the OpenAI-compatible API offers and how each answers: {@code round-table} through the round table's
 * own operation ({@code direct:queryRoundTable}: grounding, panel, selection, persistence, cache), {@code agent:<id>}
 * through the agent run operation ({@code direct:createAgentRun}: the chain, tool actions under their approval
 * rules), {@code <provider>/<model>} through {@link ProviderGateway} (one vendor, no selection).
 */
@Component
public class AssistantModels {

    public static final String ROUND_TABLE = "round-table";
    public static final String AGENT_PREFIX = "agent:";

    public enum Kind { ROUND_TABLE, AGENT, PROVIDER }

    /** A model id and what serves it. */
    public record Model(String id, Kind kind, String provider, String agentId, String ownedBy, String permission) {
    }

    /** A whole answer with what it used; {@code fields} are extra top-level response fields, {@code headers} too. */
    public record Reply(String text, String finishReason, String provider, long inputTokens, long outputTokens,
            double costUsd, UUID roundTableId, UUID agentRunId, Map<String, Object> fields,
            Map<String, String> headers) {
    }

    private final ProviderGateway gateway;
    private final AgentCatalog agents;
    private final AssistantAccess access;
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final LlmProperties llm;

    public AssistantModels(ProviderGateway gateway, AgentCatalog agents, AssistantAccess access, CamelContext camel,
            ProducerTemplate producer, JdbcTemplate jdbc, ObjectMapper json, LlmProperties llm) {
        this.gateway = gateway;
        this.agents = agents;
        this.access = access;
        this.camel = camel;
        this.producer = producer;
        this.jdbc = jdbc;
        this.json = json;
        this.llm = llm;
    }

    /** Every model, in the order {@code /v1/models} lists them. */
    public List<Model> all() {
        List<Model> out = new ArrayList<>();
        out.add(new Model(ROUND_TABLE, Kind.ROUND_TABLE, null, null, "skyyrose-hub", access.chatPermission()));
        for (AgentCatalog.Agent agent : agents.agents()) {
            out.add(new Model(AGENT_PREFIX + agent.id(), Kind.AGENT, null, agent.id(), "skyyrose-hub",
                    access.agentPermission()));
        }
        for (ProviderGateway.ProviderModel p : gateway.models()) {
            out.add(new Model(p.openAiId(), Kind.PROVIDER, p.provider(), null, p.provider(),
                    access.chatPermission()));
        }
        return out;
    }

    public List<Model> visibleTo(Principal principal) {
        return all().stream().filter(m -> principal.has(m.permission())).toList();
    }

    /** The model of that id (looked up by its kind only: agents are read from their route definitions). */
    public Model resolve(String id) {
        java.util.Optional<Model> found;
        if (ROUND_TABLE.equals(id)) {
            found = java.util.Optional.of(new Model(ROUND_TABLE, Kind.ROUND_TABLE, null, null, "skyyrose-hub",
                    access.chatPermission()));
        } else if (id.startsWith(AGENT_PREFIX)) {
            found = agents.find(id.substring(AGENT_PREFIX.length())).map(a -> new Model(AGENT_PREFIX + a.id(),
                    Kind.AGENT, null, a.id(), "skyyrose-hub", access.agentPermission()));
        } else {
            int slash = id.indexOf('/');
            found = slash < 0 ? java.util.Optional.empty()
                    : gateway.find(id.substring(0, slash), id.substring(slash + 1)).map(p -> new Model(p.openAiId(),
                            Kind.PROVIDER, p.provider(), null, p.provider(), access.chatPermission()));
        }
        return found.orElseThrow(() -> new OpenAiError(404, "invalid_request_error", "model_not_found", "model",
                        "The model '" + id + "' does not exist or you do not have access to it. GET /v1/models "
                                + "lists the models."));
    }

    /** How long a streamed answer may take in all (the round-table deadline plus a margin). */
    public Duration streamTimeout() {
        return llm.getDeadline().plusSeconds(10);
    }

    public Reply complete(Principal principal, Model model, ChatCompletionsController.ChatCall call) {
        return switch (model.kind()) {
            case PROVIDER -> provider(model, call);
            case ROUND_TABLE -> roundTable(principal, call);
            case AGENT -> agent(principal, model, call);
        };
    }

    public void stream(Model model, ChatCompletionsController.ChatCall call, ProviderGateway.StreamListener listener) {
        gateway.stream(model.provider(), messages(call), call.temperature(), call.maxTokens(), listener);
    }

    private Reply provider(Model model, ChatCompletionsController.ChatCall call) {
        ProviderGateway.Answer answer = gateway.chat(model.provider(), messages(call), call.temperature(),
                call.maxTokens());
        if (answer.error() != null) {
            throw providerError(answer.error());
        }
        ProviderGateway.Usage u = answer.usage();
        return new Reply(answer.text(), answer.finishReason() == null ? "stop" : answer.finishReason(),
                model.provider(), u.inputTokens(), u.outputTokens(), u.costUsd(), null, null, Map.of(),
                Map.of("x-hub-provider", model.provider()));
    }

    private static List<ChatMessage> messages(ChatCompletionsController.ChatCall call) {
        List<ChatMessage> out = new ArrayList<>();
        for (ChatCompletionsController.Turn t : call.messages()) {
            out.add(switch (t.role()) {
                case "system" -> SystemMessage.from(t.text());
                case "assistant" -> AiMessage.from(t.text());
                default -> UserMessage.from(t.text());
            });
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Reply roundTable(Principal principal, ChatCompletionsController.ChatCall call) {
        Map<String, Object> ask = new LinkedHashMap<>();
        ask.put("prompt", prompt(call));
        String system = system(call);
        if (system != null) {
            ask.put("system", system);
        }
        if (call.temperature() != null) {
            ask.put("temperature", call.temperature());
        }
        if (call.maxTokens() != null) {
            ask.put("max_tokens", call.maxTokens());
        }
        Map<String, Object> doc = (Map<String, Object>) send("direct:queryRoundTable", principal, ask, Map.of());
        Map<String, Object> winner = (Map<String, Object>) doc.get("winner");
        if (winner == null || winner.get("text") == null) {
            throw new OpenAiError(502, "server_error", "no_answer", null,
                    "No provider of the round table answered (result " + doc.get("id") + ").");
        }
        String id = String.valueOf(doc.get("id"));
        Map<String, Object> tokens = (Map<String, Object>) doc.getOrDefault("tokens", Map.of());
        boolean cached = Boolean.TRUE.equals(doc.get("cached"));
        long in = number(tokens.get("input"));
        long out = number(tokens.get("output"));
        // a cached answer costs nothing again: its tokens were counted when it was made
        double cost = cached ? 0 : ((Number) doc.getOrDefault("cost_usd", 0)).doubleValue();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("x_hub_round_table_id", id);
        fields.put("x_hub_round_table", Map.of("winner_provider", String.valueOf(winner.get("provider")),
                "degraded", Boolean.TRUE.equals(doc.get("degraded")), "cached", cached));
        return new Reply((String) winner.get("text"), "stop", (String) winner.get("provider"), cached ? 0 : in,
                cached ? 0 : out, cost, UUID.fromString(id), null, fields, Map.of("x-hub-round-table-id", id));
    }

    private Reply agent(Principal principal, Model model, ChatCompletionsController.ChatCall call) {
        String task = system(call) == null ? prompt(call) : system(call) + "\n\n" + prompt(call);
        return runAgent(principal, model.agentId(), Map.of("task", task));
    }

    /**
     * Runs an agent through the agent run operation ({@code body}: its request, e.g. {@code task}, caller
     * {@code actions}, {@code use_round_table}); the reply's text says when actions await approval.
     */
    @SuppressWarnings("unchecked")
    public Reply runAgent(Principal principal, String agentId, Map<String, Object> body) {
        Map<String, Object> view = (Map<String, Object>) send("direct:createAgentRun", principal, body,
                Map.of("agentId", agentId));
        String runId = String.valueOf(view.get("id"));
        String status = String.valueOf(view.get("status"));
        StringBuilder text = new StringBuilder(view.get("answer") == null ? "" : view.get("answer").toString());
        List<Map<String, Object>> waiting = new ArrayList<>();
        if ("awaiting_approval".equals(status) && view.get("actions") instanceof List<?> actions) {
            for (Object a : actions) {
                if (a instanceof Map<?, ?> action) {
                    waiting.add((Map<String, Object>) action);
                }
            }
        }
        if ("awaiting_approval".equals(status)) {
            text.append(text.isEmpty() ? "" : "\n\n").append("Actions await approval (run ").append(runId)
                    .append("): ").append(String.join(", ", waiting.stream()
                            .map(a -> String.valueOf(a.get("tool"))).toList()))
                    .append(". An approver confirms them with POST /api/v1/runs/").append(runId).append("/approve.");
        } else if ("running".equals(status)) {
            text.append("The run is still going; its result will be at GET /api/v1/runs/").append(runId).append('.');
        } else if ("failed".equals(status)) {
            throw new OpenAiError(502, "server_error", "agent_run_failed", null,
                    "The agent run " + runId + " failed: " + view.get("error"));
        }
        UUID roundTableId = view.get("round_table_id") == null ? null
                : UUID.fromString(view.get("round_table_id").toString());
        long in = 0;
        long out = 0;
        if (roundTableId != null) {
            Map<String, Object> tokens = jdbc.queryForMap(
                    "SELECT input_tokens, output_tokens FROM round_table_result WHERE id = ?", roundTableId);
            in = number(tokens.get("input_tokens"));
            out = number(tokens.get("output_tokens"));
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", runId);
        run.put("status", status);
        run.put("awaiting_approval", waiting);
        fields.put("x_hub_agent_run", run);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-hub-agent-run-id", runId);
        if (roundTableId != null) {
            fields.put("x_hub_round_table_id", roundTableId.toString());
            headers.put("x-hub-round-table-id", roundTableId.toString());
        }
        return new Reply(text.toString(), "stop", null, in, out, ((Number) view.getOrDefault("cost_usd", 0))
                .doubleValue(), roundTableId, UUID.fromString(runId), fields, headers);
    }

    /** Calls one of the hub's operations as the caller; its problem becomes an OpenAI-shaped error. */
    Object send(String uri, Principal principal, Object body, Map<String, String> headers) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(Principal.EXCHANGE_PROPERTY, principal);
        headers.forEach((k, v) -> exchange.getMessage().setHeader(k, v));
        try {
            exchange.getMessage().setBody(json.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Exchange done = producer.send(uri, exchange);
        Exception failure = done.getException();
        if (failure != null) {
            ProblemException problem = failure instanceof ProblemException p ? p
                    : done.getException(ProblemException.class);
            if (problem != null) {
                Problem p = problem.problem();
                throw new OpenAiError(p.status(), p.status() >= 500 ? "server_error" : "invalid_request_error",
                        p.type().name().toLowerCase(java.util.Locale.ROOT), null, p.detail());
            }
            throw new OpenAiError(500, "server_error", "internal_error", null,
                    "The hub could not answer: " + failure.getClass().getSimpleName());
        }
        return done.getMessage().getBody();
    }

    private static String system(ChatCompletionsController.ChatCall call) {
        List<String> parts = call.messages().stream().filter(t -> "system".equals(t.role()))
                .map(ChatCompletionsController.Turn::text).toList();
        return parts.isEmpty() ? null : String.join("\n\n", parts);
    }

    /** The question: the only user message, or the conversation as a transcript ending with the last question. */
    static String prompt(ChatCompletionsController.ChatCall call) {
        List<ChatCompletionsController.Turn> turns = call.messages().stream()
                .filter(t -> !"system".equals(t.role())).toList();
        if (turns.size() == 1) {
            return turns.get(0).text();
        }
        StringBuilder sb = new StringBuilder("Conversation so far:\n");
        for (ChatCompletionsController.Turn t : turns) {
            sb.append("user".equals(t.role()) ? "User: " : "Assistant: ").append(t.text()).append("\n\n");
        }
        return sb.toString().trim();
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    /** A provider call's error label as an OpenAI-shaped error. */
    static OpenAiError providerError(String error) {
        if (error.startsWith("refused")) {
            return new OpenAiError(400, "invalid_request_error", "personal_data_refused", "messages",
                    "This provider may not receive personal data, and the messages hold some (" + error + ").");
        }
        if (error.startsWith("circuit_open")) {
            return new OpenAiError(503, "server_error", "provider_unavailable", null,
                    "The provider is failing and its circuit breaker is open; try again shortly.");
        }
        if (error.startsWith("timeout")) {
            return new OpenAiError(504, "server_error", "provider_timeout", null, "The provider did not answer in time.");
        }
        if (error.startsWith("not_configured")) {
            return new OpenAiError(404, "invalid_request_error", "model_not_found", "model",
                    "The provider is not configured.");
        }
        if (error.startsWith("http_429")) {
            return new OpenAiError(429, "requests", "provider_rate_limited", null, "The provider is rate limiting: "
                    + error);
        }
        return new OpenAiError(502, "server_error", "provider_error", null, "The provider failed: " + error);
    }
}
