package com.skyyrose.hub.assistants;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.agents.AgentCatalog;
import com.skyyrose.hub.knowledge.BrandContextService;
import com.skyyrose.hub.knowledge.KnowledgeStore;
import com.skyyrose.hub.security.Principal;
import com.skyyrose.hub.tools.ToolDescriptor;
import com.skyyrose.hub.tools.ToolRegistry;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What the MCP server offers a caller: the tool registry filtered by the caller's permissions (name, description,
 * {@code inputSchema} = the descriptor's JSON Schema), one {@code agent_<id>} tool per running agent, and as
 * resources the brand context and the knowledge documents. Calls go through the hub's own operations:
 * {@code direct:tool-dispatch} (permission, rate limit, schema) for read-only and low tools, an agent run for high
 * and destructive ones (they wait for approval there and the answer says so with the run id), the agent run
 * operation for {@code agent_<id>}.
 */
@Component
public class McpCatalog {

    static final String BRAND_URI = "hub://brand/context";
    static final String KNOWLEDGE_URI = "hub://knowledge/documents/";
    private static final Set<String> NEEDS_APPROVAL = Set.of("high", "destructive");
    private static final int MAX_DOCUMENT_RESOURCES = 500;

    private final ToolRegistry tools;
    private final AgentCatalog agents;
    private final AssistantModels models;
    private final AssistantAccess access;
    private final UsageLedger ledger;
    private final BrandContextService brand;
    private final KnowledgeStore knowledge;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final AssistantProperties props;

    public McpCatalog(ToolRegistry tools, AgentCatalog agents, AssistantModels models, AssistantAccess access,
            UsageLedger ledger, BrandContextService brand, KnowledgeStore knowledge, JdbcTemplate jdbc,
            ObjectMapper json, AssistantProperties props) {
        this.tools = tools;
        this.agents = agents;
        this.models = models;
        this.access = access;
        this.ledger = ledger;
        this.brand = brand;
        this.knowledge = knowledge;
        this.jdbc = jdbc;
        this.json = json;
        this.props = props;
    }

    String publicUrl() {
        return props.getPublicUrl();
    }

    /** Changes when a tool, an agent or a knowledge document comes or goes (the per-caller servers are rebuilt). */
    String version() {
        StringBuilder sb = new StringBuilder();
        tools.tools().forEach(t -> sb.append(t.name()).append(',').append(t.permission()).append(';'));
        agents.agents().forEach(a -> sb.append(a.id()).append(';'));
        Map<String, Object> docs = jdbc.queryForMap(
                "SELECT count(*) AS n, coalesce(max(updated_at)::text, '') AS at FROM knowledge_document");
        sb.append(docs.get("n")).append('@').append(docs.get("at"));
        return Integer.toHexString(sb.toString().hashCode()) + ":" + sb.length();
    }

    /** The permissions a token may carry for the MCP server (the metadata's {@code scopes_supported}). */
    List<String> scopes() {
        Set<String> out = new TreeSet<>();
        tools.tools().forEach(t -> out.add(t.permission()));
        out.add(access.agentPermission());
        out.add("brand:read");
        out.add("knowledge:read");
        return List.copyOf(out);
    }

    // ---- tools --------------------------------------------------------------------------------------------

