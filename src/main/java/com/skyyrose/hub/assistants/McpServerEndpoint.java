package com.skyyrose.hub.assistants;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.skyyrose.hub.security.Principal;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;

/**
 * The MCP server at {@code /mcp}: the official MCP Java SDK's Streamable HTTP transport (its stateless servlet
 * variant: no session held in memory, so any hub instance answers any request behind the load balancer).
 * <p>
 * Every request is authenticated first (the hub's bearer credentials; 401 carries the OAuth protected-resource
 * metadata URL as the MCP authorization specification asks). {@code tools/list} must show each caller only what its
 * permissions allow, and an SDK server lists one fixed set of tools, so there is one SDK server per distinct
 * permission set (and catalog version), built on first use and cached; the caller's principal reaches the handlers
 * in the transport context.
 */
public class McpServerEndpoint extends HttpServlet {

    static final String PRINCIPAL = "hub.principal";

    private final AssistantAccess access;
    private final McpCatalog catalog;
    private final JacksonMcpJsonMapper mapper;
    private final String metadataPath;
    private final Cache<String, Built> servers = Caffeine.newBuilder().maximumSize(64)
            .expireAfterAccess(Duration.ofMinutes(30))
            .<String, Built>removalListener((key, built, cause) -> {
                if (built != null) {
                    built.server().close();
                }
            }).build();

    private record Built(HttpServletStatelessServerTransport transport, McpStatelessSyncServer server) {
    }

    public McpServerEndpoint(AssistantAccess access, McpCatalog catalog, ObjectMapper json, String metadataPath) {
        this.access = access;
        this.catalog = catalog;
        this.mapper = new JacksonMcpJsonMapper(json);
        this.metadataPath = metadataPath;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Principal principal;
        try {
            principal = access.admit(request, response);
        } catch (OpenAiError e) {
            refuse(request, response, e);
            return;
        }
        request.setAttribute(PRINCIPAL, principal);
        String key = new TreeSet<>(principal.permissions()) + "|" + principal.isAdmin() + "|" + catalog.version();
        Built built = servers.get(key, k -> build(principal));
        built.transport().service(request, response);
    }

    private Built build(Principal principal) {
        HttpServletStatelessServerTransport transport = HttpServletStatelessServerTransport.builder()
                .jsonMapper(mapper)
                .messageEndpoint("/mcp")
                .contextExtractor(request -> McpTransportContext.create(
                        Map.of(PRINCIPAL, request.getAttribute(PRINCIPAL))))
                .build();
        McpServer.StatelessSyncSpecification spec = McpServer.sync(transport)
                .serverInfo("skyyrose-hub", "1.0")
                .jsonMapper(mapper)
                .strictToolNameValidation(false)
                .requestTimeout(Duration.ofSeconds(120))
                .instructions("SkyyRose hub: the shop's tools, the SuperAgents (agent_<id>), the brand context and the "
                        + "knowledge base. Risky tools wait for a human approval and answer with the run id.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false).build())
                .tools(catalog.tools(principal))
                .resources(catalog.resources(principal));
        return new Built(transport, spec.build());
    }

    /** 401 with {@code WWW-Authenticate: Bearer resource_metadata=...} (RFC 9728), other refusals as they are. */
    private void refuse(HttpServletRequest request, HttpServletResponse response, OpenAiError error)
            throws IOException {
        response.setStatus(error.status());
        error.headers().forEach(response::setHeader);
        if (error.status() == 401) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"hub\", resource_metadata=\""
                    + OAuthResourceMetadata.baseUrl(request, catalog.publicUrl()) + metadataPath + "\"");
        }
        byte[] body = ("{\"error\":\"" + (error.status() == 401 ? "invalid_token" : "access_denied")
                + "\",\"error_description\":" + mapper.getObjectMapper().writeValueAsString(error.getMessage()) + "}")
                .getBytes(StandardCharsets.UTF_8);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
