package com.skyyrose.hub.webhooks;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * The hand-off workers' timers (fixed plumbing, like the inbox workers): each drains due rows of its lane. What a
 * hand-off does is YAML: routes/webhooks/webhook-handoffs.camel.yaml.
 */
@Component
@EnableConfigurationProperties(HandoffProperties.class)
public class HandoffRoutes extends RouteBuilder {

    private final HandoffProperties properties;

    public HandoffRoutes(HandoffProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configure() {
        if (!properties.isEnabled()) {
            return;
        }
        long period = properties.getPollInterval().toMillis();
        for (int i = 1; i <= Math.max(1, properties.getKnowledgeWorkers()); i++) {
            from("timer:handoff-knowledge-worker-" + i + "?delay=1000&period=" + period)
                    .routeId("handoff-knowledge-worker-" + i)
                    .bean("handoffWorker", "drainKnowledge");
        }
        for (int i = 1; i <= Math.max(1, properties.getAgentWorkers()); i++) {
            from("timer:handoff-agent-worker-" + i + "?delay=1000&period=" + period)
                    .routeId("handoff-agent-worker-" + i)
                    .bean("handoffWorker", "drainAgents");
        }
    }
}
