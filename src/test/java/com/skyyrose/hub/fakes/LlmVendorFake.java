package com.skyyrose.hub.fakes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;
import java.util.Map;

/**
 * Base of the WireMock fakes of LLM vendors: each subclass speaks one vendor's documented wire format (see
 * /work/shared/VENDOR-APIS.md). Stubs match only requests of the right shape (path, auth header, model, messages),
 * so a malformed request gets WireMock's 404 and the test sees it; answers carry real usage fields and errors
 * the vendor's own error body. Reusable by any capability that talks to these vendors.
 */
public abstract class LlmVendorFake implements AutoCloseable {

    /** Lower number wins: targeted stubs (judge, prompt-specific) beat the default answer. */
    public static final int TARGETED = 1;
    public static final int DEFAULT = 5;

    protected final WireMockServer server;
    protected final String apiKey;
    protected final String model;

    protected LlmVendorFake(String apiKey, String model) {
        this.apiKey = apiKey;
        this.model = model;
        this.server = new WireMockServer(options().dynamicPort().containerThreads(32).jettyAcceptors(2));
        server.start();
    }

    /** The base URL to configure (what the vendor SDK calls its base URL, version path included). */
    public abstract String baseUrl();

    /** A POST to the vendor's chat endpoint with the auth header, model and messages it requires. */
    protected abstract MappingBuilder chatRequest();

    /** The vendor's success body. */
    protected abstract String successBody(String text, int inputTokens, int outputTokens, String finish);

    /** The vendor's error body for a status. */
    protected abstract String errorBody(int status);

    public String apiKey() {
        return apiKey;
    }

    public String model() {
        return model;
    }

    public WireMockServer server() {
        return server;
    }

    public void reset() {
        server.resetAll();
    }

    public LlmVendorFake answers(String text) {
        return answers(text, 40, Math.max(1, text.split("\\s+").length * 4 / 3));
    }

    public LlmVendorFake answers(String text, int inputTokens, int outputTokens) {
        server.stubFor(chatRequest().atPriority(DEFAULT).willReturn(ok(successBody(text, inputTokens, outputTokens,
                null))));
        return this;
    }

    /** Answers after a fixed delay (slow provider; past the deadline it is a hang). */
    public LlmVendorFake answersAfter(int delayMillis, String text) {
        server.stubFor(chatRequest().atPriority(DEFAULT).willReturn(ok(successBody(text, 40, 20, null))
                .withFixedDelay(delayMillis)));
        return this;
    }

    /** Answers {@code text} to requests whose raw JSON body contains {@code fragment} (takes precedence). */
    public LlmVendorFake answersWhenBodyContains(String fragment, String text, int priority) {
        server.stubFor(chatRequest().atPriority(priority).withRequestBody(containing(fragment))
                .willReturn(ok(successBody(text, 120, 30, null))));
        return this;
    }

    public LlmVendorFake fails(int status) {
        server.stubFor(chatRequest().atPriority(DEFAULT).willReturn(error(status)));
        return this;
    }

    /** First call: 429 with {@code retry-after}; later calls: the answer. */
    public LlmVendorFake rateLimitedThenAnswers(int retryAfterSeconds, String text) {
        String scenario = "rate-limit";
        server.stubFor(chatRequest().atPriority(DEFAULT).inScenario(scenario).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(429).withHeader("retry-after", String.valueOf(retryAfterSeconds)))
                .willSetStateTo("allowed"));
        server.stubFor(chatRequest().atPriority(DEFAULT).inScenario(scenario).whenScenarioStateIs("allowed")
                .willReturn(ok(successBody(text, 40, 20, null))));
        return this;
    }

    public List<LoggedRequest> requests() {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(
                com.github.tomakehurst.wiremock.client.WireMock.anyUrl()));
    }

    /** Requests that did not match any stub (wrong shape): should be none. */
    public List<LoggedRequest> unmatched() {
        return server.findAllUnmatchedRequests();
    }

    protected ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    protected ResponseDefinitionBuilder error(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(errorBody(status));
    }

    protected static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** The env settings that point the hub at this fake. */
    public abstract Map<String, String> env();

    @Override
    public void close() {
        server.stop();
    }
}
