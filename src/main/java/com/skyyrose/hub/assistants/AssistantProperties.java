package com.skyyrose.hub.assistants;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the OpenAI-compatible API and the MCP server ({@code hub.assistants.*}): budgets per user and per API
 * key (0 = none), and the public base URL the OAuth protected-resource metadata names.
 */
@ConfigurationProperties("hub.assistants")
public class AssistantProperties {

    /** A principal kind's budget: monthly USD (0 = unlimited) and tokens per minute (0 = unlimited). */
    public static class Budget {
        private double monthlyUsd;
        private long tokensPerMinute;

        public double getMonthlyUsd() { return monthlyUsd; }

        public void setMonthlyUsd(double monthlyUsd) { this.monthlyUsd = monthlyUsd; }

        public long getTokensPerMinute() { return tokensPerMinute; }

        public void setTokensPerMinute(long tokensPerMinute) { this.tokensPerMinute = tokensPerMinute; }
    }

    private Budget user = new Budget();
    private Budget apiKey = new Budget();
    /** The hub's public URL (OAuth resource metadata); empty = taken from the request. */
    private String publicUrl = "";
    /** The authorization server(s) the metadata names; empty = the hub itself (its token endpoint). */
    private String authorizationServer = "";

    public Budget getUser() { return user; }

    public void setUser(Budget user) { this.user = user; }

    public Budget getApiKey() { return apiKey; }

    public void setApiKey(Budget apiKey) { this.apiKey = apiKey; }

    public String getPublicUrl() { return publicUrl; }

    public void setPublicUrl(String publicUrl) { this.publicUrl = publicUrl; }

    public String getAuthorizationServer() { return authorizationServer; }

    public void setAuthorizationServer(String authorizationServer) { this.authorizationServer = authorizationServer; }
}
