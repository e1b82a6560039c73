package com.skyyrose.hub.assistants;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Binds {@code hub.assistants.*} (budgets, public URL for the MCP resource metadata) and registers the MCP server's
 * servlet at {@code /mcp} (an exact servlet mapping, ahead of Spring MVC's dispatcher).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AssistantProperties.class)
public class AssistantsConfiguration {

    @Bean
    ServletRegistrationBean<McpServerEndpoint> mcpServlet(AssistantAccess access, McpCatalog catalog,
            ObjectMapper json) {
        ServletRegistrationBean<McpServerEndpoint> registration = new ServletRegistrationBean<>(
                new McpServerEndpoint(access, catalog, json, OAuthResourceMetadata.PATH + "/mcp"), "/mcp");
        registration.setName("mcp");
        registration.setAsyncSupported(true);
        return registration;
    }
}
