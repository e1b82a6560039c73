package com.skyyrose.hub.privacy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What may leave the hub towards each LLM provider ({@code hub.privacy.*} in application.yaml): the policy per
 * provider id (openai, anthropic, gemini, openai-compatible), the default for providers not listed, the region whose
 * national phone formats are recognised, and whether the hub's own users count as known personal data.
 */
@ConfigurationProperties("hub.privacy")
public class PrivacyProperties {

    /** What a vendor call does with personal data in its request. */
    public enum Policy {
        /** Replaced by placeholders before the call, restored in the answer for the caller (default). */
        MASK,
        /** Sent as it is: for a model on the caller's own network. */
        ALLOW,
        /** The request fails (422 problem) when it holds personal data. */
        REFUSE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Policy defaultPolicy = Policy.MASK;
    private Map<String, Policy> providers = new LinkedHashMap<>();
    private String phoneRegion = "US";
    private boolean knownUsers = true;
    private Duration knownUsersRefresh = Duration.ofMinutes(1);

    /** The policy of one provider (its own, else the default). */
    public Policy policy(String providerId) {
        Policy p = providerId == null ? null : providers.get(providerId);
        return p != null ? p : defaultPolicy;
    }

    public Policy getDefaultPolicy() { return defaultPolicy; }
    public void setDefaultPolicy(Policy defaultPolicy) { this.defaultPolicy = defaultPolicy; }
    public Map<String, Policy> getProviders() { return providers; }
    public void setProviders(Map<String, Policy> providers) { this.providers = providers; }
    public String getPhoneRegion() { return phoneRegion; }
    public void setPhoneRegion(String phoneRegion) { this.phoneRegion = phoneRegion; }
    public boolean isKnownUsers() { return knownUsers; }
    public void setKnownUsers(boolean knownUsers) { this.knownUsers = knownUsers; }
    public Duration getKnownUsersRefresh() { return knownUsersRefresh; }
    public void setKnownUsersRefresh(Duration v) { this.knownUsersRefresh = v; }
}
