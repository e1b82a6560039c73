package com.skyyrose.hub.assistants;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.skyyrose.hub.agents.AgentTestFakes;
import com.skyyrose.hub.fakes.LlmVendorFake;
import com.skyyrose.hub.support.HubIntegrationTest;
import com.skyyrose.hub.support.TestAuth;
import com.skyyrose.hub.support.TestHttp;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The MCP server at {@code /mcp} with the official MCP Java SDK's client over Streamable HTTP: authentication and
 * the OAuth protected-resource metadata, tools filtered by permissions, tool calls through the dispatcher with
 * approval for risky tools, agents as tools, brand context and knowledge documents as resources.
 */
@DirtiesContext
class McpServerTest extends HubIntegrationTest {

    @RegisterExtension
    static final AgentTestFakes FAKES = new AgentTestFakes();

    @DynamicPropertySource
    static void fakes(DynamicPropertyRegistry registry) {
        FAKES.register(registry);
        // the first round of a cold hub on this shared, loaded machine can pass the fakes' 5 s deadline
        registry.add("HUB_LLM_DEADLINE_MS", () -> "20000");
    }

    @BeforeEach
    void reset() {
        FAKES.panel.forEach(LlmVendorFake::reset);
        FAKES.store.reset();
    }

    McpSyncClient client(String bearer) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder("http://127.0.0.1:" + port).endpoint("/mcp")
                .jsonMapper(new JacksonMcpJsonMapper(new ObjectMapper()))
                .customizeRequest(b -> b.header("Authorization", "Bearer " + bearer)).build();
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(60)).build();
        client.initialize();
        return client;
    }

    String admin() {
        return TestAuth.admin(http())[1].substring("Bearer ".length());
    }

    String key(String... scopes) {
        String body = "{\"name\":\"mcp test " + UUID.randomUUID() + "\",\"scopes\":" + TestHttp.json()
                .valueToTree(List.of(scopes)) + "}";
        TestHttp.Reply created = http().postJson("/api/v1/api-keys", body, TestAuth.admin(http()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("secret").asText();
    }

    @Test
    void withoutCredentialsTheServerPointsAtItsProtectedResourceMetadata() {
        TestHttp.Reply refused = http().postJson("/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
        assertThat(refused.status()).isEqualTo(401);
        String metadataUrl = "http://127.0.0.1:" + port + "/.well-known/oauth-protected-resource/mcp";
        assertThat(refused.header("WWW-Authenticate").orElseThrow()).startsWith("Bearer ")
                .contains("resource_metadata=\"" + metadataUrl + "\"");

        for (String path : List.of("/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource")) {
            TestHttp.Reply metadata = http().get(path);
            assertThat(metadata.status()).isEqualTo(200);
            JsonNode doc = metadata.json();
            assertThat(doc.get("resource").asText()).isEqualTo("http://127.0.0.1:" + port + "/mcp");
            assertThat(doc.get("authorization_servers").get(0).asText()).isEqualTo("http://127.0.0.1:" + port);
            assertThat(doc.get("bearer_methods_supported").get(0).asText()).isEqualTo("header");
            assertThat(doc.get("scopes_supported").toString()).contains("woocommerce:read", "agents:run");
        }
        TestHttp.Reply badToken = http().postJson("/mcp", "{}", "Authorization", "Bearer hub_unknown");
        assertThat(badToken.status()).isEqualTo(401);
    }

    @Test
    void toolsListIsTheRegistryFilteredByPermissionsPlusOneToolPerAgent() {
        try (McpSyncClient admin = client(admin())) {
            List<McpSchema.Tool> tools = admin.listTools().tools();
            List<String> names = tools.stream().map(McpSchema.Tool::name).toList();
            assertThat(names).contains("woocommerce.products.get", "woocommerce.products.update",
                    "wordpress.posts.create", "agent_commerce", "agent_support");
            McpSchema.Tool get = tools.stream().filter(t -> t.name().equals("woocommerce.products.get")).findFirst()
                    .orElseThrow();
            assertThat(get.description()).contains("One product by id");
            assertThat(get.inputSchema().required()).containsExactly("id");
            assertThat(get.inputSchema().properties()).containsKey("id");
            assertThat(get.annotations().readOnlyHint()).isTrue();
        }
        try (McpSyncClient reader = client(key("woocommerce:read"))) {
            List<String> names = reader.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertThat(names).contains("woocommerce.products.get", "woocommerce.orders.list")
                    .doesNotContain("woocommerce.products.update", "wordpress.posts.create", "agent_commerce");
        }
    }

    @Test
    void aReadOnlyToolRunsThroughTheDispatcherAndBadArgumentsAreRefused() {
        var product = FAKES.store.addProduct("Black Rose Hoodie", "145.00");
        try (McpSyncClient client = client(key("woocommerce:read"))) {
            McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(
                    "woocommerce.products.get", Map.of("id", product.get("id").asLong())));
            assertThat(result.isError()).isFalse();
            assertThat(((McpSchema.TextContent) result.content().get(0)).text()).contains("Black Rose Hoodie");
            assertThat(FAKES.store.requests("GET", "/wp-json/wc/v3/products/" + product.get("id").asLong()))
                    .hasSize(1);

            McpSchema.CallToolResult invalid = client.callTool(new McpSchema.CallToolRequest(
                    "woocommerce.products.get", Map.of("id", "not-a-number")));
            assertThat(invalid.isError()).isTrue();
            assertThat(((McpSchema.TextContent) invalid.content().get(0)).text()).startsWith("400").contains("id");
        }
    }

    @Test
    void aHighSeverityToolAwaitsApprovalWithTheRunId() {
        var product = FAKES.store.addProduct("Love Hurts Tee", "85.00");
        long id = product.get("id").asLong();
        try (McpSyncClient client = client(admin())) {
            McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest(
                    "woocommerce.products.update", Map.of("id", id, "changes", Map.of("regular_price", "95.00"))));
            assertThat(result.isError()).isFalse();
            String text = ((McpSchema.TextContent) result.content().get(0)).text();
            assertThat(text).startsWith("Awaiting approval");
            @SuppressWarnings("unchecked")
            Map<String, Object> structured = (Map<String, Object>) result.structuredContent();
            String runId = (String) structured.get("run_id");
            assertThat(text).contains(runId);
            assertThat(FAKES.store.product(id).get("regular_price").asText()).isEqualTo("85.00");
            JsonNode run = http().get("/api/v1/runs/" + runId, TestAuth.admin(http())).json();
            assertThat(run.get("status").asText()).isEqualTo("awaiting_approval");
            assertThat(run.get("actions").get(0).get("tool").asText()).isEqualTo("woocommerce.products.update");
            // approved by a human, it runs
            TestHttp.Reply approved = http().postJson("/api/v1/runs/" + runId + "/approve", "{}",
                    TestAuth.admin(http()));
            assertThat(approved.status()).as(approved.body()).isEqualTo(200);
            assertThat(FAKES.store.product(id).get("regular_price").asText()).isEqualTo("95.00");
        }
    }

    @Test
    void anAgentIsATool() {
        FAKES.panel.forEach(f -> f.answers("{\"answer\":\"The Black Rose hoodie is in stock.\",\"actions\":[]}", 40,
                20));
        String key = key("agents:run");
        try (McpSyncClient client = client(key)) {
            McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("agent_commerce",
                    Map.of("task", "Is the Black Rose hoodie in stock?")));
            assertThat(result.isError()).as(result.toString()).isFalse();
            assertThat(((McpSchema.TextContent) result.content().get(0)).text())
                    .isEqualTo("The Black Rose hoodie is in stock.");
            McpSchema.CallToolResult noTask = client.callTool(new McpSchema.CallToolRequest("agent_commerce",
                    Map.of()));
            assertThat(noTask.isError()).isTrue();
            // the agent call counts in the caller's usage (the three panel answers' tokens)
            JsonNode usage = http().get("/api/v1/usage", "X-API-Key", key).json();
            assertThat(usage.get("requests").asLong()).as(usage.toString()).isEqualTo(1);
            assertThat(usage.get("by_model").get(0).get("model").asText()).isEqualTo("agent:commerce");
            assertThat(usage.get("input_tokens").asLong()).isEqualTo(120);
        }
    }

    @Test
    void brandContextAndKnowledgeDocumentsAreResources() throws Exception {
        String source = "mcp-" + UUID.randomUUID();
        TestHttp.Reply posted = http().postJson("/api/v1/knowledge/documents", TestHttp.json().writeValueAsString(
                Map.of("source_id", source, "title", "Care guide " + source, "content_type", "text/plain",
                        "content", "Wash the Black Rose hoodie cold, inside out.")), TestAuth.admin(http()));
        assertThat(posted.status()).as(posted.body()).isIn(200, 201);
        String docId = posted.json().get("id").asText();

        try (McpSyncClient client = client(key("brand:read", "knowledge:read"))) {
            List<McpSchema.Resource> resources = client.listResources().resources();
            assertThat(resources).extracting(McpSchema.Resource::uri)
                    .contains("hub://brand/context", "hub://knowledge/documents/" + docId);
            McpSchema.ReadResourceResult brand = client.readResource(new McpSchema.ReadResourceRequest(
                    "hub://brand/context"));
            assertThat(((McpSchema.TextResourceContents) brand.contents().get(0)).text()).contains("SkyyRose");
            McpSchema.ReadResourceResult doc = client.readResource(new McpSchema.ReadResourceRequest(
                    "hub://knowledge/documents/" + docId));
            assertThat(((McpSchema.TextResourceContents) doc.contents().get(0)).text())
                    .contains("Wash the Black Rose hoodie cold");
        }
        try (McpSyncClient brandOnly = client(key("brand:read"))) {
            assertThat(brandOnly.listResources().resources()).extracting(McpSchema.Resource::uri)
                    .containsExactly("hub://brand/context");
        }
    }
}
