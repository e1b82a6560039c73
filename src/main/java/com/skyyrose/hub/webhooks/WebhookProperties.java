package com.skyyrose.hub.webhooks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code hub.webhooks.*}: sources and their secrets, worker, retry, reconciliation and retention settings. */
@ConfigurationProperties("hub.webhooks")
public class WebhookProperties {

    /** WooCommerce stores by source name (the {source} path segment). */
    private Map<String, Source> woocommerce = new LinkedHashMap<>();
    /** WordPress sites by source name. */
    private Map<String, Source> wordpress = new LinkedHashMap<>();
    /** Header carrying the WordPress plugin's HMAC-SHA256 signature. */
    private String wordpressSignatureHeader = "X-WP-Webhook-Signature";
    /** Header carrying the WordPress event name (e.g. post.updated); the body's "topic"/"action" otherwise. */
    private String wordpressTopicHeader = "X-WP-Webhook-Topic";
    /** Group commit: threads inserting concurrent deliveries together (0 = one transaction per delivery). */
    private int intakeCommitters = 2;
    /** Group commit: most deliveries in one transaction. */
    private int intakeBatchMax = 128;
    /** Longest a delivery waits for its commit before answering 503. */
    private Duration intakeTimeout = Duration.ofSeconds(5);
    private boolean workerEnabled = true;
    private int workers = 2;
    private int batchSize = 50;
    private Duration pollInterval = Duration.ofMillis(200);
    private int maxAttempts = 8;
    private Duration backoffBase = Duration.ofSeconds(5);
    private Duration backoffMax = Duration.ofHours(1);
    private boolean reconcileEnabled = true;
    private Duration reconcileInterval = Duration.ofMinutes(10);
    /** How far back the first reconciliation of a store looks. */
    private Duration reconcileLookback = Duration.ofHours(24);
    private Duration retention = Duration.ofDays(30);

    public static class Source {
        private String secret = "";
        /** Store base URL for reconciliation (e.g. https://shop.example.com); empty = no reconciliation. */
        private String storeUrl = "";
        private String consumerKey = "";
        private String consumerSecret = "";

        public boolean configured() {
            return secret != null && !secret.isBlank();
        }

        public boolean reconcilable() {
            return storeUrl != null && !storeUrl.isBlank() && consumerKey != null && !consumerKey.isBlank();
        }

        private volatile byte[] wooCommerceKey;

        /** The HMAC key WooCommerce signs with (the secret, HTML-entity-decoded), computed once. */
        public byte[] wooCommerceKey() {
            byte[] key = wooCommerceKey;
            if (key == null) {
                key = WebhookSignatures.wooCommerceKey(secret);
                wooCommerceKey = key;
            }
            return key;
        }

        public String getSecret() { return secret; }
        public void setSecret(String secret) { this.secret = secret; this.wooCommerceKey = null; }
        public String getStoreUrl() { return storeUrl; }
        public void setStoreUrl(String storeUrl) { this.storeUrl = storeUrl; }
        public String getConsumerKey() { return consumerKey; }
        public void setConsumerKey(String consumerKey) { this.consumerKey = consumerKey; }
        public String getConsumerSecret() { return consumerSecret; }
        public void setConsumerSecret(String consumerSecret) { this.consumerSecret = consumerSecret; }
    }

    /**
     * The wait before retry number {@code attempt} (1 = after the first failure): base · 2^(attempt-1), capped at
     * the maximum, with "equal jitter" (half fixed, half random). The inbox workers and the hand-off workers share it.
     */
    public Duration retryDelay(int attempt) {
        long base = backoffBase.toMillis();
        long cap = backoffMax.toMillis();
        long exp = Math.min(cap, base * (1L << Math.min(30, Math.max(0, attempt - 1))));
        long half = Math.max(1, exp / 2);
        return Duration.ofMillis(half + java.util.concurrent.ThreadLocalRandom.current().nextLong(half + 1));
    }

    /** True when a work item that failed {@code attempt} times is dead-lettered rather than retried. */
    public boolean exhausted(int attempt) {
        return attempt >= maxAttempts;
    }

    public Map<String, Source> getWoocommerce() { return woocommerce; }
    public void setWoocommerce(Map<String, Source> woocommerce) { this.woocommerce = woocommerce; }
    public Map<String, Source> getWordpress() { return wordpress; }
    public void setWordpress(Map<String, Source> wordpress) { this.wordpress = wordpress; }
    public String getWordpressSignatureHeader() { return wordpressSignatureHeader; }
    public void setWordpressSignatureHeader(String v) { this.wordpressSignatureHeader = v; }
    public String getWordpressTopicHeader() { return wordpressTopicHeader; }
    public void setWordpressTopicHeader(String v) { this.wordpressTopicHeader = v; }
    public int getIntakeCommitters() { return intakeCommitters; }
    public void setIntakeCommitters(int intakeCommitters) { this.intakeCommitters = intakeCommitters; }
    public int getIntakeBatchMax() { return intakeBatchMax; }
    public void setIntakeBatchMax(int intakeBatchMax) { this.intakeBatchMax = intakeBatchMax; }
    public Duration getIntakeTimeout() { return intakeTimeout; }
    public void setIntakeTimeout(Duration intakeTimeout) { this.intakeTimeout = intakeTimeout; }
    public boolean isWorkerEnabled() { return workerEnabled; }
    public void setWorkerEnabled(boolean workerEnabled) { this.workerEnabled = workerEnabled; }
    public int getWorkers() { return workers; }
    public void setWorkers(int workers) { this.workers = workers; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int batchSize) { this.batchSize = batchSize; }
    public Duration getPollInterval() { return pollInterval; }
    public void setPollInterval(Duration pollInterval) { this.pollInterval = pollInterval; }
    public int getMaxAttempts() { return maxAttempts; }
    public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
    public Duration getBackoffBase() { return backoffBase; }
    public void setBackoffBase(Duration backoffBase) { this.backoffBase = backoffBase; }
    public Duration getBackoffMax() { return backoffMax; }
    public void setBackoffMax(Duration backoffMax) { this.backoffMax = backoffMax; }
    public boolean isReconcileEnabled() { return reconcileEnabled; }
    public void setReconcileEnabled(boolean reconcileEnabled) { this.reconcileEnabled = reconcileEnabled; }
    public Duration getReconcileInterval() { return reconcileInterval; }
    public void setReconcileInterval(Duration reconcileInterval) { this.reconcileInterval = reconcileInterval; }
    public Duration getReconcileLookback() { return reconcileLookback; }
    public void setReconcileLookback(Duration reconcileLookback) { this.reconcileLookback = reconcileLookback; }
    public Duration getRetention() { return retention; }
    public void setRetention(Duration retention) { this.retention = retention; }
}
