package com.skyyrose.hub.webhooks;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Raw payloads hold customers' personal data: after {@code hub.webhooks.retention} they are dropped from settled
 * events (processed, duplicate, dead); the event's metadata (topic, resource id, hash, status, times) stays.
 */
@Component("webhookRetention")
public class WebhookRetention {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookRetention.class);
    private static final int BATCH = 1000;

    private final WebhookInbox inbox;
    private final WebhookProperties properties;

    public WebhookRetention(WebhookInbox inbox, WebhookProperties properties) {
        this.inbox = inbox;
        this.properties = properties;
    }

    public int purge() {
        int total = 0;
        int n;
        do {
            n = inbox.purgePayloads(properties.getRetention(), BATCH);
            total += n;
        } while (n == BATCH);
        if (total > 0) {
            LOG.info("Webhook retention purged the payloads of {} event(s)", total);
        }
        return total;
    }
}