    List<McpStatelessServerFeatures.SyncToolSpecification> tools(Principal principal) {
        List<McpStatelessServerFeatures.SyncToolSpecification> out = new ArrayList<>();
        for (ToolDescriptor tool : tools.tools()) {
            if (!principal.has(tool.permission())) {
                continue;
            }
            McpSchema.Tool spec = McpSchema.Tool.builder().name(tool.name())
                    .description(tool.description() + " (severity " + tool.severity()
                            + (NEEDS_APPROVAL.contains(tool.severity()) ? "; waits for a human approval" : "") + ")")
                    .inputSchema(schema(tool.parameters()))
                    .annotations(new McpSchema.ToolAnnotations(null, "read_only".equals(tool.severity()),
                            "destructive".equals(tool.severity()), tool.idempotent(), true, null))
                    .build();
            out.add(new McpStatelessServerFeatures.SyncToolSpecification(spec,
                    (ctx, request) -> callTool(principal(ctx), tool.name(), request.arguments())));
        }
        if (principal.has(access.agentPermission())) {
            for (AgentCatalog.Agent agent : agents.agents()) {
                Map<String, Object> properties = new LinkedHashMap<>();
                properties.put("task", Map.of("type", "string", "description", "What the agent should do"));
                McpSchema.Tool spec = McpSchema.Tool.builder().name("agent_" + agent.id())
                        .description("SuperAgent " + agent.name() + ": " + (agent.description() == null ? ""
                                : agent.description()) + " Its tool actions follow their approval rules.")
                        .inputSchema(new McpSchema.JsonSchema("object", properties, List.of("task"), false, null,
                                null))
                        .build();
                out.add(new McpStatelessServerFeatures.SyncToolSpecification(spec,
                        (ctx, request) -> callAgent(principal(ctx), agent.id(), request.arguments())));
            }
        }
        return out;
    }

    private McpSchema.JsonSchema schema(JsonNode parameters) {
        try {
            return json.treeToValue(parameters == null ? json.createObjectNode().put("type", "object") : parameters,
                    McpSchema.JsonSchema.class);
        } catch (Exception e) {
            return new McpSchema.JsonSchema("object", Map.of(), List.of(), null, null, null);
        }
    }

    private static Principal principal(McpTransportContext ctx) {
        return (Principal) ctx.get(McpServerEndpoint.PRINCIPAL);
    }

    /** A registry tool: through {@code direct:tool-dispatch}, or an agent run that waits for approval. */
    McpSchema.CallToolResult callTool(Principal principal, String name, Map<String, Object> arguments) {
        ToolDescriptor tool = tools.find(name).orElse(null);
        if (tool == null) {
            return error("No tool named '" + name + "'.");
        }
        JsonNode args = json.valueToTree(arguments == null ? Map.of() : arguments);
        try {
            if (NEEDS_APPROVAL.contains(tool.severityFor(args))) {
                return awaitApproval(principal, tool, arguments);
            }
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("tool", name);
            request.put("arguments", args);
            Object result = models.send("direct:tool-dispatch", principal, request, Map.of());
            Object payload = result instanceof Map<?, ?> m && m.containsKey("result") ? m.get("result") : result;
            return McpSchema.CallToolResult.builder().addTextContent(json.writeValueAsString(payload))
                    .structuredContent(Map.of("tool", name, "status", "succeeded", "result",
                            payload == null ? Map.of() : json.convertValue(payload, Object.class)))
                    .isError(false).build();
        } catch (OpenAiError e) {
            return error(e.status() + ": " + e.getMessage());
        } catch (Exception e) {
            return error("The tool failed: " + e.getMessage());
        }
    }

