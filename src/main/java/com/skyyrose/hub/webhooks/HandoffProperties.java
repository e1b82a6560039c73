package com.skyyrose.hub.webhooks;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code hub.handoffs.*}: the hand-off workers that drain {@code webhook_handoff} (retries and dead letters follow
 * {@code hub.webhooks.max-attempts}/{@code backoff-*}, as for webhook events) and the hand-off rules' settings.
 */
@ConfigurationProperties("hub.handoffs")
public class HandoffProperties {

    private boolean enabled = true;
    /** Workers per instance for knowledge-base hand-offs (fast: one embedding pass per document). */
    private int knowledgeWorkers = 1;
    /** Workers per instance for agent runs (slow: a round table each), so a run never delays indexing. */
    private int agentWorkers = 2;
    private Duration pollInterval = Duration.ofMillis(500);
    /**
     * How long a claimed hand-off stays with its worker; after that another worker (another instance, after a crash)
     * takes it again. Longer than any agent run.
     */
    private Duration lease = Duration.ofMinutes(10);
    /** product.updated whose stock_quantity falls below this → Operations agent run (HUB_LOW_STOCK_THRESHOLD). */
    private int lowStockThreshold = 5;

    public boolean isEnabled() { return enabled; }
    public void setEnabled(boolean enabled) { this.enabled = enabled; }
    public int getKnowledgeWorkers() { return knowledgeWorkers; }
    public void setKnowledgeWorkers(int knowledgeWorkers) { this.knowledgeWorkers = knowledgeWorkers; }
    public int getAgentWorkers() { return agentWorkers; }
    public void setAgentWorkers(int agentWorkers) { this.agentWorkers = agentWorkers; }
    public Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(Duration pollInterval) { this.pollInterval = pollInterval; }
    public Duration getLease() { return lease; }
    public void setLease(Duration lease) { this.lease = lease; }
    public int getLowStockThreshold() { return lowStockThreshold; }
    public void setLowStockThreshold(int lowStockThreshold) { this.lowStockThreshold = lowStockThreshold; }
}
