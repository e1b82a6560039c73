package com.skyyrose.hub.partners;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code hub.partners.*}: the partner API, its keys and the event delivery worker. */
@ConfigurationProperties("hub.partners")
public class PartnerProperties {

    /** The store (webhook source name) whose mirror partners read and whose changes become partner events. */
    private String source = "default";
    /** Order meta key whose value is the partner id an order is attributed to. */
    private String orderMetaKey = "_partner_id";
    /** Rate limit of a new partner key unless the request names one. */
    private int keyRatePerMinute = 600;
    private Delivery delivery = new Delivery();

    public static class Delivery {
        private boolean workerEnabled = true;
        private int workers = 2;
        private Duration pollInterval = Duration.ofMillis(200);
        /** Deliveries one worker claims at a time (sent concurrently). */
        private int batchSize = 100;
        /** Requests in flight per worker. */
        private int concurrency = 32;
        private Duration timeout = Duration.ofSeconds(10);
        /** How long a claimed delivery is reserved for its worker (longer than timeout). */
        private Duration lease = Duration.ofSeconds(60);
        private Duration backoffBase = Duration.ofSeconds(30);
        private Duration backoffMax = Duration.ofHours(2);
        /** A delivery still failing this long after its event is dead-lettered. */
        private Duration retryWindow = Duration.ofHours(24);
        /** Dead letters in a row (no success between) after which the subscription is disabled. */
        private int disableAfterDeadLetters = 5;
        /** After a rotation the previous secret also signs for this long. */
        private Duration previousSecretGrace = Duration.ofHours(24);

        public boolean isWorkerEnabled() { return workerEnabled; }
        public void setWorkerEnabled(boolean v) { workerEnabled = v; }
        public int getWorkers() { return workers; }
        public void setWorkers(int v) { workers = v; }
        public Duration getPollInterval() { return pollInterval; }
        public void setPollInterval(Duration v) { pollInterval = v; }
        public int getBatchSize() { return batchSize; }
        public void setBatchSize(int v) { batchSize = v; }
        public int getConcurrency() { return concurrency; }
        public void setConcurrency(int v) { concurrency = v; }
        public Duration getTimeout() { return timeout; }
        public void setTimeout(Duration v) { timeout = v; }
        public Duration getLease() { return lease; }
        public void setLease(Duration v) { lease = v; }
        public Duration getBackoffBase() { return backoffBase; }
        public void setBackoffBase(Duration v) { backoffBase = v; }
        public Duration getBackoffMax() { return backoffMax; }
        public void setBackoffMax(Duration v) { backoffMax = v; }
        public Duration getRetryWindow() { return retryWindow; }
        public void setRetryWindow(Duration v) { retryWindow = v; }
        public int getDisableAfterDeadLetters() { return disableAfterDeadLetters; }
        public void setDisableAfterDeadLetters(int v) { disableAfterDeadLetters = v; }
        public Duration getPreviousSecretGrace() { return previousSecretGrace; }
        public void setPreviousSecretGrace(Duration v) { previousSecretGrace = v; }
    }

    public String getSource() { return source; }
    public void setSource(String v) { source = v; }
    public String getOrderMetaKey() { return orderMetaKey; }
    public void setOrderMetaKey(String v) { orderMetaKey = v; }
    public int getKeyRatePerMinute() { return keyRatePerMinute; }
    public void setKeyRatePerMinute(int v) { keyRatePerMinute = v; }
    public Delivery getDelivery() { return delivery; }
    public void setDelivery(Delivery v) { delivery = v; }
}
