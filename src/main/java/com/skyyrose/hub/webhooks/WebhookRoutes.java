package com.skyyrose.hub.webhooks;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/**
 * Fixed plumbing of the webhook capability: the contract operations (intake and operator API), the inbox
 * workers, the queue gauges and reconciliation timers. Topic routing is YAML
 * ({@code routes/webhooks/}).
 */
@Component
@EnableConfigurationProperties(WebhookProperties.class)
public class WebhookRoutes extends RouteBuilder {

    private final WebhookProperties properties;

    public WebhookRoutes(WebhookProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configure() {
        from("direct:receiveWooCommerceWebhook").routeId("webhook-intake-woocommerce")
                .bean("webhookIntake", "receiveWooCommerce");
        from("direct:receiveWordPressWebhook").routeId("webhook-intake-wordpress")
                .bean("webhookIntake", "receiveWordPress");
        from("direct:listWebhookEvents").routeId("webhook-events-list").bean("webhookApi", "list");
        from("direct:getWebhookEvent").routeId("webhook-event-get").bean("webhookApi", "get");
        from("direct:replayWebhookEvent").routeId("webhook-event-replay").bean("webhookApi", "replay");
        from("direct:replayWebhookDeadLetters").routeId("webhook-dead-letters-replay")
                .bean("webhookApi", "replayDead");

        // inbox workers: each timer drains due events in batches (FOR UPDATE SKIP LOCKED across instances)
        if (properties.isWorkerEnabled()) {
            for (int i = 1; i <= Math.max(1, properties.getWorkers()); i++) {
                from("timer:webhook-worker-" + i + "?delay=1000&period=" + properties.getPollInterval().toMillis())
                        .routeId("webhook-worker-" + i)
                        .bean("webhookWorker", "drain");
            }
        }
        from("timer:webhook-queue-gauges?delay=1000&period=5000").routeId("webhook-queue-gauges")
                .bean("webhookInbox", "queueStats")
                .bean("webhookMetrics", "queue");
        if (properties.isReconcileEnabled()) {
            from("timer:webhook-reconcile?delay=30000&period=" + properties.getReconcileInterval().toMillis())
                    .routeId("webhook-reconcile")
                    .bean("webhookReconciler", "reconcileAll");
        }
        // payload retention is run by the GDPR retention route with every other category (routes/gdpr/)
    }
}