    /**
     * A high or destructive tool does not run from MCP directly: an agent run holding it as the caller's action is
     * created (on an agent that may use the tool); it waits for approval like any agent action.
     */
    private McpSchema.CallToolResult awaitApproval(Principal principal, ToolDescriptor tool,
            Map<String, Object> arguments) {
        AgentCatalog.Agent agent = agents.agents().stream().filter(a -> a.tools().contains(tool.name()))
                .findFirst().orElse(null);
        if (agent == null) {
            return error("Tool " + tool.name() + " needs an approval, and no agent may run it.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("task", "MCP call of " + tool.name());
        body.put("use_round_table", false);
        body.put("actions", List.of(Map.of("tool", tool.name(), "arguments", arguments == null ? Map.of()
                : arguments)));
        AssistantModels.Reply reply = models.runAgent(principal, agent.id(), body);
        @SuppressWarnings("unchecked")
        Map<String, Object> run = (Map<String, Object>) reply.fields().get("x_hub_agent_run");
        String status = String.valueOf(run.get("status"));
        String runId = String.valueOf(run.get("id"));
        String text = "awaiting_approval".equals(status)
                ? "Awaiting approval: " + tool.name() + " is " + tool.severity() + " and runs only after an approver "
                        + "confirms run " + runId + " (POST /api/v1/runs/" + runId + "/approve)."
                : "Run " + runId + " ended " + status + ". " + reply.text();
        return McpSchema.CallToolResult.builder().addTextContent(text)
                .structuredContent(Map.of("tool", tool.name(), "status", status, "run_id", runId))
                .isError(!"awaiting_approval".equals(status) && !"succeeded".equals(status)).build();
    }

    McpSchema.CallToolResult callAgent(Principal principal, String agentId, Map<String, Object> arguments) {
        Object task = arguments == null ? null : arguments.get("task");
        if (!(task instanceof String s) || s.isBlank()) {
            return error("'task' must be a non-blank string.");
        }
        try {
            access.withinBudget(principal);
            AssistantModels.Reply reply = models.runAgent(principal, agentId, Map.of("task", s));
            ledger.record(principal, AssistantModels.AGENT_PREFIX + agentId, null, reply.inputTokens(),
                    reply.outputTokens(), reply.costUsd(), reply.roundTableId(), reply.agentRunId());
            @SuppressWarnings("unchecked")
            Map<String, Object> run = (Map<String, Object>) reply.fields().get("x_hub_agent_run");
            return McpSchema.CallToolResult.builder().addTextContent(reply.text())
                    .structuredContent(Map.of("run_id", String.valueOf(run.get("id")), "status",
                            String.valueOf(run.get("status")), "answer", reply.text()))
                    .isError(false).build();
        } catch (OpenAiError e) {
            return error(e.status() + ": " + e.getMessage());
        }
    }

    private static McpSchema.CallToolResult error(String message) {
        return McpSchema.CallToolResult.builder().addTextContent(message).isError(true).build();
    }

    // ---- resources ----------------------------------------------------------------------------------------

    List<McpStatelessServerFeatures.SyncResourceSpecification> resources(Principal principal) {
        List<McpStatelessServerFeatures.SyncResourceSpecification> out = new ArrayList<>();
        if (principal.has("brand:read")) {
            McpSchema.Resource resource = McpSchema.Resource.builder().uri(BRAND_URI).name("brand-context")
                    .title("SkyyRose brand context").mimeType("application/json")
                    .description("The current brand DNA: voice, tone, collections, words to avoid.").build();
            out.add(new McpStatelessServerFeatures.SyncResourceSpecification(resource, (ctx, request) ->
                    new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(BRAND_URI,
                            "application/json", write(brand.current()))))));
        }
        if (principal.has("knowledge:read")) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> docs = (List<Map<String, Object>>) knowledge.list(null, null,
                    MAX_DOCUMENT_RESOURCES, 0).get("items");
            for (Map<String, Object> doc : docs) {
                String uri = KNOWLEDGE_URI + doc.get("id");
                McpSchema.Resource resource = McpSchema.Resource.builder().uri(uri)
                        .name("knowledge-" + doc.get("id")).title(String.valueOf(doc.get("title")))
                        .mimeType("text/plain").description("Knowledge document (" + doc.get("content_type") + ")")
                        .build();
                UUID id = UUID.fromString(String.valueOf(doc.get("id")));
                out.add(new McpStatelessServerFeatures.SyncResourceSpecification(resource, (ctx, request) ->
                        new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(uri,
                                "text/plain", documentText(id))))));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private String documentText(UUID id) {
        Map<String, Object> doc = knowledge.document(id, true);
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> chunk : (List<Map<String, Object>>) doc.getOrDefault("chunks", List.of())) {
            if (!sb.isEmpty()) {
                sb.append("\n\n");
            }
            sb.append(chunk.get("text"));
        }
        return sb.toString();
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
