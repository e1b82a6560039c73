package com.skyyrose.hub.assistants;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for the MCP server, as the MCP authorization specification asks:
 * at {@code /.well-known/oauth-protected-resource} and at the path-suffixed form for {@code /mcp}. It names the
 * resource, the authorization server that issues its tokens (the hub itself unless
 * {@code HUB_MCP_AUTHORIZATION_SERVER} names another), and that tokens go in the {@code Authorization} header.
 */
@RestController
public class OAuthResourceMetadata {

    public static final String PATH = "/.well-known/oauth-protected-resource";

    private final AssistantProperties props;
    private final McpCatalog catalog;

    public OAuthResourceMetadata(AssistantProperties props, McpCatalog catalog) {
        this.props = props;
        this.catalog = catalog;
    }

    @GetMapping(value = {PATH, PATH + "/mcp"}, produces = "application/json")
    public Map<String, Object> metadata(HttpServletRequest request) {
        String base = baseUrl(request, props.getPublicUrl());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("resource", base + "/mcp");
        doc.put("authorization_servers", List.of(props.getAuthorizationServer().isBlank() ? base
                : props.getAuthorizationServer()));
        doc.put("bearer_methods_supported", List.of("header"));
        doc.put("scopes_supported", catalog.scopes());
        doc.put("resource_name", "SkyyRose hub MCP server");
        doc.put("resource_documentation", base + "/docs");
        return doc;
    }

    /** The hub's public URL: configured ({@code HUB_PUBLIC_URL}) or as this request reached it. */
    static String baseUrl(HttpServletRequest request, String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured.replaceAll("/+$", "");
        }
        String scheme = request.getScheme();
        int port = request.getServerPort();
        boolean defaultPort = ("http".equals(scheme) && port == 80) || ("https".equals(scheme) && port == 443);
        return scheme + "://" + request.getServerName() + (defaultPort ? "" : ":" + port) + request.getContextPath();
    }
}
