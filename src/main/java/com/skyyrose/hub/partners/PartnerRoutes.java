package com.skyyrose.hub.partners;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;

/** The partner delivery workers: each timer drains due deliveries (FOR UPDATE SKIP LOCKED across instances). */
@Component
@EnableConfigurationProperties(PartnerProperties.class)
public class PartnerRoutes extends RouteBuilder {

    private final PartnerProperties properties;

    public PartnerRoutes(PartnerProperties properties) {
        this.properties = properties;
    }

    @Override
    public void configure() {
        PartnerProperties.Delivery delivery = properties.getDelivery();
        if (delivery.isWorkerEnabled()) {
            for (int i = 1; i <= Math.max(1, delivery.getWorkers()); i++) {
                from("timer:partner-delivery-worker-" + i + "?delay=1000&period="
                        + delivery.getPollInterval().toMillis())
                        .routeId("partner-delivery-worker-" + i)
                        .bean("partnerDeliveryWorker", "drain");
            }
        }
    }
}
