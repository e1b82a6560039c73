package com.skyyrose.hub.assistants;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@code hub.assistants.*} (budgets, public URL for the MCP resource metadata). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AssistantProperties.class)
public class AssistantsConfiguration {
}
